"""A role patched on one node changes what users may do on the other at once: the role_updated event
travels the shared stream and each node's in-memory role table follows it."""

from __future__ import annotations

import time

import httpx

from tests.cluster.conftest import needs_pg_and_redis
from tests.procs import ServerProcess

pytestmark = needs_pg_and_redis  # the two nodes: the ``cluster`` fixture (tests/cluster/conftest.py)


def test_role_patch_on_a_applies_on_b(cluster: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = cluster
    with httpx.Client(base_url=a.api) as ca, httpx.Client(base_url=b.api) as cb:
        ca.post("/users", json={"username": "boss", "email": "boss@example.com", "password": "password"})
        admin = {"Authorization": "Bearer " + ca.post("/users/login", json={
            "login_id": "boss", "password": "password"}).headers["Token"]}
        ca.post("/users", json={"username": "dora", "email": "dora@example.com", "password": "password"},
                headers=admin)
        dora = {"Authorization": "Bearer " + cb.post("/users/login", json={
            "login_id": "dora", "password": "password"}).headers["Token"]}
        # B refuses dora a team before the change (and serves the built-in set)
        role = cb.get("/roles/name/system_user", headers=dora).json()
        assert "create_team" in role["permissions"]
        narrowed = [p for p in role["permissions"] if p != "create_team"]
        assert ca.put(f"/roles/{role['id']}/patch", json={"permissions": narrowed}, headers=admin).status_code == 200
        status = 0
        for i in range(100):
            r = cb.post("/teams", json={"name": f"dora{i}", "display_name": "Dora", "type": "O"}, headers=dora)
            status = r.status_code
            if status == 403:
                break
            time.sleep(0.1)
        assert status == 403, "node B never applied the narrowed role"
        assert cb.get("/roles/name/system_user", headers=dora).json()["permissions"] == narrowed
        # and back
        assert ca.put(f"/roles/{role['id']}/patch", json={"permissions": role["permissions"]},
                      headers=admin).status_code == 200
        for i in range(100):
            r = cb.post("/teams", json={"name": f"dorab{i}", "display_name": "Dora", "type": "O"}, headers=dora)
            if r.status_code == 201:
                break
            time.sleep(0.1)
        assert r.status_code == 201, r.text

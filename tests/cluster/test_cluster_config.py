"""A config change on one node reaches the other (through Redis), under each node's own environment."""

from __future__ import annotations

import json
import time

import httpx

from tests.cluster.test_cluster import cluster, pytestmark  # noqa: F401  (fixture and skip marker)
from tests.procs import ServerProcess


def test_patch_on_a_is_seen_by_b(cluster: tuple[ServerProcess, ServerProcess]) -> None:  # noqa: F811
    a, b = cluster
    with httpx.Client(base_url=a.api) as ca, httpx.Client(base_url=b.api) as cb:
        ca.post("/users", json={"username": "root", "email": "root@example.com", "password": "password"})
        token = ca.post("/users/login", json={"login_id": "root", "password": "password"}).headers["Token"]
        h = {"Authorization": f"Bearer {token}"}
        r = ca.put("/config/patch", json={"TeamSettings": {"SiteName": "Shared Name"},
                                          "ServiceSettings": {"EnableUserAccessTokens": True}}, headers=h)
        assert r.status_code == 200, r.text
        seen = {}
        for _ in range(100):
            seen = cb.get("/config/client", params={"format": "old"}, headers=h).json()
            if seen.get("SiteName") == "Shared Name":
                break
            time.sleep(0.1)
        assert seen["SiteName"] == "Shared Name" and seen["EnableUserAccessTokens"] == "true"
        # B kept its own pinned settings (its listen address) and saved the change in its own file
        cfg_b = cb.get("/config", headers=h).json()
        assert cfg_b["ServiceSettings"]["ListenAddress"] == f"127.0.0.1:{b.port}"
        saved = json.loads(open(b.env["MM_CONFIG"]).read())
        assert saved["TeamSettings"]["SiteName"] == "Shared Name"
        assert saved["ServiceSettings"]["ListenAddress"] == ":8065"
        # a pinned setting is refused on B too
        r = cb.put("/config/patch", json={"SqlSettings": {"DriverName": "sqlite"}}, headers=h)
        assert r.status_code == 400 and "MM_SQLSETTINGS_DRIVERNAME" in r.json()["message"]

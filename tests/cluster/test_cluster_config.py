"""A config change on one node reaches the other (announced through Redis, read from the shared
database), under each node's own environment, with no setting — so no secret — in the Redis stream."""

from __future__ import annotations

import json
import os
import time

import httpx

from tests.cluster.conftest import needs_pg_and_redis
from tests.procs import ServerProcess

pytestmark = needs_pg_and_redis  # the two nodes: the ``cluster`` fixture (tests/cluster/conftest.py)


def test_patch_on_a_is_seen_by_b(cluster: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = cluster
    with httpx.Client(base_url=a.api) as ca, httpx.Client(base_url=b.api) as cb:
        ca.post("/users", json={"username": "root", "email": "root@example.com", "password": "password"})
        token = ca.post("/users/login", json={"login_id": "root", "password": "password"}).headers["Token"]
        h = {"Authorization": f"Bearer {token}"}
        secret = "smtp-secret-7f3a"
        r = ca.put("/config/patch", json={"TeamSettings": {"SiteName": "Shared Name"},
                                          "ServiceSettings": {"EnableUserAccessTokens": True},
                                          "EmailSettings": {"SMTPPassword": secret}}, headers=h)
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
        assert saved["TeamSettings"]["SiteName"] == "Shared Name" and saved["EmailSettings"]["SMTPPassword"] == secret
        # the stream carried the announcement, not the values
        import redis

        stream = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        key = f"chinwag:{a.env['MM_CLUSTERSETTINGS_CLUSTERNAME']}:events"
        entries = [fields[b"d"] for _, fields in stream.xrange(key)]
        stream.close()
        assert any(b"_config_changed" in e for e in entries)
        assert not any(secret.encode() in e or b"Shared Name" in e for e in entries)
        assert saved["ServiceSettings"]["ListenAddress"] == ":8065"
        # a pinned setting is refused on B too
        r = cb.put("/config/patch", json={"SqlSettings": {"DriverName": "sqlite"}}, headers=h)
        assert r.status_code == 400 and "MM_SQLSETTINGS_DRIVERNAME" in r.json()["message"]


def test_a_new_node_without_a_config_file_takes_the_shared_config(
        cluster: tuple[ServerProcess, ServerProcess]) -> None:
    """A new pod (its config directory an empty volume) starts with what admins changed through
    the API on the nodes before it, not with the defaults."""
    a, _b = cluster
    with httpx.Client(base_url=a.api) as ca:
        ca.post("/users", json={"username": "root", "email": "root@example.com", "password": "password"})
        token = ca.post("/users/login", json={"login_id": "root", "password": "password"}).headers["Token"]
        r = ca.put("/config/patch", json={"TeamSettings": {"SiteName": "Kept Name"}},
                   headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
    c = ServerProcess(a.env, a.workdir)  # its own port, and a config path of its own (not there yet)
    assert not os.path.exists(c.env["MM_CONFIG"])
    c.start()
    try:
        seen = httpx.get(c.api + "/config/client", params={"format": "old"}).json()
        assert seen["SiteName"] == "Kept Name"
        saved = json.loads(open(c.env["MM_CONFIG"]).read())
        assert saved["TeamSettings"]["SiteName"] == "Kept Name"
        assert saved["ServiceSettings"]["ListenAddress"] == ":8065"  # its pinned settings stay its own
    finally:
        c.stop()

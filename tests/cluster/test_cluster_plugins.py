"""A plugin uploaded and enabled on one node of a two-node cluster runs on both: each node unpacks the
bundle from the shared file store and starts its own plugin process; posts made through either node
reach the plugin's hooks, and the plugin's key/value store is the shared database."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.cluster.conftest import needs_pg_and_redis, two_nodes
from tests.plugins.bundles import bundle
from tests.procs import ServerProcess, workdir

pytestmark = needs_pg_and_redis

PLUGIN = "com.example.clustered"
CODE = """
    import json
    from chinwag.plugin import HTTPResponse, Plugin

    class Clustered(Plugin):
        async def message_will_be_posted(self, c, post):
            if "forbidden" in post.message:
                return None, "not here"
            return post, ""

        async def message_has_been_posted(self, c, post):
            await self.api.kv_set("posted-" + post.id, post.message.encode())

        async def serve_http(self, c, req):
            keys = await self.api.kv_list(0, 100)
            return HTTPResponse.json({k: (await self.api.kv_get(k)).decode() for k in keys})
"""


@pytest.fixture
def nodes() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """The shared two-node setup, uploads on, each node with a plugin directory of its own."""
    wd = workdir()
    with two_nodes({"MM_PLUGINSETTINGS_ENABLEUPLOADS": "true"},
                   ({"MM_PLUGINSETTINGS_DIRECTORY": os.path.join(wd, "plugins-a")},
                    {"MM_PLUGINSETTINGS_DIRECTORY": os.path.join(wd, "plugins-b")}), wd) as ab:
        yield ab


def _until(check: object, what: str) -> None:
    for _ in range(300):
        if callable(check) and check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_plugin_runs_on_both_nodes(nodes: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = nodes
    with httpx.Client(base_url=a.api) as ca, httpx.Client(base_url=b.api) as cb:
        ca.post("/users", json={"username": "root", "email": "root@example.com", "password": "password"})
        token = ca.post("/users/login", json={"login_id": "root", "password": "password"}).headers["Token"]
        h = {"Authorization": f"Bearer {token}"}
        team = ca.post("/teams", json={"name": "eng", "display_name": "Eng", "type": "O"}, headers=h).json()
        channel = ca.post("/channels", json={"team_id": team["id"], "name": "dev", "display_name": "Dev",
                                             "type": "O"}, headers=h).json()
        r = ca.post("/plugins", files={"plugin": ("p.tar.gz", bundle(PLUGIN, CODE))}, headers=h)
        assert r.status_code == 201, r.text
        assert ca.post(f"/plugins/{PLUGIN}/enable", headers=h).status_code == 200

        def running_on_b() -> bool:
            statuses = cb.get("/plugins/statuses", headers=h).json()
            return any(s["plugin_id"] == PLUGIN and s["state"] == 2 for s in statuses)

        _until(running_on_b, "the plugin to run on node B")
        # each node reports its own status; either node lists both (this node's first)
        _until(lambda: len([s for s in ca.get("/plugins/statuses", headers=h).json() if s["plugin_id"] == PLUGIN]) == 2,
               "node A to list both nodes' statuses")
        def both_running() -> bool:  # node A's own process may still be starting on a busy machine
            both = [s for s in cb.get("/plugins/statuses", headers=h).json() if s["plugin_id"] == PLUGIN]
            return len({s["cluster_id"] for s in both}) == 2 and all(s["state"] == 2 for s in both)

        _until(both_running, "both nodes to report the plugin running")
        assert os.path.isfile(os.path.join(b.workdir, "plugins-b", PLUGIN, "plugin.json"))

        from_a = ca.post("/posts", json={"channel_id": channel["id"], "message": "via a"}, headers=h).json()
        from_b = cb.post("/posts", json={"channel_id": channel["id"], "message": "via b"}, headers=h).json()
        for c in (ca, cb):
            r = c.post("/posts", json={"channel_id": channel["id"], "message": "forbidden"}, headers=h)
            assert r.status_code == 400 and r.json()["id"] == "Post rejected by plugin. not here"

        def recorded() -> bool:
            seen = httpx.get(f"{a.url}/plugins/{PLUGIN}/log").json()
            return seen.get("posted-" + from_a["id"]) == "via a" and seen.get("posted-" + from_b["id"]) == "via b"

        _until(recorded, "both nodes' posts in the plugin's store")
        assert httpx.get(f"{b.url}/plugins/{PLUGIN}/log").json() == httpx.get(f"{a.url}/plugins/{PLUGIN}/log").json()

        # disabled on B: stops on A too
        assert cb.post(f"/plugins/{PLUGIN}/disable", headers=h).status_code == 200
        _until(lambda: not any(s["plugin_id"] == PLUGIN and s["state"] == 2
                               for s in ca.get("/plugins/statuses", headers=h).json()), "the plugin to stop on A")
        r = ca.post("/posts", json={"channel_id": channel["id"], "message": "forbidden"}, headers=h)
        assert r.status_code == 201


MESSENGER = "com.example.messenger"
MESSENGER_CODE = """
    from chinwag.plugin import HTTPResponse, Plugin

    class Messenger(Plugin):
        async def on_plugin_cluster_event(self, event_id, data):
            # read-modify-write: only right when one node's events arrive one after another, in order
            key = "got-" + await self.api.get_node_id()
            await self.api.kv_set(key, (await self.api.kv_get(key) or b"") + event_id.encode() + b":" + data + b",")

        async def serve_http(self, c, req):
            node = await self.api.get_node_id()
            if req.path == "/send":
                for i in range(int(req.query.get("n", "1"))):
                    self.api.publish_plugin_cluster_event(req.query.get("id", "e"), str(i).encode(),
                                                          target_node_id=req.query.get("to", ""))
                return HTTPResponse.json({"node": node})
            got = {k: (await self.api.kv_get(k)).decode() for k in await self.api.kv_list(0, 100)}
            return HTTPResponse.json({"node": node, "got": got})
"""


def test_plugin_cluster_events(nodes: tuple[ServerProcess, ServerProcess]) -> None:
    """``publish_plugin_cluster_event`` reaches the plugin on the other nodes (or the one targeted), never
    the sender's own node, one node's events in the order it sent them."""
    a, b = nodes
    with httpx.Client(base_url=a.api) as ca:
        ca.post("/users", json={"username": "root", "email": "root@example.com", "password": "password"})
        token = ca.post("/users/login", json={"login_id": "root", "password": "password"}).headers["Token"]
        h = {"Authorization": f"Bearer {token}"}
        assert ca.post("/plugins", files={"plugin": ("p.tar.gz", bundle(MESSENGER, MESSENGER_CODE))},
                       headers=h).status_code == 201
        assert ca.post(f"/plugins/{MESSENGER}/enable", headers=h).status_code == 200

    def running(node: ServerProcess) -> bool:
        return httpx.get(f"{node.url}/plugins/{MESSENGER}/got", headers=h).status_code == 200

    _until(lambda: running(a) and running(b), "the plugin to run on both nodes")
    node_a = httpx.post(f"{a.url}/plugins/{MESSENGER}/send", params={"n": 20}, headers=h).json()["node"]
    node_b = httpx.get(f"{b.url}/plugins/{MESSENGER}/got", headers=h).json()["node"]
    assert node_a != node_b
    everyone = ",".join(f"e:{i}" for i in range(20)) + ","

    def got() -> dict[str, str]:
        answer: dict[str, str] = httpx.get(f"{a.url}/plugins/{MESSENGER}/got", headers=h).json()["got"]
        return answer

    _until(lambda: got().get("got-" + node_b) == everyone, "node B to get node A's events in order")
    # to one node: B sends to A, and A "to itself" (never delivered to the sender's node)
    httpx.post(f"{b.url}/plugins/{MESSENGER}/send", params={"n": 2, "id": "t", "to": node_a}, headers=h)
    httpx.post(f"{a.url}/plugins/{MESSENGER}/send", params={"n": 1, "id": "self", "to": node_a}, headers=h)
    httpx.post(f"{a.url}/plugins/{MESSENGER}/send", params={"n": 1, "id": "last", "to": node_b}, headers=h)
    _until(lambda: got().get("got-" + node_b, "").endswith("last:0,"), "node B to get the last event")
    _until(lambda: got().get("got-" + node_a) == "t:0,t:1,", "node A to get the events sent to it")
    assert got() == {"got-" + node_a: "t:0,t:1,", "got-" + node_b: everyone + "last:0,"}

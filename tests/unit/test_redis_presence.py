"""Who is connected anywhere in a cluster (``RedisPresence``): each node's set of users, found through
the nodes' index (no SCAN of the keyspace); a node that closes or stops heartbeating stops counting."""

from __future__ import annotations

from typing import Any

from chinwag.bus.redis import RedisPresence

URL = "redis://127.0.0.1:6379/0"


async def test_a_user_online_on_one_node_is_seen_from_another_until_it_leaves(redis_ns: tuple[Any, str]) -> None:
    probe, prefix = redis_ns
    a = RedisPresence(URL, prefix, "node-a", ttl=30)
    b = RedisPresence(URL, prefix, "node-b", ttl=30)
    try:
        # many unrelated keys in the same namespace (checkpoints, guards) are not read
        await probe.mset({f"{prefix}:conn:{i}": b"x" for i in range(200)})
        await a.connected("alice")
        await b.connected("bob")
        assert await b.online_anywhere(["alice", "bob", "carol"]) == {"alice", "bob"}
        assert await a.online_anywhere(["bob"]) == {"bob"}
        # bob leaves node B: not online anywhere
        assert await b.disconnected("bob") is True
        assert await a.online_anywhere(["alice", "bob"]) == {"alice"}
        # node A's heartbeat rewrites its set; then it closes: its users are gone, and so is its index entry
        await a.heartbeat({"alice", "dave"})
        assert await b.online_anywhere(["alice", "dave"]) == {"alice", "dave"}
        await a.close()
        assert await b.online_anywhere(["alice", "dave"]) == set()
        assert await probe.zrange(f"{prefix}:presence-nodes", 0, -1) == [f"{prefix}:presence:node-b".encode()]
        # a node whose set expired (it died without closing) counts no one, whatever its index entry says
        c = RedisPresence(URL, prefix, "node-c", ttl=30)
        await c.connected("erin")
        await probe.delete(f"{prefix}:presence:node-c")  # as if its TTL ran out
        assert await b.online_anywhere(["erin"]) == set()
        await c.redis.aclose()
    finally:
        await b.close()

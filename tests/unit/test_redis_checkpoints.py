"""Connections' resume checkpoints on Redis (``RedisStream.save_checkpoints``, a round of them in one
Lua script): each connection's key holds its user and state, with the history's retention as its TTL."""

from __future__ import annotations

from typing import Any

from chinwag.bus.redis import RedisStream

URL = "redis://127.0.0.1:6379/0"


async def test_a_round_of_checkpoints_is_one_command_each_key_with_its_ttl(redis_ns: tuple[Any, str]) -> None:
    probe, prefix = redis_ns
    stream = RedisStream(URL, prefix=prefix, retention_ms=3_600_000)
    try:
        items = [(f"conn{i}", f"user{i}", {"seq": i, "ring": [[i, 100 + i]]}) for i in range(50)]
        await stream.save_checkpoints(items)
        for cid, uid, state in items[::7]:
            assert await stream.load_checkpoint(cid) == (uid, state)
            assert 3500 < await probe.ttl(f"{prefix}:conn:{cid}") <= 3600
        assert await stream.load_checkpoint("nobody") is None
        # rewritten: the newer state wins
        await stream.save_checkpoints([("conn3", "user3", {"seq": 9})])
        assert await stream.load_checkpoint("conn3") == ("user3", {"seq": 9})
        await stream.save_checkpoints([])  # nothing to write: no command
    finally:
        await stream.redis.aclose()
        await stream.reader_conn.aclose()

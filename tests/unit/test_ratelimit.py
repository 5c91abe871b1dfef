"""The GCRA budgets behind RateLimitSettings and the sign-in limits (bus/ratelimit.py): bursts, refill,
headers, the memory store's size bound, and one budget shared by two nodes through Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from chinwag.bus.ratelimit import MemoryRateStore, Quota, RedisRateStore

US = 1_000_000


class Clock:
    def __init__(self) -> None:
        self.now = 1_000 * US

    def __call__(self) -> int:
        return self.now


async def test_burst_then_one_per_interval() -> None:
    clock = Clock()
    store = MemoryRateStore(clock=clock)
    quota = Quota(per_sec=2, burst=3)  # 4 at once, then one every 0.5 s
    results = [await store.take("k", quota) for _ in range(5)]
    assert [r.allowed for r in results] == [True, True, True, True, False]
    assert [r.remaining for r in results[:4]] == [3, 2, 1, 0]
    assert all(r.limit == 4 for r in results)
    refused = results[-1]
    assert refused.retry_after_s == 1 and refused.reset_s == 2  # 0.5 s rounded up; 2 s to a full budget
    assert [(name, value) for name, value in refused.headers() if name == b"retry-after"] == [(b"retry-after", b"1")]
    clock.now += US // 2
    assert (await store.take("k", quota)).allowed
    assert not (await store.take("k", quota)).allowed
    clock.now += 10 * US  # idle: the whole burst is back
    assert [(await store.take("k", quota)).allowed for _ in range(5)] == [True] * 4 + [False]
    assert (await store.take("other", quota)).allowed  # keys are independent


async def test_peek_spends_nothing() -> None:
    store = MemoryRateStore(clock=Clock())
    quota = Quota(per_sec=1, burst=0)
    assert (await store.take("k", quota, peek=True)).allowed
    assert (await store.take("k", quota)).allowed
    assert not (await store.take("k", quota, peek=True)).allowed
    assert not (await store.take("k", quota)).allowed


async def test_memory_store_keeps_the_newest_keys() -> None:
    store = MemoryRateStore(size=3, clock=Clock())
    quota = Quota(per_sec=1, burst=0)
    for key in "abcd":
        await store.take(key, quota)
    assert list(store.cells) == ["b", "c", "d"]
    assert (await store.take("a", quota)).allowed  # forgotten, so it starts afresh


async def test_redis_budget_is_shared_by_nodes() -> None:
    import redis.asyncio as aioredis

    probe = aioredis.from_url("redis://127.0.0.1:6379/0")
    try:
        await asyncio.wait_for(probe.ping(), 2)
    except Exception:
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    finally:
        await probe.aclose()
    clock = Clock()
    prefix = f"chinwag-test-{uuid.uuid4().hex[:8]}"
    node1, node2 = RedisRateStore("redis://127.0.0.1:6379/0", prefix, clock), \
        RedisRateStore("redis://127.0.0.1:6379/0", prefix, clock)
    quota = Quota(per_sec=1, burst=3)
    try:
        answers = [await (node1 if i % 2 else node2).take("user", quota) for i in range(5)]
        assert [a.allowed for a in answers] == [True, True, True, True, False]
        assert [a.remaining for a in answers[:4]] == [3, 2, 1, 0]
        assert (await node1.take("user", quota, peek=True)).allowed is False
        clock.now += US
        assert (await node2.take("user", quota)).allowed
        assert not (await node1.take("user", quota)).allowed
    finally:
        await node1.close()
        await node2.close()

"""One node of a cluster polls the shared queues on the timer (``PollLease``): the lease's holder. When
it dies (stops renewing), another node takes the lease over once it runs out and polls from then on;
a node without it still polls when its own work wakes it, and every ``FOLLOWER_POLL_S``."""

from __future__ import annotations

import asyncio
from typing import Any

from chinwag.app.background import FOLLOWER_POLL_S, PollLease, WorkLoop
from chinwag.bus.redis import RedisStream
from tests.waiting import until

URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeStore:
    """A lease store as Redis's script keeps it: (holder, expiry) per name, on the test's clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.leases: dict[str, tuple[str, float]] = {}
        self.calls = 0

    async def hold_lease(self, name: str, holder: str, ttl_ms: int) -> bool:
        self.calls += 1
        current = self.leases.get(name)
        if current is None or current[0] == holder or current[1] <= self.clock():
            self.leases[name] = (holder, self.clock() + ttl_ms / 1000)
            return True
        return False


async def test_one_node_holds_the_lease_and_another_takes_it_over_when_the_holder_stops() -> None:
    clock = Clock()
    store = FakeStore(clock)
    a, b = PollLease(store, ttl_ms=6000, clock=clock), PollLease(store, ttl_ms=6000, clock=clock)
    assert await a.held()
    assert not await b.held()
    # A renews within the ttl: B stays out
    for _ in range(5):
        clock.now += 2.0
        assert await a.held()
        assert not await b.held()
    # A dies (no renewal): B takes over once the lease ran out, and keeps it
    clock.now += 4.0
    assert not await b.held()  # 4 s after A's last renewal: still A's
    clock.now += 2.1
    assert await b.held()
    clock.now += 2.1
    assert await b.held()
    assert not await a.held()  # back from the dead: the lease is B's now


async def test_without_the_lease_a_node_polls_when_woken_and_every_follower_interval() -> None:
    clock = Clock()
    store = FakeStore(clock)
    a, b = PollLease(store, clock=clock), PollLease(store, clock=clock)
    assert await a.due(False, 0.0)
    last = clock.now
    assert not await b.due(False, last)
    assert await b.due(True, last)  # its own work woke it
    clock.now += FOLLOWER_POLL_S
    store.leases["pollers"] = ("someone", clock.now + 60)
    assert await b.due(False, last)  # the follower's poll


async def test_one_process_without_a_lease_store_always_polls() -> None:
    lease = PollLease(object())
    assert not lease.clustered
    assert await lease.held()
    assert await lease.due(False, 0.0)


async def test_a_lease_store_that_fails_lets_the_node_poll_as_before() -> None:
    class Down:
        async def hold_lease(self, name: str, holder: str, ttl_ms: int) -> bool:
            raise ConnectionError("down")

    assert await PollLease(Down()).held()


async def test_a_work_loop_without_the_lease_polls_only_when_woken() -> None:
    clock = Clock()
    store = FakeStore(clock)
    store.leases["pollers"] = ("other node", clock.now + 3600)
    turns: list[int] = []

    async def work() -> int:
        turns.append(1)
        return 0

    loop = WorkLoop("test", work, poll_seconds=0.01, lease=PollLease(store, clock=clock))
    loop.start()
    try:
        await until(lambda: len(turns) == 1 and store.calls >= 1)  # the first turn, then timer turns skip
        await asyncio.sleep(0.1)
        assert len(turns) == 1
        loop.wake()
        await until(lambda: len(turns) == 2)
        store.leases.clear()  # the holder's lease ran out: this node takes it at its next check
        clock.now += 10
        await until(lambda: len(turns) >= 4)
    finally:
        await loop.stop()


async def test_the_redis_lease_is_taken_renewed_and_taken_over_after_its_ttl(redis_ns: tuple[Any, str]) -> None:
    probe, prefix = redis_ns
    a, b = RedisStream(URL, prefix=prefix), RedisStream(URL, prefix=prefix)
    try:
        assert await a.hold_lease("pollers", "a", 300)
        assert not await b.hold_lease("pollers", "b", 300)
        assert await a.hold_lease("pollers", "a", 300)  # renewed
        assert 0 < await probe.pttl(f"{prefix}:lease:pollers") <= 300
        # a stops renewing: b gets it once the ttl ran out
        taken: list[bool] = []

        async def b_takes() -> None:
            while not await b.hold_lease("pollers", "b", 300):
                await asyncio.sleep(0.05)
            taken.append(True)

        await asyncio.wait_for(b_takes(), 5)
        assert taken
        assert not await a.hold_lease("pollers", "a", 300)
    finally:
        for s in (a, b):
            await s.redis.aclose()
            await s.reader_conn.aclose()


async def test_the_lease_is_the_stream_s_behind_the_hub_the_app_publishes_through() -> None:
    """The app's publisher is the hub; the Redis stream behind it holds the lease (the embedded one has none)."""
    from chinwag.platform.hub import Hub

    clock = Clock()
    store = FakeStore(clock)
    lease = PollLease(Hub(store, None, version="test"), clock=clock)  # type: ignore[arg-type]
    assert lease.clustered
    assert await lease.held() and store.calls == 1

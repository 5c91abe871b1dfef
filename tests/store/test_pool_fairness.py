"""Connections are handed out in arrival order (``FairGate`` in front of the pools): a burst of requests far
larger than the pool all get a connection — none waits the pool's timeout while connections are free, as
with SQLAlchemy's asyncio pool alone, which lets a newcomer take a connection a woken waiter was given."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from chinwag.store.sql.engine import Database, FairGate
from tests.conftest import TestDatabase


async def test_a_burst_much_larger_than_the_pool_all_get_a_connection(database: TestDatabase) -> None:
    db = Database(database.driver, database.datasource, max_open=4)  # two connections per pool
    served: list[int] = []
    try:
        async def one(i: int) -> None:
            async with db.read() as conn:
                assert (await conn.execute(sa.text("SELECT 1"))).scalar() == 1
            async with db.write() as conn:
                await conn.execute(sa.text("SELECT 1"))
            served.append(i)

        await asyncio.gather(*(one(i) for i in range(300)))
    finally:
        await db.close()
    assert sorted(served) == list(range(300))


async def test_the_gate_serves_waiters_in_arrival_order_and_times_out_with_the_pools_error() -> None:
    gate = FairGate(1, timeout=0.5)
    order: list[int] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with gate:
            await release.wait()

    async def waiter(i: int) -> None:
        async with gate:
            order.append(i)

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiters = []
    for i in range(5):
        waiters.append(asyncio.create_task(waiter(i)))
        await asyncio.sleep(0)  # each one queued before the next arrives
    release.set()
    await first
    # a newcomer arriving while the queue drains takes its turn after the ones already waiting
    late = asyncio.create_task(waiter(99))
    await asyncio.gather(*waiters, late)
    assert order == [0, 1, 2, 3, 4, 99]

    async with gate:
        with pytest.raises(sa.exc.TimeoutError, match="no database connection free"):
            async with gate:
                pass

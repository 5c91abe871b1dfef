"""The lease primitive (``store/sql/lease.py``) on SQLite, PostgreSQL and MySQL/MariaDB: claiming free and stale rows in
order up to a limit, renewing, releasing, removing and expiring only what a node holds, and concurrent
claimers never holding the same row."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from chinwag.server import migrate_database
from chinwag.store.sql import tables
from chinwag.store.sql.engine import Database
from chinwag.store.sql.lease import Lease
from tests.conftest import TestDatabase

q_ = tables.pushnotifications
LEASE = Lease(q_)


@pytest.fixture
async def db(database: TestDatabase) -> AsyncIterator[Database]:
    d = Database(database.driver, database.datasource)
    await migrate_database(d)
    async with d.engine.begin() as conn:
        await conn.execute(q_.delete())
        await conn.execute(tables.jobleases.delete())
    yield d
    await d.engine.dispose()
    await d.read_engine.dispose()


async def _rows(db: Database, n: int) -> None:
    async with db.write() as conn:
        await conn.execute(q_.insert(), [{"id": f"row{i:02d}", "userid": "u", "sendat": 100 - i}
                                         for i in range(n)])


async def _holders(db: Database) -> dict[str, tuple[str, int]]:
    async with db.read() as conn:
        rows = (await conn.execute(sa.select(q_.c.id, q_.c.claimedby, q_.c.claimedat))).all()
    return {r[0]: (r[1], int(r[2])) for r in rows}


async def test_claim_in_order_up_to_a_limit_then_nothing_while_held(db: Database) -> None:
    await _rows(db, 5)
    async with db.write() as conn:
        got = await LEASE.claim(conn, "a", 1000, 500, order_by=(q_.c.sendat,), limit=2,
                                returning=(q_.c.id, q_.c.sendat))
    assert sorted((r[0], r[1]) for r in got) == [("row03", 97), ("row04", 96)]  # the two due first
    async with db.write() as conn:
        rest = await LEASE.claim(conn, "b", 1001, 500, where=(q_.c.sendat <= 99,))
    assert sorted(r[0] for r in rest) == ["row01", "row02"]  # row00 is not due, row03/04 are a's
    holders = await _holders(db)
    assert holders["row04"] == ("a", 1000) and holders["row01"] == ("b", 1001) and holders["row00"] == ("", 0)
    async with db.write() as conn:
        assert await LEASE.claim(conn, "c", 1002, 500, where=(q_.c.sendat <= 99,)) == []


async def test_a_stale_lease_is_taken_over_and_the_old_holder_changes_nothing(db: Database) -> None:
    await _rows(db, 1)
    async with db.write() as conn:
        await LEASE.claim(conn, "a", 1000, 0)
    async with db.write() as conn:
        assert await LEASE.claim(conn, "b", 1500, 1000) == []  # claimed at 1000: not stale before 1000
        assert [r[0] for r in await LEASE.claim(conn, "b", 2000, 1001)] == ["row00"]
    async with db.write() as conn:
        assert await LEASE.renew(conn, "a", ["row00"], 2100) == 0
        assert await LEASE.release(conn, "a", ["row00"], {"attempts": 5}) == 0
        assert await LEASE.remove(conn, "a", ["row00"]) == 0
    assert (await _holders(db))["row00"] == ("b", 2000)
    async with db.write() as conn:
        assert await LEASE.renew(conn, "b", ["row00"], 2100) == 1
    assert (await _holders(db))["row00"] == ("b", 2100)


async def test_release_with_values_and_remove(db: Database) -> None:
    await _rows(db, 2)
    async with db.write() as conn:
        await LEASE.claim(conn, "a", 1000, 0)
        assert await LEASE.release(conn, "a", ["row00"], {"sendat": 5000, "attempts": q_.c.attempts + 1}) == 1
        assert await LEASE.remove(conn, "a", ["row01"]) == 1
    async with db.read() as conn:
        rows = (await conn.execute(sa.select(q_.c.id, q_.c.claimedby, q_.c.claimedat, q_.c.sendat,
                                             q_.c.attempts))).all()
    assert [tuple(r) for r in rows] == [("row00", "", 0, 5000, 1)]


async def test_expire_lets_go_of_stale_leases_only(db: Database) -> None:
    await _rows(db, 3)
    async with db.write() as conn:
        await LEASE.claim(conn, "a", 1000, 0, where=(q_.c.id == "row00",))
        await LEASE.claim(conn, "b", 3000, 0, where=(q_.c.id == "row01",))
        assert await LEASE.expire(conn, 2000, values={"lasterror": "node died"}) == 1
    holders = await _holders(db)
    assert holders == {"row00": ("", 0), "row01": ("b", 3000), "row02": ("", 0)}
    async with db.read() as conn:
        errors = dict((await conn.execute(sa.select(q_.c.id, q_.c.lasterror))).all())
    assert errors == {"row00": "node died", "row01": "", "row02": ""}  # the free row is left alone
    # rows held by another mark than an owner (jobs: in progress)
    async with db.write() as conn:
        assert await LEASE.expire(conn, 4000, held=(q_.c.id == "row02",), values={"attempts": 9}) == 1
    async with db.read() as conn:
        assert (await conn.execute(sa.select(q_.c.attempts).where(q_.c.id == "row02"))).scalar() == 9


async def test_a_named_lease_row(db: Database) -> None:
    lease = Lease(tables.jobleases, key="name")
    async with db.write() as conn:
        await conn.execute(tables.jobleases.insert().values(name="sync"))
        assert len(await lease.claim(conn, "a", 10, 0, where=(tables.jobleases.c.name == "sync",))) == 1
        assert await lease.claim(conn, "b", 11, 0, where=(tables.jobleases.c.name == "sync",)) == []
        assert await lease.release(conn, "a", ["sync"], {"lastrunat": 12}) == 1
    async with db.read() as conn:
        row = (await conn.execute(sa.select(tables.jobleases))).one()
    assert (row.claimedby, row.claimedat, row.lastrunat) == ("", 0, 12)


async def test_concurrent_claimers_never_share_a_row(db: Database) -> None:
    await _rows(db, 40)

    async def node(name: str) -> list[str]:
        got: list[str] = []
        while True:
            async with db.write() as conn:
                rows = await LEASE.claim(conn, name, 1000, 0, order_by=(q_.c.sendat, q_.c.id), limit=3)
            if not rows:
                return got
            got += [r[0] for r in rows]
            await asyncio.sleep(0)

    results = await asyncio.gather(*(node(f"n{i}") for i in range(4)))
    claimed = [r for rs in results for r in rs]
    assert sorted(claimed) == sorted(f"row{i:02d}" for i in range(40))  # each row exactly once
    holders = await _holders(db)
    assert all(holders[r] == (f"n{i}", 1000) for i, rs in enumerate(results) for r in rs)

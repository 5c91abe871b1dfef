"""Marking channels viewed (``SqlChannelStore.view``) on SQLite, PostgreSQL and MySQL/MariaDB: the member
rows catch up with their channels, the answer has every channel the user is a member of, and a row already
caught up is not written (its ``last_update_at`` stays) — what a second view of the same channel finds."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from chinwag.server import migrate_database
from chinwag.store.sql import tables
from chinwag.store.sql.channel_store import SqlChannelStore
from chinwag.store.sql.engine import Database
from tests.conftest import TestDatabase

U, V = "u" * 26, "v" * 26
A, B, C = "a" * 26, "b" * 26, "c" * 26


@pytest.fixture
async def db(database: TestDatabase) -> AsyncIterator[Database]:
    d = Database(database.driver, database.datasource)
    await migrate_database(d)
    async with d.engine.begin() as conn:
        for t in (tables.channelmembers, tables.channels, tables.users):
            await conn.execute(t.delete())
        for uid in (U, V):
            await conn.execute(tables.users.insert().values(id=uid, username=f"user{uid[0]}", email=f"{uid[0]}@x.io"))
        # A: 5 posts (2 roots), last at 500; B: 3 posts, last at 300; C: U is not a member
        for cid, total, roots, last in [(A, 5, 2, 500), (B, 3, 3, 300), (C, 1, 1, 100)]:
            await conn.execute(tables.channels.insert().values(
                id=cid, teamid="t" * 26, type="O", name=f"n{cid[0]}", displayname=cid[0],
                totalmsgcount=total, totalmsgcountroot=roots, lastpostat=last))
        for cid, uid in [(A, U), (B, U), (A, V), (C, V)]:
            await conn.execute(tables.channelmembers.insert().values(
                channelid=cid, userid=uid, msgcount=1, msgcountroot=1, mentioncount=2, mentioncountroot=1,
                urgentmentioncount=1, lastviewedat=50, lastupdateat=50))
    yield d
    await d.engine.dispose()
    await d.read_engine.dispose()


async def member(db: Database, cid: str, uid: str) -> tuple[int, ...]:
    cm = tables.channelmembers
    async with db.read() as conn:
        row = (await conn.execute(sa.select(
            cm.c.msgcount, cm.c.msgcountroot, cm.c.mentioncount, cm.c.mentioncountroot, cm.c.urgentmentioncount,
            cm.c.lastviewedat, cm.c.lastupdateat).where(cm.c.channelid == cid, cm.c.userid == uid))).one()
    return tuple(int(x) for x in row)


async def test_view_catches_up_then_writes_nothing(db: Database) -> None:
    s = SqlChannelStore(db)
    assert await s.view(U, [A, C], 1000) == ({A: 500}, [A])  # C: not a member, not in the answer
    assert await member(db, A, U) == (5, 2, 0, 0, 0, 500, 1000)
    assert await member(db, B, U) == (1, 1, 2, 1, 1, 50, 50)  # not viewed
    assert await member(db, A, V) == (1, 1, 2, 1, 1, 50, 50)  # another user's row
    # the channel left (A, already read) and the new one (B): only B is written
    assert await s.view(U, [B, A], 2000) == ({A: 500, B: 300}, [B])
    assert await member(db, A, U) == (5, 2, 0, 0, 0, 500, 1000)
    assert await member(db, B, U) == (3, 3, 0, 0, 0, 300, 2000)
    # nothing new: nothing written, the answer the same
    assert await s.view(U, [A, B], 3000) == ({A: 500, B: 300}, [])
    assert await member(db, B, U) == (3, 3, 0, 0, 0, 300, 2000)
    # a new post in A (its totals move): A is written again
    async with db.engine.begin() as conn:
        await conn.execute(tables.channels.update().where(tables.channels.c.id == A)
                           .values(totalmsgcount=6, lastpostat=600))
    assert await s.view(U, [A, B], 4000) == ({A: 600, B: 300}, [A])
    assert await member(db, A, U) == (6, 2, 0, 0, 0, 600, 4000)
    # a mention alone (a post marked unread, say) is enough to write
    async with db.engine.begin() as conn:
        await conn.execute(tables.channelmembers.update()
                           .where(tables.channelmembers.c.channelid == B, tables.channelmembers.c.userid == U)
                           .values(mentioncount=1))
    assert await s.view(U, [B], 5000) == ({B: 300}, [B])
    assert await member(db, B, U) == (3, 3, 0, 0, 0, 300, 5000)
    assert await s.view(U, [], 6000) == ({}, [])

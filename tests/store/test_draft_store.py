"""The draft store (``store/sql/draft_store.py``) on SQLite, PostgreSQL and MySQL/MariaDB: upsert keeps the
creation time and replaces the rest, a user's drafts by team (with direct messages, only in channels they
are still in, newest change first), deletion of one, of a thread's, of a user's, and permanent deletion."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chinwag.model.draft import Draft
from chinwag.server import migrate_database
from chinwag.store.errors import NotFound
from chinwag.store.sql import tables
from chinwag.store.sql.channel_store import SqlChannelStore
from chinwag.store.sql.draft_store import SqlDraftStore
from chinwag.store.sql.engine import Database
from chinwag.store.sql.purge_store import SqlPurgeStore
from tests.conftest import TestDatabase

U, V, T, T2 = "u" * 26, "v" * 26, "t" * 26, "s" * 26
A, B, C, D, E = "a" * 26, "b" * 26, "c" * 26, "d" * 26, "e" * 26
ROOT = "r" * 26


@pytest.fixture
async def db(database: TestDatabase) -> AsyncIterator[Database]:
    d = Database(database.driver, database.datasource)
    await migrate_database(d)
    async with d.engine.begin() as conn:
        for t in (tables.drafts, tables.channelmembers, tables.channels, tables.users):
            await conn.execute(t.delete())
        for uid in (U, V):
            await conn.execute(tables.users.insert().values(id=uid, username=f"user{uid[0]}", email=f"{uid[0]}@x.io"))
        # A, B in team T; C in team T2; D a direct message; E in T, which U has left
        for cid, team, kind in [(A, T, "O"), (B, T, "P"), (C, T2, "O"), (D, "", "D"), (E, T, "O")]:
            await conn.execute(tables.channels.insert().values(id=cid, teamid=team, type=kind, name=f"n{cid[0]}",
                                                               displayname=cid[0]))
            for uid in (U, V):
                if not (cid == E and uid == U):
                    await conn.execute(tables.channelmembers.insert().values(channelid=cid, userid=uid))
    yield d
    await d.engine.dispose()
    await d.read_engine.dispose()


def draft(channel: str, at: int, message: str = "hi", user: str = U, root: str = "", **kw: Any) -> Draft:
    d = Draft(user_id=user, channel_id=channel, root_id=root, message=message, create_at=at, update_at=at, **kw)
    if d.props is None:
        d.props = {}
    return d


async def test_upsert_keeps_create_at_and_replaces_the_rest(db: Database) -> None:
    s = SqlDraftStore(db)
    await s.upsert(draft(A, 100, "first", file_ids=["f" * 26], priority={"priority": "urgent"}))
    got = await s.get(U, A, "")
    assert (got.message, got.create_at, got.update_at, got.file_ids, got.priority) == (
        "first", 100, 100, ["f" * 26], {"priority": "urgent"})
    await s.upsert(draft(A, 200, "second", props={"k": [1, "x"]}))
    got = await s.get(U, A, "")
    assert (got.message, got.create_at, got.update_at, got.props, got.file_ids, got.priority) == (
        "second", 100, 200, {"k": [1, "x"]}, None, None)
    # a thread's draft is another row
    await s.upsert(draft(A, 300, "reply", root=ROOT))
    assert (await s.get(U, A, ROOT)).message == "reply"
    assert (await s.get(U, A, "")).message == "second"
    with pytest.raises(NotFound):
        await s.get(V, A, "")


async def test_a_soft_deleted_draft_is_not_found_unless_asked(db: Database) -> None:
    s = SqlDraftStore(db)
    await s.upsert(draft(A, 100, delete_at=150))
    with pytest.raises(NotFound):
        await s.get(U, A, "")
    assert (await s.get(U, A, "", include_deleted=True)).delete_at == 150
    assert await s.for_user(U, T) == []
    await s.upsert(draft(A, 200))  # upsert brings it back
    assert (await s.get(U, A, "")).delete_at == 0


async def test_for_user_by_team_with_direct_messages_newest_first(db: Database) -> None:
    s = SqlDraftStore(db)
    for ch, at in [(A, 100), (B, 400), (C, 300), (D, 200), (E, 500)]:
        await s.upsert(draft(ch, at, f"in {ch[0]}"))
    await s.upsert(draft(A, 250, "thread", root=ROOT))
    await s.upsert(draft(A, 999, "someone else's", user=V))
    mine = await s.for_user(U, T)
    # E: U left the channel; C: another team; V's draft is V's
    assert [(d.channel_id, d.root_id) for d in mine] == [(B, ""), (A, ROOT), (D, ""), (A, "")]
    assert [d.channel_id for d in await s.for_user(U, T2)] == [C, D]
    assert [d.channel_id for d in await s.for_user(U)] == [B, C, A, D, A]
    assert [d.message for d in await s.for_user(V, T)] == ["someone else's"]


async def test_deletes(db: Database) -> None:
    s = SqlDraftStore(db)
    await s.upsert(draft(A, 100))
    await s.upsert(draft(A, 100, root=ROOT))
    await s.upsert(draft(A, 100, root=ROOT, user=V))
    await s.upsert(draft(B, 100, root=ROOT))
    assert await s.delete(U, A, "") is True
    assert await s.delete(U, A, "") is False
    assert sorted(await s.delete_for_thread(A, ROOT)) == [U, V]
    assert await s.delete_for_thread(A, ROOT) == []
    assert [(d.channel_id, d.root_id) for d in await s.for_user(U, T)] == [(B, ROOT)]
    await s.upsert(draft(A, 100, user=V))
    await s.delete_for_users([U])
    assert await s.for_user(U) == [] and len(await s.for_user(V)) == 1


async def test_permanent_user_team_and_channel_deletion_take_drafts(db: Database) -> None:
    s = SqlDraftStore(db)
    await s.upsert(draft(A, 100))
    await s.upsert(draft(C, 100, user=V))
    await s.upsert(draft(D, 100, user=V))
    await SqlPurgeStore(db).purge_user(U)
    assert await s.for_user(U) == []
    await SqlPurgeStore(db).purge_team(T2)
    assert [d.channel_id for d in await s.for_user(V)] == [D]
    await SqlChannelStore(db).remove_permanently(D)
    assert await s.for_user(V) == [] and not await s.delete(V, D, "")

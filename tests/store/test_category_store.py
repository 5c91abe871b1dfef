"""The sidebar category store (``store/sql/category_store.py``) on SQLite and PostgreSQL: default
categories made once per team with deterministic ids, channels with no row filling Channels and
Direct Messages, custom categories and their placement, the order, updates with Favorites written to
the preference, favorites from preferences, and clearing on team leave / channel leave."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from chinwag.model.channel_category import SidebarCategory
from chinwag.model.user import Preference
from chinwag.server import migrate_database
from chinwag.store.errors import InvalidInput, NotFound
from chinwag.store.sql import tables
from chinwag.store.sql.category_store import SqlCategoryStore
from chinwag.store.sql.channel_store import SqlChannelStore
from chinwag.store.sql.engine import Database
from tests.conftest import TestDatabase

U, T, T2 = "u" * 26, "t" * 26, "s" * 26


@pytest.fixture
async def db(database: TestDatabase) -> AsyncIterator[Database]:
    d = Database(database.driver, database.datasource)
    await migrate_database(d)
    async with d.engine.begin() as conn:
        for t in (tables.sidebarchannels, tables.sidebarcategories, tables.preferences, tables.channelmembers,
                  tables.channels, tables.teammembers, tables.teams):
            await conn.execute(t.delete())
        for tid in (T, T2):
            await conn.execute(tables.teams.insert().values(id=tid, name=f"team{tid[0]}", displayname="T", type="O"))
            await conn.execute(tables.teammembers.insert().values(teamid=tid, userid=U))
        for cid, team, kind, name in [("a" * 26, T, "O", "alpha"), ("b" * 26, T, "P", "bravo"),
                                      ("c" * 26, T2, "O", "charlie"), ("d" * 26, "", "D", "dm"),
                                      ("e" * 26, T, "O", "echo")]:
            await conn.execute(tables.channels.insert().values(id=cid, teamid=team, type=kind, name=name,
                                                               displayname=name.title()))
            if cid != "e" * 26:
                await conn.execute(tables.channelmembers.insert().values(channelid=cid, userid=U))
    yield d
    await d.engine.dispose()
    await d.read_engine.dispose()


A, B, C, D, E = "a" * 26, "b" * 26, "c" * 26, "d" * 26, "e" * 26


async def test_defaults_once_with_deterministic_ids(db: Database) -> None:
    s = SqlCategoryStore(db)
    assert (await s.get_for_team(U, T)).categories == []
    first = await s.create_initial(U, T)
    again = await s.create_initial(U, T)
    assert first == again
    assert first.order == [f"favorites_{U}_{T}", f"channels_{U}_{T}", f"direct_messages_{U}_{T}"]
    fav, chans, dms = first.categories
    assert (fav.sort_order, chans.sort_order, dms.sort_order, dms.sorting) == (0, 10, 20, "recent")
    assert chans.channel_ids == [A, B] and dms.channel_ids == [D] and fav.channel_ids == []
    other = await s.create_initial(U, T2)
    assert other.categories[1].channel_ids == [C] and other.categories[2].channel_ids == [D]
    # not a member of the team: nothing is made
    assert (await s.create_initial("v" * 26, T)).categories == []
    async with db.read() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(tables.sidebarcategories))).scalar() == 6


async def test_custom_category_order_and_delete(db: Database) -> None:
    s = SqlCategoryStore(db)
    await s.create_initial(U, T)
    new = await s.create(U, T, SidebarCategory(display_name="Work", channel_ids=[B, B]), "w" * 26)
    assert (new.sort_order, new.type, new.channel_ids) == (10, "custom", [B])
    got = await s.get_for_team(U, T)
    assert got.order[1] == "w" * 26 and [c.sort_order for c in got.categories] == [0, 10, 20, 30]
    assert got.categories[2].channel_ids == [A]
    with pytest.raises(NotFound):
        await s.create(U, "x" * 26, SidebarCategory(display_name="No"), "n" * 26)
    order = list(reversed(got.order))
    await s.update_order(U, T, order)
    assert await s.get_order(U, T) == order
    with pytest.raises(InvalidInput):
        await s.update_order(U, T, order[:2])
    with pytest.raises(InvalidInput):
        await s.delete(f"channels_{U}_{T}")
    await s.delete("w" * 26)
    with pytest.raises(NotFound):
        await s.get("w" * 26)
    assert (await s.get(f"channels_{U}_{T}")).channel_ids == [A, B]


async def test_update_moves_channels_and_writes_favorites(db: Database) -> None:
    s = SqlCategoryStore(db)
    got = await s.create_initial(U, T)
    fav, chans, dms = got.categories
    fav.channel_ids = [B]
    updated, original, others = await s.update(U, T, [fav])
    assert updated[0].channel_ids == [B] and original[0].channel_ids == [] and others == []
    assert (await s.get(chans.id)).channel_ids == [A]
    async with db.read() as conn:
        prefs = (await conn.execute(sa.select(tables.preferences.c.name, tables.preferences.c.value))).all()
    assert [tuple(p) for p in prefs] == [(B, "true")]
    # placing B in a custom category takes it out of Favorites (reported as another changed category)
    work = await s.create(U, T, SidebarCategory(display_name="Work"), "w" * 26)
    work.channel_ids = [B]
    work.muted = True
    updated, _, others = await s.update(U, T, [work])
    assert updated[0].muted and [c.id for c in others] == [fav.id] and others[0].channel_ids == []
    async with db.read() as conn:
        assert (await conn.execute(sa.select(tables.preferences.c.name))).all() == []
    # Direct Messages keep their channels and cannot be muted
    dms.channel_ids, dms.muted = [], True
    updated, _, _ = await s.update(U, T, [dms])
    assert updated[0].channel_ids == [D] and not updated[0].muted
    with pytest.raises(NotFound):
        await s.update(U, T, [SidebarCategory(id="z" * 26)])


async def test_favorites_from_preferences(db: Database) -> None:
    s = SqlCategoryStore(db)
    await s.create_initial(U, T)
    await s.create_initial(U, T2)
    fav = f"favorites_{U}_{T}"
    assert await s.favorites_from_preferences([Preference(user_id=U, category="favorite_channel", name=A,
                                                          value="true")])
    assert await s.favorites_from_preferences([Preference(user_id=U, category="favorite_channel", name=D,
                                                          value="true")])
    assert (await s.get(fav)).channel_ids == [D, A]  # the newest favorite first
    assert (await s.get(f"favorites_{U}_{T2}")).channel_ids == [D]  # a DM in every team
    assert not await s.favorites_from_preferences([Preference(user_id=U, category="theme", name=A, value="x")])
    await s.favorites_from_preferences([Preference(user_id=U, category="favorite_channel", name=A, value="false")])
    await s.favorites_from_preferences([Preference(user_id=U, category="favorite_channel", name=D, value="true")],
                                       deleted=True)
    assert (await s.get(fav)).channel_ids == []
    assert (await s.get(f"channels_{U}_{T}")).channel_ids == [A, B]


async def test_leaving(db: Database) -> None:
    s = SqlCategoryStore(db)
    await s.create_initial(U, T)
    await s.create(U, T, SidebarCategory(display_name="Work", channel_ids=[A, B]), "w" * 26)
    await SqlChannelStore(db).remove_member(A, U)
    assert (await s.get("w" * 26)).channel_ids == [B]
    async with db.read() as conn:
        rows = (await conn.execute(sa.select(tables.sidebarchannels.c.channelid))).all()
    assert [r[0] for r in rows] == [B]
    await s.remove_channel(B)
    assert (await s.get(f"channels_{U}_{T}")).channel_ids == [B]
    await s.clear_team(U, T)
    assert await s.get_order(U, T) == []
    assert await s.member_channel_ids(U, T) == {B, D}

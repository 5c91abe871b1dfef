"""The feed around a member's read position (``SqlPostStore.around_read_position``, one statement) against
the step-by-step reads it replaced (first unread post after LastViewedAt, the posts before and after it,
the cursor neighbours, or the newest page when nothing is unread), on every database kind: read
positions before, between, on and after posts (with equal create times), limits of 0 and 1, collapsed
threads (roots only, with the follower's thread memberships), deleted posts, no membership, an empty
channel. The scroll's page beyond a cursor post (``around_post``, one statement) against the reads it
replaced (the cursor post, the page, the neighbours beyond it); the follows read with ``since`` and a
thread."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest

from chinwag.model.post import Post
from chinwag.server import migrate_database
from chinwag.store.errors import NotFound
from chinwag.store.sql import tables
from chinwag.store.sql.engine import Database
from chinwag.store.sql.post_store import SqlPostStore
from tests.conftest import TestDatabase

CH, EMPTY, U, V = "c" * 26, "e" * 26, "u" * 26, "v" * 26


def _id(n: int) -> str:
    return f"p{n:025d}"


#: (id, create_at, root id, deleted): ties at 300 and 500; replies; a deleted post
POSTS = [
    (_id(1), 100, "", False), (_id(2), 200, "", False), (_id(3), 300, "", False), (_id(4), 300, _id(2), False),
    (_id(5), 300, "", False), (_id(6), 400, "", True), (_id(7), 500, _id(3), False), (_id(8), 500, "", False),
    (_id(9), 600, "", False), (_id(10), 700, _id(9), False), (_id(11), 800, "", False),
]


@pytest.fixture
async def db(database: TestDatabase) -> AsyncIterator[Database]:
    d = Database(database.driver, database.datasource)
    await migrate_database(d)
    async with d.engine.begin() as conn:
        for t in (tables.threadmemberships, tables.threads, tables.posts, tables.channelmembers):
            await conn.execute(t.delete())
        for pid, at, root, deleted in POSTS:
            await conn.execute(tables.posts.insert().values(
                id=pid, createat=at, updateat=at, deleteat=at + 1 if deleted else 0, userid=V, channelid=CH,
                rootid=root, message=f"m{pid}", type="", props={}, hashtags="", fileids=[]))
        await conn.execute(tables.threads.insert().values(postid=_id(2), channelid=CH, replycount=1,
                                                          lastreplyat=300, participants=[V]))
        await conn.execute(tables.threadmemberships.insert().values(postid=_id(2), userid=U, following=True))
        await conn.execute(tables.threadmemberships.insert().values(postid=_id(9), userid=U, following=False))
        await conn.execute(tables.channelmembers.insert().values(channelid=EMPTY, userid=U, lastviewedat=0))
    yield d
    await d.engine.dispose()
    await d.read_engine.dispose()


async def _set_viewed(db: Database, at: int) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(tables.channelmembers.delete().where(tables.channelmembers.c.channelid == CH))
        await conn.execute(tables.channelmembers.insert().values(channelid=CH, userid=U, lastviewedat=at))


async def _with_neighbours(s: SqlPostStore, posts: list[Post], collapsed: bool) -> tuple[list[str], str, str]:
    """A page's ids with the ids of the posts just newer and just older than it, read one by one."""
    if not posts:
        return [], "", ""
    nxt = await s.neighbour_id(CH, posts[0].create_at, posts[0].id, True, collapsed)
    prev = await s.neighbour_id(CH, posts[-1].create_at, posts[-1].id, False, collapsed)
    return [p.id for p in posts], nxt, prev


async def _step_by_step(s: SqlPostStore, viewed: int, before: int, after: int,
                        collapsed: bool) -> tuple[list[str], str, str]:
    """What the endpoint computed before, read by read."""
    first = await s.id_after_time(CH, viewed, collapsed) if viewed else ""
    posts: list[Post]
    if first:
        anchor = await s.get(first)
        older = await s.before(CH, anchor.create_at, anchor.id, 0, before, collapsed)
        newer = await s.after(CH, anchor.create_at, anchor.id, 0, after - 1, collapsed)
        posts = [*newer, anchor, *older]
    else:
        posts = await s.page(CH, 0, before, collapsed)
    return await _with_neighbours(s, posts, collapsed)


@pytest.mark.parametrize("collapsed", [False, True])
async def test_one_statement_gives_what_the_reads_gave(db: Database, collapsed: bool) -> None:
    s = SqlPostStore(db)
    checked = 0
    for viewed in (0, 50, 100, 250, 300, 350, 400, 500, 799, 800, 900):
        await _set_viewed(db, viewed)
        for before in (0, 1, 2, 3, 60):
            for after in (1, 2, 3, 60):
                got = await s.around_read_position(CH, U, before, after, collapsed, U if collapsed else "")
                assert got is not None
                want = await _step_by_step(s, viewed, before, after, collapsed)
                assert ([p.id for p in got.posts], got.next_post_id, got.prev_post_id) == want, \
                    (viewed, before, after)
                assert got.last_viewed_at == viewed
                checked += 1
    assert checked == 11 * 5 * 4


async def test_thread_fields_and_follows(db: Database) -> None:
    s = SqlPostStore(db)
    await _set_viewed(db, 0)
    got = await s.around_read_position(CH, U, 60, 60, True, U)
    assert got is not None
    by_id = {p.id: p for p in got.posts}
    assert _id(6) not in by_id and _id(4) not in by_id  # deleted; a reply (collapsed)
    assert by_id[_id(2)].reply_count == 1 and by_id[_id(2)].participants == [{"id": V}]
    assert got.following == {_id(2): True, _id(9): False}
    plain = await s.around_read_position(CH, U, 60, 60, False)
    assert plain is not None and plain.following == {} and _id(4) in {p.id for p in plain.posts}


async def test_no_membership_or_no_posts_gives_none(db: Database) -> None:
    s = SqlPostStore(db)
    await _set_viewed(db, 300)
    assert await s.around_read_position(CH, V, 60, 60, False) is None  # V is not a member
    assert await s.around_read_position(EMPTY, U, 60, 60, False) is None  # a member of an empty channel


async def test_edit_versions_stay_out_of_the_feeds(db: Database) -> None:
    """``save_version`` keeps a post as it was (a deleted row with ``originalid``); ``edit_history`` reads
    them latest edit first; the feeds that include deleted posts (``since``, a thread with deleted posts)
    never show them."""
    store = SqlPostStore(db)
    original = await store.get(_id(3))
    first = msgspec.structs.replace(original, edit_at=0)
    second = msgspec.structs.replace(original, message="edited once", edit_at=900)
    async with db.engine.begin() as conn:
        await store.save_version(conn, first, "h" * 26, 900)
        await store.save_version(conn, second, "i" * 26, 950)
    versions = await store.edit_history(_id(3))
    assert [(v.id, v.message, v.original_id, v.delete_at) for v in versions] == [
        ("i" * 26, "edited once", _id(3), 950), ("h" * 26, f"m{_id(3)}", _id(3), 900)]
    assert await store.edit_history(_id(1)) == []
    assert {p.id for p in (await store.since(CH, 850, collapsed=False)).posts} == set()
    assert "h" * 26 not in {p.id for p in await store.thread(_id(3), include_deleted=True)}
    assert (await store.get("h" * 26, include_deleted=True)).original_id == _id(3)


async def _beyond_step_by_step(s: SqlPostStore, anchor_id: str, older: bool, page: int, per_page: int,
                               collapsed: bool) -> tuple[list[str], str, str]:
    """What ``posts?before``/``after`` read before ``around_post``: the cursor post, the page, the neighbours."""
    try:
        anchor = await s.get(anchor_id, include_deleted=True)
    except NotFound:
        return [], "", ""
    read = s.before if older else s.after
    return await _with_neighbours(s, await read(CH, anchor.create_at, anchor.id, page, per_page, collapsed),
                                  collapsed)


@pytest.mark.parametrize("collapsed", [False, True])
async def test_page_beyond_a_post_in_one_statement(db: Database, collapsed: bool) -> None:
    s = SqlPostStore(db)
    checked = 0
    for anchor in [pid for pid, *_ in POSTS] + ["z" * 26]:  # every post (a deleted one, replies) and none
        for older in (True, False):
            for page in (0, 1, 2):
                for per_page in (1, 2, 3, 60):
                    got = await s.around_post(CH, anchor, older, page, per_page, collapsed)
                    ids, nxt, prev = await _beyond_step_by_step(s, anchor, older, page, per_page, collapsed)
                    assert [p.id for p in got.posts] == ids, (anchor, older, page, per_page)
                    if ids:
                        # the neighbour on the cursor's side is only known past the first page (on the first,
                        # the endpoint answers with the cursor itself)
                        if older:
                            assert got.older_id == prev and got.newer_id == (nxt if page else ""), (anchor, page)
                        else:
                            assert got.newer_id == nxt and got.older_id == (prev if page else ""), (anchor, page)
                    assert got.following is None
                    checked += 1
    assert checked == 12 * 2 * 3 * 4


async def test_follows_come_with_the_feeds(db: Database) -> None:
    s = SqlPostStore(db)
    assert (await s.since(CH, 0, collapsed=True, follower_id=U)).following == {_id(2): True, _id(9): False}
    assert (await s.since(CH, 0, collapsed=True, follower_id=V)).following == {}
    feed = await s.around_post(CH, _id(11), True, 0, 60, True, U)
    assert feed.following == {_id(2): True, _id(9): False}
    thread = await s.thread_page(_id(2), U)
    assert [p.id for p in thread.posts] == [_id(4), _id(2)] and thread.following == {_id(2): True}
    assert (await s.thread_page(_id(9), V)).following == {}
    assert [p.id for p in (await s.thread_page(_id(9))).posts] == [_id(10), _id(9)]


async def test_thread_of_a_post_in_one_statement(db: Database) -> None:
    s = SqlPostStore(db)
    for asked in (_id(2), _id(4)):  # the root or a reply: the whole thread, newest first
        feed = await s.thread_of(asked, U)
        assert [p.id for p in feed.posts] == [_id(4), _id(2)] and feed.following == {_id(2): True}
    assert [p.id for p in (await s.thread_of(_id(10))).posts] == [_id(10), _id(9)]
    assert (await s.thread_of(_id(6))).posts == []  # deleted
    assert (await s.thread_of("z" * 26)).posts == []  # no such post

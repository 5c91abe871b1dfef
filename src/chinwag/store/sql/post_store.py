"""Posts: the rows a post write changes (in the caller's transaction), and the channel feeds."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.post import JOIN_LEAVE_POST_TYPES, Post
from chinwag.model.search_text import index_text
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import EMPTY, ZERO, greatest, upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.file_info_store import attach_to_post, delete_for_post, delete_ids, undelete_ids
from chinwag.store.sql.params import id_in
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import (
    channelmembers,
    channels,
    pendingmentions,
    posts,
    threadmemberships,
    threads,
)

_thread = threads.alias("t")
_thread_key = sa.case((posts.c.rootid == EMPTY, posts.c.id), else_=posts.c.rootid)
_POST_SELECT = sa.select(
    posts, _thread.c.replycount, _thread.c.lastreplyat, _thread.c.participants
).select_from(posts.outerjoin(_thread, _thread.c.postid == _thread_key))


POST = RowMap(
    Post, posts,
    skip=("message_source", "pending_post_id", "is_following", "metadata"),
    # the thread columns come from _POST_SELECT's join; a reply carries no thread summary
    read={
        "reply_count": "int({replycount} or 0)",
        "last_reply_at": "int({lastreplyat} or 0) if {rootid} == '' else 0",
        "participants": "[{'id': u} for u in ({participants} or ())] if {rootid} == '' else None",
    },
    # the search index follows the row: SQLite's FTS5 table by trigger, PostgreSQL's GIN index
    write={"searchtext": lambda p: index_text(p.message, p.hashtags)},
)


_INSERT_POST = posts.insert()

log = logging.getLogger("chinwag.store.posts")


def _raise_mentions(channel_id: str, user_ids: Sequence[str], root: bool, urgent: bool, driver: str,
                    viewed_before: int = 0) -> Any:
    """UPDATE channelmembers: +1 mention (root, urgent) for these members of the channel; with
    ``viewed_before``, only those who have not viewed the channel since the post was made."""
    q = channelmembers.update().where(channelmembers.c.channelid == channel_id,
                                      id_in(channelmembers.c.userid, sorted(user_ids), driver))
    if viewed_before:
        q = q.where(channelmembers.c.lastviewedat < viewed_before)
    return q.values(
        mentioncount=channelmembers.c.mentioncount + 1,
        mentioncountroot=channelmembers.c.mentioncountroot + (1 if root else 0),
        urgentmentioncount=channelmembers.c.urgentmentioncount + (1 if urgent else 0),
    )


def _channel_update(conn: Any, roots: bool) -> Any:
    """UPDATE channels by bound parameters: +n messages (+r roots), last post times raised."""
    return _channel_update_for(conn.dialect.name, roots)


def _greatest(dialect: str, *args: Any) -> Any:
    """:func:`greatest` by dialect name (for the statements built once per dialect)."""
    return sa.func.greatest(*args) if dialect in ("postgresql", "mysql") else sa.func.max(*args)


@functools.cache
def _channel_update_for(dialect: str, roots: bool) -> Any:
    values: dict[str, Any] = {
        "lastpostat": _greatest(dialect, channels.c.lastpostat, sa.bindparam("t")),
        "totalmsgcount": channels.c.totalmsgcount + sa.bindparam("n"),
    }
    if roots:
        values["totalmsgcountroot"] = channels.c.totalmsgcountroot + sa.bindparam("r")
        values["lastrootpostat"] = _greatest(dialect, channels.c.lastrootpostat, sa.bindparam("rt"))
    return channels.update().where(channels.c.id == sa.bindparam("cid")).values(**values)


@functools.cache
def _mark_viewed_for(dialect: str) -> Any:
    """Members read a channel up to ``t`` (bound parameters ``cid``, ``uid``, ``t``), built once per
    dialect: every post marks its poster's channel viewed."""
    ch = channels.alias("ch")

    def col(name: str) -> Any:
        return sa.select(ch.c[name]).where(ch.c.id == channelmembers.c.channelid).scalar_subquery()

    return (
        channelmembers.update()
        .where(channelmembers.c.channelid == sa.bindparam("cid"),
               channelmembers.c.userid == sa.bindparam("uid"))
        .values(
            mentioncount=0, mentioncountroot=0, urgentmentioncount=0,
            msgcount=col("totalmsgcount"), msgcountroot=col("totalmsgcountroot"),
            lastviewedat=_greatest(dialect, channelmembers.c.lastviewedat, sa.bindparam("t")),
            lastupdateat=sa.bindparam("t"),
        )
    )


@dataclass
class AroundReadPosition:
    """A page of the feed around a member's read position (``SqlPostStore.around_read_position``)."""

    last_viewed_at: int
    #: newest first
    posts: list[Post]
    #: the post just newer than the page, and just older ("" at the feed's ends)
    next_post_id: str
    prev_post_id: str
    #: root post id → whether the follower follows its thread (only those with a membership row)
    following: dict[str, bool]


@dataclass
class FeedPage:
    """A page of a channel's feed (or a thread) read in one statement."""

    #: newest first
    posts: list[Post]
    #: the post just newer than the page, and just older ("" when unknown or at the feed's end)
    newer_id: str = ""
    older_id: str = ""
    #: root post id → whether the follower follows its thread (only those with a membership row)
    following: dict[str, bool] | None = None


_tm = threadmemberships.alias("tm")
_anchor = posts.alias("anchor")


@functools.cache
def _feed_statement(kind: str, collapsed: bool, follower: bool) -> sa.Select[Any]:
    """The feeds a channel switch, a scroll and a thread read, built once per shape with bound
    parameters: building them per call (the thread join, the row comparisons, the follows' join) and
    their cache keys cost more CPU than the queries.

    ``page``: the posts of channel ``cid`` not deleted, newest first, ``lim`` rows from ``off`` on.
    ``since``: posts of channel ``cid`` changed after ``since`` (deleted ones too, not an edit's earlier
    versions), newest first, ``lim`` rows. ``before``/``after``: the posts older/newer than post ``anchor``
    (compared with its create_at read in the statement: no such post, no rows), not deleted, ``lim`` rows
    from ``off`` on, newest first for ``before``, oldest first for ``after``. ``thread``: root ``root`` and
    its replies, not deleted, newest first; ``thread_of``: the same for the thread of post ``post``. With ``follower``, whether user ``follower`` follows each
    post's thread (``chinwag_following``, NULL without a membership row)."""
    q = _POST_SELECT
    key = sa.tuple_(posts.c.createat, posts.c.id)
    newest_first = (posts.c.createat.desc(), posts.c.id.desc())
    if kind in ("thread", "thread_of"):
        if kind == "thread":
            root: Any = sa.bindparam("root", type_=posts.c.id.type)
        else:  # the thread of post ``post`` (its root, or itself when it is one)
            root = (sa.select(sa.case((_anchor.c.rootid == EMPTY, _anchor.c.id), else_=_anchor.c.rootid))
                    .where(_anchor.c.id == sa.bindparam("post", type_=posts.c.id.type)).scalar_subquery())
        q = q.where(sa.or_(posts.c.id == root, posts.c.rootid == root), posts.c.deleteat == ZERO)
        q = q.order_by(*newest_first)
    else:
        q = q.where(posts.c.channelid == sa.bindparam("cid"))
        if kind == "since":
            q = q.where(posts.c.originalid == "", posts.c.updateat > sa.bindparam("since"))
        else:
            q = q.where(posts.c.deleteat == ZERO)
        if collapsed:
            q = q.where(posts.c.rootid == EMPTY)
        if kind == "page":  # a page of the feed: rows from ``off`` on, newest first
            q = q.order_by(*newest_first).offset(sa.bindparam("off", type_=sa.BigInteger))  # a far page: past int32
        elif kind in ("before", "after"):
            anchor_id = sa.bindparam("anchor", type_=posts.c.id.type)
            anchor = sa.tuple_(
                sa.select(_anchor.c.createat).where(_anchor.c.id == anchor_id).scalar_subquery(), anchor_id)
            if kind == "before":
                q = q.where(key < anchor).order_by(*newest_first)
            else:
                q = q.where(key > anchor).order_by(posts.c.createat.asc(), posts.c.id.asc())
            q = q.offset(sa.bindparam("off", type_=sa.BigInteger))
        else:
            q = q.order_by(*newest_first)
        q = q.limit(sa.bindparam("lim", type_=sa.Integer))
    if follower:
        q = q.add_columns(_tm.c.following.label("chinwag_following")).outerjoin(
            _tm, sa.and_(_tm.c.postid == posts.c.id, _tm.c.userid == sa.bindparam("follower")))
    return q


def _following(found: list[Post], rows: Sequence[Any]) -> dict[str, bool]:
    return {p.id: bool(r.chinwag_following) for p, r in zip(found, rows, strict=True)
            if r.chinwag_following is not None and not p.root_id}


@functools.cache
def _around_read_position(collapsed: bool, follower: bool) -> sa.Select[Any]:
    """``SqlPostStore.around_read_position``'s statement, built once per shape with bound parameters
    (``cid``, ``uid``, ``after`` and ``before`` rows on each side, ``follower``)."""
    lvt = (
        sa.select(channelmembers.c.lastviewedat)
        .where(channelmembers.c.channelid == sa.bindparam("cid"), channelmembers.c.userid == sa.bindparam("uid"))
        .scalar_subquery()
    )
    base = sa.select(posts.c.id).where(posts.c.channelid == sa.bindparam("cid"), posts.c.deleteat == ZERO)
    if collapsed:
        base = base.where(posts.c.rootid == EMPTY)
    # the unread side: the first unread post, limit_after - 1 after it, and the next one beyond
    newer = (base.where(lvt > 0, posts.c.createat > lvt)
             .order_by(posts.c.createat.asc(), posts.c.id.asc())
             .limit(sa.bindparam("after", type_=sa.Integer)))
    # the read side (everything when nothing was viewed), and the previous one beyond
    # (one bound for the index: "nothing viewed or created at or before it" was a filter, and the
    # statement read every unread post of the channel on its way back to the read ones)
    read_until = sa.case((lvt == 0, sa.literal(2**63 - 1, sa.BigInteger)), else_=lvt)
    older = (base.where(posts.c.createat <= read_until)
             .order_by(posts.c.createat.desc(), posts.c.id.desc())
             .limit(sa.bindparam("before", type_=sa.Integer)))
    # each limited select in a derived table: SQLite takes no ORDER BY/LIMIT in a compound's
    # members, MySQL none in an IN subquery
    ids = sa.union_all(sa.select(newer.subquery().c.id), sa.select(older.subquery().c.id)).subquery()
    q = _POST_SELECT.add_columns(lvt.label("chinwag_lvt"))
    if follower:
        q = q.add_columns(_tm.c.following.label("chinwag_following")).outerjoin(
            _tm, sa.and_(_tm.c.postid == posts.c.id, _tm.c.userid == sa.bindparam("follower")))
    return q.where(posts.c.id.in_(sa.select(ids.c.id)))


@dataclass
class ChannelCounts:
    """What a batch of posts adds to one channel's counters."""

    messages: int = 0
    roots: int = 0
    last_post_at: int = 0
    last_root_post_at: int = 0


class SqlPostStore:
    """Posts. The write methods take the caller's transaction (``conn``) and decide nothing: the
    app's post writer (``app/post_write.py``) says which rows change and how."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # writing (in the caller's transaction) ---------------------------------------------------

    async def attach_files(self, conn: AsyncConnection, post: Post, file_ids: Sequence[str]) -> list[str]:
        """Attach these uploads to the post; the ids actually attached."""
        return await attach_to_post(conn, post.id, post.channel_id, post.user_id, file_ids, post.create_at)

    async def insert(self, conn: AsyncConnection, new: Sequence[Post]) -> None:
        await conn.execute(_INSERT_POST, [POST.values(p) for p in new])

    async def add_to_channels(self, conn: AsyncConnection, counts: dict[str, ChannelCounts]) -> None:
        """Raise channels' message counters and last post times (one statement for those with new
        roots, one for those with only replies)."""
        with_roots = [{"cid": cid, "n": c.messages, "t": c.last_post_at, "r": c.roots, "rt": c.last_root_post_at}
                      for cid, c in sorted(counts.items()) if c.last_root_post_at]
        only_replies = [{"cid": cid, "n": c.messages, "t": c.last_post_at}
                        for cid, c in sorted(counts.items()) if not c.last_root_post_at]
        if with_roots:
            await conn.execute(_channel_update(conn, True), with_roots)
        if only_replies:
            await conn.execute(_channel_update(conn, False), only_replies)

    async def raise_mentions(self, conn: AsyncConnection, channel_id: str, user_ids: Sequence[str], root: bool,
                             urgent: bool) -> None:
        await conn.execute(_raise_mentions(channel_id, user_ids, root, urgent, self.db.driver))

    async def defer_mentions(self, conn: AsyncConnection, post: Post, user_ids: Sequence[str], urgent: bool) -> None:
        """One ``pendingmentions`` row instead of the members' counts (``apply_pending_mentions``)."""
        await conn.execute(pendingmentions.insert().values(
            postid=post.id, channelid=post.channel_id, createat=post.create_at,
            userids=json.dumps(sorted(user_ids)), isroot=0 if post.root_id else 1, urgent=1 if urgent else 0))

    async def apply_pending_mentions(self, conn: AsyncConnection, limit: int) -> int:
        """Raise the mention counts of up to ``limit`` pending posts (only for members who have not
        viewed the channel since) and delete their rows; another node doing the same skips the rows
        this one holds."""
        q = sa.select(pendingmentions).order_by(pendingmentions.c.createat).limit(limit)
        if self.db.driver != "sqlite":
            q = q.with_for_update(skip_locked=True)
        rows = (await conn.execute(q)).all()
        for r in rows:
            await conn.execute(_raise_mentions(r.channelid, json.loads(r.userids or "[]"), bool(r.isroot),
                                               bool(r.urgent), self.db.driver, viewed_before=r.createat))
        if rows:
            await conn.execute(pendingmentions.delete().where(
                pendingmentions.c.postid.in_([r.postid for r in rows])))
        return len(rows)

    async def mark_viewed(self, conn: AsyncConnection, viewed: dict[tuple[str, str], int]) -> None:
        """(channel, user) → time: the members have read the channel up to then (mentions cleared,
        message counts caught up with the channel's)."""
        if not viewed:
            return
        stmt = _mark_viewed_for(conn.dialect.name)
        await conn.execute(stmt, [{"cid": c, "uid": u, "t": t} for (c, u), t in sorted(viewed.items())])

    async def add_reply(self, conn: AsyncConnection, post: Post, thread_team_id: str) -> None:
        """A reply: its root's update time, and the thread's reply count, last reply and participants."""
        t = post.create_at
        await conn.execute(
            posts.update()
            .where(posts.c.id == post.root_id)
            .values(updateat=greatest(conn, posts.c.updateat, t))
        )
        q = sa.select(threads.c.participants).where(threads.c.postid == post.root_id)
        if conn.dialect.name != "sqlite":
            q = q.with_for_update()
        row = (await conn.execute(q)).first()
        if row is None:
            await conn.execute(
                upsert(conn, threads, ["postid"], ["replycount", "lastreplyat", "participants"]).values(
                    postid=post.root_id,
                    channelid=post.channel_id,
                    replycount=1,
                    lastreplyat=t,
                    participants=[post.user_id],
                    threadteamid=thread_team_id,
                )
            )
        else:
            participants = [u for u in (row.participants or []) if u != post.user_id] + [post.user_id]
            await conn.execute(
                threads.update()
                .where(threads.c.postid == post.root_id)
                .values(
                    replycount=threads.c.replycount + 1,
                    lastreplyat=greatest(conn, threads.c.lastreplyat, t),
                    participants=participants,
                )
            )

    async def follow_thread(self, conn: AsyncConnection, root_id: str, t: int, viewer: str,
                            mentioned: Sequence[str], others: Sequence[str]) -> None:
        """These users follow the thread as of ``t``: ``viewer`` (the poster, if given) has read it,
        each of ``mentioned`` gets one more unread mention, ``others`` just follow. One upsert."""
        rows = [{"postid": root_id, "userid": viewer, "following": True, "lastviewed": t, "lastupdated": t,
                 "unreadmentions": 0}] if viewer else []
        rows += [{"postid": root_id, "userid": u, "following": True, "lastviewed": 0, "lastupdated": t,
                  "unreadmentions": 1} for u in mentioned]
        rows += [{"postid": root_id, "userid": u, "following": True, "lastviewed": 0, "lastupdated": t,
                  "unreadmentions": 0} for u in others]
        if not rows:
            return
        tm = threadmemberships.c
        stmt: Any
        # one multi-row VALUES statement (MySQL's driver cannot run this upsert as executemany)
        if conn.dialect.name == "mysql":
            my = mysql_insert(threadmemberships).values(rows)
            ex = my.inserted
        else:
            ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(threadmemberships).values(rows)
            ex = ins.excluded
        # the poster has read it up to now (its mentions too); the others keep their read time. (On
        # MySQL the assignments run in order and see earlier ones: unreadmentions reads only the new
        # row's values and its own old value, so the order below is safe.)
        changes = {
            "following": True,
            "lastupdated": ex.lastupdated,
            "unreadmentions": sa.case((ex.lastviewed > 0, 0), else_=tm.unreadmentions + ex.unreadmentions),
            "lastviewed": sa.case((ex.lastviewed > 0, greatest(conn, tm.lastviewed, ex.lastviewed)),
                                  else_=tm.lastviewed),
        }
        if conn.dialect.name == "mysql":
            stmt = my.on_duplicate_key_update(changes)
        else:
            stmt = ins.on_conflict_do_update(index_elements=[tm.postid, tm.userid], set_=changes)
        await conn.execute(stmt)

    async def save_version(self, conn: AsyncConnection, old: Post, version_id: str, now: int) -> None:
        """Keep a post as it was before an edit (Mattermost's PostStore.Update): a row of its own with
        ``originalid`` = the post's id, deleted at the edit's time, so no feed or search shows it."""
        version = msgspec.structs.replace(old, id=version_id, original_id=old.id, delete_at=now, update_at=now,
                                          props=dict(old.props), file_ids=list(old.file_ids))
        await conn.execute(_INSERT_POST, [POST.values(version)])

    async def edit_history(self, post_id: str) -> list[Post]:
        """The earlier versions of a post, the most recently edited first (Mattermost's
        GetEditHistoryForPost)."""
        q = _POST_SELECT.where(posts.c.originalid == post_id).order_by(
            posts.c.editat.desc(), posts.c.deleteat.desc(), posts.c.id)
        return await self._all(q)

    async def update(self, conn: AsyncConnection, post: Post, attach_file_ids: Sequence[str] = (),
                     remove_file_ids: Sequence[str] = (), restore_file_ids: Sequence[str] = ()) -> Post:
        if restore_file_ids:  # files a restored version had, removed by a later edit: live again
            await undelete_ids(conn, post.id, restore_file_ids, post.update_at)
        if attach_file_ids or remove_file_ids:
            attached = await attach_to_post(
                conn, post.id, post.channel_id, post.user_id, attach_file_ids, post.update_at
            )
            await delete_ids(conn, post.id, remove_file_ids, post.update_at)
            refused = set(attach_file_ids) - set(attached)
            post.file_ids = [i for i in post.file_ids if i not in refused]
        res = await conn.execute(
            posts.update()
            .where(posts.c.id == post.id)
            .values(
                message=post.message,
                props=post.props,
                editat=post.edit_at,
                updateat=post.update_at,
                ispinned=post.is_pinned,
                fileids=post.file_ids,
                hasreactions=post.has_reactions,
                hashtags=post.hashtags,
                searchtext=index_text(post.message, post.hashtags),
            )
        )
        if res.rowcount == 0:
            raise NotFound("post", post.id)
        return post

    async def delete(self, conn: AsyncConnection, post: Post, now: int, deleted_by: str) -> None:
        """Soft-delete a post (and a root's replies); a reply leaves its thread's counters."""
        props = dict(post.props)
        props["deleteBy"] = deleted_by
        await conn.execute(
            posts.update().where(posts.c.id == post.id).values(deleteat=now, updateat=now, props=props)
        )
        await delete_for_post(conn, post.id, now, with_replies=post.root_id == "")
        if post.root_id == "":
            await conn.execute(
                posts.update()
                .where(posts.c.rootid == post.id, posts.c.deleteat == ZERO)
                .values(deleteat=now, updateat=now)
            )
            await conn.execute(
                threads.update().where(threads.c.postid == post.id).values(threaddeleteat=now)
            )
        else:
            last = (
                sa.select(sa.func.coalesce(sa.func.max(posts.c.createat), 0))
                .where(posts.c.rootid == post.root_id, posts.c.deleteat == ZERO)
                .scalar_subquery()
            )
            await conn.execute(
                threads.update()
                .where(threads.c.postid == post.root_id)
                .values(
                    replycount=sa.case((threads.c.replycount > 0, threads.c.replycount - 1), else_=0),
                    lastreplyat=last,
                )
            )
            await conn.execute(posts.update().where(posts.c.id == post.root_id).values(updateat=now))

    # reading -------------------------------------------------------------------------------

    async def get(self, post_id: str, include_deleted: bool = False) -> Post:
        q = _POST_SELECT.where(posts.c.id == post_id)
        if not include_deleted:
            q = q.where(posts.c.deleteat == ZERO)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("post", post_id)
        return POST.one(row)

    async def get_many(self, post_ids: Sequence[str], include_deleted: bool = False) -> list[Post]:
        if not post_ids:
            return []
        q = _POST_SELECT.where(posts.c.id.in_(list(post_ids)))
        if not include_deleted:
            q = q.where(posts.c.deleteat == ZERO)
        async with self.db.read() as conn:
            return POST.all((await conn.execute(q)).all())

    # feeds ---------------------------------------------------------------------------------

    def _feed(self, channel_id: str, collapsed: bool, include_deleted: bool = False) -> sa.Select[Any]:
        q = _POST_SELECT.where(posts.c.channelid == channel_id)
        if not include_deleted:
            q = q.where(posts.c.deleteat == ZERO)
        else:  # an edit's earlier versions are never a deleted post of the feed
            q = q.where(posts.c.originalid == "")
        if collapsed:
            q = q.where(posts.c.rootid == EMPTY)
        return q

    async def _all(self, q: sa.Select[Any]) -> list[Post]:
        async with self.db.read() as conn:
            return POST.all((await conn.execute(q)).all())

    async def page(
        self, channel_id: str, page: int, per_page: int, collapsed: bool, include_deleted: bool = False
    ) -> list[Post]:
        q = (
            self._feed(channel_id, collapsed, include_deleted)
            .order_by(posts.c.createat.desc(), posts.c.id.desc())
            .limit(per_page)
            .offset(page * per_page)
        )
        return await self._all(q)

    async def page_window(
        self, channel_id: str, page: int, per_page: int, collapsed: bool, follower_id: str = ""
    ) -> tuple[FeedPage, str, str]:
        """A page of the feed and its neighbours in one query: (posts — with ``follower_id``, that user's
        thread follows —, id of the post just newer than the page or "", id of the post just older or "")."""
        offset = page * per_page
        lead = 1 if offset > 0 else 0
        params = {"cid": channel_id, "lim": per_page + lead + 1, "off": offset - lead, "follower": follower_id}
        feed = await self._feed_page(_feed_statement("page", collapsed, bool(follower_id)), params,
                                     bool(follower_id))
        rows = feed.posts
        newer = rows[0].id if lead and rows else ""
        rows = rows[lead:]
        older = rows[per_page].id if len(rows) > per_page else ""
        feed.posts = rows[:per_page]
        return feed, newer, older

    async def since(self, channel_id: str, since: int, collapsed: bool, limit: int = 1000,
                    follower_id: str = "") -> FeedPage:
        """Posts changed after ``since`` (deleted ones too), newest first, up to ``limit + 1`` (the extra
        one tells the caller there are more); with ``follower_id``, that user's thread follows."""
        params = {"cid": channel_id, "since": since, "lim": limit + 1, "follower": follower_id}
        return await self._feed_page(_feed_statement("since", collapsed, bool(follower_id)), params,
                                     bool(follower_id))

    async def _feed_page(self, q: sa.Select[Any], params: dict[str, Any], follower: bool) -> FeedPage:
        async with self.db.read() as conn:
            rows = (await conn.execute(q, params)).all()
        found = POST.all(rows)
        return FeedPage(found, following=_following(found, rows) if follower else None)

    async def around_post(
        self, channel_id: str, anchor_id: str, older: bool, page: int, per_page: int, collapsed: bool,
        follower_id: str = "",
    ) -> FeedPage:
        """Page ``page`` of the posts older (``older``) or newer than post ``anchor_id`` — none when there
        is no such post — newest first, with the ids of the posts just beyond both ends of the page (the
        newer one only past the first page for ``older``, the older one only past it otherwise), and with
        ``follower_id`` that user's thread follows: one statement."""
        offset = page * per_page
        lead = 1 if offset > 0 else 0
        params = {"cid": channel_id, "anchor": anchor_id, "lim": per_page + lead + 1, "off": offset - lead,
                  "follower": follower_id}
        q = _feed_statement("before" if older else "after", collapsed, bool(follower_id))
        feed = await self._feed_page(q, params, bool(follower_id))
        # away from the anchor: the one before the page (past the first page), the page, the one beyond
        rows = feed.posts
        before_page = rows[0].id if lead and rows else ""
        rows = rows[lead:]
        beyond = rows[per_page].id if len(rows) > per_page else ""
        rows = rows[:per_page]
        if older:
            return FeedPage(rows, newer_id=before_page, older_id=beyond, following=feed.following)
        rows.reverse()
        return FeedPage(rows, newer_id=beyond, older_id=before_page, following=feed.following)

    async def before(
        self, channel_id: str, create_at: int, post_id: str, page: int, per_page: int, collapsed: bool
    ) -> list[Post]:
        q = (
            self._feed(channel_id, collapsed)
            .where(
                sa.tuple_(posts.c.createat, posts.c.id) < sa.tuple_(create_at, post_id)
            )
            .order_by(posts.c.createat.desc(), posts.c.id.desc())
            .limit(per_page)
            .offset(page * per_page)
        )
        return await self._all(q)

    async def after(
        self, channel_id: str, create_at: int, post_id: str, page: int, per_page: int, collapsed: bool
    ) -> list[Post]:
        q = (
            self._feed(channel_id, collapsed)
            .where(
                sa.tuple_(posts.c.createat, posts.c.id) > sa.tuple_(create_at, post_id)
            )
            .order_by(posts.c.createat.asc(), posts.c.id.asc())
            .limit(per_page)
            .offset(page * per_page)
        )
        result = await self._all(q)
        result.reverse()
        return result

    async def neighbour_id(
        self, channel_id: str, create_at: int, post_id: str, newer: bool, collapsed: bool
    ) -> str:
        """Id of the post just newer (or older) than (create_at, post_id), or ''."""
        q = sa.select(posts.c.id).where(posts.c.channelid == channel_id, posts.c.deleteat == ZERO)
        if collapsed:
            q = q.where(posts.c.rootid == EMPTY)
        if newer:
            q = q.where(
                sa.tuple_(posts.c.createat, posts.c.id) > sa.tuple_(create_at, post_id)
            )
            q = q.order_by(posts.c.createat.asc(), posts.c.id.asc())
        else:
            q = q.where(
                sa.tuple_(posts.c.createat, posts.c.id) < sa.tuple_(create_at, post_id)
            )
            q = q.order_by(posts.c.createat.desc(), posts.c.id.desc())
        async with self.db.read() as conn:
            row = (await conn.execute(q.limit(1))).first()
        return row[0] if row else ""

    async def id_after_time(self, channel_id: str, time: int, collapsed: bool) -> str:
        """The oldest post created after ``time`` (Mattermost's GetPostIdAfterTime), or ''."""
        q = sa.select(posts.c.id).where(
            posts.c.channelid == channel_id, posts.c.deleteat == ZERO, posts.c.createat > time
        )
        if collapsed:
            q = q.where(posts.c.rootid == EMPTY)
        q = q.order_by(posts.c.createat.asc(), posts.c.id.asc()).limit(1)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        return row[0] if row else ""

    async def around_read_position(
        self, channel_id: str, user_id: str, limit_before: int, limit_after: int, collapsed: bool,
        follower_id: str = "",
    ) -> AroundReadPosition | None:
        """The feed around ``user_id``'s read position in the channel (their membership's
        LastViewedAt), in one statement: up to ``limit_after`` posts created after it (the first
        unread post and the newer ones) and ``limit_before`` at or before it, with the ids of the
        posts just beyond both ends. With nothing viewed yet (LastViewedAt 0) every post counts as
        read. With ``follower_id``, whether that user follows each root post's thread.

        ``None`` when the statement found no post and no membership could be told from it: the caller
        looks the membership up (a missing one is a 404; an empty channel is an empty answer)."""
        params = {"cid": channel_id, "uid": user_id, "after": limit_after + 1, "before": limit_before + 1,
                  "follower": follower_id}
        async with self.db.read() as conn:
            rows = (await conn.execute(_around_read_position(collapsed, bool(follower_id)), params)).all()
        if not rows:
            return None
        found = POST.all(rows)
        last_viewed_at = int(rows[0].chinwag_lvt or 0)
        following = ({p.id: bool(r.chinwag_following) for p, r in zip(found, rows, strict=True)
                      if r.chinwag_following is not None and not p.root_id} if follower_id else {})
        found.sort(key=lambda p: (p.create_at, p.id), reverse=True)
        if last_viewed_at:
            cut = next((i for i, p in enumerate(found) if p.create_at <= last_viewed_at), len(found))
        else:
            cut = 0
        unread, read = found[:cut], found[cut:]  # both newest first
        page = unread[max(len(unread) - limit_after, 0):] + read[:limit_before]
        if not page:
            return AroundReadPosition(last_viewed_at, [], "", "", {})
        next_id = unread[0].id if len(unread) > limit_after else ""
        prev_id = read[limit_before].id if len(read) > limit_before else ""
        return AroundReadPosition(last_viewed_at, page, next_id, prev_id, following)

    async def count_after(self, channel_id: str, time: int) -> tuple[int, int]:
        """Posts (and root posts) created after ``time`` that count as messages: not deleted,
        not join/leave messages (what Channels.TotalMsgCount counts)."""
        q = sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((posts.c.rootid == EMPTY, 1), else_=0)), 0)
        ).where(
            posts.c.channelid == channel_id,
            posts.c.createat > time,
            posts.c.deleteat == ZERO,
            posts.c.type.not_in(sorted(JOIN_LEAVE_POST_TYPES)),
        )
        async with self.db.read() as conn:
            row = (await conn.execute(q)).one()
        return int(row[0]), int(row[1])

    async def threads_of(self, channel_id: str, root_ids: Sequence[str]) -> list[Post]:
        """Roots and all replies of the given threads (Mattermost's getParentsPosts)."""
        if not root_ids:
            return []
        ids = list(root_ids)
        q = _POST_SELECT.where(posts.c.channelid == channel_id, posts.c.deleteat == ZERO).where(
            sa.or_(posts.c.id.in_(ids), posts.c.rootid.in_(ids))
        )
        return await self._all(q)

    async def thread(self, root_id: str, include_deleted: bool = False) -> list[Post]:
        if not include_deleted:
            return (await self.thread_page(root_id)).posts
        q = _POST_SELECT.where(sa.or_(posts.c.id == root_id, posts.c.rootid == root_id),
                               posts.c.originalid == "")
        return await self._all(q.order_by(posts.c.createat.desc(), posts.c.id.desc()))

    async def thread_page(self, root_id: str, follower_id: str = "") -> FeedPage:
        """The root and its replies (not deleted), newest first; with ``follower_id``, whether that user
        follows the thread."""
        return await self._feed_page(_feed_statement("thread", False, bool(follower_id)),
                                     {"root": root_id, "follower": follower_id}, bool(follower_id))

    async def thread_of(self, post_id: str, follower_id: str = "") -> FeedPage:
        """The thread post ``post_id`` is in (its root and replies, not deleted), newest first, read in one
        statement; with ``follower_id``, whether that user follows it. The post itself is among them
        unless it is deleted or missing."""
        return await self._feed_page(_feed_statement("thread_of", False, bool(follower_id)),
                                     {"post": post_id, "follower": follower_id}, bool(follower_id))

    async def pinned(self, channel_id: str) -> list[Post]:
        q = _POST_SELECT.where(
            posts.c.channelid == channel_id, posts.c.ispinned == sa.true(), posts.c.deleteat == ZERO
        ).order_by(posts.c.createat.desc())
        return await self._all(q)

    async def count_for_channel(self, channel_id: str) -> int:
        q = sa.select(sa.func.count()).select_from(posts).where(posts.c.channelid == channel_id)
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())

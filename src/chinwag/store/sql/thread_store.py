"""Collapsed Reply Threads: threads and per-user thread memberships."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.errors import NotFound
from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import channelmembers, channels, posts, threadmemberships, threads


class ThreadRow(msgspec.Struct):
    """A thread as one user follows it (``threads`` joined with their ``threadmemberships`` row)."""

    post_id: str
    channel_id: str
    reply_count: int
    last_reply_at: int
    participants: list[str]
    delete_at: int
    last_viewed: int
    unread_mentions: int
    unread_replies: int
    following: bool


@dataclass
class ThreadTotals:
    total: int
    total_unread_threads: int
    total_unread_mentions: int


def _unread_replies() -> Any:
    return (
        sa.select(sa.func.count())
        .select_from(posts)
        .where(
            posts.c.rootid == threadmemberships.c.postid,
            posts.c.deleteat == 0,
            posts.c.createat > threadmemberships.c.lastviewed,
        )
        .scalar_subquery()
    )


def _in_channel() -> Any:
    """The thread's follower is still a member of its channel (threads of channels left are hidden)."""
    return (
        sa.select(channelmembers.c.userid)
        .where(
            channelmembers.c.channelid == threads.c.channelid,
            channelmembers.c.userid == threadmemberships.c.userid,
        )
        .exists()
    )


def _team_cond(team_id: Any) -> Any:
    return sa.or_(threads.c.threadteamid == team_id, threads.c.threadteamid == "")


_SELECT = sa.select(
    threads.c.postid,
    threads.c.channelid,
    threads.c.replycount,
    threads.c.lastreplyat,
    threads.c.participants,
    threads.c.threaddeleteat,
    threadmemberships.c.lastviewed,
    threadmemberships.c.unreadmentions,
    threadmemberships.c.following,
    _unread_replies().label("unreadreplies"),
).select_from(threadmemberships.join(threads, threads.c.postid == threadmemberships.c.postid))


#: GET /users/{id}/teams/unread with collapsed threads (start-up, every unread check), built once
_UNREAD_BY_TEAM = (
    sa.select(
        channels.c.teamid,
        sa.func.sum(sa.case((threads.c.lastreplyat > threadmemberships.c.lastviewed, 1), else_=0)),
        sa.func.sum(threadmemberships.c.unreadmentions),
    )
    .select_from(
        threadmemberships.join(threads, threads.c.postid == threadmemberships.c.postid).join(
            channels, channels.c.id == threads.c.channelid
        )
    )
    .where(
        threadmemberships.c.userid == sa.bindparam("uid"),
        threadmemberships.c.following == sa.true(),
        threads.c.threaddeleteat == 0,
        _in_channel(),
    )
    .group_by(channels.c.teamid)
)

#: the membership columns come from _SELECT's join with threadmemberships
THREAD_ROW = RowMap(ThreadRow, threads, columns={"delete_at": "threaddeleteat"}, read={
    "last_viewed": "{lastviewed}", "unread_mentions": "{unreadmentions}", "unread_replies": "int({unreadreplies})",
    "following": "bool({following})"})


def _followed(include_deleted: bool) -> Any:
    """The threads a user follows in a team (bound parameters ``uid``, ``tid``), as the Threads view lists
    and counts them."""
    cond = sa.and_(
        threadmemberships.c.userid == sa.bindparam("uid"),
        threadmemberships.c.following == sa.true(),
        _team_cond(sa.bindparam("tid")),
        _in_channel(),
    )
    return cond if include_deleted else sa.and_(cond, threads.c.threaddeleteat == 0)


@functools.cache
def _list_statement(include_deleted: bool, since: bool, unread_only: bool, cursor: str) -> sa.Select[Any]:
    """The Threads view's page (GET /users/{id}/teams/{id}/threads), built once per shape with bound
    parameters (``uid``, ``tid``, ``lim``, ``since``, ``cursor``): building it per call (two subqueries,
    an EXISTS, the cursor's comparisons) and its cache key cost more CPU than the query."""
    q = _SELECT.where(_followed(include_deleted))
    if since:
        q = q.where(threads.c.lastreplyat >= sa.bindparam("since"))
    if unread_only:
        q = q.where(
            sa.or_(
                threads.c.lastreplyat > threadmemberships.c.lastviewed,
                threadmemberships.c.unreadmentions > 0,
            )
        )
    if cursor:
        cur = sa.select(threads.c.lastreplyat).where(threads.c.postid == sa.bindparam("cursor")).scalar_subquery()
        if cursor == "before":
            q = q.where(sa.or_(threads.c.lastreplyat < cur,
                               sa.and_(threads.c.lastreplyat == cur, threads.c.postid < sa.bindparam("cursor"))))
        else:
            q = q.where(sa.or_(threads.c.lastreplyat > cur,
                               sa.and_(threads.c.lastreplyat == cur, threads.c.postid > sa.bindparam("cursor"))))
    if cursor == "after":
        q = q.order_by(threads.c.lastreplyat.asc(), threads.c.postid.asc())
    else:
        q = q.order_by(threads.c.lastreplyat.desc(), threads.c.postid.desc())
    return q.limit(sa.bindparam("lim", type_=sa.Integer))


@functools.cache
def _first_page_with_totals(include_deleted: bool) -> sa.Select[Any]:
    """The first page of the Threads view without filters, with the totals over every thread it pages
    through (window aggregates, computed before the LIMIT): the page and the totals in one statement."""
    unread = threads.c.lastreplyat > threadmemberships.c.lastviewed
    return _list_statement(include_deleted, False, False, "").add_columns(
        sa.func.count().over().label("chinwag_total"),
        sa.func.sum(sa.case((unread, 1), else_=0)).over().label("chinwag_unread"),
        sa.func.sum(threadmemberships.c.unreadmentions).over().label("chinwag_mentions"),
    )


def _totals(include_deleted: bool) -> Any:
    unread = threads.c.lastreplyat > threadmemberships.c.lastviewed
    return (
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((unread, 1), else_=0)),
            sa.func.sum(threadmemberships.c.unreadmentions),
        )
        .select_from(threadmemberships.join(threads, threads.c.postid == threadmemberships.c.postid))
        .where(_followed(include_deleted))
    )


#: the Threads view's totals (include_deleted → statement), built once
_TOTALS = {False: _totals(False), True: _totals(True)}


class SqlThreadStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_for_user(self, user_id: str, root_id: str) -> ThreadRow:
        q = _SELECT.where(
            threadmemberships.c.userid == user_id, threadmemberships.c.postid == root_id, _in_channel()
        )
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("thread", root_id)
        return THREAD_ROW.one(row)

    async def get_thread(self, root_id: str) -> tuple[int, int, list[str]]:
        q = sa.select(threads.c.replycount, threads.c.lastreplyat, threads.c.participants).where(
            threads.c.postid == root_id
        )
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("thread", root_id)
        return int(row[0]), int(row[1]), list(row[2] or [])

    async def followers(self, root_id: str) -> list[str]:
        """Users following the thread (CRT), in id order."""
        q = (
            sa.select(threadmemberships.c.userid)
            .where(threadmemberships.c.postid == root_id, threadmemberships.c.following == sa.true())
            .order_by(threadmemberships.c.userid)
        )
        async with self.db.read() as conn:
            return [r[0] for r in (await conn.execute(q)).all()]

    async def list_for_user(
        self,
        user_id: str,
        team_id: str,
        *,
        per_page: int,
        before: str = "",
        after: str = "",
        since: int = 0,
        unread_only: bool = False,
        include_deleted: bool = False,
    ) -> list[ThreadRow]:
        cursor = before or after
        q = _list_statement(include_deleted, bool(since), unread_only, "before" if before else "after" if after else "")
        params = {"uid": user_id, "tid": team_id, "lim": per_page, "since": since, "cursor": cursor}
        async with self.db.read() as conn:
            rows = THREAD_ROW.all((await conn.execute(q, params)).all())
        if after and not before:
            rows.reverse()
        return rows

    async def first_page_with_totals(self, user_id: str, team_id: str, per_page: int,
                                     include_deleted: bool = False) -> tuple[list[ThreadRow], ThreadTotals]:
        """:meth:`list_for_user` without filters and :meth:`totals`, in one statement."""
        async with self.db.read() as conn:
            raw = (await conn.execute(_first_page_with_totals(include_deleted),
                                      {"uid": user_id, "tid": team_id, "lim": per_page})).all()
        if not raw:
            return [], ThreadTotals(0, 0, 0)
        first = raw[0]
        totals = ThreadTotals(int(first.chinwag_total or 0), int(first.chinwag_unread or 0),
                              int(first.chinwag_mentions or 0))
        return THREAD_ROW.all(raw), totals

    async def totals(self, user_id: str, team_id: str, include_deleted: bool = False) -> ThreadTotals:
        async with self.db.read() as conn:
            row = (await conn.execute(_TOTALS[include_deleted], {"uid": user_id, "tid": team_id})).first()
        assert row is not None
        return ThreadTotals(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))

    async def unread_by_team(self, user_id: str) -> dict[str, tuple[int, int]]:
        """team id → (unread thread count, unread thread mentions)."""
        async with self.db.read() as conn:
            rows = (await conn.execute(_UNREAD_BY_TEAM, {"uid": user_id})).all()
        return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}

    async def ensure_membership(self, user_id: str, root_id: str, following: bool, now: int, conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                upsert(conn, threadmemberships, ["postid", "userid"]).values(
                    postid=root_id,
                    userid=user_id,
                    following=following,
                    lastviewed=0,
                    lastupdated=now,
                    unreadmentions=0,
                )
            )
            await conn.execute(
                threadmemberships.update()
                .where(threadmemberships.c.postid == root_id, threadmemberships.c.userid == user_id)
                .values(following=following, lastupdated=now)
            )

    async def mark_read(self, user_id: str, root_id: str, timestamp: int, now: int, conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                upsert(conn, threadmemberships, ["postid", "userid"]).values(
                    postid=root_id,
                    userid=user_id,
                    following=True,
                    lastviewed=timestamp,
                    lastupdated=now,
                    unreadmentions=0,
                )
            )
            await conn.execute(
                threadmemberships.update()
                .where(threadmemberships.c.postid == root_id, threadmemberships.c.userid == user_id)
                .values(lastviewed=timestamp, lastupdated=now, unreadmentions=0)
            )

    async def set_unread(self, user_id: str, root_id: str, before_ts: int, mentions: int, now: int, conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                threadmemberships.update()
                .where(threadmemberships.c.postid == root_id, threadmemberships.c.userid == user_id)
                .values(lastviewed=before_ts, lastupdated=now, unreadmentions=mentions)
            )

    async def mark_all_read(self, user_id: str, team_id: str, now: int, conn: AsyncConnection | None = None) -> None:
        sub = sa.select(threads.c.postid).where(_team_cond(team_id))
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                threadmemberships.update()
                .where(threadmemberships.c.userid == user_id, threadmemberships.c.postid.in_(sub))
                .values(lastviewed=now, lastupdated=now, unreadmentions=0)
            )

    async def memberships_for(self, user_id: str, root_ids: list[str]) -> dict[str, bool]:
        if not root_ids:
            return {}
        q = sa.select(threadmemberships.c.postid, threadmemberships.c.following).where(
            threadmemberships.c.userid == user_id, threadmemberships.c.postid.in_(root_ids)
        )
        async with self.db.read() as conn:
            return {r[0]: bool(r[1]) for r in (await conn.execute(q)).all()}

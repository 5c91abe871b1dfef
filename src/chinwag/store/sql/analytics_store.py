"""Counts for the System Console's site statistics (``GET /analytics/old``), Mattermost's queries.

Every count is one aggregate statement; nothing here loads rows. Days are UTC calendar days, named
``YYYY-MM-DD`` as Mattermost names them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import (
    bots,
    channelmembers,
    channels,
    commands,
    fileinfo,
    incominghooks,
    outgoinghooks,
    posts,
    sessions,
    status,
    teammembers,
    teams,
    users,
)


class SqlAnalyticsStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def db_connections(self) -> tuple[int, int]:
        """Open connections in the write pool and (on PostgreSQL) the read pool."""
        def size(engine: Any) -> int:
            pool = engine.pool
            checked_in, checked_out = getattr(pool, "checkedin", None), getattr(pool, "checkedout", None)
            return int(checked_in() + checked_out()) if checked_in and checked_out else 0
        master = size(self.db.engine)
        return master, 0 if self.db.read_engine is self.db.engine else size(self.db.read_engine)

    async def _scalar(self, q: Any) -> int:
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one() or 0)

    def _team_posts(self, q: Any, team_id: str) -> Any:
        if team_id:
            q = q.where(posts.c.channelid.in_(sa.select(channels.c.id).where(channels.c.teamid == team_id)))
        return q

    async def channel_counts(self, team_id: str = "") -> dict[str, int]:
        """Channels that are not archived, by type (O, P, D, G)."""
        q = sa.select(channels.c.type, sa.func.count()).where(channels.c.deleteat == 0).group_by(channels.c.type)
        if team_id:
            q = q.where(channels.c.teamid == team_id)
        async with self.db.read() as conn:
            return {str(t): int(n) for t, n in (await conn.execute(q)).all()}

    async def post_count(self, team_id: str = "", with_files: bool = False, with_hashtags: bool = False) -> int:
        q = self._team_posts(sa.select(sa.func.count()).select_from(posts), team_id)
        if with_files:
            q = q.where(posts.c.fileids.is_not(None),
                        sa.cast(posts.c.fileids, sa.Text).not_in(["[]", "null", ""]))
        if with_hashtags:
            q = q.where(posts.c.hashtags != "")
        return await self._scalar(q)

    async def user_count(self, team_id: str = "") -> int:
        """Accounts that are neither deactivated nor bots (in ``team_id`` when given)."""
        q = sa.select(sa.func.count()).select_from(users).where(users.c.deleteat == 0, users.c.isbot == sa.false())
        if team_id:
            q = q.where(users.c.id.in_(sa.select(teammembers.c.userid).where(
                teammembers.c.teamid == team_id, teammembers.c.deleteat == 0)))
        return await self._scalar(q)

    async def filtered_user_count(self, *, in_team: str = "", in_channel: str = "", include_deleted: bool = False,
                                  include_bots: bool = False, roles: list[str], team_roles: list[str],
                                  channel_roles: list[str]) -> int:
        """Users matching a System Console list filter. ``roles`` are system roles (any of them);
        ``team_roles``/``channel_roles`` (team_admin/team_user/team_guest, channel_…) match the
        membership's scheme flags, as Mattermost's filters do."""
        q = sa.select(sa.func.count()).select_from(users)
        if not include_deleted:
            q = q.where(users.c.deleteat == 0)
        if not include_bots:
            q = q.where(users.c.isbot == sa.false())
        if roles:
            q = q.where(sa.or_(*[users.c.roles.like(f"%{r}%") for r in roles]))
        if in_team:
            m = sa.select(teammembers.c.userid).where(teammembers.c.teamid == in_team, teammembers.c.deleteat == 0)
            if team_roles:
                m = m.where(sa.or_(*[_scheme(teammembers, "team", r) for r in team_roles]))
            q = q.where(users.c.id.in_(m))
        if in_channel:
            c = sa.select(channelmembers.c.userid).where(channelmembers.c.channelid == in_channel)
            if channel_roles:
                c = c.where(sa.or_(*[_scheme(channelmembers, "channel", r) for r in channel_roles]))
            q = q.where(users.c.id.in_(c))
        return await self._scalar(q)

    async def user_post_count(self) -> int:
        """Posts not deleted, written by people (not bots): Mattermost's posts usage."""
        q = (sa.select(sa.func.count()).select_from(posts)
             .where(posts.c.deleteat == 0, posts.c.userid.not_in(sa.select(bots.c.userid))))
        return await self._scalar(q)

    async def storage_bytes(self) -> int:
        """The size of every file not deleted: Mattermost's storage usage."""
        q = sa.select(sa.func.coalesce(sa.func.sum(fileinfo.c.size), 0)).where(fileinfo.c.deleteat == 0)
        return await self._scalar(q)

    async def inactive_user_count(self) -> int:
        return await self._scalar(sa.select(sa.func.count()).select_from(users).where(users.c.deleteat > 0))

    async def team_count(self) -> int:
        return await self._scalar(sa.select(sa.func.count()).select_from(teams).where(teams.c.deleteat == 0))

    async def active_user_count(self, since: int) -> int:
        """Active, non-bot accounts with activity at or after ``since`` (ms)."""
        q = (sa.select(sa.func.count()).select_from(status.join(users, users.c.id == status.c.userid))
             .where(status.c.lastactivityat >= since, users.c.deleteat == 0, users.c.isbot == sa.false()))
        return await self._scalar(q)

    async def incoming_webhook_count(self, team_id: str = "") -> int:
        q = sa.select(sa.func.count()).select_from(incominghooks).where(incominghooks.c.deleteat == 0)
        if team_id:
            q = q.where(incominghooks.c.teamid == team_id)
        return await self._scalar(q)

    async def outgoing_webhook_count(self, team_id: str = "") -> int:
        q = sa.select(sa.func.count()).select_from(outgoinghooks).where(outgoinghooks.c.deleteat == 0)
        if team_id:
            q = q.where(outgoinghooks.c.teamid == team_id)
        return await self._scalar(q)

    async def command_count(self, team_id: str = "") -> int:
        q = sa.select(sa.func.count()).select_from(commands).where(commands.c.deleteat == 0)
        if team_id:
            q = q.where(commands.c.teamid == team_id)
        return await self._scalar(q)

    async def session_count(self, now: int) -> int:
        return await self._scalar(sa.select(sa.func.count()).select_from(sessions).where(sessions.c.expiresat > now))

    def _day(self) -> Any:
        seconds = posts.c.createat / 1000
        if self.db.is_sqlite:
            return sa.func.strftime("%Y-%m-%d", sa.cast(seconds, sa.Integer), "unixepoch")
        if self.db.is_mysql:
            # FROM_UNIXTIME is in the session's time zone, which the engine sets to UTC
            return sa.func.date_format(sa.func.from_unixtime(sa.func.floor(seconds)), "%Y-%m-%d")
        return sa.func.to_char(sa.func.timezone("UTC", sa.func.to_timestamp(seconds)), "YYYY-MM-DD")

    async def posts_by_day(self, start: int, end: int, team_id: str = "", bots_only: bool = False,
                           distinct_users: bool = False) -> list[tuple[str, int]]:
        """Posts (or distinct posters) per day created in [start, end], newest day first, at most 30 days."""
        day = self._day().label("name")
        value = sa.func.count(sa.distinct(posts.c.userid)) if distinct_users else sa.func.count(posts.c.id)
        q = sa.select(day, value.label("value")).where(posts.c.createat >= start, posts.c.createat <= end)
        if bots_only:
            q = q.where(posts.c.userid.in_(sa.select(bots.c.userid)))
        q = self._team_posts(q, team_id).group_by(day).order_by(day.desc()).limit(30)
        async with self.db.read() as conn:
            return [(str(name), int(n)) for name, n in (await conn.execute(q)).all()]

    # the System Console's user list (GET /reports/users) ---------------------------------------

    def _report_filter(self, q: Any, *, team: str, role: str, has_no_team: bool, hide_active: bool,
                       hide_inactive: bool, search_term: str) -> Any:
        q = q.where(users.c.isbot == sa.false())
        if role:
            q = q.where(users.c.roles.like(f"%{_like_escape(role)}%", escape="\\"))
        if team:
            q = q.where(users.c.id.in_(sa.select(teammembers.c.userid)
                                       .where(teammembers.c.teamid == team, teammembers.c.deleteat == 0)))
        if has_no_team:
            q = q.where(users.c.id.not_in(sa.select(teammembers.c.userid).where(teammembers.c.deleteat == 0)))
        if hide_active:
            q = q.where(users.c.deleteat > 0)
        if hide_inactive:
            q = q.where(users.c.deleteat == 0)
        term = search_term.strip().lstrip("@").lower()
        if term:
            pattern = f"{_like_escape(term)}%"
            q = q.where(sa.or_(*[sa.func.lower(c).like(pattern, escape="\\") for c in (
                users.c.username, users.c.firstname, users.c.lastname, users.c.nickname, users.c.email)]))
        return q

    async def user_report(self, *, sort_column: str, sort_desc: bool, previous: bool, page_size: int,
                          from_value: str | int | None, from_id: str, start_at: int, end_at: int,
                          team: str = "", role: str = "", has_no_team: bool = False, hide_active: bool = False,
                          hide_inactive: bool = False, search_term: str = "") -> list[dict[str, Any]]:
        """One page of people (bots left out) in ``sort_column`` order (then id), after the cursor
        (``from_value``, ``from_id``) when given, or before it when ``previous``; each with its last
        login, last activity and, over [start_at, end_at), the posts they wrote (no system messages): count,
        newest, distinct UTC days.
        Rows come in display order either way."""
        day = 24 * 60 * 60 * 1000
        p = sa.select(posts.c.userid.label("userid"), sa.func.max(posts.c.createat).label("last_post_date"),
                      sa.func.count(sa.distinct(posts.c.createat - posts.c.createat % day)).label("days_active"),
                      sa.func.count().label("total_posts")).where(
            posts.c.deleteat == 0, posts.c.type.not_like("system\\_%", escape="\\"))  # what they wrote
        if start_at:
            p = p.where(posts.c.createat >= start_at)
        if end_at:
            p = p.where(posts.c.createat < end_at)
        stats = p.group_by(posts.c.userid).subquery()
        col = users.c[sort_column]
        q = sa.select(users.c.id, users.c.username, users.c.lastlogin, status.c.lastactivityat, stats.c.last_post_date,
                      stats.c.days_active, stats.c.total_posts).select_from(
            users.outerjoin(status, status.c.userid == users.c.id).outerjoin(stats, stats.c.userid == users.c.id))
        q = self._report_filter(q, team=team, role=role, has_no_team=has_no_team, hide_active=hide_active,
                                hide_inactive=hide_inactive, search_term=search_term)
        descending = sort_desc != previous  # walking back reads the other way, then turns the page round
        if from_id and from_value is not None:
            if descending:
                q = q.where(sa.or_(col < from_value, sa.and_(col == from_value, users.c.id < from_id)))
            else:
                q = q.where(sa.or_(col > from_value, sa.and_(col == from_value, users.c.id > from_id)))
        order = (col.desc(), users.c.id.desc()) if descending else (col.asc(), users.c.id.asc())
        async with self.db.read() as conn:
            rows = (await conn.execute(q.order_by(*order).limit(page_size))).all()
        out = [{"id": r.id, "username": r.username, "last_login": int(r.lastlogin or 0), "last_status_at": r.lastactivityat,
                "last_post_date": r.last_post_date, "days_active": r.days_active,
                "total_posts": r.total_posts} for r in rows]
        return out[::-1] if previous else out

    async def user_report_count(self, *, team: str = "", role: str = "", has_no_team: bool = False,
                                hide_active: bool = False, hide_inactive: bool = False,
                                search_term: str = "") -> int:
        q = self._report_filter(sa.select(sa.func.count()).select_from(users), team=team, role=role,
                                has_no_team=has_no_team, hide_active=hide_active, hide_inactive=hide_inactive,
                                search_term=search_term)
        return await self._scalar(q)


def _scheme(table: Any, kind: str, role: str) -> Any:
    """A membership row holding ``role`` (``team_admin``, ``team_user``, ``team_guest`` or the channel ones)."""
    c = table.c
    if role == f"{kind}_admin":
        return c.schemeadmin == sa.true()
    if role == f"{kind}_guest":
        return c.schemeguest == sa.true()
    if role == f"{kind}_user":
        return sa.and_(c.schemeuser == sa.true(), c.schemeadmin == sa.false(), c.schemeguest == sa.false())
    return sa.false()


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

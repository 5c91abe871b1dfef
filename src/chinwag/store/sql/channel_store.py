"""Channels and channel members (read positions and unread counters live on the member row)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.team import TeamUnread
from chinwag.model.user import User
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import ZERO, conflict_from, upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.params import id_in
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import (
    channelmembers,
    channels,
    drafts,
    fileinfo,
    posts,
    sidebarchannels,
    teammembers,
    teams,
    users,
)

CHANNEL = RowMap(Channel, channels, skip=("props", "policy_id"))
#: ``roles`` on the wire is computed by the app from the scheme flags and the stored explicit roles
MEMBER = RowMap(ChannelMember, channelmembers, columns={"explicit_roles": "roles"}, skip=("roles",))


class _ViewStatements:
    """Marking channels viewed (every channel switch, and again for the channel left), built once: building
    them per call (an alias of ``channels`` with its column proxies, three subqueries) cost more CPU than
    the round trips. A member row already caught up with its channel (no mentions, its counters at the
    channel's totals, ``last_viewed_at`` at its last post) is not written: load-test-ng and the web app
    view the channel left and then the new one with it again, and the unread check and a reload view the
    current channel — most of those views change nothing. (Mattermost always writes the row; what it
    answers, the channels' last post times, is the same either way.)"""

    def __init__(self) -> None:
        cm = channelmembers
        ch = channels.alias("ch")

        def col(name: str) -> Any:
            return sa.select(ch.c[name]).where(ch.c.id == cm.c.channelid).scalar_subquery()

        self.mine = (cm.c.userid == sa.bindparam("user_id"), cm.c.channelid.in_(sa.bindparam("ids", expanding=True)))
        #: the row differs from what a view leaves
        stale = sa.or_(
            cm.c.mentioncount != 0,
            cm.c.mentioncountroot != 0,
            cm.c.urgentmentioncount != 0,
            cm.c.msgcount.is_distinct_from(col("totalmsgcount")),
            cm.c.msgcountroot.is_distinct_from(col("totalmsgcountroot")),
            cm.c.lastviewedat.is_distinct_from(col("lastpostat")),
        )
        self.update = (
            cm.update()
            .where(*self.mine, stale)
            .values(
                mentioncount=0,
                mentioncountroot=0,
                urgentmentioncount=0,
                msgcount=col("totalmsgcount"),
                msgcountroot=col("totalmsgcountroot"),
                lastviewedat=col("lastpostat"),
                lastupdateat=sa.bindparam("now"),
            )
        )
        #: SQLite: the rows written, with their new read position
        self.update_returning = self.update.returning(cm.c.channelid, cm.c.lastviewedat)
        #: SQLite, MySQL/MariaDB: the member rows first — (channel, last viewed, stale?) — and a write only
        #: when one is stale
        self.check = sa.select(cm.c.channelid, cm.c.lastviewedat, stale).where(*self.mine)
        #: MySQL/MariaDB (no UPDATE … RETURNING): the read positions after the write
        self.viewed = sa.select(cm.c.channelid, cm.c.lastviewedat).where(*self.mine)
        #: PostgreSQL: all in one statement — the stale rows written (a data-modifying WITH), the others read
        #: as they were; (channel, last viewed, written?)
        upd = self.update_returning.cte("upd")
        self.one = sa.select(upd.c.channelid, upd.c.lastviewedat, sa.true()).union_all(
            sa.select(cm.c.channelid, cm.c.lastviewedat, sa.false())
            .where(*self.mine, cm.c.channelid.not_in(sa.select(upd.c.channelid)))
        )


_VIEW = _ViewStatements()

#: GET /channels/{id}/stats (every channel switch): as Mattermost counts them, in one statement built once —
#: members and guests whose account is active (deactivated members stay in the channel but are not
#: counted), pinned posts not deleted, and (unless the caller excludes it) files not deleted
def _stats_statement(files: bool) -> sa.Select[Any]:
    # the members and guests in one pass over the channel's member rows (two counts read town-square's every
    # member twice); the constants as literals (``common.ZERO``), so that a prepared statement's generic plan
    # sees them
    counts: list[Any] = [
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((channelmembers.c.schemeguest == sa.true(), 1), else_=0)), 0),
        sa.select(sa.func.count()).select_from(posts)
        .where(posts.c.channelid == sa.bindparam("cid"), posts.c.ispinned == sa.true(),
               # a literal, as the partial index's predicate (a parameter would keep a generic plan off it)
               posts.c.deleteat == ZERO)
        .scalar_subquery(),
    ]
    if files:
        counts.append(sa.select(sa.func.count()).select_from(fileinfo)
                      .where(fileinfo.c.channelid == sa.bindparam("cid"), fileinfo.c.deleteat == ZERO)
                      .scalar_subquery())
    return (sa.select(*counts).select_from(channelmembers.join(users, users.c.id == channelmembers.c.userid))
            .where(channelmembers.c.channelid == sa.bindparam("cid"), users.c.deleteat == ZERO))


_STATS = _stats_statement(files=True)
_STATS_NO_FILES = _stats_statement(files=False)
#: the same without the member counts (the app caches those per channel): pinned posts, files
_CONTENT = sa.select(*_STATS.selected_columns[2:])
_CONTENT_NO_FILES = sa.select(*_STATS_NO_FILES.selected_columns[2:])

#: GET /users/{id}/teams/unread (start-up, every unread check): one row per channel of each team the user
#: belongs to — a team without channels still gives one row of NULLs — ordered as the user's teams are
_TEAM_UNREADS = (
    sa.select(
        teams.c.id,
        channels.c.totalmsgcount - channelmembers.c.msgcount,
        channelmembers.c.mentioncount,
        channelmembers.c.mentioncountroot,
        channels.c.totalmsgcountroot - channelmembers.c.msgcountroot,
        channelmembers.c.notifyprops,
    )
    .select_from(
        teammembers.join(teams, teams.c.id == teammembers.c.teamid).outerjoin(
            channelmembers.join(channels, sa.and_(channels.c.id == channelmembers.c.channelid,
                                                  channels.c.deleteat == 0)),
            sa.and_(channelmembers.c.userid == teammembers.c.userid, channels.c.teamid == teams.c.id),
        )
    )
    .where(teammembers.c.userid == sa.bindparam("uid"), teammembers.c.deleteat == 0, teams.c.deleteat == 0)
    .order_by(teams.c.displayname, teams.c.id)
)


class SqlChannelStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, channel: Channel, members: Sequence[ChannelMember] = (),
                   conn: AsyncConnection | None = None) -> Channel:
        """Create a channel and its first members in one transaction (``conn``: the caller's)."""
        try:
            async with self.db.write_in(conn) as conn:
                await conn.execute(channels.insert().values(**CHANNEL.values(channel)))
                if members:
                    await conn.execute(channelmembers.insert(), [MEMBER.values(m) for m in members])
        except IntegrityError as e:
            raise conflict_from(e, "channel") from None
        return channel

    async def update(self, channel: Channel, conn: AsyncConnection | None = None) -> Channel:
        """Write the channel's changeable columns; the row as it is now (read in the same transaction)."""
        values = CHANNEL.values(channel)
        for k in ("id", "createat", "lastpostat", "totalmsgcount", "totalmsgcountroot", "lastrootpostat"):
            del values[k]
        try:
            async with self.db.write_in(conn) as conn:
                res = await conn.execute(
                    channels.update().where(channels.c.id == channel.id).values(**values)
                )
                if res.rowcount == 0:
                    raise NotFound("channel", channel.id)
                row = (await conn.execute(sa.select(channels).where(channels.c.id == channel.id))).one()
        except IntegrityError as e:
            raise conflict_from(e, "channel") from None
        return CHANNEL.one(row)

    async def get(self, channel_id: str) -> Channel:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(channels).where(channels.c.id == channel_id))).first()
        if row is None:
            raise NotFound("channel", channel_id)
        return CHANNEL.one(row)

    async def get_many(self, channel_ids: Sequence[str]) -> list[Channel]:
        if not channel_ids:
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(channels).where(channels.c.id.in_(list(channel_ids))))).all()
        return CHANNEL.all(rows)

    async def get_by_name(self, team_id: str, name: str, include_deleted: bool = True) -> Channel:
        q = sa.select(channels).where(channels.c.teamid == team_id, channels.c.name == name)
        if not include_deleted:
            q = q.where(channels.c.deleteat == 0)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("channel", name)
        return CHANNEL.one(row)

    async def get_by_names(self, team_id: str, names: Sequence[str]) -> list[Channel]:
        q = sa.select(channels).where(channels.c.teamid == team_id, channels.c.name.in_(list(names)))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return CHANNEL.all(rows)

    async def list_team_channels(
        self,
        team_id: str,
        *,
        types: Sequence[str],
        page: int,
        per_page: int,
        deleted: bool | None = False,
        exclude_user: str = "",
        ids: Sequence[str] | None = None,
    ) -> list[Channel]:
        q = sa.select(channels).where(channels.c.teamid == team_id, channels.c.type.in_(list(types)))
        if deleted is True:
            q = q.where(channels.c.deleteat != 0)
        elif deleted is False:
            q = q.where(channels.c.deleteat == 0)
        if exclude_user:
            q = q.where(
                channels.c.id.not_in(
                    sa.select(channelmembers.c.channelid).where(channelmembers.c.userid == exclude_user)
                )
            )
        if ids is not None:
            q = q.where(channels.c.id.in_(list(ids)))
        q = q.order_by(channels.c.displayname, channels.c.id).limit(per_page).offset(page * per_page)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return CHANNEL.all(rows)

    async def list_for_user(
        self, user_id: str, team_id: str | None, include_deleted: bool = False, last_delete_at: int = 0
    ) -> list[Channel]:
        """Channels the user is a member of: those of ``team_id`` plus DMs and GMs
        (``team_id`` None: every team)."""
        q = (
            sa.select(channels)
            .select_from(channels.join(channelmembers, channelmembers.c.channelid == channels.c.id))
            .where(channelmembers.c.userid == user_id)
        )
        if team_id is not None:
            q = q.where(sa.or_(channels.c.teamid == team_id, channels.c.teamid == ""))
        if not include_deleted:
            q = q.where(channels.c.deleteat == 0)
        elif last_delete_at:
            q = q.where(sa.or_(channels.c.deleteat == 0, channels.c.deleteat >= last_delete_at))
        q = q.order_by(channels.c.displayname, channels.c.id)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return CHANNEL.all(rows)

    async def search(
        self,
        team_id: str,
        term: str,
        *,
        public: bool = True,
        member_id: str = "",
        include_deleted: bool = False,
        only_deleted: bool = False,
        with_direct: bool = False,
        limit: int = 100,
    ) -> list[Channel]:
        """Channels whose name or display name contains ``term`` (case-insensitive): the team's
        public ones (``public``) and/or, with ``member_id``, the team's channels that user is in
        (plus their direct and group messages when ``with_direct``)."""
        like = "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        scopes: list[Any] = []
        if public:
            scopes.append(sa.and_(channels.c.teamid == team_id, channels.c.type == "O"))
        if member_id:
            mine = channels.c.id.in_(
                sa.select(channelmembers.c.channelid).where(channelmembers.c.userid == member_id))
            teams = [team_id, ""] if with_direct else [team_id]
            scopes.append(sa.and_(channels.c.teamid.in_(teams), mine))
        q = sa.select(channels).where(
            sa.or_(*scopes),
            sa.or_(sa.func.lower(channels.c.name).like(like, escape="\\"),
                   sa.func.lower(channels.c.displayname).like(like, escape="\\")),
        )
        if only_deleted:
            q = q.where(channels.c.deleteat != 0)
        elif not include_deleted:
            q = q.where(channels.c.deleteat == 0)
        q = q.order_by(channels.c.displayname, channels.c.id).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return CHANNEL.all(rows)

    async def names_for_user(
        self, user_id: str, team_id: str | None, include_deleted: bool = False
    ) -> list[tuple[str, str]]:
        """(id, name) of the channels the user is a member of: those of ``team_id`` plus DMs and
        GMs (``team_id`` None: every team) — what a search may read, without the whole rows."""
        q = (
            sa.select(channels.c.id, channels.c.name)
            .select_from(channels.join(channelmembers, channelmembers.c.channelid == channels.c.id))
            .where(channelmembers.c.userid == user_id)
        )
        if team_id is not None:
            q = q.where(sa.or_(channels.c.teamid == team_id, channels.c.teamid == ""))
        if not include_deleted:
            q = q.where(channels.c.deleteat == 0)
        async with self.db.read() as conn:
            return [(r[0], r[1]) for r in (await conn.execute(q)).all()]

    async def channel_ids_for_user(self, user_id: str) -> list[str]:
        q = sa.select(channelmembers.c.channelid).where(channelmembers.c.userid == user_id)
        async with self.db.read() as conn:
            return [r[0] for r in (await conn.execute(q)).all()]

    async def exists(self, conn: AsyncConnection, channel_id: str) -> bool:
        return (await conn.execute(sa.select(channels.c.id).where(channels.c.id == channel_id))).first() is not None

    async def archive(self, conn: AsyncConnection, channel_id: str, at: int) -> None:
        await conn.execute(channels.update().where(channels.c.id == channel_id).values(deleteat=at, updateat=at))

    async def set_deleted(self, channel_id: str, delete_at: int, now: int,
                          conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                channels.update().where(channels.c.id == channel_id).values(deleteat=delete_at, updateat=now)
            )

    async def remove_permanently(self, channel_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(channelmembers.delete().where(channelmembers.c.channelid == channel_id))
            await conn.execute(drafts.delete().where(drafts.c.channelid == channel_id))
            await conn.execute(channels.delete().where(channels.c.id == channel_id))

    # members -------------------------------------------------------------------------------

    async def save_member(self, member: ChannelMember) -> ChannelMember:
        async with self.db.write() as conn:
            await conn.execute(
                upsert(conn, channelmembers, ["channelid", "userid"]).values(**MEMBER.values(member))
            )
        return await self.get_member(member.channel_id, member.user_id)

    async def add_member(self, conn: AsyncConnection, member: ChannelMember) -> bool:
        """Insert the membership in the caller's transaction; False when it exists already."""
        found = await conn.execute(sa.select(channelmembers.c.userid).where(
            channelmembers.c.channelid == member.channel_id, channelmembers.c.userid == member.user_id))
        if found.first() is not None:
            return False
        await conn.execute(upsert(conn, channelmembers, ["channelid", "userid"]).values(**MEMBER.values(member)))
        return True

    async def remove_member(self, channel_id: str, user_id: str) -> bool:
        """``delete_member`` in a transaction of its own (maintenance, tests)."""
        async with self.db.write() as conn:
            return await self.delete_member(conn, channel_id, user_id)

    async def delete_member(self, conn: AsyncConnection, channel_id: str, user_id: str) -> bool:
        res = await conn.execute(channelmembers.delete().where(
            channelmembers.c.channelid == channel_id, channelmembers.c.userid == user_id))
        # a channel left leaves the sidebar too (Mattermost's RemoveMembers)
        await conn.execute(sidebarchannels.delete().where(
            sidebarchannels.c.channelid == channel_id, sidebarchannels.c.userid == user_id))
        return bool(res.rowcount)

    async def delete_members_of_team(self, conn: AsyncConnection, team_id: str, user_id: str) -> list[str]:
        """Remove the user from every channel of the team (in the caller's transaction); those channels."""
        sub = sa.select(channels.c.id).where(channels.c.teamid == team_id)
        cond = (channelmembers.c.userid == user_id, channelmembers.c.channelid.in_(sub))
        rows = (await conn.execute(sa.select(channelmembers.c.channelid).where(*cond))).all()
        await conn.execute(channelmembers.delete().where(*cond))
        await conn.execute(sidebarchannels.delete().where(
            sidebarchannels.c.userid == user_id, sidebarchannels.c.channelid.in_(sub)))
        return [r[0] for r in rows]

    async def save_members(self, members: Sequence[ChannelMember]) -> None:
        if not members:
            return
        async with self.db.write() as conn:
            for m in members:
                await conn.execute(
                    upsert(conn, channelmembers, ["channelid", "userid"]).values(**MEMBER.values(m))
                )

    async def update_member(self, member: ChannelMember, conn: AsyncConnection | None = None) -> ChannelMember:
        values = MEMBER.values(member)
        async with self.db.write_in(conn) as conn:
            res = await conn.execute(
                channelmembers.update()
                .where(
                    channelmembers.c.channelid == member.channel_id, channelmembers.c.userid == member.user_id
                )
                .values(**values)
            )
        if res.rowcount == 0:
            raise NotFound("channel_member", member.user_id)
        return member

    async def get_member(self, channel_id: str, user_id: str) -> ChannelMember:
        q = sa.select(channelmembers).where(
            channelmembers.c.channelid == channel_id, channelmembers.c.userid == user_id
        )
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("channel_member", f"{channel_id}/{user_id}")
        return MEMBER.one(row)

    async def is_member(self, channel_id: str, user_id: str) -> bool:
        q = sa.select(channelmembers.c.userid).where(
            channelmembers.c.channelid == channel_id, channelmembers.c.userid == user_id
        )
        async with self.db.read() as conn:
            return (await conn.execute(q)).first() is not None

    async def get_members(
        self, channel_id: str, *, page: int, per_page: int, user_ids: Sequence[str] | None = None
    ) -> list[ChannelMember]:
        q = sa.select(channelmembers).where(channelmembers.c.channelid == channel_id)
        if user_ids is not None:
            q = q.where(id_in(channelmembers.c.userid, user_ids, self.db.driver))
        q = q.order_by(channelmembers.c.userid).limit(per_page).offset(page * per_page)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return MEMBER.all(rows)

    async def notification_members(self, channel_id: str, user_ids: Sequence[str]) -> list[tuple[User, ChannelMember]]:
        """The memberships of ``user_ids`` in the channel with their accounts (partial: id, username,
        email, delete_at, is_bot, notify_props — what notifications read), in one query."""
        if not user_ids:
            return []
        u = users.c
        q = (sa.select(channelmembers, u.username.label("u_username"), u.email.label("u_email"),
                       u.deleteat.label("u_deleteat"), u.isbot.label("u_isbot"), u.notifyprops.label("u_notifyprops"))
             .select_from(channelmembers.join(users, users.c.id == channelmembers.c.userid))
             .where(channelmembers.c.channelid == channel_id, id_in(channelmembers.c.userid, user_ids, self.db.driver))
             .order_by(channelmembers.c.userid))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        members = MEMBER.all(rows)
        return [(User(id=m.user_id, username=r.u_username, email=r.u_email, delete_at=r.u_deleteat,
                      is_bot=bool(r.u_isbot), notify_props=r.u_notifyprops or {}), m)
                for m, r in zip(members, rows, strict=True)]

    async def channel_mention_settings(self, channel_id: str) -> dict[str, str]:
        """Every member's ``ignore_channel_mentions`` channel setting ("" when unset): one narrow
        query, read for @channel/@all/@here in large channels."""
        setting = channelmembers.c.notifyprops["ignore_channel_mentions"].as_string()
        q = sa.select(channelmembers.c.userid, setting).where(channelmembers.c.channelid == channel_id)
        async with self.db.read() as conn:
            return {r[0]: r[1] or "" for r in (await conn.execute(q)).all()}

    async def member_ids(self, channel_id: str) -> list[str]:
        q = sa.select(channelmembers.c.userid).where(channelmembers.c.channelid == channel_id)
        async with self.db.read() as conn:
            return [r[0] for r in (await conn.execute(q)).all()]

    async def users_sharing_a_channel(self, user_id: str, others: Sequence[str]) -> set[str]:
        """Which of ``others`` are in at least one channel with ``user_id``."""
        if not others:
            return set()
        mine = channelmembers.alias("mine")
        theirs = channelmembers.alias("theirs")
        q = (
            sa.select(theirs.c.userid)
            .distinct()
            .select_from(mine.join(theirs, theirs.c.channelid == mine.c.channelid))
            .where(mine.c.userid == user_id, theirs.c.userid.in_(list(others)))
        )
        async with self.db.read() as conn:
            return {r[0] for r in (await conn.execute(q)).all()}

    async def get_members_for_user(self, user_id: str, team_id: str | None) -> list[ChannelMember]:
        q = (
            sa.select(channelmembers)
            .select_from(channelmembers.join(channels, channels.c.id == channelmembers.c.channelid))
            .where(channelmembers.c.userid == user_id, channels.c.deleteat == 0)
        )
        if team_id is not None:
            q = q.where(sa.or_(channels.c.teamid == team_id, channels.c.teamid == ""))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return MEMBER.all(rows)

    async def mention_totals(self, user_ids: Sequence[str]) -> dict[str, int]:
        """Each user's mentions over all their channels (the push badge)."""
        if not user_ids:
            return {}
        q = (
            sa.select(channelmembers.c.userid, sa.func.sum(channelmembers.c.mentioncount))
            .where(channelmembers.c.userid.in_(list(user_ids)))
            .group_by(channelmembers.c.userid)
        )
        async with self.db.read() as conn:
            return {r[0]: int(r[1] or 0) for r in (await conn.execute(q)).all()}

    async def count_members(self, channel_id: str) -> int:
        q = (
            sa.select(sa.func.count())
            .select_from(channelmembers)
            .where(channelmembers.c.channelid == channel_id)
        )
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())

    async def stats_counts(self, channel_id: str, *, files: bool = True) -> tuple[int, int, int, int]:
        """(active members, active guests, pinned posts not deleted, files not deleted — -1 when not
        ``files``) of a channel, in one statement."""
        async with self.db.read() as conn:
            row = (await conn.execute(_STATS if files else _STATS_NO_FILES, {"cid": channel_id})).one()
        return (int(row[0] or 0), int(row[1] or 0), int(row[2] or 0),
                int(row[3] or 0) if files else -1)

    async def content_counts(self, channel_id: str, *, files: bool = True) -> tuple[int, int]:
        """(pinned posts not deleted, files not deleted — -1 when not ``files``) of a channel."""
        async with self.db.read() as conn:
            row = (await conn.execute(_CONTENT if files else _CONTENT_NO_FILES, {"cid": channel_id})).one()
        return int(row[0] or 0), int(row[1] or 0) if files else -1

    async def count_members_many(self, channel_ids: Sequence[str]) -> dict[str, int]:
        if not channel_ids:
            return {}
        q = (
            sa.select(channelmembers.c.channelid, sa.func.count())
            .where(channelmembers.c.channelid.in_(list(channel_ids)))
            .group_by(channelmembers.c.channelid)
        )
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return {r[0]: int(r[1]) for r in rows}

    async def view(self, user_id: str, channel_ids: Sequence[str], now: int) -> tuple[dict[str, int], list[str]]:
        """Mark channels read: counters catch up with the channel, last_viewed_at = last post time.
        Returns the read position of each channel the user is a member of, and the channels whose member
        row changed (written); a row already read is left alone. One statement on PostgreSQL; SQLite and
        MySQL/MariaDB read first and write only when a row changes."""
        if not channel_ids:
            return {}, []
        params = {"user_id": user_id, "ids": list(channel_ids), "now": now}
        if not (self.db.is_sqlite or self.db.is_mysql):  # PostgreSQL
            async with self.db.write_one() as conn:  # one statement: no transaction around it
                rows = (await conn.execute(_VIEW.one, params)).all()
            return {r[0]: int(r[1]) for r in rows}, sorted(r[0] for r in rows if r[2])
        async with self.db.write() as conn:
            rows = (await conn.execute(_VIEW.check, params)).all()
            times = {r[0]: int(r[1]) for r in rows}
            if not any(r[2] for r in rows):
                return times, []
            if self.db.is_mysql:
                await conn.execute(_VIEW.update, params)
                written = [r[0] for r in rows if r[2]]
                times.update({r[0]: int(r[1]) for r in (await conn.execute(_VIEW.viewed, params)).all()})
            else:
                updated = (await conn.execute(_VIEW.update_returning, params)).all()
                written = [r[0] for r in updated]
                times.update({r[0]: int(r[1]) for r in updated})
        return times, sorted(written)

    async def set_unread(
        self,
        user_id: str,
        channel_id: str,
        *,
        last_viewed_at: int,
        unread: tuple[int, int],
        mentions: tuple[int, int, int],
        now: int,
    ) -> None:
        """Move the read position back: ``unread`` (messages, root messages) after it count as unread,
        with ``mentions`` (all, in roots, urgent) among them."""
        ch = channels.alias("ch")

        def total(name: str) -> Any:
            return sa.select(ch.c[name]).where(ch.c.id == channel_id).scalar_subquery()

        async with self.db.write() as conn:
            await conn.execute(
                channelmembers.update()
                .where(channelmembers.c.userid == user_id, channelmembers.c.channelid == channel_id)
                .values(
                    mentioncount=mentions[0],
                    mentioncountroot=mentions[1],
                    urgentmentioncount=mentions[2],
                    msgcount=sa.func.coalesce(total("totalmsgcount"), 0) - unread[0],
                    msgcountroot=sa.func.coalesce(total("totalmsgcountroot"), 0) - unread[1],
                    lastviewedat=last_viewed_at,
                    lastupdateat=now,
                )
            )

    async def team_unreads(self, user_id: str, exclude_team: str = "") -> list[TeamUnread]:
        """Every team the user belongs to (not deleted), by display name, with the unread messages and
        mentions over their channels in it (Mattermost's GetTeamsUnreadForUser: channels marked
        ``mark_unread: mention`` count mentions only) — in one statement."""
        async with self.db.read() as conn:
            rows = (await conn.execute(_TEAM_UNREADS, {"uid": user_id})).all()
        out: dict[str, TeamUnread] = {}
        for team_id, msgs, mentions, mentions_root, msgs_root, props in rows:
            if team_id == exclude_team:
                continue
            u = out.get(team_id)
            if u is None:
                u = out[team_id] = TeamUnread(team_id=team_id)
            if mentions is None:  # the team's row without a channel
                continue
            u.mention_count += int(mentions or 0)
            u.mention_count_root += int(mentions_root or 0)
            if (props or {}).get("mark_unread") != "mention":
                u.msg_count += max(0, int(msgs or 0))
                u.msg_count_root += max(0, int(msgs_root or 0))
        return list(out.values())


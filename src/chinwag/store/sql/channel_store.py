"""Channels and channel members (read positions and unread counters live on the member row)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from chinwag.model.channel import Channel, ChannelMember, default_channel_notify_props
from chinwag.model.team import TeamUnread
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import conflict_from, upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.params import id_in
from chinwag.store.sql.tables import channelmembers, channels


def row_to_channel(r: Any) -> Channel:
    m = r._mapping
    return Channel(
        id=m["id"],
        create_at=m["createat"],
        update_at=m["updateat"],
        delete_at=m["deleteat"],
        team_id=m["teamid"],
        type=m["type"],
        display_name=m["displayname"],
        name=m["name"],
        header=m["header"],
        purpose=m["purpose"],
        last_post_at=m["lastpostat"],
        total_msg_count=m["totalmsgcount"],
        extra_update_at=m["extraupdateat"],
        creator_id=m["creatorid"],
        scheme_id=m["schemeid"],
        group_constrained=m["groupconstrained"],
        shared=m["shared"],
        total_msg_count_root=m["totalmsgcountroot"],
        last_root_post_at=m["lastrootpostat"],
    )


def channel_values(c: Channel) -> dict[str, Any]:
    return {
        "id": c.id,
        "createat": c.create_at,
        "updateat": c.update_at,
        "deleteat": c.delete_at,
        "teamid": c.team_id,
        "type": c.type,
        "displayname": c.display_name,
        "name": c.name,
        "header": c.header,
        "purpose": c.purpose,
        "lastpostat": c.last_post_at,
        "totalmsgcount": c.total_msg_count,
        "extraupdateat": c.extra_update_at,
        "creatorid": c.creator_id,
        "schemeid": c.scheme_id,
        "groupconstrained": c.group_constrained,
        "shared": c.shared,
        "totalmsgcountroot": c.total_msg_count_root,
        "lastrootpostat": c.last_root_post_at,
    }


def row_to_member(r: Any) -> ChannelMember:
    m = r._mapping
    return ChannelMember(
        channel_id=m["channelid"],
        user_id=m["userid"],
        explicit_roles=m["roles"],
        last_viewed_at=m["lastviewedat"],
        msg_count=m["msgcount"],
        mention_count=m["mentioncount"],
        mention_count_root=m["mentioncountroot"],
        urgent_mention_count=m["urgentmentioncount"],
        msg_count_root=m["msgcountroot"],
        notify_props=m["notifyprops"] or default_channel_notify_props(),
        last_update_at=m["lastupdateat"],
        scheme_user=bool(m["schemeuser"]),
        scheme_admin=bool(m["schemeadmin"]),
        scheme_guest=bool(m["schemeguest"]),
    )


def member_values(cm: ChannelMember) -> dict[str, Any]:
    return {
        "channelid": cm.channel_id,
        "userid": cm.user_id,
        "roles": cm.explicit_roles,
        "lastviewedat": cm.last_viewed_at,
        "msgcount": cm.msg_count,
        "mentioncount": cm.mention_count,
        "mentioncountroot": cm.mention_count_root,
        "urgentmentioncount": cm.urgent_mention_count,
        "msgcountroot": cm.msg_count_root,
        "notifyprops": cm.notify_props,
        "lastupdateat": cm.last_update_at,
        "schemeuser": cm.scheme_user,
        "schemeadmin": cm.scheme_admin,
        "schemeguest": cm.scheme_guest,
    }


class SqlChannelStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, channel: Channel, members: Sequence[ChannelMember] = ()) -> Channel:
        """Create a channel and its first members in one transaction."""
        try:
            async with self.db.write() as conn:
                await conn.execute(channels.insert().values(**channel_values(channel)))
                if members:
                    await conn.execute(channelmembers.insert(), [member_values(m) for m in members])
        except IntegrityError as e:
            raise conflict_from(e, "channel") from None
        return channel

    async def update(self, channel: Channel) -> Channel:
        values = channel_values(channel)
        for k in ("id", "createat", "lastpostat", "totalmsgcount", "totalmsgcountroot", "lastrootpostat"):
            del values[k]
        try:
            async with self.db.write() as conn:
                res = await conn.execute(
                    channels.update().where(channels.c.id == channel.id).values(**values)
                )
        except IntegrityError as e:
            raise conflict_from(e, "channel") from None
        if res.rowcount == 0:
            raise NotFound("channel", channel.id)
        return await self.get(channel.id)

    async def get(self, channel_id: str) -> Channel:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(channels).where(channels.c.id == channel_id))).first()
        if row is None:
            raise NotFound("channel", channel_id)
        return row_to_channel(row)

    async def get_many(self, channel_ids: Sequence[str]) -> list[Channel]:
        if not channel_ids:
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(channels).where(channels.c.id.in_(list(channel_ids))))).all()
        return [row_to_channel(r) for r in rows]

    async def get_by_name(self, team_id: str, name: str, include_deleted: bool = True) -> Channel:
        q = sa.select(channels).where(channels.c.teamid == team_id, channels.c.name == name)
        if not include_deleted:
            q = q.where(channels.c.deleteat == 0)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("channel", name)
        return row_to_channel(row)

    async def get_by_names(self, team_id: str, names: Sequence[str]) -> list[Channel]:
        q = sa.select(channels).where(channels.c.teamid == team_id, channels.c.name.in_(list(names)))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [row_to_channel(r) for r in rows]

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
        return [row_to_channel(r) for r in rows]

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
        return [row_to_channel(r) for r in rows]

    async def search(
        self,
        team_id: str,
        term: str,
        *,
        public: bool = True,
        member_id: str = "",
        include_deleted: bool = False,
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
        if not include_deleted:
            q = q.where(channels.c.deleteat == 0)
        q = q.order_by(channels.c.displayname, channels.c.id).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [row_to_channel(r) for r in rows]

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

    async def set_deleted(self, channel_id: str, delete_at: int, now: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                channels.update().where(channels.c.id == channel_id).values(deleteat=delete_at, updateat=now)
            )

    async def remove_permanently(self, channel_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(channelmembers.delete().where(channelmembers.c.channelid == channel_id))
            await conn.execute(channels.delete().where(channels.c.id == channel_id))

    # members -------------------------------------------------------------------------------

    async def save_member(self, member: ChannelMember) -> ChannelMember:
        async with self.db.write() as conn:
            await conn.execute(
                upsert(conn, channelmembers, ["channelid", "userid"]).values(**member_values(member))
            )
        return await self.get_member(member.channel_id, member.user_id)

    async def save_members(self, members: Sequence[ChannelMember]) -> None:
        if not members:
            return
        async with self.db.write() as conn:
            for m in members:
                await conn.execute(
                    upsert(conn, channelmembers, ["channelid", "userid"]).values(**member_values(m))
                )

    async def update_member(self, member: ChannelMember) -> ChannelMember:
        values = member_values(member)
        async with self.db.write() as conn:
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
        return row_to_member(row)

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
        return [row_to_member(r) for r in rows]

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
        return [row_to_member(r) for r in rows]

    async def remove_member(self, channel_id: str, user_id: str) -> bool:
        async with self.db.write() as conn:
            res = await conn.execute(
                channelmembers.delete().where(
                    channelmembers.c.channelid == channel_id, channelmembers.c.userid == user_id
                )
            )
        return bool(res.rowcount)

    async def remove_members_of_team(self, team_id: str, user_id: str) -> list[str]:
        sub = sa.select(channels.c.id).where(channels.c.teamid == team_id)
        async with self.db.write() as conn:
            rows = (
                await conn.execute(
                    sa.select(channelmembers.c.channelid).where(
                        channelmembers.c.userid == user_id, channelmembers.c.channelid.in_(sub)
                    )
                )
            ).all()
            await conn.execute(
                channelmembers.delete().where(
                    channelmembers.c.userid == user_id, channelmembers.c.channelid.in_(sub)
                )
            )
        return [r[0] for r in rows]

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

    async def view(self, user_id: str, channel_ids: Sequence[str], now: int) -> dict[str, int]:
        """Mark channels read: counters catch up with the channel, last_viewed_at = last post time."""
        if not channel_ids:
            return {}
        ids = list(channel_ids)
        ch = channels.alias("ch")

        def col(name: str) -> Any:
            return sa.select(ch.c[name]).where(ch.c.id == channelmembers.c.channelid).scalar_subquery()

        async with self.db.write() as conn:
            await conn.execute(
                channelmembers.update()
                .where(channelmembers.c.userid == user_id, channelmembers.c.channelid.in_(ids))
                .values(
                    mentioncount=0,
                    mentioncountroot=0,
                    urgentmentioncount=0,
                    msgcount=col("totalmsgcount"),
                    msgcountroot=col("totalmsgcountroot"),
                    lastviewedat=col("lastpostat"),
                    lastupdateat=now,
                )
            )
            rows = (
                await conn.execute(
                    sa.select(channelmembers.c.channelid, channelmembers.c.lastviewedat).where(
                        channelmembers.c.userid == user_id, channelmembers.c.channelid.in_(ids)
                    )
                )
            ).all()
        return {r[0]: int(r[1]) for r in rows}

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
        """Per team: unread messages and mentions over the user's channels (Mattermost's
        GetTeamsUnreadForUser: channels marked ``mark_unread: mention`` count mentions only)."""
        q = (
            sa.select(
                channels.c.teamid,
                channels.c.totalmsgcount - channelmembers.c.msgcount,
                channelmembers.c.mentioncount,
                channelmembers.c.mentioncountroot,
                channels.c.totalmsgcountroot - channelmembers.c.msgcountroot,
                channelmembers.c.notifyprops,
            )
            .select_from(channelmembers.join(channels, channels.c.id == channelmembers.c.channelid))
            .where(channelmembers.c.userid == user_id, channels.c.deleteat == 0, channels.c.teamid != "")
        )
        if exclude_team:
            q = q.where(channels.c.teamid != exclude_team)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        out: dict[str, TeamUnread] = {}
        for team_id, msgs, mentions, mentions_root, msgs_root, props in rows:
            u = out.setdefault(team_id, TeamUnread(team_id=team_id))
            u.mention_count += int(mentions or 0)
            u.mention_count_root += int(mentions_root or 0)
            if (props or {}).get("mark_unread") != "mention":
                u.msg_count += max(0, int(msgs or 0))
                u.msg_count_root += max(0, int(msgs_root or 0))
        return list(out.values())

"""Counts and id lists the apps ask for: users matching filters (GET /users/stats[/filtered]),
the users someone shares a channel with (GET /users/known), and unread thread mentions per channel
(GET /users/{id}/teams/{id}/threads/mention_counts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import channelmembers, teammembers, threadmemberships, threads, users

_ROLE_FLAGS = {"admin": "schemeadmin", "user": "schemeuser", "guest": "schemeguest"}


def _member_role_filter(table: Any, roles: Sequence[str], prefix: str) -> Any:
    """Mattermost's scheme-role filters on team/channel members: admin, plain user, guest."""
    conds = []
    for role in roles:
        kind = role.removeprefix(prefix)
        if kind == "admin":
            conds.append(table.c.schemeadmin == sa.true())
        elif kind == "user":
            conds.append(sa.and_(table.c.schemeuser == sa.true(), table.c.schemeadmin == sa.false()))
        elif kind == "guest":
            conds.append(table.c.schemeguest == sa.true())
    return sa.or_(*conds) if conds else sa.false()


class SqlStatsStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def count_users(
        self,
        *,
        include_deleted: bool = False,
        include_bots: bool = True,
        include_remote: bool = True,
        in_team: str = "",
        in_channel: str = "",
        roles: Sequence[str] = (),
        team_roles: Sequence[str] = (),
        channel_roles: Sequence[str] = (),
        user_ids: Sequence[str] | None = None,
    ) -> int:
        q = sa.select(sa.func.count()).select_from(users)
        if not include_deleted:
            q = q.where(users.c.deleteat == 0)
        if not include_bots:
            q = q.where(users.c.isbot == sa.false())
        if not include_remote:
            q = q.where(sa.or_(users.c.remoteid.is_(None), users.c.remoteid == ""))
        if roles:
            q = q.where(sa.or_(*[sa.or_(users.c.roles == r, users.c.roles.like(f"% {r}"),
                                        users.c.roles.like(f"{r} %"), users.c.roles.like(f"% {r} %"))
                                 for r in roles]))
        if in_team:
            members = sa.select(teammembers.c.userid).where(teammembers.c.teamid == in_team,
                                                            teammembers.c.deleteat == 0)
            if team_roles:
                members = members.where(_member_role_filter(teammembers, team_roles, "team_"))
            q = q.where(users.c.id.in_(members))
        if in_channel:
            members = sa.select(channelmembers.c.userid).where(channelmembers.c.channelid == in_channel)
            if channel_roles:
                members = members.where(_member_role_filter(channelmembers, channel_roles, "channel_"))
            q = q.where(users.c.id.in_(members))
        if user_ids is not None:
            q = q.where(users.c.id.in_(list(user_ids)))
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())

    async def known_user_ids(self, user_id: str) -> list[str]:
        """Active users who share at least one channel with ``user_id`` (not ``user_id`` itself)."""
        mine = channelmembers.alias("mine")
        theirs = channelmembers.alias("theirs")
        q = (
            sa.select(theirs.c.userid)
            .distinct()
            .select_from(mine.join(theirs, theirs.c.channelid == mine.c.channelid)
                         .join(users, users.c.id == theirs.c.userid))
            .where(mine.c.userid == user_id, theirs.c.userid != user_id, users.c.deleteat == 0)
            .order_by(theirs.c.userid)
        )
        async with self.db.read() as conn:
            return [r[0] for r in (await conn.execute(q)).all()]

    async def thread_mentions_by_channel(self, user_id: str, team_id: str) -> dict[str, int]:
        """channel id → unread mentions in the threads ``user_id`` follows there (team channels and
        direct/group messages), for channels the user is still in."""
        in_channel = (
            sa.select(channelmembers.c.userid)
            .where(channelmembers.c.channelid == threads.c.channelid, channelmembers.c.userid == user_id)
            .exists()
        )
        q = (
            sa.select(threads.c.channelid, sa.func.sum(threadmemberships.c.unreadmentions))
            .select_from(threadmemberships.join(threads, threads.c.postid == threadmemberships.c.postid))
            .where(
                threadmemberships.c.userid == user_id,
                threadmemberships.c.following == sa.true(),
                threadmemberships.c.unreadmentions > 0,
                threads.c.threaddeleteat == 0,
                sa.or_(threads.c.threadteamid == team_id, threads.c.threadteamid == ""),
                in_channel,
            )
            .group_by(threads.c.channelid)
        )
        async with self.db.read() as conn:
            return {r[0]: int(r[1] or 0) for r in (await conn.execute(q)).all()}

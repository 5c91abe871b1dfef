"""Searches the apps and the System Console make by a term: personal access tokens
by owner, token or id; and the time zones of a channel's members."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.model.channel import Channel
from chinwag.model.integration import UserAccessToken
from chinwag.model.user import User
from chinwag.store.sql.channel_store import CHANNEL
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import channelmembers, channels, useraccesstokens, users
from chinwag.store.sql.token_store import TOKEN
from chinwag.store.sql.user_store import USER
from chinwag.store.sql.user_store import _select as _user_select


def _prefix(term: str) -> str:
    return term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SqlLookupStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def search_tokens(self, term: str, limit: int = 100) -> list[UserAccessToken]:
        q = (
            sa.select(useraccesstokens)
            .select_from(useraccesstokens.join(users, users.c.id == useraccesstokens.c.userid))
            .where(sa.or_(sa.func.lower(users.c.username).like(_prefix(term), escape="\\"),
                          useraccesstokens.c.userid == term, useraccesstokens.c.id == term))
            .order_by(users.c.username, useraccesstokens.c.id)
            .limit(limit)
        )
        async with self.db.read() as conn:
            return TOKEN.all((await conn.execute(q)).all())

    async def member_timezones(self, channel_id: str) -> list[dict[str, str]]:
        q = (
            sa.select(users.c.timezone)
            .select_from(channelmembers.join(users, users.c.id == channelmembers.c.userid))
            .where(channelmembers.c.channelid == channel_id, users.c.deleteat == 0)
        )
        async with self.db.read() as conn:
            return [r[0] or {} for r in (await conn.execute(q)).all()]

    async def group_channel_members(self, user_id: str, channel_ids: list[str]) -> dict[str, list[User]]:
        """The members of each group message among ``channel_ids`` that ``user_id`` is in."""
        if not channel_ids:
            return {}
        mine = sa.select(channelmembers.c.channelid).where(channelmembers.c.userid == user_id)
        gms = sa.select(channels.c.id).where(channels.c.id.in_(channel_ids), channels.c.type == "G",
                                             channels.c.id.in_(mine))
        q = (
            _user_select().add_columns(channelmembers.c.channelid.label("gm_channel_id"))
            .join(channelmembers, channelmembers.c.userid == users.c.id)
            .where(channelmembers.c.channelid.in_(gms))
            .order_by(users.c.username)
        )
        out: dict[str, list[User]] = {}
        async with self.db.read() as conn:
            for r in (await conn.execute(q)).all():
                out.setdefault(r._mapping["gm_channel_id"], []).append(USER.one(r))
        return out

    async def search_group_channels(self, user_id: str, term: str, limit: int = 50) -> list[Channel]:
        """``user_id``'s group messages with a member whose username, name or nickname starts with
        ``term``."""
        like = _prefix(term)
        mine = sa.select(channelmembers.c.channelid).where(channelmembers.c.userid == user_id)
        matching = (
            sa.select(channelmembers.c.channelid)
            .select_from(channelmembers.join(users, users.c.id == channelmembers.c.userid))
            .where(sa.or_(*[sa.func.lower(col).like(like, escape="\\")
                            for col in (users.c.username, users.c.firstname, users.c.lastname, users.c.nickname)]))
        )
        q = (sa.select(channels).where(channels.c.type == "G", channels.c.id.in_(mine), channels.c.id.in_(matching),
                                       channels.c.deleteat == 0)
             .order_by(channels.c.displayname, channels.c.id).limit(limit))
        async with self.db.read() as conn:
            return CHANNEL.all((await conn.execute(q)).all())

"""Bots: a ``bots`` row next to the bot's ``users`` row (written together in one transaction)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.integration import Bot
from chinwag.model.user import User
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import conflict_from
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import bots, users
from chinwag.store.sql.user_store import USER

_COLS: list[Any] = [*bots.c, users.c.username, users.c.firstname]


#: the user columns come from _select()'s join with users
BOT = RowMap(Bot, bots, read={"username": "{username}", "display_name": "{firstname}"})


def _select() -> sa.Select[Any]:
    return sa.select(*_COLS).select_from(bots.join(users, users.c.id == bots.c.userid))


class SqlBotStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, bot: Bot, user: User, conn: AsyncConnection | None = None) -> Bot:
        """Insert the bot's user and the bot; Conflict (username/email) leaves nothing written."""
        try:
            async with self.db.write_in(conn) as conn:
                await conn.execute(users.insert().values(**USER.values(user), password=""))
                await conn.execute(bots.insert().values(
                    userid=bot.user_id, description=bot.description, ownerid=bot.owner_id,
                    lasticonupdate=bot.last_icon_update, createat=bot.create_at, updateat=bot.update_at,
                    deleteat=bot.delete_at))
        except IntegrityError as e:
            raise conflict_from(e, "user") from None
        return bot

    async def convert_from_user(self, bot: Bot, conn: AsyncConnection | None = None) -> Bot:
        """Make an existing user a bot: the bot row, the user flagged, its password cleared."""
        async with self.db.write_in(conn) as conn:
            await conn.execute(users.update().where(users.c.id == bot.user_id).values(
                isbot=True, password="", botdescription=bot.description, updateat=bot.update_at))
            await conn.execute(bots.insert().values(
                userid=bot.user_id, description=bot.description, ownerid=bot.owner_id,
                lasticonupdate=bot.last_icon_update, createat=bot.create_at, updateat=bot.update_at, deleteat=0))
        return bot

    async def convert_to_user(self, user_id: str, password_hash: str, now: int,
                              conn: AsyncConnection | None = None) -> None:
        """Make a bot a regular user that logs in with ``password_hash``."""
        async with self.db.write_in(conn) as conn:
            await conn.execute(bots.delete().where(bots.c.userid == user_id))
            await conn.execute(users.update().where(users.c.id == user_id).values(
                isbot=False, botdescription="", password=password_hash, lastpasswordupdate=now, updateat=now,
                deleteat=0))

    async def update(self, bot: Bot, user: User | None = None, conn: AsyncConnection | None = None) -> Bot:
        """Update the bot (and, when given, its user) together."""
        try:
            async with self.db.write_in(conn) as conn:
                if user is not None:
                    values = USER.values(user)
                    del values["id"], values["createat"]
                    await conn.execute(users.update().where(users.c.id == user.id).values(**values))
                res = await conn.execute(bots.update().where(bots.c.userid == bot.user_id).values(
                    description=bot.description, ownerid=bot.owner_id, lasticonupdate=bot.last_icon_update,
                    updateat=bot.update_at, deleteat=bot.delete_at))
                if res.rowcount == 0:
                    raise NotFound("bot", bot.user_id)
        except IntegrityError as e:
            raise conflict_from(e, "user") from None
        return bot

    async def get(self, user_id: str, include_deleted: bool = False) -> Bot:
        q = _select().where(bots.c.userid == user_id)
        if not include_deleted:
            q = q.where(bots.c.deleteat == 0)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("bot", user_id)
        return BOT.one(row)

    async def list_bots(self, *, owner_id: str = "", include_deleted: bool = False, only_orphaned: bool = False,
                   offset: int = 0, limit: int = 60) -> list[Bot]:
        q = _select()
        if owner_id:
            q = q.where(bots.c.ownerid == owner_id)
        if not include_deleted:
            q = q.where(bots.c.deleteat == 0)
        if only_orphaned:
            owner = users.alias("owner")
            q = q.where(~sa.exists().where(owner.c.id == bots.c.ownerid, owner.c.deleteat == 0))
        q = q.order_by(users.c.username).offset(offset).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return BOT.all(rows)

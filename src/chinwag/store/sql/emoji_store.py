"""Custom emoji rows (soft-deleted: a name is unique among live emoji)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.emoji import Emoji
from chinwag.store.errors import Conflict, NotFound
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import emoji

EMOJI = RowMap(Emoji, emoji)


def _live() -> Any:
    return sa.select(emoji).where(emoji.c.deleteat == 0)


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlEmojiStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, e: Emoji, conn: AsyncConnection | None = None) -> Emoji:
        try:
            async with self.db.write_in(conn) as conn:
                await conn.execute(emoji.insert().values(
                    id=e.id, createat=e.create_at, updateat=e.update_at, deleteat=0, creatorid=e.creator_id,
                    name=e.name))
        except IntegrityError:
            raise Conflict("emoji", "name") from None
        return e

    async def get(self, emoji_id: str, include_deleted: bool = False) -> Emoji:
        q = sa.select(emoji).where(emoji.c.id == emoji_id)
        if not include_deleted:
            q = q.where(emoji.c.deleteat == 0)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("emoji", emoji_id)
        return EMOJI.one(row)

    async def get_by_name(self, name: str) -> Emoji:
        async with self.db.read() as conn:
            row = (await conn.execute(_live().where(emoji.c.name == name))).first()
        if row is None:
            raise NotFound("emoji", name)
        return EMOJI.one(row)

    async def get_by_names(self, names: Sequence[str]) -> list[Emoji]:
        if not names:
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(_live().where(emoji.c.name.in_(list(set(names)))).order_by(
                emoji.c.name))).all()
        return EMOJI.all(rows)

    async def page(self, page: int, per_page: int, by_name: bool) -> list[Emoji]:
        order = [emoji.c.name] if by_name else [emoji.c.createat, emoji.c.id]
        q = _live().order_by(*order).offset(page * per_page).limit(per_page)
        async with self.db.read() as conn:
            return EMOJI.all((await conn.execute(q)).all())

    async def search(self, term: str, prefix_only: bool, limit: int) -> list[Emoji]:
        pattern = _like_escape(term.lower()) + "%"
        if not prefix_only:
            pattern = "%" + pattern
        q = (_live().where(sa.func.lower(emoji.c.name).like(pattern, escape="\\"))
             .order_by(emoji.c.name).limit(limit))
        async with self.db.read() as conn:
            return EMOJI.all((await conn.execute(q)).all())

    async def delete(self, emoji_id: str, now: int) -> None:
        async with self.db.write() as conn:
            res = await conn.execute(emoji.update().where(emoji.c.id == emoji_id, emoji.c.deleteat == 0)
                                     .values(deleteat=now, updateat=now))
        if res.rowcount == 0:
            raise NotFound("emoji", emoji_id)

    async def all_live(self) -> list[Emoji]:
        async with self.db.read() as conn:
            return EMOJI.all((await conn.execute(_live().order_by(emoji.c.name))).all())

"""One-time tokens (Mattermost's Tokens table): saved once, consumed once."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.store.errors import NotFound
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import tokens


class SqlOneTimeTokenStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, token: str, type_: str, extra: str, now: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(tokens.insert().values(token=token, type=type_, extra=extra, createat=now))

    async def get(self, token: str) -> tuple[str, str, int]:
        """(type, extra, createat) of a token; NotFound when it is unknown."""
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(tokens.c.type, tokens.c.extra, tokens.c.createat).where(tokens.c.token == token)
            )).first()
        if row is None:
            raise NotFound("token", token)
        return str(row.type), str(row.extra), int(row.createat)

    async def remove_type(self, type_: str) -> int:
        """Delete every token of a type (pending invitations); how many were deleted."""
        async with self.db.write() as conn:
            res = await conn.execute(tokens.delete().where(tokens.c.type == type_))
        return int(res.rowcount or 0)

    async def consume(self, token: str, type_: str) -> tuple[str, int]:
        """Delete the token and return its (extra, createat); NotFound when it is unknown or already used."""
        async with self.db.write() as conn:
            row = (await conn.execute(
                sa.select(tokens.c.extra, tokens.c.createat).where(tokens.c.token == token, tokens.c.type == type_)
            )).first()
            if row is None:
                raise NotFound("token", token)
            res = await conn.execute(tokens.delete().where(tokens.c.token == token))
            if res.rowcount != 1:
                raise NotFound("token", token)
        return str(row.extra), int(row.createat)

    async def remove_older_than(self, type_: str, before: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(tokens.delete().where(tokens.c.type == type_, tokens.c.createat < before))

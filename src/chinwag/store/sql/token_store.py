"""Personal access tokens (``useraccesstokens``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.integration import UserAccessToken
from chinwag.store.errors import NotFound
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import useraccesstokens as t

TOKEN = RowMap(UserAccessToken, t)


class SqlUserAccessTokenStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, token: UserAccessToken) -> UserAccessToken:
        async with self.db.write() as conn:
            await conn.execute(t.insert().values(id=token.id, token=token.token, userid=token.user_id,
                                                 description=token.description, isactive=token.is_active))
        return token

    async def _one(self, cond: Any, key: str) -> UserAccessToken:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(t).where(cond))).first()
        if row is None:
            raise NotFound("user_access_token", key)
        return TOKEN.one(row)

    async def get(self, token_id: str) -> UserAccessToken:
        return await self._one(t.c.id == token_id, token_id)

    async def get_by_token(self, token: str) -> UserAccessToken:
        return await self._one(t.c.token == token, "")

    async def list_tokens(self, *, user_id: str = "", offset: int = 0, limit: int = 60) -> list[UserAccessToken]:
        q = sa.select(t)
        if user_id:
            q = q.where(t.c.userid == user_id)
        q = q.order_by(t.c.id).offset(offset).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return TOKEN.all(rows)

    async def set_active(self, token_id: str, active: bool) -> None:
        async with self.db.write() as conn:
            await conn.execute(t.update().where(t.c.id == token_id).values(isactive=active))

    async def disable_for_user(self, user_id: str, conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            await conn.execute(t.update().where(t.c.userid == user_id).values(isactive=False))

    async def delete(self, token_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(t.delete().where(t.c.id == token_id))

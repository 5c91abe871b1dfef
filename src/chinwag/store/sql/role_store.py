"""Roles rows (Mattermost's Roles table): permissions kept space-separated as Mattermost does."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.role import Role
from chinwag.store.errors import NotFound
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import roles

#: permissions are one space-separated text column, as in Mattermost's Roles table
ROLE = RowMap(Role, roles, read={"permissions": "({permissions} or '').split()"},
              write={"permissions": lambda r: " ".join(r.permissions)})


class SqlRoleStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_all(self) -> list[Role]:
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(roles).order_by(roles.c.name))).all()
        return ROLE.all(rows)

    async def get(self, role_id: str) -> Role:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(roles).where(roles.c.id == role_id))).first()
        if row is None:
            raise NotFound("role", role_id)
        return ROLE.one(row)

    async def get_by_name(self, name: str) -> Role:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(roles).where(roles.c.name == name))).first()
        if row is None:
            raise NotFound("role", name)
        return ROLE.one(row)

    async def get_by_names(self, names: Sequence[str]) -> list[Role]:
        if not names:
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(roles).where(roles.c.name.in_(list(set(names))))
                                       .order_by(roles.c.name))).all()
        return ROLE.all(rows)

    async def insert_missing(self, candidates: Sequence[Role]) -> list[Role]:
        """Insert the roles whose name is not stored yet (another node may race: its row wins)."""
        existing = {r.name for r in await self.get_all()}
        added = []
        for role in candidates:
            if role.name in existing:
                continue
            try:
                async with self.db.write() as conn:
                    await conn.execute(roles.insert().values(**ROLE.values(role)))
            except IntegrityError:
                continue
            added.append(role)
        return added

    async def update_permissions(self, role_id: str, permissions: Sequence[str], update_at: int,
                                 conn: AsyncConnection | None = None) -> Role:
        """The role as it is now (read in the same transaction)."""
        async with self.db.write_in(conn) as conn:
            n = (await conn.execute(roles.update().where(roles.c.id == role_id).values(
                permissions=" ".join(permissions), updateat=update_at))).rowcount
            if not n:
                raise NotFound("role", role_id)
            return ROLE.one((await conn.execute(sa.select(roles).where(roles.c.id == role_id))).one())

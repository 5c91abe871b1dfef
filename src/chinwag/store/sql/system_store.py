"""The Systems key/value table (diagnostic id, first-run markers, …)."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import systems


class SqlSystemStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, name: str) -> str | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(systems.c.value).where(systems.c.name == name))).first()
        return None if row is None else str(row[0])

    async def set(self, name: str, value: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, systems, ["name"], ["value"]).values(name=name, value=value))

    async def set_if_absent(self, name: str, value: str) -> str:
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, systems, ["name"]).values(name=name, value=value))
            row = (await conn.execute(sa.select(systems.c.value).where(systems.c.name == name))).first()
        return str(row[0]) if row else value

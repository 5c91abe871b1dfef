"""The plugins' key/value store (table ``pluginkeyvaluestore``): one namespace per plugin id, values
as bytes, optional expiry (milliseconds; 0 never), compare-and-set as one conditional statement."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import pluginkeyvaluestore as kv
from chinwag.store.sql.tables import systems

#: ``systems`` rows holding each node's plugin statuses (JSON), for GET /plugins/statuses cluster-wide
STATUS_PREFIX = "PluginStatuses:"


def _insert_if_absent(conn: AsyncConnection) -> Any:
    """INSERT that does nothing when the key exists, with a row count of 0 then. On MySQL/MariaDB that is
    INSERT IGNORE: the ON DUPLICATE KEY form counts a found row as affected (SQLAlchemy's FOUND_ROWS)."""
    if conn.dialect.name == "mysql":
        return mysql.insert(kv).prefix_with("IGNORE")
    return upsert(conn, kv, ["pluginid", "pkey"])


def _live(now: int) -> sa.ColumnElement[bool]:
    return sa.or_(kv.c.expireat == 0, kv.c.expireat > now)


class SqlPluginStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, plugin_id: str, key: str, now: int) -> bytes | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(kv.c.pvalue).where(
                kv.c.pluginid == plugin_id, kv.c.pkey == key, _live(now)))).first()
        return None if row is None or row[0] is None else bytes(row[0])

    async def set(self, plugin_id: str, key: str, value: bytes, expire_at: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, kv, ["pluginid", "pkey"], ["pvalue", "expireat"]).values(
                pluginid=plugin_id, pkey=key, pvalue=value, expireat=expire_at))

    async def compare_and_set(self, plugin_id: str, key: str, old: bytes | None, new: bytes | None,
                              now: int) -> bool:
        """Set ``key`` to ``new`` (None: delete) only if its current value is ``old`` (None: absent or
        expired). One statement decides, so of two racing callers exactly one wins."""
        async with self.db.write() as conn:
            if old is None:
                await conn.execute(kv.delete().where(kv.c.pluginid == plugin_id, kv.c.pkey == key,
                                                     kv.c.expireat != 0, kv.c.expireat <= now))
                if new is None:
                    return (await self._exists(conn, plugin_id, key, now)) is False
                result = await conn.execute(_insert_if_absent(conn).values(
                    pluginid=plugin_id, pkey=key, pvalue=new, expireat=0))
                return bool(result.rowcount)
            match = sa.and_(kv.c.pluginid == plugin_id, kv.c.pkey == key, kv.c.pvalue == old, _live(now))
            if new is None:
                result = await conn.execute(kv.delete().where(match))
            else:
                result = await conn.execute(kv.update().where(match).values(pvalue=new, expireat=0))
            return bool(result.rowcount)

    @staticmethod
    async def _exists(conn: AsyncConnection, plugin_id: str, key: str, now: int) -> bool:
        row = (await conn.execute(sa.select(kv.c.pkey).where(
            kv.c.pluginid == plugin_id, kv.c.pkey == key, _live(now)))).first()
        return row is not None

    async def delete(self, plugin_id: str, key: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(kv.delete().where(kv.c.pluginid == plugin_id, kv.c.pkey == key))

    async def delete_all(self, plugin_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(kv.delete().where(kv.c.pluginid == plugin_id))

    async def keys(self, plugin_id: str, now: int, offset: int, limit: int) -> list[str]:
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(kv.c.pkey).where(kv.c.pluginid == plugin_id, _live(now))
                                       .order_by(kv.c.pkey).offset(offset).limit(limit))).all()
        return [str(r[0]) for r in rows]

    async def save_statuses(self, node_id: str, value: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, systems, ["name"], ["value"]).values(name=STATUS_PREFIX + node_id,
                                                                                  value=value))

    async def all_statuses(self) -> dict[str, str]:
        """Every node's statuses row: node id → JSON."""
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(systems.c.name, systems.c.value)
                                       .where(systems.c.name.like(STATUS_PREFIX + "%")))).all()
        return {str(name)[len(STATUS_PREFIX):]: str(value) for name, value in rows}

    async def forget_statuses(self, node_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(systems.delete().where(systems.c.name == STATUS_PREFIX + node_id))

    async def delete_expired(self, now: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(kv.delete().where(kv.c.expireat != 0, kv.c.expireat <= now))

"""Helpers shared by the SQL stores: dialect-aware upsert, integrity-error mapping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.errors import Conflict, NotFound

#: ``deleteat = 0`` and ``rootid = ''`` as SQL literals, not parameters: PostgreSQL plans a prepared statement
#: generically after five runs, and with ``rootid = $n AND deleteat = $m`` it could not tell these common values
#: from rare ones — the collapsed posts page went to a bitmap of every root post of the table and a sort
#: (~1,400 buffers and 10 ms per page instead of ~100 and 0.4 ms), the pinned count off its partial index
ZERO = sa.literal_column("0", sa.BigInteger)
EMPTY = sa.literal_column("''", sa.String)


def upsert(
    conn: AsyncConnection, table: sa.Table, keys: Sequence[str], update: Sequence[str] | None = None,
    *, changed_only: bool = False,
) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET update-columns (or DO NOTHING).

    On MySQL/MariaDB ``INSERT … ON DUPLICATE KEY UPDATE``, which fires on any unique key of the table
    (the callers' tables have no unique key besides ``keys`` that a row could collide on), and "do
    nothing" is ``SET key = key`` (not ``INSERT IGNORE``, which would also swallow other errors).
    ``changed_only``: PostgreSQL and SQLite leave a conflicting row whose update columns already hold the
    new values unwritten (``DO UPDATE … WHERE``); MySQL/MariaDB does not write such a row anyway."""
    if conn.dialect.name == "mysql":
        my: Any = mysql.insert(table)
        if update:
            return my.on_duplicate_key_update({c: my.inserted[c] for c in update})
        return my.on_duplicate_key_update({keys[0]: table.c[keys[0]]})
    ins: Any = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    if update:
        # ``changed_only``: a row whose update columns already hold the new values is left as it is
        where = sa.or_(*(table.c[c].is_distinct_from(ins.excluded[c]) for c in update)) if changed_only else None
        return ins.on_conflict_do_update(index_elements=list(keys), set_={c: ins.excluded[c] for c in update},
                                         where=where)
    return ins.on_conflict_do_nothing(index_elements=list(keys))


def conflict_from(e: IntegrityError, what: str) -> Conflict:
    msg = str(e.orig).lower()
    for field in ("username", "email", "name", "token", "authdata"):
        if field in msg:
            return Conflict(what, field)
    return Conflict(what, "")


def greatest(conn: AsyncConnection, *args: Any) -> Any:
    """GREATEST on PostgreSQL and MySQL, MAX(a, b) on SQLite."""
    if conn.dialect.name in ("postgresql", "mysql"):
        return sa.func.greatest(*args)
    return sa.func.max(*args)


# Rows with Mattermost's soft delete (deleteat != 0 means gone) --------------------------------

async def insert_row(db: Any, table: sa.Table, values: dict[str, Any]) -> None:
    async with db.write() as conn:
        await conn.execute(table.insert().values(**values))


async def update_live(db: Any, table: sa.Table, row_id: str, values: dict[str, Any], what: str) -> None:
    """Update a row that is not deleted; NotFound when there is none."""
    values = {k: v for k, v in values.items() if k != "id"}
    async with db.write() as conn:
        res = await conn.execute(
            table.update().where(table.c.id == row_id, table.c.deleteat == 0).values(**values))
    if res.rowcount == 0:
        raise NotFound(what, row_id)


async def get_live(db: Any, table: sa.Table, row_id: str, what: str) -> Any:
    """The row with that id that is not deleted; NotFound when there is none."""
    q = sa.select(table).where(table.c.id == row_id, table.c.deleteat == 0)
    async with db.read() as conn:
        row = (await conn.execute(q)).first()
    if row is None:
        raise NotFound(what, row_id)
    return row


async def soft_delete(db: Any, table: sa.Table, row_id: str, now: int) -> None:
    async with db.write() as conn:
        await conn.execute(
            table.update().where(table.c.id == row_id, table.c.deleteat == 0).values(deleteat=now, updateat=now))

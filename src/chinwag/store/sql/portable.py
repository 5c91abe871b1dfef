"""Copying a whole database between kinds (SQLite ↔ PostgreSQL ↔ MySQL) row for row, through the table
metadata in ``tables.py``: ids, password hashes, sessions, integrations, preferences and read positions
come across unchanged. Both sides must be at the same schema revision (the caller migrates them first).
Used by ``chinwag backup`` for restores across database kinds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.sql import tables
from chinwag.store.sql.engine import Database

#: PostgreSQL takes at most 32767 bind parameters per statement
MAX_PARAMS = 30_000


def _insert_table(table: sa.Table) -> sa.Table:
    """``table`` with JSON columns that keep SQL NULL as NULL (not the JSON text ``null``)."""
    cols: list[sa.Column[Any]] = []
    for c in table.columns:
        typ: Any = c.type
        if isinstance(c.type, sa.JSON):
            typ = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
        cols.append(sa.Column(c.name, typ))
    return sa.Table(table.name, sa.MetaData(), *cols)


def copy_order() -> list[sa.Table]:
    return list(tables.metadata.sorted_tables)


@asynccontextmanager
async def snapshot(db: Database) -> AsyncIterator[AsyncConnection]:
    """A read transaction that sees one consistent state of the whole database while writers go on
    (REPEATABLE READ on PostgreSQL — ``pg_export_snapshot()`` in it lets pg_dump share it — and on
    MySQL/MariaDB, where InnoDB takes the snapshot at the first read; a read transaction on SQLite in
    WAL mode)."""
    async with db.engine.connect() as conn:
        if not db.is_sqlite:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            yield conn


async def copy_database(src: AsyncConnection, dst: Database, progress: Callable[[str, int], None] | None = None,
                        ) -> dict[str, int]:
    """Replace every row of ``dst`` with the rows ``src`` sees, in one transaction on ``dst`` (a failure
    leaves ``dst`` as it was). Returns the rows copied per table."""
    counts: dict[str, int] = {}
    order = copy_order()
    async with dst.write() as out:
        for table in reversed(order):
            await out.execute(table.delete())
        for table in order:
            target = _insert_table(table)
            batch = max(1, MAX_PARAMS // len(table.columns))
            names = [c.name for c in table.columns]
            key = [table.c[c.name] for c in table.primary_key.columns] or [table.c[names[0]]]
            result = await src.stream(sa.select(*(table.c[n] for n in names)).order_by(*key))
            n = 0
            async for rows in result.partitions(batch):
                await out.execute(sa.insert(target), [dict(zip(names, r, strict=True)) for r in rows])
                n += len(rows)
            counts[table.name] = n
            if progress is not None:
                progress(table.name, n)
    return counts

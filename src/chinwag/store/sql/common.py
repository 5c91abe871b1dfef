"""Helpers shared by the SQL stores: dialect-aware upsert, integrity-error mapping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.errors import Conflict


def upsert(
    conn: AsyncConnection, table: sa.Table, keys: Sequence[str], update: Sequence[str] | None = None
) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET update-columns (or DO NOTHING)."""
    ins: Any = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    if update:
        return ins.on_conflict_do_update(index_elements=list(keys), set_={c: ins.excluded[c] for c in update})
    return ins.on_conflict_do_nothing(index_elements=list(keys))


def conflict_from(e: IntegrityError, what: str) -> Conflict:
    msg = str(e.orig).lower()
    for field in ("username", "email", "name", "token", "authdata"):
        if field in msg:
            return Conflict(what, field)
    return Conflict(what, "")


def greatest(conn: AsyncConnection, *args: Any) -> Any:
    """GREATEST on PostgreSQL, MAX(a, b) on SQLite."""
    if conn.dialect.name == "postgresql":
        return sa.func.greatest(*args)
    return sa.func.max(*args)

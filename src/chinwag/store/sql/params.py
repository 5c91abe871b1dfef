"""``column IN (ids)`` for long id lists: on PostgreSQL one array parameter (``= ANY($1)``), so a
list of a thousand ids costs no per-item statement compilation (SQLAlchemy renders an expanding IN
item by item, which dominated @channel notification work in a 1,000-member channel) and the
statement text stays the same for the driver's prepared-statement cache. SQLite and MySQL expand the list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

#: shorter lists are expanded everywhere (the plain IN is as cheap and plans the same)
_ARRAY_FROM = 16


def id_in(column: Any, ids: Iterable[str], dialect: str) -> sa.ColumnElement[bool]:
    """``column IN ids``; ``dialect`` is the database driver's name ("postgres"/"postgresql", "sqlite", "mysql")."""
    values = list(ids)
    if dialect not in ("postgres", "postgresql") or len(values) < _ARRAY_FROM:
        return column.in_(values)  # type: ignore[no-any-return]
    return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(sa.String(26)), unique=True))  # type: ignore[no-any-return]

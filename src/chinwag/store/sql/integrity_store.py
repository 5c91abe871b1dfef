"""Orphaned rows: child rows whose reference to a parent row points at nothing (``POST /integrity``)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from chinwag.store.sql import tables
from chinwag.store.sql.engine import Database


class SqlIntegrityStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def has_table(name: str) -> bool:
        return name in tables.metadata.tables

    async def orphans(self, parent: str, parent_attr: str, child: str, child_id_attr: str, *,
                      parent_may_be_empty: bool = False, child_type_in: Sequence[str] | None = None,
                      child_type_not_in: Sequence[str] | None = None) -> list[tuple[str | None, str | None]]:
        """(parent id, child id) of each ``child`` row whose ``parent_attr`` names no ``parent`` row, by
        parent id; the child id is None when ``child_id_attr`` is empty."""
        p = tables.metadata.tables[parent].alias("pt")
        c = tables.metadata.tables[child].alias("ct")
        fk = c.c[parent_attr]
        cols = [fk, c.c[child_id_attr] if child_id_attr else sa.null()]
        q = sa.select(*cols).where(~sa.exists(sa.select(sa.literal(1)).where(p.c.id == fk)))
        if parent_may_be_empty:
            q = q.where(fk != "")
        if child_type_in is not None:
            q = q.where(c.c.type.in_(list(child_type_in)))
        if child_type_not_in is not None:
            q = q.where(c.c.type.not_in(list(child_type_not_in)))
        q = q.order_by(fk)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [(r[0], r[1]) for r in rows]

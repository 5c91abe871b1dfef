"""User preferences (category/name/value strings)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.user import Preference
from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.params import id_in
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import preferences

PREFERENCE = RowMap(Preference, preferences)


class SqlPreferenceStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, prefs: Sequence[Preference], conn: AsyncConnection | None = None) -> None:
        if not prefs:
            return
        # one statement per 500 (a key given twice: its last value, as one upsert after another left
        # it); a row already holding its value is not written (no new row version, no WAL: the DM/GM view's
        # ``direct_channel_show`` is "true" again and again) — MySQL/MariaDB skips an unchanged row itself
        rows = [PREFERENCE.values(p) for p in {(p.user_id, p.category, p.name): p for p in prefs}.values()]
        async with self.db.write_in(conn) as conn:
            for i in range(0, len(rows), 500):
                await conn.execute(upsert(conn, preferences, ["userid", "category", "name"], ["value"],
                                          changed_only=True).values(rows[i:i + 500]))

    async def delete(self, prefs: Sequence[Preference], conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            for p in prefs:
                await conn.execute(
                    preferences.delete().where(
                        preferences.c.userid == p.user_id,
                        preferences.c.category == p.category,
                        preferences.c.name == p.name,
                    )
                )

    async def get_all(self, user_id: str, category: str = "", name: str = "") -> list[Preference]:
        q = sa.select(preferences).where(preferences.c.userid == user_id)
        if category:
            q = q.where(preferences.c.category == category)
        if name:
            q = q.where(preferences.c.name == name)
        q = q.order_by(preferences.c.category, preferences.c.name)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return PREFERENCE.all(rows)

    async def values_for(self, user_ids: Sequence[str], category: str, name: str) -> dict[str, str]:
        """One preference's value for each of ``user_ids`` that has it."""
        if not user_ids:
            return {}
        q = sa.select(preferences.c.userid, preferences.c.value).where(
            id_in(preferences.c.userid, user_ids, self.db.driver), preferences.c.category == category,
            preferences.c.name == name,
        )
        async with self.db.read() as conn:
            return {r[0]: r[1] for r in (await conn.execute(q)).all()}

    async def users_with(self, category: str, name: str) -> list[Preference]:
        q = sa.select(preferences).where(preferences.c.category == category, preferences.c.name == name)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return PREFERENCE.all(rows)

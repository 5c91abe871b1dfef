"""User statuses (online/away/offline/dnd)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from chinwag.model.user import Status
from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.params import id_in
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import status

#: ``active_channel`` lives in memory only (Mattermost keeps it in its status cache)
STATUS = RowMap(Status, status, skip=("active_channel",))


class SqlStatusStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, s: Status) -> None:
        await self.save_many([s])

    async def save_many(self, statuses: Sequence[Status]) -> None:
        """One statement for many users (a reconnect storm sets thousands online at once)."""
        if not statuses:
            return
        rows = [STATUS.values(s) for s in {s.user_id: s for s in statuses}.values()]
        if len(rows) <= 500:
            # the usual case (a sign-in, a status set, a reconnect): one statement, atomic by itself — on
            # PostgreSQL without the BEGIN and COMMIT round trips
            async with self.db.write_one() as conn:
                await conn.execute(
                    upsert(conn, status, ["userid"], ["status", "manual", "lastactivityat", "dndendtime"])
                    .values(rows))
            return
        async with self.db.write() as conn:
            for i in range(0, len(rows), 500):
                await conn.execute(
                    upsert(conn, status, ["userid"], ["status", "manual", "lastactivityat", "dndendtime"])
                    .values(rows[i:i + 500]))

    async def get_many(self, user_ids: Sequence[str]) -> list[Status]:
        if not user_ids:
            return []
        q = sa.select(status).where(id_in(status.c.userid, user_ids, self.db.driver))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return STATUS.all(rows)

    async def reset_all(self) -> None:
        """Mark every non-manual status offline (at start-up, when no connection exists)."""
        async with self.db.write() as conn:
            await conn.execute(status.update().where(status.c.manual == sa.false()).values(status="offline"))

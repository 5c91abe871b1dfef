"""The WebSocket event history in SQL (embedded mode) and connection checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import outbox, wsconnections, wsevents

#: a round of checkpoints on PostgreSQL: one statement whatever the count (an array per column), where an
#: executemany is one execution per row for the database (up to 400 a second: 0.39 statements per request of
#: the load test at 3,000 users, #27)
_PG_SAVE_CHECKPOINTS = sa.text(
    "INSERT INTO wsconnections (connectionid, userid, updateat, data) "
    "SELECT * FROM unnest(CAST(:ids AS varchar[]), CAST(:users AS varchar[]), CAST(:ats AS bigint[]), "
    "CAST(:datas AS text[])) "
    "ON CONFLICT (connectionid) DO UPDATE SET userid = excluded.userid, updateat = excluded.updateat, "
    "data = excluded.data")


class SqlEventStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def append(self, rows: Sequence[tuple[int, int, str]], done: Sequence[str] = ()) -> None:
        """Persist (pos, create_at, json) rows, and delete the outbox rows ``done`` (the events they
        held are these) in the same transaction."""
        if not rows:
            return
        values = [{"pos": p, "createat": t, "data": d} for p, t, d in rows]
        if not done:
            # the usual batch (events published outside a post's transaction: views, statuses,
            # reactions…): one INSERT, atomic by itself — on PostgreSQL without the BEGIN and COMMIT
            # round trips. Every answer that changed something and every live delivery waits for
            # this write, so its round trips count under load
            async with self.db.write_one() as conn:
                await conn.execute(wsevents.insert(), values)
            return
        async with self.db.write() as conn:
            await conn.execute(wsevents.insert(), values)
            await conn.execute(outbox.delete().where(outbox.c.id.in_(list(done))))

    async def append_in(self, conn: AsyncConnection, rows: Sequence[tuple[int, int, str]]) -> None:
        """Persist (pos, create_at, json) rows in the caller's transaction (the events of the change it
        commits: ``LocalStream.writing_in``)."""
        if rows:
            await conn.execute(wsevents.insert(), [{"pos": p, "createat": t, "data": d} for p, t, d in rows])

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, str]]:
        q = sa.select(wsevents.c.pos, wsevents.c.data).where(wsevents.c.pos > pos).order_by(
            wsevents.c.pos).limit(limit)
        async with self.db.read() as conn:
            return [(int(r[0]), str(r[1])) for r in (await conn.execute(q)).all()]

    async def bounds(self) -> tuple[int, int]:
        """(oldest retained pos, newest pos); (0, 0) when empty."""
        q = sa.select(sa.func.min(wsevents.c.pos), sa.func.max(wsevents.c.pos))
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None or row[0] is None:
            return 0, 0
        return int(row[0]), int(row[1])

    async def trim(self, older_than: int, keep_at_least_after: int) -> int:
        """Delete events created before ``older_than`` or at/below ``keep_at_least_after``, except the
        newest: it stays as the high-water mark, so positions continue after it at the next start
        even when the whole history has expired."""
        newest: Any = sa.select(sa.func.max(wsevents.c.pos)).scalar_subquery()
        async with self.db.write() as conn:
            if conn.dialect.name == "mysql":
                # MySQL cannot read the table a DELETE deletes from in a subquery (error 1093)
                newest = (await conn.execute(sa.select(sa.func.max(wsevents.c.pos)))).scalar()
                if newest is None:
                    return 0
            res = await conn.execute(wsevents.delete().where(
                sa.or_(wsevents.c.createat < older_than, wsevents.c.pos <= keep_at_least_after),
                wsevents.c.pos < newest))
            await conn.execute(wsconnections.delete().where(wsconnections.c.updateat < older_than))
        return int(res.rowcount or 0)

    async def save_checkpoints(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """(connection id, user id, update_at, json) rows."""
        if not rows:
            return
        if self.db.driver not in ("sqlite", "mysql"):  # PostgreSQL
            async with self.db.write_one() as conn:
                await conn.execute(_PG_SAVE_CHECKPOINTS, {
                    "ids": [r[0] for r in rows], "users": [r[1] for r in rows], "ats": [r[2] for r in rows],
                    "datas": [r[3] for r in rows]})
            return
        async with self.db.write() as conn:
            # one executemany instead of a statement per connection: every active connection's
            # checkpoint is written each second
            await conn.execute(upsert(conn, wsconnections, ["connectionid"], ["userid", "updateat", "data"]),
                               [{"connectionid": cid, "userid": uid, "updateat": t, "data": data}
                                for cid, uid, t, data in rows])

    async def load_checkpoint(self, connection_id: str) -> tuple[str, str] | None:
        q = sa.select(wsconnections.c.userid, wsconnections.c.data).where(
            wsconnections.c.connectionid == connection_id)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        return None if row is None else (str(row[0]), str(row[1]))

"""The push notification queue: one row per device and push, claimed by one node at a time through a
:class:`~chinwag.store.sql.lease.Lease`; a claim held by a node that died expires and another node sends
the push."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.sql.engine import Database
from chinwag.store.sql.lease import Lease
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import pushnotifications as q_

_COLS = (q_.c.id, q_.c.userid, q_.c.deviceid, q_.c.payload, q_.c.createat, q_.c.sendat, q_.c.attempts)


class PushQueueItem(msgspec.Struct):
    id: str
    user_id: str
    device_id: str
    #: the push proxy payload (JSON), device fields included
    payload: str
    create_at: int
    send_at: int
    attempts: int = 0


_LEASE = Lease(q_)


ITEM = RowMap(PushQueueItem, q_)


class SqlPushNotificationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, items: Sequence[PushQueueItem], claimed_by: str = "", now: int = 0,
                      conn: AsyncConnection | None = None) -> None:
        """Add rows (with ``conn``, in the caller's transaction); with ``claimed_by`` they start
        claimed by that node (which sends them at once)."""
        if not items:
            return
        held = {"claimedby": claimed_by, "claimedat": now if claimed_by else 0}
        rows = [{**ITEM.values(i), **held} for i in items]
        if conn is not None:
            await conn.execute(q_.insert(), rows)
            return
        async with self.db.write() as c:
            await c.execute(q_.insert(), rows)

    async def claim(self, node: str, now: int, stale_before: int, limit: int) -> list[PushQueueItem]:
        """Claim up to ``limit`` due rows for ``node``, oldest first."""
        async with self.db.write() as conn:
            rows = await _LEASE.claim(conn, node, now, stale_before, where=(q_.c.sendat <= now,),
                                      order_by=(q_.c.sendat, q_.c.id), limit=limit, returning=_COLS)
        return sorted(ITEM.all(rows), key=lambda i: (i.send_at, i.create_at, i.id))

    async def done(self, node: str, ids: Sequence[str]) -> None:
        """Sent, refused for good or given up: gone from the queue."""
        if not ids:
            return
        async with self.db.write() as conn:
            await _LEASE.remove(conn, node, ids)

    async def retry(self, node: str, item_id: str, send_at: int, error: str) -> None:
        """Sending failed: unclaimed again, due at ``send_at``."""
        async with self.db.write() as conn:
            await _LEASE.release(conn, node, [item_id], {"sendat": send_at, "attempts": q_.c.attempts + 1,
                                                         "lasterror": error[:1024]})

    async def pending(self) -> list[PushQueueItem]:
        q = sa.select(*_COLS).order_by(q_.c.createat, q_.c.id)
        async with self.db.read() as conn:
            return ITEM.all((await conn.execute(q)).all())

    async def next_due(self) -> int | None:
        """When the earliest unclaimed row is due (the job loop sleeps until then)."""
        async with self.db.read() as conn:
            v = (await conn.execute(sa.select(sa.func.min(q_.c.sendat)).where(q_.c.claimedby == ""))).scalar()
        return int(v) if v is not None else None

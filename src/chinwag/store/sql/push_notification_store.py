"""The push notification queue: one row per device and push, claimed by one node at a time.

Claims work like the email queue's (email_notification_store.py): one ``UPDATE … WHERE claimedby =
'' OR claimedat < stale … RETURNING``, so on PostgreSQL a row two nodes go for at once is claimed by
one of them only; a claim held by a node that died expires and another node sends the push."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import pushnotifications as q_

_COLS = (q_.c.id, q_.c.userid, q_.c.deviceid, q_.c.payload, q_.c.createat, q_.c.sendat, q_.c.attempts)


@dataclass
class PushQueueItem:
    id: str
    user_id: str
    device_id: str
    #: the push proxy payload (JSON), device fields included
    payload: str
    create_at: int
    send_at: int
    attempts: int = 0


def _item(r: Any) -> PushQueueItem:
    return PushQueueItem(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[6]))


class SqlPushNotificationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, items: Sequence[PushQueueItem], claimed_by: str = "", now: int = 0) -> None:
        """Add rows; with ``claimed_by`` they start claimed by that node (which sends them at once)."""
        if not items:
            return
        rows = [{"id": i.id, "userid": i.user_id, "deviceid": i.device_id, "payload": i.payload,
                 "createat": i.create_at, "sendat": i.send_at, "claimedby": claimed_by,
                 "claimedat": now if claimed_by else 0} for i in items]
        async with self.db.write() as conn:
            await conn.execute(q_.insert(), rows)

    async def claim(self, node: str, now: int, stale_before: int, limit: int) -> list[PushQueueItem]:
        """Claim up to ``limit`` due rows for ``node``, oldest first."""
        claimable = sa.or_(q_.c.claimedby == "", q_.c.claimedat < stale_before)
        due = sa.and_(q_.c.sendat <= now, claimable)
        ids_q = sa.select(q_.c.id).where(due).order_by(q_.c.sendat, q_.c.id).limit(limit)
        async with self.db.write() as conn:
            ids = [r[0] for r in (await conn.execute(ids_q)).all()]
            if not ids:
                return []
            stmt = q_.update().where(q_.c.id.in_(ids), due).values(claimedby=node, claimedat=now).returning(*_COLS)
            rows = (await conn.execute(stmt)).all()
        return sorted((_item(r) for r in rows), key=lambda i: (i.send_at, i.create_at, i.id))

    async def done(self, node: str, ids: Sequence[str]) -> None:
        """Sent, refused for good or given up: gone from the queue."""
        if not ids:
            return
        async with self.db.write() as conn:
            await conn.execute(q_.delete().where(q_.c.id.in_(list(ids)), q_.c.claimedby == node))

    async def retry(self, node: str, item_id: str, send_at: int, error: str) -> None:
        """Sending failed: unclaimed again, due at ``send_at``."""
        async with self.db.write() as conn:
            await conn.execute(
                q_.update()
                .where(q_.c.id == item_id, q_.c.claimedby == node)
                .values(claimedby="", claimedat=0, sendat=send_at, attempts=q_.c.attempts + 1,
                        lasterror=error[:1024])
            )

    async def pending(self) -> list[PushQueueItem]:
        q = sa.select(*_COLS).order_by(q_.c.createat, q_.c.id)
        async with self.db.read() as conn:
            return [_item(r) for r in (await conn.execute(q)).all()]

    async def next_due(self) -> int | None:
        """When the earliest unclaimed row is due (the job loop sleeps until then)."""
        async with self.db.read() as conn:
            v = (await conn.execute(sa.select(sa.func.min(q_.c.sendat)).where(q_.c.claimedby == ""))).scalar()
        return int(v) if v is not None else None

"""The outbox (table ``outbox``): what committed changes must still cause, written in their own
transaction; rows are held through a :class:`Lease` by the node relaying them. Every method takes the
caller's connection."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.sql.lease import Lease
from chinwag.store.sql.tables import outbox

_LEASE = Lease(outbox)


class OutboxRow(msgspec.Struct):
    id: str
    kind: str
    payload: str


class SqlOutboxStore:
    async def add(self, conn: AsyncConnection, rows: Sequence[OutboxRow], node: str, now: int) -> None:
        """Insert rows held by ``node`` from the start (it relays them right after the commit)."""
        if rows:
            await conn.execute(outbox.insert(), [
                {"id": r.id, "kind": r.kind, "payload": r.payload, "createat": now, "claimedby": node,
                 "claimedat": now} for r in rows])

    async def claim(self, conn: AsyncConnection, node: str, now: int, stale_before: int,
                    limit: int) -> list[OutboxRow]:
        """The oldest ``limit`` rows nobody holds (written by a process that relays elsewhere, or
        released) or whose holder stopped renewing (it died), now held by ``node``, oldest first."""
        rows = await _LEASE.claim(conn, node, now, stale_before, order_by=(outbox.c.createat, outbox.c.id),
                                  limit=limit, returning=(outbox.c.id, outbox.c.kind, outbox.c.payload,
                                                          outbox.c.createat))
        rows.sort(key=lambda r: (r[3], r[0]))
        return [OutboxRow(id=r[0], kind=r[1], payload=r[2]) for r in rows]

    async def renew(self, conn: AsyncConnection, node: str, ids: Sequence[str], now: int) -> int:
        return await _LEASE.renew(conn, node, ids, now) if ids else 0

    async def release(self, conn: AsyncConnection, node: str, ids: Sequence[str]) -> int:
        return await _LEASE.release(conn, node, ids) if ids else 0

    async def remove(self, conn: AsyncConnection, node: str, ids: Sequence[str]) -> int:
        """Delete the rows of ``ids`` that ``node`` still holds (relayed)."""
        return await _LEASE.remove(conn, node, ids) if ids else 0

    async def count(self, conn: AsyncConnection) -> int:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(outbox))).scalar_one())

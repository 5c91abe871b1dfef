"""Job leases: one node at a time runs a cluster-wide job (the LDAP sync).

One row per job, claimed through a :class:`~chinwag.store.sql.lease.Lease` like the queues' rows: a node
that dies holding the claim loses it when the claim goes stale. ``lastrunat`` lets a periodic job run
once per interval across all nodes."""

from __future__ import annotations

from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.lease import Lease
from chinwag.store.sql.tables import jobleases as j_

_LEASE = Lease(j_, key="name")


class SqlJobLeaseStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, name: str, node: str, now: int, stale_before: int, due_before: int) -> bool:
        """Claim job ``name`` for ``node``: refused while another claim is live (claimed at or after
        ``stale_before``) or when the job last ran after ``due_before``."""
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, j_, ["name"]).values(name=name))
            claimed = await _LEASE.claim(conn, node, now, stale_before,
                                         where=(j_.c.name == name, j_.c.lastrunat <= due_before))
        return len(claimed) == 1

    async def renew(self, name: str, node: str, now: int) -> bool:
        """Keep a long run's claim live; False when it was lost (it went stale and another node took it)."""
        async with self.db.write() as conn:
            return await _LEASE.renew(conn, node, [name], now) == 1

    async def finish(self, name: str, node: str, now: int) -> None:
        """The run is over: unclaimed, and its time recorded for the interval."""
        async with self.db.write() as conn:
            await _LEASE.release(conn, node, [name], {"lastrunat": now})

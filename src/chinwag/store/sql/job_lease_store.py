"""Job leases: one node at a time runs a cluster-wide job (the LDAP sync).

The same claim as the email queue's (``UPDATE … WHERE claimedby = '' OR claimedat < stale``), on one row
per job: on PostgreSQL a node claiming at the same moment as another re-checks the row after the other's
commit and gets nothing; SQLite has one writer. A node that dies holding the claim loses it when the claim
goes stale. ``lastrunat`` lets a periodic job run once per interval across all nodes."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import jobleases as j_


class SqlJobLeaseStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, name: str, node: str, now: int, stale_before: int, due_before: int) -> bool:
        """Claim job ``name`` for ``node``: refused while another claim is live (claimed at or after
        ``stale_before``) or when the job last ran after ``due_before``."""
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, j_, ["name"]).values(name=name))
            res = await conn.execute(
                j_.update()
                .where(j_.c.name == name, sa.or_(j_.c.claimedby == "", j_.c.claimedat < stale_before),
                       j_.c.lastrunat <= due_before)
                .values(claimedby=node, claimedat=now)
            )
        return bool(res.rowcount == 1)

    async def renew(self, name: str, node: str, now: int) -> bool:
        """Keep a long run's claim live; False when it was lost (it went stale and another node took it)."""
        async with self.db.write() as conn:
            res = await conn.execute(
                j_.update().where(j_.c.name == name, j_.c.claimedby == node).values(claimedat=now)
            )
        return bool(res.rowcount == 1)

    async def finish(self, name: str, node: str, now: int) -> None:
        """The run is over: unclaimed, and its time recorded for the interval."""
        async with self.db.write() as conn:
            await conn.execute(
                j_.update().where(j_.c.name == name, j_.c.claimedby == node)
                .values(claimedby="", claimedat=0, lastrunat=now)
            )

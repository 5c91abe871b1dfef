"""Audit records (Mattermost's Audits table): appended, listed per user newest first."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.model.user import Audit
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import audits

AUDIT = RowMap(Audit, audits)


class SqlAuditStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, a: Audit) -> None:
        async with self.db.write() as conn:
            # the columns' lengths: an audit is never refused for a long user agent or path
            await conn.execute(audits.insert().values({
                **AUDIT.values(a), "action": a.action[:512], "extrainfo": a.extra_info[:1024],
                "ipaddress": a.ip_address[:64]}))

    async def get_for_user(self, user_id: str, *, page: int, per_page: int) -> list[Audit]:
        """One user's records, newest first (every user's with ``user_id`` empty)."""
        q = sa.select(audits)
        if user_id:
            q = q.where(audits.c.userid == user_id)
        q = (q.order_by(audits.c.createat.desc(), audits.c.id.desc()).limit(per_page).offset(page * per_page))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return AUDIT.all(rows)


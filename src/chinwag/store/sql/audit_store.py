"""Audit records (Mattermost's Audits table): appended, listed per user newest first."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.model.user import Audit
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import audits


class SqlAuditStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, a: Audit) -> None:
        async with self.db.write() as conn:
            await conn.execute(audits.insert().values(
                id=a.id, createat=a.create_at, userid=a.user_id, action=a.action[:512],
                extrainfo=a.extra_info[:1024], ipaddress=a.ip_address[:64], sessionid=a.session_id))

    async def get_for_user(self, user_id: str, *, page: int, per_page: int) -> list[Audit]:
        q = (sa.select(audits).where(audits.c.userid == user_id)
             .order_by(audits.c.createat.desc(), audits.c.id.desc()).limit(per_page).offset(page * per_page))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [Audit(id=r.id, create_at=r.createat, user_id=r.userid, action=r.action, extra_info=r.extrainfo,
                      ip_address=r.ipaddress, session_id=r.sessionid) for r in rows]


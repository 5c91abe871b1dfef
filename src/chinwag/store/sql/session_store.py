"""Sessions (login tokens)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.user import Session
from chinwag.store.errors import NotFound
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import sessions

SESSION = RowMap(Session, sessions, skip=("team_members", "local"))


class SqlSessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, s: Session) -> Session:
        async with self.db.write() as conn:
            await conn.execute(sessions.insert().values(**SESSION.values(s)))
        return s

    async def get_by_token(self, token: str) -> Session:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(sessions).where(sessions.c.token == token))).first()
        if row is None:
            raise NotFound("session", "")
        return SESSION.one(row)

    async def get(self, session_id: str) -> Session:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(sessions).where(sessions.c.id == session_id))).first()
        if row is None:
            raise NotFound("session", session_id)
        return SESSION.one(row)

    async def list_for_user(self, user_id: str) -> list[Session]:
        q = sa.select(sessions).where(sessions.c.userid == user_id).order_by(sessions.c.lastactivityat.desc())
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return SESSION.all(rows)

    async def remove(self, session_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(sessions.delete().where(sessions.c.id == session_id))

    async def remove_for_user(self, user_id: str, except_session: str = "",
                              conn: AsyncConnection | None = None) -> list[str]:
        """Remove every session of a user (but ``except_session``); returns their tokens (for cache
        invalidation)."""
        cond = sessions.c.userid == user_id
        if except_session:
            cond = sa.and_(cond, sessions.c.id != except_session)
        async with self.db.write_in(conn) as conn:
            rows = (await conn.execute(sa.select(sessions.c.token).where(cond))).all()
            await conn.execute(sessions.delete().where(cond))
        return [r.token for r in rows]

    async def remove_all(self) -> list[str]:
        """Remove every session of everyone; returns their tokens (for cache invalidation)."""
        async with self.db.write() as conn:
            rows = (await conn.execute(sa.select(sessions.c.token))).all()
            await conn.execute(sessions.delete())
        return [r.token for r in rows]

    async def remove_for_device(self, user_id: str, device_id: str) -> list[str]:
        async with self.db.write() as conn:
            cond = sa.and_(sessions.c.userid == user_id, sessions.c.deviceid == device_id)
            rows = (await conn.execute(sa.select(sessions.c.token).where(cond))).all()
            await conn.execute(sessions.delete().where(cond))
        return [r.token for r in rows]

    async def set_device(self, session_id: str, device_id: str, expires_at: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(sessions.update().where(sessions.c.id == session_id)
                               .values(deviceid=device_id, expiresat=expires_at))

    async def clear_device(self, device_id: str) -> None:
        """The push proxy says the device is gone: no session pushes to it any more."""
        async with self.db.write() as conn:
            await conn.execute(sessions.update().where(sessions.c.deviceid == device_id).values(deviceid=""))

    async def devices(self, user_ids: Sequence[str], now: int) -> list[tuple[str, str]]:
        """(user id, device id) of the live sessions of ``user_ids`` that registered a device."""
        if not user_ids:
            return []
        q = (
            sa.select(sessions.c.userid, sessions.c.deviceid)
            .where(sessions.c.userid.in_(list(user_ids)), sessions.c.deviceid != "",
                   sa.or_(sessions.c.expiresat == 0, sessions.c.expiresat > now))
            .distinct()
        )
        async with self.db.read() as conn:
            return [(r[0], r[1]) for r in (await conn.execute(q)).all()]

    async def update_activity(self, session_id: str, last_activity_at: int, expires_at: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                sessions.update()
                .where(sessions.c.id == session_id)
                .values(lastactivityat=last_activity_at, expiresat=expires_at)
            )

    async def update_roles(self, user_id: str, roles: str, conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            await conn.execute(sessions.update().where(sessions.c.userid == user_id).values(roles=roles))

    async def remove_expired(self, now: int) -> int:
        async with self.db.write() as conn:
            res = await conn.execute(
                sessions.delete().where(sessions.c.expiresat > 0, sessions.c.expiresat < now)
            )
        return int(res.rowcount or 0)

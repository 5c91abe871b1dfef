"""Sessions (login tokens)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from chinwag.model.user import Session
from chinwag.store.errors import NotFound
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import sessions


def row_to_session(r: Any) -> Session:
    m = r._mapping
    return Session(
        id=m["id"],
        token=m["token"],
        create_at=m["createat"],
        expires_at=m["expiresat"],
        last_activity_at=m["lastactivityat"],
        user_id=m["userid"],
        device_id=m["deviceid"],
        roles=m["roles"],
        is_oauth=bool(m["isoauth"]),
        expired_notify=bool(m["expirednotify"]),
        props=m["props"] or {},
        csrf_token=m["csrftoken"],
    )


class SqlSessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, s: Session) -> Session:
        async with self.db.write() as conn:
            await conn.execute(
                sessions.insert().values(
                    id=s.id,
                    token=s.token,
                    createat=s.create_at,
                    expiresat=s.expires_at,
                    lastactivityat=s.last_activity_at,
                    userid=s.user_id,
                    deviceid=s.device_id,
                    roles=s.roles,
                    isoauth=s.is_oauth,
                    expirednotify=s.expired_notify,
                    props=s.props,
                    csrftoken=s.csrf_token,
                )
            )
        return s

    async def get_by_token(self, token: str) -> Session:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(sessions).where(sessions.c.token == token))).first()
        if row is None:
            raise NotFound("session", "")
        return row_to_session(row)

    async def get(self, session_id: str) -> Session:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(sessions).where(sessions.c.id == session_id))).first()
        if row is None:
            raise NotFound("session", session_id)
        return row_to_session(row)

    async def list_for_user(self, user_id: str) -> list[Session]:
        q = sa.select(sessions).where(sessions.c.userid == user_id).order_by(sessions.c.lastactivityat.desc())
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [row_to_session(r) for r in rows]

    async def remove(self, session_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(sessions.delete().where(sessions.c.id == session_id))

    async def remove_for_user(self, user_id: str) -> list[str]:
        """Remove every session of a user; returns their tokens (for cache invalidation)."""
        async with self.db.write() as conn:
            rows = (await conn.execute(sa.select(sessions.c.token).where(sessions.c.userid == user_id))).all()
            await conn.execute(sessions.delete().where(sessions.c.userid == user_id))
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

    async def update_roles(self, user_id: str, roles: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(sessions.update().where(sessions.c.userid == user_id).values(roles=roles))

    async def remove_expired(self, now: int) -> int:
        async with self.db.write() as conn:
            res = await conn.execute(
                sessions.delete().where(sessions.c.expiresat > 0, sessions.c.expiresat < now)
            )
        return int(res.rowcount or 0)

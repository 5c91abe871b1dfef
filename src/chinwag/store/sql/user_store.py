"""Users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from chinwag.model.user import User, default_timezone
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import conflict_from
from chinwag.store.sql.engine import Database
from chinwag.store.sql.params import id_in
from chinwag.store.sql.tables import channelmembers, status, teammembers, users

_PUBLIC_COLS = [c for c in users.c if c.name not in ("password", "mfasecret", "failedattempts", "mfalaststep")]


def row_to_user(r: Any) -> User:
    m = r._mapping
    return User(
        id=m["id"],
        create_at=m["createat"],
        update_at=m["updateat"],
        delete_at=m["deleteat"],
        username=m["username"],
        auth_data=m["authdata"],
        auth_service=m["authservice"],
        email=m["email"],
        email_verified=bool(m["emailverified"]),
        nickname=m["nickname"],
        first_name=m["firstname"],
        last_name=m["lastname"],
        position=m["position"],
        roles=m["roles"],
        allow_marketing=bool(m["allowmarketing"]),
        props=m["props"] or {},
        notify_props=m["notifyprops"] or {},
        last_password_update=m["lastpasswordupdate"],
        last_picture_update=m["lastpictureupdate"],
        locale=m["locale"] or "en",
        timezone=m["timezone"] or default_timezone(),
        mfa_active=bool(m["mfaactive"]),
        remote_id=m["remoteid"],
        is_bot=bool(m["isbot"]),
        bot_description=m["botdescription"],
        disable_welcome_email=bool(m["disablewelcomeemail"]),
        last_activity_at=m.get("lastactivityat") or 0,
    )


def user_values(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "createat": u.create_at,
        "updateat": u.update_at,
        "deleteat": u.delete_at,
        "username": u.username,
        "authdata": u.auth_data,
        "authservice": u.auth_service,
        "email": u.email,
        "emailverified": u.email_verified,
        "nickname": u.nickname,
        "firstname": u.first_name,
        "lastname": u.last_name,
        "position": u.position,
        "roles": u.roles,
        "allowmarketing": u.allow_marketing,
        "props": u.props,
        "notifyprops": u.notify_props,
        "lastpasswordupdate": u.last_password_update,
        "lastpictureupdate": u.last_picture_update,
        "locale": u.locale,
        "timezone": u.timezone,
        "mfaactive": u.mfa_active,
        "remoteid": u.remote_id,
        "isbot": u.is_bot,
        "botdescription": u.bot_description,
        "disablewelcomeemail": u.disable_welcome_email,
    }


def _select() -> sa.Select[Any]:
    return sa.select(*_PUBLIC_COLS, status.c.lastactivityat).select_from(
        users.outerjoin(status, status.c.userid == users.c.id)
    )


class UserAuth:
    __slots__ = ("failed_attempts", "mfa_secret", "password_hash", "user")

    def __init__(self, user: User, password_hash: str, failed_attempts: int, mfa_secret: str) -> None:
        self.user = user
        self.password_hash = password_hash
        self.failed_attempts = failed_attempts
        self.mfa_secret = mfa_secret


class SqlUserStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, user: User, password_hash: str) -> User:
        values = user_values(user)
        values["password"] = password_hash
        try:
            async with self.db.write() as conn:
                await conn.execute(users.insert().values(**values))
        except IntegrityError as e:
            raise conflict_from(e, "user") from None
        return user

    async def update(self, user: User) -> User:
        values = user_values(user)
        del values["id"], values["createat"]
        try:
            async with self.db.write() as conn:
                res = await conn.execute(users.update().where(users.c.id == user.id).values(**values))
        except IntegrityError as e:
            raise conflict_from(e, "user") from None
        if res.rowcount == 0:
            raise NotFound("user", user.id)
        return user

    async def update_password(self, user_id: str, password_hash: str, now: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(password=password_hash, lastpasswordupdate=now, updateat=now, failedattempts=0)
            )

    async def update_failed_attempts(self, user_id: str, attempts: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(users.update().where(users.c.id == user_id).values(failedattempts=attempts))

    async def update_last_login(self, user_id: str, now: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                users.update().where(users.c.id == user_id).values(lastlogin=now, failedattempts=0)
            )

    async def get_by_auth(self, auth_service: str, auth_data: str) -> User:
        q = _select().where(users.c.authservice == auth_service, users.c.authdata == auth_data)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("user", f"{auth_service}:{auth_data}")
        return row_to_user(row)

    async def list_by_auth_service(self, auth_service: str) -> list[User]:
        async with self.db.read() as conn:
            rows = (await conn.execute(_select().where(users.c.authservice == auth_service))).all()
        return [row_to_user(r) for r in rows]

    async def update_auth(self, user_id: str, auth_service: str, auth_data: str | None, password_hash: str,
                          now: int) -> None:
        """Switch a user's sign-in method (email ↔ SSO); the password is replaced (cleared for SSO)."""
        async with self.db.write() as conn:
            await conn.execute(users.update().where(users.c.id == user_id).values(
                authservice=auth_service, authdata=auth_data, password=password_hash, updateat=now,
                lastpasswordupdate=now, failedattempts=0, mfaactive=False, mfasecret="", mfalaststep=0))

    async def update_mfa(self, user_id: str, active: bool, secret: str, now: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(users.update().where(users.c.id == user_id).values(
                mfaactive=active, mfasecret=secret, updateat=now, mfalaststep=0))

    async def use_mfa_step(self, user_id: str, step: int) -> bool:
        """Record a TOTP time step as used; False when it (or a later one) was already used (a replay)."""
        async with self.db.write() as conn:
            res = await conn.execute(users.update().where(
                users.c.id == user_id, users.c.mfalaststep < step).values(mfalaststep=step))
        return bool(res.rowcount == 1)

    async def get(self, user_id: str) -> User:
        async with self.db.read() as conn:
            row = (await conn.execute(_select().where(users.c.id == user_id))).first()
        if row is None:
            raise NotFound("user", user_id)
        return row_to_user(row)

    async def notification_accounts(self, user_ids: Sequence[str]) -> list[User]:
        """Partial users for the notification fan-out: only id, username, email, delete_at, is_bot
        and notify_props are read (one JSON column per row instead of three)."""
        if not user_ids:
            return []
        q = sa.select(users.c.id, users.c.username, users.c.email, users.c.deleteat, users.c.isbot,
                      users.c.notifyprops).where(id_in(users.c.id, set(user_ids), self.db.driver))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [User(id=r[0], username=r[1], email=r[2], delete_at=r[3], is_bot=bool(r[4]),
                     notify_props=r[5] or {}) for r in rows]

    async def get_many(self, user_ids: Sequence[str]) -> list[User]:
        if not user_ids:
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(_select().where(id_in(users.c.id, set(user_ids), self.db.driver)))).all()
        return [row_to_user(r) for r in rows]

    async def mention_key_rows(
        self, user_ids: Sequence[str] | None = None
    ) -> list[tuple[str, str, str, dict[str, str]]]:
        """(id, username, first name, notify_props) of active users (all, or those named): what
        the mention-key index is built from."""
        q = sa.select(users.c.id, users.c.username, users.c.firstname, users.c.notifyprops).where(
            users.c.deleteat == 0
        )
        if user_ids is not None:
            q = q.where(users.c.id.in_(list(set(user_ids))))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [(r[0], r[1], r[2] or "", dict(r[3] or {})) for r in rows]

    async def get_by_username(self, username: str) -> User:
        async with self.db.read() as conn:
            row = (await conn.execute(_select().where(users.c.username == username.lower()))).first()
        if row is None:
            raise NotFound("user", username)
        return row_to_user(row)

    async def get_many_by_usernames(self, usernames: Sequence[str]) -> list[User]:
        if not usernames:
            return []
        names = list({n.lower() for n in usernames})
        async with self.db.read() as conn:
            rows = (await conn.execute(_select().where(users.c.username.in_(names)))).all()
        return [row_to_user(r) for r in rows]

    async def get_by_email(self, email: str) -> User:
        async with self.db.read() as conn:
            row = (await conn.execute(_select().where(users.c.email == email.lower()))).first()
        if row is None:
            raise NotFound("user", email)
        return row_to_user(row)

    async def get_auth(self, user_id: str) -> UserAuth:
        q = sa.select(users.c.id, users.c.password, users.c.failedattempts, users.c.mfasecret).where(
            users.c.id == user_id
        )
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("user", user_id)
        user = await self.get(user_id)
        return UserAuth(user, row.password, row.failedattempts, row.mfasecret)

    async def get_for_login(self, login_id: str, allow_username: bool, allow_email: bool) -> UserAuth:
        login = login_id.lower()
        conds = []
        if allow_username:
            conds.append(users.c.username == login)
        if allow_email:
            conds.append(users.c.email == login)
        if not conds:
            raise NotFound("user", login_id)
        q = sa.select(users.c.id).where(sa.or_(*conds))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        if len(rows) != 1:
            raise NotFound("user", login_id)
        return await self.get_auth(rows[0].id)

    async def count(self, include_deleted: bool = True, include_bots: bool = True) -> int:
        q = sa.select(sa.func.count()).select_from(users)
        if not include_deleted:
            q = q.where(users.c.deleteat == 0)
        if not include_bots:
            q = q.where(users.c.isbot == sa.false())
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())

    async def list_users(
        self,
        *,
        page: int,
        per_page: int,
        in_team: str = "",
        not_in_team: str = "",
        in_channel: str = "",
        not_in_channel: str = "",
        without_team: bool = False,
        active: bool | None = None,
        role: str = "",
        sort: str = "",
        user_ids: Sequence[str] | None = None,
    ) -> list[User]:
        q = _select()
        if in_team:
            q = q.where(
                users.c.id.in_(
                    sa.select(teammembers.c.userid).where(
                        teammembers.c.teamid == in_team, teammembers.c.deleteat == 0
                    )
                )
            )
        if not_in_team:
            q = q.where(
                users.c.id.not_in(
                    sa.select(teammembers.c.userid).where(
                        teammembers.c.teamid == not_in_team, teammembers.c.deleteat == 0
                    )
                )
            )
        if in_channel:
            q = q.where(
                users.c.id.in_(
                    sa.select(channelmembers.c.userid).where(channelmembers.c.channelid == in_channel)
                )
            )
        if not_in_channel:
            q = q.where(
                users.c.id.not_in(
                    sa.select(channelmembers.c.userid).where(channelmembers.c.channelid == not_in_channel)
                )
            )
        if without_team:
            q = q.where(users.c.id.not_in(sa.select(teammembers.c.userid).where(teammembers.c.deleteat == 0)))
        if active is True:
            q = q.where(users.c.deleteat == 0)
        elif active is False:
            q = q.where(users.c.deleteat != 0)
        if role:
            q = q.where(sa.or_(users.c.roles == role, users.c.roles.like(f"%{role}%")))
        if user_ids is not None:
            q = q.where(users.c.id.in_(list(user_ids)))
        if sort == "last_activity_at":
            q = q.order_by(sa.func.coalesce(status.c.lastactivityat, 0).desc(), users.c.username)
        elif sort == "create_at":
            q = q.order_by(users.c.createat.desc(), users.c.id)
        else:
            q = q.order_by(users.c.username)
        q = q.limit(per_page).offset(page * per_page)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [row_to_user(r) for r in rows]

    async def search(
        self,
        term: str,
        *,
        team_id: str = "",
        channel_id: str = "",
        not_in_channel: str = "",
        allow_inactive: bool = False,
        limit: int = 100,
    ) -> list[User]:
        like = f"%{term.lower().lstrip('@')}%"
        q = _select().where(
            sa.or_(
                users.c.username.like(like),
                sa.func.lower(users.c.firstname).like(like),
                sa.func.lower(users.c.lastname).like(like),
                sa.func.lower(users.c.nickname).like(like),
                sa.func.lower(users.c.email).like(like),
            )
        )
        if team_id:
            q = q.where(
                users.c.id.in_(
                    sa.select(teammembers.c.userid).where(
                        teammembers.c.teamid == team_id, teammembers.c.deleteat == 0
                    )
                )
            )
        if channel_id:
            q = q.where(
                users.c.id.in_(
                    sa.select(channelmembers.c.userid).where(channelmembers.c.channelid == channel_id)
                )
            )
        if not_in_channel:
            q = q.where(
                users.c.id.not_in(
                    sa.select(channelmembers.c.userid).where(channelmembers.c.channelid == not_in_channel)
                )
            )
        if not allow_inactive:
            q = q.where(users.c.deleteat == 0)
        q = q.order_by(users.c.username).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [row_to_user(r) for r in rows]

"""Users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.user import User
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import conflict_from
from chinwag.store.sql.engine import Database
from chinwag.store.sql.params import id_in
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import channelmembers, status, teammembers, users

_PUBLIC_COLS = [c for c in users.c if c.name not in ("password", "mfasecret", "failedattempts", "mfalaststep")]


USER = RowMap(
    User, users,
    skip=("bot_last_icon_update", "terms_of_service_id", "terms_of_service_create_at"),
    # last_activity_at comes from the status row joined by _select()
    read={"locale": "{locale} or 'en'", "last_activity_at": "{lastactivityat} or 0"},
)


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


#: an account with its secrets, in one statement (a login, a password or MFA check)
_AUTH = _select().add_columns(users.c.password, users.c.failedattempts, users.c.mfasecret)


def _auth(row: Any) -> UserAuth:
    return UserAuth(USER.one(row), row.password, row.failedattempts, row.mfasecret)


class SqlUserStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, user: User, password_hash: str, conn: AsyncConnection | None = None) -> User:
        values = USER.values(user)
        values["password"] = password_hash
        try:
            async with self.db.write_in(conn) as conn:
                await conn.execute(users.insert().values(**values))
        except IntegrityError as e:
            raise conflict_from(e, "user") from None
        return user

    async def update(self, user: User, conn: AsyncConnection | None = None) -> User:
        values = USER.values(user)
        del values["id"], values["createat"]
        try:
            async with self.db.write_in(conn) as conn:
                res = await conn.execute(users.update().where(users.c.id == user.id).values(**values))
        except IntegrityError as e:
            raise conflict_from(e, "user") from None
        if res.rowcount == 0:
            raise NotFound("user", user.id)
        return user

    async def update_password(self, user_id: str, password_hash: str, now: int,
                              conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(password=password_hash, lastpasswordupdate=now, updateat=now, failedattempts=0)
            )

    async def update_failed_attempts(self, user_id: str, attempts: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(users.update().where(users.c.id == user_id).values(failedattempts=attempts))

    async def set_props(self, user_id: str, props: dict[str, Any], now: int, conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            res = await conn.execute(users.update().where(users.c.id == user_id).values(props=props, updateat=now))
        if res.rowcount == 0:
            raise NotFound("user", user_id)

    async def with_prop_text(self, *needles: str) -> list[User]:
        """Users whose props, as JSON text, contain every needle (a cheap filter; callers check)."""
        text = sa.cast(users.c.props, sa.Text)
        q = _select().where(users.c.props.is_not(None), *[text.contains(n, autoescape=True) for n in needles])
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return USER.all(rows)

    async def set_last_picture_update(self, user_id: str, value: int, now: int, conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            res = await conn.execute(
                users.update().where(users.c.id == user_id).values(lastpictureupdate=value, updateat=now)
            )
        if res.rowcount == 0:
            raise NotFound("user", user_id)

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
        return USER.one(row)

    async def list_by_auth_service(self, auth_service: str) -> list[User]:
        async with self.db.read() as conn:
            rows = (await conn.execute(_select().where(users.c.authservice == auth_service))).all()
        return USER.all(rows)

    async def update_auth(self, user_id: str, auth_service: str, auth_data: str | None, password_hash: str,
                          now: int, conn: AsyncConnection | None = None) -> None:
        """Switch a user's sign-in method (email ↔ SSO); the password is replaced (cleared for SSO)."""
        async with self.db.write_in(conn) as conn:
            await conn.execute(users.update().where(users.c.id == user_id).values(
                authservice=auth_service, authdata=auth_data, password=password_hash, updateat=now,
                lastpasswordupdate=now, failedattempts=0, mfaactive=False, mfasecret="", mfalaststep=0))

    async def set_auth_data(self, user_id: str, auth_data: str, now: int,
                            conn: AsyncConnection | None = None) -> None:
        """Only the account's ``auth_data`` (its id at the sign-in provider) changes."""
        async with self.db.write_in(conn) as conn:
            await conn.execute(users.update().where(users.c.id == user_id).values(authdata=auth_data, updateat=now))

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
        return USER.one(row)

    async def get_many(self, user_ids: Sequence[str]) -> list[User]:
        if not user_ids:
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(_select().where(id_in(users.c.id, set(user_ids), self.db.driver)))).all()
        return USER.all(rows)

    async def with_invalid_emails(self, domains: Sequence[str], offset: int, limit: int) -> list[User]:
        """Active people (no bots, no guests) signing in with a password whose email contains none of
        ``domains`` (Mattermost's GetUsersWithInvalidEmails: a substring match, as there), by username."""
        q = _select().where(users.c.isbot == sa.false(), users.c.roles != "system_guest", users.c.deleteat == 0,
                            sa.or_(users.c.authservice == "", users.c.authservice.is_(None)))
        for d in domains:
            if d:
                q = q.where(sa.func.lower(users.c.email).not_like(f"%{_like_escape(d.lower())}%", escape="\\"))
        async with self.db.read() as conn:
            rows = (await conn.execute(q.order_by(users.c.username, users.c.id).offset(offset).limit(limit))).all()
        return USER.all(rows)

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
        return USER.one(row)

    async def get_many_by_usernames(self, usernames: Sequence[str]) -> list[User]:
        if not usernames:
            return []
        names = list({n.lower() for n in usernames})
        async with self.db.read() as conn:
            rows = (await conn.execute(_select().where(users.c.username.in_(names)))).all()
        return USER.all(rows)

    async def get_by_email(self, email: str) -> User:
        async with self.db.read() as conn:
            row = (await conn.execute(_select().where(users.c.email == email.lower()))).first()
        if row is None:
            raise NotFound("user", email)
        return USER.one(row)

    async def get_auth(self, user_id: str) -> UserAuth:
        async with self.db.read() as conn:
            row = (await conn.execute(_AUTH.where(users.c.id == user_id))).first()
        if row is None:
            raise NotFound("user", user_id)
        return _auth(row)

    async def get_for_login(self, login_id: str, allow_username: bool, allow_email: bool) -> UserAuth:
        """The account a login names (by username or email, as allowed), read with its secrets in one
        statement; NotFound unless exactly one matches."""
        login = login_id.lower()
        conds = []
        if allow_username:
            conds.append(users.c.username == login)
        if allow_email:
            conds.append(users.c.email == login)
        if not conds:
            raise NotFound("user", login_id)
        async with self.db.read() as conn:
            rows = (await conn.execute(_AUTH.where(sa.or_(*conds)).limit(2))).all()
        if len(rows) != 1:
            raise NotFound("user", login_id)
        return _auth(rows[0])

    async def any_exist(self) -> bool:
        """Whether there is any account at all (one row read, not a count of the table)."""
        async with self.db.read() as conn:
            return (await conn.execute(sa.select(users.c.id).limit(1))).first() is not None

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
        return USER.all(rows)

    async def search(
        self,
        term: str,
        *,
        team_id: str = "",
        channel_id: str = "",
        not_in_channel: str = "",
        allow_inactive: bool = False,
        limit: int = 100,
        role: str = "",
        without_team: bool = False,
        allow_emails: bool = True,
        allow_full_names: bool = True,
    ) -> list[User]:
        like = f"%{term.lower().lstrip('@')}%"
        fields = [users.c.username.like(like), sa.func.lower(users.c.nickname).like(like)]
        if allow_full_names:
            fields += [sa.func.lower(users.c.firstname).like(like), sa.func.lower(users.c.lastname).like(like)]
        if allow_emails:
            fields.append(sa.func.lower(users.c.email).like(like))
        q = _select().where(sa.or_(*fields))
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
        if role:
            q = q.where(users.c.roles.like(f"%{role}%"))
        if without_team:
            q = q.where(users.c.id.not_in(sa.select(teammembers.c.userid).where(teammembers.c.deleteat == 0)))
        q = q.order_by(users.c.username).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return USER.all(rows)


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

"""Login, logout and session lookup (with an in-process cache invalidated on revoke)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from chinwag.app.audit import audit
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.ldap import LdapService
from chinwag.app.mfa import MfaService
from chinwag.app.user import check_password_hash
from chinwag.model.errors import AppError, session_expired
from chinwag.model.ids import new_id
from chinwag.model.user import SYSTEM_GUEST_ROLE, Session, User
from chinwag.platform.events import Event
from chinwag.store.errors import NotFound
from chinwag.store.sql.user_store import UserAuth

HOUR_MS = 3_600_000
#: how often a session's last activity is written back (Mattermost: 5 minutes)
ACTIVITY_WRITE_MS = 5 * 60_000


@dataclass
class LoginRequest:
    login_id: str = ""
    password: str = ""
    token: str = ""
    device_id: str = ""
    ldap_only: bool = False
    user_id: str = ""


LOCKED_OUT = "api.user.check_user_login_attempts.too_many.app_error"
INVALID_CREDENTIALS = "api.user.login.invalid_credentials_email_username"
#: the failures that count towards MaximumLoginAttempts (a wrong password or MFA code)
_COUNTED_FAILURES = frozenset({INVALID_CREDENTIALS, "api.user.check_user_mfa.bad_code.app_error",
                               "api.context.mfa_required.app_error"})


def invalid_credentials(where: str) -> AppError:
    return AppError(where, INVALID_CREDENTIALS,
                    "Enter a valid email or username and/or password.", 401)


class SessionService:
    def __init__(self, core: AppCore, mfa: MfaService | None = None, ldap: LdapService | None = None) -> None:
        self.core = core
        self.mfa = mfa
        self.ldap = ldap
        self._cache: dict[str, tuple[Session, float]] = {}

    # login ---------------------------------------------------------------------------------

    async def login(self, ctx: Ctx, req: LoginRequest) -> tuple[User, Session]:
        try:
            user, session = await self._login(ctx, req)
        except AppError as e:
            await self._audit_failure(ctx, req, e)
            raise
        await audit(self.core, ctx, "login", "success", user_id=user.id,
                    auth_service=user.auth_service or "email", session_id=session.id)
        return user, session

    async def _audit_failure(self, ctx: Ctx, req: LoginRequest, e: AppError) -> None:
        """A failed sign-in is recorded for the account it named (when there is one), and a failure that
        used up the last allowed attempt also as a ``lockout``."""
        email = self.core.cfg.EmailSettings
        auth: UserAuth | None = None
        try:
            if req.user_id:
                auth = await self.core.store.users.get_auth(req.user_id)
            elif req.login_id:
                auth = await self.core.store.users.get_for_login(
                    req.login_id, email.EnableSignInWithUsername, email.EnableSignInWithEmail)
        except NotFound:
            auth = None
        user_id = auth.user.id if auth is not None else ""
        await audit(self.core, ctx, "login", "fail", user_id=user_id, login_id=req.login_id or req.user_id,
                    error=e.id)
        limit = self.core.cfg.ServiceSettings.MaximumLoginAttempts
        if auth is not None and limit > 0 and auth.failed_attempts == limit and e.id in _COUNTED_FAILURES:
            await audit(self.core, ctx, "lockout", "success", user_id=user_id, failed_attempts=limit)

    async def _login(self, ctx: Ctx, req: LoginRequest) -> tuple[User, Session]:
        where = "login"
        cfg = self.core.cfg
        invalid = invalid_credentials(where)
        if self.ldap is not None and self.ldap.enabled and not req.user_id and req.login_id:
            found = await self._ldap_login(req, where)
            if found is not None:
                await self.core.store.users.update_last_login(found.id, self.core.now())
                return found, await self.create(found, device_id=req.device_id)
        try:
            if req.user_id:
                auth = await self.core.store.users.get_auth(req.user_id)
            else:
                if not req.login_id:
                    raise (
                        AppError(
                            where,
                            "api.user.login.blank_pwd.app_error",
                            "Password field must not be blank",
                            400,
                        )
                        if not req.password
                        else invalid
                    )
                auth = await self.core.store.users.get_for_login(
                    req.login_id,
                    cfg.EmailSettings.EnableSignInWithUsername,
                    cfg.EmailSettings.EnableSignInWithEmail,
                )
        except NotFound:
            raise invalid from None
        user = auth.user
        await self.check_credentials(auth, req.password, req.token, where)
        await self.core.store.users.update_last_login(user.id, self.core.now())
        session = await self.create(user, device_id=req.device_id)
        return user, session

    async def _ldap_login(self, req: LoginRequest, where: str) -> User | None:
        """A directory sign-in, or None when this login is a local (email/password) account."""
        assert self.ldap is not None
        email = self.core.cfg.EmailSettings
        try:
            auth: UserAuth | None = await self.core.store.users.get_for_login(
                req.login_id, email.EnableSignInWithUsername, email.EnableSignInWithEmail)
        except NotFound:
            auth = None
        if auth is not None and auth.user.auth_service != "ldap" and not req.ldap_only:
            return None
        if auth is not None:
            self._check_lockout(auth, where)
        if not req.password:
            raise AppError(where, "api.user.login.blank_pwd.app_error", "Password field must not be blank", 400)
        user = await self.ldap.authenticate(req.login_id, req.password)
        if user is None:
            if auth is not None:
                await self.core.store.users.update_failed_attempts(auth.user.id, auth.failed_attempts + 1)
            raise invalid_credentials(where)
        if user.delete_at:
            raise AppError(where, "api.user.login.inactive.app_error", "Login failed because your account has "
                           "been deactivated. Please contact an administrator.", 401)
        auth = await self.core.store.users.get_auth(user.id)
        self._check_lockout(auth, where)
        await self._check_mfa(auth, req.token)
        return user

    def _check_lockout(self, auth: UserAuth, where: str) -> None:
        limit = self.core.cfg.ServiceSettings.MaximumLoginAttempts
        if limit > 0 and auth.failed_attempts >= limit:
            raise AppError(
                where,
                LOCKED_OUT,
                "Your account is locked because of too many failed password attempts. "
                "Please reset your password.",
                401,
            )

    async def _check_mfa(self, auth: UserAuth, token: str) -> None:
        user = auth.user
        if user.mfa_active and self.core.cfg.ServiceSettings.EnableMultifactorAuthentication and self.mfa:
            try:
                await self.mfa.verify(user.id, auth.mfa_secret, token)
            except AppError:
                await self.core.store.users.update_failed_attempts(user.id, auth.failed_attempts + 1)
                raise

    async def check_credentials(self, auth: UserAuth, password: str, mfa_token: str, where: str) -> None:
        """Mattermost's CheckPasswordAndAllCriteria: lockout, sign-in method, password, active, MFA."""
        user = auth.user
        if not password:
            raise AppError(
                where, "api.user.login.blank_pwd.app_error", "Password field must not be blank", 400
            )
        if user.is_bot:
            raise AppError(
                where, "api.user.login.bot_login_forbidden.app_error", "Bot login is forbidden.", 401
            )
        self._check_lockout(auth, where)
        if user.auth_service and not auth.password_hash:
            raise AppError(
                where,
                "api.user.login.use_auth_service.app_error",
                f"Please sign in using {user.auth_service}.",
                400,
            )
        ok = await asyncio.to_thread(check_password_hash, password, auth.password_hash)
        if not ok:
            await self.core.store.users.update_failed_attempts(user.id, auth.failed_attempts + 1)
            raise invalid_credentials(where)
        if user.delete_at:
            raise AppError(
                where,
                "api.user.login.inactive.app_error",
                "Login failed because your account has been deactivated. Please contact an administrator.",
                401,
            )
        await self._check_mfa(auth, mfa_token)

    async def create(
        self, user: User, *, device_id: str = "", is_oauth: bool = False, props: dict[str, str] | None = None
    ) -> Session:
        if user.is_guest() and not self.core.cfg.GuestAccountsSettings.Enable:
            raise AppError("login", "api.user.login.guest_accounts.disabled.error",
                           "Login failed because guest access is disabled.", 401)
        s = self.core.cfg.ServiceSettings
        now = self.core.now()
        if device_id:
            hours = s.SessionLengthMobileInHours
            for token in await self.core.store.sessions.remove_for_device(user.id, device_id):
                self._cache.pop(token, None)
        elif is_oauth:
            hours = s.SessionLengthSSOInHours
        else:
            hours = s.SessionLengthWebInHours
        session = Session(
            id=new_id(),
            token=new_id(),
            create_at=now,
            expires_at=now + hours * HOUR_MS,
            last_activity_at=now,
            user_id=user.id,
            device_id=device_id,
            roles=user.roles,
            is_oauth=is_oauth,
            props=props or {},
            csrf_token=new_id(),
        )
        await self.core.store.sessions.save(session)
        return session

    # lookup --------------------------------------------------------------------------------

    async def from_token(self, token: str) -> Session:
        where = "ServeHTTP"
        if not token or len(token) > 64:
            raise session_expired(where, "token missing or malformed")
        cfg = self.core.cfg.ServiceSettings
        now = self.core.now()
        cached = self._cache.get(token)
        if cached and time.monotonic() - cached[1] < cfg.SessionCacheInMinutes * 60:
            session = cached[0]
        else:
            try:
                session = await self.core.store.sessions.get_by_token(token)
            except NotFound:
                assert self.core.app is not None  # a personal access token's session starts on first use
                session = await self.core.app.tokens.session_for(token)
            if len(self._cache) > 50000:
                self._cache.clear()
            self._cache[token] = (session, time.monotonic())
        if session.props.get("type") == "UserAccessToken" and not cfg.EnableUserAccessTokens \
                and not session.props.get("is_bot"):
            raise session_expired(where, "user access tokens are disabled")
        if session.is_expired(now):
            await self._drop(session)
            raise session_expired(where, "session expired")
        if not self.core.cfg.GuestAccountsSettings.Enable and SYSTEM_GUEST_ROLE in session.roles.split():
            raise session_expired(where, "guest access is disabled")
        idle = cfg.SessionIdleTimeoutInMinutes * 60_000
        if idle > 0 and not session.device_id and session.props.get("type") != "UserAccessToken":
            if now - session.last_activity_at > idle:
                await self._drop(session)
                raise session_expired(where, "session idle")
        if now - session.last_activity_at > ACTIVITY_WRITE_MS:
            session.last_activity_at = now
            if cfg.ExtendSessionLengthWithActivity and session.props.get("type") != "UserAccessToken":
                hours = cfg.SessionLengthMobileInHours if session.device_id else cfg.SessionLengthWebInHours
                session.expires_at = now + hours * HOUR_MS
            await self.core.store.sessions.update_activity(session.id, now, session.expires_at)
        return session

    async def _drop(self, session: Session) -> None:
        self._cache.pop(session.token, None)
        await self.core.store.sessions.remove(session.id)
        self._announce([session.token], "")

    def _announce(self, tokens: list[str], user_id: str) -> None:
        """Tell every node to forget cached sessions (an internal event, never sent to clients)."""
        self.core.publish(Event("_sessions_revoked", {"tokens": tokens, "user_id": user_id}))

    def handle_internal(self, event: dict[str, Any]) -> None:
        if event.get("event") != "_sessions_revoked":
            return
        data = event.get("data") or {}
        for token in data.get("tokens") or []:
            self._cache.pop(token, None)
        if data.get("user_id"):
            self.invalidate_user(str(data["user_id"]))

    # revoking ------------------------------------------------------------------------------

    async def logout(self, ctx: Ctx) -> None:
        if ctx.session is not None:
            await self._drop(ctx.session)
            await audit(self.core, ctx, "logout", "success", user_id=ctx.session.user_id,
                        session_id=ctx.session.id)

    async def revoke(self, ctx: Ctx, user_id: str, session_id: str) -> None:
        where = "RevokeSession"
        try:
            session = await self.core.store.sessions.get(session_id)
        except NotFound:
            raise AppError(where, "app.session.get.app_error", "Unable to find the session.", 404) from None
        if session.user_id != user_id:
            raise AppError(where, "api.user.revoke_session.invalid_session_id", "Invalid session id.", 400)
        await self._drop(session)

    async def revoke_token(self, token: str) -> None:
        """Drop the session behind a token (a revoked or disabled personal access token) everywhere."""
        try:
            await self._drop(await self.core.store.sessions.get_by_token(token))
        except NotFound:
            self._cache.pop(token, None)
            self._announce([token], "")

    async def revoke_all(self, user_id: str) -> None:
        tokens = await self.core.store.sessions.remove_for_user(user_id)
        for token in tokens:
            self._cache.pop(token, None)
        self.invalidate_user(user_id)
        self._announce(tokens, user_id)

    def invalidate_user(self, user_id: str) -> None:
        for token, (s, _) in list(self._cache.items()):
            if s.user_id == user_id:
                del self._cache[token]

    async def list_for_user(self, user_id: str) -> list[Session]:
        sessions = await self.core.store.sessions.list_for_user(user_id)
        for s in sessions:
            s.token = ""
        return sessions

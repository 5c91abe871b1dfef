"""Login: email/username and password, MFA, LDAP; lockout after repeated failures; the audit trail
of sign-ins. A successful login makes a session (``session``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from chinwag.app.attempts import AttemptLimiter
from chinwag.app.audit import audit
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.ldap import LdapService
from chinwag.app.mfa import MfaService
from chinwag.app.passwords import check_dummy_password, check_password_hash
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.session import SessionService
from chinwag.model.errors import AppError
from chinwag.model.user import Session, User
from chinwag.store.errors import NotFound
from chinwag.store.sql.user_store import UserAuth


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


@service
class LoginService:
    core: AppCore
    sessions: SessionService
    mfa: MfaService
    ldap: LdapService
    attempts: AttemptLimiter
    plugin_hooks: PluginHooks

    async def login(self, ctx: Ctx, req: LoginRequest) -> tuple[User, Session]:
        # before anything is looked up or hashed: a flood of guesses is refused cheaply
        account = req.login_id or req.user_id
        await self.attempts.guard(ctx, "login", account)
        try:
            user, session = await self._login(ctx, req)
        except AppError as e:
            if e.id in _COUNTED_FAILURES:
                await self.attempts.failed(ctx, "login", account)
            await self._audit_failure(ctx, req, e)
            raise
        await audit(self.core, ctx, "login", "success", user_id=user.id,
                    auth_service=user.auth_service or "email", session_id=session.id)
        self.plugin_hooks.user_logged_in(ctx, user)
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
                return found, await self.sessions.create(found, device_id=req.device_id)
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
            if req.password:
                await asyncio.to_thread(check_dummy_password, req.password)
            raise invalid from None
        user = auth.user
        await self.check_credentials(auth, req.password, req.token, where)
        if not user.email_verified and cfg.EmailSettings.RequireEmailVerification:
            # Mattermost's CheckUserPostflightAuthenticationCriteria
            raise AppError("Login", "api.user.login.not_verified.app_error",
                           "Login failed because email address has not been verified.", 401)
        await self.core.store.users.update_last_login(user.id, self.core.now())
        session = await self.sessions.create(user, device_id=req.device_id)
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

    async def verify_limited(self, ctx: Ctx, account: str, auth: UserAuth | None, password: str, mfa_token: str,
                             where: str) -> None:
        """check_credentials for an endpoint other than login that takes a password (switching sign-in
        method): under the same attempt limits, with the same cost for an unknown account."""
        await self.attempts.guard(ctx, "login", account)
        try:
            if auth is None:
                if password:
                    await asyncio.to_thread(check_dummy_password, password)
                raise invalid_credentials(where)
            await self.check_credentials(auth, password, mfa_token, where)
        except AppError as e:
            if e.id in _COUNTED_FAILURES:
                await self.attempts.failed(ctx, "login", account)
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
                "Please sign in using {AuthService}.",
                400,
                params={"AuthService": user.auth_service},
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

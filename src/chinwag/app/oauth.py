"""Single sign-on with OAuth 2.0 / OpenID Connect providers (GitLab, OpenID): the flow's two ends.

``start`` stores a one-time ``state`` (with the PKCE verifier, the nonce and a hash of a browser-bound
cookie) and returns the provider's authorize URL; ``complete`` consumes that state, checks the
cookie, exchanges the code, and signs the user in, creates the account, or links it (email → SSO).
An existing account with the same email and another sign-in method is never taken over.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field

from chinwag.app.audit import audit
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.login import LoginService
from chinwag.app.oauth_providers import (
    SERVICE_GITLAB,
    SERVICE_NAMES,
    SERVICE_OPENID,
    AuthorizeParams,
    Providers,
    SsoUser,
)
from chinwag.app.passwords import hash_password
from chinwag.app.session import SessionService
from chinwag.app.user import UserService
from chinwag.app.validate import check_password
from chinwag.config.schema import SSOSettings
from chinwag.model.errors import AppError
from chinwag.model.user import Session, User, UserCreate
from chinwag.store.errors import NotFound, StoreError
from chinwag.store.sql.user_store import UserAuth

TOKEN_TYPE_OAUTH = "oauth"
STATE_TTL_MS = 30 * 60_000

ACTION_LOGIN = "login"
ACTION_SIGNUP = "signup"
ACTION_MOBILE = "mobile"
ACTION_EMAIL_TO_SSO = "email_to_sso"
ACTIONS = (ACTION_LOGIN, ACTION_SIGNUP, ACTION_MOBILE, ACTION_EMAIL_TO_SSO)


@dataclass
class OAuthStart:
    url: str
    #: the value of the MMOAUTH cookie the callback must present
    cookie: str


@dataclass
class SwitchRequest:
    """POST /users/login/switch (Mattermost's SwitchRequest)."""

    current_service: str = ""
    new_service: str = ""
    email: str = ""
    password: str = ""
    mfa_code: str = ""
    new_password: str = ""


@dataclass
class OAuthResult:
    action: str
    redirect_to: str
    user: User
    session: Session | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _digest(value: str) -> str:
    return _b64(hashlib.sha256(value.encode()).digest())


def invalid_state(detail: str) -> AppError:
    return AppError("AuthorizeOAuthUser", "api.user.authorize_oauth_user.invalid_state.app_error",
                    "Invalid state: the sign-in link expired or was not started in this browser.", 400, detail)


def safe_redirect(redirect_to: str, action: str, schemes: list[str]) -> str:
    """Only paths on this server, or a mobile app's custom scheme for the mobile flow."""
    if not redirect_to:
        return ""
    if action == ACTION_MOBILE:
        if any(redirect_to.startswith(s) for s in schemes if s and not s.startswith(("http:", "https:"))):
            return redirect_to
        raise AppError("mobileLoginWithOAuth", "api.invalid_custom_url_scheme",
                       "Invalid custom URL scheme for the mobile app's sign-in.", 400, redirect_to)
    if redirect_to.startswith("/") and not redirect_to.startswith(("//", "/\\")) and "\n" not in redirect_to:
        return redirect_to
    return ""


class OAuthService:
    def __init__(
        self,
        core: AppCore,
        users: UserService,
        sessions: SessionService,
        login: LoginService,
        providers: Providers | None = None,
    ) -> None:
        self.core = core
        self.users = users
        self.sessions = sessions
        self.login = login
        self.providers = providers or Providers()

    def settings(self, service: str, where: str = "GetAuthorizationCode") -> SSOSettings:
        cfg = self.core.cfg
        found = {SERVICE_GITLAB: cfg.GitLabSettings, SERVICE_OPENID: cfg.OpenIdSettings}.get(service)
        if found is None:
            raise AppError(where, "api.user.get_authorization_code.unsupported.app_error",
                           "Unsupported OAuth service provider.", 501, service)
        if not found.Enable:
            raise AppError(where, "api.user.authorize_oauth_user.unsupported.app_error",
                           "{Service} single sign-on is not enabled on this server.", 501,
                           params={"Service": SERVICE_NAMES[service]})
        return found

    # the redirect to the provider ----------------------------------------------------------

    async def start(self, service: str, action: str, site_url: str, *, redirect_to: str = "",
                    email: str = "") -> OAuthStart:
        settings = self.settings(service)
        if action not in ACTIONS:
            raise AppError("GetAuthorizationCode", "api.oauth.invalid_action", "Invalid sign-in action.", 400)
        redirect_to = safe_redirect(redirect_to, action, self.core.cfg.NativeAppSettings.AppCustomURLSchemes)
        state, cookie, verifier, nonce = (secrets.token_urlsafe(32) for _ in range(4))
        extra = {"service": service, "action": action, "redirect_to": redirect_to, "email": email,
                 "verifier": verifier, "nonce": nonce, "cookie": _digest(cookie)}
        now = self.core.now()
        await self.core.store.one_time_tokens.remove_older_than(TOKEN_TYPE_OAUTH, now - STATE_TTL_MS)
        await self.core.store.one_time_tokens.save(state, TOKEN_TYPE_OAUTH, json.dumps(extra), now)
        params = AuthorizeParams(redirect_uri=self.redirect_uri(site_url, service), state=state,
                                 code_challenge=_b64(hashlib.sha256(verifier.encode()).digest()), nonce=nonce)
        url = await self.providers.get(service, settings).authorize_url(params)
        return OAuthStart(url=url, cookie=cookie)

    @staticmethod
    def redirect_uri(site_url: str, service: str) -> str:
        """Mattermost's: the provider's application lists …/signup/{service}/complete."""
        return f"{site_url.rstrip('/')}/signup/{service}/complete"

    # the provider's callback ---------------------------------------------------------------

    async def complete(self, service: str, code: str, state: str, cookie: str, site_url: str) -> OAuthResult:
        where = "CompleteOAuth"
        settings = self.settings(service, where)
        if not state or len(state) > 64:
            raise invalid_state("missing state")
        try:
            raw, created = await self.core.store.one_time_tokens.consume(state, TOKEN_TYPE_OAUTH)
        except NotFound:
            raise invalid_state("unknown or already used state") from None
        extra: dict[str, str] = json.loads(raw)
        if self.core.now() - created > STATE_TTL_MS:
            raise invalid_state("state expired")
        if extra.get("service") != service:
            raise invalid_state("state was issued for another service")
        if not cookie or not hmac.compare_digest(_digest(cookie), extra.get("cookie", "")):
            raise invalid_state("the state is not bound to this browser")
        if not code:
            raise AppError(where, "api.oauth.complete_oauth.missing_code.app_error",
                           "The sign-in provider did not return an authorization code.", 400)
        params = AuthorizeParams(redirect_uri=self.redirect_uri(site_url, service), state=state,
                                 code_challenge="", nonce=extra["nonce"])
        sso = await self.providers.get(service, settings).exchange(code, params, extra["verifier"])
        action = extra["action"]
        if action == ACTION_EMAIL_TO_SSO:
            user = await self._link(service, sso, extra.get("email", ""))
            return OAuthResult(action=action, redirect_to="/login?extra=signin_change", user=user)
        user = await self._login_or_create(service, sso)
        session = await self.sessions.create(user, is_oauth=True, props={"sso": service})
        await self.core.store.users.update_last_login(user.id, self.core.now())
        return OAuthResult(action=action, redirect_to=extra.get("redirect_to", ""), user=user, session=session)

    async def _login_or_create(self, service: str, sso: SsoUser) -> User:
        try:
            user = await self.core.store.users.get_by_auth(service, sso.id)
        except NotFound:
            return await self._create(service, sso)
        if user.delete_at:
            raise AppError("LoginByOAuth", "api.user.login.inactive.app_error", "Login failed because your "
                           "account has been deactivated. Please contact an administrator.", 401)
        return await self._update_from_provider(user, sso)

    async def _update_from_provider(self, user: User, sso: SsoUser) -> User:
        """Mattermost's UpdateOAuthUserAttrs: names and email follow the provider (email only when free)."""
        changed = False
        for field_name, value in (("first_name", sso.first_name), ("last_name", sso.last_name)):
            if value and getattr(user, field_name) != value:
                setattr(user, field_name, value)
                changed = True
        if sso.email != user.email:
            try:
                await self.core.store.users.get_by_email(sso.email)
            except NotFound:
                user.email = sso.email
                changed = True
        if changed:
            user.update_at = self.core.now()
            try:
                await self.users.save_changed(user)
            except StoreError:
                return await self.users.get(user.id)
        return user

    def _conflict(self, service: str, existing: User) -> AppError:
        method = SERVICE_NAMES.get(existing.auth_service, existing.auth_service) or "email and password"
        return AppError(
            "CreateOAuthUser", "api.user.create_oauth_user.already_attached.app_error",
            "There is already an account associated with that email address using a sign in method "
            "other than {Service}. Please sign in using {Method}, then switch your "
            "sign-in method to {Service} from your account settings.", 400,
            params={"Service": SERVICE_NAMES[service], "Method": method})

    async def _create(self, service: str, sso: SsoUser) -> User:
        where = "CreateOAuthUser"
        try:
            existing = await self.core.store.users.get_by_email(sso.email)
        except NotFound:
            existing = None
        if existing is not None:
            raise self._conflict(service, existing)
        data = UserCreate(username=sso.username, email=sso.email, first_name=sso.first_name,
                          last_name=sso.last_name, auth_service=service, auth_data=sso.id, email_verified=True)
        ctx = Ctx(request_id="")
        for attempt in range(10):
            data.username = sso.username if attempt == 0 else f"{sso.username[:60]}{attempt}"
            try:
                return await self.users.create(ctx, data, from_sso=True)
            except AppError as e:
                if e.id == "app.user.save.username_exists.app_error":
                    continue
                if e.id == "app.user.save.email_exists.app_error":
                    raise self._conflict(service, await self.users.get_by_email(sso.email)) from None
                raise
        raise AppError(where, "app.user.save.username_exists.app_error",
                       "An account with that username already exists.", 400)

    async def _link(self, service: str, sso: SsoUser, email: str) -> User:
        """Finish ``/users/login/switch`` email → SSO: the provider's account must carry the same email."""
        where = "CompleteSwitchWithOAuth"
        if not email:
            raise AppError(where, "api.user.complete_switch_with_oauth.blank_email.app_error",
                           "Blank email.", 400)
        if sso.email != email.lower():
            raise AppError(where, "api.user.complete_switch_with_oauth.email_mismatch.app_error",
                           "The {Service} account's email ({Email}) is not this account's email.", 400,
                           params={"Service": SERVICE_NAMES[service], "Email": sso.email})
        try:
            user = await self.core.store.users.get_by_email(email)
        except NotFound:
            raise AppError(where, "app.user.get_by_email.app_error", "Unable to find the user.", 404) from None
        try:
            other = await self.core.store.users.get_by_auth(service, sso.id)
        except NotFound:
            other = None
        if other is not None and other.id != user.id:
            raise AppError(where, "api.user.complete_switch_with_oauth.already_linked.app_error",
                           "That {Service} account already signs in another user.", 400,
                           params={"Service": SERVICE_NAMES[service]})
        return await self.switch_auth(user, service, sso.id, "")

    async def switch(self, ctx: Ctx, req: SwitchRequest, site_url: str) -> tuple[str, OAuthStart | None]:
        """Email → SSO (checks the password, then the provider must confirm the same email) or
        SSO → email (for the signed-in user, with a new password). Returns the link to follow."""
        where = "switchAccountType"
        current = "" if req.current_service == "email" else req.current_service
        if not current and req.new_service in SERVICE_NAMES:
            self.settings(req.new_service, where)
            found: UserAuth | None
            try:
                found = await self.core.store.users.get_for_login(req.email, False, True)
            except NotFound:
                found = None
            if found is not None and found.user.auth_service:
                raise AppError(where, "api.user.email_to_oauth.not_email.app_error",
                               "This account signs in with {AuthService}, not email.", 400,
                               params={"AuthService": found.user.auth_service})
            await self.login.verify_limited(ctx, req.email, found, req.password, req.mfa_code, where)
            assert found is not None  # verify_limited refuses an unknown account
            auth = found
            started = await self.start(req.new_service, ACTION_EMAIL_TO_SSO, site_url, email=auth.user.email)
            return started.url, started
        if current in SERVICE_NAMES and req.new_service == "email":
            if ctx.session is None:
                raise AppError(where, "api.context.session_expired.app_error", "Invalid or expired session, "
                               "please login again.", 401)
            user = await self.users.get(ctx.user_id, where)
            if user.email != req.email.strip().lower() or user.auth_service != current:
                raise AppError(where, "api.user.oauth_to_email.context.app_error", "Update password failed "
                               "because context user_id did not match provided user's id.", 403)
            check_password(req.new_password, self.core.cfg.PasswordSettings, where)
            hashed = await asyncio.to_thread(hash_password, req.new_password)
            await self.switch_auth(user, "", None, hashed)
            await audit(self.core, ctx, "switch_to_email", "success", user_id=user.id, from_service=current)
            return "/login?extra=signin_change", None
        raise AppError(where, "api.user.switch_account_type.invalid_request.app_error",
                       "Unsupported switch of sign-in method.", 400,
                       f"{req.current_service!r} → {req.new_service!r}")

    async def switch_auth(self, user: User, service: str, auth_data: str | None, password_hash: str) -> User:
        """Change how a user signs in and sign them out everywhere, in one unit of work."""
        try:
            async with self.core.unit_of_work() as uow:
                changed = await self.users.set_auth(uow, user, service, auth_data, password_hash, end_sessions=True)
        except StoreError as e:
            raise AppError("SwitchAuth", "app.user.update_auth_data.app_error",
                           "Unable to update the sign-in method.", 400, str(e)) from None
        return changed

"""Mattermost as an OAuth 2.0 provider (``ServiceSettings.EnableOAuthServiceProvider``): apps registered
by users with ``manage_oauth``, the consent step, the authorization-code and refresh-token grants, and
deauthorization. An access token is the token of a session (``is_oauth``) made for the app, so it works
as a bearer token on the whole API, as in Mattermost. Shapes and error ids follow Mattermost's
app/oauth.go and web/oauth.go."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import msgspec

from chinwag.app.attempts import AttemptLimiter
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.permissions import PermissionService
from chinwag.app.session import SessionService
from chinwag.app.webhook_outgoing import is_valid_http_url
from chinwag.model import permissions
from chinwag.model.errors import N_, AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.oauth_app import (
    DEFAULT_SCOPE,
    GRANT_AUTHORIZATION_CODE,
    GRANT_REFRESH_TOKEN,
    PKCE_S256,
    PREFERENCE_CATEGORY_AUTHORIZED_OAUTH_APP,
    RESPONSE_TYPE_CODE,
    RESPONSE_TYPE_TOKEN,
    AccessData,
    AccessResponse,
    AuthData,
    AuthorizeRequest,
    OAuthApp,
)
from chinwag.model.user import Preference, Session, User
from chinwag.store.errors import NotFound

_PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")
_PKCE_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def _off(where: str, error_id: str = "api.oauth.allow_oauth.turn_off.app_error") -> AppError:
    return AppError(where, error_id, "The system admin has turned off OAuth service providing.", 501)


def _bad_app(field: str, app_id: str) -> AppError:
    return AppError("OAuthApp.IsValid", f"model.oauth.is_valid.{field}.app_error",
                    f"Invalid {field.replace('_', ' ')}.", 400, f"app_id={app_id}")


def validate_app(a: OAuthApp) -> None:
    """Mattermost's OAuthApp.IsValid."""
    if not is_valid_id(a.id):
        raise _bad_app("app_id", a.id)
    if not a.create_at:
        raise _bad_app("create_at", a.id)
    if not a.update_at:
        raise _bad_app("update_at", a.id)
    if not is_valid_id(a.creator_id) and not a.is_dynamically_registered:
        raise _bad_app("creator_id", a.id)
    if (not a.client_secret and not a.is_dynamically_registered) or len(a.client_secret) > 128:
        raise _bad_app("client_secret", a.id)
    if not a.name or len(a.name) > 64:
        raise _bad_app("name", a.id)
    if not a.callback_urls or len(" ".join(a.callback_urls)) + 2 > 1024 \
            or not all(is_valid_http_url(u) for u in a.callback_urls):
        raise _bad_app("callback", a.id)
    if not a.homepage and not a.is_dynamically_registered:
        raise _bad_app("homepage", a.id)
    if a.homepage and (len(a.homepage) > 256 or not is_valid_http_url(a.homepage)):
        raise _bad_app("homepage", a.id)
    if len(a.description) > 512:
        raise _bad_app("description", a.id)
    if a.icon_url and (len(a.icon_url) > 512 or not is_valid_http_url(a.icon_url)):
        raise _bad_app("icon_url", a.id)
    if len(a.mattermost_app_id) > 32:
        raise _bad_app("mattermost_app_id", a.id)


def _bad_authorize(field: str, client_id: str) -> AppError:
    return AppError("AuthData.IsValid", f"model.authorize.is_valid.{field}.app_error",
                    f"Invalid {field.replace('_', ' ')}.", 400, f"client_id={client_id}" if client_id else "")


def validate_authorize(r: AuthorizeRequest) -> None:
    """Mattermost's AuthorizeRequest.IsValid (with its PKCE checks)."""
    if not is_valid_id(r.client_id):
        raise _bad_authorize("client_id", "")
    if not r.response_type:
        raise _bad_authorize("response_type", "")
    if not r.redirect_uri or len(r.redirect_uri) > 256 or not is_valid_http_url(r.redirect_uri):
        raise _bad_authorize("redirect_uri", r.client_id)
    if len(r.state) > 1024:
        raise _bad_authorize("state", r.client_id)
    if len(r.scope) > 128:
        raise _bad_authorize("scope", r.client_id)
    if r.code_challenge or r.code_challenge_method:
        if not r.code_challenge:
            raise _bad_authorize("code_challenge", r.client_id)
        if not r.code_challenge_method:
            raise _bad_authorize("code_challenge_method", r.client_id)
        if r.code_challenge_method != PKCE_S256:
            raise _bad_authorize("code_challenge_method.unsupported", r.client_id)
        if not _PKCE_CHALLENGE.match(r.code_challenge):
            raise _bad_authorize("code_challenge.format", r.client_id)


def _pkce_ok(data: AuthData, verifier: str) -> AppError | None:
    """Mattermost's ValidatePKCEForClientType for a confidential client."""
    where = "AuthData.ValidatePKCEForClientType"
    if data.code_challenge:
        if not verifier:
            return AppError(where, "model.authorize.validate_pkce.verifier_required.app_error",
                            "A code_verifier is required.", 400)
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not _PKCE_VERIFIER.match(verifier) or not hmac.compare_digest(digest, data.code_challenge):
            return AppError(where, "model.authorize.validate_pkce.verification_failed.app_error",
                            "The code_verifier does not match.", 400)
    elif verifier:
        return AppError(where, "model.authorize.validate_pkce.not_used_in_auth.app_error",
                        "PKCE was not used in the authorization request.", 400)
    return None


_PUBLIC_GRANT_MESSAGES = {
    "public_client_secret": N_("Public clients must not provide a client secret."),
    "public_client_refresh_token": N_("Public clients cannot use refresh token grant type."),
    "pkce_required": N_("PKCE (Proof Key for Code Exchange) is required for public clients."),
}


class DCRError(Exception):
    """A refused dynamic client registration: RFC 7591's error body (not Mattermost's AppError)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class ClientRegistrationRequest(msgspec.Struct, kw_only=True):
    redirect_uris: list[str] | None = None
    token_endpoint_auth_method: str | None = None
    client_name: str | None = None
    client_uri: str | None = None

    def problem(self) -> str:
        """Mattermost's ClientRegistrationRequest.IsValid: what is wrong (its message), or ""."""
        if not self.redirect_uris:
            return "At least one redirect URI is required."
        if not all(is_valid_http_url(u) for u in self.redirect_uris):
            return "Invalid redirect URI format."
        if self.client_name is not None and len(self.client_name) > 64:
            return "Client name must be 64 characters or less."
        if self.client_uri is not None:
            if not is_valid_http_url(self.client_uri):
                return "Invalid client URI format."
            if len(self.client_uri) > 256:
                return "Client URI must be less than 256 characters."
        if self.token_endpoint_auth_method is not None \
                and self.token_endpoint_auth_method not in ("client_secret_post", "none"):
            return "Unsupported token_endpoint_auth_method supplied."
        return ""


def redirect_uri_matches(uri: str, pattern: str) -> bool:
    """Mattermost's RedirectURIMatchesGlob: ``*`` matches within one path segment (no ``/``), ``**``
    anything; the rest literally, the whole URI."""
    regex = "".join(".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part)
                    for part in re.split(r"(\*\*|\*)", pattern))
    return re.fullmatch(regex, uri, flags=re.DOTALL) is not None


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


@service
class OAuthProviderService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    sessions: SessionService
    attempts: AttemptLimiter

    def enabled(self) -> bool:
        return self.core.cfg.ServiceSettings.EnableOAuthServiceProvider

    def _require_enabled(self, where: str) -> None:
        if not self.enabled():
            raise _off(where)

    # apps ---------------------------------------------------------------------------------------

    def _require_manage(self, ctx: Ctx, where: str) -> None:
        self.perms.require_system(ctx, permissions.MANAGE_OAUTH, where)

    def _require_owner(self, ctx: Ctx, app: OAuthApp, where: str) -> None:
        if app.creator_id != ctx.user_id and not self.perms.has_system(ctx, permissions.MANAGE_SYSTEM_WIDE_OAUTH):
            raise permission_denied(where, f"permission={permissions.MANAGE_SYSTEM_WIDE_OAUTH}")

    async def get_app(self, app_id: str, where: str = "GetOAuthApp") -> OAuthApp:
        self._require_enabled(where)
        try:
            return await self.core.store.oauth.get_app(app_id)
        except NotFound:
            raise AppError(where, "app.oauth.get_app.find.app_error", "Unable to find the OAuth app.",
                           404) from None

    async def create_app(self, ctx: Ctx, data: OAuthApp) -> OAuthApp:
        where = "createOAuthApp"
        self._require_manage(ctx, where)
        if not self.enabled():
            raise _off("CreateOAuthApp", "api.oauth.register_oauth_app.turn_off.app_error")
        if data.id:
            raise AppError("CreateOAuthApp", "app.oauth.save_app.existing.app_error",
                           "Must call update for existing app.", 400)
        now = self.core.now()
        app = msgspec.structs.replace(
            data, id=new_id(), client_secret=new_id(), creator_id=ctx.user_id, create_at=now, update_at=now,
            is_trusted=data.is_trusted and self.perms.has_system(ctx, permissions.MANAGE_SYSTEM),
            is_dynamically_registered=False)
        validate_app(app)
        return await self.core.store.oauth.save_app(app)

    async def register_client(self, ctx: Ctx, body: bytes) -> dict[str, Any]:
        """``POST /oauth/apps/register``: OAuth 2.0 Dynamic Client Registration (RFC 7591, Mattermost's
        registerOAuthClient), open to anyone while ``EnableOAuthServiceProvider`` and
        ``EnableDynamicClientRegistration``. The app has no creator; ``token_endpoint_auth_method``
        ``none`` makes a public client (no secret, PKCE required). Refusals are RFC 7591's
        ``{"error", "error_description"}``, 400 (:class:`DCRError`). Each client address may register 20 at
        once, then 2 a second (Mattermost limits the route to 2 a second); past that 429."""
        await self.attempts.attempt(ctx, "oauth_register", "")
        try:
            req = msgspec.json.decode(body or b"null", type=ClientRegistrationRequest)
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise DCRError("invalid_client_metadata", "Invalid JSON in request body") from None
        s = self.core.cfg.ServiceSettings
        if not s.EnableOAuthServiceProvider:
            raise DCRError("unsupported_operation", "OAuth service provider is disabled")
        if not s.EnableDynamicClientRegistration:
            raise DCRError("unsupported_operation", "Dynamic client registration is disabled")
        problem = req.problem()
        if problem:
            raise DCRError("invalid_client_metadata", problem)
        uris = req.redirect_uris or []
        allowlist = [p.strip() for p in s.DCRRedirectURIAllowlist if p.strip()]
        if allowlist and not all(any(redirect_uri_matches(u, p) for p in allowlist) for u in uris):
            raise DCRError("invalid_redirect_uri", "One or more redirect URIs do not match the allowlist")
        now = self.core.now()
        method = req.token_endpoint_auth_method or "client_secret_post"
        app = OAuthApp(id=new_id(), creator_id="", create_at=now, update_at=now,
                       client_secret="" if method == "none" else new_id(),
                       name=req.client_name if req.client_name is not None else "Dynamically Registered Client",
                       callback_urls=list(uris), homepage=req.client_uri or "",
                       is_dynamically_registered=True)
        try:
            validate_app(app)
        except AppError as e:
            raise DCRError("invalid_client_metadata", e.message) from None
        await self.core.store.oauth.save_app(app)
        out: dict[str, Any] = {"client_id": app.id}
        if not app.is_public_client():
            out["client_secret"] = app.client_secret
        out.update({"redirect_uris": app.callback_urls, "token_endpoint_auth_method": app.token_endpoint_auth_method(),
                    "grant_types": [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN],
                    "response_types": [RESPONSE_TYPE_CODE], "scope": DEFAULT_SCOPE})
        if app.name:
            out["client_name"] = app.name
        if app.homepage:
            out["client_uri"] = app.homepage
        return out

    async def update_app(self, ctx: Ctx, app_id: str, data: OAuthApp) -> OAuthApp:
        where = "updateOAuthApp"
        self._require_manage(ctx, where)
        if data.id != app_id:
            raise invalid_param(where, "app_id")
        old = await self.get_app(app_id)
        self._require_owner(ctx, old, where)
        trusted = data.is_trusted if self.perms.has_system(ctx, permissions.MANAGE_SYSTEM) else old.is_trusted
        app = msgspec.structs.replace(data, creator_id=old.creator_id, create_at=old.create_at,
                                      client_secret=old.client_secret, is_trusted=trusted,
                                      is_dynamically_registered=old.is_dynamically_registered,
                                      update_at=self.core.now())
        validate_app(app)
        return await self.core.store.oauth.update_app(app)

    async def list_apps(self, ctx: Ctx, page: int, per_page: int) -> list[OAuthApp]:
        where = "getOAuthApps"
        if not self.perms.has_system(ctx, permissions.MANAGE_OAUTH):
            raise AppError(where, "api.command.admin_only.app_error",
                           "Integrations have been limited to admins only.", 403)
        self._require_enabled("GetOAuthApps")
        creator = "" if self.perms.has_system(ctx, permissions.MANAGE_SYSTEM_WIDE_OAUTH) else ctx.user_id
        return await self.core.store.oauth.list_apps(creator_id=creator, offset=page * per_page, limit=per_page)

    async def get_own_app(self, ctx: Ctx, app_id: str) -> OAuthApp:
        where = "getOAuthApp"
        self._require_manage(ctx, where)
        app = await self.get_app(app_id)
        self._require_owner(ctx, app, where)
        return app

    async def app_info(self, app_id: str) -> OAuthApp:
        return (await self.get_app(app_id)).sanitized()

    async def delete_app(self, ctx: Ctx, app_id: str) -> None:
        where = "deleteOAuthApp"
        self._require_manage(ctx, where)
        app = await self.get_app(app_id)
        self._require_owner(ctx, app, where)
        for token in await self.core.store.oauth.delete_app(app.id, PREFERENCE_CATEGORY_AUTHORIZED_OAUTH_APP):
            await self.sessions.revoke_token(token)

    async def regenerate_secret(self, ctx: Ctx, app_id: str) -> OAuthApp:
        where = "regenerateOAuthAppSecret"
        self._require_manage(ctx, where)
        app = await self.get_app(app_id)
        self._require_owner(ctx, app, where)
        app.client_secret = new_id()
        app.update_at = self.core.now()
        return await self.core.store.oauth.update_app(app)

    async def authorized_apps(self, ctx: Ctx, user_id: str, page: int, per_page: int) -> list[OAuthApp]:
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, "getAuthorizedOAuthApps")
        self._require_enabled("GetAuthorizedAppsForUser")
        found = await self.core.store.oauth.authorized_apps(user_id, PREFERENCE_CATEGORY_AUTHORIZED_OAUTH_APP,
                                                            page * per_page, per_page)
        return [a.sanitized() for a in found]

    # consent ------------------------------------------------------------------------------------

    async def is_authorized(self, user_id: str, client_id: str) -> bool:
        return bool(await self.core.store.preferences.get_all(
            user_id, PREFERENCE_CATEGORY_AUTHORIZED_OAUTH_APP, client_id))

    async def allow(self, ctx: Ctx, req: AuthorizeRequest) -> str:
        """Mattermost's AllowOAuthAppAccessToUser: the URL to send the browser back to, with a code
        (or, for response_type=token, the access token in the fragment)."""
        where = "AllowOAuthAppAccessToUser"
        self._require_enabled(where)
        scope = req.scope or "user"
        app = await self.get_app(req.client_id, where)
        if req.redirect_uri not in app.callback_urls:
            raise AppError(where, "api.oauth.allow_oauth.redirect_callback.app_error",
                           "invalid_request: Supplied redirect_uri did not match registered callback_url.", 400)
        if app.is_public_client() and req.response_type == RESPONSE_TYPE_CODE and not req.code_challenge:
            raise AppError(where, "api.oauth.allow_oauth.pkce_required_public.app_error",
                           "PKCE (Proof Key for Code Exchange) is required for public OAuth clients using "
                           "authorization code flow.", 400)
        user_id = ctx.user_id
        if req.response_type == RESPONSE_TYPE_CODE:
            data = AuthData(client_id=app.id, user_id=user_id, code=new_id() + new_id(),
                            create_at=self.core.now(), redirect_uri=req.redirect_uri, state=req.state,
                            scope=scope, code_challenge=req.code_challenge,
                            code_challenge_method=req.code_challenge_method)
            await self.core.store.oauth.save_auth_data(data)
            target = _with_query(req.redirect_uri, {"code": data.code, "state": req.state})
        elif req.response_type == RESPONSE_TYPE_TOKEN:
            session = await self._new_session(app, user_id)
            await self.core.store.oauth.save_access_data(AccessData(
                client_id=app.id, user_id=user_id, token=session.token, redirect_uri=req.redirect_uri,
                expires_at=session.expires_at, scope=scope))
            fragment = urlencode({"access_token": session.token, "token_type": "bearer",
                                  "expires_in": str(max(0, (session.expires_at - self.core.now()) // 1000)),
                                  "scope": scope, "state": req.state})
            target = f"{req.redirect_uri}#{fragment}"
        else:
            return f"{req.redirect_uri}?{urlencode({'error': 'unsupported_response_type', 'state': req.state})}"
        await self.core.store.preferences.save([Preference(
            user_id=user_id, category=PREFERENCE_CATEGORY_AUTHORIZED_OAUTH_APP, name=app.id, value=scope)])
        return target

    async def deauthorize(self, ctx: Ctx, client_id: str) -> None:
        if not is_valid_id(client_id):
            raise invalid_param("deauthorizeOAuthApp", "client_id")
        self._require_enabled("DeauthorizeOAuthAppForUser")
        store = self.core.store.oauth
        for grant in await store.access_data_for(ctx.user_id, client_id):
            await self.sessions.revoke_token(grant.token)
            await store.remove_access_data(grant.token)
        await store.remove_auth_data_for(client_id, ctx.user_id)
        await self.core.store.preferences.delete([Preference(
            user_id=ctx.user_id, category=PREFERENCE_CATEGORY_AUTHORIZED_OAUTH_APP, name=client_id, value="")])

    # tokens -------------------------------------------------------------------------------------

    async def _new_session(self, app: OAuthApp, user_id: str) -> Session:
        user = await self.directory.user(user_id, "newSession")
        return await self.sessions.create(user, is_oauth=True, props={
            "platform": app.name, "oauth_app_id": app.id, "mattermost_app_id": app.mattermost_app_id,
            "os": "OAuth2", "browser": "OAuth2"})

    def _expires_in(self) -> int:
        return self.core.cfg.ServiceSettings.SessionLengthSSOInHours * 3600

    async def _renew(self, app: OAuthApp, grant: AccessData) -> AccessResponse:
        """Mattermost's newSessionUpdateToken: a new session and refresh token in place of the old."""
        await self.sessions.revoke_token(grant.token)
        session = await self._new_session(app, grant.user_id)
        renewed = msgspec.structs.replace(grant, token=session.token,
                                          refresh_token="" if app.is_public_client() else new_id(),
                                          expires_at=session.expires_at)
        await self.core.store.oauth.replace_access_token(grant.token, renewed)
        return AccessResponse(access_token=session.token, refresh_token=renewed.refresh_token,
                              expires_in=self._expires_in())

    async def access_token(self, client_id: str, grant_type: str, redirect_uri: str, code: str, secret: str,
                           refresh_token: str, code_verifier: str = "") -> AccessResponse:
        """Mattermost's GetOAuthAccessTokenForCodeFlow."""
        where = "GetOAuthAccessToken"
        if not self.enabled():
            raise _off(where, "api.oauth.get_access_token.disabled.app_error")

        def credentials(status: int) -> AppError:
            return AppError(where, "api.oauth.get_access_token.credentials.app_error",
                            "invalid_client: Invalid client credentials.", status)

        try:
            app = await self.core.store.oauth.get_app(client_id)
        except NotFound:
            raise credentials(404) from None
        if app.is_public_client():  # Mattermost's validatePublicClientGrant
            grant_error = "public_client_secret" if secret else \
                "public_client_refresh_token" if grant_type == GRANT_REFRESH_TOKEN else \
                "pkce_required" if grant_type == GRANT_AUTHORIZATION_CODE and not code_verifier else ""
            if grant_error:
                raise AppError("OAuthApp.validatePublicClientGrant", f"model.oauth.validate_grant.{grant_error}.app_error",
                               _PUBLIC_GRANT_MESSAGES[grant_error], 400, f"app_id={app.id}")
        elif not hmac.compare_digest(app.client_secret.encode(), secret.encode()):
            raise credentials(403)
        store = self.core.store.oauth
        now = self.core.now()
        if grant_type != GRANT_AUTHORIZATION_CODE:
            try:
                grant = await store.access_data_by_refresh_token(refresh_token)
            except NotFound:
                grant = None
            if grant is None or grant.client_id != app.id:
                raise AppError(where, "api.oauth.get_access_token.refresh_token.app_error",
                               "invalid_grant: Invalid refresh token.", 404)
            user = await self._user(grant.user_id, where)
            if user.delete_at:
                raise AppError(where, "api.oauth.get_access_token.refresh_token.app_error",
                               "invalid_grant: Invalid refresh token.", 404)
            return await self._renew(app, grant)

        def expired(status: int) -> AppError:
            return AppError(where, "api.oauth.get_access_token.expired_code.app_error",
                            "invalid_grant: Invalid or expired authorization code.", status)

        try:
            data = await store.take_auth_data(code)
        except NotFound:
            raise expired(400) from None
        if data.client_id != app.id:
            raise expired(400)
        if data.is_expired(now):
            raise expired(403)
        if data.redirect_uri != redirect_uri:
            raise AppError(where, "api.oauth.get_access_token.redirect_uri.app_error",
                           "invalid_request: Supplied redirect_uri does not match authorization code "
                           "redirect_uri.", 400)
        if app.is_public_client() and not data.code_challenge:
            raise AppError("AuthData.ValidatePKCEForClientType", "model.authorize.validate_pkce.public_client_required.app_error",
                           "PKCE (Proof Key for Code Exchange) is required for public clients.", 400,
                           f"client_id={app.id}")
        pkce_error = _pkce_ok(data, code_verifier)
        if pkce_error is not None:
            raise pkce_error
        user = await self._user(data.user_id, where)
        if user.delete_at:
            raise expired(403)
        previous = await store.previous_access_data(user.id, app.id)
        if previous is not None:
            if previous.is_expired(now):
                return await self._renew(app, previous)
            return AccessResponse(access_token=previous.token,
                                  refresh_token="" if app.is_public_client() else previous.refresh_token,
                                  expires_in=max(0, (previous.expires_at - now) // 1000))
        session = await self._new_session(app, user.id)
        grant = AccessData(client_id=app.id, user_id=user.id, token=session.token,
                           refresh_token="" if app.is_public_client() else new_id(),
                           redirect_uri=redirect_uri, expires_at=session.expires_at, scope=data.scope)
        await store.save_access_data(grant)
        return AccessResponse(access_token=session.token, refresh_token=grant.refresh_token,
                              expires_in=self._expires_in())

    async def _user(self, user_id: str, where: str) -> User:
        try:
            return await self.core.store.users.get(user_id)
        except NotFound:
            raise AppError(where, "api.oauth.get_access_token.internal_user.app_error",
                           "server_error: Encountered internal server error while pulling user from "
                           "database.", 404) from None

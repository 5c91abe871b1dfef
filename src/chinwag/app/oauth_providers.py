"""SSO identity providers: GitLab (OAuth 2.0 + its user API) and any OpenID Connect provider.

A provider builds the authorize URL and turns an authorization code into an :class:`SsoUser`. The
endpoints are set by the administrator, so they are called with a plain HTTP client (loopback and
private addresses allowed), unlike integrations' outbound requests.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from chinwag.config.schema import SSOSettings
from chinwag.model.errors import AppError

SERVICE_GITLAB = "gitlab"
SERVICE_OPENID = "openid"
SERVICE_NAMES = {SERVICE_GITLAB: "GitLab", SERVICE_OPENID: "OpenID Connect"}

#: ID-token signature algorithms accepted (never "none", never HMAC with the client secret)
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
DISCOVERY_TTL_S = 3600
HTTP_TIMEOUT_S = 15.0

_INVALID_USERNAME_CHARS = re.compile(r"[^a-z0-9.\-_]")


@dataclass
class SsoUser:
    """Who the provider says signed in: ``id`` becomes the user's ``auth_data``."""

    id: str
    email: str
    username: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class AuthorizeParams:
    redirect_uri: str
    state: str
    code_challenge: str
    nonce: str


def provider_error(detail: str, where: str = "AuthorizeOAuthUser") -> AppError:
    return AppError(where, "api.user.authorize_oauth_user.response.app_error",
                    "Received invalid response from the sign-in provider.", 500, detail)


def token_error(detail: str) -> AppError:
    return AppError("AuthorizeOAuthUser", "api.user.authorize_oauth_user.invalid_token.app_error",
                    "The sign-in provider's identity token was rejected.", 401, detail)


def clean_username(name: str) -> str:
    """Mattermost's CleanUsername: lower-case, invalid characters become '-', must start with a letter."""
    out = _INVALID_USERNAME_CHARS.sub("-", name.strip().lower())[:64].strip("-.")
    if not out or not out[0].isalpha():
        out = ("a" + out)[:64]
    return out


def split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first[:64], last.strip()[:64]


class Provider(Protocol):
    service: str

    async def authorize_url(self, params: AuthorizeParams) -> str: ...

    async def exchange(self, code: str, params: AuthorizeParams, code_verifier: str) -> SsoUser: ...


class _Http:
    """A plain client for admin-configured provider endpoints; every failure is an AppError."""

    async def get_json(self, url: str, token: str = "") -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_S) as client:
                resp = await client.get(url, headers=headers)
        except httpx.HTTPError as e:
            raise provider_error(f"GET {url}: {e!r}") from None
        return self._decode(resp, url)

    async def post_form(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_S) as client:
                resp = await client.post(url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as e:
            raise provider_error(f"POST {url}: {e!r}") from None
        return self._decode(resp, url)

    @staticmethod
    def _decode(resp: httpx.Response, url: str) -> dict[str, Any]:
        if resp.status_code != 200:
            raise provider_error(f"{url} answered {resp.status_code}: {resp.text[:300]}")
        try:
            data = resp.json()
        except ValueError:
            raise provider_error(f"{url} did not answer JSON") from None
        if not isinstance(data, dict):
            raise provider_error(f"{url} did not answer a JSON object")
        return data


def _query_join(endpoint: str, query: dict[str, str]) -> str:
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode({k: v for k, v in query.items() if v})


class _Discovery:
    """The OpenID configuration document, fetched once an hour per endpoint."""

    def __init__(self, http: _Http) -> None:
        self.http = http
        self._docs: dict[str, tuple[dict[str, Any], float]] = {}

    async def get(self, endpoint: str) -> dict[str, Any]:
        cached = self._docs.get(endpoint)
        if cached and time.monotonic() - cached[1] < DISCOVERY_TTL_S:
            return cached[0]
        doc = await self.http.get_json(endpoint)
        for key in ("issuer", "authorization_endpoint", "token_endpoint"):
            if not isinstance(doc.get(key), str) or not doc[key]:
                raise provider_error(f"discovery document {endpoint} has no {key}")
        self._docs[endpoint] = (doc, time.monotonic())
        return doc


class GitLabProvider:
    """GitLab's OAuth 2.0 applications: authorize, token, then ``/api/v4/user``."""

    service = SERVICE_GITLAB

    def __init__(self, settings: SSOSettings, http: _Http, discovery: _Discovery) -> None:
        self.s = settings
        self.http = http
        self.discovery = discovery

    async def _endpoints(self) -> tuple[str, str]:
        if self.s.AuthEndpoint and self.s.TokenEndpoint:
            return self.s.AuthEndpoint, self.s.TokenEndpoint
        if self.s.DiscoveryEndpoint:
            doc = await self.discovery.get(self.s.DiscoveryEndpoint)
            return str(doc["authorization_endpoint"]), str(doc["token_endpoint"])
        raise provider_error("GitLabSettings needs AuthEndpoint and TokenEndpoint (or DiscoveryEndpoint)")

    async def authorize_url(self, params: AuthorizeParams) -> str:
        auth, _ = await self._endpoints()
        return _query_join(auth, {
            "response_type": "code", "client_id": self.s.Id, "redirect_uri": params.redirect_uri,
            "state": params.state, "scope": self.s.Scope, "code_challenge": params.code_challenge,
            "code_challenge_method": "S256"})

    async def exchange(self, code: str, params: AuthorizeParams, code_verifier: str) -> SsoUser:
        _, token_url = await self._endpoints()
        tok = await self.http.post_form(token_url, {
            "grant_type": "authorization_code", "code": code, "redirect_uri": params.redirect_uri,
            "client_id": self.s.Id, "client_secret": self.s.Secret, "code_verifier": code_verifier})
        access = tok.get("access_token")
        if not isinstance(access, str) or not access:
            raise provider_error("the token response has no access_token")
        if str(tok.get("token_type", "bearer")).lower() != "bearer":
            raise provider_error(f"unsupported token type {tok.get('token_type')!r}")
        if not self.s.UserAPIEndpoint:
            raise provider_error("GitLabSettings.UserAPIEndpoint is not set")
        data = await self.http.get_json(self.s.UserAPIEndpoint, access)
        return self.user_from(data)

    @staticmethod
    def user_from(data: dict[str, Any]) -> SsoUser:
        uid = data.get("id")
        if isinstance(uid, bool) or not isinstance(uid, (int, str)) or str(uid) == "":
            raise provider_error("the GitLab user has no id")
        email = data.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise provider_error("the GitLab user has no email address (scope read_user needed)")
        first, last = split_name(str(data.get("name") or ""))
        username = str(data.get("username") or email.split("@")[0])
        return SsoUser(id=str(uid), email=email.strip().lower(), username=clean_username(username),
                       first_name=first, last_name=last)


class OpenIdProvider:
    """OpenID Connect: discovery, code flow with PKCE and nonce, ID token checked against the JWKS."""

    service = SERVICE_OPENID

    def __init__(self, settings: SSOSettings, http: _Http, discovery: _Discovery) -> None:
        self.s = settings
        self.http = http
        self.discovery = discovery
        self._jwks: dict[str, KeySet] = {}

    async def _doc(self) -> dict[str, Any]:
        if not self.s.DiscoveryEndpoint:
            raise provider_error("OpenIdSettings.DiscoveryEndpoint is not set")
        return await self.discovery.get(self.s.DiscoveryEndpoint)

    async def authorize_url(self, params: AuthorizeParams) -> str:
        doc = await self._doc()
        return _query_join(str(doc["authorization_endpoint"]), {
            "response_type": "code", "client_id": self.s.Id, "redirect_uri": params.redirect_uri,
            "state": params.state, "scope": self.s.Scope or "openid profile email", "nonce": params.nonce,
            "code_challenge": params.code_challenge, "code_challenge_method": "S256"})

    async def exchange(self, code: str, params: AuthorizeParams, code_verifier: str) -> SsoUser:
        doc = await self._doc()
        tok = await self.http.post_form(str(doc["token_endpoint"]), {
            "grant_type": "authorization_code", "code": code, "redirect_uri": params.redirect_uri,
            "client_id": self.s.Id, "client_secret": self.s.Secret, "code_verifier": code_verifier})
        id_token = tok.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise token_error("the token response has no id_token")
        claims = await self.validate_id_token(doc, id_token, params.nonce)
        access = tok.get("access_token")
        if not claims.get("email") and isinstance(access, str) and doc.get("userinfo_endpoint"):
            info = await self.http.get_json(str(doc["userinfo_endpoint"]), access)
            if info.get("sub") != claims["sub"]:
                raise token_error("userinfo is about another subject")
            claims = {**info, **claims, "email": info.get("email")}
        return self.user_from(claims)

    async def _keys(self, jwks_uri: str, refresh: bool) -> KeySet:
        if refresh or jwks_uri not in self._jwks:
            data = await self.http.get_json(jwks_uri)
            try:
                self._jwks[jwks_uri] = KeySet.import_key_set(data)  # type: ignore[arg-type]
            except (JoseError, ValueError, KeyError, TypeError) as e:
                raise provider_error(f"bad JWKS at {jwks_uri}: {e!r}") from None
        return self._jwks[jwks_uri]

    async def validate_id_token(self, doc: dict[str, Any], id_token: str, nonce: str) -> dict[str, Any]:
        jwks_uri = doc.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise provider_error("the discovery document has no jwks_uri")
        token = None
        for refresh in (False, True):  # a key rotation: fetch the set again once
            try:
                token = jwt.decode(id_token, await self._keys(jwks_uri, refresh), algorithms=ID_TOKEN_ALGORITHMS)
                break
            except JoseError as e:
                if refresh:
                    raise token_error(f"signature: {e!r}") from None
            except ValueError as e:
                raise token_error(f"malformed token: {e!r}") from None
        assert token is not None
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": doc["issuer"]},
            aud={"essential": True, "value": self.s.Id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as e:
            raise token_error(f"claims: {e!r}") from None
        aud = token.claims.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and token.claims.get("azp") != self.s.Id:
            raise token_error("several audiences and azp is not this client")
        return dict(token.claims)

    @staticmethod
    def user_from(claims: dict[str, Any]) -> SsoUser:
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise provider_error("the OpenID provider gave no email claim (scope email needed)")
        first = str(claims.get("given_name") or "")
        last = str(claims.get("family_name") or "")
        if not (first or last) and claims.get("name"):
            first, last = split_name(str(claims["name"]))
        username = str(claims.get("preferred_username") or claims.get("nickname") or email.split("@")[0])
        if "@" in username:
            username = username.split("@")[0]
        return SsoUser(id=str(claims["sub"]), email=email.strip().lower(), username=clean_username(username),
                       first_name=first[:64], last_name=last[:64])


class Providers:
    """The enabled providers, built from the current config on each use (config can change live)."""

    def __init__(self) -> None:
        self.http = _Http()
        self.discovery = _Discovery(self.http)
        self._openid: dict[tuple[str, str], OpenIdProvider] = {}

    def get(self, service: str, settings: SSOSettings) -> Provider:
        if service == SERVICE_GITLAB:
            return GitLabProvider(settings, self.http, self.discovery)
        key = (settings.DiscoveryEndpoint, settings.Id)
        found = self._openid.get(key)
        if found is None or found.s != settings:
            found = self._openid[key] = OpenIdProvider(settings, self.http, self.discovery)
        return found

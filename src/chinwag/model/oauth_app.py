"""Mattermost as an OAuth 2.0 provider: registered apps, authorization codes and access grants
(Mattermost's OAuthApp, AuthData, AccessData, AuthorizeRequest, AccessResponse)."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from chinwag.model.wire import Wire

#: the preference category marking an app a user has authorized (value: the granted scope)
PREFERENCE_CATEGORY_AUTHORIZED_OAUTH_APP = "oauth_app"
RESPONSE_TYPE_CODE = "code"
RESPONSE_TYPE_TOKEN = "token"
GRANT_AUTHORIZATION_CODE = "authorization_code"
GRANT_REFRESH_TOKEN = "refresh_token"
TOKEN_TYPE = "bearer"
DEFAULT_SCOPE = "user"
#: an authorization code is good for this long (Mattermost: 10 minutes)
AUTH_CODE_EXPIRES_IN_S = 600
PKCE_S256 = "S256"


class OAuthApp(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"is_dynamically_registered"})

    id: str = ""
    creator_id: str = ""
    create_at: int = 0
    update_at: int = 0
    client_secret: str = ""
    name: str = ""
    description: str = ""
    icon_url: str = ""
    callback_urls: list[str] = msgspec.field(default_factory=list)
    homepage: str = ""
    is_trusted: bool = False
    mattermost_app_id: str = ""
    #: registered through POST /oauth/apps/register (RFC 7591): no creator, maybe no homepage; with no
    #: client secret it is a public client (PKCE required, no refresh tokens)
    is_dynamically_registered: bool = False

    def is_public_client(self) -> bool:
        """Mattermost's IsPublicClient: token_endpoint_auth_method "none", an app without a secret."""
        return self.client_secret == ""

    def token_endpoint_auth_method(self) -> str:
        return "none" if self.is_public_client() else "client_secret_post"

    def sanitized(self) -> OAuthApp:
        return msgspec.structs.replace(self, client_secret="")


class AuthorizeRequest(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"code_challenge", "code_challenge_method"})

    response_type: str = ""
    client_id: str = ""
    redirect_uri: str = ""
    scope: str = ""
    state: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""


class AuthData(Wire, kw_only=True):
    client_id: str
    user_id: str
    code: str
    expires_in: int = AUTH_CODE_EXPIRES_IN_S
    create_at: int = 0
    redirect_uri: str = ""
    state: str = ""
    scope: str = DEFAULT_SCOPE
    code_challenge: str = ""
    code_challenge_method: str = ""

    def is_expired(self, now: int) -> bool:
        return now > self.create_at + self.expires_in * 1000


class AccessData(Wire, kw_only=True):
    client_id: str
    user_id: str
    token: str
    refresh_token: str = ""
    redirect_uri: str = ""
    expires_at: int = 0
    scope: str = ""

    def is_expired(self, now: int) -> bool:
        return 0 < self.expires_at < now


class AccessResponse(Wire, kw_only=True):
    access_token: str
    token_type: str = TOKEN_TYPE
    expires_in: int = 0
    scope: str = ""
    refresh_token: str = ""
    id_token: str = ""

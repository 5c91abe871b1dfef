"""Where a request's token comes from, and the session cookies."""

from __future__ import annotations

from enum import Enum

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from chinwag.model.user import Session

COOKIE_TOKEN = "MMAUTHTOKEN"
COOKIE_USER_ID = "MMUSERID"
COOKIE_CSRF = "MMCSRF"


class TokenLocation(Enum):
    NONE = 0
    COOKIE = 1
    HEADER = 2
    QUERY = 3


def token_from_request(request: HTTPConnection) -> tuple[str, TokenLocation]:
    """Mattermost's ParseAuthTokenFromRequest: cookie first, then Authorization, then ?access_token.
    One pass over the raw headers finds the first ``cookie`` and ``authorization`` (what
    ``request.cookies`` and ``request.headers.get`` read): the cookies are parsed only when there is a
    cookie header, and no ``Headers`` object is built for an API client's bearer token."""
    cookie_header = auth_header = None
    for name, value in request.scope["headers"]:
        if name == b"cookie":
            if cookie_header is None:
                cookie_header = value
        elif name == b"authorization" and auth_header is None:
            auth_header = value
    if cookie_header is not None:
        cookie = request.cookies.get(COOKIE_TOKEN)
        if cookie:
            return cookie, TokenLocation.COOKIE
    auth = auth_header.decode("latin-1") if auth_header is not None else ""
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() in ("bearer", "token") and value.strip():
            return value.strip(), TokenLocation.HEADER
    q = request.query_params.get("access_token")
    if q:
        return q, TokenLocation.QUERY
    return "", TokenLocation.NONE


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def attach_session_cookies(response: Response, request: Request, session: Session, max_age_hours: int,
                           subpath: str = "/") -> None:
    secure = is_secure(request)
    max_age = max_age_hours * 3600
    response.set_cookie(COOKIE_TOKEN, session.token, max_age=max_age, path=subpath, httponly=True,
                        secure=secure, samesite="lax")
    response.set_cookie(COOKIE_USER_ID, session.user_id, max_age=max_age, path=subpath, httponly=False,
                        secure=secure, samesite="lax")
    response.set_cookie(COOKIE_CSRF, session.csrf_token, max_age=max_age, path=subpath, httponly=False,
                        secure=secure, samesite="lax")


def clear_session_cookies(response: Response, subpath: str = "/") -> None:
    for name in (COOKIE_TOKEN, COOKIE_USER_ID, COOKIE_CSRF):
        response.delete_cookie(name, path=subpath)


def client_ip(request: HTTPConnection, trusted_headers: list[str]) -> str:
    """Mattermost's GetIPAddress: the first address in the first of ServiceSettings.TrustedProxyIPHeader
    that the request carries (set it only behind a proxy that writes that header), else the peer."""
    for name in trusted_headers:
        value = request.headers.get(name, "")
        if value:
            first = value.split(",")[0].strip()
            if first:
                return first
    peer = request.scope.get("client")  # what ``request.client.host`` reads, without the Address
    return peer[0] if peer else ""

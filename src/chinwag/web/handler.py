"""The API handler: builds the request context, authenticates, checks CSRF, maps errors.

Routes register with ``@api.route("GET", "/users/{user_id}")``; handlers take a ``W`` and return
a Response, or data that is serialised as JSON (``(data, status)`` for another status).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chinwag.app.app import App
from chinwag.app.context import Ctx
from chinwag.model.errors import AppError, invalid_param, invalid_url_param, session_expired
from chinwag.model.ids import is_valid_id, new_id
from chinwag.web.auth import TokenLocation, token_from_request
from chinwag.web.errors import error_response, internal_error, method_not_allowed
from chinwag.web.responses import json_response

log = structlog.get_logger("chinwag.web")

T = TypeVar("T")
Handler = Callable[["W"], Awaitable[Any]]

PER_PAGE_DEFAULT = 60
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
PER_PAGE_MAX = 200


@dataclass
class RouteSpec:
    method: str
    path: str
    fn: Handler
    require_session: bool
    trust_requester: bool
    #: served at ``path`` itself rather than under /api/v4 (e.g. /files/{id}/public)
    root: bool = False


class Api:
    def __init__(self) -> None:
        self.specs: list[RouteSpec] = []

    def route(self, method: str, path: str, *, auth: bool = True,
              trust_requester: bool = False, root: bool = False) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.specs.append(RouteSpec(method, path, fn, auth, trust_requester, root))
            return fn

        return deco


def request_id_of(request: Request) -> str:
    rid = request.scope.setdefault("state", {}).get("request_id")
    if not rid:
        rid = new_id()
        request.scope["state"]["request_id"] = rid
    return str(rid)


class W:
    """What a route handler works with: the app, the caller's context, and parsed input."""

    __slots__ = ("_body", "app", "ctx", "path", "request", "token_location")

    def __init__(self, app: App, request: Request, ctx: Ctx, token_location: TokenLocation) -> None:
        self.app = app
        self.request = request
        self.ctx = ctx
        self.path: dict[str, str] = request.path_params
        self.token_location = token_location
        self._body: bytes | None = None

    @property
    def user_id(self) -> str:
        return self.ctx.user_id

    # path parameters -----------------------------------------------------------------------

    def id_param(self, name: str) -> str:
        value = self.path.get(name, "")
        if not is_valid_id(value):
            raise invalid_url_param("ServeHTTP", name)
        return value

    def user_param(self, name: str = "user_id") -> str:
        value = self.path.get(name, "")
        if value == "me" and self.ctx.user_id:
            return self.ctx.user_id
        if not is_valid_id(value):
            raise invalid_url_param("ServeHTTP", name)
        return value

    def str_param(self, name: str) -> str:
        return self.path.get(name, "")

    # query ---------------------------------------------------------------------------------

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def query_bool(self, name: str, default: bool = False) -> bool:
        v = self.request.query_params.get(name)
        if v is None or v == "":
            return default
        return v.lower() in ("true", "1", "yes")

    def query_int(self, name: str, default: int = 0) -> int:
        v = self.request.query_params.get(name)
        if v is None or v == "":
            return default
        try:
            return int(v)
        except ValueError:
            raise invalid_url_param("ServeHTTP", name) from None

    def page(self) -> int:
        try:
            v = int(self.request.query_params.get("page", "0"))
        except ValueError:
            return 0
        return max(v, 0)

    def per_page(self, default: int = PER_PAGE_DEFAULT) -> int:
        try:
            v = int(self.request.query_params.get("per_page", str(default)))
        except ValueError:
            return default
        if v < 0:
            return default
        return min(v, PER_PAGE_MAX)

    # body ----------------------------------------------------------------------------------

    async def body(self) -> bytes:
        if self._body is None:
            limit = self.app.config.config.ServiceSettings.MaximumPayloadSizeBytes
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.request.stream():
                size += len(chunk)
                if limit > 0 and size > limit:
                    raise AppError("ServeHTTP", "api.context.request_body_too_large.app_error",
                                   "The request body is too large.", 413)
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body

    async def json(self, typ: type[T], name: str = "body") -> T:
        raw = await self.body()
        if not raw.strip():
            raise invalid_param("ServeHTTP", name, "empty body")
        try:
            return msgspec.json.decode(raw, type=typ)
        except msgspec.ValidationError as e:
            raise invalid_param("ServeHTTP", name, str(e)) from None
        except msgspec.DecodeError as e:
            raise invalid_param("ServeHTTP", name, f"malformed JSON: {e}") from None

    async def json_any(self, name: str = "body") -> Any:
        return await self.json(Any, name)


def _segment_key(path: str) -> tuple[int, ...]:
    return tuple(1 if seg.startswith("{") else 0 for seg in path.strip("/").split("/"))


def _check_csrf(w: W, spec: RouteSpec, method: str) -> None:
    if w.token_location != TokenLocation.COOKIE or spec.trust_requester or method == "GET":
        return
    session = w.ctx.session
    if session is None:
        return
    header = w.request.headers.get("x-csrf-token", "")
    if header and header == session.csrf_token:
        return
    if w.request.headers.get("x-requested-with", "") == "XMLHttpRequest":
        return
    raise session_expired("ServeHTTP", "Appears to be a CSRF attempt")


def build_routes(app: App, api: Api, prefix: str = "/api/v4") -> list[Route]:
    by_path: dict[str, dict[str, RouteSpec]] = {}
    for spec in api.specs:
        by_path.setdefault(spec.path if spec.root else prefix + spec.path, {})[spec.method] = spec
    routes = []
    for path in sorted(by_path, key=lambda p: (len(p.strip("/").split("/")), _segment_key(p), p)):
        routes.append(Route(path, _endpoint(app, by_path[path]), methods=ALL_METHODS))
    return routes


def _endpoint(app: App, methods: dict[str, RouteSpec]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        request_id = request_id_of(request)
        method = request.method
        spec = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        developer = app.config.config.ServiceSettings.EnableDeveloper
        if spec is None:
            return error_response(method_not_allowed(method, request.url.path), request_id, developer)
        ctx = Ctx(request_id=request_id, ip=request.client.host if request.client else "",
                  user_agent=request.headers.get("user-agent", ""),
                  local=bool(request.scope.get("chinwag.local")))
        token, location = ("", TokenLocation.NONE) if ctx.local else token_from_request(request)
        w = W(app, request, ctx, location)
        try:
            if token:
                try:
                    ctx.session = await app.sessions.from_token(token)
                except AppError as e:
                    if e.status_code >= 500 or spec.require_session:
                        raise
            if spec.require_session and ctx.session is None and not ctx.local:
                raise session_expired("ServeHTTP", "no session")
            _check_csrf(w, spec, method)
            if ctx.session is not None and request.url.path.startswith("/api/v4/") \
                    and not _MFA_EXEMPT.match(request.url.path):
                await app.mfa.require_enrolled(ctx)
            result = await spec.fn(w)
        except AppError as e:
            if e.status_code >= 500:
                log.error("request failed", path=request.url.path, error=str(e), request_id=request_id)
            return error_response(e, request_id, developer)
        except Exception as e:
            log.error("unhandled error", path=request.url.path, error=repr(e), request_id=request_id,
                      traceback=traceback.format_exc())
            return error_response(internal_error(repr(e) if developer else ""), request_id, developer)
        if isinstance(result, Response):
            return result
        if isinstance(result, tuple):
            return json_response(result[0], status=result[1])
        return json_response(result)

    return endpoint


_ID_RE = re.compile(r"^[a-z0-9]{26}$")
#: what a user without MFA can still reach when EnforceMultifactorAuthentication is on: enough to set it up
_MFA_EXEMPT = re.compile(
    r"^/api/v4/(users/(me|logout|login|mfa)|users/(me|[a-z0-9]{26})/mfa(/generate)?|config/client"
    r"|license/client|system/ping)$")

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
from chinwag.app.failures import OutageLog, failure_error
from chinwag.model.errors import AppError, invalid_param, invalid_url_param, session_expired
from chinwag.model.ids import is_valid_id, new_id
from chinwag.web.auth import TokenLocation, client_ip, token_from_request
from chinwag.web.errors import error_locale, error_response, internal_error, method_not_allowed
from chinwag.web.responses import json_response

log = structlog.get_logger("chinwag.web")

T = TypeVar("T")
Handler = Callable[["HandlerContext"], Awaitable[Any]]

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
    #: answers as a Mattermost without a licence does (501/403 with Mattermost's error id)
    enterprise: bool = False


class Api:
    def __init__(self) -> None:
        self.specs: list[RouteSpec] = []

    def route(self, method: str, path: str, *, auth: bool = True, trust_requester: bool = False,
              root: bool = False, enterprise: bool = False) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.specs.append(RouteSpec(method, path, fn, auth, trust_requester, root, enterprise))
            return fn

        return deco


def request_id_of(request: Request) -> str:
    rid = request.scope.setdefault("state", {}).get("request_id")
    if not rid:
        rid = new_id()
        request.scope["state"]["request_id"] = rid
    return str(rid)


class HandlerContext:
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

    @property
    def connection_id(self) -> str:
        """The caller's WebSocket connection (Mattermost's ``Connection-Id`` header), to leave out of the
        events its own change sends."""
        return self.request.headers.get("connection-id", "")

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
        """A 64-bit integer from the query (Go's strconv.ParseInt): anything else is a 400."""
        v = self.request.query_params.get(name)
        if v is None or v == "":
            return default
        parsed = parse_int64(v)
        if parsed is None:
            raise invalid_url_param("ServeHTTP", name)
        return parsed

    def page(self) -> int:
        """Mattermost's ``page``: not a non-negative 64-bit integer → 0; kept small enough that
        ``page * per_page`` is still a 64-bit offset (a page that far out is simply empty)."""
        v = parse_int64(self.request.query_params.get("page", "0"))
        return 0 if v is None or v < 0 else min(v, _PAGE_MAX)

    def per_page(self, default: int = PER_PAGE_DEFAULT) -> int:
        v = parse_int64(self.request.query_params.get("per_page", str(default)))
        if v is None or v < 0:
            return default
        return min(v, PER_PAGE_MAX)

    # body ----------------------------------------------------------------------------------

    async def body(self, limit: int | None = None) -> bytes:
        """The request's body, refused (413) past ``limit`` bytes (default: ``MaximumPayloadSizeBytes``)."""
        if self._body is None:
            if limit is None:
                limit = self.app.config.effective.ServiceSettings.MaximumPayloadSizeBytes
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
            value = msgspec.json.decode(raw, type=typ)
        except msgspec.ValidationError as e:
            raise invalid_param("ServeHTTP", name, str(e)) from None
        except JSON_ERRORS as e:
            raise invalid_param("ServeHTTP", name, f"malformed JSON: {e}") from None
        check_json_values(raw, name)
        return value

    async def json_any(self, name: str = "body") -> Any:
        return await self.json(Any, name)


#: what decoding a JSON body may raise on bad input (not only msgspec's own errors: invalid UTF-8 in a
#: string, nesting too deep)
JSON_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_PAGE_MAX = INT64_MAX // (PER_PAGE_MAX * 10)
_INT_TEXT = re.compile(r"^[+-]?[0-9]{1,20}$")
#: a run of digits too long for a 64-bit integer, somewhere in a JSON body
_LONG_NUMBER = re.compile(rb"[0-9]{19}")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def parse_int64(text: str | None) -> int | None:
    """Go's strconv.ParseInt(s, 10, 64): the integer, or None when it is not one or needs more than
    64 bits."""
    if text is None or not _INT_TEXT.match(text):
        return None
    v = int(text)
    return v if INT64_MIN <= v <= INT64_MAX else None


def check_json_values(raw: bytes, name: str) -> None:
    """Refuse (400) a JSON body holding a number beyond 64 bits (Go's decoder refuses it for an int64
    field) or a string with a NUL character (PostgreSQL cannot store it). The full walk only runs when
    the raw bytes suggest one."""
    if not (_LONG_NUMBER.search(raw) or b"\\u0000" in raw):
        return
    stack: list[Any] = [msgspec.json.decode(raw)]
    while stack:
        v = stack.pop()
        if isinstance(v, bool):
            continue
        if isinstance(v, int) and not INT64_MIN <= v <= INT64_MAX:
            raise invalid_param("ServeHTTP", name, "number out of range")
        if isinstance(v, str) and "\x00" in v:
            raise invalid_param("ServeHTTP", name, "NUL character")
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def check_request_text(request: Request) -> None:
    """A NUL character in the query or the path is a 400 (it cannot reach the database or a file
    name); control characters are refused in path parameters (names of files, exports, users)."""
    qs: bytes = request.scope.get("query_string", b"")
    # a NUL can only reach a parsed key or value as "%00" or a raw NUL byte: otherwise skip the parse
    for key, value in request.query_params.multi_items() if (b"%00" in qs or b"\x00" in qs) else ():
        if "\x00" in key or "\x00" in value:
            raise invalid_url_param("ServeHTTP", key.replace("\x00", "") or "query")
    for key, value in request.path_params.items():
        if isinstance(value, str) and _CONTROL.search(value):
            raise invalid_url_param("ServeHTTP", key)


_outage_log = OutageLog()


def _segment_key(path: str) -> tuple[int, ...]:
    return tuple(1 if seg.startswith("{") else 0 for seg in path.strip("/").split("/"))


def _check_csrf(w: HandlerContext, spec: RouteSpec, method: str) -> None:
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


class ApiRoute(Route):
    """A route whose endpoint answers its own errors (every ``_endpoint`` catches what its handler raises
    and returns the error response): called without Starlette's per-request exception wrapper. Whatever
    still escapes reaches the application's ExceptionMiddleware and ServerErrorMiddleware, as before."""

    def __init__(self, path: str, endpoint: Callable[[Request], Awaitable[Response]], methods: list[str]) -> None:
        super().__init__(path, endpoint, methods=methods)

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            response = await endpoint(Request(scope, receive, send))
            await response(scope, receive, send)

        self.app = asgi


def build_routes(app: App, api: Api, prefix: str = "/api/v4") -> list[Route]:
    by_path: dict[str, dict[str, RouteSpec]] = {}
    for spec in api.specs:
        by_path.setdefault(spec.path if spec.root else prefix + spec.path, {})[spec.method] = spec
    routes: list[Route] = []
    for path in sorted(by_path, key=lambda p: (len(p.strip("/").split("/")), _segment_key(p), p)):
        routes.append(ApiRoute(path, _endpoint(app, by_path[path]), methods=ALL_METHODS))
    return routes


def _endpoint(app: App, methods: dict[str, RouteSpec]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        request_id = request_id_of(request)
        method = request.method
        spec = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        developer = app.config.effective.ServiceSettings.EnableDeveloper
        if spec is None:
            return error_response(method_not_allowed(method, request.url.path), request_id, developer)
        ctx = Ctx(request_id=request_id, ip=client_ip(request, app.config.effective.ServiceSettings.TrustedProxyIPHeader),
                  user_agent=request.headers.get("user-agent", ""),
                  local=bool(request.scope.get("chinwag.local")))
        token, location = ("", TokenLocation.NONE) if ctx.local else token_from_request(request)
        w = HandlerContext(app, request, ctx, location)
        try:
            check_request_text(request)
            if token:
                try:
                    ctx.session = await app.sessions.from_token(token)
                except AppError as e:
                    if e.status_code >= 500 or spec.require_session:
                        raise
                except Exception as e:
                    # the database is down: a route that needs no session (ping) still answers
                    if spec.require_session or failure_error(e) is None:
                        raise
            if spec.require_session and ctx.session is None and not ctx.local:
                raise session_expired("ServeHTTP", "no session")
            _check_csrf(w, spec, method)
            path = request.scope["path"]  # request.url.path, without building the URL
            if ctx.session is not None and path.startswith("/api/v4/") and not _MFA_EXEMPT.match(path):
                await app.mfa.require_enrolled(ctx)
            result = await spec.fn(w)
        except AppError as e:
            if e.status_code >= 500 and e.status_code != 501:  # 501: a feature off or unlicensed, as asked
                log.error("request failed", path=request.url.path, error=str(e), request_id=request_id)
            return error_response(e, request_id, developer, await error_locale(app, request, ctx))
        except (UnicodeDecodeError, RecursionError) as e:
            # input no handler could read (invalid UTF-8, nesting deeper than the decoder goes): the
            # client's fault, whichever decoder met it
            return error_response(invalid_param("ServeHTTP", "body", repr(e)), request_id, developer,
                                  await error_locale(app, request, ctx))
        except Exception as e:
            known = failure_error(e)
            if known is not None:
                if known.status_code == 503:
                    say, failed = _outage_log.should_log()
                    if say:
                        log.error("database unavailable", error=str(e).splitlines()[0][:300],
                                  failed_since_last=failed, path=request.url.path, request_id=request_id)
                return error_response(known, request_id, developer)
            log.error("unhandled error", path=request.url.path, error=repr(e), request_id=request_id,
                      traceback=traceback.format_exc())
            return error_response(internal_error(repr(e) if developer else ""), request_id, developer,
                                  await error_locale(app, request, ctx))
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

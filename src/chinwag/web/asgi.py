"""create_app: the Starlette application with api4 routes, headers and error handling."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from time import perf_counter
from typing import Any

from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from chinwag import BUILD_NUMBER, MATTERMOST_VERSION
from chinwag.app.app import App
from chinwag.bus.ratelimit import MemoryRateStore, Quota, RateStore
from chinwag.model.ids import new_id
from chinwag.web.api4 import load_all
from chinwag.web.durable import SAFE_METHODS, EventsDurable
from chinwag.web.errors import error_locale, error_response, not_found_error
from chinwag.web.handler import ALL_METHODS, ApiRoute, build_routes, request_id_of
from chinwag.web.hooks import hook_routes
from chinwag.web.oauth import sso_routes
from chinwag.web.oauth_provider import provider_routes
from chinwag.web.ratelimit import rate_key
from chinwag.web.router import IndexedRouter
from chinwag.web.webapp import webapp_root_html, webapp_routes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]

STATIC_DIR = Path(__file__).parent / "static"


_SLASHES = re.compile(r"/{2,}")


def _clean_path(path: str) -> str:
    return _SLASHES.sub("/", path)


def version_id(app: App) -> str:
    cfg_hash = hashlib.md5(str(app.config.effective).encode()).hexdigest()
    return f"{MATTERMOST_VERSION}.{BUILD_NUMBER}.{cfg_hash}.false"


_API_PREFIXES = ("/api/", "/hooks/", "/plugins/")


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_sha_cache: dict[tuple[str, float], str] = {}


def inline_script_hashes(root_html: Path | None) -> str:
    """Mattermost's cspShaDirective: the ``'sha256-…'`` of each inline script of the Mattermost web app's
    root.html (when ServiceSettings.WebappDirectory serves it), so the CSP lets exactly those run."""
    if root_html is None:
        return ""
    try:
        key = (str(root_html), root_html.stat().st_mtime)
    except OSError:
        return ""
    if key not in _sha_cache:
        hashes = [base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()
                  for m in _INLINE_SCRIPT.finditer(root_html.read_bytes()) if m.group(1).strip()]
        _sha_cache[key] = "".join(f" 'sha256-{h}'" for h in hashes)
    return _sha_cache[key]


def ui_headers(frame_ancestors: str, script_hashes: str = "") -> list[tuple[bytes, bytes]]:
    """What every page of the web UI (and every file it loads) is served with: no framing by other
    sites (clickjacking), scripts from this server only, no content-type guessing, no Referer to the
    sites people follow links to (their URLs name teams and channels). Mattermost's static handler sends
    the first two; ServiceSettings.FrameAncestors adds origins allowed to frame the UI."""
    ancestors = " ".join(["'self'", *frame_ancestors.split()])
    csp = f"frame-ancestors {ancestors}; script-src 'self'{script_hashes}; object-src 'none'; base-uri 'self'"
    return [(b"x-frame-options", b"SAMEORIGIN"), (b"content-security-policy", csp.encode()),
            (b"referrer-policy", b"no-referrer")]


def _secure_cookie(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() == b"set-cookie" and b"; secure" not in value.lower():
        value += b"; Secure"
    return name, value


class HttpPipeline:
    """Everything every HTTP request goes through before and after its route, in one pass (these were
    four nested middlewares, each with its own coroutine frame and ``send`` wrapper per request):

    - the path cleaned of ``//`` (Mattermost's router cleans paths; mattermostdriver builds such paths);
    - a request id (``scope["state"]["request_id"]``);
    - RateLimitSettings (``chinwag.web.ratelimit``): a 429 ``limit exceeded`` or the budget's
      ``X-RateLimit-*`` headers;
    - X-Request-ID, X-Version-Id and X-Content-Type-Options on every answer, the web UI's security
      headers (``ui_headers``) on everything outside the API, every cookie Secure behind an https Site URL;
    - with ``events``: the answer to a request that changed something leaves only once the events it
      published are in the event history (``EventsDurable`` below);
    - with ``observe``: the request counted with its status and latency (Prometheus metrics)."""

    def __init__(self, inner: ASGIApp, app: App, store: RateStore, *,
                 observe: Callable[[str, int, float], None] | None = None,
                 events: EventsDurable | None = None) -> None:
        self.inner = inner
        self.app = app
        #: the rate limit budgets (tests swap it for one with a fake clock)
        self.store = store
        self.observe = observe
        self.events = events
        self._version = version_id(app).encode()
        self._site_url = ""
        self._https_site = False
        app.config.listeners.append(lambda _cfg: self._refresh())
        self._direct: tuple[IndexedRouter, Starlette, dict[str, Any], Any] | None = None

    def route_api_directly(self, starlette: Starlette, server_error: Any) -> None:
        """API requests whose route is an ``ApiRoute`` (it answers its own errors) go straight to it:
        not through Starlette's application, its two middlewares (each with its own ``send`` wrapper) and
        its router again. The scope gets what they would have set (``app``, ``router``,
        ``starlette.exception_handlers``, ``route``, ``endpoint``, ``path_params``); an exception that
        still escapes is answered as ServerErrorMiddleware does (``server_error``, then re-raised).
        Everything else — other routes, partial matches, methods a route does not take — goes through
        Starlette as before."""
        router = starlette.router
        assert isinstance(router, IndexedRouter)
        if starlette.middleware_stack is None:
            starlette.middleware_stack = starlette.build_middleware_stack()
        extra: dict[str, Any] = {"app": starlette, "router": router}
        inner = getattr(starlette.middleware_stack, "app", None)  # ServerErrorMiddleware → ExceptionMiddleware
        handlers = (getattr(inner, "_exception_handlers", None), getattr(inner, "_status_handlers", None))
        if handlers[0] is None or handlers[1] is None:
            return  # not the Starlette this was written for: keep the whole stack
        extra["starlette.exception_handlers"] = handlers
        self._direct = (router, starlette, extra, server_error)

    def _refresh(self) -> None:
        self._version = version_id(self.app).encode()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        started = perf_counter()
        status = 500
        path: str = scope["path"]
        if "//" in path:
            # Mattermost's router cleans paths ("/posts/x//reactions" → "/posts/x/reactions", via a
            # redirect); some clients (mattermostdriver's get_reactions_of_post) build such paths.
            path = _clean_path(path)
            scope = dict(scope, path=path)
            scope["raw_path"] = path.encode()
        state = scope.get("state")
        if state is None:
            state = scope["state"] = {}
        if "request_id" not in state:
            state["request_id"] = new_id()
        rid = str(state["request_id"]).encode()
        cfg = self.app.config.effective
        service = cfg.ServiceSettings
        site_url = service.SiteURL
        if site_url is not self._site_url:
            # behind a TLS-terminating proxy the request may look like plain http: an https Site URL says
            # the browser is on https, so every cookie is Secure
            self._site_url, self._https_site = site_url, site_url.lower().startswith("https://")
        https_site = self._https_site
        ui = not path.startswith(_API_PREFIXES)
        version = self._version
        events = self.events
        mark = events.begin() if events is not None and scope.get("method") not in SAFE_METHODS else None
        limits = cfg.RateLimitSettings
        rate_headers: list[tuple[bytes, bytes]] = []
        refused = False
        if limits.Enable and not scope.get("chinwag.local"):
            decision = await self.store.take(
                rate_key(HTTPConnection(scope), limits, service.TrustedProxyIPHeader),
                Quota(limits.PerSec, limits.MaxBurst))
            rate_headers = decision.headers()
            refused = not decision.allowed

        started = False

        async def send_on(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                headers += rate_headers
                headers.append((b"x-request-id", rid))
                headers.append((b"x-version-id", version))
                for k, _v in headers:
                    if k.lower() == b"x-content-type-options":
                        break
                else:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if ui:  # a route's own policy (the OAuth consent page's) stays as it is
                    present = {k.lower() for k, _ in headers}
                    headers += [(k, v) for k, v in ui_headers(
                        service.FrameAncestors, inline_script_hashes(webapp_root_html(cfg)))
                        if k not in present]
                if https_site:
                    headers = [_secure_cookie(k, v) for k, v in headers]
                message["headers"] = headers
                status = int(message["status"])
                if mark is not None and events is not None:
                    await events.wait(mark, path)
            await send(message)

        try:
            if refused:
                await send_on({"type": "http.response.start", "status": 429,
                               "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send_on({"type": "http.response.body", "body": b"limit exceeded\n"})
                return
            direct = self._direct
            if direct is not None and path.startswith("/api/v4/"):
                found = direct[0].first_full_match(scope)
                if found is not None:
                    route, child_scope = found
                    if isinstance(route, ApiRoute) and scope["method"] in route.methods:  # type: ignore[operator]
                        scope.update(direct[2])
                        scope["route"] = route
                        scope.update(child_scope)
                        try:
                            await route.app(scope, receive, send_on)
                        except Exception as exc:
                            if not started:
                                response = await direct[3](Request(scope), exc)
                                await response(scope, receive, send_on)
                            raise
                        return
            await self.inner(scope, receive, send_on)
        finally:
            if self.observe is not None:
                self.observe(str(scope.get("method", "")), status, perf_counter() - started)


def create_app(app: App, extra_routes: list[BaseRoute] | None = None,
               static_dir: Path | None = None, rate_store: RateStore | None = None, *,
               observe: Callable[[str, int, float], None] | None = None,
               events: EventsDurable | None = None) -> ASGIApp:
    """The HTTP application: the routes under ``HttpPipeline`` (``observe``: count each request's status
    and latency; ``events``: answers wait for their events' history write)."""
    api = load_all()
    routes: list[BaseRoute] = list(build_routes(app, api))
    routes += hook_routes(app)
    routes += sso_routes(app)
    routes += provider_routes(app)
    routes += extra_routes or []

    # no route, so no session looked up: the browser's language (Accept-Language), else the default
    async def api_not_found(request: Request) -> Response:
        return error_response(not_found_error(request.url.path), request_id_of(request),
                              locale=await error_locale(app, request))

    routes.append(Route("/api/v4/{rest:path}", api_not_found, methods=ALL_METHODS))
    routes += webapp_routes(app, static_dir or STATIC_DIR)

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(not_found_error(request.url.path), request_id_of(request),
                              locale=await error_locale(app, request))

    async def server_error(request: Request, exc: Exception) -> Response:
        from chinwag.web.errors import internal_error

        return error_response(internal_error(""), request_id_of(request))

    starlette = Starlette(exception_handlers={404: not_found, 500: server_error})
    starlette.router = IndexedRouter(routes=routes)
    store = rate_store or MemoryRateStore(app.config.effective.RateLimitSettings.MemoryStoreSize)
    pipeline = HttpPipeline(starlette, app, store, observe=observe, events=events)
    pipeline.route_api_directly(starlette, server_error)
    return pipeline

"""create_app: the Starlette application with api4 routes, headers and error handling."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from chinwag import BUILD_NUMBER, MATTERMOST_VERSION
from chinwag.app.app import App
from chinwag.bus.ratelimit import MemoryRateStore, RateStore
from chinwag.model.ids import new_id
from chinwag.web.api4 import load_all
from chinwag.web.errors import error_locale, error_response, not_found_error
from chinwag.web.handler import ALL_METHODS, build_routes, request_id_of
from chinwag.web.hooks import hook_routes
from chinwag.web.oauth import sso_routes
from chinwag.web.oauth_provider import provider_routes
from chinwag.web.ratelimit import RateLimitMiddleware
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
    cfg_hash = hashlib.md5(str(app.config.config).encode()).hexdigest()
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


class HeadersMiddleware:
    """Adds X-Request-ID, X-Version-Id and X-Content-Type-Options to every HTTP response, and the
    security headers of the web UI (``ui_headers``) to everything outside the API."""

    def __init__(self, inner: ASGIApp, app: App) -> None:
        self.inner = inner
        self.app = app
        self._version = version_id(app)
        app.config.listeners.append(lambda _cfg: self._refresh())

    def _refresh(self) -> None:
        self._version = version_id(self.app)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        if "//" in scope["path"]:
            # Mattermost's router cleans paths ("/posts/x//reactions" → "/posts/x/reactions", via a
            # redirect); some clients (mattermostdriver's get_reactions_of_post) build such paths.
            scope = dict(scope, path=_clean_path(scope["path"]))
            scope["raw_path"] = scope["path"].encode()
        state = scope.setdefault("state", {})
        rid = state.setdefault("request_id", new_id())

        ui = not scope["path"].startswith(_API_PREFIXES)
        service = self.app.config.config.ServiceSettings
        frame_ancestors = service.FrameAncestors
        # behind a TLS-terminating proxy the request may look like plain http: an https Site URL says
        # the browser is on https, so every cookie is Secure
        https_site = service.SiteURL.lower().startswith("https://")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode()))
                headers.append((b"x-version-id", self._version.encode()))
                if not any(k.lower() == b"x-content-type-options" for k, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                if ui:  # a route's own policy (the OAuth consent page's) stays as it is
                    present = {k.lower() for k, _ in headers}
                    headers += [(k, v) for k, v in ui_headers(
                        frame_ancestors, inline_script_hashes(webapp_root_html(self.app.config.config)))
                        if k not in present]
                if https_site:
                    headers = [_secure_cookie(k, v) for k, v in headers]
                message["headers"] = headers
            await send(message)

        await self.inner(scope, receive, send_with_headers)


def create_app(app: App, extra_routes: list[BaseRoute] | None = None,
               static_dir: Path | None = None, rate_store: RateStore | None = None) -> ASGIApp:
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

    starlette = Starlette(routes=routes, exception_handlers={404: not_found, 500: server_error})
    store = rate_store or MemoryRateStore(app.config.config.RateLimitSettings.MemoryStoreSize)
    return HeadersMiddleware(RateLimitMiddleware(starlette, app, store), app)

"""What the server serves outside the API: chinwag's own web UI, or — when
``ServiceSettings.WebappDirectory`` names the ``client`` directory of a Mattermost release — the
Mattermost web app, same-origin with the API, with the paths it expects (Mattermost's web/static.go):

- ``/static/…``: files of that directory (``/static/plugins/…`` from ``PluginSettings.ClientDirectory``),
  cached for a year (``max-age=31556926, public``; the build's file names carry content hashes),
  gzip-compressed when the client accepts it and ``WebserverMode`` is ``gzip``; a missing file is a 404
  that is not cached;
- ``/robots.txt`` and ``/manifest.json`` from the directory when present;
- ``root.html`` (``no-cache``) for every other GET, so the web app's client-side routes load;
- ``/plugins/{plugin_id}/…``: plugin HTTP routes — 501 ``app.plugin.disabled.app_error`` with plugins
  disabled, else 404, since no server plugin is running.

The setting is read on every request, so a config change takes effect without a restart.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from chinwag.app.app import App
from chinwag.config import Config
from chinwag.model.errors import AppError
from chinwag.web.errors import error_response, not_found_error
from chinwag.web.handler import request_id_of

STATIC_CACHE = "max-age=31556926, public"
ROOT_CACHE = "no-cache, max-age=31556926, public"
NOT_FOUND_CACHE = "no-cache, public"
_ROOT_FILES = ("robots.txt", "manifest.json", "unsupported_browser.js")

mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")


def webapp_directory(cfg: Config) -> Path | None:
    """The Mattermost web app build to serve, when configured and it has a ``root.html``."""
    raw = cfg.ServiceSettings.WebappDirectory
    if not raw:
        return None
    d = Path(raw).expanduser()
    return d if (d / "root.html").is_file() else None


def webapp_root_html(cfg: Config) -> Path | None:
    d = webapp_directory(cfg)
    return None if d is None else d / "root.html"


def _inside(base: Path, rel: str) -> Path | None:
    """``base/rel`` if it is a file inside ``base`` (no ``..`` escapes, no directories)."""
    if not rel or rel.endswith("/"):
        return None
    root = base.resolve()
    candidate = (root / rel.lstrip("/")).resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def _not_found() -> Response:
    return PlainTextResponse("404 page not found\n", status_code=404, headers={"Cache-Control": NOT_FOUND_CACHE})


def _static(base: Path, rel: str) -> Response:
    found = _inside(base, rel)
    if found is None:
        return _not_found()
    return FileResponse(found, headers={"Cache-Control": STATIC_CACHE})


def plugin_client_file(cfg: Config, plugin_id: str, name: str) -> Response:
    """``/static/plugins/{plugin_id}/{name}`` from ``PluginSettings.ClientDirectory`` (where a Mattermost
    web app build's plugin bundles live), for plugins the runtime does not serve itself."""
    return _static(Path(cfg.PluginSettings.ClientDirectory), f"{plugin_id}/{name}")


class _Switch:
    """An ASGI app that hands each request to the app ``pick`` returns at that moment."""

    def __init__(self, pick: Callable[[], ASGIApp]) -> None:
        self.pick = pick

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.pick()(scope, receive, send)


def webapp_routes(app: App, own_ui: Path) -> list[BaseRoute]:
    """The catch-all routes after the API's: the Mattermost web app when configured, else chinwag's UI."""
    own_index = own_ui / "index.html"

    async def plugin_route(request: Request) -> Response:
        cfg = app.config.effective
        if not cfg.PluginSettings.Enable:
            err = AppError("ServePluginRequest", "app.plugin.disabled.app_error",
                           "Plugins have been disabled.", 501, "Enable plugins to serve plugin requests")
            return error_response(err, request_id_of(request))
        return _not_found()

    async def static_route(request: Request) -> Response:
        cfg = app.config.effective
        rel = request.path_params["path"]
        web = webapp_directory(cfg)
        if rel.startswith("plugins/"):
            return _static(Path(cfg.PluginSettings.ClientDirectory), rel.removeprefix("plugins/"))
        if web is None:
            return _own_ui(request, "/static/" + rel)
        return _static(web, rel)

    def _own_ui(request: Request, path: str) -> Response:
        if not own_index.exists():
            return error_response(not_found_error(path), request_id_of(request))
        candidate = _inside(own_ui, path) if path != "/" else None
        if candidate is not None:
            return FileResponse(candidate)
        return FileResponse(own_index, headers={"Cache-Control": "no-cache"})

    async def root_route(request: Request) -> Response:
        path = request.url.path
        if path.startswith(("/api/", "/hooks/")):
            return error_response(not_found_error(path), request_id_of(request))
        web = webapp_directory(app.config.effective)
        if web is None:
            return _own_ui(request, path)
        name = path.lstrip("/")
        if name in _ROOT_FILES:
            return _static(web, name)
        return FileResponse(web / "root.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": ROOT_CACHE})

    plain_static = request_response(static_route)
    gzipped_static = GZipMiddleware(plain_static, minimum_size=1400, compresslevel=6)

    def pick() -> ASGIApp:
        """Assets gzip-compressed on the fly when ``WebserverMode`` is ``gzip`` (Mattermost's default)."""
        return gzipped_static if app.config.effective.ServiceSettings.WebserverMode == "gzip" else plain_static

    static_app = _Switch(pick)

    return [
        Route("/plugins/{plugin_id}/{rest:path}", plugin_route, methods=["GET", "HEAD", "POST", "PUT", "PATCH",
                                                                          "DELETE"]),
        Route("/plugins/{plugin_id}", plugin_route, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/static/{path:path}", static_app, methods=["GET", "HEAD"]),
        Route("/{path:path}", root_route, methods=["GET", "HEAD"]),
    ]

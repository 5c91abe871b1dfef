"""create_app: the Starlette application with api4 routes, headers and error handling."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from chinwag import BUILD_NUMBER, MATTERMOST_VERSION
from chinwag.app.app import App
from chinwag.model.ids import new_id
from chinwag.web.api4 import load_all
from chinwag.web.errors import error_response, not_found_error
from chinwag.web.handler import ALL_METHODS, build_routes, request_id_of
from chinwag.web.hooks import hook_routes
from chinwag.web.oauth import sso_routes

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


class HeadersMiddleware:
    """Adds X-Request-ID and X-Version-Id to every HTTP response."""

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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode()))
                headers.append((b"x-version-id", self._version.encode()))
                message["headers"] = headers
            await send(message)

        await self.inner(scope, receive, send_with_headers)


def _spa_routes(static_dir: Path) -> list[BaseRoute]:
    index = static_dir / "index.html"
    if not index.exists():
        return []
    root = static_dir.resolve()

    async def spa(request: Request) -> Response:
        path = request.url.path
        if path.startswith(("/api/", "/hooks/", "/plugins/")):
            return error_response(not_found_error(path), request_id_of(request))
        candidate = (static_dir / path.lstrip("/")).resolve()
        if path != "/" and root in candidate.parents and candidate.is_file():
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    routes: list[BaseRoute] = []
    assets = static_dir / "assets"
    if assets.is_dir():
        routes.append(Mount("/assets", app=StaticFiles(directory=str(assets)), name="assets"))
    routes.append(Route("/{path:path}", spa, methods=["GET", "HEAD"]))
    return routes


def create_app(app: App, extra_routes: list[BaseRoute] | None = None,
               static_dir: Path | None = None) -> ASGIApp:
    api = load_all()
    routes: list[BaseRoute] = list(build_routes(app, api))
    routes += hook_routes(app)
    routes += sso_routes(app)
    routes += extra_routes or []

    async def api_not_found(request: Request) -> Response:
        return error_response(not_found_error(request.url.path), request_id_of(request))

    routes.append(Route("/api/v4/{rest:path}", api_not_found, methods=ALL_METHODS))
    routes += _spa_routes(static_dir or STATIC_DIR)

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(not_found_error(request.url.path), request_id_of(request))

    async def server_error(request: Request, exc: Exception) -> Response:
        from chinwag.web.errors import internal_error

        return error_response(internal_error(""), request_id_of(request))

    starlette = Starlette(routes=routes, exception_handlers={404: not_found, 500: server_error})
    return HeadersMiddleware(starlette, app)

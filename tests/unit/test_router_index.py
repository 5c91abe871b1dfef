"""The indexed router picks the route Starlette's linear scan would pick: the same first full match, the
same partial match (405) when there is none, nothing when nothing matches — for every path chinwag
serves, every Mattermost operation's path, and odd paths (trailing slashes, empty segments, the web
app's catch-all, a Mount)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Match, Mount, Route, WebSocketRoute

from chinwag.app.app import App
from chinwag.web import router as router_mod
from chinwag.web.handler import ALL_METHODS, build_routes
from chinwag.web.route_table import apis, operations
from chinwag.web.router import IndexedRouter, RouteIndex

from .test_route_shadowing import OPERATIONS, _concrete


async def _endpoint(_request: Any) -> PlainTextResponse:
    return PlainTextResponse("")


def _all_routes() -> list[BaseRoute]:
    """The routes in create_app's order, with the catch-alls and route types it mounts."""
    routes: list[BaseRoute] = []
    for api, prefix in apis():
        routes += build_routes(cast(App, None), api, prefix=prefix)
    routes.append(WebSocketRoute("/api/v4/websocket", _endpoint))
    routes.append(Route("/api/v4/{rest:path}", _endpoint, methods=ALL_METHODS))
    routes.append(Route("/plugins/{plugin_id}/{rest:path}", _endpoint, methods=["GET", "POST"]))
    routes.append(Route("/plugins/{plugin_id}", _endpoint, methods=["GET", "POST"]))
    routes.append(Mount("/mounted", app=_endpoint))
    routes.append(Route("/files/{name}.png", _endpoint, methods=["GET"]))
    routes.append(Route("/static/{path:path}", _endpoint, methods=["GET", "HEAD"]))
    routes.append(Route("/{path:path}", _endpoint, methods=["GET", "HEAD"]))
    return routes


def _pick(routes: list[BaseRoute], order: list[int], scope: dict[str, Any]) -> tuple[str, int | None]:
    partial = None
    for i in order:
        match, _ = routes[i].matches(scope)
        if match is Match.FULL:
            return "full", i
        if match is Match.PARTIAL and partial is None:
            partial = i
    return ("partial", partial) if partial is not None else ("none", None)


def _paths() -> list[str]:
    paths = {_concrete(op.path) for op in operations()}
    paths |= {_concrete(op["path"]) for op in json.loads(Path(OPERATIONS).read_text())["operations"]}
    paths |= {p + "/" for p in list(paths)}
    paths |= {"/", "/api", "/api/", "/api/v4", "/api/v4/", "/api/v4//users", "/api/v4/users/", "/static/",
              "/static/a/b.js", "/mounted", "/mounted/", "/mounted/x/y", "/files/abc.png", "/files/.png",
              "/plugins/p", "/plugins/p/", "/plugins/p/a/b", "/hooks/", "/login", "/a//b", "//", ""}
    return sorted(paths)


def test_the_index_picks_what_the_linear_scan_picks() -> None:
    routes = _all_routes()
    index = RouteIndex(routes)
    everything = list(range(len(routes)))
    checked = 0
    for path in _paths():
        for kind, method in (("http", "GET"), ("http", "POST"), ("http", "DELETE"), ("websocket", "GET")):
            scope = {"type": kind, "path": path, "method": method, "root_path": ""}
            want = _pick(routes, everything, scope)
            got = _pick(routes, index.candidates(path), scope)
            assert got == want, (kind, method, path, want, got)
            checked += 1
    assert checked > 2000


def test_the_index_narrows_the_scan() -> None:
    """An API path is checked against a few routes, not the whole table."""
    routes = _all_routes()
    index = RouteIndex(routes)
    for path in ("/api/v4/users/me", "/api/v4/channels/" + "q" * 26, "/api/v4/users/" + "q" * 26 + "/teams/"
                 + "q" * 26 + "/channels/members"):
        found = index.candidates(path)
        assert 1 <= len(found) <= 6, (path, [getattr(routes[i], "path", "") for i in found])


def test_remembered_matches_are_the_first_full_match(monkeypatch: Any) -> None:
    """``first_full_match`` answers a path it has seen from its memo: the same route and parameters as
    the scan, each caller with its own ``path_params``; past ``MATCH_MEMO`` paths it starts over."""
    routes = _all_routes()
    router = IndexedRouter(routes=routes)
    everything = list(range(len(routes)))
    monkeypatch.setattr(router_mod, "MATCH_MEMO", 500)
    checked = 0
    for _round in range(2):
        for path in _paths():
            for method in ("GET", "POST", "DELETE"):
                scope = {"type": "http", "path": path, "method": method, "root_path": ""}
                kind, i = _pick(routes, everything, scope)
                got = router.first_full_match(scope)
                if kind != "full":
                    assert got is None, (method, path)
                    continue
                assert i is not None and got is not None
                route, child = got
                assert route is routes[i], (method, path)
                assert child == routes[i].matches(scope)[1]
                child["path_params"]["mutated"] = "x"  # a handler's change stays its own
                again = router.first_full_match(scope)
                assert again is not None and "mutated" not in again[1]["path_params"]
                checked += 1
        assert router._memo is not None and len(router._memo) <= 500
    assert checked > 1000

"""Starlette's router without its linear scan: the routes that could match a path, found in a trie of
path segments, are tried in their original order, so the route that answers (and the 405/redirect
cases) is the one Starlette's own loop would pick.

Starlette tries every route's regular expression in turn until one matches; with the API's ~370 route paths a
request for ``/api/v4/channels/{id}`` ran over a hundred regexes (half the CPU of a simple GET). Here each
route's path template is split on ``/``: a literal segment must equal the request's segment, a parameter
(``{user_id}``, ``{n:int}``) stands for any one segment, and a ``{…:path}`` parameter (or a Mount) for the
rest of the path. Walking the request's segments through that trie gives a superset of the routes whose
regex can match — normally one to three — and only those are tried, by Starlette's own ``matches``."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URL
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match, Mount, Router, WebSocketRoute
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

try:  # Starlette ≥ 0.33
    from starlette._utils import get_route_path
except ImportError:  # pragma: no cover - older Starlette: the path as sent
    def get_route_path(scope: Scope) -> str:
        return str(scope["path"])


#: paths whose full match ``IndexedRouter.first_full_match`` remembers
MATCH_MEMO = 16_384


class _Node:
    __slots__ = ("ends", "literal", "tails", "wild")

    def __init__(self) -> None:
        #: segment → child
        self.literal: dict[str, _Node] = {}
        #: child for a parameter segment
        self.wild: _Node | None = None
        #: routes whose template ends at this depth
        self.ends: list[int] = []
        #: routes whose template takes the rest of the path from this depth on
        self.tails: list[int] = []


def _template(route: BaseRoute) -> str | None:
    """The route's path template, a Mount's with its rest as a path parameter; None when unknown
    (that route is then tried for every path)."""
    if isinstance(route, Mount):
        return route.path.rstrip("/") + "/{path:path}"
    if isinstance(route, StarletteRoute | WebSocketRoute):
        return route.path
    return None


class RouteIndex:
    """Which routes (by position) could match a route path."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.root = _Node()
        #: routes tried for every path (types the index does not know)
        self.always: list[int] = []
        for i, route in enumerate(routes):
            template = _template(route)
            if template is None or not template.startswith("/"):
                self.always.append(i)
                continue
            node = self.root
            for seg in template[1:].split("/"):
                if "{" not in seg:
                    node = node.literal.setdefault(seg, _Node())
                elif ":path}" in seg:  # from here on, anything (its regex is ``.*``)
                    node.tails.append(i)
                    break
                else:  # a parameter (maybe with literal text around it) stands for one segment
                    if node.wild is None:
                        node.wild = _Node()
                    node = node.wild
            else:
                node.ends.append(i)

    def candidates(self, path: str) -> list[int]:
        segs = path[1:].split("/") if path.startswith("/") else [path]
        found = list(self.always)
        n = len(segs)
        stack: list[tuple[_Node, int]] = [(self.root, 0)]
        while stack:
            node, depth = stack.pop()
            if depth == n:
                found += node.ends
                continue
            found += node.tails
            child = node.literal.get(segs[depth])
            if child is not None:
                stack.append((child, depth + 1))
            if node.wild is not None:
                stack.append((node.wild, depth + 1))
        found.sort()
        return found


class IndexedRouter(Router):
    """A Router that tries only the routes the index names for the request's path (in the order of
    ``routes``); the rest of Starlette's routing — partial matches for 405, slash redirects, the
    default 404 — is unchanged. The index follows ``routes`` if the list is replaced or grows."""

    _index: RouteIndex | None = None
    _indexed: tuple[int, int] = (0, 0)
    #: (scope type, method, route path) → (route, endpoint, path parameters) of full matches, for ``_memo_of``
    _memo: dict[tuple[Any, Any, str], tuple[Any, Any, dict[str, Any]]] | None = None
    _memo_of: RouteIndex | None = None

    def _route_index(self) -> RouteIndex:
        key = (id(self.routes), len(self.routes))
        if self._index is None or self._indexed != key:
            self._index = RouteIndex(self.routes)
            self._indexed = key
        return self._index

    def first_full_match(self, scope: Scope) -> tuple[Any, Any] | None:
        """The route ``app`` would hand an HTTP request to when one matches fully (with its child scope),
        else None (no match, or only partial ones: ``app`` decides).

        The answer depends only on the method and the route path (the routes' regexes, convertors and
        methods), so it is remembered per (method, path) for requests whose scope has no path parameters
        yet (the top-level ones): a picture revalidation or a channel view of the same path again costs a
        dict look-up instead of the trie walk and one to three regexes. Each hit gets its own child scope
        (``path_params`` copied). Up to ``MATCH_MEMO`` paths, then the memo starts over; a new index (the
        routes replaced or added to) drops it."""
        index = self._route_index()
        path = get_route_path(scope)
        memo = self._memo if self._memo_of is index else None
        key = (scope["type"], scope.get("method"), path)
        if memo is not None and not scope.get("path_params"):
            hit = memo.get(key)
            if hit is not None:
                route, endpoint, params = hit
                return route, {"endpoint": endpoint, "path_params": dict(params)}
        routes = self.routes
        for i in index.candidates(path):
            route = routes[i]
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                if not scope.get("path_params") and set(child_scope) == {"endpoint", "path_params"}:
                    if memo is None or len(memo) >= MATCH_MEMO:
                        memo = self._memo = {}
                        self._memo_of = index
                    memo[key] = (route, child_scope["endpoint"], dict(child_scope["path_params"]))
                return route, child_scope
        return None

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        routes = self.routes
        partial: Any = None
        partial_scope: Any = None
        for i in self._route_index().candidates(get_route_path(scope)):
            route = routes[i]
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        route_path = get_route_path(scope)
        if scope["type"] == "http" and self.redirect_slashes and route_path != "/":
            redirect_scope = dict(scope)
            if route_path.endswith("/"):
                redirect_scope["path"] = redirect_scope["path"].rstrip("/")
            else:
                redirect_scope["path"] = redirect_scope["path"] + "/"
            for route in routes:
                match, _child = route.matches(redirect_scope)
                if match is not Match.NONE:
                    await RedirectResponse(url=str(URL(scope=redirect_scope)))(scope, receive, send)
                    return
        await self.default(scope, receive, send)

"""chinwag's HTTP operations as data: every (method, path) the server routes, in routing order,
for the API coverage report (scripts/api_coverage.py) and the route-shadowing test."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chinwag.web.api4 import load_all
from chinwag.web.handler import Api, RouteSpec

API_PREFIX = "/api/v4"
_PARAM = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as served, e.g. /api/v4/users/{user_id}
    spec: RouteSpec

    @property
    def key(self) -> tuple[str, str]:
        return self.method, template(self.path)


def template(path: str) -> str:
    """A path with its parameter names dropped (``/users/{user_id}`` → ``/users/{}``), so chinwag's
    and Mattermost's spellings of one route compare equal."""
    return _PARAM.sub("{}", path.rstrip("/") or "/")


def apis() -> list[tuple[Api, str]]:
    """The route sets create_app mounts, in order, with their prefixes."""
    from chinwag.web.hooks import hooks
    from chinwag.web.oauth import sso
    from chinwag.web.oauth_provider import provider

    return [(load_all(), API_PREFIX), (hooks, ""), (sso, ""), (provider, "")]


def operations() -> list[Operation]:
    out = []
    for api, prefix in apis():
        for spec in api.specs:
            out.append(Operation(spec.method, spec.path if spec.root else prefix + spec.path, spec))
    out.append(Operation("GET", API_PREFIX + "/websocket", RouteSpec("GET", "/websocket", _none, True, False)))
    return out


async def _none(_w: object) -> None:  # the WebSocket route's stand-in: it is served by WebSocketFirst
    return None

"""/users/stats and /users/stats/filtered: how many users there are, and how many a System Console
user-list filter matches; /users/known; unread thread mentions per channel."""

from __future__ import annotations

from typing import Any

from chinwag.model.errors import invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


@api.route("GET", "/users/stats")
async def get_total_users_stats(w: HandlerContext) -> Any:
    return await w.app.analytics.total_users(w.ctx)


def _list(value: str) -> list[str]:
    return [v for v in value.split(",") if v]


@api.route("GET", "/users/stats/filtered")
async def get_filtered_users_stats(w: HandlerContext) -> Any:
    for name in ("in_team", "in_channel"):
        if w.query(name) and not is_valid_id(w.query(name)):
            raise invalid_param("getFilteredUsersStats", name)
    return await w.app.analytics.filtered_users(
        w.ctx, in_team=w.query("in_team"), in_channel=w.query("in_channel"),
        include_deleted=w.query_bool("include_deleted"), include_bots=w.query_bool("include_bots"),
        roles=_list(w.query("roles")), team_roles=_list(w.query("team_roles")),
        channel_roles=_list(w.query("channel_roles")))


@api.route("GET", "/users/known")
async def known_users(w: HandlerContext) -> Any:
    """The ids of the active users the caller shares a channel with."""
    return await w.app.stats.known_users(w.ctx)


@api.route("GET", "/users/{user_id}/teams/{team_id}/threads/mention_counts")
async def thread_mention_counts(w: HandlerContext) -> Any:
    return await w.app.stats.thread_mention_counts(w.ctx, w.user_param(), w.id_param("team_id"))

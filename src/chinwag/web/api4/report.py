"""/reports/users and /reports/users/count: the System Console's user list (Mattermost 9.5+), people
with their last login, activity and posts, paged by a cursor; /reports/users/export: that list as CSV,
delivered by the system bot."""

from __future__ import annotations

from typing import Any

from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


def _filter(w: HandlerContext) -> dict[str, Any]:
    return {"team": w.query("team_filter"), "role": w.query("role_filter"),
            "has_no_team": w.query("has_no_team") == "true", "hide_active": w.query("hide_active") == "true",
            "hide_inactive": w.query("hide_inactive") == "true", "search_term": w.query("search_term")}


@api.route("GET", "/reports/users")
async def get_users_for_reporting(w: HandlerContext) -> Any:
    size = w.query("page_size")
    try:
        page_size = int(size) if size else 50
    except ValueError:
        page_size = 50  # Mattermost keeps its default when the number does not parse
    return await w.app.analytics.user_report(
        w.ctx, sort_column=w.query("sort_column") or "Username", sort_desc=w.query("sort_direction") == "desc",
        direction=w.query("direction") or "next", page_size=page_size,
        from_column_value=w.query("from_column_value"), from_id=w.query("from_id"),
        date_range=w.query("date_range"), **_filter(w))


@api.route("GET", "/reports/users/count")
async def get_user_count_for_reporting(w: HandlerContext) -> Any:
    return await w.app.analytics.user_report_count(w.ctx, **_filter(w))


@api.route("POST", "/reports/users/export")
async def start_users_batch_export(w: HandlerContext) -> Any:
    await w.app.user_report_export.start(w.ctx, date_range=w.query("date_range"), **_filter(w))
    return {"status": "OK"}

"""/analytics/old: site and team statistics (System Console → Site Statistics)."""

from __future__ import annotations

from typing import Any

from chinwag.model.errors import invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


@api.route("GET", "/analytics/old")
async def get_analytics(w: HandlerContext) -> Any:
    team_id = w.query("team_id")
    if team_id and not is_valid_id(team_id):
        raise invalid_param("getAnalytics", "team_id")
    return await w.app.analytics.get(w.ctx, w.query("name") or "standard", team_id)

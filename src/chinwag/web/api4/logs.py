"""/logs: the server's log lines (system admins)."""

from __future__ import annotations

from typing import Any

from chinwag.app.logs import LOGS_PER_PAGE
from chinwag.web.api4 import api
from chinwag.web.handler import W


@api.route("GET", "/logs")
async def get_logs(w: W) -> Any:
    try:
        per_page = int(w.request.query_params.get("logs_per_page", LOGS_PER_PAGE))
    except ValueError:
        per_page = LOGS_PER_PAGE
    per_page = LOGS_PER_PAGE if per_page < 0 else min(per_page, LOGS_PER_PAGE)
    return await w.app.logs.get(w.ctx, w.page(), per_page)

"""/logs: the server's log lines and its log file (system admins)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.responses import FileResponse

from chinwag.app.logs import LOGS_PER_PAGE
from chinwag.web.api4 import api
from chinwag.web.handler import JSON_ERRORS, HandlerContext


def _per_page(w: HandlerContext) -> int:
    try:
        per_page = int(w.request.query_params.get("logs_per_page", LOGS_PER_PAGE))
    except ValueError:
        per_page = LOGS_PER_PAGE
    return LOGS_PER_PAGE if per_page < 0 else min(per_page, LOGS_PER_PAGE)


@api.route("GET", "/logs")
async def get_logs(w: HandlerContext) -> Any:
    return await w.app.logs.get(w.ctx, w.page(), _per_page(w))


@api.route("GET", "/logs/download")
async def download_logs(w: HandlerContext) -> Any:
    path, _size = await w.app.logs.download(w.ctx)
    return FileResponse(path, media_type="text/plain", filename="mattermost.log")


@api.route("POST", "/logs/query")
async def query_logs(w: HandlerContext) -> Any:
    """The System Console's Server Logs: JSON lines by node, filtered by level and time."""
    try:
        log_filter = msgspec.json.decode(await w.body() or b"null")
    except JSON_ERRORS:
        log_filter = None
    return await w.app.logs.query(w.ctx, w.page(), _per_page(w), log_filter)

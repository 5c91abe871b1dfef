"""POST /opengraph: a link's OpenGraph metadata (GET /redirect_location is in system_ops.py)
(the web app's link previews)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from chinwag.model.errors import AppError, invalid_param
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import JSON


@api.route("POST", "/opengraph")
async def get_opengraph_metadata(w: HandlerContext) -> Any:
    links = w.app.link_previews
    if not links.enabled():
        raise AppError("GetOpenGraphMetadata", "api.post.link_preview_disabled.app_error",
                       "Link previews have been disabled by the system administrator.", 501)
    body = await w.json_any() if (await w.body()).strip() else {}
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url:
        raise invalid_param("getOpenGraphMetadata", "url")
    og = await links.opengraph(url, w.app.core.now())
    if og is None:  # as Mattermost: a failed fetch is an empty answer, not an error
        return Response(b'{"url": ""}', media_type=JSON)
    return og

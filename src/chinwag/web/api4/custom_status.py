"""/users/{user_id}/status/custom: custom statuses (set, clear, the recent list)."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.model.custom_status import CustomStatus
from chinwag.model.errors import invalid_param
from chinwag.web.api4 import api
from chinwag.web.handler import JSON_ERRORS, HandlerContext, check_json_values
from chinwag.web.responses import ok


async def _status(w: HandlerContext, name: str, where: str) -> CustomStatus:
    raw = await w.body()
    try:
        status = msgspec.json.decode(raw or b"null", type=CustomStatus)
        check_json_values(raw, name)
        return status
    except (msgspec.ValidationError, *JSON_ERRORS) as e:
        raise invalid_param(where, name, str(e)) from None


@api.route("PUT", "/users/{user_id}/status/custom")
async def update_custom_status(w: HandlerContext) -> Any:
    user_id = w.user_param()
    w.app.custom_statuses.require_enabled("updateUserCustomStatus")
    status = await _status(w, "custom_status", "updateUserCustomStatus")
    await w.app.custom_statuses.set(w.ctx, user_id, status)
    return ok()


@api.route("DELETE", "/users/{user_id}/status/custom")
async def remove_custom_status(w: HandlerContext) -> Any:
    await w.app.custom_statuses.clear(w.ctx, w.user_param())
    return ok()


@api.route("GET", "/users/{user_id}/status/custom/recent")
async def recent_custom_statuses(w: HandlerContext) -> Any:
    """chinwag's own read of the recent list (Mattermost's apps read the preference)."""
    recent = await w.app.custom_statuses.recent(w.ctx, w.user_param())
    return msgspec.to_builtins(recent)


@api.route("POST", "/users/{user_id}/status/custom/recent/delete")
async def remove_recent_custom_status(w: HandlerContext) -> Any:
    user_id = w.user_param()
    w.app.custom_statuses.require_enabled("removeUserRecentCustomStatus")
    status = await _status(w, "recent_custom_status", "removeUserRecentCustomStatus")
    await w.app.custom_statuses.remove_recent(w.ctx, user_id, status)
    return ok()


@api.route("DELETE", "/users/{user_id}/status/custom/recent")
async def remove_recent_custom_status_delete(w: HandlerContext) -> Any:
    """The same, as DELETE (Mattermost routes both)."""
    return await remove_recent_custom_status(w)

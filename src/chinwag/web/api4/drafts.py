"""/drafts, /users/{user_id}/teams/{team_id}/drafts, /users/{user_id}/channels/{channel_id}/drafts:
server-side drafts (Mattermost's api4/drafts.go). As there, the caller's own drafts whatever
``user_id`` says; ``Connection-Id`` names the connection that made a change (not told of it)."""

from __future__ import annotations

from typing import Any

from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


@api.route("POST", "/drafts")
async def upsert_draft(w: HandlerContext) -> Any:
    w.app.drafts.require_enabled("upsertDraft")
    draft = await w.app.drafts.upsert(w.ctx, await w.body(), w.connection_id)
    return draft, 201


@api.route("GET", "/users/{user_id}/teams/{team_id}/drafts")
async def get_drafts(w: HandlerContext) -> Any:
    return await w.app.drafts.for_team(w.ctx, w.str_param("team_id"))


@api.route("DELETE", "/users/{user_id}/channels/{channel_id}/drafts")
async def delete_draft(w: HandlerContext) -> Any:
    await w.app.drafts.delete(w.ctx, w.str_param("channel_id"), "", w.connection_id)
    return ok()


@api.route("DELETE", "/users/{user_id}/channels/{channel_id}/drafts/{thread_id}")
async def delete_thread_draft(w: HandlerContext) -> Any:
    await w.app.drafts.delete(w.ctx, w.str_param("channel_id"), w.str_param("thread_id"), w.connection_id)
    return ok()

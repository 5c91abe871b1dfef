"""Mattermost 11's AI operations, answered as a Mattermost server without its AI (Agents) plugin
(app/agents.py): the agents bridge (api4/agents.go), message rewriting (api4/post.go rewriteMessage) and
channel recaps (api4/recap.go). Each needs a session first, as Mattermost's APISessionRequired."""

from __future__ import annotations

from typing import Any

from chinwag.app.agents import RewriteRequest
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


@api.route("GET", "/agents/status")
async def agents_status(w: HandlerContext) -> Any:
    available, reason = w.app.agents.bridge_status()
    return {"available": available, "reason": reason}


@api.route("GET", "/agents")
async def agents(w: HandlerContext) -> Any:
    return w.app.agents.agents()


@api.route("GET", "/llmservices")
async def llm_services(w: HandlerContext) -> Any:
    return w.app.agents.llm_services()


@api.route("POST", "/posts/rewrite")
async def rewrite_message(w: HandlerContext) -> Any:
    w.app.agents.rewrite(await w.json(RewriteRequest, "request_body"))


# Recaps: Mattermost's requireRecapsEnabled comes before the body and the recap id are looked at.
@api.route("POST", "/recaps")
async def create_recap(w: HandlerContext) -> Any:
    w.app.agents.require_recaps()


@api.route("GET", "/recaps")
async def get_recaps(w: HandlerContext) -> Any:
    w.app.agents.require_recaps()


@api.route("GET", "/recaps/{recap_id}")
async def get_recap(w: HandlerContext) -> Any:
    w.app.agents.require_recaps()


@api.route("DELETE", "/recaps/{recap_id}")
async def delete_recap(w: HandlerContext) -> Any:
    w.app.agents.require_recaps()


@api.route("POST", "/recaps/{recap_id}/read")
async def mark_recap_as_read(w: HandlerContext) -> Any:
    w.app.agents.require_recaps()


@api.route("POST", "/recaps/{recap_id}/regenerate")
async def regenerate_recap(w: HandlerContext) -> Any:
    w.app.agents.require_recaps()

"""/hooks/incoming and /hooks/outgoing: webhook management."""

from __future__ import annotations

from typing import Any

from chinwag.model.integration import IncomingWebhook, OutgoingWebhook
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


@api.route("POST", "/hooks/incoming")
async def create_incoming_hook(w: HandlerContext) -> Any:
    return await w.app.incoming.create(w.ctx, await w.json(IncomingWebhook, "incoming_webhook")), 201


@api.route("GET", "/hooks/incoming")
async def get_incoming_hooks(w: HandlerContext) -> Any:
    return await w.app.incoming.list_hooks(w.ctx, w.query("team_id"), w.page(), w.per_page())


@api.route("GET", "/hooks/incoming/{hook_id}")
async def get_incoming_hook(w: HandlerContext) -> Any:
    return await w.app.incoming.get(w.ctx, w.id_param("hook_id"))


@api.route("PUT", "/hooks/incoming/{hook_id}")
async def update_incoming_hook(w: HandlerContext) -> Any:
    hook_id = w.id_param("hook_id")
    data = await w.json(IncomingWebhook, "incoming_webhook")
    return await w.app.incoming.update(w.ctx, hook_id, data), 201


@api.route("DELETE", "/hooks/incoming/{hook_id}")
async def delete_incoming_hook(w: HandlerContext) -> Any:
    await w.app.incoming.delete(w.ctx, w.id_param("hook_id"))
    return ok()


@api.route("POST", "/hooks/outgoing")
async def create_outgoing_hook(w: HandlerContext) -> Any:
    return await w.app.outgoing.create(w.ctx, await w.json(OutgoingWebhook, "outgoing_webhook")), 201


@api.route("GET", "/hooks/outgoing")
async def get_outgoing_hooks(w: HandlerContext) -> Any:
    return await w.app.outgoing.list_hooks(w.ctx, team_id=w.query("team_id"), channel_id=w.query("channel_id"),
                                           page=w.page(), per_page=w.per_page())


@api.route("GET", "/hooks/outgoing/{hook_id}")
async def get_outgoing_hook(w: HandlerContext) -> Any:
    return await w.app.outgoing.get(w.ctx, w.id_param("hook_id"))


@api.route("PUT", "/hooks/outgoing/{hook_id}")
async def update_outgoing_hook(w: HandlerContext) -> Any:
    hook_id = w.id_param("hook_id")
    return await w.app.outgoing.update(w.ctx, hook_id, await w.json(OutgoingWebhook, "outgoing_webhook"))


@api.route("POST", "/hooks/outgoing/{hook_id}/regen_token")
async def regen_outgoing_hook_token(w: HandlerContext) -> Any:
    return await w.app.outgoing.regen_token(w.ctx, w.id_param("hook_id"))


@api.route("DELETE", "/hooks/outgoing/{hook_id}")
async def delete_outgoing_hook(w: HandlerContext) -> Any:
    await w.app.outgoing.delete(w.ctx, w.id_param("hook_id"))
    return ok()

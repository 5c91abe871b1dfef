"""/bots: bot accounts."""

from __future__ import annotations

from typing import Any

from chinwag.model.integration import BotPatch
from chinwag.model.user import UserPatch
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


@api.route("POST", "/bots")
async def create_bot(w: HandlerContext) -> Any:
    return await w.app.bots.create(w.ctx, await w.json(BotPatch, "bot")), 201


@api.route("GET", "/bots")
async def get_bots(w: HandlerContext) -> Any:
    return await w.app.bots.list_bots(w.ctx, page=w.page(), per_page=w.per_page(),
                                      include_deleted=w.query_bool("include_deleted"),
                                      only_orphaned=w.query_bool("only_orphaned"))


@api.route("GET", "/bots/{bot_user_id}")
async def get_bot(w: HandlerContext) -> Any:
    return await w.app.bots.get(w.ctx, w.id_param("bot_user_id"), w.query_bool("include_deleted"))


@api.route("PUT", "/bots/{bot_user_id}")
async def patch_bot(w: HandlerContext) -> Any:
    bot_id = w.id_param("bot_user_id")
    return await w.app.bots.patch(w.ctx, bot_id, await w.json(BotPatch, "bot"))


@api.route("POST", "/bots/{bot_user_id}/disable")
async def disable_bot(w: HandlerContext) -> Any:
    return await w.app.bots.set_active(w.ctx, w.id_param("bot_user_id"), False)


@api.route("POST", "/bots/{bot_user_id}/enable")
async def enable_bot(w: HandlerContext) -> Any:
    return await w.app.bots.set_active(w.ctx, w.id_param("bot_user_id"), True)


@api.route("POST", "/bots/{bot_user_id}/assign/{user_id}")
async def assign_bot(w: HandlerContext) -> Any:
    return await w.app.bots.assign(w.ctx, w.id_param("bot_user_id"), w.id_param("user_id"))


@api.route("POST", "/users/{user_id}/convert_to_bot")
async def convert_user_to_bot(w: HandlerContext) -> Any:
    return await w.app.bot_convert.user_to_bot(w.ctx, w.id_param("user_id"))


@api.route("POST", "/bots/{bot_user_id}/convert_to_user")
async def convert_bot_to_user(w: HandlerContext) -> Any:
    patch = await w.json(UserPatch, "userPatch")
    user = await w.app.bot_convert.bot_to_user(w.ctx, w.id_param("bot_user_id"), patch,
                                               w.query_bool("set_system_admin"))
    return w.app.users.sanitize(w.ctx, user).to_dict()

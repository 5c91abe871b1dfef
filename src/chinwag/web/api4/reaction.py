"""/reactions."""

from __future__ import annotations

from typing import Any

from chinwag.model.post import ReactionCreate
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


@api.route("POST", "/reactions")
async def save_reaction(w: HandlerContext) -> Any:
    return await w.app.reactions.add(w.ctx, await w.json(ReactionCreate, "reaction"))


@api.route("GET", "/posts/{post_id}/reactions")
async def get_reactions(w: HandlerContext) -> Any:
    return await w.app.reactions.for_post(w.ctx, w.id_param("post_id"))


@api.route("POST", "/posts/ids/reactions")
async def get_bulk_reactions(w: HandlerContext) -> Any:
    return await w.app.reactions.for_posts(w.ctx, await w.json(list[str], "post_ids"))


@api.route("DELETE", "/users/{user_id}/posts/{post_id}/reactions/{emoji_name}")
async def delete_reaction(w: HandlerContext) -> Any:
    await w.app.reactions.remove(w.ctx, w.user_param(), w.str_param("post_id"), w.str_param("emoji_name"))
    return ok()

"""/users/{id}/tokens and /users/tokens: personal access tokens."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


class _Create(msgspec.Struct):
    description: str = ""


class _TokenId(msgspec.Struct):
    token_id: str = ""


@api.route("POST", "/users/{user_id}/tokens")
async def create_user_access_token(w: HandlerContext) -> Any:
    user_id = w.user_param()
    body = await w.json(_Create, "user_access_token")
    return await w.app.tokens.create(w.ctx, user_id, body.description)  # 200, as Mattermost answers


@api.route("GET", "/users/{user_id}/tokens")
async def get_user_access_tokens_for_user(w: HandlerContext) -> Any:
    return await w.app.tokens.list_for_user(w.ctx, w.user_param(), w.page(), w.per_page())


@api.route("GET", "/users/tokens")
async def get_user_access_tokens(w: HandlerContext) -> Any:
    return await w.app.tokens.list_all(w.ctx, w.page(), w.per_page())


@api.route("GET", "/users/tokens/{token_id}")
async def get_user_access_token(w: HandlerContext) -> Any:
    return await w.app.tokens.get(w.ctx, w.id_param("token_id"))


@api.route("POST", "/users/tokens/revoke")
async def revoke_user_access_token(w: HandlerContext) -> Any:
    await w.app.tokens.revoke(w.ctx, (await w.json(_TokenId, "token_id")).token_id)
    return ok()


@api.route("POST", "/users/tokens/disable")
async def disable_user_access_token(w: HandlerContext) -> Any:
    await w.app.tokens.disable(w.ctx, (await w.json(_TokenId, "token_id")).token_id)
    return ok()


@api.route("POST", "/users/tokens/enable")
async def enable_user_access_token(w: HandlerContext) -> Any:
    await w.app.tokens.enable(w.ctx, (await w.json(_TokenId, "token_id")).token_id)
    return ok()

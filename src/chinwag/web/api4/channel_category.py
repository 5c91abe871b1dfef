"""/users/{user_id}/teams/{team_id}/channels/categories: sidebar categories (Mattermost's
api4/channel_category.go)."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.model.channel_category import SidebarCategory, is_valid_category_id
from chinwag.model.errors import invalid_param, invalid_url_param
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok

BASE = "/users/{user_id}/teams/{team_id}/channels/categories"


def _category_id(w: HandlerContext) -> str:
    value = w.str_param("category_id")
    if not is_valid_category_id(value):
        raise invalid_url_param("ServeHTTP", "category_id")
    return value


def _nil_channels(obj: Any) -> Any:
    """Go reads ``"channel_ids": null`` as no channels; so do we."""
    if isinstance(obj, dict) and obj.get("channel_ids", ()) is None:
        obj["channel_ids"] = []
    return obj


async def _decode(w: HandlerContext, typ: Any, where: str) -> Any:
    try:
        raw = msgspec.json.decode(await w.body() or b"null")
        raw = [_nil_channels(x) for x in raw] if isinstance(raw, list) else _nil_channels(raw)
        return msgspec.convert(raw, type=typ)
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        raise invalid_param(where, "category", str(e)) from None


@api.route("GET", BASE)
async def get_categories(w: HandlerContext) -> Any:
    found = await w.app.categories.get_for_team(w.ctx, w.user_param(), w.id_param("team_id"))
    return msgspec.to_builtins(found)


@api.route("POST", BASE)
async def create_category(w: HandlerContext) -> Any:
    user_id, team_id = w.user_param(), w.id_param("team_id")
    category = await _decode(w, SidebarCategory, "createCategoryForTeamForUser")
    return msgspec.to_builtins(await w.app.categories.create(w.ctx, user_id, team_id, category))


@api.route("PUT", BASE)
async def update_categories(w: HandlerContext) -> Any:
    user_id, team_id = w.user_param(), w.id_param("team_id")
    categories = await _decode(w, list[SidebarCategory], "updateCategoriesForTeamForUser")
    return msgspec.to_builtins(await w.app.categories.update_many(w.ctx, user_id, team_id, categories))


@api.route("GET", BASE + "/order")
async def get_category_order(w: HandlerContext) -> Any:
    return await w.app.categories.get_order(w.ctx, w.user_param(), w.id_param("team_id"))


@api.route("PUT", BASE + "/order")
async def update_category_order(w: HandlerContext) -> Any:
    user_id, team_id = w.user_param(), w.id_param("team_id")
    order = await _decode(w, list[str], "updateCategoryOrderForTeamForUser")
    return await w.app.categories.update_order(w.ctx, user_id, team_id, order)


@api.route("GET", BASE + "/{category_id}")
async def get_category(w: HandlerContext) -> Any:
    user_id, team_id = w.user_param(), w.id_param("team_id")
    return msgspec.to_builtins(await w.app.categories.get(w.ctx, user_id, team_id, _category_id(w)))


@api.route("PUT", BASE + "/{category_id}")
async def update_category(w: HandlerContext) -> Any:
    user_id, team_id, category_id = w.user_param(), w.id_param("team_id"), _category_id(w)
    category = await _decode(w, SidebarCategory, "updateCategoryForTeamForUser")
    return msgspec.to_builtins(await w.app.categories.update_one(w.ctx, user_id, team_id, category_id, category))


@api.route("DELETE", BASE + "/{category_id}")
async def delete_category(w: HandlerContext) -> Any:
    user_id, team_id = w.user_param(), w.id_param("team_id")
    await w.app.categories.delete(w.ctx, user_id, team_id, _category_id(w))
    return ok()

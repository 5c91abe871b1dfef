"""/users/{id}/preferences."""

from __future__ import annotations

from typing import Any

from chinwag.model.user import Preference
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


@api.route("GET", "/users/{user_id}/preferences")
async def get_preferences(w: HandlerContext) -> Any:
    return await w.app.preferences.get(w.ctx, w.user_param())


@api.route("PUT", "/users/{user_id}/preferences")
async def save_preferences(w: HandlerContext) -> Any:
    prefs = await w.json(list[Preference], "preferences")
    await w.app.preferences.save(w.ctx, w.user_param(), prefs)
    return ok()


@api.route("POST", "/users/{user_id}/preferences/delete")
async def delete_preferences(w: HandlerContext) -> Any:
    prefs = await w.json(list[Preference], "preferences")
    await w.app.preferences.delete(w.ctx, w.user_param(), prefs)
    return ok()


@api.route("GET", "/users/{user_id}/preferences/{category}")
async def get_preferences_by_category(w: HandlerContext) -> Any:
    return await w.app.preferences.get(w.ctx, w.user_param(), w.str_param("category"))


@api.route("GET", "/users/{user_id}/preferences/{category}/name/{name}")
async def get_preference(w: HandlerContext) -> Any:
    found = await w.app.preferences.get(w.ctx, w.user_param(), w.str_param("category"), w.str_param("name"))
    if not found:
        from chinwag.model.errors import AppError

        raise AppError("getPreferenceByCategoryAndName", "app.preference.get.app_error",
                       "Unable to find the preference.", 404)
    return found[0]

"""/oauth/apps: OAuth 2.0 apps registered with this server as the provider (by an integration manager, or
by the client itself through Dynamic Client Registration)."""

from __future__ import annotations

from typing import Any

from chinwag.app.oauth_provider import DCRError
from chinwag.model.oauth_app import OAuthApp
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import json_response, ok


@api.route("POST", "/oauth/apps")
async def create_oauth_app(w: HandlerContext) -> Any:
    return await w.app.oauth_provider.create_app(w.ctx, await w.json(OAuthApp, "oauth_app")), 201


@api.route("POST", "/oauth/apps/register", auth=False)
async def register_oauth_client(w: HandlerContext) -> Any:
    """OAuth 2.0 Dynamic Client Registration (RFC 7591): 201 with the client's metadata, or RFC 7591's
    error body."""
    try:
        return await w.app.oauth_provider.register_client(w.ctx, await w.body()), 201
    except DCRError as e:
        return json_response(e.body(), e.status)


@api.route("GET", "/oauth/apps")
async def get_oauth_apps(w: HandlerContext) -> Any:
    return await w.app.oauth_provider.list_apps(w.ctx, w.page(), w.per_page())


@api.route("GET", "/oauth/apps/{app_id}")
async def get_oauth_app(w: HandlerContext) -> Any:
    return await w.app.oauth_provider.get_own_app(w.ctx, w.id_param("app_id"))


@api.route("PUT", "/oauth/apps/{app_id}")
async def update_oauth_app(w: HandlerContext) -> Any:
    app_id = w.id_param("app_id")
    return await w.app.oauth_provider.update_app(w.ctx, app_id, await w.json(OAuthApp, "oauth_app"))


@api.route("DELETE", "/oauth/apps/{app_id}")
async def delete_oauth_app(w: HandlerContext) -> Any:
    await w.app.oauth_provider.delete_app(w.ctx, w.id_param("app_id"))
    return ok()


@api.route("GET", "/oauth/apps/{app_id}/info")
async def get_oauth_app_info(w: HandlerContext) -> Any:
    return await w.app.oauth_provider.app_info(w.id_param("app_id"))


@api.route("POST", "/oauth/apps/{app_id}/regen_secret")
async def regenerate_oauth_app_secret(w: HandlerContext) -> Any:
    return await w.app.oauth_provider.regenerate_secret(w.ctx, w.id_param("app_id"))


@api.route("GET", "/users/{user_id}/oauth/apps/authorized")
async def get_authorized_oauth_apps(w: HandlerContext) -> Any:
    return await w.app.oauth_provider.authorized_apps(w.ctx, w.user_param(), w.page(), w.per_page())

"""/config: the server configuration (system admins; secrets masked except in local mode)."""

from __future__ import annotations

from typing import Any

from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


@api.route("GET", "/config")
async def get_config(w: HandlerContext) -> Any:
    return w.app.config_api.get(w.ctx)


@api.route("PUT", "/config")
async def update_config(w: HandlerContext) -> Any:
    return await w.app.config_api.update(w.ctx, await w.json_any("config"))


@api.route("PUT", "/config/patch")
async def patch_config(w: HandlerContext) -> Any:
    return await w.app.config_api.patch(w.ctx, await w.json_any("config"))


@api.route("POST", "/config/reload")
async def reload_config(w: HandlerContext) -> Any:
    await w.app.config_api.reload(w.ctx)
    return ok()


@api.route("GET", "/config/environment")
async def get_environment_config(w: HandlerContext) -> Any:
    return w.app.config_api.environment(w.ctx)


@api.route("POST", "/config/migrate")
async def migrate_config(w: HandlerContext) -> Any:
    body = await w.json_any("config")
    if not isinstance(body, dict):
        body = {}
    await w.app.config_api.migrate(w.ctx, body.get("from"), body.get("to"))
    return ok()

"""/commands: slash commands, execution and autocomplete."""

from __future__ import annotations

from typing import Any

from chinwag.model.integration import Command, CommandArgs
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


@api.route("POST", "/commands")
async def create_command(w: HandlerContext) -> Any:
    return await w.app.commands.create(w.ctx, await w.json(Command, "command")), 201


@api.route("GET", "/commands")
async def list_commands(w: HandlerContext) -> Any:
    return await w.app.commands.list_commands(w.ctx, w.query("team_id"), w.query_bool("custom_only"))


@api.route("POST", "/commands/execute")
async def execute_command(w: HandlerContext) -> Any:
    return await w.app.commands.execute(w.ctx, await w.json(CommandArgs, "command_args"))


@api.route("GET", "/commands/{command_id}")
async def get_command(w: HandlerContext) -> Any:
    return await w.app.commands.get(w.ctx, w.id_param("command_id"))


@api.route("PUT", "/commands/{command_id}")
async def update_command(w: HandlerContext) -> Any:
    command_id = w.id_param("command_id")
    return await w.app.commands.update(w.ctx, command_id, await w.json(Command, "command"))


@api.route("DELETE", "/commands/{command_id}")
async def delete_command(w: HandlerContext) -> Any:
    await w.app.commands.delete(w.ctx, w.id_param("command_id"))
    return ok()


@api.route("PUT", "/commands/{command_id}/regen_token")
async def regen_command_token(w: HandlerContext) -> Any:
    cmd = await w.app.commands.regen_token(w.ctx, w.id_param("command_id"))
    return {"token": cmd.token}


@api.route("GET", "/teams/{team_id}/commands/autocomplete")
async def list_autocomplete_commands(w: HandlerContext) -> Any:
    return await w.app.commands.autocomplete(w.ctx, w.id_param("team_id"))


@api.route("GET", "/teams/{team_id}/commands/autocomplete_suggestions")
async def list_command_autocomplete_suggestions(w: HandlerContext) -> Any:
    return await w.app.commands.suggestions(w.ctx, w.id_param("team_id"), w.query("user_input"))

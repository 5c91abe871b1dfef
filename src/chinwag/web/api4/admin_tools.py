"""Administration routes mmctl uses: /teams/search, /server_busy,
/users/{id}/email/verify/member, DELETE /users (local mode), /saml/reset_auth_data and
/commands/{id}/move, /integrity."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.app.admin_tools import TeamSearch
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


class _ResetAuthData(msgspec.Struct):
    include_deleted: bool = False
    dry_run: bool = False
    user_ids: list[str] = []


class _Move(msgspec.Struct):
    team_id: str = ""


@api.route("POST", "/teams/search")
async def search_teams(w: HandlerContext) -> Any:
    props = await w.json(TeamSearch, "team_search")
    teams, total, paged = await w.app.team_directory.search(w.ctx, props)
    return {"teams": teams, "total_count": total} if paged else teams


@api.route("GET", "/server_busy")
async def get_server_busy(w: HandlerContext) -> Any:
    return await w.app.server_busy.get(w.ctx)


@api.route("POST", "/server_busy")
async def set_server_busy(w: HandlerContext) -> Any:
    await w.app.server_busy.set(w.ctx, w.query("seconds"))
    return ok()


@api.route("DELETE", "/server_busy")
async def clear_server_busy(w: HandlerContext) -> Any:
    await w.app.server_busy.clear(w.ctx)
    return ok()


@api.route("POST", "/users/{user_id}/email/verify/member")
async def verify_user_email_without_token(w: HandlerContext) -> Any:
    return await w.app.user_admin.verify_email(w.ctx, w.id_param("user_id"))


@api.route("DELETE", "/users")
async def permanent_delete_all_users(w: HandlerContext) -> Any:
    await w.app.user_admin.delete_all(w.ctx)
    return ok()


@api.route("POST", "/saml/reset_auth_data")
async def reset_saml_auth_data(w: HandlerContext) -> Any:
    body = await w.json(_ResetAuthData, "reset_auth_data")
    n = await w.app.user_admin.reset_saml_auth_data(w.ctx, body.include_deleted, body.dry_run, body.user_ids)
    return {"num_affected": n}


@api.route("PUT", "/commands/{command_id}/move")
async def move_command(w: HandlerContext) -> Any:
    body = await w.json(_Move, "command_move_request")
    await w.app.command_mover.move(w.ctx, w.id_param("command_id"), body.team_id)
    return ok()


@api.route("POST", "/integrity")
async def check_integrity(w: HandlerContext) -> Any:
    return await w.app.integrity.run(w.ctx)

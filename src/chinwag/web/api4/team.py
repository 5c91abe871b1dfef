"""/teams and a user's teams."""

from __future__ import annotations

import asyncio
import base64
import os
import tempfile
from typing import Any

import msgspec

from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.team import SchemeRoles, Team, TeamCreate, TeamPatch
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.oauth import site_url
from chinwag.web.responses import ok
from chinwag.web.upload import PartData, PartEnd, PartStart, multipart_events


class _MemberAdd(msgspec.Struct):
    team_id: str = ""
    user_id: str = ""
    roles: str = ""


class _Roles(msgspec.Struct):
    roles: str = ""


@api.route("POST", "/teams")
async def create_team(w: HandlerContext) -> Any:
    data = await w.json(TeamCreate, "team")
    return await w.app.teams.create(w.ctx, data), 201


@api.route("GET", "/teams")
async def get_teams(w: HandlerContext) -> Any:
    include_total = w.query_bool("include_total_count")
    teams, total = await w.app.teams.list_teams(w.ctx, w.page(), w.per_page(), include_total,
                                                include_deleted=w.query_bool("include_deleted"))
    if include_total:
        return {"teams": teams, "total_count": total}
    return teams


@api.route("GET", "/teams/name/{name}")
async def get_team_by_name(w: HandlerContext) -> Any:
    return await w.app.teams.get_by_name(w.ctx, w.str_param("name"))


@api.route("GET", "/teams/name/{name}/exists")
async def team_exists(w: HandlerContext) -> Any:
    # Mattermost: a team the caller may not see does not exist for them; any other failure is an error
    try:
        await w.app.teams.get_by_name(w.ctx, w.str_param("name"))
    except AppError as e:
        if e.status_code in (403, 404):
            return {"exists": False}
        raise
    return {"exists": True}


@api.route("GET", "/teams/{team_id}")
async def get_team(w: HandlerContext) -> Any:
    return await w.app.teams.get_visible(w.ctx, w.id_param("team_id"))


@api.route("PUT", "/teams/{team_id}")
async def update_team(w: HandlerContext) -> Any:
    team_id = w.id_param("team_id")
    data = await w.json(Team, "team")
    if data.id != team_id:
        raise invalid_param("updateTeam", "id")
    return await w.app.teams.update(w.ctx, team_id, data)


@api.route("PUT", "/teams/{team_id}/patch")
async def patch_team(w: HandlerContext) -> Any:
    return await w.app.teams.patch(w.ctx, w.id_param("team_id"), await w.json(TeamPatch, "team"))


@api.route("DELETE", "/teams/{team_id}")
async def delete_team(w: HandlerContext) -> Any:
    if w.query_bool("permanent"):
        await w.app.purge.delete_team(w.ctx, w.id_param("team_id"))
    else:
        await w.app.teams.delete(w.ctx, w.id_param("team_id"))
    return ok()


@api.route("POST", "/teams/{team_id}/restore")
async def restore_team(w: HandlerContext) -> Any:
    return await w.app.teams.restore(w.ctx, w.id_param("team_id"))


@api.route("GET", "/teams/{team_id}/members")
async def get_team_members(w: HandlerContext) -> Any:
    return await w.app.teams.get_members(w.ctx, w.id_param("team_id"), w.page(), w.per_page())


@api.route("POST", "/teams/{team_id}/members/ids")
async def get_team_members_by_ids(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "user_ids")
    if not all(is_valid_id(i) for i in ids):
        raise invalid_param("getTeamMembersByIds", "user_ids")
    return await w.app.teams.get_members(w.ctx, w.id_param("team_id"), 0, max(len(ids), 1), ids)


@api.route("POST", "/teams/{team_id}/members")
async def add_team_member(w: HandlerContext) -> Any:
    team_id = w.id_param("team_id")
    body = await w.json(_MemberAdd, "team_member")
    if body.team_id != team_id or not is_valid_id(body.user_id):
        raise invalid_param("addTeamMember", "team_member")
    return await w.app.teams.add_member(w.ctx, team_id, body.user_id), 201


@api.route("POST", "/teams/{team_id}/members/batch")
async def add_team_members(w: HandlerContext) -> Any:
    team_id = w.id_param("team_id")
    body = await w.json(list[_MemberAdd], "team_members")
    out = []
    for m in body:
        if m.team_id != team_id or not is_valid_id(m.user_id):
            raise invalid_param("addTeamMembers", "team_members")
        out.append(await w.app.teams.add_member(w.ctx, team_id, m.user_id))
    return out, 201


@api.route("POST", "/teams/members/invite", auth=True)
async def add_by_invite(w: HandlerContext) -> Any:
    invite_id = w.query("invite_id")
    if not invite_id:
        raise invalid_param("addUserToTeamFromInvite", "invite_id")
    return await w.app.teams.add_member_by_invite(w.ctx, invite_id), 201


@api.route("GET", "/teams/{team_id}/members/{user_id}")
async def get_team_member(w: HandlerContext) -> Any:
    return await w.app.teams.get_member(w.ctx, w.id_param("team_id"), w.user_param())


@api.route("DELETE", "/teams/{team_id}/members/{user_id}")
async def remove_team_member(w: HandlerContext) -> Any:
    await w.app.teams.remove_member(w.ctx, w.id_param("team_id"), w.user_param())
    return ok()


@api.route("PUT", "/teams/{team_id}/members/{user_id}/roles")
async def update_team_member_roles(w: HandlerContext) -> Any:
    body = await w.json(_Roles, "roles")
    await w.app.teams.update_member_roles(w.ctx, w.id_param("team_id"), w.user_param(), body.roles)
    return ok()


@api.route("PUT", "/teams/{team_id}/members/{user_id}/schemeRoles")
async def update_team_member_scheme_roles(w: HandlerContext) -> Any:
    body = await w.json(SchemeRoles, "scheme_roles")
    await w.app.teams.update_member_scheme_roles(w.ctx, w.id_param("team_id"), w.user_param(), body)
    return ok()


@api.route("GET", "/teams/{team_id}/stats")
async def team_stats(w: HandlerContext) -> Any:
    team_id = w.id_param("team_id")
    await w.app.teams.get_visible(w.ctx, team_id)
    count = await w.app.teams.member_count(w.ctx, team_id)
    return {"team_id": team_id, "total_member_count": count, "active_member_count": count}


@api.route("GET", "/channels/{channel_id}/common_teams")
async def get_group_message_members_common_teams(w: HandlerContext) -> Any:
    return await w.app.teams.common_to_channel(w.ctx, w.id_param("channel_id"))


@api.route("GET", "/users/{user_id}/teams")
async def get_teams_for_user(w: HandlerContext) -> Any:
    return await w.app.teams.for_user(w.ctx, w.user_param())


@api.route("GET", "/users/{user_id}/teams/members")
async def get_team_members_for_user(w: HandlerContext) -> Any:
    return await w.app.teams.members_for_user(w.ctx, w.user_param())


@api.route("GET", "/users/{user_id}/teams/unread")
async def get_teams_unread(w: HandlerContext) -> Any:
    return await w.app.teams.unreads(w.ctx, w.user_param(), w.query("exclude_team"),
                                     w.query_bool("include_collapsed_threads"))


@api.route("GET", "/users/{user_id}/teams/{team_id}/unread")
async def get_team_unread(w: HandlerContext) -> Any:
    return await w.app.teams.unread_for_team(w.ctx, w.user_param(), w.id_param("team_id"))


@api.route("POST", "/teams/{team_id}/invite/email")
async def invite_users_to_team(w: HandlerContext) -> Any:
    """The body is a list of addresses, or (newer apps) ``{"emails": [...], "channelIds": [...], "message"}``."""
    team_id = w.id_param("team_id")
    raw = await w.json_any("user_email")
    emails = raw.get("emails") if isinstance(raw, dict) else raw
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        raise invalid_param("inviteUsersToTeam", "user_email")
    result = await w.app.team_invites.invite_by_email(w.ctx, team_id, emails, site_url(w),
                                                      graceful=bool(w.query("graceful")))
    return ok() if result is None else result


@api.route("DELETE", "/teams/invites/email")
async def invalidate_email_invites(w: HandlerContext) -> Any:
    await w.app.team_invites.invalidate_email_invites(w.ctx)
    return ok()


#: Mattermost's MaximumBulkImportSize
_MAX_TEAM_IMPORT = 10 * 1024 * 1024 * 1024


@api.route("POST", "/teams/{team_id}/import")
async def import_team(w: HandlerContext) -> Any:
    """A Slack export (multipart: ``importFrom=slack``, ``filesize``, ``file``) into the team; the answer is
    ``{"results": base64 of the import log}``."""
    where = "importTeam"
    team_id = w.id_param("team_id")
    await w.app.team_import.check(w.ctx, team_id)
    if not w.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise AppError(where, "api.team.import_team.parse.app_error", "Could not parse multipart form.", 400)
    with tempfile.TemporaryDirectory(prefix="chinwag-team-import-") as tmp:
        path = os.path.join(tmp, "slack.zip")
        fields, has_file = await _read_import_form(w, path)
        if not fields.get("importFrom"):
            raise AppError(where, "api.team.import_team.no_import_from.app_error", "Malformed request: importFrom "
                           "field is not present.", 400)
        if not fields.get("filesize"):
            raise AppError(where, "api.team.import_team.unavailable.app_error", "Malformed request: filesize "
                           "field is not present.", 400)
        if not fields["filesize"].strip().isdigit():
            raise AppError(where, "api.team.import_team.integer.app_error", "Filesize not an integer.", 400)
        if not has_file:
            raise AppError(where, "api.team.import_team.no_file.app_error", "No file under 'file' in request.", 400)
        if fields["importFrom"] != "slack":
            raise AppError(where, "api.team.import_team.unknown_import_from.app_error", "Unknown import source.",
                           400)
        log = await w.app.team_import.slack_import(w.ctx, team_id, path)
    return {"results": base64.b64encode(log.encode()).decode()}


async def _read_import_form(w: HandlerContext, path: str) -> tuple[dict[str, str], bool]:
    """The form's small fields, and the ``file`` part streamed to ``path``."""
    fields: dict[str, str] = {}
    current: str | None = None
    text = bytearray()
    has_file = False
    size = 0
    fh = await asyncio.to_thread(open, path, "wb")
    try:
        async for ev in multipart_events(w.request):
            if isinstance(ev, PartStart):
                current, text = ev.name, bytearray()
                if ev.filename is not None and current != "file":
                    current = ""  # another file: not read
                elif current == "file":
                    current = "" if has_file else "file"  # Mattermost reads the first file only
                    has_file = True
            elif isinstance(ev, PartData) and current == "file":
                size += len(ev.data)
                if size > _MAX_TEAM_IMPORT:
                    raise AppError("importTeam", "api.team.import_team.parse.app_error", "The file is too large.", 400)
                await asyncio.to_thread(fh.write, ev.data)
            elif isinstance(ev, PartData) and current:
                text += ev.data
                if len(text) > 1024:
                    raise AppError("importTeam", "api.team.import_team.parse.app_error",
                                   "Could not parse multipart form.", 400)
            elif isinstance(ev, PartEnd):
                if current and current != "file":
                    fields.setdefault(current, text.decode("utf-8", "replace"))
                current = None
    finally:
        fh.close()
    return fields, has_file

"""/teams and a user's teams."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.model.errors import invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.team import Team, TeamCreate, TeamPatch
from chinwag.web.api4 import api
from chinwag.web.handler import W
from chinwag.web.responses import ok


class _MemberAdd(msgspec.Struct):
    team_id: str = ""
    user_id: str = ""
    roles: str = ""


class _Roles(msgspec.Struct):
    roles: str = ""


@api.route("POST", "/teams")
async def create_team(w: W) -> Any:
    data = await w.json(TeamCreate, "team")
    return await w.app.teams.create(w.ctx, data), 201


@api.route("GET", "/teams")
async def get_teams(w: W) -> Any:
    include_total = w.query_bool("include_total_count")
    teams, total = await w.app.teams.list_teams(w.ctx, w.page(), w.per_page(), include_total,
                                                include_deleted=w.query_bool("include_deleted"))
    if include_total:
        return {"teams": teams, "total_count": total}
    return teams


@api.route("GET", "/teams/name/{name}")
async def get_team_by_name(w: W) -> Any:
    return await w.app.teams.get_by_name(w.ctx, w.str_param("name"))


@api.route("GET", "/teams/name/{name}/exists")
async def team_exists(w: W) -> Any:
    try:
        await w.app.teams.get_by_name(w.ctx, w.str_param("name"))
        return {"exists": True}
    except Exception:
        return {"exists": False}


@api.route("GET", "/teams/{team_id}")
async def get_team(w: W) -> Any:
    return await w.app.teams.get_visible(w.ctx, w.id_param("team_id"))


@api.route("PUT", "/teams/{team_id}")
async def update_team(w: W) -> Any:
    team_id = w.id_param("team_id")
    data = await w.json(Team, "team")
    if data.id != team_id:
        raise invalid_param("updateTeam", "id")
    return await w.app.teams.update(w.ctx, team_id, data)


@api.route("PUT", "/teams/{team_id}/patch")
async def patch_team(w: W) -> Any:
    return await w.app.teams.patch(w.ctx, w.id_param("team_id"), await w.json(TeamPatch, "team"))


@api.route("DELETE", "/teams/{team_id}")
async def delete_team(w: W) -> Any:
    if w.query_bool("permanent"):
        await w.app.purge.delete_team(w.ctx, w.id_param("team_id"))
    else:
        await w.app.teams.delete(w.ctx, w.id_param("team_id"))
    return ok()


@api.route("POST", "/teams/{team_id}/restore")
async def restore_team(w: W) -> Any:
    return await w.app.teams.restore(w.ctx, w.id_param("team_id"))


@api.route("GET", "/teams/{team_id}/members")
async def get_team_members(w: W) -> Any:
    return await w.app.teams.get_members(w.ctx, w.id_param("team_id"), w.page(), w.per_page())


@api.route("POST", "/teams/{team_id}/members/ids")
async def get_team_members_by_ids(w: W) -> Any:
    ids = await w.json(list[str], "user_ids")
    if not all(is_valid_id(i) for i in ids):
        raise invalid_param("getTeamMembersByIds", "user_ids")
    return await w.app.teams.get_members(w.ctx, w.id_param("team_id"), 0, max(len(ids), 1), ids)


@api.route("POST", "/teams/{team_id}/members")
async def add_team_member(w: W) -> Any:
    team_id = w.id_param("team_id")
    body = await w.json(_MemberAdd, "team_member")
    if body.team_id != team_id or not is_valid_id(body.user_id):
        raise invalid_param("addTeamMember", "team_member")
    return await w.app.teams.add_member(w.ctx, team_id, body.user_id), 201


@api.route("POST", "/teams/{team_id}/members/batch")
async def add_team_members(w: W) -> Any:
    team_id = w.id_param("team_id")
    body = await w.json(list[_MemberAdd], "team_members")
    out = []
    for m in body:
        if m.team_id != team_id or not is_valid_id(m.user_id):
            raise invalid_param("addTeamMembers", "team_members")
        out.append(await w.app.teams.add_member(w.ctx, team_id, m.user_id))
    return out, 201


@api.route("POST", "/teams/members/invite", auth=True)
async def add_by_invite(w: W) -> Any:
    invite_id = w.query("invite_id")
    if not invite_id:
        raise invalid_param("addUserToTeamFromInvite", "invite_id")
    return await w.app.teams.add_member_by_invite(w.ctx, invite_id), 201


@api.route("GET", "/teams/{team_id}/members/{user_id}")
async def get_team_member(w: W) -> Any:
    return await w.app.teams.get_member(w.ctx, w.id_param("team_id"), w.user_param())


@api.route("DELETE", "/teams/{team_id}/members/{user_id}")
async def remove_team_member(w: W) -> Any:
    await w.app.teams.remove_member(w.ctx, w.id_param("team_id"), w.user_param())
    return ok()


@api.route("PUT", "/teams/{team_id}/members/{user_id}/roles")
async def update_team_member_roles(w: W) -> Any:
    body = await w.json(_Roles, "roles")
    await w.app.teams.update_member_roles(w.ctx, w.id_param("team_id"), w.user_param(), body.roles)
    return ok()


@api.route("GET", "/teams/{team_id}/stats")
async def team_stats(w: W) -> Any:
    team_id = w.id_param("team_id")
    await w.app.teams.get_visible(w.ctx, team_id)
    count = await w.app.teams.member_count(w.ctx, team_id)
    return {"team_id": team_id, "total_member_count": count, "active_member_count": count}


@api.route("GET", "/users/{user_id}/teams")
async def get_teams_for_user(w: W) -> Any:
    return await w.app.teams.for_user(w.ctx, w.user_param())


@api.route("GET", "/users/{user_id}/teams/members")
async def get_team_members_for_user(w: W) -> Any:
    return await w.app.teams.members_for_user(w.ctx, w.user_param())


@api.route("GET", "/users/{user_id}/teams/unread")
async def get_teams_unread(w: W) -> Any:
    return await w.app.teams.unreads(w.ctx, w.user_param(), w.query("exclude_team"),
                                     w.query_bool("include_collapsed_threads"))


@api.route("GET", "/users/{user_id}/teams/{team_id}/unread")
async def get_team_unread(w: W) -> Any:
    return await w.app.teams.unread_for_team(w.ctx, w.user_param(), w.id_param("team_id"))

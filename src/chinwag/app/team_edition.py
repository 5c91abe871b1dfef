"""What a Mattermost Team Edition server answers about the licensed features it cannot have: user groups
and permission schemes. Neither can exist here (custom groups need a Professional licence, LDAP groups
and schemes an Enterprise one), so these operations are served with what that absence means: a team's
or channel's members "minus the members of these groups" are all of its members, and no scheme is
found."""

from __future__ import annotations

from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.errors import AppError
from chinwag.model.wire import to_jsonable
from chinwag.store.sql.analytics_store import SqlAnalyticsStore


class TeamEditionService:
    def __init__(self, core: AppCore, perms: PermissionService, counts: SqlAnalyticsStore) -> None:
        self.core = core
        self.perms = perms
        self.counts = counts

    async def channel_members_minus_groups(self, ctx: Ctx, channel_id: str, group_ids: list[str], page: int,
                                           per_page: int) -> dict[str, Any]:
        """``GET /channels/{id}/members_minus_group_members``: the channel's active members, by username,
        each with the groups it is in (none) and its scheme flags. An unknown channel has no members (as in
        Mattermost, whose query simply finds none)."""
        self.perms.require_system(ctx, permissions.SYSCONSOLE_READ_CHANNELS, "channelMembersMinusGroupMembers")
        users = await self.core.store.users.list_users(page=page, per_page=per_page, in_channel=channel_id,
                                                       active=True)
        members = {m.user_id: m for m in await self.core.store.channels.get_members(
            channel_id, page=0, per_page=len(users) or 1, user_ids=[u.id for u in users])}
        total = await self.counts.filtered_user_count(in_channel=channel_id, include_bots=True, roles=[],
                                                      team_roles=[], channel_roles=[])
        return {"users": [self._with_groups(ctx, u, members.get(u.id)) for u in users], "total_count": total}

    async def team_members_minus_groups(self, ctx: Ctx, team_id: str, group_ids: list[str], page: int,
                                        per_page: int) -> dict[str, Any]:
        """``GET /teams/{id}/members_minus_group_members``: as for a channel, for a team's members."""
        self.perms.require_system(ctx, permissions.SYSCONSOLE_READ_GROUPS, "teamMembersMinusGroupMembers")
        users = await self.core.store.users.list_users(page=page, per_page=per_page, in_team=team_id, active=True)
        members = {m.user_id: m for m in await self.core.store.teams.get_members(
            team_id, page=0, per_page=len(users) or 1, user_ids=[u.id for u in users])}
        total = await self.counts.filtered_user_count(in_team=team_id, include_bots=True, roles=[], team_roles=[],
                                                      channel_roles=[])
        return {"users": [self._with_groups(ctx, u, members.get(u.id)) for u in users], "total_count": total}

    def _with_groups(self, ctx: Ctx, user: Any, member: Any) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self.perms.sanitize_user(ctx, user))
        out["groups"] = []
        out["scheme_guest"] = bool(member and member.scheme_guest)
        out["scheme_user"] = bool(member and member.scheme_user)
        out["scheme_admin"] = bool(member and member.scheme_admin)
        return out

    def get_scheme(self, ctx: Ctx, scheme_id: str, permission: str) -> None:
        """``GET /schemes/{id}`` (and its teams and channels): the caller's permission, then the scheme —
        which does not exist, permission schemes needing a licence to be created."""
        self.perms.require_system(ctx, permission, "getScheme")
        raise AppError("GetScheme", "app.scheme.get.app_error", "Unable to get the scheme.", 404,
                       f"Scheme not found: {scheme_id}")

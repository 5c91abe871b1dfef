"""Teams and team membership."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from chinwag.app.channel import ChannelService
from chinwag.app.channel_member import ChannelMemberService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service, store_error
from chinwag.app.directory import Directory
from chinwag.app.outbox import UnitOfWork
from chinwag.app.permissions import PermissionService
from chinwag.app.validate import check_len, is_valid_team_name
from chinwag.model import permissions
from chinwag.model.channel import GROUP_MAX_USERS, ChannelMember
from chinwag.model.errors import AppError, permission_denied
from chinwag.model.ids import new_id
from chinwag.model.team import (
    RESERVED_TEAM_NAMES,
    TEAM_INVITE,
    TEAM_OPEN,
    SchemeRoles,
    Team,
    TeamCreate,
    TeamMember,
    TeamPatch,
    TeamUnread,
)
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import Conflict, NotFound, StoreError
from chinwag.store.sql.import_store import ImportWriter


@service
class TeamService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    channels: ChannelService
    members: ChannelMemberService

    async def get(self, team_id: str, where: str = "GetTeam") -> Team:
        return await self.directory.team(team_id, where)

    # bulk (importers) -----------------------------------------------------------------------

    async def import_members(self, source: str, members: Sequence[TeamMember]) -> list[str]:
        """Imported team members (those not in the team yet; a member who left stays left), with
        ``added_to_team``; the users added."""
        async with self.core.unit_of_work() as uow:
            joined = await ImportWriter(uow.conn, source, self.core.now()).add_team_members(members)
            for m in members:
                if m.user_id in joined:
                    uow.publish(Event("added_to_team", {"team_id": m.team_id, "user_id": m.user_id},
                                      Broadcast(user_id=m.user_id)))
        return joined

    async def add_members_bulk(self, source: str, team_id: str, user_ids: Sequence[str]) -> list[str]:
        """Add many users to a team and its default channels in one unit of work, with the events
        joining through the app publishes (no "joined the team" posts: imported history has its
        own); members who left stay left. The users added."""
        defaults = await self.members.default_channels(team_id)
        now = self.core.now()
        async with self.core.unit_of_work() as uow:
            w = ImportWriter(uow.conn, source, now)
            joined = await w.add_team_members([TeamMember(team_id=team_id, user_id=u, create_at=now)
                                               for u in dict.fromkeys(user_ids)])
            for uid in joined:
                uow.publish(Event("added_to_team", {"team_id": team_id, "user_id": uid}, Broadcast(user_id=uid)))
            for c in defaults:
                for uid in await w.add_members(c.id, [ChannelMember(channel_id=c.id, user_id=u, last_update_at=now)
                                                      for u in joined]):
                    uow.publish(Event("user_added", {"user_id": uid, "team_id": team_id}, Broadcast(channel_id=c.id)))
        return joined

    async def get_visible(self, ctx: Ctx, team_id: str, where: str = "GetTeam") -> Team:
        team = await self.get(team_id, where)
        await self._require_view(ctx, team, where)
        return await self.sanitize(ctx, team)

    async def sanitize(self, ctx: Ctx, team: Team) -> Team:
        """Mattermost's SanitizeTeam: the email is for team managers only, the invite id for those
        who may invite."""
        if await self.perms.has_team(ctx, team.id, permissions.MANAGE_TEAM):
            return team
        keep_invite = await self.perms.has_team(ctx, team.id, permissions.INVITE_USER)
        return msgspec.structs.replace(team, email="", invite_id=team.invite_id if keep_invite else "")

    async def sanitize_all(self, ctx: Ctx, teams: list[Team]) -> list[Team]:
        return [await self.sanitize(ctx, t) for t in teams]

    async def get_by_name(self, ctx: Ctx, name: str) -> Team:
        where = "GetTeamByName"
        try:
            team = await self.core.store.teams.get_by_name(name)
        except StoreError as e:
            raise store_error(where, e, "team") from None
        await self._require_view(ctx, team, where)
        return await self.sanitize(ctx, team)

    async def _require_view(self, ctx: Ctx, team: Team, where: str) -> None:
        if (
            team.allow_open_invite
            and team.type == TEAM_OPEN
            and self.perms.has_system(ctx, permissions.LIST_PUBLIC_TEAMS)
        ):
            return
        await self.perms.require_team(ctx, team.id, permissions.VIEW_TEAM, where)

    def _validate(self, team: Team, where: str) -> None:
        if not is_valid_team_name(team.name):
            raise AppError(
                where,
                "model.team.is_valid.url.app_error",
                "Team name must be 2–64 lowercase letters, numbers or dashes.",
                400,
            )
        if team.name in RESERVED_TEAM_NAMES:
            raise AppError(where, "model.team.is_valid.reserved.app_error", "This URL is unavailable.", 400)
        if not team.display_name.strip() or len(team.display_name) > 64:
            raise AppError(where, "model.team.is_valid.name.app_error", "Invalid display name.", 400)
        if team.type not in (TEAM_OPEN, TEAM_INVITE):
            raise AppError(where, "model.team.is_valid.type.app_error", "Invalid type.", 400)
        check_len(team.description, 255, where, "model.team.is_valid.description.app_error", "description")
        check_len(team.company_name, 64, where, "model.team.is_valid.company.app_error", "company name")

    async def create(self, ctx: Ctx, data: TeamCreate) -> Team:
        where = "CreateTeam"
        self.perms.require_system(ctx, permissions.CREATE_TEAM, where)
        now = self.core.now()
        team = Team(
            id=new_id(),
            create_at=now,
            update_at=now,
            name=data.name.strip().lower(),
            display_name=data.display_name.strip(),
            type=data.type or TEAM_OPEN,
            description=data.description,
            company_name=data.company_name,
            allowed_domains=data.allowed_domains,
            email=data.email.lower(),
            allow_open_invite=bool(data.allow_open_invite),
            invite_id=new_id(),
        )
        self._validate(team, where)
        try:
            # the team and its default channels; joining it is the next unit of work
            async with self.core.unit_of_work() as uow:
                await self.core.store.teams.save(team, uow.conn)
                await self.channels.create_default_channels(uow, team, ctx.user_id)
        except Conflict:
            raise AppError(
                where, "app.team.save.existing.app_error", "A team with that name already exists.", 400
            ) from None
        if ctx.user_id:
            await self.join(team, ctx.user_id, admin=True, actor_id=ctx.user_id)
        return team

    async def patch(self, ctx: Ctx, team_id: str, patch: TeamPatch) -> Team:
        where = "PatchTeam"
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM, where)
        team = await self.get(team_id, where)
        for name in (
            "display_name",
            "description",
            "company_name",
            "allowed_domains",
            "allow_open_invite",
            "group_constrained",
        ):
            value = getattr(patch, name)
            if value is not msgspec.UNSET:
                setattr(team, name, value)
        team.update_at = self.core.now()
        self._validate(team, where)
        await self.save_team(team)
        return team

    async def save_team(self, team: Team) -> None:
        """Write a changed team and register ``update_team`` in one unit of work."""
        async with self.core.unit_of_work() as uow:
            await self.core.store.teams.update(team, uow.conn)
            uow.publish(Event("update_team", {"team": msgspec.json.encode(team.to_dict()).decode()},
                              Broadcast(team_id=team.id)))

    async def update(self, ctx: Ctx, team_id: str, data: Team) -> Team:
        return await self.patch(
            ctx,
            team_id,
            TeamPatch(
                display_name=data.display_name,
                description=data.description,
                company_name=data.company_name,
                allowed_domains=data.allowed_domains,
                allow_open_invite=data.allow_open_invite,
            ),
        )

    async def delete(self, ctx: Ctx, team_id: str) -> None:
        where = "DeleteTeam"
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM, where)
        await self.get(team_id, where)
        now = self.core.now()
        async with self.core.unit_of_work() as uow:
            team = await self.core.store.teams.set_deleted(team_id, now, now, uow.conn)
            uow.publish(Event("delete_team", {"team": msgspec.json.encode(team.to_dict()).decode()},
                              Broadcast(team_id=team.id)))

    async def restore(self, ctx: Ctx, team_id: str) -> Team:
        where = "RestoreTeam"
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM, where)
        await self.get(team_id, where)
        return await self.core.store.teams.set_deleted(team_id, 0, self.core.now())

    async def list_teams(
        self, ctx: Ctx, page: int, per_page: int, include_total: bool = False, include_deleted: bool = False
    ) -> tuple[list[Team], int | None]:
        if self.perms.has_system(ctx, permissions.MANAGE_SYSTEM) or (
                self.perms.has_system(ctx, permissions.LIST_PRIVATE_TEAMS)
                and self.perms.has_system(ctx, permissions.LIST_PUBLIC_TEAMS)):
            include_deleted = include_deleted and self.perms.has_any_system(
                ctx, permissions.MANAGE_SYSTEM, permissions.SYSCONSOLE_READ_TEAMS)
            teams = await self.core.store.teams.list_teams(page=page, per_page=per_page,
                                                           include_deleted=include_deleted)
            total = await self.core.store.teams.count(include_deleted=include_deleted) if include_total else None
        elif self.perms.has_system(ctx, permissions.LIST_PUBLIC_TEAMS):
            teams = await self.core.store.teams.list_teams(page=page, per_page=per_page, open_only=True)
            total = await self.core.store.teams.count(open_only=True) if include_total else None
        else:
            teams, total = [], 0
        return await self.sanitize_all(ctx, teams), total

    async def for_user(self, ctx: Ctx, user_id: str) -> list[Team]:
        self.perms.require_self_or_any(ctx, user_id, "GetTeamsForUser", permissions.READ_OTHER_USERS_TEAMS,
                                       permissions.MANAGE_SYSTEM)
        return await self.sanitize_all(ctx, await self.core.store.teams.list_for_user(user_id))

    async def common_to_channel(self, ctx: Ctx, channel_id: str) -> list[Team] | None:
        """``GET /channels/{channel_id}/common_teams``: the teams every active member of a direct or group
        message is in (what converting a group message to a channel offers); ``None`` (JSON ``null``, as
        Mattermost) when the caller is not among them."""
        where = "getDirectOrGroupMessageMembersCommonTeams"
        me = await self.directory.user(ctx.user_id, where)
        if me.is_guest():
            raise AppError("Api4.getDirectOrGroupMessageMembersCommonTeams",
                           "api.channel.gm_to_channel_conversion.not_allowed_for_user.request_error",
                           "User is not allowed to convert group message to private channel", 403)
        if not await self.perms.has_channel(ctx, channel_id, permissions.READ_CHANNEL):
            raise permission_denied(where, f"permission={permissions.READ_CHANNEL}")
        channel = await self.directory.channel(channel_id, where)
        if channel.type not in ("G", "D"):
            raise AppError("GetDirectOrGroupMessageMembersCommonTeams",
                           "app.channel.get_common_teams.incorrect_channel_type",
                           "Channel is not a direct or group message.", 400)
        users = await self.core.store.users.list_users(page=0, per_page=GROUP_MAX_USERS,
                                                       in_channel=channel_id, active=True)
        if ctx.user_id not in {u.id for u in users}:
            return None
        common: set[str] | None = None
        for user in users:
            ids = {t.id for t in await self.core.store.teams.list_for_user(user.id)}
            common = ids if common is None else common & ids
        teams = [t for t in await self.core.store.teams.list_for_user(ctx.user_id) if t.id in (common or set())]
        return await self.sanitize_all(ctx, sorted(teams, key=lambda t: t.id))

    # members -------------------------------------------------------------------------------

    async def get_member(self, ctx: Ctx, team_id: str, user_id: str) -> TeamMember:
        where = "GetTeamMember"
        await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)
        try:
            tm = await self.core.store.teams.get_member(team_id, user_id)
        except NotFound:
            raise AppError(
                where, "app.team.get_member.missing.app_error", "No team member found.", 404
            ) from None
        if tm.delete_at:
            raise AppError(where, "app.team.get_member.missing.app_error", "No team member found.", 404)
        return tm

    async def get_members(
        self, ctx: Ctx, team_id: str, page: int, per_page: int, user_ids: list[str] | None = None
    ) -> list[TeamMember]:
        await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, "GetTeamMembers")
        return await self.core.store.teams.get_members(
            team_id, page=page, per_page=per_page, user_ids=user_ids
        )

    async def member_count(self, ctx: Ctx, team_id: str) -> int:
        await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, "GetTeamStats")
        return await self.core.store.teams.count_members(team_id)

    async def members_for_user(self, ctx: Ctx, user_id: str) -> list[TeamMember]:
        self.perms.require_self_or_system(ctx, user_id, permissions.MANAGE_SYSTEM, "GetTeamMembersForUser")
        return await self.core.store.teams.get_members_for_user(user_id)

    async def add_member(self, ctx: Ctx, team_id: str, user_id: str) -> TeamMember:
        where = "AddTeamMember"
        team = await self.get(team_id, where)
        if ctx.user_id == user_id and not ctx.local:
            if not (
                team.allow_open_invite
                and team.type == TEAM_OPEN
                and self.perms.has_system(ctx, permissions.JOIN_PUBLIC_TEAMS)
            ) and not await self.perms.has_team(ctx, team_id, permissions.ADD_USER_TO_TEAM):
                raise permission_denied(where)
        else:
            await self.perms.require_team(ctx, team_id, permissions.ADD_USER_TO_TEAM, where)
        await self.directory.user(user_id, where)
        if team.delete_at:
            raise AppError(where, "api.team.add_user_to_team.deleted.app_error", "The team is archived.", 403)
        return await self.join(team, user_id, actor_id=ctx.user_id)

    async def add_member_by_invite(self, ctx: Ctx, invite_id: str) -> TeamMember:
        where = "AddUserToTeamByInviteId"
        try:
            team = await self.core.store.teams.get_by_invite_id(invite_id)
        except NotFound:
            raise AppError(
                where, "app.team.get_by_invite_id.finding.app_error", "The invite link is invalid.", 404
            ) from None
        if team.delete_at:
            raise AppError(where, "api.team.add_user_to_team.deleted.app_error", "The team is archived.", 403)
        return await self.join(team, ctx.user_id, actor_id=ctx.user_id)

    async def join(self, team: Team, user_id: str, *, admin: bool = False, actor_id: str = "") -> TeamMember:
        """Add (or re-activate) a member and join the team's default channels."""
        where = "JoinUserToTeam"
        existing: TeamMember | None = None
        try:
            existing = await self.core.store.teams.get_member(team.id, user_id)
        except NotFound:
            pass
        if existing and not existing.delete_at:
            return existing
        if await self.core.store.teams.count_members(team.id) >= self.core.cfg.TeamSettings.MaxUsersPerTeam:
            raise AppError(
                where,
                "app.team.join_user_to_team.max_accounts.app_error",
                "This team has reached the maximum number of allowed accounts.",
                400,
            )
        user = await self.directory.user(user_id, where)
        guest = user.is_guest()
        tm = TeamMember(
            team_id=team.id,
            user_id=user_id,
            scheme_user=not guest,
            scheme_admin=admin and not guest,
            scheme_guest=guest,
            create_at=self.core.now(),
        )
        # the membership and added_to_team: one unit of work; each default channel joined is one more;
        # the sidebar categories last (the favourites among the channels joined go into Favorites)
        async with self.core.unit_of_work() as uow:
            await self.core.store.teams.save_member(tm, uow.conn)
            uow.publish(Event("added_to_team", {"team_id": team.id, "user_id": user_id}, Broadcast(user_id=user_id)))
        await self.members.join_default_channels(team, user, actor_id=actor_id)
        await self.core.store.categories.create_initial(user_id, team.id)
        return tm

    async def remove_member(self, ctx: Ctx, team_id: str, user_id: str) -> None:
        where = "RemoveTeamMember"
        if ctx.user_id != user_id or ctx.local:
            await self.perms.require_team(ctx, team_id, permissions.REMOVE_USER_FROM_TEAM, where)
        team = await self.get(team_id, where)
        try:
            tm = await self.core.store.teams.get_member(team_id, user_id)
        except NotFound:
            raise AppError(
                where, "app.team.get_member.missing.app_error", "No team member found.", 404
            ) from None
        if tm.delete_at:
            return
        await self.members.leave_team_channels(team, user_id, ctx.user_id)
        tm.delete_at = self.core.now()
        async with self.core.unit_of_work() as uow:
            await self.core.store.teams.update_member(tm, uow.conn)
            await self.core.store.categories.clear_team(user_id, team.id, uow.conn)
            uow.publish(Event("leave_team", {"team_id": team.id, "user_id": user_id},
                              Broadcast(team_id=team.id, user_ids=[user_id])))

    async def set_guest_memberships(self, uow: UnitOfWork, user_id: str, guest: bool) -> None:
        """Every team membership of a user who became a guest (team_guest) or stopped being one (team_user),
        in the unit of work that changes the user."""
        for tm in await self.core.store.teams.get_members_for_user(user_id):
            tm.scheme_guest, tm.scheme_user = guest, not guest
            if guest:
                tm.scheme_admin = False
            await self._save_member_roles(tm, uow)

    async def update_member_roles(self, ctx: Ctx, team_id: str, user_id: str, roles: str) -> None:
        where = "UpdateTeamMemberRoles"
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM_ROLES, where)
        tm = await self.get_member(ctx, team_id, user_id)
        wanted = set(roles.split())
        if not wanted <= {"team_user", "team_admin", "team_guest"}:
            raise AppError(where, "api.team.update_member_roles.invalid", "Invalid team roles.", 400)
        tm.scheme_admin = "team_admin" in wanted
        tm.scheme_user = "team_user" in wanted or tm.scheme_admin
        await self._save_member_roles(tm)

    async def update_member_scheme_roles(
        self, ctx: Ctx, team_id: str, user_id: str, roles: SchemeRoles
    ) -> None:
        """PUT /teams/{team_id}/members/{user_id}/schemeRoles (Mattermost's UpdateTeamMemberSchemeRoles)."""
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM_ROLES, "updateTeamMemberSchemeRoles")
        tm = await self.get_member(ctx, team_id, user_id)
        if roles.scheme_user and roles.scheme_guest:
            raise AppError("UpdateTeamMemberSchemeRoles", "api.team.update_team_member_roles.guest_and_user.app_error",
                           "A team member cannot be both a guest and a user.", 400)
        tm.scheme_guest, tm.scheme_user, tm.scheme_admin = roles.scheme_guest, roles.scheme_user, roles.scheme_admin
        await self._save_member_roles(tm)

    async def _save_member_roles(self, tm: TeamMember, uow: UnitOfWork | None = None) -> None:
        if uow is None:
            async with self.core.unit_of_work() as own:
                return await self._save_member_roles(tm, own)
        await self.core.store.teams.update_member(tm, uow.conn)
        uow.publish(Event("memberrole_updated", {"member": msgspec.json.encode(tm.to_dict()).decode()},
                          Broadcast(user_id=tm.user_id)))
        return None

    async def unreads(
        self, ctx: Ctx, user_id: str, exclude_team: str = "", include_collapsed_threads: bool = False
    ) -> list[TeamUnread]:
        self.perms.require_self_or_system(ctx, user_id, permissions.MANAGE_SYSTEM, "GetTeamsUnreadForUser")
        # the user's teams with their channels' unreads in one statement
        out = await self.core.store.channels.team_unreads(user_id, exclude_team)
        if include_collapsed_threads:
            threads = await self.core.store.threads.unread_by_team(user_id)
            for u in out:
                u.thread_count, u.thread_mention_count = threads.get(u.team_id, (0, 0))
        return out

    async def unread_for_team(self, ctx: Ctx, user_id: str, team_id: str) -> TeamUnread:
        """GET /users/{id}/teams/{team_id}/unread (thread counts included)."""
        where = "GetTeamUnread"
        self.perms.require_self_or_system(ctx, user_id, permissions.MANAGE_SYSTEM, where)
        await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)
        for u in await self.unreads(ctx, user_id, include_collapsed_threads=True):
            if u.team_id == team_id:
                return u
        return TeamUnread(team_id=team_id)

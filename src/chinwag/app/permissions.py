"""Permission checks: system, team and channel scopes, from roles expressed as data; who may read a
channel, and what a viewer may see of a user. The floor just above the directory: every service
that checks a permission takes this one."""

from __future__ import annotations

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.roles import RoleTable
from chinwag.model import permissions as perm
from chinwag.model.channel import CHANNEL_OPEN, Channel
from chinwag.model.errors import permission_denied
from chinwag.model.user import User
from chinwag.store.errors import NotFound


@service
class PermissionService:
    core: AppCore
    directory: Directory
    #: the stored roles' permissions (kept current by role_updated on every node)
    roles: RoleTable

    def has_system(self, ctx: Ctx, permission: str) -> bool:
        if ctx.local:
            return True
        return perm.roles_grant(ctx.roles, permission, self.roles.permissions)

    def is_system_admin(self, ctx: Ctx) -> bool:
        return self.has_system(ctx, perm.MANAGE_SYSTEM)

    def has_any_system(self, ctx: Ctx, *permissions: str) -> bool:
        """Mattermost's SessionHasPermissionToAny."""
        return any(self.has_system(ctx, p) for p in permissions)

    def require_any_system(self, ctx: Ctx, where: str, *permissions: str) -> None:
        if not self.has_any_system(ctx, *permissions):
            raise permission_denied(where, f"userId={ctx.user_id}, permission={permissions[0]}")

    def require_self_or_any(self, ctx: Ctx, user_id: str, where: str, *permissions: str) -> None:
        """The caller themselves, or one holding any of ``permissions``."""
        if ctx.user_id == user_id and not ctx.local:
            return
        if not self.has_any_system(ctx, *permissions):
            raise permission_denied(where)

    async def team_roles(self, user_id: str, team_id: str) -> frozenset[str]:
        cache = self.core.caches.team_roles
        found = cache.lookup((team_id, user_id))
        if found is not None:
            return found
        try:
            tm = await self.core.store.teams.get_member(team_id, user_id)
            roles = frozenset() if tm.delete_at else frozenset(tm.role_set())
        except NotFound:
            roles = frozenset()
        cache[(team_id, user_id)] = roles
        return roles

    async def has_team(self, ctx: Ctx, team_id: str, permission: str) -> bool:
        if self.has_system(ctx, permission):
            return True
        if not team_id:
            return False
        return perm.roles_grant(await self.team_roles(ctx.user_id, team_id), permission, self.roles.permissions)

    async def channel_roles(self, user_id: str, channel_id: str) -> frozenset[str]:
        cache = self.core.caches.channel_roles
        found = cache.lookup((channel_id, user_id))
        if found is not None:
            return found
        try:
            roles = frozenset((await self.core.store.channels.get_member(channel_id, user_id)).role_set())
        except NotFound:
            roles = frozenset()
        cache[(channel_id, user_id)] = roles
        return roles

    async def has_channel(
        self, ctx: Ctx, channel_id: str, permission: str, team_id: str | None = None
    ) -> bool:
        """Mattermost's SessionHasPermissionToChannel: channel roles if a member, else the team's
        roles for a team channel, else system roles."""
        if self.has_system(ctx, permission):
            return True
        roles = await self.channel_roles(ctx.user_id, channel_id)
        if roles and perm.roles_grant(roles, permission, self.roles.permissions):
            return True
        if team_id is None:
            channel = await self.directory.cached_channel(channel_id)
            if channel is None:
                return False
            team_id = channel.team_id
        if team_id:
            return perm.roles_grant(await self.team_roles(ctx.user_id, team_id), permission, self.roles.permissions)
        return False

    async def user_has_channel(self, user_id: str, channel_id: str, permission: str) -> bool:
        """Whether another user (not the caller) holds a channel permission through their channel or team
        membership (Mattermost's HasPermissionToChannel for a user id)."""
        roles = await self.channel_roles(user_id, channel_id)
        if roles and perm.roles_grant(roles, permission, self.roles.permissions):
            return True
        channel = await self.directory.cached_channel(channel_id)
        if channel is None or not channel.team_id:
            return False
        return perm.roles_grant(await self.team_roles(user_id, channel.team_id), permission, self.roles.permissions)

    def require_system(self, ctx: Ctx, permission: str, where: str) -> None:
        if not self.has_system(ctx, permission):
            raise permission_denied(where, f"userId={ctx.user_id}, permission={permission}")

    async def require_team(self, ctx: Ctx, team_id: str, permission: str, where: str) -> None:
        if not await self.has_team(ctx, team_id, permission):
            raise permission_denied(where, f"userId={ctx.user_id}, teamId={team_id}, permission={permission}")

    async def require_channel(
        self, ctx: Ctx, channel_id: str, permission: str, where: str, team_id: str | None = None
    ) -> None:
        if not await self.has_channel(ctx, channel_id, permission, team_id):
            raise permission_denied(
                where, f"userId={ctx.user_id}, channelId={channel_id}, permission={permission}"
            )

    def require_self_or_system(self, ctx: Ctx, user_id: str, permission: str, where: str) -> None:
        if ctx.user_id == user_id and not ctx.local:
            return
        if not self.has_system(ctx, permission):
            raise permission_denied(where)

    # reading channels ----------------------------------------------------------------------

    async def can_read_channel(self, ctx: Ctx, channel: Channel) -> bool:
        if await self.has_channel(ctx, channel.id, perm.READ_CHANNEL, channel.team_id):
            return True
        if channel.type == CHANNEL_OPEN:
            return await self.has_team(ctx, channel.team_id, perm.READ_PUBLIC_CHANNEL)
        return False

    async def readable_channel(self, ctx: Ctx, channel_id: str, where: str = "GetChannel",
                               cached: bool = False) -> Channel:
        """The channel, or 404 when missing and 403 when the caller may not read it. ``cached``: from the
        channel cache (its stable facts — type, team, deletion — are current; counters may be stale)."""
        channel = await self.directory.cached_channel(channel_id) if cached else None
        if channel is None:
            channel = await self.directory.channel(channel_id, where)
        if not await self.can_read_channel(ctx, channel):
            raise permission_denied(where, f"channelId={channel_id}")
        return channel

    # seeing users --------------------------------------------------------------------------

    def sanitize_user(self, ctx: Ctx, user: User) -> User:
        """The user as this viewer may see them (email and full name per the privacy settings)."""
        privacy = self.core.cfg.PrivacySettings
        return user.sanitized_for(
            viewer_is_self=ctx.user_id == user.id,
            viewer_is_admin=self.is_system_admin(ctx),
            show_email=privacy.ShowEmailAddress,
            show_full_name=privacy.ShowFullName,
        )

    def sanitize_users(self, ctx: Ctx, users: list[User]) -> list[User]:
        return [self.sanitize_user(ctx, u) for u in users]


"""Permission checks: system, team and channel scopes, from roles expressed as data."""

from __future__ import annotations

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.model import permissions as P
from chinwag.model.errors import AppError, permission_denied
from chinwag.store.errors import NotFound


class PermissionService:
    def __init__(self, core: AppCore) -> None:
        self.core = core

    def has_system(self, ctx: Ctx, permission: str) -> bool:
        if ctx.local:
            return True
        return P.roles_grant(ctx.roles, permission)

    def is_system_admin(self, ctx: Ctx) -> bool:
        return self.has_system(ctx, P.MANAGE_SYSTEM)

    async def team_roles(self, user_id: str, team_id: str) -> frozenset[str]:
        cache = self.core.caches.team_roles
        found = cache.get((team_id, user_id))
        if found is not None:
            return found
        try:
            tm = await self.core.store.teams.get_member(team_id, user_id)
            roles = frozenset() if tm.delete_at else frozenset(tm.role_set())
        except NotFound:
            roles = frozenset()
        cache.put((team_id, user_id), roles)
        return roles

    async def has_team(self, ctx: Ctx, team_id: str, permission: str) -> bool:
        if self.has_system(ctx, permission):
            return True
        if not team_id:
            return False
        return P.roles_grant(await self.team_roles(ctx.user_id, team_id), permission)

    async def channel_roles(self, user_id: str, channel_id: str) -> frozenset[str]:
        cache = self.core.caches.channel_roles
        found = cache.get((channel_id, user_id))
        if found is not None:
            return found
        try:
            roles = frozenset((await self.core.store.channels.get_member(channel_id, user_id)).role_set())
        except NotFound:
            roles = frozenset()
        cache.put((channel_id, user_id), roles)
        return roles

    async def has_channel(
        self, ctx: Ctx, channel_id: str, permission: str, team_id: str | None = None
    ) -> bool:
        """Mattermost's SessionHasPermissionToChannel: channel roles if a member, else the team's
        roles for a team channel, else system roles."""
        if self.has_system(ctx, permission):
            return True
        roles = await self.channel_roles(ctx.user_id, channel_id)
        if roles and P.roles_grant(roles, permission):
            return True
        if team_id is None:
            assert self.core.app is not None
            channel = await self.core.app.channels.get_cached(channel_id)
            if channel is None:
                return False
            team_id = channel.team_id
        if team_id:
            return P.roles_grant(await self.team_roles(ctx.user_id, team_id), permission)
        return False

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


def forbidden(where: str, detail: str = "") -> AppError:
    return permission_denied(where, detail)

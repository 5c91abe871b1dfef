"""What the apps read at start-up beyond the console's counts: GET /users/known and thread mention
counts per channel."""

from __future__ import annotations

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions


class StatsService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms

    async def known_users(self, ctx: Ctx) -> list[str]:
        return await self.core.store.stats.known_user_ids(ctx.user_id)

    async def thread_mention_counts(self, ctx: Ctx, user_id: str, team_id: str) -> dict[str, int]:
        where = "getThreadMentionCountsByChannel"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)
        return await self.core.store.stats.thread_mentions_by_channel(user_id, team_id)

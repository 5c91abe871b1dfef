"""The System Console's channel list (system admins): Mattermost's ``GET /channels`` and
``POST /channels/search`` — public and private channels of every team with their team's names."""

from __future__ import annotations

from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.store.sql.channel_admin_store import ChannelQuery, SqlChannelAdminStore

MAX_PER_PAGE = 200


class ChannelAdminService:
    def __init__(self, perms: PermissionService, store: SqlChannelAdminStore) -> None:
        self.perms = perms
        self.store = store

    async def list(self, ctx: Ctx, where: str, *, term: str = "", include_deleted: bool = False,
                   deleted_only: bool = False, exclude_default: bool = False, team_ids: list[str] | None = None,
                   public: bool = False, private: bool = False, page: int = 0, per_page: int = 60,
                   ) -> tuple[list[dict[str, Any]], int]:
        """A page of channels, each as Mattermost's ChannelWithTeamData, and how many match in all."""
        # Mattermost: the System Console's channel and group pages' read permission
        self.perms.require_any_system(ctx, where, permissions.SYSCONSOLE_READ_CHANNELS,
                                      permissions.SYSCONSOLE_READ_GROUPS, permissions.MANAGE_SYSTEM)
        q = ChannelQuery(term=term, include_deleted=include_deleted, deleted_only=deleted_only,
                         exclude_default=exclude_default, team_ids=team_ids or [], public=public, private=private,
                         page=max(page, 0), per_page=min(max(per_page, 1), MAX_PER_PAGE))
        found = await self.store.list(q)
        out = []
        for item in found.items:
            d = item.channel.to_dict()
            d.update(team_display_name=item.team_display_name, team_name=item.team_name,
                     team_update_at=item.team_update_at)
            out.append(d)
        return out, found.total

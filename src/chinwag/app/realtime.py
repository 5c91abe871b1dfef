"""What WebSocket actions ask of the app: typing, presence from connections and activity."""

from __future__ import annotations

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.app.status import StatusService
from chinwag.model import permissions
from chinwag.model.errors import invalid_param, permission_denied
from chinwag.model.ids import is_valid_id
from chinwag.model.user import STATUS_AWAY, STATUS_OFFLINE, STATUS_ONLINE
from chinwag.platform.batch import GroupCommit
from chinwag.platform.events import Broadcast, Event


class RealtimeService:
    def __init__(self, core: AppCore, perms: PermissionService, status: StatusService) -> None:
        self.core = core
        self.perms = perms
        self.status = status
        self._connects: GroupCommit[str] = GroupCommit(self._connected_batch, max_batch=500)

    async def typing(self, ctx: Ctx, channel_id: str, parent_id: str = "", user_id: str = "") -> None:
        """The ``typing`` event for a channel (the WebSocket action ``user_typing`` and
        ``POST /users/{user_id}/typing``, where a system admin may type for someone else)."""
        where = "publishUserTyping" if user_id else "userTyping"
        user_id = user_id or ctx.user_id
        if user_id != ctx.user_id and not self.perms.has_system(ctx, permissions.MANAGE_SYSTEM):
            raise permission_denied(where, f"userId={ctx.user_id}, permission={permissions.MANAGE_SYSTEM}")
        if not is_valid_id(channel_id):
            raise invalid_param(where, "channel_id")
        if parent_id and not is_valid_id(parent_id):
            raise invalid_param(where, "parent_id")
        if user_id == ctx.user_id:
            await self.perms.require_channel(ctx, channel_id, permissions.CREATE_POST, where)
        elif not await self.perms.user_has_channel(user_id, channel_id, permissions.CREATE_POST):
            raise permission_denied(where, f"userId={user_id}, channelId={channel_id}, permission=create_post")
        self.core.publish(Event("typing", {"parent_id": parent_id, "user_id": user_id},
                                Broadcast(channel_id=channel_id, omit_users={user_id: True})))

    async def connected(self, user_id: str) -> None:
        """A user's first live connection: online, unless they set a status by hand. Users who
        connect together (a reconnect storm after a restart) are read and written in one batch."""
        await self._connects.submit(user_id)

    async def _connected_batch(self, user_ids: list[str]) -> None:
        await self.status.set_online_many(user_ids)

    async def disconnected(self, user_id: str) -> None:
        current = (await self.status.get_many([user_id]))[0]
        if current.manual or current.status == STATUS_OFFLINE:
            return
        await self.status.save(user_id, STATUS_OFFLINE, activity=False)

    async def activity(self, ctx: Ctx, active: bool, manual: bool) -> None:
        current = (await self.status.get_many([ctx.user_id]))[0]
        if current.manual and not manual:
            return
        wanted = STATUS_ONLINE if active else STATUS_AWAY
        if current.status != wanted:
            await self.status.save(ctx.user_id, wanted, manual=manual and not active)

    async def statuses(self, user_ids: list[str] | None) -> dict[str, str]:
        if user_ids is None:
            return {}
        return {s.user_id: s.status for s in await self.status.get_many(user_ids)}

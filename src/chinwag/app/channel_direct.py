"""Direct and group messages: the channel of two (or three to eight) people, found or created."""

from __future__ import annotations

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.permissions import PermissionService
from chinwag.app.preference import hidden_dm_preferences, show_preferences
from chinwag.model import permissions
from chinwag.model.channel import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    GROUP_MAX_USERS,
    GROUP_MIN_USERS,
    Channel,
    direct_channel_name,
    group_channel_name,
    new_member,
)
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.user import SYSTEM_GUEST_ROLE
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import Conflict, NotFound


def _json(obj: object) -> str:
    return msgspec.json.encode(obj).decode()


@service
class DirectChannelService:
    core: AppCore
    perms: PermissionService

    async def create_direct(self, ctx: Ctx, user_ids: list[str]) -> tuple[Channel, bool]:
        where = "CreateDirectChannel"
        if len(user_ids) != 2 or not all(is_valid_id(u) for u in user_ids):
            raise AppError(
                where,
                "api.channel.create_direct_channel.invalid_user.app_error",
                "Invalid user ID for direct channel creation.",
                400,
            )
        if ctx.user_id not in user_ids and not self.perms.has_system(ctx, permissions.MANAGE_SYSTEM):
            raise permission_denied(where)
        self.perms.require_system(ctx, permissions.CREATE_DIRECT_CHANNEL, where)
        await self._require_guest_reach(ctx, user_ids, where)
        users = await self.core.store.users.get_many(user_ids)
        if len({u.id for u in users}) != len(set(user_ids)):
            raise AppError(
                where,
                "api.channel.create_direct_channel.invalid_user.app_error",
                "Invalid user ID for direct channel creation.",
                400,
            )
        a, b = user_ids
        name = direct_channel_name(a, b)
        try:
            return await self.core.store.channels.get_by_name("", name), False
        except NotFound:
            pass
        now = self.core.now()
        ch = Channel(
            id=new_id(),
            create_at=now,
            update_at=now,
            team_id="",
            type=CHANNEL_DIRECT,
            name=name,
            display_name="",
            creator_id=ctx.user_id,
        )
        members = [new_member(ch.id, uid, now) for uid in dict.fromkeys((a, b))]
        other = b if a == ctx.user_id else a
        show = await hidden_dm_preferences(self.core, ch, [a, b])
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.channels.save(ch, members, uow.conn)
                await show_preferences(uow, self.core, show)
                uow.publish(Event("direct_added", {"creator_id": ctx.user_id, "teammate_id": other},
                                  Broadcast(channel_id=ch.id)))
        except Conflict:
            return await self.core.store.channels.get_by_name("", name), False
        return ch, True

    async def _require_guest_reach(self, ctx: Ctx, user_ids: list[str], where: str) -> None:
        """A guest may message only people they share a channel with (Mattermost's view restriction)."""
        if SYSTEM_GUEST_ROLE not in ctx.roles or ctx.local:
            return
        others = [u for u in dict.fromkeys(user_ids) if u != ctx.user_id]
        reachable = await self.core.store.channels.users_sharing_a_channel(ctx.user_id, others)
        if set(others) - reachable:
            raise permission_denied(where, "a guest can only message people in their channels")

    async def create_group(self, ctx: Ctx, user_ids: list[str]) -> tuple[Channel, bool]:
        where = "CreateGroupChannel"
        ids = list(dict.fromkeys(user_ids))
        if ctx.user_id and ctx.user_id not in ids:
            ids.append(ctx.user_id)
        if not all(is_valid_id(u) for u in ids):
            raise invalid_param(where, "user_ids")
        if not GROUP_MIN_USERS <= len(ids) <= GROUP_MAX_USERS:
            raise AppError(
                where,
                "api.channel.create_group.bad_size.app_error",
                "Group message channels must contain at least 3 and no more than 8 users.",
                400,
            )
        self.perms.require_system(ctx, permissions.CREATE_GROUP_CHANNEL, where)
        await self._require_guest_reach(ctx, ids, where)
        users = await self.core.store.users.get_many(ids)
        if len(users) != len(ids):
            raise AppError(
                where,
                "api.channel.create_group.bad_user.app_error",
                "One of the provided users does not exist.",
                400,
            )
        name = group_channel_name(ids)
        try:
            return await self.core.store.channels.get_by_name("", name), False
        except NotFound:
            pass
        now = self.core.now()
        display = ", ".join(sorted(u.username for u in users))[:64]
        ch = Channel(
            id=new_id(),
            create_at=now,
            update_at=now,
            team_id="",
            type=CHANNEL_GROUP,
            name=name,
            display_name=display,
            creator_id=ctx.user_id,
        )
        show = await hidden_dm_preferences(self.core, ch, ids)
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.channels.save(ch, [new_member(ch.id, uid, now) for uid in ids], uow.conn)
                await show_preferences(uow, self.core, show)
                uow.publish(Event("group_added", {"teammate_ids": _json(ids)}, Broadcast(channel_id=ch.id)))
        except Conflict:
            return await self.core.store.channels.get_by_name("", name), False
        return ch, True

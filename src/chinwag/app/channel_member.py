"""Channel membership: joining, adding, removing, roles and notify props; the default channels a
team member joins and leaves with the team."""

from __future__ import annotations

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.outbox import UnitOfWork
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.system_post import SystemPosts
from chinwag.model import permissions
from chinwag.model.channel import (
    CHANNEL_OPEN,
    DEFAULT_CHANNEL,
    OFF_TOPIC_CHANNEL,
    Channel,
    ChannelMember,
    new_member,
)
from chinwag.model.errors import AppError
from chinwag.model.team import SchemeRoles, Team
from chinwag.model.user import User
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound


class _AlreadyMember(Exception):
    """The membership exists already: roll the unit of work back."""


def _json(obj: object) -> str:
    return msgspec.json.encode(obj).decode()


@service
class ChannelMemberService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    system_posts: SystemPosts
    plugin_hooks: PluginHooks

    # members of a channel -------------------------------------------------------------------

    async def get_members(
        self, ctx: Ctx, channel_id: str, page: int, per_page: int, user_ids: list[str] | None = None
    ) -> list[ChannelMember]:
        await self.perms.readable_channel(ctx, channel_id, "GetChannelMembers")
        return await self.core.store.channels.get_members(
            channel_id, page=page, per_page=per_page, user_ids=user_ids
        )

    async def get_member(self, ctx: Ctx, channel_id: str, user_id: str) -> ChannelMember:
        where = "GetChannelMember"
        await self.perms.readable_channel(ctx, channel_id, where)
        try:
            return await self.core.store.channels.get_member(channel_id, user_id)
        except NotFound:
            raise AppError(
                where,
                "app.channel.get_member.missing.app_error",
                "No channel member found for that user ID and channel ID.",
                404,
            ) from None

    async def add_member(
        self, ctx: Ctx, channel_id: str, user_id: str, post_root_id: str = ""
    ) -> ChannelMember:
        where = "AddChannelMember"
        ch = await self.directory.channel(channel_id, where)
        if ch.is_group_or_direct():
            raise AppError(
                where,
                "api.channel.add_user_to_channel.type.app_error",
                "Can not add user to this channel type.",
                400,
            )
        if ch.delete_at:
            raise AppError(
                where,
                "api.channel.add_user.to.channel.failed.deleted.app_error",
                "Failed to add user to channel because channel has been archived.",
                400,
            )
        is_self = ctx.user_id == user_id and not ctx.local
        if ch.type == CHANNEL_OPEN:
            if is_self:
                if not await self.perms.has_channel(ctx, ch.id, permissions.MANAGE_PUBLIC_CHANNEL_MEMBERS, ch.team_id):
                    await self.perms.require_team(ctx, ch.team_id, permissions.JOIN_PUBLIC_CHANNELS, where)
            else:
                await self.perms.require_channel(
                    ctx, ch.id, permissions.MANAGE_PUBLIC_CHANNEL_MEMBERS, where, ch.team_id
                )
        else:
            await self.perms.require_channel(ctx, ch.id, permissions.MANAGE_PRIVATE_CHANNEL_MEMBERS, where, ch.team_id)
        user = await self.directory.user(user_id, where)
        if user.delete_at:
            raise AppError(
                where,
                "api.channel.add_user.to.channel.failed.deleted.app_error",
                "The user is deactivated.",
                400,
            )
        try:
            tm = await self.core.store.teams.get_member(ch.team_id, user_id)
            if tm.delete_at:
                raise NotFound("team_member")
        except NotFound:
            raise AppError(
                where,
                "api.channel.add_members.user_denied",
                "The user is not a member of the channel's team.",
                403,
            ) from None
        store = self.core.store.channels
        try:
            return await store.get_member(ch.id, user_id)
        except NotFound:
            pass
        member = new_member(ch.id, user_id, self.core.now(), guest=user.is_guest())
        sp = self.system_posts
        draft = await (sp.joined(ch, user) if is_self else sp.added(ch, user, ctx.user_id, root_id=post_root_id))
        try:
            # the membership, its system post and their events: one unit of work
            async with self.core.unit_of_work() as uow:
                if not await store.add_member(uow.conn, member):
                    raise _AlreadyMember
                await sp.write(draft, uow)
        except _AlreadyMember:  # added at the same moment by another request
            return await store.get_member(ch.id, user_id)
        self.plugin_hooks.user_joined(ctx, member, "" if is_self else ctx.user_id)
        return await store.get_member(ch.id, user_id)

    async def remove_member(self, ctx: Ctx, channel_id: str, user_id: str) -> None:
        where = "RemoveChannelMember"
        ch = await self.directory.channel(channel_id, where)
        if ch.is_group_or_direct():
            raise AppError(
                where,
                "api.channel.remove_user_from_channel.direct.app_error",
                "Can not remove user from this channel type.",
                400,
            )
        is_self = ctx.user_id == user_id and not ctx.local
        if not is_self:
            perm = (
                permissions.MANAGE_PUBLIC_CHANNEL_MEMBERS
                if ch.type == CHANNEL_OPEN
                else permissions.MANAGE_PRIVATE_CHANNEL_MEMBERS
            )
            await self.perms.require_channel(ctx, ch.id, perm, where, ch.team_id)
        if ch.name == DEFAULT_CHANNEL:
            raise AppError(
                where,
                "api.channel.remove.default.app_error",
                "Unable to remove user from the default channel {Channel}.",
                400,
                params={"Channel": DEFAULT_CHANNEL},
            )
        user = await self.directory.user(user_id, where)
        if not await self.core.store.channels.is_member(ch.id, user_id):
            raise AppError(
                where,
                "app.channel.get_member.missing.app_error",
                "No channel member found for that user ID and channel ID.",
                404,
            )
        sp = self.system_posts
        draft = await (sp.left(ch, user) if is_self else sp.removed(ch, user, ctx.user_id))
        async with self.core.unit_of_work() as uow:
            await sp.write(draft, uow)
            await self.core.store.channels.delete_member(uow.conn, ch.id, user_id)
            self.system_posts.announce_removed(uow, ch.id, user_id, ctx.user_id)
        self.plugin_hooks.user_left(ctx, ChannelMember(channel_id=ch.id, user_id=user_id), "" if is_self else ctx.user_id)

    async def update_member_roles(self, ctx: Ctx, channel_id: str, user_id: str, roles: str) -> None:
        where = "UpdateChannelMemberRoles"
        ch = await self.directory.channel(channel_id, where)
        await self.perms.require_channel(ctx, ch.id, permissions.MANAGE_CHANNEL_ROLES, where, ch.team_id)
        member = await self.get_member(ctx, channel_id, user_id)
        wanted = set(roles.split())
        if not wanted <= {"channel_user", "channel_admin", "channel_guest"}:
            raise AppError(where, "api.channel.update_channel_member_roles.invalid", "Invalid roles.", 400)
        member.scheme_admin = "channel_admin" in wanted
        member.scheme_user = "channel_user" in wanted or member.scheme_admin
        await self._save_member(member)

    async def update_member_scheme_roles(
        self, ctx: Ctx, channel_id: str, user_id: str, roles: SchemeRoles
    ) -> None:
        """PUT /channels/{channel_id}/members/{user_id}/schemeRoles (Mattermost's
        UpdateChannelMemberSchemeRoles)."""
        where = "updateChannelMemberSchemeRoles"
        ch = await self.directory.channel(channel_id, where)
        await self.perms.require_channel(ctx, ch.id, permissions.MANAGE_CHANNEL_ROLES, where, ch.team_id)
        member = await self.get_member(ctx, channel_id, user_id)
        if roles.scheme_user and roles.scheme_guest:
            raise AppError("UpdateChannelMemberSchemeRoles",
                           "api.channel.update_channel_member_roles.guest_and_user.app_error",
                           "A channel member cannot be both a guest and a user.", 400)
        member.scheme_guest, member.scheme_user, member.scheme_admin = (
            roles.scheme_guest, roles.scheme_user, roles.scheme_admin)
        await self._save_member(member)

    async def set_guest_memberships(self, uow: UnitOfWork, user_id: str, guest: bool) -> None:
        """Every channel membership of a user who became a guest (channel_guest) or stopped being one,
        in the unit of work that changes the user."""
        for member in await self.core.store.channels.get_members_for_user(user_id, None):
            member.scheme_guest, member.scheme_user = guest, not guest
            if guest:
                member.scheme_admin = False
            await self._save_member(member, uow)

    async def update_notify_props(
        self, ctx: Ctx, channel_id: str, user_id: str, props: dict[str, str]
    ) -> ChannelMember:
        where = "UpdateChannelMemberNotifyProps"
        self.perms.require_self_or_system(ctx, user_id, permissions.MANAGE_SYSTEM, where)
        member = await self.get_member(ctx, channel_id, user_id)
        allowed = {
            "desktop",
            "email",
            "push",
            "mark_unread",
            "ignore_channel_mentions",
            "channel_auto_follow_threads",
            "desktop_threads",
            "push_threads",
            "email_threads",
            "desktop_sound",
            "desktop_notification_sound",
        }
        for k, v in props.items():
            if k in allowed and isinstance(v, str):
                member.notify_props[k] = v
        return await self._save_member(member)

    async def import_member(self, member: ChannelMember) -> None:
        """An imported membership's settings (notify props, counters); no event (an import's settings)."""
        async with self.core.unit_of_work() as uow:
            await self.core.store.channels.update_member(member, uow.conn)

    async def set_muted(self, user_id: str, channel_ids: list[str], muted: bool,
                        uow: UnitOfWork | None = None) -> None:
        """Mute or unmute channels for a user (``mark_unread`` "mention" or "all"), as muting a sidebar
        category does (Mattermost's setChannelsMuted); channels the user is not in are skipped."""
        for channel_id in dict.fromkeys(channel_ids):
            try:
                member = await self.core.store.channels.get_member(channel_id, user_id)
            except NotFound:
                continue
            value = "mention" if muted else "all"
            if member.notify_props.get("mark_unread") == value:
                continue
            member.notify_props["mark_unread"] = value
            await self._save_member(member, uow)

    async def _save_member(self, member: ChannelMember, uow: UnitOfWork | None = None) -> ChannelMember:
        if uow is None:
            async with self.core.unit_of_work() as own:
                return await self._save_member(member, own)
        member.last_update_at = self.core.now()
        await self.core.store.channels.update_member(member, uow.conn)
        uow.publish(Event("channel_member_updated", {"channelMember": _json(member.to_dict())},
                          Broadcast(user_id=member.user_id)))
        return member

    # with the team -------------------------------------------------------------------------

    async def default_channels(self, team_id: str) -> list[Channel]:
        """The channels a new team member joins: town square, off-topic and the configured extra
        ones, where they are open and not archived."""
        names = [DEFAULT_CHANNEL, OFF_TOPIC_CHANNEL, *self.core.cfg.TeamSettings.ExperimentalDefaultChannels]
        return [c for c in await self.core.store.channels.get_by_names(team_id, list(dict.fromkeys(names)))
                if c.type == CHANNEL_OPEN and not c.delete_at]

    async def join_default_channels(self, team: Team, user: User, actor_id: str = "") -> None:
        if user.is_guest():  # guests see only the channels they are added to
            return
        for ch in await self.default_channels(team.id):
            if await self.core.store.channels.is_member(ch.id, user.id):
                continue
            member = new_member(ch.id, user.id, self.core.now())
            draft = await self.system_posts.joined(ch, user, team=ch.name == DEFAULT_CHANNEL)
            try:
                async with self.core.unit_of_work() as uow:
                    if not await self.core.store.channels.add_member(uow.conn, member):
                        raise _AlreadyMember
                    await self.system_posts.write(draft, uow)
            except _AlreadyMember:
                continue
            self.plugin_hooks.user_joined(Ctx(), member, actor_id if actor_id != user.id else "")

    async def leave_team_channels(self, team: Team, user_id: str, actor_id: str) -> None:
        user = await self.directory.user(user_id)
        town = None
        try:
            town = await self.core.store.channels.get_by_name(team.id, DEFAULT_CHANNEL)
        except NotFound:
            pass
        draft = None
        if town and await self.core.store.channels.is_member(town.id, user_id):
            draft = await self.system_posts.left(town, user, team=True)
        async with self.core.unit_of_work() as uow:
            if draft is not None:
                await self.system_posts.write(draft, uow)
            for cid in await self.core.store.channels.delete_members_of_team(uow.conn, team.id, user_id):
                self.system_posts.announce_removed(uow, cid, user_id, actor_id)

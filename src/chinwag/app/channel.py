"""Channels: public, private, direct and group; membership; read state."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, store_error
from chinwag.app.permissions import PermissionService
from chinwag.app.validate import is_valid_channel_name
from chinwag.model import permissions as P
from chinwag.model import post as PT
from chinwag.model.channel import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    CHANNEL_OPEN,
    CHANNEL_PRIVATE,
    DEFAULT_CHANNEL,
    GROUP_MAX_USERS,
    GROUP_MIN_USERS,
    OFF_TOPIC_CHANNEL,
    Channel,
    ChannelCreate,
    ChannelMember,
    ChannelPatch,
    ChannelUnread,
)
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.team import Team
from chinwag.model.user import SYSTEM_GUEST_ROLE, User
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import Conflict, NotFound, StoreError

if TYPE_CHECKING:
    from chinwag.app.app import App


def direct_channel_name(a: str, b: str) -> str:
    return "__".join(sorted((a, b)))


def group_channel_name(user_ids: list[str]) -> str:
    """Mattermost's GetGroupNameFromUserIds: sha1 of the sorted ids, concatenated."""
    return hashlib.sha1("".join(sorted(user_ids)).encode()).hexdigest()


def _json(obj: object) -> str:
    return msgspec.json.encode(obj).decode()


class ChannelService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms

    @property
    def _app(self) -> App:
        assert self.core.app is not None
        return self.core.app

    # reading -------------------------------------------------------------------------------

    async def get(self, channel_id: str, where: str = "GetChannel") -> Channel:
        try:
            return await self.core.store.channels.get(channel_id)
        except StoreError as e:
            raise store_error(where, e, "channel") from None

    async def get_cached(self, channel_id: str) -> Channel | None:
        """The channel's stable facts (type, team, name, deletion) from the cache; counters may be stale."""
        cache = self.core.caches.channels
        found = cache.get(channel_id)
        if found is None:
            try:
                found = await self.core.store.channels.get(channel_id)
            except NotFound:
                return None
            cache.put(channel_id, found)
        return found

    async def can_read(self, ctx: Ctx, channel: Channel) -> bool:
        if await self.perms.has_channel(ctx, channel.id, P.READ_CHANNEL, channel.team_id):
            return True
        if channel.type == CHANNEL_OPEN:
            return await self.perms.has_team(ctx, channel.team_id, P.READ_PUBLIC_CHANNEL)
        return False

    async def get_readable(self, ctx: Ctx, channel_id: str, where: str = "GetChannel") -> Channel:
        channel = await self.get(channel_id, where)
        if not await self.can_read(ctx, channel):
            raise permission_denied(where, f"channelId={channel_id}")
        return channel

    async def get_by_name(self, ctx: Ctx, team_id: str, name: str, include_deleted: bool = False) -> Channel:
        where = "GetChannelByName"
        try:
            channel = await self.core.store.channels.get_by_name(team_id, name, include_deleted)
        except NotFound:
            raise AppError(
                where, "app.channel.get_by_name.missing.app_error", "Channel does not exist.", 404
            ) from None
        if not await self.can_read(ctx, channel):
            raise AppError(where, "app.channel.get_by_name.missing.app_error", "Channel does not exist.", 404)
        return channel

    async def get_by_team_name(self, ctx: Ctx, team_name: str, name: str, include_deleted: bool) -> Channel:
        try:
            team = await self.core.store.teams.get_by_name(team_name)
        except NotFound:
            raise AppError(
                "GetChannelByNameForTeamName",
                "app.team.get_by_name.missing.app_error",
                "Team does not exist.",
                404,
            ) from None
        return await self.get_by_name(ctx, team.id, name, include_deleted)

    async def for_user(
        self,
        ctx: Ctx,
        user_id: str,
        team_id: str | None,
        include_deleted: bool = False,
        last_delete_at: int = 0,
    ) -> list[Channel]:
        where = "GetChannelsForTeamForUser"
        self.perms.require_self_or_system(ctx, user_id, P.MANAGE_SYSTEM, where)
        if team_id:
            await self.perms.require_team(ctx, team_id, P.VIEW_TEAM, where)
        return await self.core.store.channels.list_for_user(user_id, team_id, include_deleted, last_delete_at)

    async def members_for_user(self, ctx: Ctx, user_id: str, team_id: str | None) -> list[ChannelMember]:
        where = "GetChannelMembersForUser"
        self.perms.require_self_or_system(ctx, user_id, P.MANAGE_SYSTEM, where)
        if team_id:
            await self.perms.require_team(ctx, team_id, P.VIEW_TEAM, where)
        return await self.core.store.channels.get_members_for_user(user_id, team_id)

    async def list_public(
        self,
        ctx: Ctx,
        team_id: str,
        page: int,
        per_page: int,
        deleted: bool = False,
        not_member: bool = False,
        ids: list[str] | None = None,
    ) -> list[Channel]:
        where = "GetPublicChannelsForTeam"
        await self.perms.require_team(ctx, team_id, P.LIST_TEAM_CHANNELS, where)
        if deleted and not self.core.cfg.TeamSettings.ExperimentalViewArchivedChannels:
            raise AppError(
                where,
                "api.user.view_archived_channels.get_channels_for_team_for_user.app_error",
                "Viewing archived channels is disabled.",
                401,
            )
        types = [CHANNEL_OPEN]
        if deleted:
            types.append(CHANNEL_PRIVATE)
        channels = await self.core.store.channels.list_team_channels(
            team_id,
            types=types,
            page=page,
            per_page=per_page,
            deleted=deleted,
            exclude_user=ctx.user_id if not_member else "",
            ids=ids,
        )
        if deleted:
            readable = []
            for ch in channels:
                if ch.type == CHANNEL_OPEN or await self.can_read(ctx, ch):
                    readable.append(ch)
            channels = readable
        return channels

    async def list_private(self, ctx: Ctx, team_id: str, page: int, per_page: int) -> list[Channel]:
        self.perms.require_system(ctx, P.MANAGE_SYSTEM, "GetPrivateChannelsForTeam")
        return await self.core.store.channels.list_team_channels(
            team_id, types=[CHANNEL_PRIVATE], page=page, per_page=per_page
        )

    # creating ------------------------------------------------------------------------------

    def _validate(self, ch: Channel, where: str) -> None:
        if ch.type in (CHANNEL_OPEN, CHANNEL_PRIVATE) and not is_valid_channel_name(ch.name):
            raise AppError(
                where,
                "model.channel.is_valid.2_or_more.app_error",
                "Channel name must be 1–64 lowercase letters, numbers, dashes or underscores, "
                "starting and ending with a letter or number.",
                400,
            )
        if ch.type in (CHANNEL_OPEN, CHANNEL_PRIVATE) and (
            not ch.display_name.strip() or len(ch.display_name) > 64
        ):
            raise AppError(
                where, "model.channel.is_valid.display_name.app_error", "Invalid display name.", 400
            )
        if len(ch.header) > 1024:
            raise AppError(where, "model.channel.is_valid.header.app_error", "Invalid header.", 400)
        if len(ch.purpose) > 250:
            raise AppError(where, "model.channel.is_valid.purpose.app_error", "Invalid purpose.", 400)
        if ch.type not in (CHANNEL_OPEN, CHANNEL_PRIVATE, CHANNEL_DIRECT, CHANNEL_GROUP):
            raise AppError(where, "model.channel.is_valid.type.app_error", "Invalid type.", 400)

    def _new_member(
        self, channel_id: str, user_id: str, admin: bool = False, guest: bool = False
    ) -> ChannelMember:
        now = self.core.now()
        return ChannelMember(
            channel_id=channel_id,
            user_id=user_id,
            scheme_user=not guest,
            scheme_admin=admin and not guest,
            scheme_guest=guest,
            last_viewed_at=0,
            last_update_at=now,
        )

    async def create(self, ctx: Ctx, data: ChannelCreate) -> Channel:
        where = "CreateChannel"
        if not is_valid_id(data.team_id):
            raise invalid_param(where, "team_id")
        if data.type not in (CHANNEL_OPEN, CHANNEL_PRIVATE):
            raise AppError(where, "model.channel.is_valid.type.app_error", "Invalid type.", 400)
        perm = P.CREATE_PUBLIC_CHANNEL if data.type == CHANNEL_OPEN else P.CREATE_PRIVATE_CHANNEL
        await self.perms.require_team(ctx, data.team_id, perm, where)
        team = await self._app.teams.get(data.team_id, where)
        if team.delete_at:
            raise AppError(where, "api.channel.create_channel.archived_team", "The team is archived.", 400)
        return await self._create(team, data, ctx.user_id, where)

    async def _create(
        self, team: Team, data: ChannelCreate, creator_id: str, where: str, add_creator: bool = True
    ) -> Channel:
        now = self.core.now()
        ch = Channel(
            id=new_id(),
            create_at=now,
            update_at=now,
            team_id=team.id,
            type=data.type,
            name=data.name.strip().lower(),
            display_name=data.display_name.strip(),
            header=data.header,
            purpose=data.purpose,
            creator_id=creator_id,
        )
        self._validate(ch, where)
        members = [self._new_member(ch.id, creator_id, admin=True)] if (creator_id and add_creator) else []
        try:
            await self.core.store.channels.save(ch, members)
        except Conflict:
            raise AppError(
                where,
                "store.sql_channel.save_channel.exists.app_error",
                "A channel with that name already exists on the same team.",
                400,
            ) from None
        if members:
            self.core.publish(
                Event(
                    "channel_created",
                    {"channel_id": ch.id, "team_id": team.id},
                    Broadcast(user_id=creator_id),
                )
            )
        return ch

    async def create_default_channels(self, team: Team, creator_id: str) -> None:
        for name, display in ((DEFAULT_CHANNEL, "Town Square"), (OFF_TOPIC_CHANNEL, "Off-Topic")):
            await self._create(
                team,
                ChannelCreate(team_id=team.id, name=name, display_name=display, type=CHANNEL_OPEN),
                creator_id,
                "CreateDefaultChannels",
                add_creator=False,
            )

    async def join_default_channels(self, team: Team, user: User, actor_id: str = "") -> None:
        if user.is_guest():  # guests see only the channels they are added to
            return
        names = [DEFAULT_CHANNEL, OFF_TOPIC_CHANNEL, *self.core.cfg.TeamSettings.ExperimentalDefaultChannels]
        for ch in await self.core.store.channels.get_by_names(team.id, list(dict.fromkeys(names))):
            if ch.delete_at or ch.type != CHANNEL_OPEN:
                continue
            if await self.core.store.channels.is_member(ch.id, user.id):
                continue
            await self.core.store.channels.save_member(self._new_member(ch.id, user.id))
            if ch.name == DEFAULT_CHANNEL:
                await self._app.posts.system_post(
                    ch,
                    user.id,
                    PT.POST_TYPE_JOIN_TEAM,
                    f"@{user.username} joined the team.",
                    {"username": user.username},
                )
            else:
                await self._app.posts.system_post(
                    ch,
                    user.id,
                    PT.POST_TYPE_JOIN_CHANNEL,
                    f"@{user.username} joined the channel.",
                    {"username": user.username},
                )
            self.core.publish(
                Event("user_added", {"user_id": user.id, "team_id": team.id}, Broadcast(channel_id=ch.id))
            )

    async def leave_team_channels(self, team: Team, user_id: str, actor_id: str) -> None:
        user = await self._app.users.get(user_id)
        town = None
        try:
            town = await self.core.store.channels.get_by_name(team.id, DEFAULT_CHANNEL)
        except NotFound:
            pass
        if town and await self.core.store.channels.is_member(town.id, user_id):
            await self._app.posts.system_post(
                town,
                user_id,
                PT.POST_TYPE_LEAVE_TEAM,
                f"@{user.username} left the team.",
                {"username": user.username},
            )
        for cid in await self.core.store.channels.remove_members_of_team(team.id, user_id):
            self.core.publish(
                Event("user_removed", {"user_id": user_id, "remover_id": actor_id}, Broadcast(channel_id=cid))
            )
            self.core.publish(
                Event("user_removed", {"channel_id": cid, "remover_id": actor_id}, Broadcast(user_id=user_id))
            )

    async def create_direct(self, ctx: Ctx, user_ids: list[str]) -> tuple[Channel, bool]:
        where = "CreateDirectChannel"
        if len(user_ids) != 2 or not all(is_valid_id(u) for u in user_ids):
            raise AppError(
                where,
                "api.channel.create_direct_channel.invalid_user.app_error",
                "Invalid user ID for direct channel creation.",
                400,
            )
        if ctx.user_id not in user_ids and not self.perms.has_system(ctx, P.MANAGE_SYSTEM):
            raise permission_denied(where)
        self.perms.require_system(ctx, P.CREATE_DIRECT_CHANNEL, where)
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
        members = [self._new_member(ch.id, uid) for uid in dict.fromkeys((a, b))]
        try:
            await self.core.store.channels.save(ch, members)
        except Conflict:
            return await self.core.store.channels.get_by_name("", name), False
        other = b if a == ctx.user_id else a
        self.core.publish(
            Event(
                "direct_added", {"creator_id": ctx.user_id, "teammate_id": other}, Broadcast(channel_id=ch.id)
            )
        )
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
        self.perms.require_system(ctx, P.CREATE_GROUP_CHANNEL, where)
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
        try:
            await self.core.store.channels.save(ch, [self._new_member(ch.id, uid) for uid in ids])
        except Conflict:
            return await self.core.store.channels.get_by_name("", name), False
        self.core.publish(Event("group_added", {"teammate_ids": _json(ids)}, Broadcast(channel_id=ch.id)))
        return ch, True

    # updating ------------------------------------------------------------------------------

    async def _require_manage(self, ctx: Ctx, ch: Channel, where: str) -> None:
        if ch.type == CHANNEL_OPEN:
            await self.perms.require_channel(
                ctx, ch.id, P.MANAGE_PUBLIC_CHANNEL_PROPERTIES, where, ch.team_id
            )
        elif ch.type == CHANNEL_PRIVATE:
            await self.perms.require_channel(
                ctx, ch.id, P.MANAGE_PRIVATE_CHANNEL_PROPERTIES, where, ch.team_id
            )
        else:
            await self.perms.require_channel(ctx, ch.id, P.CREATE_POST, where, ch.team_id)

    async def patch(self, ctx: Ctx, channel_id: str, patch: ChannelPatch) -> Channel:
        where = "PatchChannel"
        old = await self.get(channel_id, where)
        await self._require_manage(ctx, old, where)
        if old.delete_at:
            raise AppError(
                where,
                "api.channel.patch_update_channel.forbidden.app_error",
                "Failed to patch an archived channel.",
                400,
            )
        ch = msgspec.structs.replace(old)
        if old.is_group_or_direct() and (
            patch.name is not msgspec.UNSET or patch.display_name is not msgspec.UNSET
        ):
            raise AppError(
                where,
                "api.channel.update_channel.tried.app_error",
                "Tried to perform an invalid update of the direct or group channel.",
                400,
            )
        for name in ("name", "display_name", "header", "purpose", "group_constrained"):
            value = getattr(patch, name)
            if value is not msgspec.UNSET:
                setattr(ch, name, value.strip().lower() if name == "name" else value)
        if ch.name != old.name and old.name == DEFAULT_CHANNEL:
            raise AppError(
                where,
                "api.channel.update_channel.default_channel_name",
                "The default channel cannot be renamed.",
                400,
            )
        ch.update_at = self.core.now()
        self._validate(ch, where)
        try:
            ch = await self.core.store.channels.update(ch)
        except Conflict:
            raise AppError(
                where,
                "store.sql_channel.update.exists.app_error",
                "A channel with that name already exists on the same team.",
                400,
            ) from None
        await self._announce_changes(ctx, old, ch)
        self.core.publish(
            Event("channel_updated", {"channel": _json(ch.to_dict())}, Broadcast(channel_id=ch.id))
        )
        return ch

    async def _announce_changes(self, ctx: Ctx, old: Channel, new: Channel) -> None:
        if not ctx.user_id:
            return
        user = await self._app.users.get(ctx.user_id)
        posts = self._app.posts
        for field, post_type in (("header", PT.POST_TYPE_HEADER_CHANGE), ("purpose", PT.POST_TYPE_PURPOSE_CHANGE)):
            before, after = getattr(old, field), getattr(new, field)
            if before == after:
                continue
            if not after:
                msg = f"@{user.username} removed the channel {field} (was: {before})"
            elif before:
                msg = f"@{user.username} updated the channel {field} from: {before} to: {after}"
            else:
                msg = f"@{user.username} updated the channel {field} to: {after}"
            await posts.system_post(new, user.id, post_type, msg,
                                    {"username": user.username, f"old_{field}": before, f"new_{field}": after})
        if old.display_name != new.display_name and not new.is_group_or_direct():
            await posts.system_post(
                new,
                user.id,
                PT.POST_TYPE_DISPLAYNAME_CHANGE,
                f"@{user.username} updated the channel display name from: "
                f"{old.display_name} to: {new.display_name}",
                {
                    "username": user.username,
                    "old_displayname": old.display_name,
                    "new_displayname": new.display_name,
                },
            )

    async def update(self, ctx: Ctx, channel_id: str, data: Channel) -> Channel:
        return await self.patch(
            ctx,
            channel_id,
            ChannelPatch(
                name=data.name, display_name=data.display_name, header=data.header, purpose=data.purpose
            ),
        )

    async def archive(self, ctx: Ctx, channel_id: str) -> None:
        where = "DeleteChannel"
        ch = await self.get(channel_id, where)
        if ch.is_group_or_direct():
            raise AppError(
                where,
                "api.channel.delete_channel.type.invalid",
                "Direct and group message channels cannot be archived.",
                400,
            )
        perm = P.DELETE_PUBLIC_CHANNEL if ch.type == CHANNEL_OPEN else P.DELETE_PRIVATE_CHANNEL
        await self.perms.require_channel(ctx, ch.id, perm, where, ch.team_id)
        if ch.name == DEFAULT_CHANNEL:
            raise AppError(
                where,
                "api.channel.delete_channel.cannot.app_error",
                f"Unable to delete the default channel {DEFAULT_CHANNEL}.",
                400,
            )
        if ch.delete_at:
            raise AppError(
                where,
                "api.channel.delete_channel.deleted.app_error",
                "The channel has been archived or deleted.",
                400,
            )
        if ctx.user_id:
            user = await self._app.users.get(ctx.user_id)
            await self._app.posts.system_post(
                ch,
                user.id,
                PT.POST_TYPE_CHANNEL_DELETED,
                f"@{user.username} archived the channel",
                {"username": user.username},
            )
        now = self.core.now()
        await self.core.store.channels.set_deleted(ch.id, now, now)
        self.core.publish(
            Event(
                "channel_deleted",
                {"channel_id": ch.id, "delete_at": now},
                Broadcast(channel_id=ch.id, team_id=""),
            )
        )

    async def restore(self, ctx: Ctx, channel_id: str) -> Channel:
        where = "RestoreChannel"
        ch = await self.get(channel_id, where)
        perm = (
            P.MANAGE_PUBLIC_CHANNEL_PROPERTIES
            if ch.type == CHANNEL_OPEN
            else P.MANAGE_PRIVATE_CHANNEL_PROPERTIES
        )
        if not await self.perms.has_channel(ctx, ch.id, perm, ch.team_id):
            await self.perms.require_team(ctx, ch.team_id, P.MANAGE_TEAM, where)
        if not ch.delete_at:
            raise AppError(
                where,
                "api.channel.restore_channel.restored.app_error",
                "Unable to unarchive channel. The channel is not archived.",
                400,
            )
        now = self.core.now()
        await self.core.store.channels.set_deleted(ch.id, 0, now)
        ch = await self.get(channel_id, where)
        if ctx.user_id:
            user = await self._app.users.get(ctx.user_id)
            await self._app.posts.system_post(
                ch,
                user.id,
                PT.POST_TYPE_CHANNEL_RESTORED,
                f"@{user.username} unarchived the channel",
                {"username": user.username},
            )
        self.core.publish(Event("channel_restored", {"channel_id": ch.id}, Broadcast(channel_id=ch.id)))
        return ch

    async def convert_privacy(self, ctx: Ctx, channel_id: str, privacy: str) -> Channel:
        where = "UpdateChannelPrivacy"
        ch = await self.get(channel_id, where)
        if privacy not in (CHANNEL_OPEN, CHANNEL_PRIVATE) or ch.is_group_or_direct():
            raise invalid_param(where, "privacy")
        perm = (
            P.CONVERT_PUBLIC_CHANNEL_TO_PRIVATE
            if privacy == CHANNEL_PRIVATE
            else P.CONVERT_PRIVATE_CHANNEL_TO_PUBLIC
        )
        await self.perms.require_channel(ctx, ch.id, perm, where, ch.team_id)
        if ch.name == DEFAULT_CHANNEL and privacy == CHANNEL_PRIVATE:
            raise AppError(
                where,
                "api.channel.convert_channel_to_private.default_channel_error",
                "This default channel cannot be converted into a private channel.",
                400,
            )
        ch.type = privacy
        ch.update_at = self.core.now()
        ch = await self.core.store.channels.update(ch)
        self.core.publish(Event("channel_converted", {"channel_id": ch.id}, Broadcast(team_id=ch.team_id)))
        self.core.publish(
            Event("channel_updated", {"channel": _json(ch.to_dict())}, Broadcast(channel_id=ch.id))
        )
        return ch

    # members -------------------------------------------------------------------------------

    async def get_members(
        self, ctx: Ctx, channel_id: str, page: int, per_page: int, user_ids: list[str] | None = None
    ) -> list[ChannelMember]:
        await self.get_readable(ctx, channel_id, "GetChannelMembers")
        return await self.core.store.channels.get_members(
            channel_id, page=page, per_page=per_page, user_ids=user_ids
        )

    async def get_member(self, ctx: Ctx, channel_id: str, user_id: str) -> ChannelMember:
        where = "GetChannelMember"
        await self.get_readable(ctx, channel_id, where)
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
        ch = await self.get(channel_id, where)
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
                if not await self.perms.has_channel(ctx, ch.id, P.MANAGE_PUBLIC_CHANNEL_MEMBERS, ch.team_id):
                    await self.perms.require_team(ctx, ch.team_id, P.JOIN_PUBLIC_CHANNELS, where)
            else:
                await self.perms.require_channel(
                    ctx, ch.id, P.MANAGE_PUBLIC_CHANNEL_MEMBERS, where, ch.team_id
                )
        else:
            await self.perms.require_channel(ctx, ch.id, P.MANAGE_PRIVATE_CHANNEL_MEMBERS, where, ch.team_id)
        user = await self._app.users.get(user_id, where)
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
        try:
            return await self.core.store.channels.get_member(ch.id, user_id)
        except NotFound:
            pass
        member = await self.core.store.channels.save_member(
            self._new_member(ch.id, user_id, guest=user.is_guest())
        )
        if is_self:
            await self._app.posts.system_post(
                ch,
                user.id,
                PT.POST_TYPE_JOIN_CHANNEL,
                f"@{user.username} joined the channel.",
                {"username": user.username},
            )
        else:
            actor = await self._app.users.get(ctx.user_id) if ctx.user_id else None
            by = f" by @{actor.username}" if actor else ""
            await self._app.posts.system_post(
                ch,
                ctx.user_id or user.id,
                PT.POST_TYPE_ADD_TO_CHANNEL,
                f"@{user.username} added to the channel{by}.",
                {
                    "userId": ctx.user_id,
                    "username": actor.username if actor else "",
                    "addedUserId": user.id,
                    "addedUsername": user.username,
                },
                root_id=post_root_id,
            )
        self.core.publish(
            Event("user_added", {"user_id": user_id, "team_id": ch.team_id}, Broadcast(channel_id=ch.id))
        )
        return member

    async def remove_member(self, ctx: Ctx, channel_id: str, user_id: str) -> None:
        where = "RemoveChannelMember"
        ch = await self.get(channel_id, where)
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
                P.MANAGE_PUBLIC_CHANNEL_MEMBERS
                if ch.type == CHANNEL_OPEN
                else P.MANAGE_PRIVATE_CHANNEL_MEMBERS
            )
            await self.perms.require_channel(ctx, ch.id, perm, where, ch.team_id)
        if ch.name == DEFAULT_CHANNEL:
            raise AppError(
                where,
                "api.channel.remove.default.app_error",
                f"Unable to remove user from the default channel {DEFAULT_CHANNEL}.",
                400,
            )
        user = await self._app.users.get(user_id, where)
        if not await self.core.store.channels.is_member(ch.id, user_id):
            raise AppError(
                where,
                "app.channel.get_member.missing.app_error",
                "No channel member found for that user ID and channel ID.",
                404,
            )
        if is_self:
            await self._app.posts.system_post(
                ch,
                user.id,
                PT.POST_TYPE_LEAVE_CHANNEL,
                f"@{user.username} left the channel.",
                {"username": user.username},
            )
        else:
            actor = await self._app.users.get(ctx.user_id) if ctx.user_id else None
            await self._app.posts.system_post(
                ch,
                ctx.user_id or user.id,
                PT.POST_TYPE_REMOVE_FROM_CHANNEL,
                f"@{user.username} was removed from the channel.",
                {
                    "removedUserId": user.id,
                    "removedUsername": user.username,
                    "username": actor.username if actor else "",
                },
            )
        await self.core.store.channels.remove_member(ch.id, user_id)
        self.core.publish(
            Event(
                "user_removed", {"user_id": user_id, "remover_id": ctx.user_id}, Broadcast(channel_id=ch.id)
            )
        )
        self.core.publish(
            Event(
                "user_removed", {"channel_id": ch.id, "remover_id": ctx.user_id}, Broadcast(user_id=user_id)
            )
        )

    async def update_member_roles(self, ctx: Ctx, channel_id: str, user_id: str, roles: str) -> None:
        where = "UpdateChannelMemberRoles"
        ch = await self.get(channel_id, where)
        await self.perms.require_channel(ctx, ch.id, P.MANAGE_CHANNEL_ROLES, where, ch.team_id)
        member = await self.get_member(ctx, channel_id, user_id)
        wanted = set(roles.split())
        if not wanted <= {"channel_user", "channel_admin", "channel_guest"}:
            raise AppError(where, "api.channel.update_channel_member_roles.invalid", "Invalid roles.", 400)
        member.scheme_admin = "channel_admin" in wanted
        member.scheme_user = "channel_user" in wanted or member.scheme_admin
        await self._save_member(member)

    async def set_guest_memberships(self, user_id: str, guest: bool) -> None:
        """Every channel membership of a user who became a guest (channel_guest) or stopped being one."""
        for member in await self.core.store.channels.get_members_for_user(user_id, None):
            member.scheme_guest, member.scheme_user = guest, not guest
            if guest:
                member.scheme_admin = False
            await self._save_member(member)

    async def update_notify_props(
        self, ctx: Ctx, channel_id: str, user_id: str, props: dict[str, str]
    ) -> ChannelMember:
        where = "UpdateChannelMemberNotifyProps"
        self.perms.require_self_or_system(ctx, user_id, P.MANAGE_SYSTEM, where)
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

    async def _save_member(self, member: ChannelMember) -> ChannelMember:
        member.last_update_at = self.core.now()
        await self.core.store.channels.update_member(member)
        self.core.publish(
            Event(
                "channel_member_updated",
                {"channelMember": _json(member.to_dict())},
                Broadcast(user_id=member.user_id),
            )
        )
        return member

    # read state ----------------------------------------------------------------------------

    async def view(
        self, ctx: Ctx, user_id: str, channel_id: str, prev_channel_id: str = ""
    ) -> dict[str, int]:
        where = "ViewChannel"
        self.perms.require_self_or_system(ctx, user_id, P.EDIT_OTHER_USERS, where)
        ids = [c for c in (channel_id, prev_channel_id) if c]
        for cid in ids:
            if not is_valid_id(cid):
                raise invalid_param(where, "channel_id")
        times = await self.core.store.channels.view(user_id, ids, self.core.now())
        if times:
            self.core.publish(
                Event("multiple_channels_viewed", {"channel_times": times}, Broadcast(user_id=user_id))
            )
            self._app.notifications.channels_viewed(user_id, sorted(times))
            self._app.receipts.viewed(user_id, times)
        return times

    async def unread(self, ctx: Ctx, user_id: str, channel_id: str) -> ChannelUnread:
        where = "GetChannelUnread"
        self.perms.require_self_or_system(ctx, user_id, P.EDIT_OTHER_USERS, where)
        ch = await self.get(channel_id, where)
        try:
            m = await self.core.store.channels.get_member(channel_id, user_id)
        except NotFound:
            raise AppError(
                where,
                "app.channel.get_member.missing.app_error",
                "No channel member found for that user ID and channel ID.",
                404,
            ) from None
        return ChannelUnread(
            team_id=ch.team_id,
            channel_id=ch.id,
            msg_count=max(0, ch.total_msg_count - m.msg_count),
            mention_count=m.mention_count,
            mention_count_root=m.mention_count_root,
            urgent_mention_count=m.urgent_mention_count,
            msg_count_root=max(0, ch.total_msg_count_root - m.msg_count_root),
            notify_props=m.notify_props,
        )

    async def stats(self, ctx: Ctx, channel_id: str) -> dict[str, object]:
        await self.get_readable(ctx, channel_id, "GetChannelStats")
        return {
            "channel_id": channel_id,
            "member_count": await self.core.store.channels.count_members(channel_id),
            "guest_count": 0,
            "pinnedpost_count": len(await self.core.store.posts.pinned(channel_id)),
            "files_count": 0,
        }

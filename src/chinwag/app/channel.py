"""Channels: reading, creating, changing, archiving; read state. Membership is in
``channel_member``, direct and group messages in ``channel_direct``, the system posts in
``system_post``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.imports import HistoryWriter
from chinwag.app.notification import NotificationService
from chinwag.app.outbox import UnitOfWork
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.read_receipt import ReadReceiptService
from chinwag.app.system_post import SystemPosts
from chinwag.app.validate import is_valid_channel_name
from chinwag.model import permissions
from chinwag.model.channel import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    CHANNEL_OPEN,
    CHANNEL_PRIVATE,
    DEFAULT_CHANNEL,
    OFF_TOPIC_CHANNEL,
    Channel,
    ChannelCreate,
    ChannelMember,
    ChannelPatch,
    ChannelUnread,
    new_member,
)
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.post import Post
from chinwag.model.team import Team
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import Conflict, NotFound
from chinwag.store.sql.import_store import ImportWriter


def _json(obj: object) -> str:
    return msgspec.json.encode(obj).decode()


@dataclass
class ImportedConversation:
    created: bool
    added: list[str]
    channel: Channel | None
    archived: bool


@service
class ChannelService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    system_posts: SystemPosts
    notifications: NotificationService
    receipts: ReadReceiptService
    plugin_hooks: PluginHooks

    # bulk (importers) -----------------------------------------------------------------------

    async def import_conversation(
        self, source: str, source_id: str, channel: Channel, members: list[str],
        history: Callable[[HistoryWriter], Awaitable[None]], *, archive: bool = False,
    ) -> ImportedConversation:
        """An imported conversation in one unit of work: the channel (created unless it exists), its
        members, its mapping from ``source_id``, its history (``history`` writes the importer's
        translated posts through the fast import writer: COPY on PostgreSQL, derived ids), its
        counters and read positions, and (``archive``) its archiving — with the events creating,
        joining and archiving through the app publish."""
        now = self.core.now()
        async with self.core.unit_of_work() as uow:
            w = ImportWriter(uow.conn, source, now)
            new = not await self.core.store.channels.exists(uow.conn, channel.id)
            if new:
                await w.insert_channel(channel)
            added = await w.add_members(channel.id, [ChannelMember(channel_id=channel.id, user_id=u,
                                                                   last_update_at=now) for u in members])
            await w.map("channel", {source_id: channel.id})
            await history(w)
            final = await w.finish_channel(channel.id, channel.team_id)
            self._announce_imported(uow, channel, new, members, added, final)
            archived = archive and channel.type in (CHANNEL_OPEN, CHANNEL_PRIVATE) and final is not None \
                and not final.delete_at
            if archived and final is not None:
                stamp = self.core.now()
                await self.core.store.channels.archive(uow.conn, channel.id, stamp)
                final.delete_at = final.update_at = stamp
                uow.publish(Event("channel_deleted", {"channel_id": channel.id, "delete_at": stamp},
                                  Broadcast(channel_id=channel.id, team_id="")))
        return ImportedConversation(new, added, final, archived)

    async def import_channel(self, source: str, channel: Channel, *, create: bool, archived_at: int = 0) -> None:
        """An imported team channel: created (``create``) and/or archived at ``archived_at``, with the
        ``channel_deleted`` event archiving through the app publishes."""
        async with self.core.unit_of_work() as uow:
            w = ImportWriter(uow.conn, source, self.core.now())
            if create:
                await w.insert_channel(channel)
            if archived_at and not channel.delete_at:
                await self.core.store.channels.archive(uow.conn, channel.id, archived_at)
                channel.delete_at = channel.update_at = archived_at
                uow.publish(Event("channel_deleted", {"channel_id": channel.id, "delete_at": archived_at},
                                  Broadcast(channel_id=channel.id, team_id="")))

    async def import_members(self, source: str, channel: Channel, user_ids: list[str], admin: bool = False) -> list[str]:
        """Imported members of a channel (those not in it yet), with ``user_added``; the users added."""
        now = self.core.now()
        async with self.core.unit_of_work() as uow:
            w = ImportWriter(uow.conn, source, now)
            added = await w.add_members(channel.id, [ChannelMember(channel_id=channel.id, user_id=u, scheme_admin=admin,
                                                                   last_update_at=now) for u in user_ids])
            for u in added:
                uow.publish(Event("user_added", {"user_id": u, "team_id": channel.team_id},
                                  Broadcast(channel_id=channel.id)))
        return added

    async def import_direct(self, source: str, channel: Channel, user_ids: list[str]) -> None:
        """A new imported direct or group channel with its members, and ``direct_added``/``group_added``."""
        now = self.core.now()
        async with self.core.unit_of_work() as uow:
            w = ImportWriter(uow.conn, source, now)
            await w.insert_channel(channel)
            await w.add_members(channel.id, [ChannelMember(channel_id=channel.id, user_id=u, last_update_at=now)
                                             for u in user_ids])
            self._announce_imported(uow, channel, True, user_ids, [], None)

    async def finish_imported(self, source: str, channel: Channel) -> Channel | None:
        """After importing posts into a channel: its threads, counters and read positions recomputed,
        and ``channel_updated``."""
        async with self.core.unit_of_work() as uow:
            final = await ImportWriter(uow.conn, source, self.core.now()).finish_channel(channel.id, channel.team_id)
            if final is not None:
                uow.publish(Event("channel_updated", {"channel": _json(final.to_dict())},
                                  Broadcast(channel_id=channel.id)))
        return final

    async def import_update(self, channel: Channel) -> Channel:
        """An imported channel's changed properties (a header), with ``channel_updated``."""
        async with self.core.unit_of_work() as uow:
            channel = await self.core.store.channels.update(channel, uow.conn)
            uow.publish(Event("channel_updated", {"channel": _json(channel.to_dict())}, Broadcast(channel_id=channel.id)))
        return channel

    async def import_posts(self, source: str, now: int, posts: list[Post], files: list[tuple[str, str]],
                           reactions: list[dict[str, Any]], mapping: dict[str, str]) -> None:
        """Imported posts with their files, reactions and mapping from the source's keys, through the fast
        import writer in one unit of work (the channels are finished by ``finish_imported``)."""
        async with self.core.unit_of_work() as uow:
            w = ImportWriter(uow.conn, source, now)
            await w.insert_posts(posts)
            await w.attach_files(files)
            await w.insert_reactions(reactions)
            await w.map("post", mapping)

    @staticmethod
    def _announce_imported(uow: UnitOfWork, ch: Channel, new: bool, members: list[str], added: list[str],
                           final: Channel | None) -> None:
        """What creating the channel and adding its members through the app would have published."""
        if ch.type == CHANNEL_DIRECT and new:
            a, b = (members + members)[:2]
            uow.publish(Event("direct_added", {"creator_id": a, "teammate_id": b}, Broadcast(channel_id=ch.id)))
        elif ch.type == CHANNEL_GROUP and new:
            uow.publish(Event("group_added", {"teammate_ids": _json(members)}, Broadcast(channel_id=ch.id)))
        else:
            for uid in added:
                if new:
                    uow.publish(Event("channel_created", {"channel_id": ch.id, "team_id": ch.team_id},
                                      Broadcast(user_id=uid)))
                else:
                    uow.publish(Event("user_added", {"user_id": uid, "team_id": ch.team_id},
                                      Broadcast(channel_id=ch.id)))
        if final is not None:
            uow.publish(Event("channel_updated", {"channel": _json(final.to_dict())}, Broadcast(channel_id=ch.id)))

    # reading -------------------------------------------------------------------------------

    async def get(self, channel_id: str, where: str = "GetChannel") -> Channel:
        return await self.directory.channel(channel_id, where)

    async def get_readable(self, ctx: Ctx, channel_id: str, where: str = "GetChannel") -> Channel:
        return await self.perms.readable_channel(ctx, channel_id, where)

    async def get_by_name(self, ctx: Ctx, team_id: str, name: str, include_deleted: bool = False) -> Channel:
        where = "GetChannelByName"
        try:
            channel = await self.core.store.channels.get_by_name(team_id, name, include_deleted)
        except NotFound:
            raise AppError(
                where, "app.channel.get_by_name.missing.app_error", "Channel does not exist.", 404
            ) from None
        if not await self.perms.can_read_channel(ctx, channel):
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
        self.perms.require_self_or_system(ctx, user_id, permissions.MANAGE_SYSTEM, where)
        if team_id:
            await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)
        return await self.core.store.channels.list_for_user(user_id, team_id, include_deleted, last_delete_at)

    async def members_for_user(self, ctx: Ctx, user_id: str, team_id: str | None) -> list[ChannelMember]:
        where = "GetChannelMembersForUser"
        self.perms.require_self_or_system(ctx, user_id, permissions.MANAGE_SYSTEM, where)
        if team_id:
            await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)
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
        await self.perms.require_team(ctx, team_id, permissions.LIST_TEAM_CHANNELS, where)
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
                if ch.type == CHANNEL_OPEN or await self.perms.can_read_channel(ctx, ch):
                    readable.append(ch)
            channels = readable
        return channels

    async def list_private(self, ctx: Ctx, team_id: str, page: int, per_page: int) -> list[Channel]:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "GetPrivateChannelsForTeam")
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

    async def create(self, ctx: Ctx, data: ChannelCreate) -> Channel:
        where = "CreateChannel"
        if not is_valid_id(data.team_id):
            raise invalid_param(where, "team_id")
        if data.type not in (CHANNEL_OPEN, CHANNEL_PRIVATE):
            raise AppError(where, "model.channel.is_valid.type.app_error", "Invalid type.", 400)
        perm = permissions.CREATE_PUBLIC_CHANNEL if data.type == CHANNEL_OPEN else permissions.CREATE_PRIVATE_CHANNEL
        await self.perms.require_team(ctx, data.team_id, perm, where)
        team = await self.directory.team(data.team_id, where)
        if team.delete_at:
            raise AppError(where, "api.channel.create_channel.archived_team", "The team is archived.", 400)
        return await self._create(team, data, ctx.user_id, where)

    async def _create(
        self, team: Team, data: ChannelCreate, creator_id: str, where: str, add_creator: bool = True,
        uow: UnitOfWork | None = None,
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
        members = [new_member(ch.id, creator_id, now, admin=True)] if (creator_id and add_creator) else []
        try:
            if uow is not None:
                await self._save_new(uow, ch, members, creator_id)
            else:
                async with self.core.unit_of_work() as own:
                    await self._save_new(own, ch, members, creator_id)
        except Conflict:
            raise AppError(
                where,
                "store.sql_channel.save_channel.exists.app_error",
                "A channel with that name already exists on the same team.",
                400,
            ) from None
        if uow is not None:
            uow.after_commit(lambda: self.plugin_hooks.channel_created(Ctx(), ch))
        else:
            self.plugin_hooks.channel_created(Ctx(), ch)
        return ch

    async def _save_new(self, uow: UnitOfWork, ch: Channel, members: list[ChannelMember], creator_id: str) -> None:
        await self.core.store.channels.save(ch, members, uow.conn)
        if members:
            uow.publish(Event("channel_created", {"channel_id": ch.id, "team_id": ch.team_id},
                              Broadcast(user_id=creator_id)))

    async def create_default_channels(self, uow: UnitOfWork, team: Team, creator_id: str) -> None:
        """A new team's town square and off-topic, in the unit of work that creates the team."""
        for name, display in ((DEFAULT_CHANNEL, "Town Square"), (OFF_TOPIC_CHANNEL, "Off-Topic")):
            await self._create(
                team,
                ChannelCreate(team_id=team.id, name=name, display_name=display, type=CHANNEL_OPEN),
                creator_id,
                "CreateDefaultChannels",
                add_creator=False,
                uow=uow,
            )

    # updating ------------------------------------------------------------------------------

    async def _require_manage(self, ctx: Ctx, ch: Channel, where: str) -> None:
        if ch.type == CHANNEL_OPEN:
            await self.perms.require_channel(
                ctx, ch.id, permissions.MANAGE_PUBLIC_CHANNEL_PROPERTIES, where, ch.team_id
            )
        elif ch.type == CHANNEL_PRIVATE:
            await self.perms.require_channel(
                ctx, ch.id, permissions.MANAGE_PRIVATE_CHANNEL_PROPERTIES, where, ch.team_id
            )
        else:
            await self.perms.require_channel(ctx, ch.id, permissions.CREATE_POST, where, ch.team_id)

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
            # the row, the "updated the channel header" posts and channel_updated: one unit of work
            drafts = await self.system_posts.changed(old, ch, ctx.user_id) if ctx.user_id else []
            async with self.core.unit_of_work() as uow:
                ch = await self.core.store.channels.update(ch, uow.conn)
                for draft in drafts:
                    await self.system_posts.write(draft, uow)
                uow.publish(Event("channel_updated", {"channel": _json(ch.to_dict())}, Broadcast(channel_id=ch.id)))
        except Conflict:
            raise AppError(
                where,
                "store.sql_channel.update.exists.app_error",
                "A channel with that name already exists on the same team.",
                400,
            ) from None
        return ch

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
        perm = permissions.DELETE_PUBLIC_CHANNEL if ch.type == CHANNEL_OPEN else permissions.DELETE_PRIVATE_CHANNEL
        await self.perms.require_channel(ctx, ch.id, perm, where, ch.team_id)
        if ch.name == DEFAULT_CHANNEL:
            raise AppError(
                where,
                "api.channel.delete_channel.cannot.app_error",
                "Unable to delete the default channel {Channel}.",
                400,
                params={"Channel": DEFAULT_CHANNEL},
            )
        if ch.delete_at:
            raise AppError(
                where,
                "api.channel.delete_channel.deleted.app_error",
                "The channel has been archived or deleted.",
                400,
            )
        draft = await self.system_posts.archived(ch, ctx.user_id) if ctx.user_id else None
        async with self.core.unit_of_work() as uow:
            if draft is not None:
                await self.system_posts.write(draft, uow)
            now = self.core.now()
            await self.core.store.channels.set_deleted(ch.id, now, now, uow.conn)
            uow.publish(Event("channel_deleted", {"channel_id": ch.id, "delete_at": now},
                              Broadcast(channel_id=ch.id, team_id="")))

    async def restore(self, ctx: Ctx, channel_id: str) -> Channel:
        where = "RestoreChannel"
        ch = await self.get(channel_id, where)
        perm = (
            permissions.MANAGE_PUBLIC_CHANNEL_PROPERTIES
            if ch.type == CHANNEL_OPEN
            else permissions.MANAGE_PRIVATE_CHANNEL_PROPERTIES
        )
        if not await self.perms.has_channel(ctx, ch.id, perm, ch.team_id):
            await self.perms.require_team(ctx, ch.team_id, permissions.MANAGE_TEAM, where)
        if not ch.delete_at:
            raise AppError(
                where,
                "api.channel.restore_channel.restored.app_error",
                "Unable to unarchive channel. The channel is not archived.",
                400,
            )
        now = self.core.now()
        ch = msgspec.structs.replace(ch, delete_at=0, update_at=now)
        draft = await self.system_posts.unarchived(ch, ctx.user_id) if ctx.user_id else None
        async with self.core.unit_of_work() as uow:
            await self.core.store.channels.set_deleted(ch.id, 0, now, uow.conn)
            if draft is not None:
                await self.system_posts.write(draft, uow)
            uow.publish(Event("channel_restored", {"channel_id": ch.id}, Broadcast(channel_id=ch.id)))
        return ch

    async def convert_privacy(self, ctx: Ctx, channel_id: str, privacy: str) -> Channel:
        where = "UpdateChannelPrivacy"
        ch = await self.get(channel_id, where)
        if privacy not in (CHANNEL_OPEN, CHANNEL_PRIVATE) or ch.is_group_or_direct():
            raise invalid_param(where, "privacy")
        perm = (
            permissions.CONVERT_PUBLIC_CHANNEL_TO_PRIVATE
            if privacy == CHANNEL_PRIVATE
            else permissions.CONVERT_PRIVATE_CHANNEL_TO_PUBLIC
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
        async with self.core.unit_of_work() as uow:
            ch = await self.core.store.channels.update(ch, uow.conn)
            uow.publish(Event("channel_converted", {"channel_id": ch.id}, Broadcast(team_id=ch.team_id)))
            uow.publish(Event("channel_updated", {"channel": _json(ch.to_dict())}, Broadcast(channel_id=ch.id)))
        return ch

    # read state ----------------------------------------------------------------------------

    async def view(
        self, ctx: Ctx, user_id: str, channel_id: str, prev_channel_id: str = ""
    ) -> dict[str, int]:
        where = "ViewChannel"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        ids = [c for c in (channel_id, prev_channel_id) if c]
        for cid in ids:
            if not is_valid_id(cid):
                raise invalid_param(where, "channel_id")
        times, written = await self.core.store.channels.view(user_id, ids, self.core.now())
        if written:
            # a view that changed no read position (the channel already read: the web app views the channel
            # it leaves and then both again) tells no one: the user's other sessions, their devices' push
            # notifications and the read receipts already have it
            self.core.publish(
                Event("multiple_channels_viewed", {"channel_times": times}, Broadcast(user_id=user_id))
            )
            self.notifications.channels_viewed(user_id, written)
            self.receipts.viewed(user_id, {c: times[c] for c in written})
        return times

    async def unread(self, ctx: Ctx, user_id: str, channel_id: str) -> ChannelUnread:
        where = "GetChannelUnread"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
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

    async def stats(self, ctx: Ctx, channel_id: str, *, files: bool = True) -> dict[str, object]:
        """GET /channels/{id}/stats as Mattermost answers it: members and guests with an active account,
        pinned posts, and files (-1 with ``exclude_files_count``). The permission facts (type, team,
        deletion) come from the channel cache; the member counts and the pinned count from their caches
        (``AppCaches``), the rest from one statement (all four in it when the member counts are not
        cached; none when everything asked is cached)."""
        await self.perms.readable_channel(ctx, channel_id, "GetChannelStats", cached=True)
        caches = self.core.caches
        counts = caches.member_counts.lookup(channel_id)
        pinned = None if files else caches.pinned_counts.lookup(channel_id)
        files_count = -1
        if counts is not None:
            members, guests = counts
            if pinned is None:
                pin_mark = caches.pinned_drops.mark()
                pinned, files_count = await self.core.store.channels.content_counts(channel_id, files=files)
                if caches.pinned_drops.fresh(channel_id, pin_mark):
                    caches.pinned_counts[channel_id] = pinned
        else:
            mark = caches.member_count_drops.mark()
            pin_mark = caches.pinned_drops.mark()
            members, guests, read_pinned, files_count = await self.core.store.channels.stats_counts(
                channel_id, files=files)
            if caches.member_count_drops.fresh(channel_id, mark):
                caches.member_counts[channel_id] = (members, guests)
            if caches.pinned_drops.fresh(channel_id, pin_mark):
                caches.pinned_counts[channel_id] = read_pinned
            if pinned is None:
                pinned = read_pinned
        return {
            "channel_id": channel_id,
            "member_count": members,
            "guest_count": guests,
            "pinnedpost_count": pinned,
            "files_count": files_count,
        }

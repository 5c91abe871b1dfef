"""Moving a channel to another team (Mattermost's MoveChannel): system admins only; every member
must already be in the destination team unless ``force`` removes those who are not. The channel's
incoming and outgoing webhooks move with it."""

from __future__ import annotations

import json

from chinwag.app.channel_member import ChannelMemberService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service, store_error
from chinwag.app.directory import Directory
from chinwag.app.permissions import PermissionService
from chinwag.app.webhook import IncomingWebhookService
from chinwag.app.webhook_outgoing import OutgoingWebhookService
from chinwag.model import permissions
from chinwag.model.channel import CHANNEL_OPEN, CHANNEL_PRIVATE, Channel
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound, StoreError


@service
class ChannelMoveService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    members: ChannelMemberService
    incoming: IncomingWebhookService
    outgoing: OutgoingWebhookService

    async def move(self, ctx: Ctx, channel_id: str, team_id: str, force: bool) -> Channel:
        where = "MoveChannel"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        if not is_valid_id(team_id):
            raise invalid_param(where, "team_id")
        ch = await self.directory.channel(channel_id, where)
        if ch.type not in (CHANNEL_OPEN, CHANNEL_PRIVATE):
            raise AppError(where, "api.channel.move_channel.type.invalid",
                           "Direct and group message channels cannot be moved.", 403)
        try:
            team = await self.core.store.teams.get(team_id)
        except NotFound:
            raise AppError(where, "app.team.get.find.app_error", "Unable to find the existing team.", 404) from None
        if team.delete_at:
            raise AppError(where, "app.team.get.find.app_error", "The destination team is archived.", 400)
        if ch.team_id == team.id:
            return ch
        outsiders = []
        for uid in await self.core.store.channels.member_ids(ch.id):
            try:
                tm = await self.core.store.teams.get_member(team.id, uid)
                if tm.delete_at:
                    outsiders.append(uid)
            except NotFound:
                outsiders.append(uid)
        if outsiders and not force:
            raise AppError(where, "app.channel.move_channel.members_do_not_match.error",
                           "Unable to move a channel unless all its members are already members of the "
                           "destination team (use force to remove the others).", 400,
                           f"{len(outsiders)} member(s) not in team {team.name}")
        try:
            await self.core.store.channels.get_by_name(team.id, ch.name, include_deleted=True)
        except NotFound:
            pass
        else:
            raise AppError(where, "store.sql_channel.save_channel.exists.app_error",
                           "A channel named {Channel} already exists in team {Team}.", 400,
                           params={"Channel": ch.name, "Team": team.name})
        for uid in outsiders:
            await self.members.remove_member(Ctx(local=True, request_id=ctx.request_id), ch.id, uid)
        old_team = ch.team_id
        ch.team_id = team.id
        ch.update_at = self.core.now()
        try:
            async with self.core.unit_of_work() as uow:
                ch = await self.core.store.channels.update(ch, uow.conn)
                # no category of the old team applies in the new one (Mattermost's
                # UpdateSidebarChannelCategoryOnMove)
                await self.core.store.categories.remove_channel(ch.id, uow.conn)
                uow.publish(Event("channel_updated", {"channel": json.dumps(ch.to_dict())},
                                  Broadcast(channel_id=ch.id)))
        except StoreError as e:
            raise store_error(where, e, "channel") from None
        await self._move_hooks(ch.id, old_team, team.id)
        return ch

    async def _move_hooks(self, channel_id: str, old_team: str, new_team: str) -> None:
        hooks = self.core.store.webhooks
        offset = 0
        while True:
            batch = await hooks.list_incoming(team_id=old_team, offset=offset, limit=200)
            for hook in batch:
                if hook.channel_id == channel_id:
                    hook.team_id = new_team
                    await hooks.update_incoming(hook)
                    self.incoming._changed(hook.id)
            if len(batch) < 200:
                break
            offset += 200
        moved = False
        for out in await hooks.list_outgoing(team_id=old_team, channel_id=channel_id, limit=None):
            out.team_id = new_team
            await hooks.update_outgoing(out)
            moved = True
        if moved:
            self.outgoing._changed(old_team)
            self.outgoing._changed(new_team)

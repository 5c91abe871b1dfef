"""Server-side drafts (Mattermost's app/draft.go and api4/drafts.go rules, ServiceSettings.AllowSyncedDrafts).

A user's draft in a channel or a thread is saved (``draft_created`` to their other connections), listed
per team with their direct and group messages, and deleted (``draft_deleted``). Saving one with an
empty message deletes it, silently, as Mattermost does. Drafts of channels the user has left are not
listed; a deleted post takes every user's drafts of its thread with it (``PostService.delete``).
With the setting off every operation answers 501 and the apps keep drafts on the device.
"""

from __future__ import annotations

import json

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.outbox import UnitOfWork
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, CHANNEL_OPEN, Channel
from chinwag.model.draft import Draft
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound

DRAFT_CREATED = "draft_created"
DRAFT_DELETED = "draft_deleted"
#: the most members a group message has: all of them are looked at for the teams they share
_GROUP_MAX = 8


def draft_event(name: str, draft: Draft, connection_id: str = "") -> Event:
    """``draft_created``/``draft_deleted`` for the draft's owner only, not to the connection that made the
    change (``Connection-Id``); the draft as JSON text, as Mattermost sends it."""
    return Event(name, {"draft": json.dumps(draft.to_dict())},
                 Broadcast(user_id=draft.user_id, channel_id=draft.channel_id, omit_connection_id=connection_id))


@service
class DraftService:
    core: AppCore
    directory: Directory
    perms: PermissionService

    def require_enabled(self, where: str) -> None:
        if not self.core.cfg.ServiceSettings.AllowSyncedDrafts:
            raise AppError(where, "api.drafts.disabled.app_error", "Drafts feature is disabled.", 501)

    # saving --------------------------------------------------------------------------------

    async def upsert(self, ctx: Ctx, body: bytes, connection_id: str = "") -> Draft | None:
        """``POST /drafts``: the caller's draft saved, with its files' infos; ``None`` when its message is
        empty (the draft is deleted then, with no event)."""
        where = "upsertDraft"
        self.require_enabled(where)
        try:
            draft = msgspec.json.decode(body, type=Draft)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError) as e:
            raise invalid_param(where, "draft", str(e)) from None
        draft.delete_at, draft.user_id, draft.metadata = 0, ctx.user_id, None
        if not await self._may_post(ctx, draft.channel_id):
            raise permission_denied(where, f"permission={permissions.CREATE_POST}")
        where = "CreateDraft"
        try:
            channel = await self.core.store.channels.get(draft.channel_id)
        except NotFound:
            raise invalid_param(where, "draft.channel_id") from None
        if channel.delete_at:
            raise AppError(where, "api.draft.create_draft.can_not_draft_to_deleted.error",
                           "Can not save draft to deleted channel", 400)
        if await self._restricted_dm(channel):
            raise AppError(where, "api.draft.create_draft.can_not_draft_to_restricted_dm.error",
                           "Cannot save draft to restricted direct message channel", 400)
        await self.directory.user(draft.user_id, where)
        if draft.message == "":
            await self.core.store.drafts.delete(draft.user_id, draft.channel_id, draft.root_id)
            return None
        draft.pre_save(self.core.now())
        draft.validate()
        async with self.core.unit_of_work() as uow:
            await self.core.store.drafts.upsert(draft, uow.conn)
            await self._with_files([draft])
            uow.publish(draft_event(DRAFT_CREATED, draft, connection_id))
        return draft

    async def _may_post(self, ctx: Ctx, channel_id: str) -> bool:
        """Mattermost's check: create_post in the channel, or an open channel of a team where the caller
        may post in public channels."""
        if await self.perms.has_channel(ctx, channel_id, permissions.CREATE_POST):
            return True
        channel = await self.directory.cached_channel(channel_id)
        return channel is not None and channel.type == CHANNEL_OPEN and \
            await self.perms.has_team(ctx, channel.team_id, permissions.CREATE_POST_PUBLIC)

    async def _restricted_dm(self, channel: Channel) -> bool:
        """With RestrictDirectMessage "team", a direct or group message whose members share no team."""
        if self.core.cfg.TeamSettings.RestrictDirectMessage != "team" or \
                channel.type not in (CHANNEL_DIRECT, CHANNEL_GROUP):
            return False
        users = await self.core.store.users.list_users(page=0, per_page=_GROUP_MAX, in_channel=channel.id,
                                                       active=True)
        common: set[str] | None = None
        for user in users:
            ids = {t.id for t in await self.core.store.teams.list_for_user(user.id)}
            common = ids if common is None else common & ids
        return not common

    async def _with_files(self, drafts: list[Draft]) -> None:
        """``metadata.files`` of drafts with files: those of their file ids that are the owner's and not
        attached to a post yet (Mattermost's prepareDraftWithFileInfos)."""
        ids = list(dict.fromkeys(i for d in drafts for i in d.file_ids or []))
        infos = {f.id: f for f in await self.core.store.file_info.get_many(ids)} if ids else {}
        for d in drafts:
            files = [infos[i].to_dict() for i in d.file_ids or []
                     if i in infos and not infos[i].post_id and infos[i].user_id == d.user_id]
            d.metadata = {"files": files} if files else {}

    # reading -------------------------------------------------------------------------------

    async def for_team(self, ctx: Ctx, team_id: str) -> list[Draft]:
        """``GET /users/{user_id}/teams/{team_id}/drafts``: the caller's drafts in that team's channels and
        their direct and group messages, the last changed first."""
        where = "getDrafts"
        self.require_enabled(where)
        if not await self.perms.has_team(ctx, team_id, permissions.VIEW_TEAM):
            raise permission_denied(where, f"permission={permissions.CREATE_POST}")
        drafts = await self.core.store.drafts.for_user(ctx.user_id, team_id)
        await self._with_files(drafts)
        return drafts

    # deleting ------------------------------------------------------------------------------

    async def delete(self, ctx: Ctx, channel_id: str, root_id: str, connection_id: str = "") -> None:
        """``DELETE /users/{user_id}/channels/{channel_id}/drafts[/{thread_id}]``: the caller's draft there;
        none is not an error."""
        where = "deleteDraft"
        self.require_enabled(where)
        try:
            draft = await self.core.store.drafts.get(ctx.user_id, channel_id, root_id)
        except NotFound:
            return
        async with self.core.unit_of_work() as uow:
            if await self.core.store.drafts.delete(draft.user_id, draft.channel_id, draft.root_id, uow.conn):
                uow.publish(draft_event(DRAFT_DELETED, draft, connection_id))


async def delete_thread_drafts(core: AppCore, uow: UnitOfWork, channel_id: str, root_id: str) -> None:
    """A post being deleted takes every user's drafts of its thread (Mattermost's
    DeleteDraftsAssociatedWithPost); each user's apps are told with ``draft_deleted``."""
    for user_id in await core.store.drafts.delete_for_thread(channel_id, root_id, uow.conn):
        uow.publish(draft_event(DRAFT_DELETED, Draft(user_id=user_id, channel_id=channel_id, root_id=root_id,
                                                     props={})))

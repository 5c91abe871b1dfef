"""Incoming webhooks: CRUD, and ``POST /hooks/{id}`` turning Slack-style payloads into posts."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.app.cache import TTLCache
from chinwag.app.channel_direct import DirectChannelService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.integration import IntegrationCore, user_ctx
from chinwag.app.permissions import PermissionService
from chinwag.app.validate import is_valid_username
from chinwag.model import permissions, slack
from chinwag.model.channel import CHANNEL_OPEN, Channel
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.integration import IncomingWebhook
from chinwag.model.post import Post
from chinwag.platform.events import Event
from chinwag.store.errors import NotFound, StoreError


def _disabled(where: str) -> AppError:
    return AppError(where, "api.incoming_webhook.disabled.app_error", "Incoming webhooks have been disabled by "
                    "the system admin.", 501)


def _check_fields(h: IncomingWebhook, where: str) -> None:
    for value, limit, name in ((h.display_name, 64, "display_name"), (h.description, 500, "description"),
                               (h.username, 255, "username"), (h.icon_url, 1024, "icon_url")):
        if len(value) > limit:
            raise AppError(where, f"model.incoming_hook.{name}.app_error", "Invalid {Name}.", 400,
                           params={"Name": name})


#: how long a hook looked up by POST /hooks/{id} is reused (changes invalidate it at once, on every node)
HOOK_TTL = 60.0
CHANGED_EVENT = "_incoming_hook_changed"


class IncomingWebhookService:
    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        perms: PermissionService,
        integ: IntegrationCore,
        direct: DirectChannelService,
    ) -> None:
        self.core = core
        self.directory = directory
        self.perms = perms
        self.integ = integ
        self.direct = direct
        self._hooks: TTLCache[str, IncomingWebhook] = TTLCache(maxsize=10000, ttl=HOOK_TTL)

    def _changed(self, hook_id: str) -> None:
        self._hooks.pop(hook_id, None)
        self.core.publish(Event(CHANGED_EVENT, {"hook_id": hook_id}))

    def handle_internal(self, event: dict[str, Any]) -> None:
        if event.get("event") == CHANGED_EVENT:
            self._hooks.pop(str((event.get("data") or {}).get("hook_id", "")), None)

    async def _lookup(self, hook_id: str) -> IncomingWebhook | None:
        """The hook for POST /hooks/{id} (cached; None if unknown or deleted)."""
        if not is_valid_id(hook_id):
            return None
        hook = self._hooks.lookup(hook_id)
        if hook is None:
            try:
                hook = await self.core.store.webhooks.get_incoming(hook_id)
            except NotFound:
                return None
            self._hooks[hook_id] = hook
        return hook

    def _enabled(self, where: str) -> None:
        if not self.core.cfg.ServiceSettings.EnableIncomingWebhooks:
            raise _disabled(where)

    async def _get(self, hook_id: str, where: str) -> IncomingWebhook:
        self._enabled(where)
        try:
            return await self.core.store.webhooks.get_incoming(hook_id)
        except NotFound:
            raise AppError(where, "app.webhooks.get_incoming.app_error", "Unable to get the webhook.",
                           404) from None

    async def _require_readable(self, ctx: Ctx, channel: Channel, where: str, permission: str) -> None:
        if channel.type != CHANNEL_OPEN and not await self.perms.can_read_channel(ctx, channel):
            raise permission_denied(where, f"permission={permission}")

    async def _require_manage(self, ctx: Ctx, hook: IncomingWebhook, where: str) -> Channel:
        channel = await self.directory.channel(hook.channel_id, where)
        await self.perms.require_team(ctx, hook.team_id, permissions.MANAGE_INCOMING_WEBHOOKS, where)
        await self._require_readable(ctx, channel, where, permissions.MANAGE_INCOMING_WEBHOOKS)
        if ctx.user_id != hook.user_id:
            await self.perms.require_team(ctx, hook.team_id, permissions.MANAGE_OTHERS_INCOMING_WEBHOOKS, where)
        return channel

    def _overrides(self, hook: IncomingWebhook, old: IncomingWebhook | None, where: str) -> None:
        s = self.core.cfg.ServiceSettings
        if not s.EnablePostUsernameOverride:
            hook.username = old.username if old else ""
        if not s.EnablePostIconOverride:
            hook.icon_url = old.icon_url if old else ""
        if hook.username and not is_valid_username(hook.username):
            raise AppError(where, "api.incoming_webhook.invalid_username.app_error", "Invalid username.", 400)
        _check_fields(hook, where)

    # CRUD ---------------------------------------------------------------------------------------

    async def create(self, ctx: Ctx, data: IncomingWebhook) -> IncomingWebhook:
        where = "createIncomingHook"
        if not is_valid_id(data.channel_id):
            raise invalid_param(where, "channel_id")
        channel = await self.directory.channel(data.channel_id, where)
        await self.perms.require_team(ctx, channel.team_id, permissions.MANAGE_INCOMING_WEBHOOKS, where)
        await self._require_readable(ctx, channel, where, permissions.READ_CHANNEL_CONTENT)
        user_id = ctx.user_id
        if data.user_id and data.user_id != ctx.user_id:
            await self.perms.require_team(ctx, channel.team_id, permissions.MANAGE_OTHERS_INCOMING_WEBHOOKS, where)
            await self.directory.user(data.user_id, where)
            user_id = data.user_id
        self._enabled("CreateIncomingWebhookForChannel")
        if channel.is_group_or_direct():
            raise AppError("IncomingWebhook.IsValid", "model.incoming_hook.team_id.app_error", "Invalid team id.",
                           400)
        now = self.core.now()
        hook = msgspec.structs.replace(data, id=new_id(), create_at=now, update_at=now, delete_at=0,
                                       user_id=user_id, team_id=channel.team_id)
        self._overrides(hook, None, "CreateIncomingWebhookForChannel")
        await self.core.store.webhooks.save_incoming(hook)
        return hook

    async def get(self, ctx: Ctx, hook_id: str) -> IncomingWebhook:
        where = "getIncomingHook"
        hook = await self._get(hook_id, where)
        await self._require_manage(ctx, hook, where)
        return hook

    async def list_hooks(self, ctx: Ctx, team_id: str, page: int, per_page: int) -> list[IncomingWebhook]:
        where = "getIncomingHooks"
        user_id = ctx.user_id
        if team_id:
            await self.perms.require_team(ctx, team_id, permissions.MANAGE_INCOMING_WEBHOOKS, where)
            if await self.perms.has_team(ctx, team_id, permissions.MANAGE_OTHERS_INCOMING_WEBHOOKS):
                user_id = ""
        else:
            self.perms.require_system(ctx, permissions.MANAGE_INCOMING_WEBHOOKS, where)
            if self.perms.has_system(ctx, permissions.MANAGE_OTHERS_INCOMING_WEBHOOKS):
                user_id = ""
        self._enabled("GetIncomingWebhooksForTeamPage")
        return await self.core.store.webhooks.list_incoming(team_id=team_id, user_id=user_id,
                                                             offset=page * per_page, limit=per_page)

    async def update(self, ctx: Ctx, hook_id: str, data: IncomingWebhook) -> IncomingWebhook:
        where = "updateIncomingHook"
        if data.id != hook_id:
            raise invalid_param(where, "hook_id")
        old = await self._get(hook_id, where)
        team_id = data.team_id or old.team_id
        if team_id != old.team_id:
            raise AppError(where, "api.webhook.team_mismatch.app_error",
                           "Unable to update webhook across teams.", 400)
        if not is_valid_id(data.channel_id):
            raise invalid_param(where, "channel_id")
        channel = await self.directory.channel(data.channel_id, where)
        if channel.team_id != team_id:
            raise invalid_param(where, "channel_id")
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_INCOMING_WEBHOOKS, where)
        if ctx.user_id != old.user_id:
            await self.perms.require_team(ctx, team_id, permissions.MANAGE_OTHERS_INCOMING_WEBHOOKS, where)
        await self._require_readable(ctx, channel, where, permissions.READ_CHANNEL_CONTENT)
        hook = msgspec.structs.replace(data, id=old.id, user_id=old.user_id, create_at=old.create_at,
                                       update_at=self.core.now(), team_id=old.team_id, delete_at=0)
        self._overrides(hook, old, "UpdateIncomingWebhook")
        try:
            await self.core.store.webhooks.update_incoming(hook)
        except StoreError:
            raise AppError(where, "app.webhooks.get_incoming.app_error", "Unable to get the webhook.",
                           404) from None
        self._changed(hook.id)
        return hook

    async def delete(self, ctx: Ctx, hook_id: str) -> None:
        where = "deleteIncomingHook"
        hook = await self._get(hook_id, where)
        await self._require_manage(ctx, hook, where)
        await self.core.store.webhooks.delete_incoming(hook.id, self.core.now())
        self._changed(hook.id)

    # POST /hooks/{id} ---------------------------------------------------------------------------

    async def handle(self, hook_id: str, req: slack.IncomingRequest) -> list[Post]:
        """Mattermost's HandleIncomingWebhook; every failure happens before anything is posted."""
        where = "HandleIncomingWebhook"
        if not self.core.cfg.ServiceSettings.EnableIncomingWebhooks:
            raise AppError(where, "web.incoming_webhook.disabled.app_error",
                           "Incoming webhooks have been disabled by the system admin.", 501)
        if not req.text and req.attachments is None:
            raise AppError(where, "web.incoming_webhook.text.app_error", "No text specified.", 400)
        hook = await self._lookup(hook_id)
        if hook is None:
            raise AppError(where, "web.incoming_webhook.invalid.app_error", "Invalid webhook.", 400)
        props = dict(req.props)
        props["webhook_display_name"] = hook.display_name
        text = await self.integ.process_slack_text(req.text)
        attachments = await self.integ.process_attachments(req.attachments) if req.attachments else None
        post_type = "slack_attachment" if attachments else req.type
        locked = AppError(where, "web.incoming_webhook.channel_locked.app_error",
                          "This webhook is not permitted to post to the requested channel.", 403)
        if hook.channel_locked and req.channel.startswith("@"):
            raise locked  # a locked hook's channel is never a DM: refuse before opening one
        channel = await self._channel(hook, req.channel, where)
        if hook.channel_locked and hook.channel_id != channel.id:
            raise locked
        try:
            await self.directory.user(hook.user_id, where)
        except AppError:
            raise AppError(where, "web.incoming_webhook.user.app_error", "Couldn't find the user.", 403) from None
        await self.integ.check_can_post(hook.user_id, channel, where, "web.incoming_webhook.permissions.app_error")
        return await self.integ.create_webhook_post(
            hook.user_id, channel, text, override_username=req.username or hook.username,
            override_icon_url=req.icon_url or hook.icon_url, override_icon_emoji=req.icon_emoji, props=props,
            attachments=attachments, post_type=post_type, priority=req.priority)

    async def _channel(self, hook: IncomingWebhook, name: str, where: str) -> Channel:
        store = self.core.store
        if not name:
            found = await self.directory.cached_channel(hook.channel_id)
            if found is None:
                raise AppError(where, "app.channel.get.existing.app_error", "Unable to find the existing channel.",
                               404)
            return found
        if name.startswith("@"):
            try:
                other = await store.users.get_by_username(name[1:])
            except NotFound:
                raise AppError(where, "web.incoming_webhook.user.app_error", "Couldn't find the user.",
                               400) from None
            creator = await self.directory.user(hook.user_id, where)
            channel, _ = await self.direct.create_direct(
                user_ctx(creator.id, creator.roles, trusted=True), [creator.id, other.id])
            return channel
        try:
            return await store.channels.get_by_name(hook.team_id, name.removeprefix("#"), True)
        except NotFound:
            raise AppError(where, "web.incoming_webhook.channel.app_error", "Couldn't find the channel.",
                           404) from None

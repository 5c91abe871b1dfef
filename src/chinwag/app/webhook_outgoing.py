"""Outgoing webhooks: CRUD, and on a matching post in a public channel a callback to each URL —
off the request path — whose answer is posted back."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import msgspec
import structlog

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.integration import IntegrationCore
from chinwag.app.outbound import OutboundRefused
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions, slack
from chinwag.model.channel import CHANNEL_OPEN, Channel
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.integration import (
    CONTENT_TYPE_FORM,
    CONTENT_TYPE_JSON,
    RESPONSE_TYPE_COMMENT,
    OutgoingWebhook,
)
from chinwag.model.post import Post
from chinwag.model.user import User
from chinwag.platform.events import Event
from chinwag.store.errors import NotFound, StoreError

log = structlog.get_logger("chinwag.integrations")

#: how long a team's hook list is kept before it is read again (changes invalidate it at once)
HOOKS_TTL = 30.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
ATTEMPTS = 3
CHANGED_EVENT = "_outgoing_hooks_changed"


def is_valid_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def _disabled(where: str, status: int = 501) -> AppError:
    return AppError(where, "api.outgoing_webhook.disabled.app_error",
                    "Outgoing webhooks have been disabled by the system admin.", status)


def _validate(h: OutgoingWebhook, where: str) -> None:
    def bad(name: str) -> AppError:
        return AppError(where, f"model.outgoing_hook.{name}.app_error", "Invalid {Name}.", 400,
                        params={"Name": name.split(".")[-1]})

    if len(" ".join(h.trigger_words)) + 2 > 1024:
        raise bad("is_valid.words")
    if any(not w for w in h.trigger_words):
        raise bad("is_valid.trigger_words")
    if not h.callback_urls or len(" ".join(h.callback_urls)) + 2 > 1024:
        raise bad("is_valid.callback")
    if not all(is_valid_http_url(u) for u in h.callback_urls):
        raise bad("is_valid.url")
    if len(h.display_name) > 64:
        raise bad("is_valid.display_name")
    if len(h.description) > 500:
        raise bad("is_valid.description")
    if len(h.content_type) > 128:
        raise bad("is_valid.content_type")
    if h.trigger_when not in (0, 1):
        raise bad("is_valid.content_type")
    if len(h.username) > 64:
        raise bad("username")
    if len(h.icon_url) > 1024:
        raise bad("icon_url")


class OutgoingWebhookService:
    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        perms: PermissionService,
        integ: IntegrationCore,
    ) -> None:
        self.core = core
        self.directory = directory
        self.perms = perms
        self.integ = integ
        self._hooks: dict[str, tuple[list[OutgoingWebhook], float]] = {}
        self._loading: dict[str, asyncio.Future[list[OutgoingWebhook]]] = {}
        self._generation = 0  # bumped by every change, so a read that raced one is not cached

    def _enabled(self, where: str) -> None:
        if not self.core.cfg.ServiceSettings.EnableOutgoingWebhooks:
            raise _disabled(where)

    async def _get(self, hook_id: str, where: str) -> OutgoingWebhook:
        self._enabled(where)
        try:
            return await self.core.store.webhooks.get_outgoing(hook_id)
        except NotFound:
            raise AppError(where, "app.webhooks.get_outgoing.app_error", "Unable to get the webhook.",
                           404) from None

    async def _require_manage(self, ctx: Ctx, hook: OutgoingWebhook, where: str) -> None:
        await self.perms.require_team(ctx, hook.team_id, permissions.MANAGE_OUTGOING_WEBHOOKS, where)
        if ctx.user_id != hook.creator_id:
            await self.perms.require_team(ctx, hook.team_id, permissions.MANAGE_OTHERS_OUTGOING_WEBHOOKS, where)

    def _changed(self, team_id: str) -> None:
        self._forget(team_id)
        self.core.publish(Event(CHANGED_EVENT, {"team_id": team_id}))  # other nodes

    def handle_internal(self, event: dict[str, Any]) -> None:
        """Another node (or this one) changed a team's outgoing webhooks."""
        if event.get("event") == CHANGED_EVENT:
            self._forget(str((event.get("data") or {}).get("team_id", "")))

    def _forget(self, team_id: str) -> None:
        self._generation += 1
        self._hooks.pop(team_id, None)
        self._loading.pop(team_id, None)

    async def _check_target(self, hook: OutgoingWebhook, team_id: str, where: str, update: bool) -> None:
        if hook.channel_id:
            if not is_valid_id(hook.channel_id):
                raise AppError(where, "model.outgoing_hook.is_valid.channel_id.app_error", "Invalid channel id.",
                               400)
            channel = await self.directory.channel(hook.channel_id, where)
            if channel.type != CHANNEL_OPEN:
                if update:
                    raise AppError(where, "api.webhook.create_outgoing.not_open.app_error",
                                   "Outgoing webhooks can only be created for public channels.", 403)
                raise _disabled(where, 403)
            if channel.team_id != team_id:
                raise AppError(where, "api.webhook.create_outgoing.permissions.app_error",
                               "Invalid permissions to create outgoing webhook.", 403)
        elif not hook.trigger_words:
            raise AppError(where, "api.webhook.create_outgoing.triggers.app_error",
                           "Either trigger_words or channel_id must be set.", 400)
        _validate(hook, where)
        for other in await self.core.store.webhooks.list_outgoing(team_id=team_id, limit=None):
            if (other.id != hook.id and other.channel_id == hook.channel_id
                    and set(other.callback_urls) & set(hook.callback_urls)
                    and set(other.trigger_words) & set(hook.trigger_words)):
                what = "update_outgoing" if update else "create_outgoing"
                raise AppError(where, f"api.webhook.{what}.intersect.app_error",
                               "Outgoing webhooks from the same channel cannot have the same trigger "
                               "words/callback URLs.", 400 if update else 500)

    # CRUD ---------------------------------------------------------------------------------------

    async def create(self, ctx: Ctx, data: OutgoingWebhook) -> OutgoingWebhook:
        where = "createOutgoingHook"
        await self.perms.require_team(ctx, data.team_id, permissions.MANAGE_OUTGOING_WEBHOOKS, where)
        creator = ctx.user_id
        if data.creator_id:
            await self.perms.require_team(ctx, data.team_id, permissions.MANAGE_OTHERS_OUTGOING_WEBHOOKS, where)
            await self.directory.user(data.creator_id, where)
            creator = data.creator_id
        self._enabled("CreateOutgoingWebhook")
        now = self.core.now()
        hook = msgspec.structs.replace(data, id=new_id(), token=new_id(), create_at=now, update_at=now,
                                       delete_at=0, creator_id=creator)
        await self._check_target(hook, hook.team_id, "CreateOutgoingWebhook", False)
        await self.core.store.webhooks.save_outgoing(hook)
        self._changed(hook.team_id)
        return hook

    async def get(self, ctx: Ctx, hook_id: str) -> OutgoingWebhook:
        where = "getOutgoingHook"
        hook = await self._get(hook_id, where)
        await self._require_manage(ctx, hook, where)
        return hook

    async def list_hooks(self, ctx: Ctx, *, team_id: str, channel_id: str, page: int,
                   per_page: int) -> list[OutgoingWebhook]:
        where = "getOutgoingHooks"
        user_id = ctx.user_id
        if channel_id:
            if not await self.perms.has_channel(ctx, channel_id, permissions.MANAGE_OUTGOING_WEBHOOKS):
                raise invalid_param(where, "channel_id") if not is_valid_id(channel_id) else \
                    AppError(where, "api.context.permissions.app_error",
                             "You do not have the appropriate permissions.", 403)
            if await self.perms.has_channel(ctx, channel_id, permissions.MANAGE_OTHERS_OUTGOING_WEBHOOKS):
                user_id = ""
        elif team_id:
            await self.perms.require_team(ctx, team_id, permissions.MANAGE_OUTGOING_WEBHOOKS, where)
            if await self.perms.has_team(ctx, team_id, permissions.MANAGE_OTHERS_OUTGOING_WEBHOOKS):
                user_id = ""
        else:
            self.perms.require_system(ctx, permissions.MANAGE_OUTGOING_WEBHOOKS, where)
            if self.perms.has_system(ctx, permissions.MANAGE_OTHERS_OUTGOING_WEBHOOKS):
                user_id = ""
        self._enabled("GetOutgoingWebhooks")
        return await self.core.store.webhooks.list_outgoing(
            team_id="" if channel_id else team_id, channel_id=channel_id, user_id=user_id,
            offset=page * per_page, limit=per_page)

    async def update(self, ctx: Ctx, hook_id: str, data: OutgoingWebhook) -> OutgoingWebhook:
        where = "updateOutgoingHook"
        if data.id != hook_id:
            raise invalid_param(where, "hook_id")
        old = await self._get(hook_id, where)
        if (data.team_id or old.team_id) != old.team_id:
            raise AppError(where, "api.webhook.team_mismatch.app_error", "Unable to update webhook across teams.",
                           400)
        await self._require_manage(ctx, old, where)
        hook = msgspec.structs.replace(data, id=old.id, token=old.token, creator_id=old.creator_id,
                                       create_at=old.create_at, delete_at=0, team_id=old.team_id,
                                       update_at=self.core.now())
        await self._check_target(hook, old.team_id, "UpdateOutgoingWebhook", True)
        await self._save(hook, where)
        return hook

    async def _save(self, hook: OutgoingWebhook, where: str) -> None:
        try:
            await self.core.store.webhooks.update_outgoing(hook)
        except StoreError:
            raise AppError(where, "app.webhooks.get_outgoing.app_error", "Unable to get the webhook.",
                           404) from None
        self._changed(hook.team_id)

    async def regen_token(self, ctx: Ctx, hook_id: str) -> OutgoingWebhook:
        where = "regenOutgoingHookToken"
        hook = await self._get(hook_id, where)
        await self._require_manage(ctx, hook, where)
        hook.token = new_id()
        hook.update_at = self.core.now()
        await self._save(hook, where)
        return hook

    async def delete(self, ctx: Ctx, hook_id: str) -> None:
        where = "deleteOutgoingHook"
        hook = await self._get(hook_id, where)
        await self._require_manage(ctx, hook, where)
        await self.core.store.webhooks.delete_outgoing(hook.id, self.core.now())
        self._changed(hook.team_id)

    # triggering ---------------------------------------------------------------------------------

    def post_created(self, post: Post, channel: Channel, user: User) -> None:
        """Called after a user's post is saved: fire matching hooks in the background."""
        if (not self.core.cfg.ServiceSettings.EnableOutgoingWebhooks or channel.type != CHANNEL_OPEN
                or post.is_system_message()):
            return
        cached = self._hooks.get(channel.team_id)
        if cached is not None and cached[1] > time.monotonic():
            if cached[0]:
                self._fire(cached[0], post, channel, user)
            return
        self.integ.spawn(self._load_and_fire(post, channel, user), "outgoing webhooks")

    async def _load_and_fire(self, post: Post, channel: Channel, user: User) -> None:
        team_id = channel.team_id
        generation = self._generation
        loading = self._loading.get(team_id)
        if loading is None:  # one read per team however many posts arrive meanwhile
            loading = asyncio.ensure_future(
                self.core.store.webhooks.list_outgoing(team_id=team_id, limit=None))
            self._loading[team_id] = loading
            loading.add_done_callback(lambda _f: self._loading.pop(team_id, None))
        hooks = await asyncio.shield(loading)
        if generation == self._generation:
            self._hooks[team_id] = (hooks, time.monotonic() + HOOKS_TTL)
        self._fire(hooks, post, channel, user)

    def _fire(self, hooks: list[OutgoingWebhook], post: Post, channel: Channel, user: User) -> None:
        words = post.message.split()
        first = words[0] if words else ""
        for hook in hooks:
            if hook.channel_id and hook.channel_id != post.channel_id:
                continue
            if hook.channel_id == post.channel_id and not hook.trigger_words:
                trigger = ""
            else:
                found = hook.match(first)
                if found is None:
                    continue
                trigger = found
            self.integ.spawn(self._trigger(hook, trigger, post, channel, user), f"outgoing webhook {hook.id}")

    async def _trigger(self, hook: OutgoingWebhook, trigger: str, post: Post, channel: Channel,
                       user: User) -> None:
        team = await self.directory.team(channel.team_id)
        payload: dict[str, Any] = {
            "token": hook.token, "team_id": hook.team_id, "team_domain": team.name, "channel_id": post.channel_id,
            "channel_name": channel.name, "timestamp": post.create_at, "user_id": post.user_id,
            "user_name": user.username, "post_id": post.id, "text": post.message, "trigger_word": trigger,
            "file_ids": ",".join(post.file_ids),
        }
        if hook.content_type == CONTENT_TYPE_JSON:
            body = msgspec.json.encode(payload)
            content_type = CONTENT_TYPE_JSON
        else:
            body = urlencode({**payload, "timestamp": str(post.create_at // 1000)}).encode()
            content_type = CONTENT_TYPE_FORM
        await asyncio.gather(*(self._call(hook, url, body, content_type, post, channel)
                               for url in hook.callback_urls))

    async def _call(self, hook: OutgoingWebhook, url: str, body: bytes, content_type: str, post: Post,
                    channel: Channel) -> None:
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        raw = b""
        for attempt in range(ATTEMPTS):
            try:
                status, _h, raw = await self.integ.http.request("POST", url, content=body, headers=headers)
            except OutboundRefused as e:
                log.warning("outgoing webhook refused", hook_id=hook.id, error=str(e))
                return
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as e:
                if attempt + 1 == ATTEMPTS:
                    log.warning("outgoing webhook failed", hook_id=hook.id, error=repr(e))
                    return
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            except httpx.HTTPError as e:
                log.warning("outgoing webhook failed", hook_id=hook.id, error=repr(e))
                return
            if status in RETRY_STATUSES and attempt + 1 < ATTEMPTS:
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            break
        if not raw.strip():
            return
        try:
            resp = slack.decode_json_lenient(raw)
        except slack.PayloadError:
            log.warning("outgoing webhook answer is not JSON", hook_id=hook.id)
            return
        if not isinstance(resp, dict):
            return
        await self._post_answer(hook, resp, post, channel)

    async def _post_answer(self, hook: OutgoingWebhook, resp: dict[str, Any], post: Post, channel: Channel) -> None:
        try:
            attachments = slack.normalize_attachments(resp.get("attachments"))
            text = resp.get("text")
            if text is not None and not isinstance(text, str):
                raise slack.PayloadError("text")
            props = resp.get("props") if isinstance(resp.get("props"), dict) else {}
        except slack.PayloadError as e:
            log.warning("outgoing webhook answer rejected", hook_id=hook.id, error=str(e))
            return
        if text is None and not attachments:
            return
        s = self.core.cfg.ServiceSettings
        username = str(resp.get("username") or "")
        icon_url = str(resp.get("icon_url") or "")
        if s.EnablePostUsernameOverride and hook.username and not username:
            username = hook.username
        if s.EnablePostIconOverride and hook.icon_url and not icon_url:
            icon_url = hook.icon_url
        root_id = (post.root_id or post.id) if resp.get("response_type") == RESPONSE_TYPE_COMMENT else ""
        priority = resp.get("priority") if isinstance(resp.get("priority"), dict) else None
        await self.integ.create_webhook_post(
            hook.creator_id, channel, await self.integ.process_slack_text(text or ""),
            override_username=username, override_icon_url=icon_url,
            props={**(props or {}), "webhook_display_name": hook.display_name},
            attachments=await self.integ.process_attachments(attachments) if attachments else None,
            post_type=str(resp.get("type") or ""), root_id=root_id, priority=priority,
            where="TriggerWebhook")

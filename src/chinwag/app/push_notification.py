"""Mobile push through the push proxy: a ``message`` push for a new post to every registered device
of those who want one (push level, channel override, mute, ``push_status``), a ``clear`` push when
a channel is read, an ``update_badge`` push when the user marks a post unread (their badge goes up
again on every device, as Mattermost does), devices registered on the session (``PUT
/users/sessions/device``), devices the proxy reports gone removed, and the id-loaded mode where the
app fetches the content with an ack.

Pushes are durable: each (push, device) is a row of the ``pushnotifications`` queue, written claimed
by this node and sent at once; the row goes when the proxy took the push (or refused it for good).
When the proxy is unreachable or answers 5xx, the row is retried with exponential backoff by the job
loop that runs in every server process (a claim expires, so a node that died mid-send loses its rows
to another node or to the next start); a push still failing an hour after it was made is dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.app import notify_props
from chinwag.app.background import WorkLoop
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.permissions import PermissionService
from chinwag.app.post_notice import PostNotice
from chinwag.app.session import SessionService
from chinwag.app.status import StatusService
from chinwag.app.system import SystemService
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, Channel, ChannelMember
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import new_id
from chinwag.model.post import FORCE_NOTIFICATION, Post
from chinwag.model.push import (
    CATEGORY_CAN_REPLY,
    PUSH_MESSAGE_V2,
    PUSH_STATUS_REMOVE,
    PUSH_TYPE_CLEAR,
    PUSH_TYPE_MESSAGE,
    PUSH_TYPE_UPDATE_BADGE,
    PushNotification,
    PushNotificationAck,
)
from chinwag.model.user import User
from chinwag.push.proxy import PushProxyClient
from chinwag.store.errors import NotFound
from chinwag.store.sql.push_notification_store import PushQueueItem

log = structlog.get_logger("chinwag.push")

CONTENTS_GENERIC = "generic"
CONTENTS_FULL = "full"
CONTENTS_ID_LOADED = "id_loaded"
HOUR_MS = 3600_000


def split_device(device_id: str) -> tuple[str, str]:
    """``android_rn:TOKEN`` → ("android_rn", "TOKEN")."""
    platform, _, token = device_id.partition(":")
    return (platform, token) if token else ("", device_id)


class PushNotificationService:
    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        perms: PermissionService,
        sessions: SessionService,
        statuses: StatusService,
        system: SystemService,
        client: PushProxyClient | None = None,
    ) -> None:
        self.core = core
        self.directory = directory
        self.perms = perms
        self.sessions = sessions
        self.statuses = statuses
        self.system = system
        self.client = client or PushProxyClient(lambda: core.cfg.EmailSettings)
        self.node_id = new_id()
        self.claim_ttl_ms = 2 * 60_000
        self.retry_base_ms = 2_000
        self.retry_max_ms = 5 * 60_000
        #: a push still not taken by the proxy this long after it was made is dropped (logged)
        self.give_up_ms = 3600_000
        self.batch = 100
        self.loop = WorkLoop("push", self.run_once, poll_seconds=2.0, lease=core.poll_lease)
        #: set by the composition root: the plugins' NotificationWillBePushed (whether one implements it; the
        #: user's push, the post's type, the channel's type → the push to send, or None to send none)
        self.hooked: Callable[[], bool] = lambda: False
        self.will_push: Callable[[PushNotification, str, str, str], Awaitable[PushNotification | None]] | None = None

    # devices ---------------------------------------------------------------------------------------

    async def attach_device(self, ctx: Ctx, device_id: str) -> None:
        """PUT /users/sessions/device: this session pushes to ``device_id``; the user's other
        sessions on that device end (Mattermost's AttachDeviceId)."""
        where = "attachDeviceId"
        session = ctx.session
        if session is None or not session.id:
            raise permission_denied(where)
        if len(device_id) > 512:
            raise invalid_param(where, "device_id")
        store = self.core.store
        # The mobile app sends an empty id when it has no push token: the session becomes a mobile one
        # (its length) and nothing else ends, as in Mattermost.
        if device_id:
            for s in await store.sessions.list_for_user(ctx.user_id):
                if s.device_id == device_id and s.id != session.id:
                    await self.sessions.revoke(ctx, ctx.user_id, s.id)
        hours = self.core.cfg.ServiceSettings.SessionLengthMobileInHours
        expires = self.core.now() + hours * HOUR_MS
        await store.sessions.set_device(session.id, device_id, expires)
        session.device_id = device_id
        session.expires_at = expires

    # sending ---------------------------------------------------------------------------------------

    def _contents(self) -> str:
        value = self.core.cfg.EmailSettings.PushNotificationContents
        return value if value in (CONTENTS_GENERIC, CONTENTS_ID_LOADED) else CONTENTS_FULL

    def build_message(self, post: Post, channel: Channel, sender_name: str, mentioned: bool,
                      contents: str) -> PushNotification:
        """The payload for a post (device fields left empty)."""
        msg = PushNotification(
            type=PUSH_TYPE_MESSAGE, version=PUSH_MESSAGE_V2, post_id=post.id, channel_id=post.channel_id,
            root_id=post.root_id, team_id=channel.team_id, category=CATEGORY_CAN_REPLY,
            is_crt_enabled=self.core.crt_on(), server_id=self.system.diagnostic_id,
        )
        if contents == CONTENTS_ID_LOADED:
            msg.is_id_loaded = True
            msg.message = "You've received a new message."
            return msg
        msg.sender_id = post.user_id
        msg.sender_name = sender_name
        msg.channel_name = sender_name if channel.type == CHANNEL_DIRECT else channel.display_name
        if post.props.get("from_webhook") == "true":
            msg.from_webhook = "true"
            msg.override_username = str(post.props.get("override_username") or "")
            msg.override_icon_url = str(post.props.get("override_icon_url") or "")
        if contents == CONTENTS_GENERIC:
            if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
                msg.message = f"{sender_name} sent you a message."
            elif mentioned:
                msg.message = f"{sender_name} mentioned you."
            else:
                msg.message = f"{sender_name} posted a message."
        elif channel.type == CHANNEL_DIRECT:
            msg.message = post.message
        else:
            msg.message = f"{sender_name}: {post.message}"
        return msg

    async def send_for_post(self, notice: PostNotice) -> int:
        """Push a new post to every device that should hear of it; how many pushes were sent."""
        return await self._push(await self.plan_for_post(notice))

    async def queue_claimed(self, conn: AsyncConnection, pushes: list[tuple[str, str, PushNotification]]
                            ) -> list[PushQueueItem]:
        """Queue these pushes in the caller's transaction, claimed by this node (which sends them after
        the commit with ``send_items``; if it dies first, the stale claims are sent by the job loop)."""
        now = self.core.now()
        items = self._items(pushes, now)
        await self.core.store.push_notifications.enqueue(items, claimed_by=self.node_id, now=now, conn=conn)
        return items

    async def send_items(self, items: list[PushQueueItem]) -> int:
        return await self._send_items(items) if items else 0

    async def plan_for_post(self, notice: PostNotice) -> list[tuple[str, str, PushNotification]]:
        """(user, device, payload) of every push a new post calls for (reads only)."""
        if not self.client.enabled():
            return []
        post, channel = notice.post, notice.channel
        store = self.core.store
        member_ids = [u for u in await store.channels.member_ids(channel.id) if u != notice.sender.id]
        mentioned, thread = set(notice.mentioned), set(notice.thread_push)
        is_gm = channel.type == CHANNEL_GROUP
        forced = bool(post.props.get(FORCE_NOTIFICATION))
        wanted = []
        users: dict[str, User] = {}
        for start in range(0, len(member_ids), 100):  # a chunk at a time: see NotificationService._deliver
            chunk = member_ids[start:start + 100]
            found = {u.id: u for u in await store.users.get_many(chunk)}
            members: dict[str, ChannelMember] = {
                m.user_id: m
                for m in await store.channels.get_members(channel.id, page=0, per_page=len(chunk), user_ids=chunk)
            }
            for uid in chunk:
                user, member = found.get(uid), members.get(uid)
                if user is None or member is None or user.delete_at or user.is_bot:
                    continue
                told = uid in mentioned or uid in thread
                if forced or notify_props.push_wanted(uid, user.notify_props, member.notify_props, post, told,
                                                       is_gm):
                    wanted.append(uid)
                    users[uid] = user
            await asyncio.sleep(0)
        if not wanted:
            return []
        now = self.core.now()
        statuses = {s.user_id: s for s in await self.statuses.get_many(wanted)}
        wanted = [u for u in wanted
                  if forced or notify_props.push_status_allows(users[u].notify_props, statuses[u], channel.id, now)]
        devices = await store.sessions.devices(wanted, now)
        badges = await store.channels.mention_totals(sorted({u for u, _ in devices}))
        sender_name = notice.sender_name or f"@{notice.sender.username}"
        contents = self._contents()
        pushes = []
        # the plugins' hook sees each user's push once (not once per device), as Mattermost's
        hook = self.will_push if self.hooked() else None
        per_user: dict[str, PushNotification | None] = {}
        for uid, device in devices:
            if uid not in per_user:
                msg: PushNotification | None = self.build_message(post, channel, sender_name, uid in mentioned,
                                                                  contents)
                if hook is not None and msg is not None:
                    msg = await hook(msg, uid, post.type, channel.type)
                per_user[uid] = msg
            planned = per_user[uid]
            if planned is not None:
                one = msgspec.structs.replace(planned)
                one.badge = badges.get(uid, 0)
                pushes.append((uid, device, one))
        return pushes

    async def send_to_user(self, user_id: str, msg: PushNotification) -> int:
        """A push a plugin made (Mattermost's plugin API SendPushNotification): to every device of the user,
        as it is — the plugin respects the push settings and contents itself; how many the proxy took. The
        server id and collapsed threads are filled in (the app finds the server by the first)."""
        if not self.client.enabled():
            return 0
        devices = await self.core.store.sessions.devices([user_id], self.core.now())
        pushes = [(uid, device, msgspec.structs.replace(msg, server_id=self.system.diagnostic_id,
                                                        is_crt_enabled=self.core.crt_on()))
                  for uid, device in devices]
        return await self._push(pushes)

    async def clear(self, user_id: str, channel_id: str) -> int:
        """The user read the channel (on any device): clear its notifications, new badge."""
        return await self._badge_push(user_id, type=PUSH_TYPE_CLEAR, channel_id=channel_id)

    async def update_badge(self, user_id: str) -> int:
        """The user's mention badge changed without a post or a read (a post marked unread): every
        device gets an ``update_badge`` push with the new count (silent: no sound, content-available)."""
        return await self._badge_push(user_id, type=PUSH_TYPE_UPDATE_BADGE, sound="none")

    async def _badge_push(self, user_id: str, **fields: Any) -> int:
        """A silent push carrying the user's current mention badge to each of their devices."""
        if not self.client.enabled():
            return 0
        devices = await self.core.store.sessions.devices([user_id], self.core.now())
        if not devices:
            return 0
        badge = (await self.core.store.channels.mention_totals([user_id])).get(user_id, 0)
        pushes = [(uid, device, PushNotification(badge=badge, cont_ava=1, version=PUSH_MESSAGE_V2,
                                                 server_id=self.system.diagnostic_id,
                                                 is_crt_enabled=self.core.crt_on(), **fields))
                  for uid, device in devices]
        return await self._push(pushes)

    # the durable queue -----------------------------------------------------------------------------

    async def _push(self, pushes: list[tuple[str, str, PushNotification]]) -> int:
        """Queue (user id, device id, payload) claimed by this node and send them now; how many the
        proxy took. What it could not take stays queued for the job loop."""
        if not pushes:
            return 0
        now = self.core.now()
        items = self._items(pushes, now)
        await self.core.store.push_notifications.enqueue(items, claimed_by=self.node_id, now=now)
        return await self._send_items(items)

    @staticmethod
    def _items(pushes: list[tuple[str, str, PushNotification]], now: int) -> list[PushQueueItem]:
        items = []
        for uid, device, msg in pushes:
            msg.platform, msg.device_id = split_device(device)
            msg.ack_id = new_id()
            payload = msgspec.json.encode(msg.to_dict()).decode()
            items.append(PushQueueItem(msg.ack_id, uid, device, payload, now, now))
        return items

    async def _send_items(self, items: list[PushQueueItem]) -> int:
        """Send claimed rows; those the proxy answered leave the queue in one delete at the end
        (a row still there after a crash is sent again: at least once). How many were taken."""
        finished: list[str] = []
        sent = 0
        try:
            for item in items:
                if self.loop.stopping:  # unsent claims expire; another node or the next start sends them
                    break
                outcome = await self._send_item(item)
                if outcome is not None:
                    finished.append(item.id)
                    sent += outcome
        finally:
            await self.core.store.push_notifications.done(self.node_id, finished)
        return sent

    async def _send_item(self, item: PushQueueItem) -> bool | None:
        """Send one claimed row: True (taken) or False (refused for good, or given up) when it is
        finished, None when it was rescheduled for a retry."""
        answer, retryable = await self.client.send_body(item.payload.encode())
        if answer.status == PUSH_STATUS_REMOVE:
            log.info("push device removed", device_id=item.device_id)
            await self.core.store.sessions.clear_device(item.device_id)
            return False
        if answer.status == "OK":
            return True
        now = self.core.now()
        if retryable and now - item.create_at < self.give_up_ms:
            delay = min(self.retry_base_ms * (2 ** item.attempts), self.retry_max_ms)
            await self.core.store.push_notifications.retry(self.node_id, item.id, now + delay, answer.error)
            log.warning("push not sent, will retry", device_id=item.device_id, attempts=item.attempts + 1,
                        error=answer.error)
            self.loop.wake()
            return None
        log.warning("push failed", device_id=item.device_id, attempts=item.attempts + 1, error=answer.error)
        return False

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()

    async def run_once(self) -> int:
        """Claim due rows (retries, and rows a dead node held) and send them; how many were claimed."""
        if self.loop.stopping or not self.client.enabled():
            return 0
        now = self.core.now()
        claimed = await self.core.store.push_notifications.claim(
            self.node_id, now, now - self.claim_ttl_ms, self.batch)
        await self._send_items(claimed)
        return len(claimed)

    # the apps' acknowledgement ---------------------------------------------------------------------

    async def ack(self, ctx: Ctx, ack: PushNotificationAck) -> PushNotification | None:
        """POST /notifications/ack: for an id-loaded push, the content the app may show."""
        where = "pushNotificationAck"
        if not ack.id:
            raise invalid_param(where, "id")
        if not ack.is_id_loaded:
            return None
        try:
            post = await self.core.store.posts.get(ack.post_id)
        except NotFound:
            raise AppError(where, "app.post.get.app_error", "Unable to find the post.", 404) from None
        channel = await self.directory.channel(post.channel_id, where)
        if not await self.perms.can_read_channel(ctx, channel):
            raise permission_denied(where)
        sender: User = await self.directory.user(post.user_id, where)
        contents = CONTENTS_FULL
        msg = self.build_message(post, channel, f"@{sender.username}", True, contents)
        msg.platform = ack.platform
        msg.ack_id = ack.id
        msg.badge = (await self.core.store.channels.mention_totals([ctx.user_id])).get(ctx.user_id, 0)
        return msg

    async def close(self) -> None:
        await self.stop()
        await self.client.close()

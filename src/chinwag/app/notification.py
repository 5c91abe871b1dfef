"""Notifications for a new post: who it mentions (counted in the same transaction as the post), who
follows its thread (the ``posted`` event's ``mentions`` and ``followers``), and — after the commit,
in a background task so the post request never waits — email and push for those who want them."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog

from chinwag.app import notify_props
from chinwag.app.background import BackgroundTasks
from chinwag.app.core import AppCore
from chinwag.app.email_notification import EmailNotificationService
from chinwag.app.mentions import ignores_channel_mentions, message_words, parse_mentions
from chinwag.app.outbox import UnitOfWork, Writer
from chinwag.app.post_notice import PostNotice
from chinwag.app.push_notification import PushNotificationService
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, Channel, ChannelMember
from chinwag.model.post import Post
from chinwag.model.user import STATUS_ONLINE, User
from chinwag.store.errors import NotFound
from chinwag.store.sql.email_notification_store import EmailQueueItem
from chinwag.store.sql.push_notification_store import PushQueueItem

log = structlog.get_logger("chinwag.notifications")

#: recipients read and queued per step of the background work
CHUNK = 100
#: the outbox kind of a post's email and push work
NOTIFY = "notify"


class NotificationService:
    def __init__(
        self,
        core: AppCore,
        email_notifications: EmailNotificationService,
        push_notifications: PushNotificationService,
    ) -> None:
        self.core = core
        self.email_notifications = email_notifications
        self.push_notifications = push_notifications
        self._background = BackgroundTasks("notification")
        core.outbox.handlers[NOTIFY] = self._notify

    # mentions ------------------------------------------------------------------------------------

    async def mentioned(self, post: Post, channel: Channel, sender: User, root: Post | None) -> list[str]:
        """Users the post mentions, sorted: the other side of a DM, everyone else in a group
        message; otherwise channel members named by one of their mention keys, by
        @channel/@all/@here (unless they ignore channel mentions), or — without CRT — by replying
        in a thread they started or took part in (their ``comments`` setting)."""
        store = self.core.store
        if channel.type == CHANNEL_DIRECT:
            return [u for u in channel.name.split("__") if u != sender.id][:1]
        if channel.type == CHANNEL_GROUP:
            return sorted(set(await store.channels.member_ids(channel.id)) - {sender.id})
        found = parse_mentions(post.message)
        named = await self.core.caches.mention_keys.match(store.users, message_words(post.message))
        named.discard(sender.id)
        commented = await self._comment_mentions(root, sender) if root is not None and not self.core.crt_on() else set()
        wide = (found.channel or found.here) and not post.props.get("mentionHighlightDisabled")
        if not (named or commented or wide):
            return []
        if not wide:
            return sorted((named | commented) & set(await store.channels.member_ids(channel.id)))
        # @channel/@all/@here: one narrow query (each member's channel setting) and the in-memory
        # index of accounts that turned channel mentions off — no member or user rows are loaded
        settings = await store.channels.channel_mention_settings(channel.id)
        member_ids = set(settings)
        mentioned = (named | commented) & member_ids
        if wide:
            others = member_ids - {sender.id}
            account_off = await self.core.caches.mention_keys.channel_mentions_off(store.users, others)
            ignore = {
                uid
                for uid in others
                if ignores_channel_mentions({"ignore_channel_mentions": settings[uid]},
                                            {"channel": "false"} if uid in account_off else {})
            }
            candidates = others - ignore
            if found.channel:
                mentioned |= candidates
            else:
                statuses = await store.status.get_many(sorted(candidates))
                mentioned |= {s.user_id for s in statuses if s.status == STATUS_ONLINE}
        return sorted(mentioned)

    async def _comment_mentions(self, root: Post, sender: User) -> set[str]:
        participants = {str(p.get("id")) for p in (root.participants or []) if isinstance(p, dict)}
        ids = (participants | {root.user_id}) - {sender.id}
        if not ids:
            return set()
        users = await self.core.store.users.get_many(sorted(ids))
        return {
            u.id
            for u in users
            if notify_props.comment_mention(u.notify_props, u.id == root.user_id, u.id in participants)
        }

    # followed threads (CRT) ----------------------------------------------------------------------

    async def thread_followers(
        self, post: Post, channel: Channel, sender: User, mentioned: list[str], also: list[str] | None = None
    ) -> tuple[list[str], list[str], list[str]]:
        """For a reply with CRT: the thread's followers (not the poster, not mentioned; ``also``: users
        the reply makes followers) whose ``desktop_threads``/``email_threads``/``push_threads`` say
        "all" — desktop (the ``posted`` event's ``followers``), email and push."""
        if not post.root_id or not self.core.crt_on():
            return [], [], []
        store = self.core.store
        skip = set(mentioned) | {sender.id}
        following = sorted(set(await store.threads.followers(post.root_id)) | set(also or ()))
        ids = [u for u in following if u not in skip]
        if not ids:
            return [], [], []
        found = {u.id: (u, m) for u, m in await store.channels.notification_members(channel.id, ids)}
        desktop: list[str] = []
        email: list[str] = []
        push: list[str] = []
        for uid in ids:
            user, member = found.get(uid, (None, None))
            if user is None or member is None or user.delete_at:
                continue
            props, mprops = user.notify_props, member.notify_props
            if notify_props.thread_level("desktop_threads", props, mprops) == notify_props.ALL:
                desktop.append(uid)
            if notify_props.thread_level("email_threads", props, {}) == notify_props.ALL:
                email.append(uid)
            if notify_props.thread_level("push_threads", props, mprops) == notify_props.ALL:
                push.append(uid)
        return desktop, email, push

    # after the commit ----------------------------------------------------------------------------

    def register(self, uow: UnitOfWork, notice: PostNotice) -> None:
        """Register a saved post's email and push work on its unit of work (an outbox row committed
        with the post): done after the commit by this node, or — if it dies first — by any node, so
        a post's notification rows exist iff the post does. Nothing is registered when neither email
        nor push could come of it."""
        if notice.post.is_system_message():
            return
        email = self.core.cfg.EmailSettings.SendEmailNotifications and (notice.mentioned or notice.thread_email)
        if not email and not self.push_notifications.client.enabled():
            return
        uow.enqueue(NOTIFY, {
            "post_id": notice.post.id, "sender_name": notice.sender_name, "mentioned": notice.mentioned,
            "thread_email": notice.thread_email, "thread_push": notice.thread_push,
        }, local=notice)

    async def _notify(self, payload: dict[str, Any], local: Any) -> Writer | None:
        """The outbox handler of a post's notifications: read who gets what (a chunk of recipients at
        a time: @channel in a large channel concerns a thousand people, and reading them in one go
        would hold the event loop for tens of milliseconds), then write the email and push queue rows
        in the unit of work that deletes the outbox row; pushes are sent after its commit."""
        notice = local if isinstance(local, PostNotice) else await self._notice(payload)
        if notice is None:
            return None
        emails: list[EmailQueueItem] = []
        ids = sorted(set(notice.mentioned) | set(notice.thread_email))
        for start in range(0, len(ids), CHUNK):
            members = await self._members(notice.channel.id, ids[start:start + CHUNK])
            emails += await self.email_notifications.plan_for_post(notice, members)
            await asyncio.sleep(0)  # let waiting requests run between chunks
        pushes = await self.push_notifications.plan_for_post(notice)
        if not emails and not pushes:
            return None

        async def write(uow: UnitOfWork) -> None:
            await self.core.store.email_notifications.enqueue(emails, conn=uow.conn)
            if emails:
                uow.after_commit(self.email_notifications.loop.wake)
            if pushes:
                items = await self.push_notifications.queue_claimed(uow.conn, pushes)
                uow.on_commit(lambda: self._send(items))

        return write

    async def _send(self, items: list[PushQueueItem]) -> None:
        await self.push_notifications.send_items(items)

    async def _notice(self, payload: dict[str, Any]) -> PostNotice | None:
        """A post's notice rebuilt from its outbox row (another node committed it)."""
        store = self.core.store
        try:
            post = await store.posts.get(str(payload["post_id"]))
            channel = await store.channels.get(post.channel_id)
            sender = await store.users.get(post.user_id)
        except NotFound:
            return None
        return PostNotice(post, channel, sender, str(payload.get("sender_name") or ""),
                          list(payload.get("mentioned") or []), thread_email=list(payload.get("thread_email") or []),
                          thread_push=list(payload.get("thread_push") or []))

    def channels_viewed(self, user_id: str, channel_ids: list[str]) -> None:
        """A user read channels: their devices clear those channels' notifications."""
        push = self.push_notifications
        if push.client.enabled():
            for cid in channel_ids:
                self.spawn(push.clear(user_id, cid), "push clear")

    def badge_changed(self, user_id: str) -> None:
        """The user's mention badge changed other than by a post or a read (a post marked unread):
        their devices get an ``update_badge`` push."""
        push = self.push_notifications
        if push.client.enabled():
            self.spawn(push.update_badge(user_id), "push badge")

    async def _members(self, channel_id: str, ids: list[str]) -> dict[str, tuple[User, ChannelMember]]:
        """Accounts (partial: what the email work reads) and channel memberships of ``ids``."""
        if not ids:
            return {}
        return {u.id: (u, m) for u, m in await self.core.store.channels.notification_members(channel_id, ids)}

    # background tasks ----------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        self._background.spawn(coro, what)

    async def drain(self) -> None:
        """Wait for running background work, the outbox relay's included (tests and shutdown)."""
        while self._background.tasks or self.core.outbox.working():
            await self._background.drain()
            await self.core.outbox.drain_work()

    async def close(self) -> None:
        await self.drain()

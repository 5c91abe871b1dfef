"""Notifications for a new post: who it mentions (counted in the same transaction as the post), who
follows its thread (the ``posted`` event's ``mentions`` and ``followers``), and — after the commit,
in a background task so the post request never waits — email and push for those who want them."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog

from chinwag.app import notify_props as NP
from chinwag.app.background import BackgroundTasks
from chinwag.app.core import AppCore
from chinwag.app.mentions import ignores_channel_mentions, message_words, parse_mentions
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, Channel, ChannelMember
from chinwag.model.post import Post
from chinwag.model.user import STATUS_ONLINE, User

if TYPE_CHECKING:
    from chinwag.app.app import App

log = structlog.get_logger("chinwag.notifications")

#: recipients read and queued per step of the background work
CHUNK = 100


@dataclass
class PostNotice:
    """What the background notification work needs about one saved post."""

    post: Post
    channel: Channel
    sender: User
    sender_name: str
    mentioned: list[str]
    #: followers of the thread (CRT) who are not mentioned, per channel: email / push wanted
    thread_email: list[str] = field(default_factory=list)
    thread_push: list[str] = field(default_factory=list)


class NotificationService:
    def __init__(self, core: AppCore) -> None:
        self.core = core
        self._background = BackgroundTasks("notification")

    @property
    def _app(self) -> App:
        assert self.core.app is not None
        return self.core.app

    def crt_on(self) -> bool:
        return self.core.cfg.ServiceSettings.CollapsedThreads in ("always_on", "default_on")

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
        commented = await self._comment_mentions(root, sender) if root is not None and not self.crt_on() else set()
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
            if NP.comment_mention(u.notify_props, u.id == root.user_id, u.id in participants)
        }

    # followed threads (CRT) ----------------------------------------------------------------------

    async def thread_followers(
        self, post: Post, channel: Channel, sender: User, mentioned: list[str]
    ) -> tuple[list[str], list[str], list[str]]:
        """For a reply with CRT: the thread's followers (not the poster, not mentioned) whose
        ``desktop_threads``/``email_threads``/``push_threads`` say "all" — desktop (the ``posted``
        event's ``followers``), email and push."""
        if not post.root_id or not self.crt_on():
            return [], [], []
        store = self.core.store
        skip = set(mentioned) | {sender.id}
        ids = [u for u in await store.threads.followers(post.root_id) if u not in skip]
        if not ids:
            return [], [], []
        users = {u.id: u for u in await store.users.get_many(ids)}
        members = {
            m.user_id: m
            for m in await store.channels.get_members(channel.id, page=0, per_page=len(ids), user_ids=ids)
        }
        desktop: list[str] = []
        email: list[str] = []
        push: list[str] = []
        for uid in ids:
            user, member = users.get(uid), members.get(uid)
            if user is None or member is None or user.delete_at:
                continue
            props, mprops = user.notify_props, member.notify_props
            if NP.thread_level("desktop_threads", props, mprops) == NP.ALL:
                desktop.append(uid)
            if NP.thread_level("email_threads", props, {}) == NP.ALL:
                email.append(uid)
            if NP.thread_level("push_threads", props, mprops) == NP.ALL:
                push.append(uid)
        return desktop, email, push

    # after the commit ----------------------------------------------------------------------------

    def post_saved(self, notice: PostNotice) -> None:
        """Hand the email/push work for a saved post to a background task."""
        if notice.post.is_system_message():
            return
        self.spawn(self._deliver(notice), "notify")

    def channels_viewed(self, user_id: str, channel_ids: list[str]) -> None:
        """A user read channels: their devices clear those channels' notifications."""
        push = self._app.push_notifications
        if push.client.enabled():
            for cid in channel_ids:
                self.spawn(push.clear(user_id, cid), "push clear")

    def badge_changed(self, user_id: str) -> None:
        """The user's mention badge changed other than by a post or a read (a post marked unread):
        their devices get an ``update_badge`` push."""
        push = self._app.push_notifications
        if push.client.enabled():
            self.spawn(push.update_badge(user_id), "push badge")

    async def _deliver(self, notice: PostNotice) -> None:
        """Email and push for a saved post, a chunk of recipients at a time: @channel in a large
        channel concerns a thousand people, and reading and queueing them in one go would hold the
        event loop (and the requests waiting on it) for tens of milliseconds."""
        ids = sorted(set(notice.mentioned) | set(notice.thread_email))
        for start in range(0, len(ids), CHUNK):
            members = await self._members(notice.channel.id, ids[start:start + CHUNK])
            await self._app.email_notifications.enqueue_for_post(notice, members)
            await asyncio.sleep(0)  # let waiting requests run between chunks
        await self._app.push_notifications.send_for_post(notice)

    async def _members(self, channel_id: str, ids: list[str]) -> dict[str, tuple[User, ChannelMember]]:
        """Accounts (partial: what the email work reads) and channel memberships of ``ids``."""
        if not ids:
            return {}
        store = self.core.store
        users = {u.id: u for u in await store.users.notification_accounts(ids)}
        members = await store.channels.get_members(channel_id, page=0, per_page=len(ids), user_ids=ids)
        return {m.user_id: (users[m.user_id], m) for m in members if m.user_id in users}

    # background tasks ----------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        self._background.spawn(coro, what)

    async def drain(self) -> None:
        """Wait for running background work (tests and shutdown)."""
        await self._background.drain()

    async def close(self) -> None:
        await self.drain()

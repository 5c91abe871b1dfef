"""Read receipts (chinwag's own, beyond Mattermost): who has seen a post in a DM, a group message or
a channel of at most ``ServiceSettings.ReadReceiptsMaxChannelMembers`` members.

Nothing is written per post: a member has seen a post when their channel ``last_viewed_at`` is at or
after the post's ``create_at``. Receipts are opt-in twice: the server (``ServiceSettings.
EnableReadReceipts``) and each user (preference ``chinwag``/``read_receipts`` = ``"true"``). A user
who has not turned them on is never shown as a reader and sees no one else's reads.

- ``GET /api/v4/posts/{post_id}/receipts``: for the post's author, the other members who have seen it.
- The ``read_receipt`` WebSocket event (``channel_id``, ``user_id``, ``seen_at``) goes to the other
  opted-in members of a qualifying channel when an opted-in member views it (in a background task,
  so viewing a channel never waits for it)."""

from __future__ import annotations

from typing import Any

import msgspec
import structlog

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.notification import NotificationService
from chinwag.app.permissions import PermissionService
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, Channel
from chinwag.model.errors import AppError, permission_denied
from chinwag.platform.events import Broadcast, Event

log = structlog.get_logger("chinwag.receipts")

PREF_CATEGORY = "chinwag"
PREF_NAME = "read_receipts"
EVENT = "read_receipt"


class ReadReceipt(msgspec.Struct):
    user_id: str
    seen_at: int


@service
class ReadReceiptService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    notifications: NotificationService

    def enabled(self) -> bool:
        return self.core.cfg.ServiceSettings.EnableReadReceipts

    async def opted_in(self, user_ids: list[str]) -> set[str]:
        values = await self.core.store.preferences.values_for(user_ids, PREF_CATEGORY, PREF_NAME)
        return {u for u, v in values.items() if v == "true"}

    async def qualifies(self, channel: Channel) -> bool:
        """DMs and group messages always; other channels up to the configured member count."""
        if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
            return True
        limit = self.core.cfg.ServiceSettings.ReadReceiptsMaxChannelMembers
        return 0 < await self.core.store.channels.count_members(channel.id) <= limit

    # the API ---------------------------------------------------------------------------------------

    async def for_post(self, ctx: Ctx, post_id: str) -> list[ReadReceipt]:
        """The other members who have seen ``post_id``, earliest first; only for its author."""
        where = "getPostReceipts"
        if not self.enabled():
            raise AppError(where, "api.post.receipts.disabled.app_error",
                           "Read receipts are disabled on this server.", 501)
        post = await self.directory.post(post_id, where)
        channel = await self.directory.channel(post.channel_id, where)
        if not await self.perms.can_read_channel(ctx, channel):
            raise permission_denied(where)
        if post.user_id != ctx.user_id:
            raise AppError(where, "api.post.receipts.not_author.app_error",
                           "Only the author of a post can see who has read it.", 403)
        if ctx.user_id not in await self.opted_in([ctx.user_id]):
            raise AppError(where, "api.post.receipts.user_disabled.app_error",
                           "Turn read receipts on in your settings to see who has read your messages.", 403)
        if not await self.qualifies(channel):
            raise AppError(where, "api.post.receipts.channel_too_large.app_error",
                           "Read receipts are only kept for direct messages and small channels.", 400,
                           f"max_members={self.core.cfg.ServiceSettings.ReadReceiptsMaxChannelMembers}")
        store = self.core.store
        others = [u for u in await store.channels.member_ids(channel.id) if u != post.user_id]
        readers = await self.opted_in(others)
        if not readers:
            return []
        members = await store.channels.get_members(channel.id, page=0, per_page=len(readers),
                                                   user_ids=sorted(readers))
        seen = [ReadReceipt(m.user_id, m.last_viewed_at) for m in members if m.last_viewed_at >= post.create_at]
        return sorted(seen, key=lambda r: (r.seen_at, r.user_id))

    # events ----------------------------------------------------------------------------------------

    def viewed(self, user_id: str, channel_times: dict[str, int]) -> None:
        """A user viewed channels (``last_viewed_at`` per channel): tell the other opted-in members."""
        if self.enabled() and channel_times:
            self.notifications.spawn(self._announce(user_id, dict(channel_times)), "read receipts")

    async def _announce(self, user_id: str, channel_times: dict[str, int]) -> None:
        if user_id not in await self.opted_in([user_id]):
            return
        store = self.core.store
        for channel_id, seen_at in sorted(channel_times.items()):
            channel = await self.directory.cached_channel(channel_id)
            if channel is None or channel.delete_at or not await self.qualifies(channel):
                continue
            others = [u for u in await store.channels.member_ids(channel_id) if u != user_id]
            data: dict[str, Any] = {"channel_id": channel_id, "user_id": user_id, "seen_at": seen_at}
            for other in sorted(await self.opted_in(others)):
                self.core.publish(Event(EVENT, data, Broadcast(user_id=other)))

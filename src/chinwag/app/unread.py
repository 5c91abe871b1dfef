"""Marking a channel (and a thread) unread from a post: Mattermost's "Mark as Unread"."""

from __future__ import annotations

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.mentions import ignores_channel_mentions, mentions_user, user_keys
from chinwag.app.notification import NotificationService
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, Channel, ChannelMember, ChannelUnreadAt
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.post import Post
from chinwag.model.user import User
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound

_PAGE = 200


@service
class UnreadService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    notifications: NotificationService

    def is_mention(self, post: Post, user: User, channel: Channel, member: ChannelMember) -> bool:
        """Whether ``post`` counts as a mention of ``user`` (as it did when it was posted)."""
        if post.user_id == user.id or post.is_system_message():
            return False
        if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
            return True
        ignore = ignores_channel_mentions(member.notify_props, user.notify_props)
        keys = user_keys(user.username, user.first_name, user.notify_props)
        return mentions_user(post.message, post.props, keys, ignore)

    async def _posts_from(self, post: Post) -> list[Post]:
        """Every post of the channel created at ``post``'s time or later (``post`` included): what
        reads as unread once the read position is just before it. Oldest first."""
        out: list[Post] = []
        store = self.core.store.posts
        page = 0
        while True:
            # (create_at, "") as the cursor: every post of that millisecond is after it
            batch = await store.after(post.channel_id, post.create_at, "", page, _PAGE, False)
            out += reversed(batch)
            if len(batch) < _PAGE:
                return out
            page += 1

    async def mark_unread_from_post(self, ctx: Ctx, user_id: str, post_id: str) -> ChannelUnreadAt:
        """POST /users/{id}/posts/{id}/set_unread: the channel reads as unread from this post on;
        for a reply, its thread too (followed again if need be)."""
        where = "setPostUnread"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        post = await self.directory.post(post_id, where)
        channel = await self.directory.channel(post.channel_id, where)
        await self.perms.require_channel(ctx, channel.id, permissions.READ_CHANNEL, where, channel.team_id)
        try:
            member = await self.core.store.channels.get_member(channel.id, user_id)
        except NotFound:
            raise AppError(
                where,
                "app.channel.get_member.missing.app_error",
                "No channel member found for that user ID and channel ID.",
                404,
            ) from None
        user = await self.directory.user(user_id, where)
        later = await self._posts_from(post)
        mentions = [p for p in later if self.is_mention(p, user, channel, member)]
        urgent = [p for p in mentions if (p.metadata.get("priority") or {}).get("priority") == "urgent"]
        last_viewed = post.create_at - 1
        unread = await self.core.store.posts.count_after(channel.id, last_viewed)
        counts = (len(mentions), sum(1 for p in mentions if not p.root_id), len(urgent))
        now = self.core.now()
        await self.core.store.channels.set_unread(
            user_id, channel.id, last_viewed_at=last_viewed, unread=unread, mentions=counts, now=now
        )
        if post.root_id:
            thread_mentions = sum(1 for p in mentions if p.root_id == post.root_id)
            await self.core.store.threads.ensure_membership(user_id, post.root_id, True, now)
            await self.core.store.threads.set_unread(user_id, post.root_id, last_viewed, thread_mentions, now)
        member = await self.core.store.channels.get_member(channel.id, user_id)
        state = ChannelUnreadAt(
            team_id=channel.team_id,
            user_id=user_id,
            channel_id=channel.id,
            msg_count=member.msg_count,
            mention_count=member.mention_count,
            mention_count_root=member.mention_count_root,
            urgent_mention_count=member.urgent_mention_count,
            msg_count_root=member.msg_count_root,
            last_viewed_at=member.last_viewed_at,
            notify_props=member.notify_props,
        )
        data = {k: v for k, v in state.to_dict().items() if k not in ("notify_props", "user_id")}
        self.core.publish(Event("post_unread", {**data, "post_id": post.id}, Broadcast(user_id=user_id)))
        self.notifications.badge_changed(user_id)
        return state

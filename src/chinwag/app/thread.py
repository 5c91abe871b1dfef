"""Collapsed Reply Threads: the Threads view, follow/unfollow, read state."""

from __future__ import annotations

from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.permissions import PermissionService
from chinwag.app.post_list import PostListService
from chinwag.app.unread import UnreadService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.post import Post, ThreadResponse
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound
from chinwag.store.sql.thread_store import ThreadRow


@service
class ThreadService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    post_lists: PostListService
    unreads: UnreadService

    async def _check(self, ctx: Ctx, user_id: str, team_id: str, where: str) -> None:
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        if not is_valid_id(team_id):
            raise invalid_param(where, "team_id")
        await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)

    async def _responses(self, ctx: Ctx, user_id: str, rows: list[ThreadRow], extended: bool) -> list[ThreadResponse]:
        posts = {
            p.id: p
            for p in await self.core.store.posts.get_many([r.post_id for r in rows], include_deleted=True)
        }
        prepared = {
            p.id: p
            for p in await self.post_lists.prepare(
                ctx, list(posts.values()), collapsed=True, extended=False,
                # the rows are the user's memberships of these threads: whether they follow each is known
                following={r.post_id: r.following for r in rows} if ctx.user_id == user_id else None,
            )
        }
        users: dict[str, dict[str, Any]] = {}
        if extended:
            ids = sorted({u for r in rows for u in r.participants})
            users = {
                u.id: u.to_dict()
                for u in self.perms.sanitize_users(ctx, await self.directory.users(ids))
            }
        out = []
        for r in rows:
            post = prepared.get(r.post_id)
            if post is None:
                continue
            out.append(
                ThreadResponse(
                    id=r.post_id,
                    reply_count=r.reply_count,
                    last_reply_at=r.last_reply_at,
                    last_viewed_at=r.last_viewed,
                    participants=[users.get(u, {"id": u}) for u in r.participants],
                    post=post,
                    unread_replies=r.unread_replies,
                    unread_mentions=r.unread_mentions,
                    delete_at=r.delete_at,
                )
            )
        return out

    async def list_threads(
        self,
        ctx: Ctx,
        user_id: str,
        team_id: str,
        *,
        per_page: int = 25,
        before: str = "",
        after: str = "",
        since: int = 0,
        extended: bool = False,
        deleted: bool = False,
        unread: bool = False,
        totals_only: bool = False,
        threads_only: bool = False,
    ) -> dict[str, Any]:
        await self._check(ctx, user_id, team_id, "getThreadsForUser")
        result: dict[str, Any] = {
            "total": 0,
            "total_unread_threads": 0,
            "total_unread_mentions": 0,
            "total_unread_urgent_mentions": 0,
            "threads": [],
        }
        store = self.core.store.threads
        if not threads_only and not totals_only and per_page > 0 and not (before or after or since or unread):
            # the first page over every thread it counts: the page and the totals in one statement
            rows, t = await store.first_page_with_totals(user_id, team_id, per_page, deleted)
            result.update(total=t.total, total_unread_threads=t.total_unread_threads,
                          total_unread_mentions=t.total_unread_mentions,
                          threads=[r.to_dict() for r in await self._responses(ctx, user_id, rows, extended)])
            return result
        if not threads_only:
            t = await store.totals(user_id, team_id, deleted)
            result.update(
                total=t.total,
                total_unread_threads=t.total_unread_threads,
                total_unread_mentions=t.total_unread_mentions,
            )
        if not totals_only:
            rows = await store.list_for_user(
                user_id,
                team_id,
                per_page=per_page,
                before=before,
                after=after,
                since=since,
                unread_only=unread,
                include_deleted=deleted,
            )
            result["threads"] = [r.to_dict() for r in await self._responses(ctx, user_id, rows, extended)]
        return result

    async def get(
        self, ctx: Ctx, user_id: str, team_id: str, thread_id: str, extended: bool = False
    ) -> ThreadResponse:
        where = "getThreadForUser"
        await self._check(ctx, user_id, team_id, where)
        try:
            row = await self.core.store.threads.get_for_user(user_id, thread_id)
        except NotFound:
            raise AppError(
                where, "app.user.get_threads_for_user.not_found", "Thread not found.", 404
            ) from None
        return (await self._responses(ctx, user_id, [row], extended))[0]

    async def _readable_root(self, ctx: Ctx, thread_id: str, where: str) -> None:
        if not is_valid_id(thread_id):
            raise invalid_param(where, "thread_id")
        post = await self.directory.post(thread_id, where)
        await self.perms.readable_channel(ctx, post.channel_id, where)

    async def import_followers(self, followers: list[tuple[str, str, int, int]], now: int) -> None:
        """Imported thread followers — (user id, root id, last viewed, unread mentions) — in one unit of
        work; no event (an import's read state)."""
        if not followers:
            return
        threads = self.core.store.threads
        async with self.core.unit_of_work() as uow:
            for uid, root_id, last_viewed, unread in followers:
                await threads.ensure_membership(uid, root_id, True, now, uow.conn)
                if unread:
                    await threads.set_unread(uid, root_id, last_viewed, unread, now, uow.conn)
                elif last_viewed:
                    await threads.mark_read(uid, root_id, last_viewed, now, uow.conn)

    async def mark_read(
        self, ctx: Ctx, user_id: str, team_id: str, thread_id: str, timestamp: int
    ) -> ThreadResponse:
        where = "updateReadStateThreadByUser"
        await self._check(ctx, user_id, team_id, where)
        await self._readable_root(ctx, thread_id, where)
        before = await self._row(user_id, thread_id)
        await self.core.store.threads.mark_read(user_id, thread_id, timestamp, self.core.now())
        after = await self.get(ctx, user_id, team_id, thread_id)
        post = await self.directory.post(thread_id, where)
        self.core.publish(
            Event(
                "thread_read_changed",
                {
                    "thread_id": thread_id,
                    "channel_id": post.channel_id,
                    "timestamp": timestamp,
                    "unread_mentions": after.unread_mentions,
                    "unread_replies": after.unread_replies,
                    "previous_unread_mentions": before.unread_mentions if before else 0,
                    "previous_unread_replies": before.unread_replies if before else 0,
                },
                Broadcast(user_id=user_id, team_id=team_id),
            )
        )
        return after

    async def _row(self, user_id: str, thread_id: str) -> ThreadRow | None:
        try:
            return await self.core.store.threads.get_for_user(user_id, thread_id)
        except NotFound:
            return None

    async def set_unread(
        self, ctx: Ctx, user_id: str, team_id: str, thread_id: str, post_id: str
    ) -> ThreadResponse:
        where = "setUnreadThreadByPostId"
        await self._check(ctx, user_id, team_id, where)
        await self._readable_root(ctx, thread_id, where)
        post = await self.directory.post(post_id, where)
        if (post.root_id or post.id) != thread_id:
            raise invalid_param(where, "post_id")
        mentions = await self._mentions_from(user_id, post)
        await self.core.store.threads.ensure_membership(user_id, thread_id, True, self.core.now())
        await self.core.store.threads.set_unread(
            user_id, thread_id, post.create_at - 1, mentions, self.core.now()
        )
        return await self.get(ctx, user_id, team_id, thread_id)

    async def _mentions_from(self, user_id: str, post: Post) -> int:
        """Replies of ``post``'s thread, from ``post`` on, that mention the user."""
        store = self.core.store
        channel = await self.directory.channel(post.channel_id)
        try:
            member = await store.channels.get_member(channel.id, user_id)
        except NotFound:
            return 0
        user = await self.directory.user(user_id)
        replies = [
            p
            for p in await store.posts.thread(post.root_id or post.id)
            if p.root_id and p.create_at >= post.create_at
        ]
        return sum(1 for p in replies if self.unreads.is_mention(p, user, channel, member))

    async def mark_all_read(self, ctx: Ctx, user_id: str, team_id: str) -> None:
        await self._check(ctx, user_id, team_id, "updateReadStateAllThreadsByUser")
        async with self.core.unit_of_work() as uow:
            await self.core.store.threads.mark_all_read(user_id, team_id, self.core.now(), uow.conn)
            uow.publish(Event("thread_read_changed", {}, Broadcast(user_id=user_id, team_id=team_id)))

    async def set_following(self, ctx: Ctx, user_id: str, team_id: str, thread_id: str, state: bool) -> None:
        where = "followThreadByUser" if state else "unfollowThreadByUser"
        await self._check(ctx, user_id, team_id, where)
        await self._readable_root(ctx, thread_id, where)
        try:
            reply_count = (await self.core.store.threads.get_thread(thread_id))[0]
        except NotFound:
            reply_count = 0
        async with self.core.unit_of_work() as uow:
            await self.core.store.threads.ensure_membership(user_id, thread_id, state, self.core.now(), uow.conn)
            uow.publish(Event("thread_follow_changed",
                              {"thread_id": thread_id, "state": state, "reply_count": reply_count},
                              Broadcast(user_id=user_id, team_id=team_id)))

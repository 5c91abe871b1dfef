"""Channel feeds, threads, pinned and flagged lists, and preparing posts for clients."""

from __future__ import annotations

from dataclasses import dataclass

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.file import FileService
from chinwag.app.link_preview import LinkPreviewService
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param, invalid_url_param, permission_denied
from chinwag.model.ids import is_valid_id
from chinwag.model.post import Post, PostList
from chinwag.store.errors import NotFound

SINCE_LIMIT = 1000



@dataclass
class FeedQuery:
    page: int = 0
    per_page: int = 60
    since: int = 0
    before: str = ""
    after: str = ""
    skip_fetch_threads: bool = False
    collapsed_threads: bool = False
    collapsed_threads_extended: bool = False
    include_deleted: bool = False


@service
class PostListService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    files: FileService
    links: LinkPreviewService

    async def embed_new(self, post: Post) -> None:
        """A new post's link preview, fetched now (Mattermost: PreparePostForClient with isNewPost)."""
        await self.links.add_embeds([post], fetch=True)

    async def prepare(
        self, ctx: Ctx, posts: list[Post], *, collapsed: bool = False, extended: bool = False,
        following: dict[str, bool] | None = None,
    ) -> list[Post]:
        """Mattermost's PreparePostForClient: metadata (reactions), thread fields. ``following``: the
        caller's thread follows when the posts' query already read them (else looked up here)."""
        store = self.core.store
        with_reactions = [p.id for p in posts if p.has_reactions]
        reactions = await store.reactions.for_posts(with_reactions) if with_reactions else {}
        if following is None:
            following = {}
            if collapsed and ctx.user_id:
                following = await store.threads.memberships_for(
                    ctx.user_id, [p.id for p in posts if not p.root_id]
                )
        users: dict[str, dict[str, object]] = {}
        if collapsed and extended:
            ids = {u["id"] for p in posts if p.participants for u in p.participants}
            for u in self.perms.sanitize_users(ctx, await self.directory.users(sorted(ids))):
                users[u.id] = u.to_dict()
        for p in posts:
            meta = dict(p.metadata)
            if p.id in reactions:
                meta["reactions"] = [r.to_dict() for r in reactions[p.id]]
            p.metadata = meta
            if not p.root_id:
                if collapsed:
                    p.is_following = following.get(p.id, False)
                    if extended and p.participants:
                        p.participants = [users.get(str(u["id"]), u) for u in p.participants]
                elif p.reply_count == 0:
                    p.participants = None
            else:
                p.participants = None
            if p.delete_at:
                p.message = ""
                p.file_ids = []
        await self.files.add_metadata(posts)
        await self.links.add_embeds(posts)
        return posts

    def _collapsed(self, requested: bool) -> bool:
        mode = self.core.cfg.ServiceSettings.CollapsedThreads
        if mode == "disabled":
            return False
        return requested

    async def for_channel(self, ctx: Ctx, channel_id: str, q: FeedQuery) -> PostList:
        where = "getPostsForChannel"
        if not is_valid_id(channel_id):
            raise invalid_param(where, "channel_id")
        # only the permission facts (type, team, deletion) are read: the channel cache has them current
        channel = await self.directory.cached_channel(channel_id) or await self.directory.channel(channel_id, where)
        if not await self.perms.can_read_channel(ctx, channel):
            raise permission_denied(where)
        store = self.core.store.posts
        collapsed = self._collapsed(q.collapsed_threads)
        pl = PostList()
        # collapsed: the caller's thread follows come with the posts
        follower = ctx.user_id if collapsed else ""
        if q.since:
            feed = await store.since(channel_id, q.since, collapsed, SINCE_LIMIT, follower)
            pl.has_next = len(feed.posts) > SINCE_LIMIT
            await self._fill(ctx, pl, feed.posts[:SINCE_LIMIT], channel_id, q, collapsed, following=feed.following)
            return pl
        if q.before or q.after:
            anchor_id = q.before or q.after
            if not is_valid_id(anchor_id):
                raise invalid_param(where, "before" if q.before else "after")
            # one statement: the posts beyond the cursor (Mattermost compares with its create_at in a
            # subquery: no such post, no posts), the ones just beyond the page, the follows
            feed = await store.around_post(channel_id, anchor_id, bool(q.before), q.page, q.per_page, collapsed,
                                           follower)
            await self._fill(ctx, pl, feed.posts, channel_id, q, collapsed, following=feed.following)
            # Mattermost's AddCursorIdsForPostList: on the first page the cursor itself is the neighbour
            # on its side; without posts nothing is beyond the far side
            if q.before:
                newer = q.before if q.page == 0 else (feed.newer_id if feed.posts else "")
                older = feed.older_id if feed.posts else ""
            else:
                older = q.after if q.page == 0 else (feed.older_id if feed.posts else "")
                newer = feed.newer_id if feed.posts else ""
            pl.next_post_id, pl.prev_post_id = newer, older
            return pl
        if not (q.include_deleted and self.perms.is_system_admin(ctx)):
            # one statement: the page, the posts just beyond it, the follows
            page, newer, older = await store.page_window(channel_id, q.page, q.per_page, collapsed, follower)
            posts = page.posts
            await self._fill(ctx, pl, posts, channel_id, q, collapsed, following=page.following)
            if posts:
                pl.next_post_id, pl.prev_post_id = newer, older
            return pl
        else:
            posts = await store.page(channel_id, q.page, q.per_page, collapsed, True)
        await self._fill(ctx, pl, posts, channel_id, q, collapsed)
        await self._cursors(pl, posts, channel_id, q, collapsed)
        return pl

    async def around_last_unread(
        self, ctx: Ctx, user_id: str, channel_id: str, limit_before: int, limit_after: int, q: FeedQuery
    ) -> PostList:
        """GET /users/{id}/channels/{id}/posts/unread: the first unread post with ``limit_before``
        posts before it and up to ``limit_after`` (itself included) from it on; with nothing unread
        (or never viewed), the newest ``limit_before`` posts. Cursors as for a page."""
        where = "getPostsForChannelAroundLastUnread"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        await self.perms.readable_channel(ctx, channel_id, where, cached=True)
        if limit_after <= 0:
            raise invalid_url_param(where, "limit_after")
        collapsed = self._collapsed(q.collapsed_threads)
        # one statement: the read position, the posts on both sides of it, the cursors beyond them
        # and (collapsed) the caller's thread follows
        found = await self.core.store.posts.around_read_position(
            channel_id, user_id, limit_before, limit_after, collapsed, ctx.user_id if collapsed else "")
        pl = PostList()
        if found is None:  # no post came back: no membership, or nothing to show
            try:
                await self.core.store.channels.get_member(channel_id, user_id)
            except NotFound:
                raise AppError(
                    where,
                    "app.channel.get_member.missing.app_error",
                    "No channel member found for that user ID and channel ID.",
                    404,
                ) from None
            await self._fill(ctx, pl, [], channel_id, q, collapsed)
            return pl
        await self._fill(ctx, pl, found.posts, channel_id, q, collapsed,
                         following=found.following if collapsed and ctx.user_id else None)
        pl.next_post_id, pl.prev_post_id = found.next_post_id, found.prev_post_id
        return pl

    async def _fill(
        self, ctx: Ctx, pl: PostList, posts: list[Post], channel_id: str, q: FeedQuery, collapsed: bool,
        following: dict[str, bool] | None = None,
    ) -> None:
        extra: list[Post] = []
        if not collapsed:
            # Mattermost's getParentsPosts: the roots of the page's replies come along (not in
            # `order`); without skipFetchThreads, so do the rest of those threads.
            roots = sorted({p.root_id for p in posts if p.root_id})
            have = {p.id for p in posts}
            if q.skip_fetch_threads:
                found = await self.core.store.posts.get_many([r for r in roots if r not in have])
            else:
                found = await self.core.store.posts.threads_of(channel_id, roots)
            extra = [p for p in found if p.id not in have and p.channel_id == channel_id]
        prepared = await self.prepare(
            ctx, posts + extra, collapsed=collapsed, extended=q.collapsed_threads_extended, following=following
        )
        pl.order = [p.id for p in posts]
        pl.posts = {p.id: p for p in prepared}

    async def _cursors(
        self, pl: PostList, posts: list[Post], channel_id: str, q: FeedQuery, collapsed: bool
    ) -> None:
        """Mattermost's AddCursorIdsForPostList."""
        store = self.core.store.posts
        next_set = prev_set = False
        next_id = prev_id = ""
        if q.after:
            if q.page == 0:
                prev_id, prev_set = q.after, True
            if not posts:
                next_set = True
        elif q.before:
            if q.page == 0:
                next_id, next_set = q.before, True
            if not posts:
                prev_set = True
        if not posts:
            pl.next_post_id, pl.prev_post_id = next_id, prev_id
            return
        newest, oldest = posts[0], posts[-1]
        if not next_set:
            next_id = await store.neighbour_id(channel_id, newest.create_at, newest.id, True, collapsed)
        if not prev_set:
            prev_id = await store.neighbour_id(channel_id, oldest.create_at, oldest.id, False, collapsed)
        pl.next_post_id, pl.prev_post_id = next_id, prev_id

    async def thread(
        self,
        ctx: Ctx,
        post_id: str,
        *,
        collapsed: bool = False,
        extended: bool = False,
        per_page: int = 0,
        from_create_at: int = 0,
        direction: str = "",
    ) -> PostList:
        where = "getPostThread"
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        # one statement: the post's thread (the post among it unless deleted or missing) and, collapsed,
        # whether the caller follows it; the permission is checked before anything is answered
        feed = await self.core.store.posts.thread_of(post_id, ctx.user_id if collapsed else "")
        post = next((p for p in feed.posts if p.id == post_id), None)
        if post is None:
            post = await self.directory.post(post_id, where)  # the 404 (or a post deleted meanwhile)
            feed = await self.core.store.posts.thread_page(post.root_id or post.id, ctx.user_id if collapsed else "")
        channel = await self.directory.cached_channel(post.channel_id) or \
            await self.directory.channel(post.channel_id, where)  # permission facts only, as above
        if not await self.perms.can_read_channel(ctx, channel):
            raise permission_denied(where)
        root_id = post.root_id or post.id
        posts = feed.posts
        root = [p for p in posts if p.id == root_id]
        replies = sorted((p for p in posts if p.id != root_id), key=lambda p: (p.create_at, p.id))
        has_next = False
        if per_page > 0:
            if direction == "up":
                replies = [r for r in replies if not from_create_at or r.create_at < from_create_at]
                has_next = len(replies) > per_page
                replies = replies[-per_page:]
            else:
                replies = [r for r in replies if not from_create_at or r.create_at > from_create_at]
                has_next = len(replies) > per_page
                replies = replies[:per_page]
        ordered = sorted(root + replies, key=lambda p: (p.create_at, p.id), reverse=True)
        prepared = await self.prepare(ctx, ordered, collapsed=collapsed, extended=extended,
                                      following=feed.following if collapsed and ctx.user_id else None)
        pl = PostList(order=[p.id for p in prepared], posts={p.id: p for p in prepared}, has_next=has_next)
        return pl

    async def pinned(self, ctx: Ctx, channel_id: str) -> PostList:
        await self.perms.readable_channel(ctx, channel_id, "getPinnedPosts")
        posts = await self.prepare(ctx, await self.core.store.posts.pinned(channel_id))
        return PostList(order=[p.id for p in posts], posts={p.id: p for p in posts})

    async def flagged(
        self,
        ctx: Ctx,
        user_id: str,
        channel_id: str = "",
        team_id: str = "",
        page: int = 0,
        per_page: int = 60,
    ) -> PostList:
        where = "getFlaggedPosts"
        self.perms.require_self_or_system(ctx, user_id, "manage_system", where)
        prefs = await self.core.store.preferences.get_all(user_id, "flagged_post")
        ids = [p.name for p in prefs if p.value == "true" and is_valid_id(p.name)]
        posts = await self.core.store.posts.get_many(ids)
        readable: list[Post] = []
        channels: dict[str, bool] = {}
        for p in posts:
            if channel_id and p.channel_id != channel_id:
                continue
            if p.channel_id not in channels:
                ch = await self.directory.channel(p.channel_id)
                ok = await self.core.store.channels.is_member(ch.id, user_id)
                channels[p.channel_id] = ok and (not team_id or ch.team_id in (team_id, ""))
            if channels[p.channel_id]:
                readable.append(p)
        readable.sort(key=lambda p: (p.create_at, p.id), reverse=True)
        readable = readable[page * per_page : (page + 1) * per_page]
        posts = await self.prepare(ctx, readable)
        return PostList(order=[p.id for p in posts], posts={p.id: p for p in posts})

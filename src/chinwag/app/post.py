"""Posts: create, edit, delete, pin; system messages; the `posted` event."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, store_error
from chinwag.app.mentions import parse_hashtags
from chinwag.app.notification import PostNotice
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions as P
from chinwag.model import post as PT
from chinwag.model.channel import CHANNEL_DIRECT, Channel
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.post import Post, PostCreate, PostPatch
from chinwag.model.user import User
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound, StoreError
from chinwag.store.sql.post_store import PostEffects

_PENDING_TTL = 30.0

if TYPE_CHECKING:
    from chinwag.app.app import App


def _json(obj: object) -> str:
    return msgspec.json.encode(obj).decode()


def rune_len(s: str) -> int:
    return len(s)


class PostService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms
        self._pending: dict[str, tuple[str, float]] = {}
        #: posts saved by this process (the metrics endpoint's chinwag_posts_total)
        self.created = 0

    @property
    def _app(self) -> App:
        assert self.core.app is not None
        return self.core.app

    async def get_raw(self, post_id: str, where: str = "GetPost", include_deleted: bool = False) -> Post:
        try:
            return await self.core.store.posts.get(post_id, include_deleted)
        except StoreError as e:
            raise store_error(where, e, "post") from None

    async def get(self, ctx: Ctx, post_id: str, include_deleted: bool = False) -> Post:
        where = "getPost"
        post = await self.get_raw(post_id, where, include_deleted and self.perms.is_system_admin(ctx))
        channel = await self._app.channels.get(post.channel_id, where)
        if not await self._app.channels.can_read(ctx, channel):
            raise permission_denied(where)
        return (await self._app.post_lists.prepare(ctx, [post]))[0]

    # creating ------------------------------------------------------------------------------

    def _check_content(self, message: str, props: dict[str, Any], where: str) -> None:
        if rune_len(message) > PT.POST_MESSAGE_MAX_RUNES:
            raise AppError(
                where,
                "model.post.is_valid.message_length.app_error",
                f"Post Message property is longer than the maximum permitted length of "
                f"{PT.POST_MESSAGE_MAX_RUNES} characters.",
                400,
            )
        if props and len(_json(props)) > PT.POST_PROPS_MAX_RUNES:
            raise AppError(where, "model.post.is_valid.props.app_error", "Invalid props.", 400)

    async def create(
        self,
        ctx: Ctx,
        data: PostCreate,
        *,
        set_online: bool = True,
        from_webhook: bool = False,
        sender_name: str = "",
    ) -> Post:
        where = "createPost"
        if not is_valid_id(data.channel_id):
            raise invalid_param(where, "channel_id")
        channel = await self._app.channels.get_cached(data.channel_id)
        if channel is None:
            if self.perms.has_system(ctx, P.CREATE_POST):  # an admin may post anywhere: it is missing
                raise AppError(where, "app.channel.get.existing.app_error", "Unable to find the channel.", 404)
            raise permission_denied(where, f"channelId={data.channel_id}")
        if not await self.perms.has_channel(ctx, data.channel_id, P.CREATE_POST, channel.team_id):
            raise permission_denied(where, f"channelId={data.channel_id}")
        if channel.delete_at:
            raise AppError(
                where,
                "api.post.create_post.can_not_post_to_deleted.error",
                "Can not post to deleted channel.",
                400,
            )
        if data.type.startswith("system_") and not ctx.local:
            raise AppError(where, "api.post.create_post.type.app_error", "Invalid post type.", 400)
        author_id = ctx.user_id
        if ctx.local and not author_id:  # local mode has no session: the post names its author
            if not is_valid_id(data.user_id):
                raise invalid_param(where, "user_id")
            author_id = data.user_id
        props = dict(data.props or {})
        message = data.message
        self._check_content(message, props, where)
        if not message.strip() and not data.file_ids and not props.get("attachments"):
            raise AppError(
                where,
                "api.post.create_post.message_empty.app_error",
                "A message must have text, files or attachments.",
                400,
            )
        if data.pending_post_id:
            seen = self._pending.get(data.pending_post_id)
            if seen and time.monotonic() - seen[1] < _PENDING_TTL:
                try:
                    return await self.get(ctx, seen[0])
                except AppError:
                    pass
        root: Post | None = None
        if data.root_id:
            root = await self._check_root(data.root_id, channel, where)
        now = self.core.now()
        create_at = data.create_at if (data.create_at and self.perms.is_system_admin(ctx)) else now
        post = Post(
            id=new_id(),
            create_at=create_at,
            update_at=create_at,
            user_id=author_id,
            channel_id=channel.id,
            root_id=data.root_id,
            message=message,
            type=data.type,
            props=props,
            hashtags=parse_hashtags(message),
            file_ids=self._app.files.check_file_ids(data.file_ids, where),
            pending_post_id=data.pending_post_id,
        )
        if data.metadata and isinstance(data.metadata.get("priority"), dict):
            post.metadata = {"priority": data.metadata["priority"]}
        sender = await self._app.users.get(author_id, where)
        await self._save_and_publish(
            post,
            channel,
            sender,
            root,
            set_online=set_online,
            mark_viewed=not from_webhook
            and not props.get("from_bot")
            and not (root is not None and self._crt_on()),
            sender_name=sender_name,
        )
        if set_online and not from_webhook and ctx.user_id:
            await self._app.statuses.set_online_from_activity(ctx.user_id)
        if not from_webhook:  # outgoing webhooks (matched in the background)
            self._app.outgoing.post_created(post, channel, sender)
        if data.pending_post_id:
            if len(self._pending) > 10000:
                self._pending.clear()
            self._pending[data.pending_post_id] = (post.id, time.monotonic())
        return (await self._app.post_lists.prepare(ctx, [post]))[0]

    def _crt_on(self) -> bool:
        return self.core.cfg.ServiceSettings.CollapsedThreads in ("always_on", "default_on")

    async def _check_root(self, root_id: str, channel: Channel, where: str) -> Post:
        bad = AppError(where, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.", 400)
        if not is_valid_id(root_id):
            raise bad
        try:
            root = await self.core.store.posts.get(root_id)
        except NotFound:
            raise bad from None
        if root.root_id:
            raise bad
        if root.channel_id != channel.id:
            raise AppError(
                where,
                "api.post.create_post.channel_root_id.app_error",
                "Invalid ChannelId for RootId parameter.",
                400,
            )
        return root

    async def _save_and_publish(
        self,
        post: Post,
        channel: Channel,
        sender: User,
        root: Post | None,
        *,
        set_online: bool = True,
        mark_viewed: bool = True,
        sender_name: str = "",
    ) -> None:
        notifications = self._app.notifications
        system = post.is_system_message()
        mentioned = [] if system else await notifications.mentioned(post, channel, sender, root)
        auto_follow: list[str] = []
        if root is not None and self.core.cfg.ServiceSettings.ThreadAutoFollow:
            auto_follow = list(dict.fromkeys([post.user_id, root.user_id, *mentioned]))
        urgent = (post.metadata.get("priority") or {}).get("priority") == "urgent"
        fx = PostEffects(
            mentioned=mentioned,
            urgent=urgent,
            thread_followers=auto_follow,
            mark_viewed=mark_viewed and not post.is_system_message(),
            thread_team_id=channel.team_id,
            counted=not post.is_join_leave_message(),
            attach_file_ids=list(post.file_ids),
        )
        await self.core.store.posts.save(post, fx)
        self.created += 1
        await self._app.search.engine.posts_changed([post.id])
        await self._app.files.add_metadata([post])
        if root is not None:
            post.reply_count = root.reply_count + 1
        if channel.type == CHANNEL_DIRECT:
            display = f"@{sender.username}"
        else:
            display = channel.display_name
        data: dict[str, Any] = {
            "post": _json(post.to_dict()),
            "channel_type": channel.type,
            "channel_display_name": display,
            "channel_name": channel.name,
            "sender_name": sender_name or f"@{sender.username}",
            "team_id": channel.team_id,
            "set_online": set_online,
            **self._app.files.posted_flags(post),
        }
        followers: list[str] = []
        thread_email: list[str] = []
        thread_push: list[str] = []
        if not system and root is not None:
            followers, thread_email, thread_push = await notifications.thread_followers(
                post, channel, sender, mentioned
            )
        if mentioned:
            data["mentions"] = _json(mentioned)
        if followers:
            data["followers"] = _json(followers)
        self.core.publish(Event("posted", data, Broadcast(channel_id=channel.id)))
        if not system:
            notifications.post_saved(PostNotice(post, channel, sender, sender_name, mentioned,
                                                thread_email=thread_email, thread_push=thread_push))
        if mark_viewed and not post.is_system_message():
            self.core.publish(
                Event(
                    "multiple_channels_viewed",
                    {"channel_times": {channel.id: post.create_at}},
                    Broadcast(user_id=sender.id),
                )
            )
            self._app.receipts.viewed(sender.id, {channel.id: post.create_at})

    async def system_post(
        self,
        channel: Channel,
        user_id: str,
        post_type: str,
        message: str,
        props: dict[str, Any],
        root_id: str = "",
    ) -> Post:
        now = self.core.now()
        post = Post(
            id=new_id(),
            create_at=now,
            update_at=now,
            user_id=user_id,
            channel_id=channel.id,
            root_id=root_id,
            message=message,
            type=post_type,
            props=props,
        )
        sender = await self._app.users.get(user_id)
        root = None
        if root_id:
            try:
                root = await self.core.store.posts.get(root_id)
            except NotFound:
                post.root_id = ""
        await self._save_and_publish(post, channel, sender, root, mark_viewed=False)
        return post

    # editing -------------------------------------------------------------------------------

    async def _editable(self, ctx: Ctx, post_id: str, where: str) -> tuple[Post, Channel]:
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        post = await self.get_raw(post_id, where)
        channel = await self._app.channels.get(post.channel_id, where)
        if post.user_id == ctx.user_id:
            await self.perms.require_channel(ctx, channel.id, P.EDIT_POST, where, channel.team_id)
        else:
            await self.perms.require_channel(ctx, channel.id, P.EDIT_OTHERS_POSTS, where, channel.team_id)
        if channel.delete_at:
            raise AppError(
                where,
                "api.post.update_post.can_not_update_post_in_deleted.error",
                "Can not update a post in a deleted channel.",
                400,
            )
        if post.is_system_message():
            raise AppError(
                where,
                "api.post.update_post.system_message.app_error",
                "Unable to update system message.",
                400,
            )
        limit = self.core.cfg.ServiceSettings.PostEditTimeLimit
        if limit > 0 and post.user_id == ctx.user_id and self.core.now() - post.create_at > limit * 1000:
            raise AppError(
                where,
                "api.post.update_post.permissions_time_limit.app_error",
                f"Post edit is only allowed for {limit} seconds.",
                400,
            )
        return post, channel

    async def patch(self, ctx: Ctx, post_id: str, patch: PostPatch) -> Post:
        where = "patchPost"
        post, _channel = await self._editable(ctx, post_id, where)
        now = self.core.now()
        if patch.message is not msgspec.UNSET and patch.message != post.message:
            self._check_content(patch.message, post.props, where)
            post.message = patch.message
            post.hashtags = parse_hashtags(patch.message)
            post.edit_at = now
        if patch.is_pinned is not msgspec.UNSET:
            post.is_pinned = patch.is_pinned
        if patch.props is not msgspec.UNSET:
            self._check_content(post.message, patch.props, where)
            post.props = dict(patch.props)
        attach: list[str] = []
        remove: list[str] = []
        if patch.file_ids is not msgspec.UNSET:
            new_ids = self._app.files.check_file_ids(patch.file_ids, where)
            attach = [i for i in new_ids if i not in post.file_ids]
            remove = [i for i in post.file_ids if i not in new_ids]
            if attach or remove:
                post.file_ids, post.edit_at = new_ids, now
        post.update_at = now
        await self.core.store.posts.update(post, attach, remove)
        await self._app.search.engine.posts_changed([post.id])
        return await self._publish_edit(ctx, post)

    async def update(self, ctx: Ctx, post_id: str, data: Post) -> Post:
        where = "updatePost"
        if data.id != post_id:
            raise invalid_param(where, "id")
        return await self.patch(
            ctx, post_id, PostPatch(message=data.message, props=data.props if data.props else msgspec.UNSET)
        )

    async def _publish_edit(self, ctx: Ctx, post: Post) -> Post:
        prepared = (await self._app.post_lists.prepare(ctx, [post]))[0]
        self.core.publish(
            Event("post_edited", {"post": _json(prepared.to_dict())}, Broadcast(channel_id=post.channel_id))
        )
        return prepared

    async def set_pinned(self, ctx: Ctx, post_id: str, pinned: bool) -> None:
        where = "pinPost" if pinned else "unpinPost"
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        post = await self.get_raw(post_id, where)
        channel = await self._app.channels.get(post.channel_id, where)
        await self.perms.require_channel(ctx, channel.id, P.READ_CHANNEL, where, channel.team_id)
        if channel.delete_at:
            raise AppError(
                where,
                "api.post.update_post.can_not_update_post_in_deleted.error",
                "Can not update a post in a deleted channel.",
                400,
            )
        if post.is_pinned == pinned:
            return
        post.is_pinned = pinned
        post.update_at = self.core.now()
        await self.core.store.posts.update(post)
        await self._publish_edit(ctx, post)

    async def delete(self, ctx: Ctx, post_id: str) -> None:
        where = "deletePost"
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        post = await self.get_raw(post_id, where)
        channel = await self._app.channels.get(post.channel_id, where)
        perm = P.DELETE_POST if post.user_id == ctx.user_id else P.DELETE_OTHERS_POSTS
        await self.perms.require_channel(ctx, channel.id, perm, where, channel.team_id)
        if channel.delete_at and not self.perms.is_system_admin(ctx):
            raise AppError(
                where,
                "api.post.delete_post.can_not_delete_post_in_deleted.error",
                "Can not delete a post in a deleted channel.",
                400,
            )
        now = self.core.now()
        await self.core.store.posts.delete(post, now, ctx.user_id)
        await self._app.search.engine.posts_changed([post.id])
        post.delete_at = post.update_at = now
        post.props = {**post.props, "deleteBy": ctx.user_id}
        self.core.publish(
            Event(
                "post_deleted",
                {"post": _json(post.to_dict()), "delete_by": ctx.user_id},
                Broadcast(channel_id=post.channel_id),
            )
        )

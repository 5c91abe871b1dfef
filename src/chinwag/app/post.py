"""Posts: create, edit, delete, pin; the `posted` event (system messages use the same path, through
``system_post``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from chinwag.app.cache import TTLCache
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.draft import delete_thread_drafts
from chinwag.app.file import FileService
from chinwag.app.mentions import parse_hashtags
from chinwag.app.notification import NotificationService
from chinwag.app.outbox import UnitOfWork
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.post_list import PostListService
from chinwag.app.post_notice import PostNotice
from chinwag.app.post_write import NewPost, PostWriter
from chinwag.app.preference import hidden_dm_preferences, show_preferences
from chinwag.app.read_receipt import ReadReceiptService
from chinwag.app.status import StatusService
from chinwag.model import permissions
from chinwag.model import post as post_model
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, Channel
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.integration_action import generate_action_ids
from chinwag.model.post import FORCE_NOTIFICATION, Post, PostCreate, PostPatch
from chinwag.model.user import Preference, User
from chinwag.platform.events import Broadcast, Event
from chinwag.search.base import SearchEngine
from chinwag.store.errors import NotFound

_PENDING_TTL = 30.0


def _json(obj: object) -> str:
    return msgspec.json.encode(obj).decode()


#: called after a user's post is saved and published (outgoing webhooks match it): a hook the
#: composition root sets, since what it calls sits above posts
PostCreatedHook = Callable[[Post, Channel, User], None]


class PostService:
    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        perms: PermissionService,
        post_lists: PostListService,
        files: FileService,
        search: SearchEngine,
        notifications: NotificationService,
        receipts: ReadReceiptService,
        statuses: StatusService,
        plugin_hooks: PluginHooks,
        writer: PostWriter,
    ) -> None:
        self.core = core
        self.writer = writer
        self.directory = directory
        self.perms = perms
        self.post_lists = post_lists
        self.files = files
        self.search = search
        self.notifications = notifications
        self.receipts = receipts
        self.statuses = statuses
        self.plugin_hooks = plugin_hooks
        self.created_hooks: list[PostCreatedHook] = []
        #: pending_post_id → the post it made, so a client's retry gets the same post back
        self._pending: TTLCache[str, str] = TTLCache(maxsize=10000, ttl=_PENDING_TTL)
        #: posts saved by this process (the metrics endpoint's chinwag_posts_total)
        self.created = 0

    async def get(self, ctx: Ctx, post_id: str, include_deleted: bool = False) -> Post:
        where = "getPost"
        post = await self.directory.post(post_id, where, include_deleted and self.perms.is_system_admin(ctx))
        channel = await self.directory.channel(post.channel_id, where)
        if not await self.perms.can_read_channel(ctx, channel):
            raise permission_denied(where)
        return (await self.post_lists.prepare(ctx, [post]))[0]

    async def burn_on_read(self, ctx: Ctx, post_id: str, reveal: bool) -> None:
        """``GET /posts/{id}/reveal`` and ``DELETE /posts/{id}/burn``: burn-on-read posts need Mattermost's
        Enterprise Advanced licence to be written, so none exists here; after Mattermost's checks (the post
        readable, the caller a channel member, not the caller's own post for a reveal) every post is answered
        as one that is not burn-on-read (400)."""
        action = "revealPost" if reveal else "burnPost"
        post = await self.get(ctx, post_id)
        try:
            await self.core.store.channels.get_member(post.channel_id, ctx.user_id)
        except NotFound:
            if reveal:
                raise AppError(action, "api.post.reveal_post.user_not_in_channel.app_error",
                               "You do not have permission to reveal this post. You must be a member of the channel.",
                               403, f"postId={post_id}") from None
            raise AppError(action, "api.post.burn_post.user_not_in_channel.app_error",
                           "You do not have permission to burn this post. You must be a member of the channel.",
                           403, f"postId={post_id}") from None
        if reveal and post.user_id == ctx.user_id:
            raise AppError(action, "api.post.reveal_post.cannot_reveal_own_post.app_error",
                           "You cannot reveal your own burn-on-read post.", 400, f"postId={post_id}")
        if reveal:
            raise AppError("RevealPost", "app.reveal_post.not_burn_on_read.app_error",
                           "This post is not a burn-on-read post and cannot be revealed.", 400, f"postId={post_id}")
        raise AppError("BurnPost", "app.burn_post.not_burn_on_read.app_error",
                       "This post is not a burn-on-read post and cannot be burned.", 400, f"postId={post_id}")

    # creating ------------------------------------------------------------------------------

    def _check_content(self, message: str, props: dict[str, Any], where: str) -> None:
        if len(message) > post_model.POST_MESSAGE_MAX_RUNES:  # len() counts code points (runes)
            raise AppError(
                where,
                "model.post.is_valid.message_length.app_error",
                "Post Message property is longer than the maximum permitted length of {Max} characters.",
                400,
                params={"Max": post_model.POST_MESSAGE_MAX_RUNES},
            )
        if props and len(_json(props)) > post_model.POST_PROPS_MAX_RUNES:
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
        channel = await self.directory.cached_channel(data.channel_id)
        if channel is None:
            if self.perms.has_system(ctx, permissions.CREATE_POST):  # an admin may post anywhere: it is missing
                raise AppError(where, "app.channel.get.existing.app_error", "Unable to find the channel.", 404)
            raise permission_denied(where, f"channelId={data.channel_id}")
        if not await self.perms.has_channel(ctx, data.channel_id, permissions.CREATE_POST, channel.team_id):
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
        props = generate_action_ids(dict(data.props or {}))
        if not ctx.local:  # only the server forces a notification past the recipients' settings
            props.pop(FORCE_NOTIFICATION, None)
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
            seen = self._pending.lookup(data.pending_post_id)
            if seen:
                try:
                    return await self.get(ctx, seen)
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
            file_ids=self.files.check_file_ids(data.file_ids, where),
            pending_post_id=data.pending_post_id,
        )
        if data.metadata and isinstance(data.metadata.get("priority"), dict):
            post.metadata = {"priority": data.metadata["priority"]}
        sender = await self.directory.user(author_id, where)
        post = await self.plugin_hooks.will_be_posted(ctx, post)
        await self.post_lists.embed_new(post)
        await self.save_and_publish(
            post,
            channel,
            sender,
            root,
            set_online=set_online,
            mark_viewed=not from_webhook
            and not props.get("from_bot")
            and not (root is not None and self.core.crt_on()),
            sender_name=sender_name,
        )
        if set_online and not from_webhook and ctx.user_id:
            await self.statuses.set_online_from_activity(ctx.user_id)
        if not from_webhook:  # outgoing webhooks (matched in the background)
            for hook in self.created_hooks:
                hook(post, channel, sender)
        self.plugin_hooks.has_been_posted(ctx, post)
        if data.pending_post_id:
            self._pending[data.pending_post_id] = post.id
        return (await self.post_lists.prepare(ctx, [post]))[0]

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

    async def save_and_publish(
        self,
        post: Post,
        channel: Channel,
        sender: User,
        root: Post | None,
        *,
        set_online: bool = True,
        mark_viewed: bool = True,
        sender_name: str = "",
        uow: UnitOfWork | None = None,
    ) -> None:
        """Save a new post in its unit of work: who it mentions and who follows its thread are decided
        here, before the transaction; its ``posted`` (and the poster's ``multiple_channels_viewed``)
        events are registered inside it and published after the commit. With ``uow`` the post is
        part of the caller's unit of work (a system post and the change it announces); otherwise it
        goes through the group commit."""
        notifications = self.notifications
        system = post.is_system_message()
        mentioned = [] if system else await notifications.mentioned(post, channel, sender, root)
        auto_follow = root is not None and self.core.cfg.ServiceSettings.ThreadAutoFollow
        viewed = mark_viewed and not system
        followers: list[str] = []
        thread_email: list[str] = []
        thread_push: list[str] = []
        if not system and root is not None:
            # the thread's followers as they will be after this reply (its root's author follows it)
            followers, thread_email, thread_push = await notifications.thread_followers(
                post, channel, sender, mentioned, also=[root.user_id] if auto_follow else [])
        show: list[Preference] = []  # a new post shows its DM or GM again to everyone in it
        if channel.type == CHANNEL_DIRECT:
            show = await hidden_dm_preferences(self.core, channel, channel.name.split("__"))
        elif channel.type == CHANNEL_GROUP:
            # a GM's members: the ones it mentions (everyone but the sender) and the sender
            members = [*mentioned, sender.id] if not system else await self.core.store.channels.member_ids(channel.id)
            show = await hidden_dm_preferences(self.core, channel, members)

        async def finish(uow: UnitOfWork) -> None:
            await self.files.add_metadata([post], uow.conn)
            await show_preferences(uow, self.core, show)
            if root is not None:
                post.reply_count = root.reply_count + 1
            display = f"@{sender.username}" if channel.type == CHANNEL_DIRECT else channel.display_name
            data: dict[str, Any] = {
                "post": _json(post.to_dict()),
                "channel_type": channel.type,
                "channel_display_name": display,
                "channel_name": channel.name,
                "sender_name": sender_name or f"@{sender.username}",
                "team_id": channel.team_id,
                "set_online": set_online,
                **self.files.posted_flags(post),
            }
            if mentioned:
                data["mentions"] = _json(mentioned)
            if followers:
                data["followers"] = _json(followers)
            uow.publish(Event("posted", data, Broadcast(channel_id=channel.id)))
            if viewed:
                uow.publish(Event("multiple_channels_viewed", {"channel_times": {channel.id: post.create_at}},
                                  Broadcast(user_id=sender.id)))
            notifications.register(uow, PostNotice(post, channel, sender, sender_name, mentioned,
                                                   thread_email=thread_email, thread_push=thread_push))

        item = NewPost(
            post,
            mentioned=mentioned,
            urgent=(post.metadata.get("priority") or {}).get("priority") == "urgent",
            counted=not post.is_join_leave_message(),
            mark_viewed=viewed,
            follow=[root.user_id, *mentioned] if root is not None and auto_follow else (),
            poster_follows=auto_follow,
            thread_team_id=channel.team_id,
            attach_file_ids=list(post.file_ids),
            finish=finish,
        )

        def saved() -> None:
            self.created += 1
            if viewed:
                self.receipts.viewed(sender.id, {channel.id: post.create_at})

        if uow is not None:
            await self.writer.save_in(uow, item)
            uow.after_commit(saved)
            uow.on_commit(lambda: self.search.posts_changed([post.id]))
            return
        await self.writer.save(item)
        await self.search.posts_changed([post.id])
        saved()

    # editing -------------------------------------------------------------------------------

    async def _editable(self, ctx: Ctx, post_id: str, where: str) -> tuple[Post, Channel]:
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        post = await self.directory.post(post_id, where)
        channel = await self.directory.channel(post.channel_id, where)
        if post.user_id == ctx.user_id:
            await self.perms.require_channel(ctx, channel.id, permissions.EDIT_POST, where, channel.team_id)
        else:
            await self.perms.require_channel(ctx, channel.id, permissions.EDIT_OTHERS_POSTS, where, channel.team_id)
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
                "Post edit is only allowed for {timeLimit} seconds.",
                400,
                params={"timeLimit": limit},
            )
        return post, channel

    async def patch(self, ctx: Ctx, post_id: str, patch: PostPatch, restore: bool = False,
                    where: str = "patchPost") -> Post:
        """Edit a post. An edit of its text or files keeps the post as it was as a version of its own (see
        ``edit_history``); ``restore``: the files of the new ``file_ids`` that an edit removed are live
        again (a version restored)."""
        post, _channel = await self._editable(ctx, post_id, where)
        old = msgspec.structs.replace(post, props=dict(post.props))
        now = self.core.now()
        edited = False  # the text or the files change: the post as it was is kept as a version
        if patch.message is not msgspec.UNSET and patch.message != post.message:
            self._check_content(patch.message, post.props, where)
            post.message = patch.message
            post.hashtags = parse_hashtags(patch.message)
            post.edit_at = now
            edited = True
        if patch.is_pinned is not msgspec.UNSET:
            post.is_pinned = patch.is_pinned
        if patch.props is not msgspec.UNSET:
            self._check_content(post.message, patch.props, where)
            post.props = generate_action_ids(dict(patch.props))  # Mattermost's PreUpdate → PreCommit
        attach: list[str] = []
        remove: list[str] = []
        if patch.file_ids is not msgspec.UNSET:
            new_ids = self.files.check_file_ids(patch.file_ids, where)
            attach = [i for i in new_ids if i not in post.file_ids]
            remove = [i for i in post.file_ids if i not in new_ids]
            if attach or remove:
                post.file_ids, post.edit_at = new_ids, now
                edited = True
        post.update_at = now
        post = await self.plugin_hooks.will_be_updated(ctx, post, old)
        async with self.core.unit_of_work() as uow:
            if edited:  # (not by edit_at: two edits may fall in the same millisecond)
                await self.core.store.posts.save_version(uow.conn, old, new_id(), now)
            await self.core.store.posts.update(uow.conn, post, attach, remove, restore_file_ids=attach if restore else ())
            prepared = await self._edited(ctx, uow, post, files_changed=bool(attach or remove))
        await self.search.posts_changed([post.id])
        self.plugin_hooks.has_been_updated(ctx, post, old)
        return prepared

    async def update(self, ctx: Ctx, post_id: str, data: Post) -> Post:
        where = "updatePost"
        if data.id != post_id:
            raise invalid_param(where, "id")
        return await self.patch(
            ctx, post_id, PostPatch(message=data.message, props=data.props if data.props else msgspec.UNSET)
        )

    async def update_from_integration(self, ctx: Ctx, post_id: str, message: str, props: dict[str, Any]) -> Post:
        """An interactive message's integration answering with ``update`` (Mattermost's UpdatePost with
        safeUpdate=false): new text and props, actions given ids; ``post_edited`` to the channel. The caller
        checked the clicking user may read the channel; the integration acts for the post's author."""
        where = "DoPostActionWithCookie"
        post = await self.directory.post(post_id, where)
        old = msgspec.structs.replace(post, props=dict(post.props))
        now = self.core.now()
        props = generate_action_ids(dict(props))
        self._check_content(message, props, where)
        edited = message != post.message
        if edited:
            post.message, post.hashtags, post.edit_at = message, parse_hashtags(message), now
        post.props = props
        post.update_at = now
        async with self.core.unit_of_work() as uow:
            if edited:
                await self.core.store.posts.save_version(uow.conn, old, new_id(), now)
            await self.core.store.posts.update(uow.conn, post)
            prepared = await self._edited(ctx, uow, post)
        await self.search.posts_changed([post.id])
        return prepared

    async def edit_history(self, ctx: Ctx, post_id: str) -> list[Post]:
        """``GET /posts/{id}/edit_history`` (Mattermost's getEditHistoryForPost): the post's earlier versions,
        the latest first, each with its files' metadata — for its author only; 404 when it was never
        edited."""
        where = "getEditHistoryForPost"
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        try:
            post = await self.core.store.posts.get(post_id)
        except NotFound:
            raise permission_denied(where, f"permission={permissions.EDIT_POST}") from None
        channel = await self.directory.channel(post.channel_id, where)
        await self.perms.require_channel(ctx, channel.id, permissions.EDIT_POST, where, channel.team_id)
        if post.user_id != ctx.user_id:
            raise permission_denied(where, f"permission={permissions.EDIT_POST}")
        versions = await self.core.store.posts.edit_history(post_id)
        if not versions:
            raise AppError(where, "app.post.get.app_error", "Unable to get the post.", 404,
                           f"failed to find post history: {post_id}")
        # the versions' files are the post's, removed by a later edit or not (Mattermost's
        # populateEditHistoryFileMetadata: every version has metadata.files, empty when it had none)
        files = {f.id: f for f in await self.core.store.file_info.for_post(post_id, include_deleted=True)}
        for v in versions:
            v.metadata = {"files": [files[i].to_dict() for i in v.file_ids if i in files]}
        return versions

    async def restore_version(self, ctx: Ctx, post_id: str, version_id: str) -> Post:
        """``POST /posts/{id}/restore/{version_id}`` (Mattermost's restorePostVersion): the post takes that
        earlier version's message and files back, itself an edit (a new version is kept, ``post_edited``)."""
        where = "restorePostVersion"
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        denied = permission_denied(where, f"permission={permissions.EDIT_POST}")
        try:
            version = await self.core.store.posts.get(version_id, include_deleted=True)
        except NotFound:
            raise denied from None
        if version.user_id != ctx.user_id:
            raise denied
        try:
            post = await self.core.store.posts.get(post_id)
        except NotFound:
            raise denied from None
        channel = await self.directory.channel(post.channel_id, where)
        perm = permissions.EDIT_POST if post.user_id == ctx.user_id else permissions.EDIT_OTHERS_POSTS
        await self.perms.require_channel(ctx, channel.id, perm, where, channel.team_id)
        await self.perms.require_channel(ctx, channel.id, permissions.CREATE_POST, where, channel.team_id)
        if version.original_id != post_id:
            raise AppError(where, "app.post.restore_post_version.not_an_history_item.app_error",
                           "The provided post history item does not belong to the specified post.", 400)
        if version.delete_at == 0:
            raise AppError(where, "app.post.restore_post_version.not_valid_post_history_item.app_error",
                           "The provided post history item is not a valid post history item.", 400)
        return await self.patch(ctx, post_id, PostPatch(message=version.message, file_ids=list(version.file_ids)),
                                restore=True, where=where)

    async def _edited(self, ctx: Ctx, uow: UnitOfWork, post: Post, files_changed: bool = False) -> Post:
        """The edited post as clients get it, and its ``post_edited`` event registered on ``uow``."""
        prepared = (await self.post_lists.prepare(ctx, [post]))[0]
        if files_changed:  # as this transaction sees them
            prepared.metadata = {k: v for k, v in prepared.metadata.items() if k != "files"}
            await self.files.add_metadata([prepared], uow.conn)
        uow.publish(
            Event("post_edited", {"post": _json(prepared.to_dict())}, Broadcast(channel_id=post.channel_id))
        )
        return prepared

    async def set_pinned(self, ctx: Ctx, post_id: str, pinned: bool) -> None:
        where = "pinPost" if pinned else "unpinPost"
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        post = await self.directory.post(post_id, where)
        channel = await self.directory.channel(post.channel_id, where)
        await self.perms.require_channel(ctx, channel.id, permissions.READ_CHANNEL, where, channel.team_id)
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
        async with self.core.unit_of_work() as uow:
            await self.core.store.posts.update(uow.conn, post)
            await self._edited(ctx, uow, post)

    async def delete(self, ctx: Ctx, post_id: str) -> None:
        where = "deletePost"
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        post = await self.directory.post(post_id, where)
        channel = await self.directory.channel(post.channel_id, where)
        perm = permissions.DELETE_POST if post.user_id == ctx.user_id else permissions.DELETE_OTHERS_POSTS
        await self.perms.require_channel(ctx, channel.id, perm, where, channel.team_id)
        if channel.delete_at and not self.perms.is_system_admin(ctx):
            raise AppError(
                where,
                "api.post.delete_post.can_not_delete_post_in_deleted.error",
                "Can not delete a post in a deleted channel.",
                400,
            )
        now = self.core.now()
        async with self.core.unit_of_work() as uow:
            await self.core.store.posts.delete(uow.conn, post, now, ctx.user_id)
            post.delete_at = post.update_at = now
            post.props = {**post.props, "deleteBy": ctx.user_id}
            uow.publish(Event("post_deleted", {"post": _json(post.to_dict()), "delete_by": ctx.user_id},
                              Broadcast(channel_id=post.channel_id)))
            await delete_thread_drafts(self.core, uow, post.channel_id, post.id)
        await self.search.posts_changed([post.id])
        self.plugin_hooks.has_been_deleted(ctx, post)

"""Reactions."""

from __future__ import annotations

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.validate import EMOJI_NAME_RE
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.post import EMOJI_NAME_MAX, Reaction, ReactionCreate
from chinwag.platform.events import Broadcast, Event


@service
class ReactionService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    plugin_hooks: PluginHooks

    def _check(self, where: str, user_id: str, post_id: str, emoji_name: str) -> None:
        if not is_valid_id(user_id):
            raise invalid_param(where, "user_id")
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        if not emoji_name or len(emoji_name) > EMOJI_NAME_MAX or not EMOJI_NAME_RE.match(emoji_name):
            raise AppError(where, "model.reaction.is_valid.emoji_name.app_error", "Invalid emoji name.", 400)

    async def add(self, ctx: Ctx, data: ReactionCreate) -> Reaction:
        where = "saveReaction"
        self._check(where, data.user_id, data.post_id, data.emoji_name)
        if data.user_id != ctx.user_id and not ctx.local:
            raise AppError(
                where,
                "api.reaction.save_reaction.user_id.app_error",
                "You are not allowed to save the reaction.",
                403,
            )
        post = await self.directory.post(data.post_id, where)
        channel = await self.directory.channel(post.channel_id, where)
        await self.perms.require_channel(ctx, channel.id, permissions.ADD_REACTION, where, channel.team_id)
        if channel.delete_at:
            raise AppError(
                where,
                "api.reaction.save.archived_channel.app_error",
                "You cannot react in an archived channel.",
                403,
            )
        now = self.core.now()
        r = Reaction(
            user_id=data.user_id,
            post_id=post.id,
            emoji_name=data.emoji_name,
            create_at=now,
            update_at=now,
            channel_id=channel.id,
        )
        async with self.core.unit_of_work() as uow:
            await self.core.store.reactions.save(r, uow.conn)
            uow.publish(Event("reaction_added", {"reaction": msgspec.json.encode(r.to_dict()).decode()},
                              Broadcast(channel_id=channel.id)))
        self.plugin_hooks.reaction_added(ctx, r)
        return r

    async def remove(self, ctx: Ctx, user_id: str, post_id: str, emoji_name: str) -> None:
        where = "deleteReaction"
        self._check(where, user_id, post_id, emoji_name)
        post = await self.directory.post(post_id, where)
        channel = await self.directory.channel(post.channel_id, where)
        perm = permissions.REMOVE_REACTION if user_id == ctx.user_id else permissions.REMOVE_OTHERS_REACTIONS
        await self.perms.require_channel(ctx, channel.id, perm, where, channel.team_id)
        if channel.delete_at:
            raise AppError(
                where,
                "api.reaction.delete.archived_channel.app_error",
                "You cannot remove a reaction in an archived channel.",
                403,
            )
        now = self.core.now()
        r = Reaction(
            user_id=user_id, post_id=post_id, emoji_name=emoji_name, update_at=now, channel_id=channel.id
        )
        async with self.core.unit_of_work() as uow:
            removed = await self.core.store.reactions.delete(r, now, uow.conn)
            if removed:
                uow.publish(Event("reaction_removed", {"reaction": msgspec.json.encode(r.to_dict()).decode()},
                                  Broadcast(channel_id=channel.id)))
        if removed:
            self.plugin_hooks.reaction_removed(ctx, r)

    async def for_post(self, ctx: Ctx, post_id: str) -> list[Reaction]:
        where = "getReactions"
        if not is_valid_id(post_id):
            raise invalid_param(where, "post_id")
        post = await self.directory.post(post_id, where)
        await self.perms.readable_channel(ctx, post.channel_id, where)
        return await self.core.store.reactions.for_post(post_id)

    async def for_posts(self, ctx: Ctx, post_ids: list[str]) -> dict[str, list[Reaction]]:
        where = "getBulkReactions"
        if not all(is_valid_id(p) for p in post_ids):
            raise invalid_param(where, "post_ids")
        posts = await self.core.store.posts.get_many(post_ids)
        readable = []
        for p in posts:
            ch = await self.directory.channel(p.channel_id)
            if await self.perms.can_read_channel(ctx, ch):
                readable.append(p.id)
        found = await self.core.store.reactions.for_posts(readable)
        return {pid: found.get(pid, []) for pid in readable}

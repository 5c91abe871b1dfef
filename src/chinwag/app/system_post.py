"""System posts: the "@ann joined the channel" / "updated the channel header" messages, and the
membership events that go with them. Channels, members and teams post through here; it posts through
the post pipeline like any other message (mentions aside), plugins' MessageWillBePosted included.

The stored message is in the server's language (LocalizationSettings.DefaultServerLocale), as
Mattermost's: one post is read by everyone in the channel, so clients that know the post type render it
from its props in each reader's language (the web UI does), and the message is for the others."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from chinwag import i18n
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.outbox import UnitOfWork
from chinwag.app.post import PostService
from chinwag.i18n import N_
from chinwag.model import post as post_model
from chinwag.model.channel import Channel
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.model.post import Post
from chinwag.model.user import User
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound

log = structlog.get_logger("chinwag.app.system_post")

HEADER_TEXTS = (N_("@{username} removed the channel header (was: {old})"),
                N_("@{username} updated the channel header from: {old} to: {new}"),
                N_("@{username} updated the channel header to: {new}"))
PURPOSE_TEXTS = (N_("@{username} removed the channel purpose (was: {old})"),
                 N_("@{username} updated the channel purpose from: {old} to: {new}"),
                 N_("@{username} updated the channel purpose to: {new}"))


@dataclass
class Draft:
    """A system post ready to be saved (None: a plugin rejected it) and, for a join or an add, the user
    whose ``user_added`` event goes with it."""

    channel: Channel
    post: Post | None
    added_user_id: str = ""


@service
class SystemPosts:
    core: AppCore
    directory: Directory
    posts: PostService

    async def draft(
        self,
        channel: Channel,
        user_id: str,
        post_type: str,
        message: str,
        props: dict[str, Any],
        root_id: str = "",
    ) -> Draft:
        """A system post, through the plugins' MessageWillBePosted as Mattermost's CreatePost sends every
        post (system messages too). A plugin may change it, or reject it: then no post is made, and the
        change it announces stands (Mattermost logs the failed system message and goes on). Called before
        the unit of work opens, so a slow plugin never holds a transaction."""
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
        try:
            hooked: Post | None = await self.posts.plugin_hooks.will_be_posted(Ctx(), post)
        except AppError as e:
            log.info("system post rejected by a plugin", channel_id=channel.id, type=post_type, error=e.message)
            hooked = None
        return Draft(channel, hooked)

    async def write(self, draft: Draft, uow: UnitOfWork | None = None) -> Post | None:
        """Save a drafted post (in ``uow``, the change it announces, when given) and announce what it
        registered; the plugins hear MessageHasBeenPosted after the commit."""
        post, channel = draft.post, draft.channel
        if post is not None:
            sender = await self.directory.user(post.user_id)
            root = None
            if post.root_id:
                try:
                    root = await self.core.store.posts.get(post.root_id)
                except NotFound:
                    post.root_id = ""
            await self.posts.save_and_publish(post, channel, sender, root, mark_viewed=False, uow=uow)
            ctx = Ctx()
            if uow is None:
                self.posts.plugin_hooks.has_been_posted(ctx, post)
            else:
                uow.after_commit(lambda: self.posts.plugin_hooks.has_been_posted(ctx, post))
        if draft.added_user_id:
            self.announce_added(channel, draft.added_user_id, uow)
        return post

    async def post(
        self,
        channel: Channel,
        user_id: str,
        post_type: str,
        message: str,
        props: dict[str, Any],
    ) -> Post | None:
        """Draft and save at once (outside a unit of work)."""
        return await self.write(await self.draft(channel, user_id, post_type, message, props))

    def _t(self, message: str, values: dict[str, str]) -> str:
        locale = i18n.pick(self.core.cfg.LocalizationSettings.DefaultServerLocale)
        return i18n.translator(locale)(message, values)

    # membership ----------------------------------------------------------------------------

    def announce_added(self, channel: Channel, user_id: str, uow: UnitOfWork | None = None) -> None:
        ev = Event("user_added", {"user_id": user_id, "team_id": channel.team_id}, Broadcast(channel_id=channel.id))
        if uow is not None:
            uow.publish(ev)
        else:
            self.core.publish(ev)

    def announce_removed(self, uow: UnitOfWork, channel_id: str, user_id: str, remover_id: str) -> None:
        """Tell the channel, and the user who left it."""
        uow.publish(
            Event("user_removed", {"user_id": user_id, "remover_id": remover_id}, Broadcast(channel_id=channel_id))
        )
        uow.publish(
            Event("user_removed", {"channel_id": channel_id, "remover_id": remover_id}, Broadcast(user_id=user_id))
        )

    async def joined(self, channel: Channel, user: User, *, team: bool = False) -> Draft:
        """``user`` joins the channel by themselves (``team``: the team, posted in its town square):
        the post and the ``user_added`` event, for :meth:`write` in the unit of work that adds them."""
        post_type = post_model.POST_TYPE_JOIN_TEAM if team else post_model.POST_TYPE_JOIN_CHANNEL
        text = N_("@{username} joined the team.") if team else N_("@{username} joined the channel.")
        draft = await self.draft(channel, user.id, post_type, self._t(text, {"username": user.username}),
                                 {"username": user.username})
        draft.added_user_id = user.id
        return draft

    async def added(self, channel: Channel, user: User, actor_id: str, root_id: str = "") -> Draft:
        """Someone else (``actor_id``; empty: the system) adds ``user``."""
        actor = await self.directory.user(actor_id) if actor_id else None
        text = N_("@{added} added to the channel by @{username}.") if actor else N_("@{added} added to the channel.")
        draft = await self.draft(
            channel,
            actor_id or user.id,
            post_model.POST_TYPE_ADD_TO_CHANNEL,
            self._t(text, {"added": user.username, "username": actor.username if actor else ""}),
            {
                "userId": actor_id,
                "username": actor.username if actor else "",
                "addedUserId": user.id,
                "addedUsername": user.username,
            },
            root_id=root_id,
        )
        draft.added_user_id = user.id
        return draft

    async def left(self, channel: Channel, user: User, *, team: bool = False) -> Draft:
        """``user`` is leaving (:meth:`write` it in the unit of work that removes the membership)."""
        post_type = post_model.POST_TYPE_LEAVE_TEAM if team else post_model.POST_TYPE_LEAVE_CHANNEL
        text = N_("@{username} left the team.") if team else N_("@{username} left the channel.")
        return await self.draft(channel, user.id, post_type, self._t(text, {"username": user.username}),
                                {"username": user.username})

    async def removed(self, channel: Channel, user: User, actor_id: str) -> Draft:
        actor = await self.directory.user(actor_id) if actor_id else None
        return await self.draft(
            channel,
            actor_id or user.id,
            post_model.POST_TYPE_REMOVE_FROM_CHANNEL,
            self._t(N_("@{username} was removed from the channel."), {"username": user.username}),
            {
                "removedUserId": user.id,
                "removedUsername": user.username,
                "username": actor.username if actor else "",
            },
        )

    # channel changes -----------------------------------------------------------------------

    async def archived(self, channel: Channel, user_id: str) -> Draft:
        """The "archived the channel" post, for :meth:`write` in the unit of work that archives it."""
        user = await self.directory.user(user_id)
        return await self.draft(channel, user.id, post_model.POST_TYPE_CHANNEL_DELETED,
                                self._t(N_("@{username} archived the channel"), {"username": user.username}),
                                {"username": user.username})

    async def unarchived(self, channel: Channel, user_id: str) -> Draft:
        user = await self.directory.user(user_id)
        return await self.draft(channel, user.id, post_model.POST_TYPE_CHANNEL_RESTORED,
                                self._t(N_("@{username} unarchived the channel"), {"username": user.username}),
                                {"username": user.username})

    async def changed(self, old: Channel, new: Channel, user_id: str) -> list[Draft]:
        """One post per changed header, purpose and display name, for :meth:`write` in the unit of work
        that changes the channel."""
        user = await self.directory.user(user_id)
        drafts: list[Draft] = []
        for field, post_type, (removed, updated, set_to) in (
            ("header", post_model.POST_TYPE_HEADER_CHANGE, HEADER_TEXTS),
            ("purpose", post_model.POST_TYPE_PURPOSE_CHANGE, PURPOSE_TEXTS),
        ):
            before, after = getattr(old, field), getattr(new, field)
            if before == after:
                continue
            text = removed if not after else updated if before else set_to
            msg = self._t(text, {"username": user.username, "old": before, "new": after})
            drafts.append(await self.draft(new, user.id, post_type, msg,
                                           {"username": user.username, f"old_{field}": before, f"new_{field}": after}))
        if old.display_name != new.display_name and not new.is_group_or_direct():
            drafts.append(await self.draft(
                new,
                user.id,
                post_model.POST_TYPE_DISPLAYNAME_CHANGE,
                self._t(N_("@{username} updated the channel display name from: {old} to: {new}"),
                        {"username": user.username, "old": old.display_name, "new": new.display_name}),
                {
                    "username": user.username,
                    "old_displayname": old.display_name,
                    "new_displayname": new.display_name,
                },
            ))
        return drafts

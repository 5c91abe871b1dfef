"""Post reminders ("Remind me" on a post; Mattermost's SetPostReminder/CheckPostReminders, a Team Edition
feature): the reminder is stored and confirmed to the user with an ephemeral post; when it is due the
system bot (``system-bot``, made on first use and owned by a system admin, as Mattermost's GetSystemBot)
sends the user a direct message of type ``reminder`` with a permalink. Every node checks twice a minute;
taking a due reminder deletes it in the same transaction, so it is sent once."""

from __future__ import annotations

import time
from typing import Any

import msgspec
import structlog

from chinwag.app.account_mail import translator_for
from chinwag.app.background import WorkLoop
from chinwag.app.channel_direct import DirectChannelService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.ephemeral import EphemeralService
from chinwag.app.integration import user_ctx
from chinwag.app.permissions import PermissionService
from chinwag.app.post import PostService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import new_id
from chinwag.model.integration import Bot
from chinwag.model.post import FORCE_NOTIFICATION, Post, PostCreate
from chinwag.model.user import SYSTEM_ADMIN_ROLE, SYSTEM_USER_ROLE, User, default_notify_props
from chinwag.platform.events import Event
from chinwag.store.errors import NotFound, StoreError

log = structlog.get_logger("chinwag.app.post_reminder")

SYSTEM_BOT_USERNAME = "system-bot"
POST_TYPE_REMINDER = "reminder"
CHECK_SECONDS = 30.0


class PostReminder(msgspec.Struct, kw_only=True):
    target_time: int


class PostReminderService:
    def __init__(self, core: AppCore, directory: Directory, perms: PermissionService, posts: PostService,
                 direct: DirectChannelService, ephemeral: EphemeralService) -> None:
        self.core = core
        self.directory = directory
        self.perms = perms
        self.posts = posts
        self.direct = direct
        self.ephemeral = ephemeral
        self.loop = WorkLoop("post_reminders", self.send_due, CHECK_SECONDS, lease=core.poll_lease)

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()

    async def _metadata(self, post: Post) -> tuple[str, str]:
        """(team name, author's username) of a post, for its permalink."""
        channel = await self.directory.channel(post.channel_id, "GetPostReminderMetadata")
        team = await self.directory.team(channel.team_id) if channel.team_id else None
        author = await self.directory.user(post.user_id, "GetPostReminderMetadata")
        return (team.name if team else ""), author.username

    def _permalink(self, team_name: str, post_id: str) -> str:
        site = self.core.cfg.ServiceSettings.SiteURL.rstrip("/")
        return f"{site}/{team_name}/pl/{post_id}" if team_name else f"{site}/pl/{post_id}"

    async def set(self, ctx: Ctx, user_id: str, post_id: str, body: bytes) -> None:
        """``body`` is the request's ``{"target_time": seconds}``, decoded after the permission checks
        (Mattermost's order)."""
        where = "setPostReminder"
        if ctx.user_id != user_id and not self.perms.has_system(ctx, permissions.EDIT_OTHER_USERS):
            raise permission_denied(where, f"permission={permissions.EDIT_OTHER_USERS}")
        try:
            post = await self.core.store.posts.get(post_id)
        except NotFound:
            post = None
        if post is None or not await self.perms.has_channel(ctx, post.channel_id, permissions.READ_CHANNEL_CONTENT):
            raise permission_denied(where, f"permission={permissions.READ_CHANNEL_CONTENT}")
        try:
            target_time = msgspec.json.decode(body, type=PostReminder).target_time
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            raise invalid_param(where, "target_time", str(e)) from None
        await self.core.store.post_reminders.set(post_id, user_id, target_time)
        team_name, username = await self._metadata(post)
        when = time.strftime("%d %b %y %H:%M UTC", time.gmtime(target_time))
        now = self.core.now()
        await self.ephemeral.deliver(user_id, Post(
            id=new_id(), create_at=now, update_at=now, user_id=user_id, root_id=post_id,
            channel_id=post.channel_id,
            message=f"You will be reminded about {self._permalink(team_name, post_id)} by @{username} at {when}",
            props={"target_time": target_time, "team_name": team_name, "post_id": post_id, "username": username,
                   "type": POST_TYPE_REMINDER}))

    # sending ------------------------------------------------------------------------------------

    async def system_bot(self) -> User:
        """The ``system-bot`` user, created (owned by the first system admin) when missing."""
        try:
            return await self.core.store.users.get_by_username(SYSTEM_BOT_USERNAME)
        except NotFound:
            pass
        admins = await self.core.store.users.list_users(page=0, per_page=1, role=SYSTEM_ADMIN_ROLE, active=True)
        if not admins:
            raise AppError("GetSystemBot", "app.bot.get_system_bot.empty_admin_list.app_error",
                           "List of admins is empty.", 500)
        now = self.core.now()
        bot = Bot(user_id=new_id(), username=SYSTEM_BOT_USERNAME, display_name="System",
                  description="Called by plugins and the server to post system messages.",
                  owner_id=admins[0].id, create_at=now, update_at=now)
        user = User(id=bot.user_id, create_at=now, update_at=now, username=bot.username,
                    email=f"{bot.username}@localhost", first_name=bot.display_name, roles=SYSTEM_USER_ROLE,
                    is_bot=True, bot_description=bot.description, email_verified=True,
                    notify_props=default_notify_props(bot.username))
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.bots.save(bot, user, uow.conn)
                uow.publish(Event("new_user", {"user_id": user.id}))
        except StoreError:  # another node made it first
            return await self.core.store.users.get_by_username(SYSTEM_BOT_USERNAME)
        return user

    async def send_test_message(self, ctx: Ctx) -> Post:
        """``POST /notifications/test`` (Settings → Notifications → "Send a test notification"): the system
        bot writes to the user, its notification forced past the user's settings and status, in the user's
        language."""
        where = "SendTestMessage"
        user = await self.directory.user(ctx.user_id, where)
        bot = await self.system_bot()
        trusted = user_ctx(bot.id, bot.roles, trusted=True)
        channel, _ = await self.direct.create_direct(trusted, [user.id, bot.id])
        t = translator_for(self.core.cfg, user)
        return await self.posts.create(trusted, PostCreate(
            channel_id=channel.id, message=t("If you received this test notification, it worked!"),
            props={FORCE_NOTIFICATION: new_id()}))

    async def send_due(self) -> int:
        """Send the reminders that are due; the number sent (the loop runs again while it is not 0)."""
        taken = await self.core.store.post_reminders.take_due(self.core.now() // 1000)
        if not taken:
            return 0
        bot = await self.system_bot()
        trusted = user_ctx(bot.id, bot.roles, trusted=True)
        for user_id, post_id in taken:
            try:
                await self._send(trusted, bot, user_id, post_id)
            except AppError as e:
                log.warning("post reminder not sent", user_id=user_id, post_id=post_id, error=e.id)
        return len(taken)

    async def _send(self, trusted: Ctx, bot: User, user_id: str, post_id: str) -> None:
        try:
            post = await self.core.store.posts.get(post_id)
        except NotFound:
            return
        team_name, username = await self._metadata(post)
        channel, _ = await self.direct.create_direct(trusted, [user_id, bot.id])
        props: dict[str, Any] = {"team_name": team_name, "post_id": post_id, "username": username}
        message = (f"Hi there, here's your reminder about this message from @{username}: "
                   f"{self._permalink(team_name, post_id)}")
        await self.posts.create(trusted, PostCreate(channel_id=channel.id, message=message, type=POST_TYPE_REMINDER,
                                                    props=props), from_webhook=True)

"""Bots: user accounts (``is_bot``) owned by a user, managed through /bots."""

from __future__ import annotations

import msgspec

from chinwag.app.cache import member_counts_flush
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.permissions import PermissionService
from chinwag.app.session import SessionService
from chinwag.app.validate import is_valid_username
from chinwag.model import permissions
from chinwag.model.errors import AppError, permission_denied
from chinwag.model.ids import new_id
from chinwag.model.integration import Bot, BotPatch
from chinwag.model.user import SYSTEM_USER_ROLE, User, default_notify_props
from chinwag.platform.events import Event
from chinwag.store.errors import Conflict, NotFound, StoreError

ASSIGN_BOT = "assign_bot"


def bot_not_found(where: str = "SqlBotStore.Get") -> AppError:
    return AppError(where, "store.sql_bot.get.missing.app_error", "Unable to find the bot.", 404)


@service
class BotService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    sessions: SessionService

    async def _get(self, bot_id: str, include_deleted: bool = True) -> Bot:
        try:
            return await self.core.store.bots.get(bot_id, include_deleted)
        except NotFound:
            raise bot_not_found() from None

    async def require_manage(self, ctx: Ctx, bot_id: str) -> Bot:
        """Mattermost's SessionHasPermissionToManageBot (a bot one may not even read is "not found")."""
        bot = await self._get(bot_id)
        own = bot.owner_id == ctx.user_id
        manage, read = (permissions.MANAGE_BOTS, permissions.READ_BOTS) if own else (permissions.MANAGE_OTHERS_BOTS, permissions.READ_OTHERS_BOTS)
        if not self.perms.has_system(ctx, manage):
            if not self.perms.has_system(ctx, read):
                raise bot_not_found()
            raise permission_denied("SessionHasPermissionToManageBot", f"permission={manage}")
        return bot

    async def can_act_for(self, ctx: Ctx, user_id: str) -> bool:
        """Mattermost's SessionHasPermissionToUserOrBot."""
        if ctx.local or ctx.user_id == user_id:
            return True
        try:
            await self.require_manage(ctx, user_id)
            return True
        except AppError as e:
            if e.id != "store.sql_bot.get.missing.app_error":
                return False
        return self.perms.has_system(ctx, permissions.EDIT_OTHER_USERS)

    def _check(self, bot: Bot, where: str) -> None:
        if not is_valid_username(bot.username):
            raise AppError(where, "model.bot.is_valid.username.app_error", "Invalid username.", 400)
        if len(bot.display_name) > 64:
            raise AppError(where, "model.bot.is_valid.user_id.app_error", "Invalid display name.", 400)
        if len(bot.description) > 1024:
            raise AppError(where, "model.bot.is_valid.description.app_error", "Invalid description.", 400)

    def _conflict(self, where: str, e: StoreError) -> AppError:
        if isinstance(e, Conflict) and e.field == "email":
            return AppError(where, "app.user.save.email_exists.app_error",
                            "An account with that email already exists.", 400)
        if isinstance(e, Conflict):
            return AppError(where, "app.user.save.username_exists.app_error",
                            "An account with that username already exists.", 400)
        return AppError(where, "app.bot.createbot.internal_error", "Unable to save the bot.", 500, str(e))

    async def _username_free(self, username: str, where: str) -> None:
        """A bot's email derives from its username, so a taken username is reported as such."""
        try:
            await self.core.store.users.get_by_username(username)
        except NotFound:
            return
        raise self._conflict(where, Conflict("user", "username"))

    async def create(self, ctx: Ctx, patch: BotPatch) -> Bot:
        where = "createBot"
        self.perms.require_system(ctx, permissions.CREATE_BOT, where)
        if ctx.user_id:
            me = await self.directory.user(ctx.user_id, where)
            if me.is_bot:
                raise permission_denied(where, f"permission={permissions.CREATE_BOT}")
        if not self.core.cfg.ServiceSettings.EnableBotAccountCreation:
            raise AppError(where, "api.bot.create_disabled", "Bot creation has been disabled.", 403)
        now = self.core.now()
        bot = Bot(user_id=new_id(), username=(patch.username or "").strip().lower(),
                  display_name=patch.display_name or "", description=patch.description or "",
                  owner_id=ctx.user_id, create_at=now, update_at=now)
        self._check(bot, "CreateBot")
        await self._username_free(bot.username, "CreateBot")
        user = User(id=bot.user_id, create_at=now, update_at=now, username=bot.username,
                    email=f"{bot.username}@localhost", first_name=bot.display_name, roles=SYSTEM_USER_ROLE,
                    is_bot=True, bot_description=bot.description, email_verified=True,
                    notify_props=default_notify_props(bot.username))
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.bots.save(bot, user, uow.conn)
                uow.publish(Event("new_user", {"user_id": user.id}))
        except StoreError as e:
            raise self._conflict("CreateBot", e) from None
        return bot

    async def ensure(self, username: str, display_name: str, description: str, owner_id: str) -> Bot:
        """Mattermost's EnsureBot (for plugins): the bot with this username, created when missing and
        re-activated when it was disabled; no permission or EnableBotAccountCreation check."""
        try:
            user = await self.core.store.users.get_by_username(username)
        except NotFound:
            user = None
        if user is not None:
            if not user.is_bot:
                raise AppError("EnsureBot", "plugin_api.bot_cmd.username_taken.app_error",
                               "The username is already taken by a user.", 400)
            bot = await self._get(user.id)
            if bot.delete_at:
                bot.delete_at = 0
                user.delete_at = 0
                bot = await self._save(bot, user, "EnsureBot", activity=True)
            return bot
        now = self.core.now()
        bot = Bot(user_id=new_id(), username=username.strip().lower(), display_name=display_name,
                  description=description, owner_id=owner_id, create_at=now, update_at=now)
        self._check(bot, "EnsureBot")
        user = User(id=bot.user_id, create_at=now, update_at=now, username=bot.username,
                    email=f"{bot.username}@localhost", first_name=bot.display_name, roles=SYSTEM_USER_ROLE,
                    is_bot=True, bot_description=bot.description, email_verified=True,
                    notify_props=default_notify_props(bot.username))
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.bots.save(bot, user, uow.conn)
                uow.publish(Event("new_user", {"user_id": user.id}))
        except Conflict:  # another node (the plugin runs on each) made it at the same moment
            return await self._get((await self.core.store.users.get_by_username(bot.username)).id)
        except StoreError as e:
            raise self._conflict("EnsureBot", e) from None
        return bot

    async def get(self, ctx: Ctx, bot_id: str, include_deleted: bool) -> Bot:
        bot = await self._get(bot_id, include_deleted)
        if self.perms.has_system(ctx, permissions.READ_OTHERS_BOTS):
            return bot
        if bot.owner_id == ctx.user_id and self.perms.has_system(ctx, permissions.READ_BOTS):
            return bot
        raise bot_not_found()

    async def list_bots(self, ctx: Ctx, *, page: int, per_page: int, include_deleted: bool,
                   only_orphaned: bool) -> list[Bot]:
        if self.perms.has_system(ctx, permissions.READ_OTHERS_BOTS):
            owner = ""
        elif self.perms.has_system(ctx, permissions.READ_BOTS):
            owner = ctx.user_id
        else:
            raise permission_denied("getBots", f"permission={permissions.READ_BOTS}")
        return await self.core.store.bots.list_bots(owner_id=owner, include_deleted=include_deleted,
                                               only_orphaned=only_orphaned, offset=page * per_page,
                                               limit=per_page)

    async def save(self, bot: Bot, user: User | None, where: str) -> Bot:
        """Write a changed bot (and its user) and tell clients about the user."""
        return await self._save(bot, user, where)

    async def _save(self, bot: Bot, user: User | None, where: str, *, end_sessions: bool = False,
                    activity: bool = False) -> Bot:
        """Write the bot (and its user, announced with ``user_updated``; ``end_sessions``: ending its sessions;
        ``activity``: the bot was disabled or enabled — channels count active members) in one unit of work."""
        bot.update_at = self.core.now()
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.bots.update(bot, user, uow.conn)
                if user is not None:
                    privacy = self.core.cfg.PrivacySettings
                    public = user.sanitized_for(False, False, privacy.ShowEmailAddress, privacy.ShowFullName)
                    uow.publish(Event("user_updated", {"user": public.to_dict()}))
                if end_sessions:
                    await self.sessions.revoke_all(bot.user_id, uow=uow)
                if activity:
                    uow.publish(member_counts_flush())
        except NotFound:
            raise bot_not_found() from None
        except StoreError as e:
            raise self._conflict(where, e) from None
        return bot

    async def patch(self, ctx: Ctx, bot_id: str, patch: BotPatch) -> Bot:
        where = "PatchBot"
        bot = await self.require_manage(ctx, bot_id)
        new = msgspec.structs.replace(
            bot,
            username=bot.username if patch.username is None else patch.username.strip().lower(),
            display_name=bot.display_name if patch.display_name is None else patch.display_name,
            description=bot.description if patch.description is None else patch.description,
        )
        if new == bot:
            return bot
        self._check(new, where)
        if new.username != bot.username:
            await self._username_free(new.username, where)
        user = await self.directory.user(bot_id, where)
        user.username = new.username
        user.email = f"{new.username}@localhost"
        user.first_name = new.display_name
        user.bot_description = new.description
        user.update_at = self.core.now()
        return await self._save(new, user, where)

    async def set_active(self, ctx: Ctx, bot_id: str, active: bool) -> Bot:
        where = "UpdateBotActive"
        bot = await self.require_manage(ctx, bot_id)
        user = await self.directory.user(bot_id, where)
        if bool(user.delete_at) == active or bool(bot.delete_at) == active:
            now = self.core.now()
            user.delete_at = 0 if active else now
            user.update_at = now
            bot.delete_at = 0 if active else now
            await self._save(bot, user, where, end_sessions=not active, activity=True)
        return bot

    async def assign(self, ctx: Ctx, bot_id: str, user_id: str) -> Bot:
        where = "assignBot"
        bot = await self.require_manage(ctx, bot_id)
        owner = await self.directory.user(user_id, where)
        if owner.is_bot:
            raise permission_denied(where, f"permission={ASSIGN_BOT}")
        bot.owner_id = owner.id
        return await self._save(bot, None, where)

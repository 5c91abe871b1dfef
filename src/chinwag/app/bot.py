"""Bots: user accounts (``is_bot``) owned by a user, managed through /bots."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.app.validate import is_valid_username
from chinwag.model import permissions as P
from chinwag.model.errors import AppError, permission_denied
from chinwag.model.ids import new_id
from chinwag.model.integration import Bot, BotPatch
from chinwag.model.user import SYSTEM_USER_ROLE, User, default_notify_props
from chinwag.platform.events import Event
from chinwag.store.errors import Conflict, NotFound, StoreError

if TYPE_CHECKING:
    from chinwag.app.app import App

ASSIGN_BOT = "assign_bot"


def bot_not_found(where: str = "SqlBotStore.Get") -> AppError:
    return AppError(where, "store.sql_bot.get.missing.app_error", "Unable to find the bot.", 404)


class BotService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms

    @property
    def _app(self) -> App:
        assert self.core.app is not None
        return self.core.app

    async def _get(self, bot_id: str, include_deleted: bool = True) -> Bot:
        try:
            return await self.core.store.bots.get(bot_id, include_deleted)
        except NotFound:
            raise bot_not_found() from None

    async def require_manage(self, ctx: Ctx, bot_id: str) -> Bot:
        """Mattermost's SessionHasPermissionToManageBot (a bot one may not even read is "not found")."""
        bot = await self._get(bot_id)
        own = bot.owner_id == ctx.user_id
        manage, read = (P.MANAGE_BOTS, P.READ_BOTS) if own else (P.MANAGE_OTHERS_BOTS, P.READ_OTHERS_BOTS)
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
        return self.perms.has_system(ctx, P.EDIT_OTHER_USERS)

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
        self.perms.require_system(ctx, P.CREATE_BOT, where)
        if ctx.user_id:
            me = await self._app.users.get(ctx.user_id, where)
            if me.is_bot:
                raise permission_denied(where, f"permission={P.CREATE_BOT}")
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
            await self.core.store.bots.save(bot, user)
        except StoreError as e:
            raise self._conflict("CreateBot", e) from None
        self.core.publish(Event("new_user", {"user_id": user.id}))
        return bot

    async def get(self, ctx: Ctx, bot_id: str, include_deleted: bool) -> Bot:
        bot = await self._get(bot_id, include_deleted)
        if self.perms.has_system(ctx, P.READ_OTHERS_BOTS):
            return bot
        if bot.owner_id == ctx.user_id and self.perms.has_system(ctx, P.READ_BOTS):
            return bot
        raise bot_not_found()

    async def list_bots(self, ctx: Ctx, *, page: int, per_page: int, include_deleted: bool,
                   only_orphaned: bool) -> list[Bot]:
        if self.perms.has_system(ctx, P.READ_OTHERS_BOTS):
            owner = ""
        elif self.perms.has_system(ctx, P.READ_BOTS):
            owner = ctx.user_id
        else:
            raise permission_denied("getBots", f"permission={P.READ_BOTS}")
        return await self.core.store.bots.list_bots(owner_id=owner, include_deleted=include_deleted,
                                               only_orphaned=only_orphaned, offset=page * per_page,
                                               limit=per_page)

    async def _save(self, bot: Bot, user: User | None, where: str) -> Bot:
        bot.update_at = self.core.now()
        try:
            await self.core.store.bots.update(bot, user)
        except NotFound:
            raise bot_not_found() from None
        except StoreError as e:
            raise self._conflict(where, e) from None
        if user is not None:
            self._publish_user(user)
        return bot

    def _publish_user(self, user: User) -> None:
        privacy = self.core.cfg.PrivacySettings
        public = user.sanitized_for(False, False, privacy.ShowEmailAddress, privacy.ShowFullName)
        self.core.publish(Event("user_updated", {"user": public.to_dict()}))

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
        user = await self._app.users.get(bot_id, where)
        user.username = new.username
        user.email = f"{new.username}@localhost"
        user.first_name = new.display_name
        user.bot_description = new.description
        user.update_at = self.core.now()
        return await self._save(new, user, where)

    async def set_active(self, ctx: Ctx, bot_id: str, active: bool) -> Bot:
        where = "UpdateBotActive"
        bot = await self.require_manage(ctx, bot_id)
        user = await self._app.users.get(bot_id, where)
        if bool(user.delete_at) == active or bool(bot.delete_at) == active:
            now = self.core.now()
            user.delete_at = 0 if active else now
            user.update_at = now
            bot.delete_at = 0 if active else now
            await self._save(bot, user, where)
            if not active:
                await self._app.sessions.revoke_all(bot_id)
        return bot

    async def assign(self, ctx: Ctx, bot_id: str, user_id: str) -> Bot:
        where = "assignBot"
        bot = await self.require_manage(ctx, bot_id)
        owner = await self._app.users.get(user_id, where)
        if owner.is_bot:
            raise permission_denied(where, f"permission={ASSIGN_BOT}")
        bot.owner_id = owner.id
        return await self._save(bot, None, where)

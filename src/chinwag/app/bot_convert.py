"""Converting between users and bots (Mattermost's ConvertUserToBot / ConvertBotToUser), system
admins only: a user becomes a bot it owns itself (its sessions end, its password is cleared); a
bot becomes a user with the password (and optionally email/username) given."""

from __future__ import annotations

import asyncio

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.passwords import hash_password
from chinwag.app.permissions import PermissionService
from chinwag.app.session import SessionService
from chinwag.app.user import UserService
from chinwag.app.validate import check_password
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.integration import Bot
from chinwag.model.user import User, UserPatch
from chinwag.platform.events import Event
from chinwag.store.errors import NotFound, StoreError


@service
class BotConvertService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    sessions: SessionService
    users: UserService

    async def user_to_bot(self, ctx: Ctx, user_id: str) -> Bot:
        where = "ConvertUserToBot"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        user = await self.directory.user(user_id, where)
        if user.is_bot:
            raise AppError(where, "api.user.convert_user_to_bot.is_bot.app_error", "The user is already a bot.",
                           400)
        now = self.core.now()
        display = " ".join(x for x in (user.first_name, user.last_name) if x) or user.nickname
        bot = Bot(user_id=user.id, username=user.username, display_name=display[:64],
                  description="", owner_id=user.id, create_at=now, update_at=now)
        async with self.core.unit_of_work() as uow:
            await self.sessions.revoke_all(user.id, uow=uow)
            await self.core.store.bots.convert_from_user(bot, uow.conn)
            uow.publish(Event("_caches_flush"))
            uow.after_commit(lambda: self.core.caches.forget_user(user.id))
        return bot

    async def bot_to_user(self, ctx: Ctx, bot_user_id: str, patch: UserPatch, system_admin: bool) -> User:
        where = "ConvertBotToUser"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        try:
            await self.core.store.bots.get(bot_user_id, include_deleted=True)
        except NotFound:
            raise AppError(where, "store.sql_bot.get.missing.app_error", "Bot does not exist.", 404) from None
        if not isinstance(patch.password, str) or not patch.password:
            raise invalid_param(where, "password")
        check_password(patch.password, self.core.cfg.PasswordSettings, where)
        hashed = await asyncio.to_thread(hash_password, patch.password)
        rest = msgspec.structs.replace(patch, password=msgspec.UNSET)
        admin_ctx = Ctx(local=True, request_id=ctx.request_id)
        bot_user = await self.users.get(bot_user_id, where)
        patched, pending_email = self.users.apply_patch(admin_ctx, bot_user, rest, where)  # checks email/username
        now = self.core.now()
        # the patch, the conversion, the roles and the events: one unit of work
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.users.update(patched, uow.conn)
                await self.core.store.bots.convert_to_user(bot_user_id, hashed, now, uow.conn)
                user = msgspec.structs.replace(patched, is_bot=False, bot_description="", last_password_update=now,
                                               update_at=now, delete_at=0)
                if system_admin:
                    await self.users.set_roles(uow, user, "system_user system_admin")
                else:
                    self.users.updated(uow, user)
                uow.publish(Event("_caches_flush"))
        except StoreError as e:
            raise self.users.conflict_error(where, e) from None
        self.core.caches.forget_user(bot_user_id)
        await self.users.confirm_email_change(user, pending_email)
        return await self.directory.user(bot_user_id, where)

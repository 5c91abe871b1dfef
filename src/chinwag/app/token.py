"""Personal access tokens. A token works like a session token: the first request with it creates a
session row (props type "UserAccessToken", no expiry); revoking or disabling drops that session at
once, on every node and every open WebSocket."""

from __future__ import annotations

from chinwag.app.bot import BotService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.permissions import PermissionService
from chinwag.app.session import SessionService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.integration import UserAccessToken
from chinwag.store.errors import NotFound

DESCRIPTION_MAX = 255


@service
class UserAccessTokenService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    sessions: SessionService
    bots: BotService

    async def _require_user_or_bot(self, ctx: Ctx, user_id: str, where: str) -> None:
        if not await self.bots.can_act_for(ctx, user_id):
            raise permission_denied(where, f"permission={permissions.EDIT_OTHER_USERS}")

    async def _get(self, token_id: str, where: str) -> UserAccessToken:
        if not is_valid_id(token_id):
            raise invalid_param(where, "token_id")
        try:
            return await self.core.store.tokens.get(token_id)
        except NotFound:
            raise AppError(where, "app.user_access_token.get_by_user.app_error", "Unable to get the token.",
                           404) from None

    # CRUD ---------------------------------------------------------------------------------------

    async def create(self, ctx: Ctx, user_id: str, description: str) -> UserAccessToken:
        where = "createUserAccessToken"
        if ctx.session is not None and ctx.session.is_oauth:
            raise permission_denied(where, "attempted access by oauth app")
        if not description:
            raise invalid_param(where, "description")
        self.perms.require_system(ctx, permissions.CREATE_USER_ACCESS_TOKEN, where)
        await self._require_user_or_bot(ctx, user_id, where)
        user = await self.directory.user(user_id, where)
        if not self.core.cfg.ServiceSettings.EnableUserAccessTokens and not user.is_bot:
            raise AppError("CreateUserAccessToken", "app.user_access_token.disabled",
                           "Personal access tokens are disabled on this server. Please contact your system "
                           "administrator for details.", 501)
        if len(description) > DESCRIPTION_MAX:
            raise AppError("UserAccessToken.IsValid", "model.user_access_token.is_valid.description.app_error",
                           "Invalid description, must be 255 or less characters.", 400)
        token = UserAccessToken(id=new_id(), token=new_id(), user_id=user.id, description=description)
        await self.core.store.tokens.save(token)
        return token

    async def list_for_user(self, ctx: Ctx, user_id: str, page: int, per_page: int) -> list[UserAccessToken]:
        where = "getUserAccessTokensForUser"
        self.perms.require_system(ctx, permissions.READ_USER_ACCESS_TOKEN, where)
        await self._require_user_or_bot(ctx, user_id, where)
        return self._sanitize(await self.core.store.tokens.list_tokens(user_id=user_id, offset=page * per_page,
                                                                limit=per_page))

    async def list_all(self, ctx: Ctx, page: int, per_page: int) -> list[UserAccessToken]:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "getUserAccessTokens")
        return self._sanitize(await self.core.store.tokens.list_tokens(offset=page * per_page, limit=per_page))

    @staticmethod
    def _sanitize(tokens: list[UserAccessToken]) -> list[UserAccessToken]:
        for t in tokens:
            t.token = ""
        return tokens

    async def get(self, ctx: Ctx, token_id: str) -> UserAccessToken:
        where = "getUserAccessToken"
        self.perms.require_system(ctx, permissions.READ_USER_ACCESS_TOKEN, where)
        token = await self._get(token_id, where)
        await self._require_user_or_bot(ctx, token.user_id, where)
        token.token = ""
        return token

    async def _for_change(self, ctx: Ctx, token_id: str, permission: str, where: str) -> UserAccessToken:
        if not token_id:
            raise invalid_param(where, "token_id")
        self.perms.require_system(ctx, permission, where)
        token = await self._get(token_id, where)
        await self._require_user_or_bot(ctx, token.user_id, where)
        return token

    async def revoke(self, ctx: Ctx, token_id: str) -> None:
        token = await self._for_change(ctx, token_id, permissions.REVOKE_USER_ACCESS_TOKEN, "revokeUserAccessToken")
        await self.core.store.tokens.delete(token.id)
        await self.sessions.revoke_token(token.token)

    async def disable(self, ctx: Ctx, token_id: str) -> None:
        token = await self._for_change(ctx, token_id, permissions.REVOKE_USER_ACCESS_TOKEN, "disableUserAccessToken")
        await self.core.store.tokens.set_active(token.id, False)
        await self.sessions.revoke_token(token.token)

    async def enable(self, ctx: Ctx, token_id: str) -> None:
        token = await self._for_change(ctx, token_id, permissions.CREATE_USER_ACCESS_TOKEN, "enableUserAccessToken")
        await self.core.store.tokens.set_active(token.id, True)

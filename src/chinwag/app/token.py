"""Personal access tokens. A token works like a session token: the first request with it creates a
session row (props type "UserAccessToken", no expiry); revoking or disabling drops that session at
once, on every node and every open WebSocket."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions as P
from chinwag.model.errors import AppError, invalid_param, permission_denied, session_expired
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.integration import SESSION_TYPE_USER_ACCESS_TOKEN, UserAccessToken
from chinwag.model.user import Session
from chinwag.store.errors import NotFound

if TYPE_CHECKING:
    from chinwag.app.app import App

DESCRIPTION_MAX = 255


class UserAccessTokenService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms
        self._creating: dict[str, asyncio.Lock] = {}

    @property
    def _app(self) -> App:
        assert self.core.app is not None
        return self.core.app

    async def _require_user_or_bot(self, ctx: Ctx, user_id: str, where: str) -> None:
        if not await self._app.bots.can_act_for(ctx, user_id):
            raise permission_denied(where, f"permission={P.EDIT_OTHER_USERS}")

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
        self.perms.require_system(ctx, P.CREATE_USER_ACCESS_TOKEN, where)
        await self._require_user_or_bot(ctx, user_id, where)
        user = await self._app.users.get(user_id, where)
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
        self.perms.require_system(ctx, P.READ_USER_ACCESS_TOKEN, where)
        await self._require_user_or_bot(ctx, user_id, where)
        return self._sanitize(await self.core.store.tokens.list_tokens(user_id=user_id, offset=page * per_page,
                                                                limit=per_page))

    async def list_all(self, ctx: Ctx, page: int, per_page: int) -> list[UserAccessToken]:
        self.perms.require_system(ctx, P.MANAGE_SYSTEM, "getUserAccessTokens")
        return self._sanitize(await self.core.store.tokens.list_tokens(offset=page * per_page, limit=per_page))

    @staticmethod
    def _sanitize(tokens: list[UserAccessToken]) -> list[UserAccessToken]:
        for t in tokens:
            t.token = ""
        return tokens

    async def get(self, ctx: Ctx, token_id: str) -> UserAccessToken:
        where = "getUserAccessToken"
        self.perms.require_system(ctx, P.READ_USER_ACCESS_TOKEN, where)
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
        token = await self._for_change(ctx, token_id, P.REVOKE_USER_ACCESS_TOKEN, "revokeUserAccessToken")
        await self.core.store.tokens.delete(token.id)
        await self._app.sessions.revoke_token(token.token)

    async def disable(self, ctx: Ctx, token_id: str) -> None:
        token = await self._for_change(ctx, token_id, P.REVOKE_USER_ACCESS_TOKEN, "disableUserAccessToken")
        await self.core.store.tokens.set_active(token.id, False)
        await self._app.sessions.revoke_token(token.token)

    async def enable(self, ctx: Ctx, token_id: str) -> None:
        token = await self._for_change(ctx, token_id, P.CREATE_USER_ACCESS_TOKEN, "enableUserAccessToken")
        await self.core.store.tokens.set_active(token.id, True)

    # sessions -----------------------------------------------------------------------------------

    async def session_for(self, token_value: str) -> Session:
        """The session behind a personal access token (created on first use); session_expired if the
        token is unknown, disabled, its user deactivated, or tokens are turned off for non-bots."""
        where = "createSessionForUserAccessToken"
        lock = self._creating.setdefault(token_value, asyncio.Lock())
        try:
            async with lock:
                try:
                    return await self.core.store.sessions.get_by_token(token_value)
                except NotFound:
                    pass
                try:
                    token = await self.core.store.tokens.get_by_token(token_value)
                    user = await self.core.store.users.get(token.user_id)
                except NotFound:
                    raise session_expired(where, "token not found") from None
                if not token.is_active or user.delete_at:
                    raise session_expired(where, "inactive token or user")
                if not self.core.cfg.ServiceSettings.EnableUserAccessTokens and not user.is_bot:
                    raise session_expired(where, "EnableUserAccessTokens=false")
                now = self.core.now()
                props = {"type": SESSION_TYPE_USER_ACCESS_TOKEN, "user_access_token_id": token.id,
                         "is_guest": "false"}
                if user.is_bot:
                    props["is_bot"] = "true"
                session = Session(id=new_id(), token=token.token, create_at=now, expires_at=0,
                                  last_activity_at=now, user_id=user.id, roles=user.roles, props=props,
                                  csrf_token=new_id())
                try:
                    await self.core.store.sessions.save(session)
                except Exception:
                    # another request (or node) created it first: the token column is unique
                    return await self.core.store.sessions.get_by_token(token_value)
                return session
        finally:
            if not lock.locked():
                self._creating.pop(token_value, None)

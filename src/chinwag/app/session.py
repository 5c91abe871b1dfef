"""Sessions: creating, looking up (with an in-process cache invalidated on revoke), revoking. Login
(credentials, MFA, LDAP) is in ``login``, above."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from cachetools import LRUCache

from chinwag.app.audit import audit
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.outbox import UnitOfWork
from chinwag.model.errors import AppError, session_expired
from chinwag.model.ids import new_id
from chinwag.model.integration import SESSION_TYPE_USER_ACCESS_TOKEN
from chinwag.model.user import SYSTEM_GUEST_ROLE, Session, User
from chinwag.platform.events import Event
from chinwag.store.errors import NotFound

HOUR_MS = 3_600_000
#: how often a session's last activity is written back (Mattermost: 5 minutes)
ACTIVITY_WRITE_MS = 5 * 60_000
#: sessions kept in memory; the least recently used go first
SESSION_CACHE_SIZE = 50000


class SessionService:
    def __init__(self, core: AppCore) -> None:
        self.core = core
        #: token → (session, when cached); the age is checked against SessionCacheInMinutes on read
        self._cache: LRUCache[str, tuple[Session, float]] = LRUCache(maxsize=SESSION_CACHE_SIZE)
        #: one creation at a time per personal access token
        self._creating: dict[str, asyncio.Lock] = {}

    async def create(
        self, user: User, *, device_id: str = "", is_oauth: bool = False, props: dict[str, str] | None = None
    ) -> Session:
        if user.is_guest() and not self.core.cfg.GuestAccountsSettings.Enable:
            raise AppError("login", "api.user.login.guest_accounts.disabled.error",
                           "Login failed because guest access is disabled.", 401)
        s = self.core.cfg.ServiceSettings
        now = self.core.now()
        if device_id:
            hours = s.SessionLengthMobileInHours
            for token in await self.core.store.sessions.remove_for_device(user.id, device_id):
                self._cache.pop(token, None)
        elif is_oauth:
            hours = s.SessionLengthSSOInHours
        else:
            hours = s.SessionLengthWebInHours
        session = Session(
            id=new_id(),
            token=new_id(),
            create_at=now,
            expires_at=now + hours * HOUR_MS,
            last_activity_at=now,
            user_id=user.id,
            device_id=device_id,
            roles=user.roles,
            is_oauth=is_oauth,
            props=props or {},
            csrf_token=new_id(),
        )
        await self.core.store.sessions.save(session)
        # cached at once (Mattermost's CreateSession adds it to the session cache): the client's first
        # request with the new token does not read it back
        self._cache[session.token] = (session, time.monotonic())
        return session

    # lookup --------------------------------------------------------------------------------

    async def from_token(self, token: str) -> Session:
        where = "ServeHTTP"
        if not token or len(token) > 64:
            raise session_expired(where, "token missing or malformed")
        cfg = self.core.cfg.ServiceSettings
        now = self.core.now()
        cached = self._cache.get(token)
        if cached and time.monotonic() - cached[1] < cfg.SessionCacheInMinutes * 60:
            session = cached[0]
        else:
            try:
                session = await self.core.store.sessions.get_by_token(token)
            except NotFound:
                # a personal access token's session starts on first use
                session = await self._access_token_session(token)
            self._cache[token] = (session, time.monotonic())
        if session.props.get("type") == "UserAccessToken" and not cfg.EnableUserAccessTokens \
                and not session.props.get("is_bot"):
            raise session_expired(where, "user access tokens are disabled")
        if session.is_expired(now):
            await self._drop(session)
            raise session_expired(where, "session expired")
        if not self.core.cfg.GuestAccountsSettings.Enable and SYSTEM_GUEST_ROLE in session.roles.split():
            raise session_expired(where, "guest access is disabled")
        idle = cfg.SessionIdleTimeoutInMinutes * 60_000
        if idle > 0 and not session.device_id and session.props.get("type") != "UserAccessToken":
            if now - session.last_activity_at > idle:
                await self._drop(session)
                raise session_expired(where, "session idle")
        if now - session.last_activity_at > ACTIVITY_WRITE_MS:
            session.last_activity_at = now
            if cfg.ExtendSessionLengthWithActivity and session.props.get("type") != "UserAccessToken":
                hours = (cfg.SessionLengthMobileInHours if session.device_id
                         else cfg.SessionLengthSSOInHours if session.is_oauth else cfg.SessionLengthWebInHours)
                session.expires_at = now + hours * HOUR_MS
            await self.core.store.sessions.update_activity(session.id, now, session.expires_at)
        return session

    async def _drop(self, session: Session) -> None:
        self._cache.pop(session.token, None)
        await self.core.store.sessions.remove(session.id)
        self._announce([session.token], "")

    def _announce(self, tokens: list[str], user_id: str) -> None:
        """Tell every node to forget cached sessions (an internal event, never sent to clients)."""
        self.core.publish(Event("_sessions_revoked", {"tokens": tokens, "user_id": user_id}))

    def handle_internal(self, event: dict[str, Any]) -> None:
        if event.get("event") == "_caches_flush":
            self._cache.clear()
            return
        if event.get("event") != "_sessions_revoked":
            return
        data = event.get("data") or {}
        for token in data.get("tokens") or []:
            self._cache.pop(token, None)
        if data.get("user_id"):
            self.invalidate_user(str(data["user_id"]))

    # revoking ------------------------------------------------------------------------------

    async def logout(self, ctx: Ctx) -> None:
        if ctx.session is not None:
            await self._drop(ctx.session)
            await audit(self.core, ctx, "logout", "success", user_id=ctx.session.user_id,
                        session_id=ctx.session.id)

    async def revoke(self, ctx: Ctx, user_id: str, session_id: str) -> None:
        where = "RevokeSession"
        try:
            session = await self.core.store.sessions.get(session_id)
        except NotFound:
            raise AppError(where, "app.session.get.app_error", "Unable to find the session.", 404) from None
        if session.user_id != user_id:
            raise AppError(where, "api.user.revoke_session.invalid_session_id", "Invalid session id.", 400)
        await self._drop(session)

    async def revoke_token(self, token: str) -> None:
        """Drop the session behind a token (a revoked or disabled personal access token) everywhere."""
        try:
            await self._drop(await self.core.store.sessions.get_by_token(token))
        except NotFound:
            self._cache.pop(token, None)
            self._announce([token], "")

    async def revoke_all(self, user_id: str, except_session: str = "", uow: UnitOfWork | None = None) -> None:
        """End every session of a user (but ``except_session``); with ``uow``, as part of that change."""
        if uow is None:
            async with self.core.unit_of_work() as own:
                await self.revoke_all(user_id, except_session, own)
            return
        tokens = await self.core.store.sessions.remove_for_user(user_id, except_session, uow.conn)

        def forget() -> None:
            for token in tokens:
                self._cache.pop(token, None)
            self.invalidate_user(user_id)

        uow.after_commit(forget)
        uow.publish(Event("_sessions_revoked", {"tokens": tokens, "user_id": user_id}))

    async def revoke_everyone(self) -> None:
        """Every session of every user ends; open WebSockets close on every node."""
        tokens = await self.core.store.sessions.remove_all()
        self._cache.clear()
        self._announce(tokens, "")

    def invalidate_user_everywhere(self, user_id: str) -> None:
        """Every node forgets the user's cached sessions (they stay valid: read again on next use)."""
        self._announce([], user_id)

    def invalidate_user(self, user_id: str) -> None:
        for token, (s, _) in list(self._cache.items()):
            if s.user_id == user_id:
                del self._cache[token]

    async def list_for_user(self, user_id: str) -> list[Session]:
        sessions = await self.core.store.sessions.list_for_user(user_id)
        for s in sessions:
            s.token = ""
        return sessions

    # personal access tokens --------------------------------------------------------------

    async def _access_token_session(self, token_value: str) -> Session:
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

"""Custom statuses (Mattermost's app/custom_status.go): set, clear, the recent list, and expiry.

A status is JSON text in the user's ``props["customStatus"]`` ("" once cleared); setting or clearing
one updates the user and sends ``user_updated``. Each set status goes to the front of the user's
recent list (the ``custom_status``/``recent_custom_statuses`` preference, five at most, one per
text; ``preferences_changed``). A status whose ``expires_at`` has passed is cleared by a loop that
every server process runs (twice a minute); clearing twice is harmless.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import structlog

from chinwag.app.background import WorkLoop
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.app.preference import PreferenceService
from chinwag.app.user import UserService
from chinwag.model import custom_status as cs_model
from chinwag.model import permissions
from chinwag.model.custom_status import CustomStatus
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.user import Preference, User

log = structlog.get_logger("chinwag.app.custom_status")

POLL_SECONDS = 30.0


class CustomStatusService:
    def __init__(self, core: AppCore, perms: PermissionService, users: UserService,
                 preferences: PreferenceService) -> None:
        self.core = core
        self.perms = perms
        self.users = users
        self.preferences = preferences
        self.loop = WorkLoop("custom_status", self.expire_due, poll_seconds=POLL_SECONDS, lease=core.poll_lease)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.core.now() / 1000, UTC)

    def require_enabled(self, where: str) -> None:
        if not self.core.cfg.TeamSettings.EnableCustomUserStatuses:
            raise AppError(where, "api.custom_status.disabled", "Custom status feature has been disabled.", 501)

    async def set(self, ctx: Ctx, user_id: str, status: CustomStatus) -> None:
        where = "updateUserCustomStatus"
        self.require_enabled(where)
        now = self._now()
        if (not status.emoji and not status.text) or not status.valid(now):
            raise invalid_param(where, "custom_status")
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        status.presave(now)
        user = await self.users.get(user_id, where)
        await self._write(user, status.encode())
        recent = cs_model.add_recent(await self._recent(user_id), status)
        await self._save_recent(ctx, user_id, recent)

    async def clear(self, ctx: Ctx, user_id: str) -> None:
        where = "removeUserCustomStatus"
        self.require_enabled(where)
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        user = await self.users.get(user_id, where)
        if cs_model.decode(user.props.get(cs_model.PROPS_KEY)) is not None:
            await self._write(user, "")

    async def recent(self, ctx: Ctx, user_id: str) -> list[CustomStatus]:
        where = "getRecentCustomStatuses"
        self.require_enabled(where)
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        await self.users.get(user_id, where)
        return await self._recent(user_id)

    async def remove_recent(self, ctx: Ctx, user_id: str, status: CustomStatus) -> None:
        where = "removeUserRecentCustomStatus"
        self.require_enabled(where)
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        recent = await self._recent(user_id)
        if not status.emoji and not status.text:
            return
        kept = [r for r in recent if r != status]
        if len(kept) == len(recent):
            raise AppError(where, "api.custom_status.recent_custom_statuses.delete.app_error",
                           "The recent custom status could not be found.", 400)
        await self._save_recent(ctx, user_id, kept)

    # expiry ----------------------------------------------------------------------------------

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()

    async def expire_due(self) -> int:
        """Clear every status whose expiry has passed; how many were cleared."""
        now = self._now()
        cleared = 0
        for user in await self.core.store.users.with_prop_text(cs_model.PROPS_KEY, "expires_at"):
            status = cs_model.decode(user.props.get(cs_model.PROPS_KEY))
            if status is not None and status.expired(now):
                fresh = await self.users.get(user.id)  # the cached copy may be older than the row
                current = cs_model.decode(fresh.props.get(cs_model.PROPS_KEY))
                if current is not None and current.expired(now):
                    await self._write(fresh, "")
                    cleared += 1
        if cleared:
            log.info("expired custom statuses cleared", count=cleared)
        return 0  # nothing is left to do before the next turn

    # storage ---------------------------------------------------------------------------------

    async def _write(self, user: User, value: str) -> None:
        updated = msgspec.structs.replace(user, props={**user.props, cs_model.PROPS_KEY: value},
                                          update_at=self.core.now())
        async with self.core.unit_of_work() as uow:
            await self.core.store.users.set_props(user.id, updated.props, updated.update_at, uow.conn)
            self.users.updated(uow, updated)

    async def _recent(self, user_id: str) -> list[CustomStatus]:
        prefs = await self.core.store.preferences.get_all(user_id, cs_model.PREFERENCE_CATEGORY,
                                                          cs_model.PREFERENCE_NAME)
        return cs_model.decode_recent(prefs[0].value) if prefs else []

    async def _save_recent(self, ctx: Ctx, user_id: str, recent: list[CustomStatus]) -> None:
        value = msgspec.json.encode(recent).decode()
        pref = Preference(user_id=user_id, category=cs_model.PREFERENCE_CATEGORY, name=cs_model.PREFERENCE_NAME,
                          value=value)
        await self.preferences.save(ctx, user_id, [pref])

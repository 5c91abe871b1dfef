"""User preferences."""

from __future__ import annotations

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions as P
from chinwag.model.errors import AppError, permission_denied
from chinwag.model.user import Preference
from chinwag.platform.events import Broadcast, Event


class PreferenceService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms

    def _check(self, ctx: Ctx, user_id: str, prefs: list[Preference], where: str) -> None:
        self.perms.require_self_or_system(ctx, user_id, P.EDIT_OTHER_USERS, where)
        if len(prefs) > 100:
            raise AppError(
                where,
                "api.preference.update_preferences.too_many.app_error",
                "Too many preferences in one request.",
                400,
            )
        for p in prefs:
            if p.user_id != user_id:
                raise permission_denied(where, "preference user_id does not match")
            if not p.category or len(p.category) > 32 or len(p.name) > 32 or len(p.value) > 2000:
                raise AppError(where, "model.preference.is_valid.app_error", "Invalid preference.", 400)

    async def get(self, ctx: Ctx, user_id: str, category: str = "", name: str = "") -> list[Preference]:
        self.perms.require_self_or_system(ctx, user_id, P.EDIT_OTHER_USERS, "getPreferences")
        return await self.core.store.preferences.get_all(user_id, category, name)

    async def save(self, ctx: Ctx, user_id: str, prefs: list[Preference]) -> None:
        where = "updatePreferences"
        self._check(ctx, user_id, prefs, where)
        await self.core.store.preferences.save(prefs)
        self.core.publish(
            Event(
                "preferences_changed",
                {"preferences": msgspec.json.encode([p.to_dict() for p in prefs]).decode()},
                Broadcast(user_id=user_id),
            )
        )

    async def delete(self, ctx: Ctx, user_id: str, prefs: list[Preference]) -> None:
        where = "deletePreferences"
        self._check(ctx, user_id, prefs, where)
        await self.core.store.preferences.delete(prefs)
        self.core.publish(
            Event(
                "preferences_deleted",
                {"preferences": msgspec.json.encode([p.to_dict() for p in prefs]).decode()},
                Broadcast(user_id=user_id),
            )
        )

"""User preferences."""

from __future__ import annotations

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.outbox import UnitOfWork
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, Channel
from chinwag.model.channel_category import FAVORITE_CHANNEL
from chinwag.model.errors import AppError, permission_denied
from chinwag.model.user import Preference
from chinwag.platform.events import Broadcast, Event


@service
class PreferenceService:
    core: AppCore
    perms: PermissionService

    async def import_many(self, prefs: list[Preference]) -> None:
        """Imported preferences (any users'; ``favorite_channel`` ones move the channels in or out of
        Favorites), in one unit of work; no event (an import's settings)."""
        if prefs:
            async with self.core.unit_of_work() as uow:
                await self.core.store.preferences.save(prefs, uow.conn)
                await self.core.store.categories.favorites_from_preferences(prefs, conn=uow.conn)

    def _check(self, ctx: Ctx, user_id: str, prefs: list[Preference], where: str) -> None:
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
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

    async def _sync_favorites(self, uow: UnitOfWork, user_id: str, prefs: list[Preference], deleted: bool) -> None:
        """``favorite_channel`` preferences move channels in and out of the Favorites category. Like
        Mattermost, every preference change is followed by a bare ``sidebar_category_updated`` (no team,
        no data) before ``preferences_changed``/``preferences_deleted``."""
        if any(p.category == FAVORITE_CHANNEL for p in prefs):
            await self.core.store.categories.favorites_from_preferences(prefs, deleted=deleted, conn=uow.conn)
        uow.publish(Event("sidebar_category_updated", {}, Broadcast(user_id=user_id)))

    async def get(self, ctx: Ctx, user_id: str, category: str = "", name: str = "") -> list[Preference]:
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, "getPreferences")
        return await self.core.store.preferences.get_all(user_id, category, name)

    async def save(self, ctx: Ctx, user_id: str, prefs: list[Preference]) -> None:
        where = "updatePreferences"
        self._check(ctx, user_id, prefs, where)
        async with self.core.unit_of_work() as uow:
            await self.core.store.preferences.save(prefs, uow.conn)
            await self._sync_favorites(uow, user_id, prefs, deleted=False)
            uow.publish(Event("preferences_changed",
                              {"preferences": msgspec.json.encode([p.to_dict() for p in prefs]).decode()},
                              Broadcast(user_id=user_id)))

    async def delete(self, ctx: Ctx, user_id: str, prefs: list[Preference]) -> None:
        where = "deletePreferences"
        self._check(ctx, user_id, prefs, where)
        async with self.core.unit_of_work() as uow:
            await self.core.store.preferences.delete(prefs, uow.conn)
            await self._sync_favorites(uow, user_id, prefs, deleted=True)
            uow.publish(Event("preferences_deleted",
                              {"preferences": msgspec.json.encode([p.to_dict() for p in prefs]).decode()},
                              Broadcast(user_id=user_id)))


DIRECT_CHANNEL_SHOW = "direct_channel_show"
GROUP_CHANNEL_SHOW = "group_channel_show"


async def hidden_dm_preferences(core: AppCore, channel: Channel, member_ids: list[str]) -> list[Preference]:
    """The ``direct_channel_show``/``group_channel_show`` preferences that would make a direct or group
    channel visible to each of its members who does not already have one set to ``true`` (as
    Mattermost does when such a channel is made and on each new post in it: the web app lists a
    read DM or GM in the sidebar only while that preference is ``true``). Empty for other channels."""
    if channel.type == CHANNEL_DIRECT:
        ids = list(dict.fromkeys(member_ids))
        wanted = [Preference(user_id=u, category=DIRECT_CHANNEL_SHOW,
                             name=next((o for o in ids if o != u), u), value="true") for u in ids]
    elif channel.type == CHANNEL_GROUP:
        wanted = [Preference(user_id=u, category=GROUP_CHANNEL_SHOW, name=channel.id, value="true")
                  for u in dict.fromkeys(member_ids)]
    else:
        return []
    # the ones already known to be "true" need no read (the cache forgets one when it changes)
    shown = core.caches.shown
    unknown = [p for p in wanted if shown.lookup((p.user_id, p.category, p.name)) is None]
    by_name: dict[str, list[str]] = {}
    for p in unknown:
        by_name.setdefault(p.name, []).append(p.user_id)
    out = []
    for name, users in by_name.items():  # a GM: one read; a DM: one per member
        have = await core.store.preferences.values_for(users, unknown[0].category, name)
        for p in unknown:
            if p.name != name:
                continue
            if have.get(p.user_id) == "true":
                shown[(p.user_id, p.category, p.name)] = True
            else:
                out.append(p)
    return out


async def show_preferences(uow: UnitOfWork, core: AppCore, prefs: list[Preference]) -> None:
    """Save ``prefs`` (from :func:`hidden_dm_preferences`) in ``uow`` and tell each user with a
    ``preferences_changed``."""
    if not prefs:
        return
    await core.store.preferences.save(prefs, uow.conn)
    for p in prefs:
        uow.publish(Event("preferences_changed", {"preferences": msgspec.json.encode([p.to_dict()]).decode()},
                          Broadcast(user_id=p.user_id)))

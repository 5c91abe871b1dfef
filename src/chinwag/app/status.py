"""User statuses: set manually, or from activity (the WebSocket hub drives online/offline)."""

from __future__ import annotations

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.user import STATUS_AWAY, STATUS_DND, STATUS_OFFLINE, STATUS_ONLINE, Status
from chinwag.platform.events import Broadcast, Event


@service
class StatusService:
    core: AppCore
    perms: PermissionService

    async def get_many(self, user_ids: list[str]) -> list[Status]:
        """The users' statuses (offline for a user without one), from the cache where it has them: every
        change of a status goes through ``save``/``set_online_many``, whose ``status_change`` drops or
        replaces it on every node. The posters' statuses of every channel view come here."""
        caches = self.core.caches
        cache = caches.statuses
        found, missing = cache.split(user_ids)
        if missing:
            drops = caches.status_drops
            mark = drops.mark()
            stored = {s.user_id: s for s in await self.core.store.status.get_many(missing)}
            for uid in missing:
                s = found[uid] = stored.get(uid) or Status(user_id=uid)
                if drops.fresh(uid, mark):  # its status not dropped while reading: what was read is current
                    cache[uid] = s
        return [found[uid] for uid in dict.fromkeys(user_ids)]

    async def get(self, ctx: Ctx, user_id: str) -> Status:
        if not is_valid_id(user_id):
            raise invalid_param("getUserStatus", "user_id")
        return (await self.get_many([user_id]))[0]

    async def set(self, ctx: Ctx, user_id: str, status: str, dnd_end_time: int = 0) -> Status:
        where = "updateUserStatus"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        if status not in (STATUS_ONLINE, STATUS_AWAY, STATUS_OFFLINE, STATUS_DND):
            raise AppError(where, "api.status.update_status.invalid", "Invalid status.", 400)
        manual = status != STATUS_ONLINE
        return await self.save(user_id, status, manual=manual, dnd_end_time=dnd_end_time)

    async def save(
        self, user_id: str, status: str, *, manual: bool = False, dnd_end_time: int = 0, activity: bool = True
    ) -> Status:
        now = self.core.now()
        s = Status(
            user_id=user_id,
            status=status,
            manual=manual,
            last_activity_at=now if activity else 0,
            dnd_end_time=dnd_end_time if status == STATUS_DND else 0,
        )
        if not activity:
            old = (await self.get_many([user_id]))[0]
            s.last_activity_at = old.last_activity_at
        await self.core.store.status.save(s)
        self.core.publish(
            Event("status_change", {"status": status, "user_id": user_id}, Broadcast(user_id=user_id))
        )
        return s

    async def set_online_many(self, user_ids: list[str]) -> None:
        """Online for each user not already online and without a status set by hand: one read, one
        write, one ``status_change`` each."""
        now = self.core.now()
        changed = [Status(user_id=s.user_id, status=STATUS_ONLINE, last_activity_at=now)
                   for s in await self.get_many(user_ids) if not s.manual and s.status != STATUS_ONLINE]
        if not changed:
            return
        await self.core.store.status.save_many(changed)
        cache = self.core.caches.statuses
        for s in changed:
            cache[s.user_id] = s
            self.core.publish(
                Event("status_change", {"status": STATUS_ONLINE, "user_id": s.user_id}, Broadcast(user_id=s.user_id)))

    async def set_online_from_activity(self, user_id: str) -> None:
        """Mattermost's SetStatusOnline(manual=false): activity (posting) makes a user online,
        unless they chose a status by hand. The status is cached, so a busy poster costs no reads."""
        cache = self.core.caches.statuses
        current = cache.lookup(user_id)
        if current is None:
            current = (await self.get_many([user_id]))[0]
            cache[user_id] = current
        if current.manual or current.status == STATUS_ONLINE:
            return
        saved = await self.save(user_id, STATUS_ONLINE)
        cache[user_id] = saved

"""Server-wide facts: health, first-run state, diagnostic id."""

from __future__ import annotations

from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import new_id
from chinwag.platform.events import Broadcast, Event

_BROADCAST_FIELDS = frozenset({"omit_users", "user_id", "channel_id", "team_id", "connection_id",
                               "omit_connection_id", "user_ids"})


class SystemService:
    def __init__(self, core: AppCore) -> None:
        self.core = core
        self._diagnostic_id = ""

    async def init(self) -> None:
        self._diagnostic_id = await self.core.store.system.set_if_absent("DiagnosticId", new_id())

    @property
    def diagnostic_id(self) -> str:
        return self._diagnostic_id

    async def database_ok(self) -> bool:
        try:
            return await self.core.store.db.ping()
        except Exception:
            return False

    async def filestore_ok(self) -> bool:
        """Mattermost's ping health check: write, read back and remove a test file."""
        assert self.core.app is not None
        try:
            await self.core.app.files.backend().test_connection()
            return True
        except Exception:
            return False

    async def no_accounts(self) -> bool:
        return await self.core.store.users.count() == 0

    async def active_user_count(self) -> int:
        return await self.core.store.users.count(include_deleted=False, include_bots=False)

    def publish_from_local(self, ctx: Ctx, events: Any) -> int:
        """Events another process on this machine made (an import into an embedded server, which has
        no shared stream): published as if this process had made them. Local mode only."""
        where = "publishLocalEvents"
        if not ctx.local:
            raise AppError(where, "api.context.local_origin_required.app_error",
                           "This API can only be used from local mode.", 403)
        if not isinstance(events, list) or len(events) > 10_000:
            raise invalid_param(where, "events")
        parsed: list[Event] = []
        for item in events:
            if not isinstance(item, dict) or not isinstance(item.get("event"), str) or not item["event"] \
                    or not isinstance(item.get("data", {}), dict) or not isinstance(item.get("broadcast", {}), dict):
                raise invalid_param(where, "events")
            b = item.get("broadcast") or {}
            try:
                broadcast = Broadcast(**{k: v for k, v in b.items() if k in _BROADCAST_FIELDS})
            except TypeError:
                raise invalid_param(where, "events") from None
            parsed.append(Event(item["event"], item.get("data") or {}, broadcast))
        for ev in parsed:
            self.core.publish(ev)
        return len(parsed)

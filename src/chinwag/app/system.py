"""Server-wide facts: health, first-run state, diagnostic id."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.file import FileService
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import new_id
from chinwag.platform.events import Broadcast, Event

_BROADCAST_FIELDS = frozenset({"omit_users", "user_id", "channel_id", "team_id", "connection_id",
                               "omit_connection_id", "user_ids"})

#: seconds a health check (``GET /system/ping?get_server_status=true``) waits for the database or the
#: file store; under a Kubernetes readiness probe's timeout (deploy/helm: 5 s)
HEALTH_TIMEOUT = 3.0
#: seconds the first-run check trusts that accounts exist (only deleting every account undoes it)
ACCOUNTS_SEEN_FOR = 10.0


class SystemService:
    def __init__(self, core: AppCore, files: FileService) -> None:
        self.core = core
        self.files = files
        self._diagnostic_id = ""
        self._installation_date = ""
        self._accounts_seen_until = 0.0

    async def init(self) -> None:
        self._diagnostic_id = await self.core.store.system.set_if_absent("DiagnosticId", new_id())
        self._installation_date = await self.core.store.system.set_if_absent(
            "InstallationDate", str(self.core.now()))

    @property
    def installation_date(self) -> str:
        """When this database was first served (ms), as Mattermost's client config reports it."""
        return self._installation_date

    @property
    def diagnostic_id(self) -> str:
        return self._diagnostic_id

    async def database_ok(self) -> bool:
        """The database answers a query within HEALTH_TIMEOUT seconds."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                return await self.core.store.db.ping()
        except Exception:
            return False

    async def filestore_ok(self) -> bool:
        """Mattermost's ping health check, within HEALTH_TIMEOUT seconds: the bucket answers (S3),
        or a test file can be written, read back and removed (local directory)."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await self.files.backend().test_connection(write=False)
            return True
        except Exception:
            return False

    async def no_accounts(self) -> bool:
        """True until the first account exists (the client config's ``NoAccounts``, asked on every
        page load): once accounts are seen the answer is kept for a few seconds."""
        now = time.monotonic()
        if now < self._accounts_seen_until:
            return False
        if await self.core.store.users.any_exist():
            self._accounts_seen_until = now + ACCOUNTS_SEEN_FOR
            return False
        return True

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

"""Server-wide facts: health, first-run state, diagnostic id."""

from __future__ import annotations

from chinwag.app.core import AppCore
from chinwag.model.ids import new_id


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

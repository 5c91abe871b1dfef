"""``GET /api/v4/logs``: the server's log file, a page at a time from its end (Mattermost's getLogs)."""

from __future__ import annotations

import asyncio

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.config.logfile import log_file_path, tail_lines
from chinwag.model import permissions as P
from chinwag.model.errors import AppError

#: Mattermost's LogsPerPageDefault and its maximum
LOGS_PER_PAGE = 10000


class LogService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms

    async def get(self, ctx: Ctx, page: int, per_page: int) -> list[str]:
        """Lines of this node's log file, oldest first: page 0 holds the newest ``per_page`` lines."""
        self.perms.require_system(ctx, P.MANAGE_SYSTEM, "getLogs")
        settings = self.core.cfg.LogSettings
        if not settings.EnableFile:
            raise AppError("getLogs", "api.admin.logs.file_disabled.app_error",
                           "This server keeps no log file: LogSettings.EnableFile is off.", 400)
        path = log_file_path(settings)
        try:
            return await asyncio.to_thread(tail_lines, path, max(page, 0), per_page)
        except OSError as e:
            raise AppError("getLogs", "api.admin.file_read_error", f"Unable to read the log file {path}.", 500,
                           str(e)) from None

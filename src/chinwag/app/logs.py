"""``GET /api/v4/logs``: the server's log file, a page at a time from its end (Mattermost's getLogs)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.permissions import PermissionService
from chinwag.config.logfile import log_file_path, query_lines, tail_lines
from chinwag.model import permissions
from chinwag.model.errors import AppError

#: Mattermost's LogsPerPageDefault and its maximum
LOGS_PER_PAGE = 10000


@service
class LogService:
    core: AppCore
    perms: PermissionService

    async def get(self, ctx: Ctx, page: int, per_page: int) -> list[str]:
        """Lines of this node's log file, oldest first: page 0 holds the newest ``per_page`` lines."""
        self.perms.require_system(ctx, permissions.GET_LOGS, "getLogs")
        settings = self.core.cfg.LogSettings
        if not settings.EnableFile:
            raise AppError("getLogs", "api.admin.logs.file_disabled.app_error",
                           "This server keeps no log file: LogSettings.EnableFile is off.", 400)
        path = log_file_path(settings)
        try:
            return await asyncio.to_thread(tail_lines, path, max(page, 0), per_page)
        except OSError as e:
            raise AppError("getLogs", "api.admin.file_read_error", "Unable to read the log file {Path}.", 500,
                           str(e), {"Path": path}) from None

    async def download(self, ctx: Ctx) -> tuple[str, int]:
        """``GET /logs/download`` (the System Console's "Download logs"): this node's log file, its path and
        size. No file kept, or none readable: Mattermost's 500."""
        where = "downloadLogs"
        self.perms.require_system(ctx, permissions.GET_LOGS, where)
        settings = self.core.cfg.LogSettings
        if not settings.EnableFile:
            raise AppError(where, "api.system.logs.download_bytes_buffer.app_error",
                           "Failed to write logs to buffer", 500,
                           "Unable to retrieve the logs because LogSettings.EnableFile is set to false")
        path = log_file_path(settings)
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
        except OSError as e:
            raise AppError(where, "api.system.logs.download_bytes_buffer.app_error", "Failed to write logs to buffer",
                           500, str(e)) from None
        return str(path), size

    async def query(self, ctx: Ctx, page: int, per_page: int, log_filter: Any) -> dict[str, list[dict[str, Any]]]:
        """``POST /logs/query`` (the System Console's Server Logs): this node's JSON log lines matching
        ``{server_names, log_levels, date_from, date_to}``, under the node's name (``default`` unless
        ClusterSettings.Enable, as Mattermost names a lone server)."""
        where = "queryLogs"
        self.perms.require_system(ctx, permissions.GET_LOGS, where)
        if not isinstance(log_filter, dict):
            raise AppError(where, "api.system.logs.invalidFilter", "Invalid log filter", 400)

        def strings(name: str) -> list[str]:
            value = log_filter.get(name) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise AppError(where, "api.system.logs.invalidFilter", "Invalid log filter", 400, name)
            return list(value)

        def text(name: str) -> str:
            value = log_filter.get(name) or ""
            if not isinstance(value, str):
                raise AppError(where, "api.system.logs.invalidFilter", "Invalid log filter", 400, name)
            return value

        servers, levels, date_from, date_to = strings("server_names"), strings("log_levels"), text("date_from"), \
            text("date_to")
        cluster = self.core.cfg.ClusterSettings
        name = (cluster.OverrideHostname or socket.gethostname()) if cluster.Enable else "default"
        if servers and name not in servers:
            return {}
        settings = self.core.cfg.LogSettings
        if not settings.EnableFile:
            raise AppError(where, "api.admin.logs.file_disabled.app_error",
                           "This server keeps no log file: LogSettings.EnableFile is off.", 400)
        path = log_file_path(settings)
        try:
            lines = await asyncio.to_thread(query_lines, path, max(page, 0), per_page, levels, date_from, date_to)
        except OSError as e:
            raise AppError(where, "api.admin.file_read_error", "Unable to read the log file {Path}.", 500,
                           str(e), {"Path": path}) from None
        return {name: lines}

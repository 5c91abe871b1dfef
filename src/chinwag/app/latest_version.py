"""``GET /latest_version`` (the System Console's Workspace Optimization page): the newest Mattermost server
release on GitHub, as Mattermost's getLatestVersion answers it — for ``manage_system``, fetched from
GitHub's releases API and kept a day; any failure (no answer, not JSON, no release id) is Mattermost's
untranslated 500. The page compares it with the version the server reports to the apps."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.outbound import OutboundHttp, OutboundRefused
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.errors import AppError

#: where Mattermost reads its newest release
LATEST_VERSION_URL = "https://api.github.com/repos/mattermost/mattermost-server/releases/latest"
CACHE_SECONDS = 24 * 3600
_FIELDS = (("id", int, 0), ("tag_name", str, ""), ("name", str, ""), ("created_at", str, ""),
           ("published_at", str, ""), ("body", str, ""), ("html_url", str, ""))


def _failure(detail: str) -> AppError:
    return AppError("GetLatestVersion", "<untranslated>", "<untranslated>", 500, detail)


class LatestVersionService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms
        self.http = OutboundHttp(core)
        self._cached: tuple[float, dict[str, Any]] | None = None

    async def latest(self, ctx: Ctx) -> dict[str, Any]:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "getLatestVersion")
        if self._cached is not None and time.monotonic() - self._cached[0] < CACHE_SECONDS:
            return self._cached[1]
        try:
            status, _, body = await self.http.request("GET", LATEST_VERSION_URL,
                                                      headers={"accept": "application/vnd.github+json"})
            data = json.loads(body)
        except (OutboundRefused, OSError, ValueError, httpx.HTTPError) as e:
            raise _failure(str(e)) from None
        if not isinstance(data, dict):
            raise _failure(f"unexpected answer (HTTP {status})")
        # as Go's decoder: a missing or null field is its zero value, one of another type an error
        release: dict[str, Any] = {}
        for key, typ, zero in _FIELDS:
            value = data.get(key)
            if value is None:
                value = zero
            elif not isinstance(value, typ) or isinstance(value, bool):
                raise _failure(f"{key}: not a {typ.__name__}")
            release[key] = value
        if not release["id"]:
            raise _failure("empty ID")
        self._cached = (time.monotonic(), release)
        return release

    async def close(self) -> None:
        await self.http.close()

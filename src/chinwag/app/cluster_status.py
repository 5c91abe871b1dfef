"""``GET /cluster/status``: the server processes sharing this database, as Mattermost's ClusterInfo
(``id``, ``version``, ``schema_version``, ``config_hash``, ``ipaddress``, ``hostname``).

Every process writes its facts every ``interval`` seconds (``store/sql/cluster_store.py``) and removes
them when it stops; a node not heard from for three intervals is not listed, and its row is dropped
after a day. ``config_hash`` is the MD5 of the shared config.json values, so nodes that disagree show it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
from collections.abc import Callable
from typing import Any

import structlog

from chinwag import MATTERMOST_VERSION
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.config.loader import to_dict
from chinwag.model import permissions
from chinwag.store.sql.cluster_store import SqlClusterStore
from chinwag.store.sql.migrate import applied_migrations

log = structlog.get_logger("chinwag.cluster")

DAY_MS = 24 * 3600 * 1000


def local_address(hostname: str) -> str:
    try:
        return socket.gethostbyname(hostname)
    except OSError:
        return ""


class ClusterStatusService:
    def __init__(self, core: AppCore, perms: PermissionService, store: SqlClusterStore, node_id: str,
                 schema_version: Callable[[], str], interval: float = 30.0) -> None:
        self.core = core
        self.perms = perms
        self.store = store
        self.node_id = node_id
        self.schema_version = schema_version
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def info(self) -> dict[str, Any]:
        cfg = self.core.cfg
        hostname = cfg.ClusterSettings.OverrideHostname or socket.gethostname()
        file_values = json.dumps(to_dict(self.core.config_store.file_config), sort_keys=True)
        return {
            "id": self.node_id,
            "version": MATTERMOST_VERSION,
            "schema_version": self.schema_version(),
            "config_hash": hashlib.md5(file_values.encode(), usedforsecurity=False).hexdigest(),
            "ipaddress": local_address(hostname),
            "hostname": hostname,
            "last_seen": self.core.now(),
        }

    async def beat(self) -> None:
        await self.store.beat(self.node_id, self.info())

    async def start(self) -> None:
        """Record this node now, then every interval in the background."""
        if self._task is None:
            await self._beat_logged()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _beat_logged(self) -> None:
        try:
            await self.beat()
        except Exception as e:  # a missed beat is retried at the next interval
            log.warning("cluster status: could not record this node", error=str(e))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self._beat_logged()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
            try:
                await self.store.forget([self.node_id])
            except Exception as e:
                log.warning("cluster status: could not remove this node", error=str(e))

    async def live_node_ids(self) -> set[str]:
        """The nodes that recorded themselves within three intervals (this one always)."""
        now = self.core.now()
        live = {str(n.get("id", "")) for n in await self.store.nodes()
                if isinstance(n.get("last_seen"), int) and n["last_seen"] >= now - int(self.interval * 3000)}
        return live | {self.node_id}

    async def schema_migrations(self, ctx: Ctx) -> list[dict[str, Any]]:
        """``GET /system/schema/version`` (any System Console reader): the database's applied migrations
        as Mattermost's ``[{version, name}]``, newest first — chinwag's Alembic revisions, numbered in the
        order they apply."""
        self.perms.require_any_system(ctx, "getAppliedSchemaMigrations", *permissions.SYSCONSOLE_READ)
        return [{"version": v, "name": name} for v, name in await applied_migrations(self.core.store.db.engine)]

    async def status(self, ctx: Ctx) -> list[dict[str, Any]]:
        self.perms.require_system(ctx, permissions.SYSCONSOLE_READ_HIGH_AVAILABILITY, "getClusterStatus")
        now = self.core.now()
        live, gone = [], []
        for node in await self.store.nodes():
            seen = node.get("last_seen")
            if not isinstance(seen, int) or seen < now - DAY_MS:
                gone.append(str(node.get("id", "")))
            elif seen >= now - int(self.interval * 3000) or node.get("id") == self.node_id:
                live.append(node)
        if gone:
            await self.store.forget(gone)
        if not any(n.get("id") == self.node_id for n in live):
            live.append(self.info())
        return sorted(live, key=lambda n: (str(n.get("hostname")), str(n.get("id"))))

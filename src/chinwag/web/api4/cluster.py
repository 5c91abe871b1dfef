"""/cluster/status: the server processes sharing this database (System Console → High Availability)."""

from __future__ import annotations

from typing import Any

from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


@api.route("GET", "/cluster/status")
async def get_cluster_status(w: HandlerContext) -> Any:
    return await w.app.cluster.status(w.ctx)


@api.route("GET", "/system/schema/version")
async def get_applied_schema_migrations(w: HandlerContext) -> Any:
    return await w.app.cluster.schema_migrations(w.ctx)

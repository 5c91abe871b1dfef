"""Which server processes are alive: each node keeps a ``systems`` row ``ClusterNode:<node id>`` holding
its facts as JSON and when it last wrote them (``GET /cluster/status``)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import systems

PREFIX = "ClusterNode:"


class SqlClusterStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def beat(self, node_id: str, info: dict[str, Any]) -> None:
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, systems, ["name"], ["value"])
                               .values(name=PREFIX + node_id, value=json.dumps(info)))

    async def nodes(self) -> list[dict[str, Any]]:
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(systems.c.value)
                                       .where(systems.c.name.like(PREFIX + "%")))).all()
        out = []
        for (value,) in rows:
            try:
                info = json.loads(value)
            except ValueError:
                continue
            if isinstance(info, dict):
                out.append(info)
        return out

    async def forget(self, node_ids: list[str]) -> None:
        if not node_ids:
            return
        async with self.db.write() as conn:
            await conn.execute(systems.delete().where(systems.c.name.in_([PREFIX + n for n in node_ids])))

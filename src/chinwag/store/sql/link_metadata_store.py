"""Link previews fetched for posts (``linkmetadata``), keyed by a hash of URL and hour."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import linkmetadata as t


class SqlLinkMetadataStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_many(self, hashes: Sequence[int]) -> dict[int, tuple[str, str]]:
        """hash → (type, data JSON) for the hashes stored."""
        if not hashes:
            return {}
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(t.c.hash, t.c.type, t.c.data)
                                       .where(t.c.hash.in_(sorted(set(hashes)))))).all()
        return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}

    async def save(self, hash_: int, url: str, timestamp: int, type_: str, data: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, t, ["hash"], ["url", "timestamp", "type", "data"]).values(
                hash=hash_, url=url[:2048], timestamp=timestamp, type=type_, data=data))

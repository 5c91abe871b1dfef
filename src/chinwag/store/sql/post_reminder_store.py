"""Post reminders (``postreminders``): one per user and post; taken (deleted) when due."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import postreminders as t


class SqlPostReminderStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, post_id: str, user_id: str, target_time: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(upsert(conn, t, ["postid", "userid"], ["targettime"]).values(
                postid=post_id, userid=user_id, targettime=target_time))

    async def take_due(self, now_s: int, limit: int = 500) -> list[tuple[str, str]]:
        """(user id, post id) of reminders due at ``now_s``, deleted in the same transaction so each is
        sent once even with several nodes checking."""
        async with self.db.write() as conn:
            rows = (await conn.execute(sa.select(t.c.userid, t.c.postid).where(t.c.targettime <= now_s)
                                       .order_by(t.c.targettime).limit(limit))).all()
            taken: list[tuple[str, str]] = []
            for user_id, post_id in rows:
                res = await conn.execute(t.delete().where(t.c.userid == user_id, t.c.postid == post_id,
                                                          t.c.targettime <= now_s))
                if res.rowcount:
                    taken.append((str(user_id), str(post_id)))
        return taken

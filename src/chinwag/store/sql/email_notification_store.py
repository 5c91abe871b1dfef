"""The email notification queue: rows waiting to be mailed, claimed by one node at a time.

A claim is one ``UPDATE … WHERE claimedby = '' OR claimedat < stale`` per batch of users: on
PostgreSQL a row another node is claiming at the same moment is re-checked after that node's commit
and skipped, so no row is ever claimed twice while its claim is live; SQLite has one writer. A node
that dies holding a claim loses it when the claim goes stale, and another node sends the mail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from chinwag.store.sql.engine import Database
from chinwag.store.sql.params import id_in
from chinwag.store.sql.tables import emailnotifications as q_

_COLS = (q_.c.id, q_.c.userid, q_.c.postid, q_.c.channelid, q_.c.createat, q_.c.sendat, q_.c.digest,
         q_.c.attempts)


@dataclass
class EmailQueueItem:
    id: str
    user_id: str
    post_id: str
    channel_id: str
    create_at: int
    send_at: int
    digest: bool = False
    attempts: int = 0


def _item(r: Any) -> EmailQueueItem:
    return EmailQueueItem(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), bool(r[6]), int(r[7]))


class SqlEmailNotificationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, items: Sequence[EmailQueueItem]) -> None:
        if not items:
            return
        rows = [{"id": i.id, "userid": i.user_id, "postid": i.post_id, "channelid": i.channel_id,
                 "createat": i.create_at, "sendat": i.send_at, "digest": i.digest} for i in items]
        async with self.db.write() as conn:
            await conn.execute(q_.insert(), rows)

    async def digest_send_at(self, user_ids: Sequence[str]) -> dict[str, int]:
        """When each user's pending (unclaimed) digest is due, for users who have one."""
        if not user_ids:
            return {}
        q = (
            sa.select(q_.c.userid, sa.func.min(q_.c.sendat))
            .where(id_in(q_.c.userid, user_ids, self.db.driver), q_.c.digest == sa.true(), q_.c.claimedby == "")
            .group_by(q_.c.userid)
        )
        async with self.db.read() as conn:
            return {r[0]: int(r[1]) for r in (await conn.execute(q)).all()}

    async def claim(self, node: str, now: int, stale_before: int, max_users: int) -> list[EmailQueueItem]:
        """Claim every due row of up to ``max_users`` users for ``node``."""
        claimable = sa.or_(q_.c.claimedby == "", q_.c.claimedat < stale_before)
        due = sa.and_(q_.c.sendat <= now, claimable)
        users_q = sa.select(q_.c.userid).where(due).group_by(q_.c.userid).order_by(
            sa.func.min(q_.c.sendat)).limit(max_users)
        async with self.db.write() as conn:
            users = [r[0] for r in (await conn.execute(users_q)).all()]
            if not users:
                return []
            stmt = (
                q_.update()
                .where(q_.c.userid.in_(users), due)
                .values(claimedby=node, claimedat=now)
                .returning(*_COLS)
            )
            rows = (await conn.execute(stmt)).all()
        return sorted((_item(r) for r in rows), key=lambda i: (i.user_id, i.create_at, i.id))

    async def done(self, node: str, ids: Sequence[str]) -> None:
        """Sent (or no longer to be sent): gone from the queue."""
        if not ids:
            return
        async with self.db.write() as conn:
            await conn.execute(q_.delete().where(q_.c.id.in_(list(ids)), q_.c.claimedby == node))

    async def retry(self, node: str, ids: Sequence[str], send_at: int, error: str) -> None:
        """Sending failed: unclaimed again, due at ``send_at``."""
        if not ids:
            return
        async with self.db.write() as conn:
            await conn.execute(
                q_.update()
                .where(q_.c.id.in_(list(ids)), q_.c.claimedby == node)
                .values(claimedby="", claimedat=0, sendat=send_at, attempts=q_.c.attempts + 1,
                        lasterror=error[:1024])
            )

    async def pending(self, user_id: str = "") -> list[EmailQueueItem]:
        q = sa.select(*_COLS).order_by(q_.c.createat, q_.c.id)
        if user_id:
            q = q.where(q_.c.userid == user_id)
        async with self.db.read() as conn:
            return [_item(r) for r in (await conn.execute(q)).all()]

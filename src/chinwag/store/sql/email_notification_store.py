"""The email notification queue: rows waiting to be mailed, claimed by one node at a time through a
:class:`~chinwag.store.sql.lease.Lease` (all due rows of a batch of users at once). A node that dies
holding a claim loses it when the claim goes stale, and another node sends the mail."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.store.sql.engine import Database
from chinwag.store.sql.lease import Lease
from chinwag.store.sql.params import id_in
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import emailnotifications as q_

_COLS = (q_.c.id, q_.c.userid, q_.c.postid, q_.c.channelid, q_.c.createat, q_.c.sendat, q_.c.digest,
         q_.c.attempts, q_.c.mail)


class EmailQueueItem(msgspec.Struct):
    id: str
    user_id: str
    post_id: str
    channel_id: str
    create_at: int
    send_at: int
    digest: bool = False
    attempts: int = 0
    #: account mail: the whole message (JSON: to, subject, text, html); post_id and channel_id are empty
    mail: str = ""


_LEASE = Lease(q_)


ITEM = RowMap(EmailQueueItem, q_)


class SqlEmailNotificationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, items: Sequence[EmailQueueItem], conn: AsyncConnection | None = None) -> None:
        """Add rows (with ``conn``, in the caller's transaction)."""
        if not items:
            return
        if conn is not None:
            await conn.execute(q_.insert(), [ITEM.values(i) for i in items])
            return
        async with self.db.write() as c:
            await c.execute(q_.insert(), [ITEM.values(i) for i in items])

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
        due = sa.and_(q_.c.sendat <= now, _LEASE.free(stale_before))
        users_q = sa.select(q_.c.userid).where(due).group_by(q_.c.userid).order_by(
            sa.func.min(q_.c.sendat)).limit(max_users)
        async with self.db.write() as conn:
            users = [r[0] for r in (await conn.execute(users_q)).all()]
            if not users:
                return []
            rows = await _LEASE.claim(conn, node, now, stale_before, where=(q_.c.userid.in_(users), q_.c.sendat <= now),
                                      returning=_COLS)
        return sorted(ITEM.all(rows), key=lambda i: (i.user_id, i.create_at, i.id))

    async def done(self, node: str, ids: Sequence[str]) -> None:
        """Sent (or no longer to be sent): gone from the queue."""
        if not ids:
            return
        async with self.db.write() as conn:
            await _LEASE.remove(conn, node, ids)

    async def retry(self, node: str, ids: Sequence[str], send_at: int, error: str) -> None:
        """Sending failed: unclaimed again, due at ``send_at``."""
        if not ids:
            return
        async with self.db.write() as conn:
            await _LEASE.release(conn, node, ids, {"sendat": send_at, "attempts": q_.c.attempts + 1,
                                                   "lasterror": error[:1024]})

    async def postpone(self, node: str, ids: Sequence[str], send_at: int) -> None:
        """Not tried (the SMTP server is unreachable): unclaimed again, due at ``send_at``, attempts kept."""
        if not ids:
            return
        async with self.db.write() as conn:
            await _LEASE.release(conn, node, ids, {"sendat": send_at})

    async def pending(self, user_id: str = "") -> list[EmailQueueItem]:
        q = sa.select(*_COLS).order_by(q_.c.createat, q_.c.id)
        if user_id:
            q = q.where(q_.c.userid == user_id)
        async with self.db.read() as conn:
            return ITEM.all((await conn.execute(q)).all())

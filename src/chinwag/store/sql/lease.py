"""Leases: rows claimed by one node at a time, with an expiry.

Five stores hand work to exactly one node of a cluster: the email queue (``emailnotifications``), the
push queue (``pushnotifications``), jobs (``jobs``), cluster-wide periodic jobs such as the LDAP sync and
plugins' scheduled jobs (``jobleases``) and the outbox (``outbox``). Each row carries who holds it (``claimedby``, ``''`` when nobody) and when the holder
last showed it was alive (``claimedat``; for jobs ``lastactivityat``). :class:`Lease` is the one
implementation of the operations on those two columns:

- :meth:`Lease.claim`: take the rows matching a condition whose lease is free or *stale* (held, but
  not renewed since ``stale_before`` — the holder died), optionally the first ``limit`` in an order,
  and return them. It is a SELECT of the candidates and one conditional ``UPDATE … WHERE <condition>
  AND (claimedby = '' OR claimedat < stale_before) … RETURNING``: on PostgreSQL a row that another
  node claims at the same moment is re-checked after that node's commit and no longer matches, so no
  row is ever held by two nodes while the lease is live; SQLite has one writer. MySQL/MariaDB have no
  ``UPDATE … RETURNING``: there the candidates are read with ``SELECT … FOR UPDATE SKIP LOCKED`` (rows
  another node is claiming at that moment are passed over), updated by key, and read back.
- :meth:`Lease.renew`: the holder is still at it (``claimedat = now``); tells the holder whether it
  still holds the rows (a lease that went stale may have been taken over).
- :meth:`Lease.release`: the holder lets go (``claimedby = ''``), with other column values (a retry
  time, a last-run time).
- :meth:`Lease.remove`: the holder is done and the rows go (a sent notification).
- :meth:`Lease.expire`: stale leases are let go by whoever notices (a job whose node died becomes an
  error).

Every operation but ``expire`` is conditional on the node holding the lease, so a node that lost a
lease (it went stale and another node claimed the rows) changes nothing. The methods take the
connection of the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection


class Lease:
    """Claim-with-expiry over ``table``'s ``key`` column (the rows' identity), ``owner`` column (the
    holding node, ``''`` when free) and ``at`` column (when the holder last claimed or renewed)."""

    def __init__(self, table: sa.Table, *, key: str = "id", owner: str = "claimedby", at: str = "claimedat") -> None:
        self.table = table
        self.key = table.c[key]
        self.owner = table.c[owner]
        self.at = table.c[at]

    def free(self, stale_before: int) -> sa.ColumnElement[bool]:
        """The lease is free or stale."""
        return sa.or_(self.owner == "", self.at < stale_before)

    def held(self, node: str) -> sa.ColumnElement[bool]:
        return self.owner == node

    async def claim(
        self,
        conn: AsyncConnection,
        node: str,
        now: int,
        stale_before: int,
        *,
        where: Iterable[sa.ColumnElement[bool]] = (),
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        values: Mapping[str, Any] | None = None,
        returning: Sequence[Any] = (),
    ) -> list[Any]:
        """Claim for ``node`` the rows matching ``where`` whose lease is free or stale — with ``limit``,
        the first ``limit`` of them by ``order_by`` — setting ``values`` too. Returns the claimed rows
        (the ``returning`` columns, by default the key)."""
        cond = sa.and_(*where, self.free(stale_before))
        claim = {self.owner.name: node, self.at.name: now, **(values or {})}
        if conn.dialect.name == "mysql":
            return await self._claim_locking(conn, cond, order_by, limit, claim, returning)
        if limit is not None:
            picked = sa.select(self.key).where(cond).order_by(*order_by).limit(limit)
            keys = [r[0] for r in (await conn.execute(picked)).all()]
            if not keys:
                return []
            cond = sa.and_(self.key.in_(keys), cond)
        stmt = (self.table.update().where(cond)
                .values(claim)
                .returning(*(returning or (self.key,))))
        return list((await conn.execute(stmt)).all())

    async def _claim_locking(self, conn: AsyncConnection, cond: sa.ColumnElement[bool], order_by: Sequence[Any],
                             limit: int | None, claim: Mapping[str, Any], returning: Sequence[Any]) -> list[Any]:
        """:meth:`claim` without RETURNING (MySQL/MariaDB): lock the candidates, skipping rows another
        transaction holds, claim them by key and read the claimed rows back inside the transaction."""
        picked = sa.select(self.key).where(cond).order_by(*order_by)
        if limit is not None:
            picked = picked.limit(limit)
        keys = [r[0] for r in (await conn.execute(picked.with_for_update(skip_locked=True))).all()]
        if not keys:
            return []
        await conn.execute(self.table.update().where(self.key.in_(keys), cond).values(claim))
        back = sa.select(*(returning or (self.key,))).where(
            self.key.in_(keys), self.owner == claim[self.owner.name], self.at == claim[self.at.name])
        return list((await conn.execute(back)).all())

    async def renew(self, conn: AsyncConnection, node: str, keys: Sequence[Any], now: int,
                    values: Mapping[str, Any] | None = None) -> int:
        """Renew ``node``'s lease on ``keys``; the number of rows it still held."""
        res = await conn.execute(self.table.update().where(self.key.in_(list(keys)), self.held(node))
                                 .values({self.at.name: now, **(values or {})}))
        return int(res.rowcount)

    async def release(self, conn: AsyncConnection, node: str, keys: Sequence[Any],
                      values: Mapping[str, Any] | None = None) -> int:
        """``node`` lets go of ``keys`` (setting ``values`` too); the number of rows it held."""
        res = await conn.execute(self.table.update().where(self.key.in_(list(keys)), self.held(node))
                                 .values({self.owner.name: "", self.at.name: 0, **(values or {})}))
        return int(res.rowcount)

    async def remove(self, conn: AsyncConnection, node: str, keys: Sequence[Any]) -> int:
        """Delete the rows of ``keys`` that ``node`` holds; the number deleted."""
        res = await conn.execute(self.table.delete().where(self.key.in_(list(keys)), self.held(node)))
        return int(res.rowcount)

    async def expire(self, conn: AsyncConnection, stale_before: int, *,
                     held: Iterable[sa.ColumnElement[bool]] | None = None,
                     values: Mapping[str, Any] | None = None) -> int:
        """Let go of every stale lease (setting ``values`` too); how many. ``held`` says which rows count
        as held: by default those with an owner (jobs: those in progress)."""
        cond = (self.owner != "",) if held is None else tuple(held)
        res = await conn.execute(
            self.table.update().where(*cond, self.at < stale_before)
            .values({self.owner.name: "", self.at.name: 0, **(values or {})}))
        return int(res.rowcount)

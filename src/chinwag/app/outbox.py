"""The unit of work and the outbox relay.

A use case opens one unit of work (``AppCore.unit_of_work()``): one write transaction whose
connection every store method of the change takes. What the change must cause besides its rows —
WebSocket events, notification work — is *registered* on the unit of work, not done: at the end
of the block it is written to the ``outbox`` table in the same transaction (one row per kind), and
only after the commit does the relay act on it. So a change and what it causes are committed
together: a crash, or a Redis outage, between the commit and the publish loses nothing.

The relay (:class:`OutboxRelay`, one per process):

- right after a commit, publishes the unit of work's events into the event stream in order (the
  rows were written held by this node, so no other node touches them) and hands its other rows to
  their handlers (``handlers[kind]``);
- an events row is done when its events are in the stream's history: the embedded stream deletes
  the row in the transaction that writes the events (``settles_outbox``); with Redis the relay
  deletes it once ``flushed()`` says the events are in the stream. Until then the node renews its
  hold on the rows every few seconds (a Redis outage can last);
- every node polls for rows nobody holds (written by another process, e.g. ``chinwag import``, or
  released at shutdown) or whose holder stopped renewing (it died) and relays them: events are
  published, handlers are run. This also runs at start-up, so a node killed during a Redis outage
  has its events delivered by whichever node (or its own restart) comes next.

Delivery is exactly once: the embedded stream writes the events and deletes the row in one
transaction; the Redis stream adds a row's events together with a guard key for the row and adds
nothing for a row whose guard exists, so a row relayed again (its node died between the XADD and the
delete) is not added twice (``bus/redis.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.app.background import PollLease
from chinwag.model.ids import new_id
from chinwag.platform.events import Broadcast, Event, Publisher
from chinwag.store.sql.engine import Database
from chinwag.store.sql.outbox_store import OutboxRow, SqlOutboxStore

log = structlog.get_logger("chinwag.app.outbox")

EVENTS = "events"
#: a holder that has not renewed its rows for this long is taken to be dead
STALE_MS = 10_000
RENEW_SECONDS = 3.0
POLL_SECONDS = 2.0
CLAIM_BATCH = 100

#: what a handler writes: called in a unit of work that also deletes the outbox row, so the work's
#: rows are written exactly once
Writer = Callable[["UnitOfWork"], Awaitable[None]]
#: the handler of an outbox kind other than events: reads what the row calls for (``payload``; on the
#: node that committed it also ``local``, the in-memory objects it was made from, saving the reads)
#: and returns its writer, or None when there is nothing to write (the row then goes in a batched
#: delete)
Handler = Callable[[dict[str, Any], Any], Awaitable[Writer | None]]


class _Lost(Exception):
    """The row was taken over by another node while this one worked on it: roll back."""


def event_to_dict(ev: Event) -> dict[str, Any]:
    b = ev.broadcast
    return {"event": ev.event, "data": ev.data,
            "broadcast": {"omit_users": b.omit_users, "user_id": b.user_id, "channel_id": b.channel_id,
                          "team_id": b.team_id, "connection_id": b.connection_id,
                          "omit_connection_id": b.omit_connection_id, "user_ids": b.user_ids}}


def event_from_dict(d: dict[str, Any]) -> Event:
    b = d.get("broadcast") or {}
    return Event(d["event"], d.get("data") or {}, Broadcast(
        omit_users=b.get("omit_users"), user_id=b.get("user_id", ""), channel_id=b.get("channel_id", ""),
        team_id=b.get("team_id", ""), connection_id=b.get("connection_id", ""),
        omit_connection_id=b.get("omit_connection_id", ""), user_ids=b.get("user_ids")))


@dataclass(eq=False)
class UnitOfWork:
    """One use case's transaction (``conn``) and what it causes after the commit."""

    conn: AsyncConnection
    events: list[Event] = field(default_factory=list)
    work: list[tuple[str, dict[str, Any], Any]] = field(default_factory=list)
    #: in-process follow-ups (cache updates, metrics) run after the commit; not durable
    after: list[Callable[[], object]] = field(default_factory=list)
    #: awaited by the task that opened the unit of work, after the commit
    awaited: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: outbox row id → (payload, local) of the work rows ``rows()`` made
    locals: dict[str, tuple[dict[str, Any], Any]] = field(default_factory=dict)

    def publish(self, event: Event) -> None:
        """Register an event: written to the outbox with the change, published after the commit."""
        self.events.append(event)

    def enqueue(self, kind: str, payload: dict[str, Any], local: Any = None) -> None:
        """Register durable work of a kind the relay has a handler for (notifications); ``local``: the
        objects ``payload`` was made from, handed to the handler on this node."""
        self.work.append((kind, payload, local))

    def after_commit(self, fn: Callable[[], object]) -> None:
        self.after.append(fn)

    def on_commit(self, fn: Callable[[], Awaitable[None]]) -> None:
        """Await ``fn()`` after the commit, in the task that opened the unit of work."""
        self.awaited.append(fn)

    def rows(self) -> list[OutboxRow]:
        """The outbox rows: the events (one row), then each piece of work (with its ``local``)."""
        out: list[OutboxRow] = []
        if self.events:
            out.append(OutboxRow(new_id(), EVENTS, msgspec.json.encode(
                [event_to_dict(e) for e in self.events]).decode()))
        self.locals = {}
        for kind, payload, local in self.work:
            row = OutboxRow(new_id(), kind, msgspec.json.encode(payload).decode())
            self.locals[row.id] = (payload, local)
            out.append(row)
        return out


class OutboxRelay:
    def __init__(self, db: Database, publisher: Publisher, publish: Callable[[Event, str], None],
                 clock: Callable[[], int], lease: PollLease | None = None) -> None:
        self.db = db
        #: in a cluster, only the lease's holder polls for rows to take over on the timer (``PollLease``)
        self.lease = lease
        self.store = SqlOutboxStore()
        self.publisher = publisher
        self._publish = publish
        self.now = clock
        self.node = new_id()
        self.handlers: dict[str, Handler] = {}
        #: rows this node holds: published and not yet known to be in the history, or being handled
        self.held: set[str] = set()
        self._unconfirmed: list[str] = []
        #: rows whose work turned out to be nothing: deleted in batches
        self._finished: list[str] = []
        self._confirm_wake = asyncio.Event()
        self._poll_wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._work: set[asyncio.Task[None]] = set()
        self.relayed = 0  # rows taken over from another holder (metrics, tests)

    # the unit of work ----------------------------------------------------------------------

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        async with self.db.write() as conn:
            uow = UnitOfWork(conn)
            yield uow
            rows = uow.rows()
            await self.store.add(conn, rows, self.node, self.now())
        self.committed(uow, rows)
        for fn in uow.awaited:
            await fn()

    async def write(self, conn: AsyncConnection, uows: list[UnitOfWork]) -> list[list[OutboxRow]]:
        """Several units of work sharing one transaction (a group commit): their rows in one insert."""
        per = [u.rows() for u in uows]
        await self.store.add(conn, [r for rows in per for r in rows], self.node, self.now())
        return per

    def committed(self, uow: UnitOfWork, rows: list[OutboxRow]) -> None:
        """After the commit: publish the events, start the work, run the follow-ups."""
        for row in rows:
            self.held.add(row.id)
            if row.kind == EVENTS:
                for ev in uow.events:
                    self._publish(ev, row.id)
                self._unconfirmed.append(row.id)
            else:
                payload, local = uow.locals[row.id]
                self._handle(row.id, row.kind, payload, local)
        if rows:
            self._confirm_wake.set()
        for fn in uow.after:
            try:
                fn()
            except Exception:
                log.exception("after-commit step failed")

    # relaying ------------------------------------------------------------------------------

    def start(self) -> None:
        if not self._tasks:
            loop = asyncio.get_running_loop()
            self._tasks = [loop.create_task(self._confirmer()), loop.create_task(self._renewer()),
                           loop.create_task(self._poller())]

    async def close(self) -> None:
        """Stop; rows still held are let go so the next process (or another node) relays them at once."""
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.drain_work()
        if self.held:
            with contextlib.suppress(Exception):
                if await self._flushed():
                    await self._confirm(list(self._unconfirmed))
            with contextlib.suppress(Exception):
                async with self.db.write() as conn:
                    await self.store.release(conn, self.node, sorted(self.held))
            self.held.clear()

    def working(self) -> bool:
        """Some handler work (notifications) is running."""
        return bool(self._work)

    async def drain_work(self) -> None:
        while self._work:
            await asyncio.gather(*list(self._work), return_exceptions=True)

    async def settle(self) -> None:
        """Wait until every row this node wrote or claimed so far is done (tests)."""
        while self.held:
            self._confirm_wake.set()
            await asyncio.sleep(0.01)

    def poll_now(self) -> None:
        self._poll_wake.set()

    async def _flushed(self) -> bool:
        flushed = getattr(self.publisher, "flushed", None)
        return True if flushed is None else bool(await flushed())

    def _settles(self) -> bool:
        return bool(getattr(self.publisher, "settles_outbox", False))

    async def _confirmer(self) -> None:
        while True:
            await self._confirm_wake.wait()
            self._confirm_wake.clear()
            while self._unconfirmed or self._finished:
                ids = list(self._unconfirmed)
                try:
                    if self._finished:
                        finished, self._finished = self._finished, []
                        try:
                            async with self.db.write() as conn:
                                await self.store.remove(conn, self.node, finished)
                        except Exception:
                            self._finished += finished
                            raise
                        self.held -= set(finished)
                    ok = not ids or await self._flushed()
                    if ok and ids:
                        await self._confirm(ids)
                except Exception as e:
                    log.warning("outbox rows not confirmed yet", error=repr(e))
                    ok = False
                if not ok:
                    await asyncio.sleep(0.5)

    async def _confirm(self, ids: list[str]) -> None:
        """These rows' events are in the history: the embedded stream deleted the rows with them;
        otherwise delete them now."""
        if not self._settles():
            async with self.db.write() as conn:
                await self.store.remove(conn, self.node, ids)
            forget = getattr(self.publisher, "forget", None)
            if forget is not None:  # the rows are gone: nobody publishes them again
                try:
                    await forget(ids)
                except Exception as e:  # the guards expire by themselves
                    log.warning("outbox guards not dropped", error=repr(e))
        done = set(ids)
        self._unconfirmed = [i for i in self._unconfirmed if i not in done]
        self.held -= done

    async def _renewer(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            if self.held:
                try:
                    async with self.db.write() as conn:
                        await self.store.renew(conn, self.node, sorted(self.held), self.now())
                except Exception as e:
                    log.warning("outbox rows not renewed", error=repr(e))

    async def _poller(self) -> None:
        woken, last_run = True, 0.0
        while True:
            try:
                if self.lease is None or await self.lease.due(woken, last_run):
                    last_run = self.lease.clock() if self.lease is not None else 0.0
                    while await self.take_over():
                        pass
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("outbox poll failed", error=repr(e))
            self._poll_wake.clear()
            woken = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poll_wake.wait(), POLL_SECONDS)
                woken = True

    async def take_over(self) -> int:
        """Claim rows nobody holds or whose holder died, and relay them; how many."""
        now = self.now()
        async with self.db.write() as conn:
            rows = await self.store.claim(conn, self.node, now, now - STALE_MS, CLAIM_BATCH)
        for row in rows:
            self.held.add(row.id)
            self.relayed += 1
            payload = msgspec.json.decode(row.payload)
            if row.kind == EVENTS:
                for d in payload:
                    self._publish(event_from_dict(d), row.id)
                self._unconfirmed.append(row.id)
            elif row.kind in self.handlers:
                self._handle(row.id, row.kind, payload, None)
            else:
                log.warning("outbox row of an unknown kind left alone", kind=row.kind, id=row.id)
        if rows:
            self._confirm_wake.set()
        return len(rows)

    def _handle(self, row_id: str, kind: str, payload: dict[str, Any], local: Any) -> None:
        handler = self.handlers.get(kind)
        if handler is None:  # no handler in this process: another node's relay takes it
            self.held.discard(row_id)
            self._spawn(self._release([row_id]))
            return
        self._spawn(self._run(row_id, handler, payload, local))

    async def _run(self, row_id: str, handler: Handler, payload: dict[str, Any], local: Any) -> None:
        try:
            writer = await handler(payload, local)
            if writer is None:
                self._finished.append(row_id)
                self._confirm_wake.set()
                return
            async with self.db.write() as conn:
                uow = UnitOfWork(conn)
                await writer(uow)
                rows = uow.rows()
                await self.store.add(conn, rows, self.node, self.now())
                if not await self.store.remove(conn, self.node, [row_id]):
                    raise _Lost(row_id)
        except _Lost:
            self.held.discard(row_id)
            return
        except Exception as e:  # not renewed: it goes stale and is retried (here or elsewhere)
            log.warning("outbox work failed; will be retried", error=repr(e))
            self.held.discard(row_id)
            return
        except BaseException:
            self.held.discard(row_id)
            raise
        self.held.discard(row_id)
        self.committed(uow, rows)
        for fn in uow.awaited:
            await fn()

    async def _release(self, ids: list[str]) -> None:
        async with self.db.write() as conn:
            await self.store.release(conn, self.node, ids)

    def _spawn(self, coro: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await coro
            except Exception as e:
                log.warning("outbox task failed", error=repr(e))

        task = asyncio.get_running_loop().create_task(run())
        self._work.add(task)
        task.add_done_callback(self._work.discard)

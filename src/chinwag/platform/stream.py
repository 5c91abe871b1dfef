"""The embedded EventStream (one node, no Redis): the history in the SQL database is the truth.

An event gets its position and is written to the ``wsevents`` table *before* any subscriber sees
it: a client can only ever hold positions that are in the history, so after a crash (SIGKILL, power
loss) the positions continue after the last written one, never reusing one a client has seen, and a
resume replays exactly what the client missed.

Writes are group-committed: events published while a batch is being written wait for the next
batch, which writes all of them in one statement (one write per batch, not per event, and no added
wait for a lone event). Positions are assigned when a batch is written, so an event that was
published but never written (the process died first) leaves no position behind.

Events relayed from the outbox are settled in the same transaction: the batch that writes them
deletes their outbox rows, so after a crash an event is either in the history or still in the
outbox, never both and never neither. A batch never splits the events of one outbox row.

A caller whose change is in the same database can write its events in its *own* transaction instead
(``writing_in``; the group commit of new posts does): they get their positions there and are committed
with the change, so no outbox row and no second transaction are needed — the commit makes change and
history durable together, and the events are delivered right after it. Positions are handed out under
one lock (``_order``) that the batch writer takes too, so the history's positions are committed in
order and every event is delivered in position order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.bus.base import Subscriber, WriteProgress
from chinwag.model.ids import now_ms
from chinwag.platform.events import Event, event_dict

log = logging.getLogger("chinwag.platform.stream")

MAX_BATCH = 2000


class EventPersistence(Protocol):
    async def append(self, rows: list[tuple[int, int, str]], done: list[str]) -> None:
        """Write the rows and delete the outbox rows ``done``, in one transaction."""
        ...

    async def append_in(self, conn: AsyncConnection, rows: list[tuple[int, int, str]]) -> None:
        """Write the rows in the caller's transaction."""
        ...

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, str]]: ...

    async def bounds(self) -> tuple[int, int]: ...

    async def trim(self, older_than: int, keep_at_least_after: int) -> int: ...

    async def save_checkpoints(self, rows: list[tuple[str, str, int, str]]) -> None: ...

    async def load_checkpoint(self, connection_id: str) -> tuple[str, str] | None: ...


class LocalStream:
    def __init__(self, persistence: EventPersistence, retention_ms: int = 86_400_000,
                 max_events: int = 1_000_000) -> None:
        self.persistence = persistence
        self.retention_ms = retention_ms
        self.max_events = max_events
        self.subscribers: list[Subscriber] = []
        #: the last position written (and so the last one any subscriber may have seen)
        self.pos = 0
        #: events published and not yet written, in publish order, and their outbox rows ("" if none)
        self.pending: list[dict[str, Any]] = []
        self.pending_done: list[str] = []
        self.progress = WriteProgress()
        self.tasks: list[asyncio.Task[None]] = []
        self._writer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._closing = False
        #: held while positions are handed out and written (a batch, or a caller's transaction): the
        #: history's positions are committed in order and delivered in order
        self._order = asyncio.Lock()
        #: a write in a caller's transaction failed after taking positions: read the newest position
        #: from the history before handing out more
        self._stale = False

    def subscribe(self, callback: Subscriber) -> None:
        self.subscribers.append(callback)

    #: the outbox rows of written events are deleted in the writing transaction
    settles_outbox = True

    def publish(self, event: dict[str, Any], done: str = "") -> None:
        self.pending.append(event)
        self.pending_done.append(done)
        self.progress.published += 1
        self._wake.set()

    async def flushed(self) -> bool:
        return await self.progress.caught_up()

    async def start(self) -> None:
        _, newest = await self.persistence.bounds()
        self.pos = max(self.pos, newest)
        # one long-lived writer: the history writes are the stream's own work, not the publisher's
        self._writer = asyncio.create_task(self._writer_loop())
        self.tasks = [asyncio.create_task(self._trimmer())]

    async def close(self) -> None:
        self._closing = True
        for t in self.tasks:
            t.cancel()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        if self._writer is not None:  # write what was published (a few retries at most), then stop
            self._wake.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._writer), 5)
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer

    async def _writer_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._write_all()
            except Exception:  # a subscriber failed: the writer must live on
                log.exception("websocket event delivery failed")
            if self._closing:
                return

    async def _write_all(self) -> None:
        delay = 0.05
        while self.pending:
            try:
                async with self._order:
                    await self._write_batch()
            except Exception as e:
                self.progress.failed()
                if self._closing and delay > 1:
                    log.error("could not write %d websocket events at shutdown: %s", len(self.pending), e)
                    return
                # nobody has seen these positions: take fresh ones after whatever the history
                # holds now (another process may have written there) and try again
                log.warning("could not write websocket events, will retry: %s", e)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                self._stale = True
                continue
            delay = 0.05

    async def _write_batch(self) -> None:
        """Write the oldest pending events (at most a batch) and deliver them; with ``_order`` held."""
        if self._stale:
            await self._refresh_pos()
        n = min(MAX_BATCH, len(self.pending))
        marks = self.pending_done
        while n < len(marks) and marks[n] and marks[n] == marks[n - 1]:
            n += 1  # the rest of this outbox row's events go in the same batch
        batch = self.pending[:n]
        done = sorted({d for d in marks[:n] if d})
        first = self.pos + 1
        t = now_ms()
        rows = [(first + i, t, msgspec.json.encode(ev).decode()) for i, ev in enumerate(batch)]
        await self.persistence.append(rows, done)
        del self.pending[:n]
        del self.pending_done[:n]
        self.pos = first + len(batch) - 1
        self.progress.wrote(len(batch))
        self._deliver(first, batch)

    def _deliver(self, first: int, events: list[dict[str, Any]]) -> None:
        try:
            for i, ev in enumerate(events):
                for cb in self.subscribers:
                    cb(first + i, ev)
        except Exception:  # a subscriber failed: the events are written all the same
            log.exception("websocket event delivery failed")

    async def _refresh_pos(self) -> None:
        self.pos = max(self.pos, (await self.persistence.bounds())[1])
        self._stale = False

    @asynccontextmanager
    async def writing_in(self) -> AsyncIterator[InTransaction]:
        """Write events in the caller's transaction: open this *around* the transaction (it holds the
        position lock, which the batch writer takes before its own transaction: the same order, so
        no deadlock on SQLite's single writer), call ``write(conn, events)`` inside it, and leave
        this block right after the commit: the events are then delivered. Events published before
        and not written yet are written first (they keep their place in publish order). If the block
        raises, nobody was given the positions taken, and the next write reads the history's newest
        first."""
        async with self._order:
            if self._stale:
                await self._refresh_pos()
            try:
                while self.pending:  # what was published before goes first, as it would have
                    await self._write_batch()
            except Exception as e:  # (the batch writer retries them, after these)
                log.warning("could not write websocket events, will retry: %s", e)
                self.progress.failed()
                self._stale = True
                self._wake.set()
                await self._refresh_pos()
            w = InTransaction(self)
            try:
                yield w
            except BaseException:
                self._stale = True  # the positions may be taken (a commit that failed late)
                raise
            if w.events:
                self.pos = w.first + len(w.events) - 1
                self._deliver(w.first, w.events)

    async def _trimmer(self) -> None:
        while True:
            await asyncio.sleep(60)
            with contextlib.suppress(Exception):
                await self.persistence.trim(now_ms() - self.retention_ms, self.pos - self.max_events)

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        return [(p, msgspec.json.decode(d)) for p, d in await self.persistence.read_after(pos, limit)]

    async def bounds(self) -> tuple[int, int]:
        return await self.persistence.bounds()

    async def save_checkpoints(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        t = now_ms()
        await self.persistence.save_checkpoints(
            [(cid, uid, t, msgspec.json.encode(state).decode()) for cid, uid, state in items])

    async def load_checkpoint(self, connection_id: str) -> tuple[str, dict[str, Any]] | None:
        found = await self.persistence.load_checkpoint(connection_id)
        if found is None:
            return None
        return found[0], dict(msgspec.json.decode(found[1]))


class InTransaction:
    """Events written in a caller's transaction (``LocalStream.writing_in``)."""

    __slots__ = ("events", "first", "stream")

    def __init__(self, stream: LocalStream) -> None:
        self.stream = stream
        self.first = stream.pos + 1
        self.events: list[dict[str, Any]] = []

    async def write(self, conn: AsyncConnection, events: list[Event]) -> None:
        """Give the events their positions and insert them with ``conn`` (once per transaction)."""
        if not events:
            return
        assert not self.events, "one write per transaction"
        dicts = [event_dict(e) for e in events]
        t = now_ms()
        first = self.first
        await self.stream.persistence.append_in(
            conn, [(first + i, t, msgspec.json.encode(ev).decode()) for i, ev in enumerate(dicts)])
        self.events = dicts

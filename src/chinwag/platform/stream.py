"""The embedded EventStream: in-process delivery, history kept in the SQL database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

import msgspec

from chinwag.bus.base import Subscriber
from chinwag.model.ids import now_ms

log = logging.getLogger("chinwag.platform.stream")


class EventPersistence(Protocol):
    async def append(self, rows: list[tuple[int, int, str]]) -> None: ...

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, str]]: ...

    async def bounds(self) -> tuple[int, int]: ...

    async def trim(self, older_than: int, keep_at_least_after: int) -> int: ...

    async def save_checkpoints(self, rows: list[tuple[str, str, int, str]]) -> None: ...

    async def load_checkpoint(self, connection_id: str) -> tuple[str, str] | None: ...


class LocalStream:
    """Assigns positions in-process and delivers at once; writes the history in small batches."""

    def __init__(self, persistence: EventPersistence, retention_ms: int = 86_400_000,
                 max_events: int = 1_000_000, flush_interval: float = 0.05) -> None:
        self.persistence = persistence
        self.retention_ms = retention_ms
        self.max_events = max_events
        self.flush_interval = flush_interval
        self.subscribers: list[Subscriber] = []
        self.pos = 0
        self.pending: list[tuple[int, int, str, dict[str, Any]]] = []
        self.writing: list[tuple[int, int, str, dict[str, Any]]] = []
        self.tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()

    def subscribe(self, callback: Subscriber) -> None:
        self.subscribers.append(callback)

    def publish(self, event: dict[str, Any]) -> None:
        self.pos += 1
        pos = self.pos
        self.pending.append((pos, now_ms(), msgspec.json.encode(event).decode(), event))
        self._wake.set()
        for cb in self.subscribers:
            cb(pos, event)

    async def start(self) -> None:
        _, newest = await self.persistence.bounds()
        self.pos = max(self.pos, newest)
        self.tasks = [asyncio.create_task(self._flusher()), asyncio.create_task(self._trimmer())]

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await self.flush()

    async def flush(self) -> None:
        if not self.pending:
            return
        self.writing, self.pending = self.pending, []
        try:
            await self.persistence.append([(p, t, d) for p, t, d, _ in self.writing])
        except Exception as e:
            log.warning("could not persist websocket events, will retry: %s", e)
            self.pending = self.writing + self.pending
        finally:
            self.writing = []

    async def _flusher(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(self.flush_interval)
            await self.flush()

    async def _trimmer(self) -> None:
        while True:
            await asyncio.sleep(60)
            with contextlib.suppress(Exception):
                await self.persistence.trim(now_ms() - self.retention_ms, self.pos - self.max_events)

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        # Take the buffered events before querying: a batch committed while the query runs is
        # then either in the query's snapshot or in this copy, never in neither.
        buffered = list(self.writing) + list(self.pending)
        out = [(p, msgspec.json.decode(d)) for p, d in await self.persistence.read_after(pos, limit)]
        seen = {p for p, _ in out}
        for p, _t, _d, ev in buffered:
            if p > pos and p not in seen:
                out.append((p, ev))
        out.sort(key=lambda x: x[0])
        return out[:limit]

    async def bounds(self) -> tuple[int, int]:
        oldest, newest = await self.persistence.bounds()
        buffered = [p for p, *_ in self.writing + self.pending]
        if buffered:
            oldest = oldest or min(buffered)
            newest = max(newest, max(buffered))
        return oldest, newest

    async def save_checkpoints(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        t = now_ms()
        await self.persistence.save_checkpoints(
            [(cid, uid, t, msgspec.json.encode(state).decode()) for cid, uid, state in items])

    async def load_checkpoint(self, connection_id: str) -> tuple[str, dict[str, Any]] | None:
        found = await self.persistence.load_checkpoint(connection_id)
        if found is None:
            return None
        return found[0], dict(msgspec.json.decode(found[1]))

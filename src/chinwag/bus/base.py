"""The event stream: one ordered history of every WebSocket event, shared by all nodes.

Positions (``pos``) are integers that grow along the stream and never go back, across restarts
too. ``publish`` never blocks; an event is in the history (``read_after``) before any subscriber
receives it, so a position a client holds is always one the history knows. Every node's
subscribers receive every event, in stream order, exactly once. ``flushed`` waits until what was
published is in the history: a publisher that must not lose an event (an HTTP answer that says a
post exists, an outbox relay about to mark rows done) waits on it. ``read_after`` replays retained
history for lossless resume. Checkpoints record what a connection was last sent.

An event published for the outbox carries ``done``, the id of the outbox row it comes from (every
event of that row carries the same id, and they are published together). A stream whose
``settles_outbox`` is true deletes those rows in the transaction that writes the events to its
history (the embedded stream: both are in the database), so a crash can neither lose them nor
publish them twice; otherwise the relay deletes them once ``flushed`` says they are in the history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

Subscriber = Callable[[int, dict[str, Any]], None]


class EventStream(Protocol):
    #: the stream deletes the outbox rows of the events it writes, in the same transaction
    settles_outbox: bool

    def publish(self, event: dict[str, Any], done: str = "") -> None: ...

    def subscribe(self, callback: Subscriber) -> None: ...

    async def flushed(self) -> bool:
        """Wait until every event published before the call is in the history (bound the wait
        with ``asyncio.timeout`` where a stalled history must not stall the caller); False when a
        write failed first (the history's store is away: the events are still waiting)."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, dict[str, Any]]]: ...

    async def bounds(self) -> tuple[int, int]:
        """(oldest retained pos, newest pos); (0, 0) when nothing is retained."""
        ...

    async def save_checkpoints(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        """(connection id, user id, state) for each connection."""
        ...

    async def load_checkpoint(self, connection_id: str) -> tuple[str, dict[str, Any]] | None: ...


class WriteProgress:
    """How many published events have reached the history, and a wait for that count to catch up."""

    def __init__(self) -> None:
        self.published = 0
        self.written = 0
        #: the last write failed (the history's store is away): nobody waits until one succeeds
        self.failing = False
        self._moved = asyncio.Event()

    def wrote(self, n: int) -> None:
        self.written += n
        self.failing = False
        self._moved.set()

    def failed(self) -> None:
        self.failing = True
        self._moved.set()

    async def caught_up(self) -> bool:
        """Wait until what was published before the call has been written (True) or a write
        fails (False)."""
        target = self.published
        while self.written < target and not self.failing:
            self._moved.clear()
            await self._moved.wait()
        return self.written >= target


class Presence(Protocol):
    """Which users have a live connection on some node (for online/offline across nodes)."""

    async def connected(self, user_id: str) -> None: ...

    async def disconnected(self, user_id: str) -> bool:
        """Forget one connection; True when the user has no connection on any node any more."""
        ...

    async def online_anywhere(self, user_ids: list[str]) -> set[str]: ...

    async def heartbeat(self, local_users: set[str]) -> None: ...


class LocalPresence:
    """One node: the hub's own connections are the whole truth."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def connected(self, user_id: str) -> None:
        self.counts[user_id] = self.counts.get(user_id, 0) + 1

    async def disconnected(self, user_id: str) -> bool:
        n = self.counts.get(user_id, 0) - 1
        if n <= 0:
            self.counts.pop(user_id, None)
            return True
        self.counts[user_id] = n
        return False

    async def online_anywhere(self, user_ids: list[str]) -> set[str]:
        return {u for u in user_ids if u in self.counts}

    async def heartbeat(self, local_users: set[str]) -> None:
        return None

"""Group commit: callers that arrive while a batch is being written wait for the next batch, which
writes all of them at once. One write per batch instead of one per caller, and no added latency
when callers come one at a time (a lone caller's batch starts at once)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[None]], max_batch: int = 1000) -> None:
        self.write = write
        self.max_batch = max_batch
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._running = False
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> None:
        """Returns once ``item`` has been written (or raises what the write raised)."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, fut))
        if not self._running:
            self._running = True
            self._task = asyncio.get_running_loop().create_task(self._drain())
        await fut

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch:]
                try:
                    await self.write([item for item, _ in batch])
                except Exception as e:  # every caller of this batch learns of it
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(e)
                else:
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_result(None)
        finally:
            self._running = False

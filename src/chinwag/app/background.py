"""Background work a service starts after its request has answered (webhook callbacks, email and
push notifications): failures are logged, not raised, and the service can wait for or stop it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import structlog


class BackgroundTasks:
    def __init__(self, name: str) -> None:
        self.log = structlog.get_logger(f"chinwag.app.{name}")
        self.name = name
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        async def run() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception as e:
                self.log.warning(f"{self.name} task failed", task=what, error=repr(e))

        task = asyncio.get_running_loop().create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self) -> None:
        """Wait for running background work (tests and shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def cancel(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*list(self.tasks), return_exceptions=True)


class WorkLoop:
    """A queue worker's loop (email, push, jobs): call ``work`` while it reports something done, then
    sleep until ``wake`` or ``poll_seconds``; failures are logged and retried on the next turn."""

    def __init__(self, name: str, work: Callable[[], Awaitable[Any]], poll_seconds: float) -> None:
        self.log = structlog.get_logger(f"chinwag.app.{name}")
        self.name = name
        self.work = work
        self.poll_seconds = poll_seconds
        #: set by ``stop``: work in progress should leave unsent claims to expire
        self.stopping = False
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self.stopping = False
            self._task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        self.stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while not self.stopping:
            try:
                busy = await self.work()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                self.log.warning(f"{self.name} loop failed", error=repr(e))
                busy = 0
            if busy:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass

"""Background work a service starts after its request has answered (webhook callbacks, email and
push notifications): failures are logged, not raised, and the service can wait for or stop it."""

from __future__ import annotations

import asyncio
import time
import uuid
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


#: how long a node's poll lease lasts without renewal: the longest a cluster's periodic polls pause when
#: the polling node dies (the others take it over at their next turn after it runs out)
LEASE_MS = 6_000
#: a node without the lease still polls this often (and always when woken by its own work): a row that
#: only another node's handler could take, or a lease store that misbehaves, waits no longer than this
FOLLOWER_POLL_S = 30.0


class PollLease:
    """Which node of a cluster runs the periodic polls of the shared queues (email, push, jobs, the
    outbox's take-over, reminders, custom statuses) — one node at a time instead of every node (each
    poll is a claiming transaction; with N processes they cost N times over for the same work). A lease in
    the event stream's store (``hold_lease``, Redis), renewed by the holder's polls; with no such store
    (one process, the embedded stream) this node always polls. Work a node itself enqueues wakes its
    own loop whatever the lease, so only what was left by a dead node or scheduled for later waits for
    the holder; the claims in the database keep two pollers apart as before."""

    def __init__(self, publisher: object, ttl_ms: int = LEASE_MS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        # the app's publisher is the hub, which publishes through the stream: the lease is the stream's
        self._hold: Callable[[str, str, int], Awaitable[bool]] | None = (
            getattr(publisher, "hold_lease", None) or getattr(getattr(publisher, "stream", None), "hold_lease", None))
        self.holder = uuid.uuid4().hex
        self.ttl_ms = ttl_ms
        self.clock = clock
        self._held = self._hold is None
        self._until = 0.0  # the answer holds until then (a third of the ttl: renewed well before it ends)

    @property
    def clustered(self) -> bool:
        return self._hold is not None

    async def held(self) -> bool:
        if self._hold is None:
            return True
        now = self.clock()
        if now < self._until:
            return self._held
        try:
            self._held = await self._hold("pollers", self.holder, self.ttl_ms)
        except Exception:  # the store is down: poll as before (the claims keep the nodes apart)
            self._held = True
        self._until = now + self.ttl_ms / 3000
        return self._held

    async def due(self, woken: bool, last_run: float) -> bool:
        """Whether a loop's turn polls: woken by this node's own work, this node holds the lease, or
        ``FOLLOWER_POLL_S`` went by since ``last_run`` (on this lease's ``clock``)."""
        if woken or self._hold is None:
            return True
        if await self.held():
            return True
        return self.clock() - last_run >= FOLLOWER_POLL_S


class WorkLoop:
    """A queue worker's loop (email, push, jobs): call ``work`` while it reports something done, then
    sleep until ``wake`` or ``poll_seconds``; failures are logged and retried on the next turn."""

    def __init__(self, name: str, work: Callable[[], Awaitable[Any]], poll_seconds: float,
                 lease: PollLease | None = None) -> None:
        self.log = structlog.get_logger(f"chinwag.app.{name}")
        self.name = name
        self.work = work
        self.poll_seconds = poll_seconds
        #: in a cluster, only the lease's holder polls on the timer (``PollLease``)
        self.lease = lease
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
        woken, last_run = True, 0.0
        while not self.stopping:
            if self.lease is not None and not await self.lease.due(woken, last_run):
                busy = 0
            else:
                last_run = self.lease.clock() if self.lease is not None else 0.0
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
                woken = True
            except TimeoutError:
                woken = False

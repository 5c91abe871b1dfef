"""The answer to a request that changed something leaves only once the events it published are in
the event history. A client told "201 Created" can then count on every listener seeing that post,
including one that resumes after this node was killed a moment later: the event is either
delivered live or replayed from the history, never lost between the commit and the answer.

Group-committed writes keep this cheap (one write for all the events of the requests that finish
together); requests that published nothing do not wait — not even while other requests publish (each
request carries its own mark, ``platform.events.RequestEvents``: waiting whenever *anything* was
published meanwhile made every POST under load wait for a history write). While the history cannot be written (the
database or Redis is away) answers do not wait (the events wait in memory, as they did before); a
write that hangs delays an answer by at most ``limit`` seconds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from chinwag.platform.events import RequestEvents, request_events

log = structlog.get_logger("chinwag.web.durable")

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


class EventsDurable:
    """The event history's side of ``HttpPipeline``: a request that is not GET/HEAD/OPTIONS gets a
    :class:`RequestEvents` mark when it starts (``begin``, in its context); before its answer leaves,
    ``wait`` holds it until ``flushed`` says the history has everything up to now — only when the
    request published something."""

    def __init__(self, flushed: Callable[[], Awaitable[object]], limit: float = 5.0) -> None:
        self.flushed = flushed
        self.limit = limit

    @staticmethod
    def begin() -> RequestEvents:
        mark = RequestEvents()
        request_events.set(mark)
        return mark

    async def wait(self, mark: RequestEvents, path: str) -> None:
        if not mark.published:
            return
        try:
            async with asyncio.timeout(self.limit):
                await self.flushed()
        except TimeoutError:
            log.warning("event history not written in time; answering anyway", path=path)

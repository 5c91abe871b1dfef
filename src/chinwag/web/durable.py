"""The answer to a request that changed something leaves only once the events it published are in
the event history. A client told "201 Created" can then count on every listener seeing that post,
including one that resumes after this node was killed a moment later: the event is either
delivered live or replayed from the history, never lost between the commit and the answer.

Group-committed writes keep this cheap (one write for all the events of the requests that finish
together); requests that published nothing do not wait. While the history cannot be written (the
database or Redis is away) answers do not wait (the events wait in memory, as they did before); a
write that hangs delays an answer by at most ``limit`` seconds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("chinwag.web.durable")

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


class EventsDurable:
    """The event history's side of ``HttpPipeline``: ``published`` counts the events this node has
    published; a request that is not GET/HEAD/OPTIONS takes the count when it starts, and before its
    answer leaves, ``wait`` holds it until ``flushed`` says the history has everything up to now — only
    when the count moved."""

    def __init__(self, published: Callable[[], int], flushed: Callable[[], Awaitable[object]],
                 limit: float = 5.0) -> None:
        self.published = published
        self.flushed = flushed
        self.limit = limit

    async def wait(self, mark: int, path: str) -> None:
        if self.published() == mark:
            return
        try:
            async with asyncio.timeout(self.limit):
                await self.flushed()
        except TimeoutError:
            log.warning("event history not written in time; answering anyway", path=path)

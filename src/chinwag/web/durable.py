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
from typing import Any

import structlog

log = structlog.get_logger("chinwag.web.durable")

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


class EventsDurable:
    def __init__(self, asgi: Any, published: Callable[[], int], flushed: Callable[[], Awaitable[object]],
                 limit: float = 5.0) -> None:
        self.asgi = asgi
        self.published = published
        self.flushed = flushed
        self.limit = limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") in SAFE_METHODS:
            await self.asgi(scope, receive, send)
            return
        mark = self.published()

        async def send_after_flush(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and self.published() != mark:
                try:
                    async with asyncio.timeout(self.limit):
                        await self.flushed()
                except TimeoutError:
                    log.warning("event history not written in time; answering anyway",
                                path=scope.get("path"))
            await send(message)

        await self.asgi(scope, receive, send_after_flush)

"""Waiting for state that lands a moment after the call that caused it, with a deadline (never a
fixed sleep: CI runs on a busy 2-core machine)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def until(ok: Callable[[], object], timeout: float = 10.0) -> None:
    """Polls ``ok()`` until it is true or ``timeout`` seconds pass. The caller asserts afterwards, so a
    timeout fails with what was there. For events that reach the hub's observers after the request that
    published them has answered (they are written to the event stream first)."""
    deadline = time.monotonic() + timeout
    while not ok() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


async def until_async(ok: Callable[[], Awaitable[object]], timeout: float = 10.0, every: float = 0.1) -> None:
    """``until`` for a condition that is itself a request (asked again every ``every`` seconds: another
    server's state, not this process's)."""
    deadline = time.monotonic() + timeout
    while not await ok() and time.monotonic() < deadline:
        await asyncio.sleep(every)

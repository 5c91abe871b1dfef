"""Query-count guards (as Zulip's ``queries_captured``): count the SQL statements an operation issues,
including the background work it starts (group-commit writer, notifications), so a change that adds
queries to a hot path fails a test instead of showing up later as a slower server.

The count follows the request's context: a statement counts when it runs in the test's task or in a
task created (directly or not) while counting — tasks inherit the context they are created in.
Work that was already running (job loops, connection checkpoints) does not count. Every task created
inside the window is awaited before the count is read, so the number is deterministic.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Generator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event

from chinwag.server import Server

_statements: ContextVar[list[str] | None] = ContextVar("chinwag_test_statements", default=None)
_tasks: ContextVar[list[asyncio.Task[Any]] | None] = ContextVar("chinwag_test_tasks", default=None)


def _on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    found = _statements.get()
    if found is not None:
        found.append(" ".join(statement.split()))


class Captured(list[str]):
    def __str__(self) -> str:
        return "\n".join(f"{i + 1:3}. {s[:200]}" for i, s in enumerate(self))


@asynccontextmanager
async def queries(srv: Server) -> AsyncIterator[Captured]:
    """``async with queries(server) as q: await client.post(...)`` → ``len(q)`` statements."""
    engines = {srv.db.engine.sync_engine, srv.db.read_engine.sync_engine}
    for e in engines:
        if not event.contains(e, "before_cursor_execute", _on_execute):
            event.listen(e, "before_cursor_execute", _on_execute)
    loop = asyncio.get_running_loop()
    created: list[asyncio.Task[Any]] = []
    old_factory = loop.get_task_factory()

    def factory(lp: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any] | Generator[Any, None, Any],
                **kw: Any) -> asyncio.Task[Any]:
        task = old_factory(lp, coro, **kw) if old_factory else asyncio.Task(coro, loop=lp, **kw)
        mine = _tasks.get()
        if mine is not None:
            mine.append(task)
        return task  # type: ignore[return-value]

    found = Captured()
    tok_s, tok_t = _statements.set(found), _tasks.set(created)
    loop.set_task_factory(factory)  # type: ignore[arg-type]
    try:
        yield found
        while pending := [t for t in created if not t.done()]:
            _done, still = await asyncio.wait(pending, timeout=20)
            assert not still, f"background work still running after 20 s: {still}"
    finally:
        loop.set_task_factory(old_factory)
        _statements.reset(tok_s)
        _tasks.reset(tok_t)

"""An answer waits for the event history only when its own request published (web/durable.py)."""

from __future__ import annotations

import asyncio

from chinwag.platform.events import mark_published, request_events
from chinwag.web.durable import EventsDurable
from tests.waiting import until


async def test_a_request_waits_only_for_its_own_events() -> None:
    written = asyncio.Event()
    flushes: list[str] = []

    async def flushed() -> bool:
        flushes.append("wait")
        await written.wait()
        return True

    durable = EventsDurable(flushed)
    answered: list[str] = []

    async def request(name: str, publish: bool) -> None:
        mark = durable.begin()
        if publish:
            mark_published()
        await durable.wait(mark, "/" + name)
        answered.append(name)

    poster = asyncio.create_task(request("post", True))
    await until(lambda: flushes == ["wait"])
    # another request answers while the first one's events are not written yet, without waiting
    await request("lookup", False)
    assert answered == ["lookup"] and not poster.done()
    written.set()
    await poster
    assert answered == ["lookup", "post"] and flushes == ["wait"]


async def test_marks_belong_to_their_task() -> None:
    seen: dict[str, bool] = {}

    async def request(name: str, publish: bool) -> None:
        mark = EventsDurable.begin()
        await asyncio.sleep(0)
        if publish:
            mark_published()
        await asyncio.sleep(0)
        seen[name] = mark.published

    await asyncio.gather(request("a", True), request("b", False), request("c", True))
    assert seen == {"a": True, "b": False, "c": True}
    assert request_events.get() is None  # nothing leaked into the caller

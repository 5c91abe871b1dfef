"""GroupCommit (platform/batch.py) and the trimmed WebSocket protocol's inbox and flag."""

from __future__ import annotations

import asyncio

import pytest

from chinwag.platform.batch import GroupCommit
from chinwag.web.ws_protocol import _Flag, _Inbox


async def test_callers_that_arrive_during_a_write_share_the_next_one() -> None:
    writes: list[list[int]] = []
    gate = asyncio.Event()

    async def write(items: list[int]) -> None:
        writes.append(items)
        if len(writes) == 1:
            await gate.wait()

    gc = GroupCommit(write)
    first = asyncio.create_task(gc.submit(0))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(gc.submit(i)) for i in range(1, 6)]
    await asyncio.sleep(0)
    assert writes == [[0]] and not first.done()
    gate.set()
    await asyncio.gather(first, *rest)
    assert writes == [[0], [1, 2, 3, 4, 5]]


async def test_a_failed_write_fails_every_caller_of_its_batch_only() -> None:
    calls = 0

    async def write(items: list[str]) -> None:
        nonlocal calls
        calls += 1
        if "bad" in items:
            raise RuntimeError("disk full")

    gc: GroupCommit[str] = GroupCommit(write, max_batch=2)
    results = await asyncio.gather(gc.submit("bad"), gc.submit("x"), gc.submit("y"), return_exceptions=True)
    # batches of two: "bad" and "x" were written (and failed) together, "y" on its own
    assert isinstance(results[0], RuntimeError) and isinstance(results[1], RuntimeError)
    assert results[2] is None
    assert calls == 2


async def test_inbox_delivers_in_order_and_wakes_its_reader() -> None:
    box = _Inbox()
    assert box.empty()
    reader = asyncio.create_task(box.get())
    await asyncio.sleep(0)
    box.put_nowait({"type": "websocket.connect"})
    box.put_nowait({"type": "websocket.receive", "text": "x"})
    assert await reader == {"type": "websocket.connect"}
    assert not box.empty()
    assert await box.get() == {"type": "websocket.receive", "text": "x"}
    assert box.empty()


async def test_flag_blocks_writers_until_set() -> None:
    flag = _Flag()
    flag.set()
    await asyncio.wait_for(flag.wait(), 1)
    flag.clear()
    waiters = [asyncio.create_task(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters) and not flag.is_set()
    flag.set()
    await asyncio.wait_for(asyncio.gather(*waiters), 1)


async def test_inbox_reader_can_be_cancelled() -> None:
    box = _Inbox()
    reader = asyncio.create_task(box.get())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    box.put_nowait(1)
    assert await box.get() == 1

"""The embedded stream's writes in a caller's transaction (``LocalStream.writing_in``): positions are
handed out in order with the stream's own batches, events are delivered only after the block ends
well, and a block that fails leaves positions to be read afresh from the history."""

from __future__ import annotations

import asyncio

import pytest

from chinwag.platform.events import Broadcast, Event
from chinwag.platform.stream import LocalStream


class Txn:
    """A caller's transaction: rows written in it reach the history when it commits."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, int, str]] = []


class History:
    """An in-memory event history with the persistence calls the stream makes."""

    def __init__(self) -> None:
        self.rows: dict[int, str] = {}

    async def append(self, rows: list[tuple[int, int, str]], done: list[str]) -> None:
        await asyncio.sleep(0)
        for pos, _t, data in rows:
            assert pos not in self.rows, f"position {pos} written twice"
            self.rows[pos] = data

    async def append_in(self, conn: Txn, rows: list[tuple[int, int, str]]) -> None:
        await asyncio.sleep(0)
        conn.rows += rows

    def commit(self, conn: Txn) -> None:
        for pos, _t, data in conn.rows:
            assert pos not in self.rows, f"position {pos} written twice"
            self.rows[pos] = data

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, str]]:
        return [(p, d) for p, d in sorted(self.rows.items()) if p > pos][:limit]

    async def bounds(self) -> tuple[int, int]:
        return (min(self.rows), max(self.rows)) if self.rows else (0, 0)

    async def trim(self, older_than: int, keep_at_least_after: int) -> int:
        return 0

    async def save_checkpoints(self, rows: list[tuple[str, str, int, str]]) -> None:
        return None

    async def load_checkpoint(self, connection_id: str) -> tuple[str, str] | None:
        return None


def _event(name: str) -> Event:
    return Event("posted", {"message": name}, Broadcast(channel_id="c"))


def _stream() -> tuple[LocalStream, History, list[tuple[int, str]]]:
    history = History()
    stream = LocalStream(history)  # type: ignore[arg-type]
    got: list[tuple[int, str]] = []
    stream.subscribe(lambda pos, ev: got.append((pos, ev["data"]["message"])))
    return stream, history, got


def _plain(name: str) -> dict[str, object]:
    return {"event": "typing", "data": {"message": name}, "broadcast": {}}


async def test_events_written_in_a_transaction_are_delivered_after_it_in_publish_order() -> None:
    stream, history, got = _stream()
    stream.publish(_plain("before"))  # published earlier, not written yet: it keeps its place
    async with stream.writing_in() as w:
        assert got == [(1, "before")]
        txn = Txn()
        await w.write(txn, [_event("a"), _event("b")])
        # published meanwhile: the stream's own writer waits for the position lock
        stream.publish(_plain("during"))
        writer = asyncio.create_task(stream._write_all())
        await asyncio.sleep(0.01)
        assert not writer.done() and got == [(1, "before")]
        history.commit(txn)
    assert got == [(1, "before"), (2, "a"), (3, "b")]
    await writer
    assert got == [(1, "before"), (2, "a"), (3, "b"), (4, "during")]
    assert stream.pos == 4 and sorted(history.rows) == [1, 2, 3, 4]
    assert [e["data"]["message"] for _, e in await stream.read_after(0, 10)] == ["before", "a", "b", "during"]
    assert await stream.flushed()


async def test_a_failed_block_delivers_nothing_and_the_next_write_reads_the_newest_position() -> None:
    stream, history, got = _stream()
    with pytest.raises(OSError):
        async with stream.writing_in() as w:
            txn = Txn()
            await w.write(txn, [_event("lost")])
            history.commit(txn)  # it did commit, but the caller saw an error (a commit that failed late)
            raise OSError("connection lost at commit")
    assert got == [] and stream.pos == 0
    async with stream.writing_in() as w:
        txn = Txn()
        await w.write(txn, [_event("next")])
        history.commit(txn)
    assert got == [(2, "next")]  # after what the history holds, never on top of it
    assert stream.pos == 2


async def test_a_block_that_writes_nothing_moves_nothing() -> None:
    stream, history, got = _stream()
    async with stream.writing_in() as w:
        await w.write(Txn(), [])
    assert got == [] and stream.pos == 0 and history.rows == {}


async def test_blocks_take_their_turn() -> None:
    stream, history, got = _stream()
    order: list[str] = []

    async def block(name: str) -> None:
        async with stream.writing_in() as w:
            order.append(name)
            txn = Txn()
            await w.write(txn, [_event(name)])
            await asyncio.sleep(0.01)
            history.commit(txn)

    await asyncio.gather(block("x"), block("y"), block("z"))
    assert [m for _, m in got] == order
    assert [p for p, _ in got] == [1, 2, 3]

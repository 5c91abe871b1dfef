"""The hub on its own: slow readers are cut off and recover through resume; revoked sessions close."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from chinwag.platform.events import Broadcast, Event
from chinwag.platform.hub import Conn
from chinwag.server import Server


class FakeSocket:
    def __init__(self, block: bool = False) -> None:
        self.frames: list[dict[str, Any]] = []
        self.block = asyncio.Event()
        if not block:
            self.block.set()
        self.closed = False

    async def send(self, text: str) -> None:
        await self.block.wait()
        self.frames.append(json.loads(text))

    def close(self) -> None:
        self.closed = True


async def _publish_many(server: Server, user_id: str, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        server.hub.publish(Event("custom_test", {"i": i}, Broadcast(user_id=user_id)))
    await asyncio.sleep(0)


async def _until(pred: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if pred():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met")


async def test_slow_reader_is_disconnected_and_resumes_without_loss(server: Server) -> None:
    hub = server.hub
    hub.queue_size = 20
    uid = "u" * 26
    slow = FakeSocket(block=True)
    conn = Conn(hub, uid, slow.send, slow.close)
    assert await hub.connect(conn, "", 0) is False
    await _publish_many(server, uid, 100)
    await _until(lambda: slow.closed)
    # the socket had taken one frame before it stalled; unblock to see what it got
    slow.block.set()
    await asyncio.sleep(0.05)
    got = [f["data"]["i"] for f in slow.frames if f["event"] == "custom_test"]
    next_seq = slow.frames[-1]["seq"] + 1 if slow.frames else 1
    await hub.disconnect(conn)
    await _publish_many(server, uid, 50, start=100)
    fresh = FakeSocket()
    again = Conn(hub, uid, fresh.send, fresh.close)
    assert await hub.connect(again, conn.id, next_seq) is True
    def resumed() -> list[int]:
        return [f["data"]["i"] for f in fresh.frames if f["event"] == "custom_test"]

    await _until(lambda: len(got) + len(resumed()) >= 150)
    assert got + resumed() == list(range(150))
    assert [f["seq"] for f in fresh.frames] == list(range(next_seq, next_seq + len(fresh.frames)))


async def test_resume_from_an_evicted_history_starts_afresh(server: Server) -> None:
    hub = server.hub
    uid = "v" * 26
    sock = FakeSocket()
    conn = Conn(hub, uid, sock.send, sock.close)
    await hub.connect(conn, "", 0)
    await hub.disconnect(conn)
    assert await hub.connect(Conn(hub, uid, sock.send, sock.close), conn.id, 999) is False
    other = Conn(hub, "w" * 26, sock.send, sock.close)
    assert await hub.connect(other, conn.id, 1) is False  # someone else's connection id


async def test_revoked_session_closes_its_sockets(server: Server) -> None:
    hub = server.hub
    sock = FakeSocket()
    conn = Conn(hub, "x" * 26, sock.send, sock.close, token="t" * 26)
    await hub.connect(conn, "", 0)
    hub.publish(Event("_sessions_revoked", {"tokens": ["t" * 26], "user_id": ""}))
    await _until(lambda: sock.closed)

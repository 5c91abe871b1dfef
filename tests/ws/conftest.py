"""A live uvicorn server on the test loop, and a WebSocket client speaking Mattermost's protocol."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets

from chinwag.server import Server
from chinwag.web.ws_protocol import UVICORN_WS_OPTIONS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Live:
    def __init__(self, server: Server, port: int) -> None:
        self.server = server
        self.port = port
        self.url = f"ws://127.0.0.1:{port}/api/v4/websocket"


@pytest.fixture
async def live(server: Server) -> AsyncIterator[Live]:
    port = free_port()
    config = uvicorn.Config(server.asgi, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                            **UVICORN_WS_OPTIONS)
    userver = uvicorn.Server(config)
    task = asyncio.create_task(userver.serve())
    for _ in range(200):
        if userver.started:
            break
        await asyncio.sleep(0.01)
    server.hub.disconnect_grace = 0.05
    yield Live(server, port)
    userver.should_exit = True
    await task


class WS:
    """A Mattermost WebSocket client that records every frame."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.seq = 0
        self.frames: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.replies: dict[int, dict[str, Any]] = {}
        self.connection_id = ""
        self.next_seq = 0
        self._reader = asyncio.create_task(self._read())
        self._new = asyncio.Event()

    @classmethod
    async def connect(cls, url: str, token: str = "", query: str = "") -> WS:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn = await websockets.connect(url + (f"?{query}" if query else ""), additional_headers=headers,
                                        max_size=None)
        return cls(conn)

    async def _read(self) -> None:
        try:
            async for raw in self.conn:
                frame = json.loads(raw)
                self.frames.append(frame)
                if "seq_reply" in frame:
                    self.replies[frame["seq_reply"]] = frame
                else:
                    self.events.append(frame)
                    if frame["event"] == "hello":
                        self.connection_id = frame["data"]["connection_id"]
                    self.next_seq = frame["seq"] + 1
                self._new.set()
        except websockets.ConnectionClosed:
            pass
        self._new.set()

    async def send(self, action: str, data: dict[str, Any] | None = None) -> int:
        self.seq += 1
        await self.conn.send(json.dumps({"seq": self.seq, "action": action, "data": data or {}}))
        return self.seq

    async def request(self, action: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        seq = await self.send(action, data)
        return await self.wait(lambda: self.replies.get(seq))

    async def wait(self, pred: Any, timeout: float = 5.0) -> Any:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            self._new.clear()
            found = pred()
            if found:
                return found
            if self._reader.done() and not found:
                raise AssertionError("connection closed while waiting")
            remaining = end - loop.time()
            if remaining <= 0:
                names = [e["event"] for e in self.events]
                raise AssertionError(f"timed out after {timeout}s; {len(names)} events, "
                                     f"{names.count('posted')} posted; last: {names[-5:]}")
            try:
                await asyncio.wait_for(self._new.wait(), remaining)
            except TimeoutError:
                pass

    async def event(self, name: str, pred: Any = None, timeout: float = 5.0) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            for e in self.events:
                if e["event"] == name and (pred is None or pred(e)):
                    return e
            return None

        result: dict[str, Any] = await self.wait(find, timeout)
        return result

    def names(self) -> list[str]:
        return [e["event"] for e in self.events]

    def posted(self) -> list[str]:
        """The messages of the ``posted`` events received, in order."""
        return [json.loads(e["data"]["post"])["message"] for e in self.events if e["event"] == "posted"]

    async def close(self) -> None:
        await self.conn.close()
        await self._reader

    async def closed(self, timeout: float = 7.0) -> None:
        await asyncio.wait_for(self._reader, timeout)

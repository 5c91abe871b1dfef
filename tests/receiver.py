"""A small HTTP receiver on 127.0.0.1 for integration tests: it records every request and answers
with whatever the test queued (outgoing webhooks and slash commands call it)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, list[str]]
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Receiver:
    port: int
    requests: list[Received] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    default: Answer = field(default_factory=Answer)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, body: bytes | str, status: int = 200, content_type: str = "application/json",
               headers: dict[str, str] | None = None) -> None:
        self.answers.append(Answer(status, body.encode() if isinstance(body, str) else body, content_type,
                                   dict(headers or {})))

    async def wait(self, count: int = 1, timeout: float = 10.0) -> list[Received]:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while len(self.requests) < count:
            self.arrived.clear()
            remaining = end - loop.time()
            if remaining <= 0:
                raise AssertionError(f"receiver got {len(self.requests)} requests, wanted {count}")
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except TimeoutError:
                pass
        return self.requests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def receiver(port: int = 0) -> AsyncIterator[Receiver]:
    """A receiver on a free port, or on ``port`` (one brought back after it went down)."""
    rec = Receiver(port or _free_port())

    async def handle(request: Request) -> Response:
        rec.requests.append(Received(request.method, request.url.path, dict(request.headers),
                                     parse_qs(request.url.query, keep_blank_values=True), await request.body()))
        rec.arrived.set()
        a = rec.answers.pop(0) if rec.answers else rec.default
        return Response(a.body, status_code=a.status, headers={"content-type": a.content_type, **a.headers})

    app = Starlette(routes=[Route("/{path:path}", handle, methods=["GET", "POST", "HEAD"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=rec.port, log_level="warning",
                                           lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(300):
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield rec
    finally:
        server.should_exit = True
        await task


def payload_of(r: Received) -> Any:
    import json

    return json.loads(r.body)


@asynccontextmanager
async def push_proxy(server: Any) -> AsyncIterator[Receiver]:
    """A push proxy that answers OK, set as ``server``'s PushNotificationServer with pushes on (retries fast)."""
    async with receiver() as rec:
        rec.default.body = b'{"status":"OK"}'
        s = server.config.effective.EmailSettings
        s.SendPushNotifications = True
        s.PushNotificationServer = rec.url
        server.app.push_notifications.client.backoff = 0.01
        yield rec

"""``OneWriteHttpProtocol`` (web/http_protocol.py): the same bytes on the wire as uvicorn's httptools
protocol, with an answer's head and first body chunk in one transport write."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from chinwag.web.http_protocol import OneWriteHttpProtocol

WRITES: dict[str, list[bytes]] = {}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    path = scope["path"]
    body = b""
    while True:
        msg = await receive()
        body += msg.get("body", b"")
        if not msg.get("more_body"):
            break
    if path == "/json":
        payload = b'{"status":"OK","echo":"' + body + b'"}'
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})
    elif path == "/stream":  # no length: chunked; the body comes a while after the head
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await asyncio.sleep(0.02)
        await send({"type": "http.response.body", "body": b"one ", "more_body": True})
        await send({"type": "http.response.body", "body": b"two"})
    elif path == "/not-modified":
        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", b'"x"')]})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/head-then-fail":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
        raise RuntimeError("boom")
    else:
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


def _counting(cls: type[HttpToolsProtocol], name: str) -> type[HttpToolsProtocol]:
    class Counting(cls):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: Any) -> None:
            real_write = transport.write

            def write(data: bytes) -> None:
                WRITES.setdefault(name, []).append(bytes(data))
                real_write(data)

            transport.write = write
            super().connection_made(transport)

    return Counting


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _exchange(protocol: type[HttpToolsProtocol], name: str, raw: bytes) -> bytes:
    """Start a uvicorn server with ``protocol``, send ``raw`` on one connection, read until it closes."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="critical",
                            http=_counting(protocol, name), date_header=False, server_header=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(raw)
        await writer.drain()
        out = await asyncio.wait_for(reader.read(-1), 10)
        writer.close()
        return out
    finally:
        server.should_exit = True
        await task


def _get(path: str, close: bool = False, method: str = "GET") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nhost: x\r\n" + ("connection: close\r\n" if close else "") + "\r\n").encode()


CASES = {
    "json": _get("/json", close=True),
    "keep-alive, pipelined": _get("/json") + _get("/not-modified") + _get("/stream") + _get("/nope") + _get("/json", True),
    "head": _get("/json", method="HEAD") + _get("/json", close=True),
    "post": b"POST /json HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi",
    "expect 100-continue": b"POST /json HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nexpect: 100-continue\r\n"
                           b"connection: close\r\n\r\nhi",
    "http/1.0": b"GET /json HTTP/1.0\r\nhost: x\r\n\r\n",
    "head then failure": _get("/head-then-fail", close=True),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_same_bytes_as_uvicorn(case: str) -> None:
    WRITES.clear()
    theirs = await _exchange(HttpToolsProtocol, "uvicorn", CASES[case])
    ours = await _exchange(OneWriteHttpProtocol, "ours", CASES[case])
    assert theirs.startswith(b"HTTP/1.1 ")
    assert ours == theirs


async def test_a_small_answer_is_one_write() -> None:
    WRITES.clear()
    await _exchange(HttpToolsProtocol, "uvicorn", CASES["json"])
    ours = await _exchange(OneWriteHttpProtocol, "ours", CASES["json"])
    assert len(WRITES["uvicorn"]) == 2  # head, then body
    assert WRITES["ours"] == [ours]
    assert ours.endswith(b'{"status":"OK","echo":""}')


async def test_a_late_body_does_not_hold_the_head() -> None:
    """A body that comes later than the head's turn of the loop: the head is written on its own."""
    WRITES.clear()
    ours = await _exchange(OneWriteHttpProtocol, "ours", _get("/stream", close=True))
    assert WRITES["ours"][0].endswith(b"\r\n\r\n") and b"one" not in WRITES["ours"][0]
    assert ours.endswith(b"4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n")

"""The load test's HTTP client (bench/loadtest/client.py) against a tiny asyncio server that answers as
scripted: keep-alive reuse, a chunked body, a 304 without a body, a server closing an idle connection (the
request goes out again on a new one), a timeout, the connection limit, a multipart upload."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from bench.loadtest.client import Client, HTTPError

from tests.waiting import until


class Server:
    """Reads one request at a time per connection (headers and a Content-Length body) and answers with what
    ``answer(request bytes)`` returns (None: close the connection without answering, "hang": never answer)."""

    def __init__(self, answer: Callable[[bytes], bytes | str | None]) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[bytes] = []
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                req = head + (await reader.readexactly(length) if length else b"")
                self.requests.append(req)
                out = self.answer(req)
                if out == "hang":
                    await asyncio.sleep(3600)
                if out is None or isinstance(out, str):
                    break
                writer.write(out)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def close_idle(self) -> None:
        for w in self.writers:
            w.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Callable[[bytes], bytes | str | None]], asyncio.Future[tuple[Server, str]]]]:
    servers: list[asyncio.Server] = []

    async def start(answer: Callable[[bytes], bytes | str | None]) -> tuple[Server, str]:
        s = Server(answer)
        srv = await asyncio.start_server(s.handle, "127.0.0.1", 0)
        servers.append(srv)
        return s, f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}"

    yield start  # type: ignore[misc]
    for srv in servers:
        srv.close()


def ok(body: bytes = b'{"a":1}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s" % (
        len(body), extra, body)


async def test_keep_alive_reuse_and_request_bytes(serve) -> None:
    s, base = await serve(lambda req: ok())
    c = Client(5)
    try:
        for _ in range(3):
            r = await c.request("GET", base + "/api/v4/users/me", headers={"Authorization": "Bearer t",
                                                                             "X-Requested-With": "XMLHttpRequest"},
                                params={"page": 0, "per_page": 60})
            assert r.status_code == 200 and r.json() == {"a": 1}
            assert r.headers["content-type"] == "application/json" == r.headers.get("Content-Type")
        r = await c.request("POST", base + "/api/v4/posts", json={"message": "hi"})
        assert r.status_code == 200
    finally:
        await c.aclose()
    assert s.connections == 1
    first = s.requests[0].decode()
    assert first.startswith("GET /api/v4/users/me?page=0&per_page=60 HTTP/1.1\r\n")
    assert "\r\nAuthorization: Bearer t\r\n" in first and "\r\nX-Requested-With: XMLHttpRequest\r\n" in first
    assert f"\r\nHost: {base[7:]}\r\n" in first
    post = s.requests[-1]
    assert b"\r\nContent-Type: application/json\r\n" in post and post.endswith(b'\r\n\r\n{"message":"hi"}')


async def test_chunked_body_and_304_without_body(serve) -> None:
    def answer(req: bytes) -> bytes:
        if b"If-None-Match" in req:
            return b'HTTP/1.1 304 Not Modified\r\nETag: "e1"\r\n\r\n'
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                b'ETag: "e1"\r\n\r\n4\r\n[1,2\r\n3\r\n,3]\r\n0\r\n\r\n')

    s, base = await serve(answer)
    c = Client(5)
    try:
        r = await c.request("GET", base + "/img")
        assert r.status_code == 200 and r.json() == [1, 2, 3] and r.headers["etag"] == '"e1"'
        for _ in range(2):
            r = await c.request("GET", base + "/img", headers={"If-None-Match": '"e1"'})
            assert r.status_code == 304 and r.body == b"" and r.headers["ETag"] == '"e1"'
    finally:
        await c.aclose()
    assert s.connections == 1 and len(s.requests) == 3


async def test_a_connection_the_server_closed_while_idle_is_not_reused(serve) -> None:
    s, base = await serve(lambda req: ok())
    c = Client(5)
    try:
        assert (await c.request("GET", base + "/a")).status_code == 200
        s.close_idle()
        await asyncio.sleep(0)  # (the close reaches the client's protocol on the next loop turns)
        assert (await c.request("GET", base + "/b")).status_code == 200
    finally:
        await c.aclose()
    assert s.connections == 2 and len(s.requests) == 2


async def test_a_request_on_a_reused_connection_closed_before_answering_goes_out_again(serve) -> None:
    n = {"seen": 0}

    def answer(req: bytes) -> bytes | None:
        n["seen"] += 1
        return None if n["seen"] == 2 else ok()  # the second request: closed without a byte back

    s, base = await serve(answer)
    c = Client(5)
    try:
        assert (await c.request("GET", base + "/a")).status_code == 200
        assert (await c.request("GET", base + "/b")).status_code == 200
        # a POST is not sent twice: the caller sees the failure
        n["seen"] = 1
        with pytest.raises(HTTPError):
            await c.request("POST", base + "/c", json={})
    finally:
        await c.aclose()
    assert [r.split(b" ")[1] for r in s.requests] == [b"/a", b"/b", b"/b", b"/c"]


async def test_connection_refused_and_reset_are_http_errors(serve) -> None:
    s, base = await serve(lambda req: None)
    c = Client(5)
    try:
        with pytest.raises(HTTPError):
            await c.request("GET", base + "/x")  # a fresh connection closed without an answer: no retry
        with pytest.raises(HTTPError):
            await c.request("GET", "http://127.0.0.1:1/x")
    finally:
        await c.aclose()
    assert s.connections == 1


async def test_timeout(serve) -> None:
    s, base = await serve(lambda req: "hang" if b"/slow" in req else ok())
    c = Client(0.4)
    try:
        with pytest.raises(HTTPError, match="Timeout"):
            await c.request("GET", base + "/slow")
        assert (await c.request("GET", base + "/fast")).status_code == 200  # on a new connection
    finally:
        await c.aclose()
    assert s.connections == 2


async def test_idle_connections_are_dropped_after_keep_alive(serve) -> None:
    s, base = await serve(lambda req: ok())
    c = Client(5, keepalive_s=0.2)
    try:
        await c.request("GET", base + "/a")
        await until(lambda: not any(c.idle.values()), timeout=5)
        assert not any(c.idle.values())
        await c.request("GET", base + "/b")
    finally:
        await c.aclose()
    assert s.connections == 2


async def test_connection_limit_queues_requests(serve) -> None:
    s, base = await serve(lambda req: ok())
    c = Client(5, connections=2)
    try:
        rs = await asyncio.gather(*(c.request("GET", base + f"/{i}") for i in range(10)))
        assert [r.status_code for r in rs] == [200] * 10
    finally:
        await c.aclose()
    assert s.connections <= 2 and len(s.requests) == 10


async def test_multipart_upload(serve) -> None:
    s, base = await serve(lambda req: ok(b'{"file_infos":[]}', b""))
    c = Client(5)
    try:
        r = await c.request("POST", base + "/files", params={"channel_id": "c1"},
                            files={"files": ("notes.txt", b"hello\n", "text/plain")})
        assert r.json() == {"file_infos": []}
    finally:
        await c.aclose()
    req = s.requests[0]
    head, body = req.split(b"\r\n\r\n", 1)
    ctype = next(line for line in head.split(b"\r\n") if line.startswith(b"Content-Type:")).decode()
    boundary = ctype.split("boundary=")[1]
    assert body.startswith(f"--{boundary}\r\n".encode()) and body.endswith(f"--{boundary}--\r\n".encode())
    assert b'Content-Disposition: form-data; name="files"; filename="notes.txt"' in body
    assert b"\r\n\r\nhello\n\r\n" in body

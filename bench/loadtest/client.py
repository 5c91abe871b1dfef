"""The generators' HTTP/1.1 client: keep-alive connections on raw asyncio with httptools' parser.

aiohttp's request machinery (ClientSession._request, its timeout contexts, header preparation, the payload
writer) was two thirds of a generator's busy CPU at 3,000 users, 63 % of whose requests are picture
revalidations answered 304 without a body. Here a request is one bytes object written to a pooled
connection, the answer parsed by httptools (llhttp, what uvicorn parses with) into status, headers and body;
timeouts are deadlines checked by one timer a second for the whole process instead of a timer and a
context per request.

What goes on the wire is what aiohttp sent: the caller's headers (auth, X-Requested-With, If-None-Match),
Host, Accept, Accept-Encoding and User-Agent, a JSON body as application/json, files as multipart/form-data.
A request on a reused connection that the server closed before any byte of the answer came back (it
dropped the idle connection as the request went out) is sent again on a fresh connection, once, as aiohttp
does for idempotent methods.
"""

from __future__ import annotations

import asyncio
import os
import sys
import zlib
from collections import deque
from typing import Any
from urllib.parse import urlencode

import httptools
import msgspec

#: the headers aiohttp added to every request (its defaults): kept so the server sees the same requests
_UA = f"Python/{sys.version_info.major}.{sys.version_info.minor} chinwag-loadtest"
_DEFAULT = f"Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nUser-Agent: {_UA}\r\n"
_IDEMPOTENT = frozenset(("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"))
_encode = msgspec.json.encode


class HTTPError(Exception):
    """A request that got no answer (connection refused or reset, timed out)."""


class Headers(dict[str, str]):
    """A response's headers, names lower-cased; looked up case-insensitively."""

    def __getitem__(self, k: str) -> str:
        return dict.__getitem__(self, k.lower())

    def get(self, k: str, default: Any = None) -> Any:  # type: ignore[override]
        return dict.get(self, k.lower(), default)

    def __contains__(self, k: object) -> bool:
        return dict.__contains__(self, k.lower() if isinstance(k, str) else k)


class Resp:
    """An answer, read whole: status, headers (case-insensitive), body (decompressed if it came gzipped);
    ``port``: the local port of the connection that carried it (which server process answered, in a cluster:
    ``ports.PortMap``)."""

    __slots__ = ("_body", "encoding", "headers", "port", "status_code")

    def __init__(self, status: int, headers: Headers, body: bytes, encoding: str = "", port: int = 0) -> None:
        self.status_code = status
        self.headers = headers
        self._body = body
        self.encoding = encoding
        self.port = port

    @property
    def body(self) -> bytes:
        if self.encoding:  # decompressed only when looked at: API answers are not compressed by chinwag
            wbits = 31 if self.encoding == "gzip" else 15
            self._body, self.encoding = zlib.decompress(self._body, wbits), ""
        return self._body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return msgspec.json.decode(self.body)


class _Conn(asyncio.Protocol):
    """One keep-alive connection; at most one request in flight on it."""

    __slots__ = ("body", "closed", "deadline", "got_bytes", "headers", "idle_since", "key", "lport", "parser",
                 "reused", "transport", "waiter")

    def __init__(self, key: str) -> None:
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[Resp] | None = None
        self.headers = Headers()
        self.body: list[bytes] = []
        self.closed = False
        self.got_bytes = False
        self.reused = False
        self.deadline = 0.0
        self.idle_since = 0.0
        self.lport = 0

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        name = transport.get_extra_info("sockname")
        self.lport = int(name[1]) if name else 0

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._fail(HTTPError(f"bad response: {e}"))

    def eof_received(self) -> bool | None:
        return False  # the transport closes; connection_lost fails a request still waiting

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        w = self.waiter
        if w is not None and not w.done():
            self.waiter = None
            if self.reused and not self.got_bytes:
                w.set_exception(_Retry())
            else:
                w.set_exception(HTTPError(f"ServerDisconnectedError: {exc or 'connection closed'}"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        k = name.decode("latin-1").lower()
        v = value.decode("latin-1")
        h = self.headers
        h[k] = f"{dict.__getitem__(h, k)}, {v}" if dict.__contains__(h, k) else v

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        w = self.waiter
        self.waiter = None
        headers, body = self.headers, self.body
        self.headers, self.body = Headers(), []
        if not self.parser.should_keep_alive():
            self.closed = True
            if self.transport is not None:
                self.transport.close()
        if w is not None and not w.done():
            enc = dict.get(headers, "content-encoding", "")
            w.set_result(Resp(self.parser.get_status_code(), headers,
                              body[0] if len(body) == 1 else b"".join(body),
                              enc if enc in ("gzip", "deflate") else "", self.lport))

    def _fail(self, exc: Exception) -> None:
        self.closed = True
        w = self.waiter
        self.waiter = None
        if w is not None and not w.done():
            w.set_exception(exc)
        if self.transport is not None:
            self.transport.abort()

    def send(self, data: bytes, waiter: asyncio.Future[Resp], deadline: float) -> None:
        self.waiter, self.deadline, self.got_bytes = waiter, deadline, False
        self.transport.write(data)  # type: ignore[union-attr]


class _Retry(Exception):
    pass


class Client:
    """Pooled keep-alive HTTP/1.1 connections, per host, at most ``connections`` of them busy at once (more
    requests wait for one, as aiohttp's connector limit made them); idle ones are closed after
    ``keepalive_s``."""

    def __init__(self, timeout_s: float = 30.0, connections: int = 100, keepalive_s: float = 50.0) -> None:
        self.timeout_s = timeout_s
        self.keepalive_s = keepalive_s
        self.limit = connections
        self.busy = 0
        self.limit_waiters: deque[asyncio.Future[None]] = deque()
        self.idle: dict[str, list[_Conn]] = {}
        self.inflight: set[_Conn] = set()
        self._targets: dict[str, tuple[str, str, int, bytes]] = {}  # url prefix → (key, host, port, Host line)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tick: asyncio.TimerHandle | None = None
        self._closed = False

    # --- the once-a-second sweep: timeouts of requests in flight, idle connections past keep-alive ---------

    def _start(self) -> asyncio.AbstractEventLoop:
        loop = self._loop = asyncio.get_running_loop()
        self._tick = loop.call_later(self._period(), self._sweep)
        return loop

    def _period(self) -> float:
        return min(1.0, self.timeout_s / 4, self.keepalive_s / 4)

    def _sweep(self) -> None:
        loop = self._loop
        assert loop is not None
        now = loop.time()
        for c in [c for c in self.inflight if c.deadline <= now]:
            c._fail(HTTPError(f"TimeoutError: no answer in {self.timeout_s:g} s"))
        old = now - self.keepalive_s
        for conns in self.idle.values():
            if conns and (conns[0].idle_since <= old or conns[0].closed):
                keep = [c for c in conns if c.idle_since > old and not c.closed]
                for c in conns:
                    if c.idle_since <= old and c.transport is not None:
                        c.transport.close()
                conns[:] = keep
        self._tick = loop.call_later(self._period(), self._sweep)

    # --- connections -------------------------------------------------------------------------------

    def _target(self, url: str) -> tuple[str, str, int, bytes, str]:
        """(pool key, host, port, Host header bytes, request target) of an http:// URL."""
        i = url.find("/", 7)
        prefix, path = (url, "/") if i < 0 else (url[:i], url[i:])
        t = self._targets.get(prefix)
        if t is None:
            if not prefix.startswith("http://"):
                raise HTTPError(f"unsupported URL {url!r}")
            hostport = prefix[7:]
            host, _, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "80")
            t = self._targets[prefix] = (hostport, host.strip("[]"), int(port), hostport.encode())
        return t[0], t[1], t[2], t[3], path

    async def _acquire(self, key: str, host: str, port: int) -> _Conn:
        if self.busy >= self.limit:
            fut = asyncio.get_running_loop().create_future()
            self.limit_waiters.append(fut)
            try:
                await fut  # the releasing request handed its slot over (busy unchanged)
            except BaseException:
                if not fut.cancelled() and fut.done():
                    self._release_slot()
                else:
                    try:
                        self.limit_waiters.remove(fut)
                    except ValueError:
                        pass
                raise
        else:
            self.busy += 1
        conns = self.idle.get(key)
        while conns:
            c = conns.pop()
            if not c.closed:
                c.reused = True
                return c
        try:
            _, c = await asyncio.get_running_loop().create_connection(lambda: _Conn(key), host, port)
        except BaseException as e:
            self._release_slot()
            if isinstance(e, OSError):
                raise HTTPError(f"ClientConnectorError: {e}") from e
            raise
        return c

    def _release_slot(self) -> None:
        while self.limit_waiters:
            fut = self.limit_waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self.busy -= 1

    def _release(self, c: _Conn, now: float) -> None:
        self.inflight.discard(c)
        if not c.closed and c.waiter is None and not self._closed:
            c.idle_since = now
            self.idle.setdefault(c.key, []).append(c)
        elif c.transport is not None and not c.closed:
            c.transport.close()
        self._release_slot()

    # --- requests ------------------------------------------------------------------------------------

    async def request(self, method: str, url: str, *, json: Any = None, params: dict[str, Any] | None = None,
                      headers: dict[str, str] | None = None, files: Any = None) -> Resp:
        loop = self._loop or self._start()
        key, host, port, hostline, path = self._target(url)
        if params:
            path = f"{path}{'&' if '?' in path else '?'}{urlencode(params)}"
        extra = "".join([f"{k}: {v}\r\n" for k, v in headers.items()]) if headers else ""
        if files:
            body, ctype = _multipart(files)
            extra += f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
        elif json is not None:
            body = _encode(json)
            extra += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        else:
            body = b""
            if method not in ("GET", "HEAD", "OPTIONS", "DELETE"):
                extra += "Content-Length: 0\r\n"
        data = b"".join((f"{method} {path} HTTP/1.1\r\nHost: ".encode(), hostline,
                         f"\r\n{_DEFAULT}{extra}\r\n".encode("latin-1"), body))
        for attempt in (0, 1):
            c = await self._acquire(key, host, port)
            fut: asyncio.Future[Resp] = loop.create_future()
            now = loop.time()
            c.send(data, fut, now + self.timeout_s)
            self.inflight.add(c)
            try:
                r = await fut
            except _Retry:
                self._release(c, now)
                if attempt == 0 and method in _IDEMPOTENT:
                    continue
                raise HTTPError("ServerDisconnectedError: connection closed before the answer") from None
            except BaseException:
                c._fail(HTTPError("cancelled"))  # a request abandoned half-way: its connection is not reusable
                self._release(c, now)
                raise
            self._release(c, loop.time())
            return r
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        self._closed = True
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        for conns in self.idle.values():
            for c in conns:
                if c.transport is not None:
                    c.transport.close()
        self.idle.clear()
        for c in list(self.inflight):
            c._fail(HTTPError("client closed"))


def _multipart(files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """multipart/form-data of ``{field: (filename, content, content type)}``, as aiohttp's FormData built it."""
    boundary = os.urandom(16).hex()
    parts: list[bytes] = []
    for name, (filename, content, ctype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Type: {ctype}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\n\r\n'.encode())
        parts.append(content)
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"

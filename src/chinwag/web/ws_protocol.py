"""uvicorn's sans-I/O WebSocket protocol, trimmed for many idle connections.

An idle chat client holds its socket open for hours, so what each connection keeps alive matters
(10,000 connections per process at ≤ 30 KB each). uvicorn's protocol keeps the handshake request
and response (two header maps) for the connection's whole life and makes a full ``asyncio.Queue``
(three deques) and ``asyncio.Event`` per connection. This subclass drops the handshake once it is
done and uses a one-reader inbox and a flag with the same methods, and when the connection is lost it
ends websockets' parser, which would otherwise keep the closed connection's protocol in a reference
cycle until a full garbage collection (``let_go_of_parser``). Pinned to uvicorn 0.54 (see
pyproject.toml); ``tests/ws/test_protocol.py`` runs every protocol test through it. Another uvicorn
version is refused on import, before the private class is touched (``web/uvicorn_compat.py``).
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from chinwag.web.uvicorn_compat import check_uvicorn

check_uvicorn()

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol  # noqa: E402
from websockets.protocol import State  # noqa: E402


class _Inbox:
    """The subset of ``asyncio.Queue`` uvicorn uses (``put_nowait``, ``get``, ``empty``), for one reader."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items


class _Flag:
    """The subset of ``asyncio.Event`` uvicorn uses for write flow control."""

    __slots__ = ("_value", "_waiters")

    def __init__(self) -> None:
        self._value = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        self._value = True
        waiters, self._waiters = self._waiters, None
        for w in waiters or ():
            if not w.done():
                w.set_result(None)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> None:
        while not self._value:
            fut = asyncio.get_running_loop().create_future()
            if self._waiters is None:
                self._waiters = []
            self._waiters.append(fut)
            await fut


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Inbox()  # type: ignore[assignment]
        self.writable = _Flag()  # type: ignore[assignment]
        self.writable.set()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and getattr(self, "request", None) is not None:
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]


    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        let_go_of_parser(self.conn)

    def try_send_text(self, text: str) -> bool:
        """Write one text frame now, without a coroutine, when the socket can take it at once (open,
        not paused by flow control, no fragmented message in progress). False: nothing was written;
        the caller sends through the ASGI ``send`` (which waits for the socket to drain). Fan-out
        of one event to a thousand connections is a thousand of these instead of a thousand tasks."""
        return self.try_send_frame(text.encode())

    def try_send_frame(self, payload: bytes, tail: bytes = b"") -> bool:
        """``try_send_text`` for a text already encoded as UTF-8, in two pieces: the fan-out encodes an
        event's frame once (``payload``) and adds only each connection's ``seq`` (``tail``), so a
        recipient costs one header, one join and one write — no str concatenation or encoding."""
        conn = self.conn
        if (not self.handshake_complete or self.close_sent or self.disconnected
                or self.initial_response is not None or not self.writable.is_set()
                or conn.state is not State.OPEN or conn.expect_continuation_frame or conn.extensions
                or self.transport.is_closing()):
            return False
        n = len(payload) + len(tail)
        if n < 126:
            head = bytes((0x81, n))
        elif n < 0x10000:
            head = _HEAD16(0x81, 126, n)
        else:
            head = _HEAD64(0x81, 127, n)
        self.transport.write(b"".join((head, payload, tail)))
        return True


_HEAD16 = struct.Struct("!BBH").pack
_HEAD64 = struct.Struct("!BBQ").pack


def let_go_of_parser(conn: Any) -> None:
    """The connection is gone: end the websockets protocol's parser. websockets' sans-I/O protocol
    parses with a generator of its own (``conn.parser``: ``parse()``, or ``discard()`` once closing),
    which at the end of the stream stays suspended at its last ``yield`` holding ``self`` — a reference
    cycle, and the parser's error (``parser_exc``, an ``EOFError`` when the TCP connection went away
    without a close frame) holds the parser's frame in its traceback, another. So a closed
    connection's protocol, its reader, buffers and close frames were freed only by a full collection,
    which the server's collector settings make rare (``server.tune_gc``): with hundreds of reconnects a
    minute they piled up between collections (#18). Closed here, the protocol goes with the
    connection, by reference counting. uvicorn sends nothing through it after ``connection_lost``
    (a send raises ``ClientDisconnected``) and feeds it no more data."""
    conn.parser.close()
    if conn.parser_exc is not None:
        conn.parser_exc.__traceback__ = None  # what uvicorn may still read of it is the exception itself


#: uvicorn's WebSocket options for every chinwag server (`chinwag serve`, the test and bench servers).
UVICORN_WS_OPTIONS: dict[str, Any] = dict(ws=LeanWebSocketProtocol, ws_max_size=8192, ws_per_message_deflate=False,
                                          ws_ping_interval=30, ws_ping_timeout=60)

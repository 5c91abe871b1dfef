"""uvicorn's httptools HTTP protocol, answering with one transport write where it can.

uvicorn writes an answer's status line and headers as soon as the application sends
``http.response.start``, and its body on ``http.response.body``: two ``transport.write`` calls, so two
``send`` system calls and usually two TCP segments per answer — for the small JSON answers most API
requests get, the second write costs about as much CPU as the first. Here the head is held until the
body's first write and goes out with it in one write (``b"".join``: a few hundred bytes copied). If the
body does not follow within the same turn of the event loop (a file read in a worker thread, a
streamed answer waiting for its first chunk) the head is written on its own at the end of that turn,
as before; so is it before the connection is closed. The bytes on the wire are exactly uvicorn's.

Builds on uvicorn's private ``RequestResponseCycle`` (it replaces the cycle's ``transport`` with a
holder): pinned like ``web/ws_protocol.py`` (``web/uvicorn_compat.py`` refuses another uvicorn version);
``tests/unit/test_http_protocol.py`` checks the answers over a socket.
"""

from __future__ import annotations

import asyncio
from typing import Any

from chinwag.web.uvicorn_compat import check_uvicorn

check_uvicorn()

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle  # noqa: E402


class _HeldHead:
    """The cycle's transport: the first write of an answer (uvicorn's status line and headers) is held
    and put in front of the next write, or written alone at the end of the loop's turn. The rest of the
    transport's methods pass through."""

    __slots__ = ("_head", "_loop", "transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        #: None: nothing written yet; b"": the head is out
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        head = self._head
        if head is None:
            self._head = data
            self._loop.call_soon(self.flush)
        elif head:
            self._head = b""
            self.transport.write(head + data)
        else:
            self.transport.write(data)

    def flush(self) -> None:
        head = self._head
        if head:
            self._head = b""
            if not self.transport.is_closing():
                self.transport.write(head)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class OneWriteHttpProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` whose answers' heads and bodies go out in one transport write."""

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        # the cycle's writes before its answer starts (``100 Continue`` from ``receive``) would be held
        # as if they were the head: only requests that expect no such interim answer get the holder
        if not cycle.waiting_for_100_continue:
            cycle.transport = _HeldHead(self.transport, self.loop)  # type: ignore[assignment]
        super()._start_asgi_task(cycle, app)

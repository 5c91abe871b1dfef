"""A small round-robin load balancer on loopback, standing in for a Kubernetes Service + ingress in
front of chinwag pods: each HTTP request and each WebSocket goes to the next backend in the ring.

- HTTP: one request per client connection (the proxy sends ``Connection: close`` both ways), so
  every request is balanced on its own, as an ingress does.
- WebSocket (``Upgrade: websocket``): the handshake goes to one backend and the bytes are piped both
  ways until either side closes; the client then reconnects through the balancer to another backend.
- A backend that refuses the connection is skipped for the next one (nginx's
  ``proxy_next_upstream error``); nothing was sent to it, so this is safe for any method.
- ``remove(port)`` takes a backend out of the ring, as Kubernetes takes a terminating pod out of
  the Service's endpoints before (or while) its preStop hook runs; connections already open stay.
"""

from __future__ import annotations

import asyncio
import contextlib

BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class LoadBalancer:
    def __init__(self) -> None:
        self.backends: list[int] = []
        self.port = 0
        self.requests = 0
        self.websockets = 0
        self._next = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> LoadBalancer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t

    def add(self, port: int) -> None:
        self.backends.append(port)

    def remove(self, port: int) -> None:
        self.backends.remove(port)

    async def _open_backend(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        for _ in range(max(1, len(self.backends))):
            if not self.backends:
                break
            port = self.backends[self._next % len(self.backends)]
            self._next += 1
            try:
                return await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
        raise OSError("no backend accepted the connection")

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        backend: asyncio.StreamWriter | None = None
        try:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")[:-2]
            upgrade = any(line.lower().startswith("upgrade:") and "websocket" in line.lower() for line in lines)
            if not upgrade:
                lines = [lines[0]] + [line for line in lines[1:]
                                      if not line.lower().startswith(("connection:", "keep-alive:"))]
                lines.append("Connection: close")
                head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            try:
                b_reader, backend = await self._open_backend()
            except OSError:
                writer.write(BAD_GATEWAY)
                await writer.drain()
                return
            if upgrade:
                self.websockets += 1
            else:
                self.requests += 1
            backend.write(head)
            up = asyncio.ensure_future(_pipe(reader, backend))
            down = asyncio.ensure_future(_pipe(b_reader, writer))
            # a WebSocket ends when either side closes; an HTTP exchange when the response is complete
            # (the backend closes after it: Connection: close)
            await asyncio.wait({up, down} if upgrade else {down}, return_when=asyncio.FIRST_COMPLETED)
            for t in (up, down):
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
        finally:
            for w in (backend, writer):
                if w is not None:
                    w.close()


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while True:
            data = await src.read(65536)
            if not data:
                return
            dst.write(data)
            await dst.drain()

"""The load test's mail sink: a real SMTP server for the server under test to send its email to.

load-test-ng's deployments point EmailSettings at an Inbucket on the metrics instance (SMTP port 2500), so
the server does its real email work — mention notifications composed and handed over an SMTP session —
and no send is refused and retried. This is that sink: aiosmtpd in a helper process of its own (spawned,
not forked, and never counted as the server's CPU) that accepts every message and counts them."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import socket
from typing import Any

#: counts shared with the helper: messages, recipients, bytes
_FIELDS = ("messages", "recipients", "bytes")


class _Counter:
    def __init__(self, counts: Any) -> None:
        self.counts = counts

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.counts.get_lock():
            self.counts[0] += 1
            self.counts[1] += len(envelope.rcpt_tos)
            self.counts[2] += len(envelope.content or b"")
        return "250 Message accepted"


def _serve(host: str, port: int, counts: Any, ready: Any) -> None:
    from aiosmtpd.smtp import SMTP

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(_Counter(counts), hostname="loadtest-sink"), host, port)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        if not port:
            with socket.socket() as s:
                s.bind((host, 0))
                port = int(s.getsockname()[1])
        self.port = port
        self._ctx = mp.get_context("spawn")
        self._counts: Any = self._ctx.Array("q", len(_FIELDS))
        self._proc: Any = None

    def start(self, timeout_s: float = 30) -> SmtpSink:
        ready = self._ctx.Event()
        self._proc = self._ctx.Process(target=_serve, args=(self.host, self.port, self._counts, ready), daemon=True)
        self._proc.start()
        if not ready.wait(timeout_s):
            self.stop()
            raise RuntimeError(f"the SMTP sink did not start on {self.host}:{self.port}")
        return self

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else int(self._proc.pid)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.join(5)
            self._proc = None

    def env(self) -> dict[str, str]:
        """The server's EmailSettings pointing at this sink (plain SMTP, no auth, as Inbucket's)."""
        return {"MM_EMAILSETTINGS_SMTPSERVER": self.host, "MM_EMAILSETTINGS_SMTPPORT": str(self.port),
                "MM_EMAILSETTINGS_CONNECTIONSECURITY": "", "MM_EMAILSETTINGS_ENABLESMTPAUTH": "false",
                "MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS": "true"}

    def counts(self) -> dict[str, int]:
        with self._counts.get_lock():
            return dict(zip(_FIELDS, list(self._counts), strict=True))

"""Runs Firefox for Playwright's WebDriver BiDi driver (the ``moz-firefox`` channel), between the two:
``python firefox_bidi_shim.py /usr/bin/firefox-esr ARGS…`` as the executable Playwright launches.

Playwright (1.65) sets ``prefers-color-scheme`` on every new browser context with
``emulation.setMediaFeaturesOverride``, a command Debian's Firefox ESR (153) does not have: it answers
"unknown command" and the context is never made. This starts Firefox with the same arguments, passes its
output through, and puts a WebSocket relay in front of its BiDi endpoint (the "WebDriver BiDi listening
on ws://…" line Playwright waits for names the relay instead): every message goes through unchanged, except
that command, which the relay answers itself with an empty success (the page keeps Firefox's own colour
scheme, light when headless; no test here emulates media features in Firefox). When Firefox exits, so does
this, with its exit status; a signal to this is passed on to Firefox."""

from __future__ import annotations

import asyncio
import functools
import json
import re
import shlex
import signal
import sys
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

#: the commands Firefox ESR lacks that Playwright sends unasked, answered here
ANSWERED_HERE = {"emulation.setMediaFeaturesOverride"}
LISTENING = re.compile(r"^WebDriver BiDi listening on (ws://\S+)$")


def executable(firefox: str, folder: Path) -> str:
    """A program in ``folder`` that runs ``firefox`` through this shim (Playwright's ``executablePath``)."""
    path = folder / "firefox-bidi"
    path.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(Path(__file__).resolve()))} "
                    f"{shlex.quote(firefox)} \"$@\"\n")
    path.chmod(0o755)
    return str(path)


async def relay(client: ServerConnection, upstream_base: str) -> None:
    async with connect(upstream_base + client.request.path, max_size=None, ping_interval=None) as firefox:  # type: ignore[union-attr]
        async def to_firefox() -> None:
            async for message in client:
                try:
                    command = json.loads(message)
                except ValueError:
                    command = None
                if isinstance(command, dict) and command.get("method") in ANSWERED_HERE:
                    await client.send(json.dumps({"type": "success", "id": command.get("id"), "result": {}}))
                    continue
                await firefox.send(message)
            await firefox.close()

        async def to_client() -> None:
            async for message in firefox:
                await client.send(message)
            await client.close()

        tasks = [asyncio.ensure_future(to_firefox()), asyncio.ensure_future(to_client())]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in pending:
            t.cancel()


async def main(argv: list[str]) -> int:
    proc = await asyncio.create_subprocess_exec(*argv, stdout=None, stderr=asyncio.subprocess.PIPE)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, proc.send_signal, sig)
    server = None
    assert proc.stderr is not None
    async for raw in proc.stderr:
        line = raw.decode(errors="replace").rstrip("\n")
        m = LISTENING.match(line)
        if m and server is None:
            upstream = m.group(1)
            server = await serve(functools.partial(relay, upstream_base=upstream), "127.0.0.1", 0, max_size=None,
                                 ping_interval=None)
            port = next(iter(server.sockets)).getsockname()[1]
            line = f"WebDriver BiDi listening on ws://127.0.0.1:{port}"
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    code = await proc.wait()
    if server is not None:
        server.close()
    return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))

"""Calls spread over SFU worker processes, so that a node's calls use all its cores.

The SFU (``sfu.py``) is one Python event loop: every packet of every call on a node went through the
calls plugin's one process, so the node's calls together got one core at most. With ``SFUWorkers`` above
1 the plugin starts that many worker processes, each running an ``SFU`` of its own; a call lives in one
worker (all its sessions, so its media never cross processes) and a new call goes to the worker with the
fewest sessions. The plugin keeps the call's state and signalling as before and talks to the workers over a
Unix socket pair each (msgpack frames): the same methods as ``SFU`` (``join``, ``sdp``, ``ice``, ``leave``,
mute and screen and video switches, ``configure``, ``close``), and the worker's offers and answers come back
as ``signal`` messages. ``sdp`` and ``leave`` wait for the worker to have done them, as the in-process
SFU's do (an ``sdp`` that fails raises here too); one session's messages are carried out in order.

A worker runs the bundle's own ``sfu.py`` (the package is made for it as the plugin loader makes it) and
ends when its socket closes: when the plugin stops, or dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import os
import socket
import struct
import sys
from collections.abc import Callable
from typing import Any

import msgspec

from .sfu import LATENCY_FILE, SFU, RTCSettings

Signal = Callable[[str, dict[str, Any]], None]
#: the bundle's server folder (this module's)
HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = struct.Struct("!I")

#: what a worker process runs: the bundle's server folder as the package its modules import relatively
_BOOT = """
import importlib, sys, types
pkg = types.ModuleType("chinwag_calls_worker")
pkg.__path__ = [sys.argv[1]]
sys.modules["chinwag_calls_worker"] = pkg
importlib.import_module("chinwag_calls_worker.workers").worker_main(int(sys.argv[2]))
"""


def default_workers() -> int:
    """One per core this process may run on (1 on a 1-core machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _settings_dict(settings: RTCSettings) -> dict[str, Any]:
    return dataclasses.asdict(settings)


def _settings(d: dict[str, Any]) -> RTCSettings:
    fields = {f.name for f in dataclasses.fields(RTCSettings)}
    d = {k: v for k, v in d.items() if k in fields}
    d["stun_urls"] = tuple(d.get("stun_urls") or ())
    return RTCSettings(**d)


async def _read(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    try:
        head = await reader.readexactly(HEADER.size)
        msg = msgspec.msgpack.decode(await reader.readexactly(HEADER.unpack(head)[0]))
    except (asyncio.IncompleteReadError, ConnectionError, msgspec.DecodeError):
        return None
    return msg if isinstance(msg, dict) else {}


class Worker:
    """One worker process, seen from the plugin."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.proc: asyncio.subprocess.Process | None = None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.sessions: set[str] = set()
        self.waiting: dict[int, asyncio.Future[str]] = {}
        self.task: asyncio.Task[None] | None = None
        self.alive = False


class SFUWorkers:
    """The SFU's interface, with each call in one of ``count`` worker processes."""

    def __init__(self, settings: RTCSettings, signal: Signal, count: int) -> None:
        self.settings = settings
        self.signal = signal
        self.workers = [Worker(i) for i in range(max(1, count))]
        #: session id → its worker and its call's channel; channel id → the worker of its call
        self.by_session: dict[str, Worker] = {}
        self.channel_of: dict[str, str] = {}
        self.by_channel: dict[str, Worker] = {}
        self._ids = 0

    async def start(self) -> None:
        for w in self.workers:
            await self._spawn(w)

    async def _spawn(self, w: Worker) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = dict(os.environ)
        latency = env.get(LATENCY_FILE)
        if latency:  # each worker times its own packets into a file of its own
            env[LATENCY_FILE] = f"{latency}.{w.index}"
        try:
            w.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", _BOOT, HERE, str(theirs.fileno()),
                pass_fds=(theirs.fileno(),), env=env, stdin=asyncio.subprocess.DEVNULL)
        finally:
            theirs.close()
        w.reader, w.writer = await asyncio.open_unix_connection(sock=ours)
        w.alive = True
        w.task = asyncio.get_running_loop().create_task(self._listen(w))
        self._send(w, {"t": "configure", "settings": _settings_dict(self.settings)})

    async def _listen(self, w: Worker) -> None:
        assert w.reader is not None
        while (msg := await _read(w.reader)) is not None:
            kind = msg.get("t")
            if kind == "signal":
                self.signal(str(msg.get("conn", "")), dict(msg.get("msg") or {}))
            elif kind == "done":
                fut = w.waiting.pop(int(msg.get("id", 0)), None)
                if fut is not None and not fut.done():
                    fut.set_result(str(msg.get("error") or ""))
        w.alive = False
        for fut in w.waiting.values():
            if not fut.done():
                fut.set_result("the SFU worker is gone")
        w.waiting.clear()

    def _send(self, w: Worker, msg: dict[str, Any]) -> None:
        if w.writer is None or not w.alive:
            return
        body = msgspec.msgpack.encode(msg)
        w.writer.write(HEADER.pack(len(body)) + body)

    async def _call(self, w: Worker, msg: dict[str, Any]) -> None:
        """Send and wait until the worker has carried it out; its error is raised here."""
        if not w.alive:
            raise ConnectionError("the SFU worker is gone")
        self._ids += 1
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        w.waiting[self._ids] = fut
        self._send(w, {**msg, "id": self._ids})
        error = await fut
        if error:
            raise ConnectionError(error)

    # the SFU's interface ------------------------------------------------------------------------------

    def configure(self, settings: RTCSettings) -> None:
        self.settings = settings
        for w in self.workers:
            self._send(w, {"t": "configure", "settings": _settings_dict(settings)})

    def join(self, conn_id: str, user_id: str, channel_id: str) -> None:
        w = self.by_channel.get(channel_id)
        if w is None or not w.alive:
            live = [x for x in self.workers if x.alive] or self.workers
            w = min(live, key=lambda x: (len(x.sessions), x.index))
            self.by_channel[channel_id] = w
        w.sessions.add(conn_id)
        self.by_session[conn_id] = w
        self.channel_of[conn_id] = channel_id
        self._send(w, {"t": "join", "conn": conn_id, "user": user_id, "channel": channel_id})

    async def sdp(self, conn_id: str, message: dict[str, Any]) -> None:
        w = self.by_session.get(conn_id)
        if w is not None:
            await self._call(w, {"t": "sdp", "conn": conn_id, "msg": message})

    async def ice(self, conn_id: str, candidate: dict[str, Any]) -> None:
        w = self.by_session.get(conn_id)
        if w is not None:
            self._send(w, {"t": "ice", "conn": conn_id, "candidate": candidate})

    def set_unmuted(self, conn_id: str, unmuted: bool) -> None:
        self._switch(conn_id, "unmuted", unmuted)

    def set_screen(self, conn_id: str, on: bool, stream_id: str = "") -> None:
        self._switch(conn_id, "screen", on, stream_id)

    def set_video(self, conn_id: str, on: bool) -> None:
        self._switch(conn_id, "video", on)

    def set_video_tiles(self, conn_id: str, tiles: dict[str, Any]) -> None:
        w = self.by_session.get(conn_id)
        if w is not None:
            self._send(w, {"t": "tiles", "conn": conn_id, "tiles": tiles})

    def _switch(self, conn_id: str, what: str, on: bool, stream_id: str = "") -> None:
        w = self.by_session.get(conn_id)
        if w is not None:
            self._send(w, {"t": what, "conn": conn_id, "on": on, "stream": stream_id})

    async def leave(self, conn_id: str) -> None:
        w = self.by_session.pop(conn_id, None)
        if w is None:
            return
        w.sessions.discard(conn_id)
        channel_id = self.channel_of.pop(conn_id, "")
        if channel_id not in self.channel_of.values():  # the call's last session: it may go elsewhere next time
            self.by_channel.pop(channel_id, None)
        with contextlib.suppress(ConnectionError):
            await self._call(w, {"t": "leave", "conn": conn_id})

    async def close(self) -> None:
        for w in self.workers:
            if w.alive:
                with contextlib.suppress(ConnectionError):
                    await asyncio.wait_for(self._call(w, {"t": "close"}), 10)
            if w.writer is not None:
                w.writer.close()
            if w.proc is not None:
                try:
                    await asyncio.wait_for(w.proc.wait(), 10)
                except TimeoutError:
                    w.proc.kill()
                    await w.proc.wait()
            if w.task is not None:
                w.task.cancel()
        self.by_session.clear()
        self.channel_of.clear()
        self.by_channel.clear()


# the worker process ---------------------------------------------------------------------------------


def _forget(last: dict[str, asyncio.Task[None]], conn: str, task: asyncio.Task[None]) -> None:
    if last.get(conn) is task:
        del last[conn]


def worker_main(fd: int) -> None:
    asyncio.run(_serve(socket.socket(fileno=fd)))


async def _serve(sock: socket.socket) -> None:
    reader, writer = await asyncio.open_unix_connection(sock=sock)

    def send(msg: dict[str, Any]) -> None:
        body = msgspec.msgpack.encode(msg)
        writer.write(HEADER.pack(len(body)) + body)

    sfu = SFU(RTCSettings(), lambda conn_id, message: send({"t": "signal", "conn": conn_id, "msg": message}))
    #: each session's last message being carried out: the next waits for it (one session's in order)
    last: dict[str, asyncio.Task[None]] = {}
    stop = asyncio.Event()

    async def carry_out(msg: dict[str, Any], before: asyncio.Task[None] | None) -> None:
        if before is not None:
            with contextlib.suppress(BaseException):
                await before
        kind, conn = msg.get("t"), str(msg.get("conn", ""))
        error = ""
        try:
            if kind == "sdp":
                await sfu.sdp(conn, dict(msg.get("msg") or {}))
            elif kind == "ice":
                await sfu.ice(conn, dict(msg.get("candidate") or {}))
            elif kind == "leave":
                await sfu.leave(conn)
            elif kind == "close":
                await sfu.close()
                stop.set()
        except Exception as e:  # told to the plugin, which tells the client (as the in-process SFU's raise)
            error = repr(e) or "failed"
        if "id" in msg:
            send({"t": "done", "id": msg["id"], "error": error})

    while not stop.is_set():
        msg = await _read(reader)
        if msg is None:  # the plugin is gone
            break
        kind, conn = msg.get("t"), str(msg.get("conn", ""))
        if kind == "configure":
            sfu.configure(_settings(dict(msg.get("settings") or {})))
        elif kind == "join":
            sfu.join(conn, str(msg.get("user", "")), str(msg.get("channel", "")))
        elif kind == "unmuted":
            sfu.set_unmuted(conn, bool(msg.get("on")))
        elif kind == "screen":
            sfu.set_screen(conn, bool(msg.get("on")), str(msg.get("stream", "")))
        elif kind == "video":
            sfu.set_video(conn, bool(msg.get("on")))
        elif kind == "tiles":
            sfu.set_video_tiles(conn, dict(msg.get("tiles") or {}))
        elif kind in ("sdp", "ice", "leave", "close"):
            task = asyncio.get_running_loop().create_task(carry_out(msg, last.get(conn)))
            last[conn] = task
            task.add_done_callback(functools.partial(_forget, last, conn))
            if kind == "close":
                await task
    with contextlib.suppress(Exception):
        await sfu.close()
        await writer.drain()
        writer.close()

"""The local RPC channel between the server and a plugin process: length-prefixed msgpack frames over a
unix socket pair, calls in both directions (hooks one way, API calls the other), each answered by id.

Values cross as msgpack builtins; the SDK's structs and dataclasses (Post, Channel, User, Context,
HTTPRequest, …) are tagged with their type name and rebuilt on the other side from a fixed list, so
nothing but those types and builtins is ever constructed from the wire. An ``AppError`` raised on one side
is raised again on the other; any other failure arrives as ``RemoteError``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.errors import AppError
from chinwag.model.file import FileInfo
from chinwag.model.integration import Command, CommandArgs, CommandResponse
from chinwag.model.post import Post, Reaction
from chinwag.model.team import Team
from chinwag.model.user import User

MAX_FRAME = 64 * 1024 * 1024
_HEADER = struct.Struct(">I")


class RemoteError(Exception):
    """The other side failed (not with an AppError), or went away."""


def _registry() -> dict[str, type]:
    from chinwag.plugin import Context, HTTPRequest, HTTPResponse

    types: list[type] = [Post, Reaction, Channel, ChannelMember, User, Team, Command, CommandArgs, CommandResponse,
                         FileInfo, Context, HTTPRequest, HTTPResponse]
    return {t.__name__: t for t in types}


_TYPES: dict[str, type] = {}


def encode_value(x: Any) -> Any:
    if x is None or isinstance(x, str | int | float | bool | bytes):
        return x
    if isinstance(x, msgspec.Struct):
        return {"__t": type(x).__name__, "v": msgspec.to_builtins(x, builtin_types=(bytes,))}
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {"__t": type(x).__name__, "v": {f.name: encode_value(getattr(x, f.name))
                                               for f in dataclasses.fields(x)}}
    if isinstance(x, tuple):
        return {"__t": "tuple", "v": [encode_value(v) for v in x]}
    if isinstance(x, list):
        return [encode_value(v) for v in x]
    if isinstance(x, dict):
        return {str(k): encode_value(v) for k, v in x.items()}
    raise TypeError(f"cannot send a {type(x).__name__} to the other side")


def decode_value(x: Any) -> Any:
    if isinstance(x, list):
        return [decode_value(v) for v in x]
    if not isinstance(x, dict):
        return x
    tag = x.get("__t")
    if tag is None or set(x) != {"__t", "v"}:
        return {k: decode_value(v) for k, v in x.items()}
    if tag == "tuple":
        return tuple(decode_value(v) for v in x["v"])
    if not _TYPES:
        _TYPES.update(_registry())
    cls = _TYPES.get(tag)
    if cls is None:
        raise RemoteError(f"unknown type {tag!r} on the wire")
    if issubclass(cls, msgspec.Struct):
        return msgspec.convert(x["v"], cls)
    return cls(**{k: decode_value(v) for k, v in x["v"].items()})


def _error(e: BaseException) -> dict[str, Any]:
    if isinstance(e, AppError):
        return {"t": "AppError", "where": e.where, "id": e.id, "message": e.message, "status": e.status_code,
                "detail": e.detailed_error}
    return {"t": "Error", "message": f"{type(e).__name__}: {e}"}


def _raise(err: dict[str, Any]) -> None:
    if err.get("t") == "AppError":
        raise AppError(str(err.get("where", "")), str(err.get("id", "")), str(err.get("message", "")),
                       int(err.get("status", 500)), str(err.get("detail", "")))
    raise RemoteError(str(err.get("message", "the other side failed")))


Handler = Callable[[str, list[Any]], Awaitable[Any]]
Notified = Callable[[str, list[Any]], None]


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler,
                 notified: Notified | None = None) -> None:
        self.reader = reader
        self.writer = writer
        self.handler = handler
        self.notified = notified
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.closed = asyncio.Event()
        self._enc = msgspec.msgpack.Encoder()
        self._dec = msgspec.msgpack.Decoder()

    def _send(self, msg: dict[str, Any]) -> None:
        if self.closed.is_set():
            raise RemoteError("the connection is closed")
        data = self._enc.encode(msg)
        self.writer.write(_HEADER.pack(len(data)) + data)

    async def call(self, method: str, *args: Any) -> Any:
        call_id = next(self._ids)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = fut
        try:
            self._send({"id": call_id, "m": method, "a": [encode_value(a) for a in args]})
            await self.writer.drain()
            return await fut
        finally:
            self._pending.pop(call_id, None)

    def notify(self, method: str, *args: Any) -> None:
        self._send({"m": method, "a": [encode_value(a) for a in args]})

    async def serve(self) -> None:
        """Read frames until the other side closes; answer calls in their own tasks."""
        try:
            while True:
                header = await self.reader.readexactly(_HEADER.size)
                (size,) = _HEADER.unpack(header)
                if size > MAX_FRAME:
                    raise RemoteError(f"frame of {size} bytes")
                msg = self._dec.decode(await self.reader.readexactly(size))
                if not isinstance(msg, dict):
                    continue
                if "m" in msg:
                    args = [decode_value(a) for a in msg.get("a") or []]
                    if "id" in msg:
                        task = asyncio.get_running_loop().create_task(self._answer(msg["id"], msg["m"], args))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                    elif self.notified is not None:
                        try:
                            self.notified(str(msg["m"]), args)
                        except Exception:  # a notification has no one to answer to
                            pass
                    continue
                fut = self._pending.get(msg.get("id", -1))
                if fut is None or fut.done():
                    continue
                if "e" in msg:
                    try:
                        _raise(msg["e"])
                    except Exception as e:
                        fut.set_exception(e)
                else:
                    try:
                        fut.set_result(decode_value(msg.get("r")))
                    except Exception as e:
                        fut.set_exception(e)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self._close()

    async def _answer(self, call_id: int, method: str, args: list[Any]) -> None:
        try:
            result = await self.handler(method, args)
            reply = {"id": call_id, "r": encode_value(result)}
        except asyncio.CancelledError:
            raise
        except BaseException as e:
            reply = {"id": call_id, "e": _error(e)}
        try:
            self._send(reply)
            await self.writer.drain()
        except (RemoteError, ConnectionError, OSError):
            pass

    def _close(self) -> None:
        self.closed.set()
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(RemoteError("the plugin process went away"))
        for task in list(self._tasks):
            task.cancel()
        try:
            self.writer.close()
        except Exception:
            pass

    def close(self) -> None:
        self._close()

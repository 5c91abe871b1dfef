"""A client of the Janus gateway's API over its WebSocket transport (subprotocol ``janus-protocol``), with
the VideoRoom plugin's requests the calls backend needs: a session (kept alive), plugin handles, requests
answered at once (``success``) or later by an ``event`` with the same transaction (after an ``ack``),
trickled candidates, and the events Janus sends on its own (a room's new publishers, a handle's hangup).

VideoRoom (Janus 1.x, multistream): a room per call; a participant publishes on a *publisher* handle (its
offer, Janus's answer) and receives the others on one *subscriber* handle (Janus's offer with an m-line per
subscribed stream, the participant's answer; ``update`` adds and removes streams and Janus offers again).
Janus forwards the RTP it receives on a publisher's connection to every subscriber without decoding it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

import websockets

VIDEOROOM = "janus.plugin.videoroom"
#: Janus ends a session it has not heard from in 60 s (its default session_timeout)
KEEPALIVE = 25.0


class JanusError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code, self.reason = code, reason


EventHandler = Callable[[int, dict[str, Any], dict[str, Any] | None], None]


class Janus:
    """One Janus session over one WebSocket."""

    def __init__(self, url: str, api_secret: str = "", timeout: float = 15.0) -> None:
        self.url, self.api_secret, self.timeout = url, api_secret, timeout
        self.ws: Any = None
        self.session_id = 0
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._acked: set[str] = set()
        #: requests Janus answers with an ``ack`` alone (a trickled candidate)
        self._ack_final: set[str] = set()
        self._ids = itertools.count(1)
        self._tasks: list[asyncio.Task[None]] = []
        #: handle id → called with (handle id, plugin data, jsep) for events Janus sends on its own
        self.on_event: dict[int, EventHandler] = {}
        #: set when the session is gone: the WebSocket closed (Janus restarted, the network broke) or a
        #: keepalive failed (Janus no longer knows the session)
        self.lost = asyncio.Event()

    async def connect(self) -> Janus:
        self.ws = await websockets.connect(self.url, subprotocols=["janus-protocol"],  # type: ignore[list-item]
                                           max_size=None, open_timeout=self.timeout)
        self._tasks.append(asyncio.get_running_loop().create_task(self._read()))
        try:
            reply = await self._request({"janus": "create"})
        except BaseException:
            await self.close()
            raise
        self.session_id = int(reply["data"]["id"])
        self._tasks.append(asyncio.get_running_loop().create_task(self._keepalive()))
        return self

    @property
    def closed(self) -> bool:
        """The WebSocket is gone (Janus restarted, the network broke): a new session is needed."""
        return self.ws is None or self.lost.is_set() or any(t.done() for t in self._tasks)

    async def close(self) -> None:
        if self.ws is not None and self.session_id and not self.lost.is_set():
            try:
                await self._request({"janus": "destroy", "session_id": self.session_id})
            except (TimeoutError, JanusError, OSError, websockets.ConnectionClosed):
                pass
        for t in self._tasks:
            t.cancel()
        if self.ws is not None:
            await self.ws.close()
        for f in self._pending.values():
            if not f.done():
                f.set_exception(ConnectionError("janus connection closed"))

    # transport ---------------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                try:
                    msg = json.loads(text)
                except ValueError:
                    continue
                if isinstance(msg, dict):
                    try:
                        self._dispatch(msg)
                    except Exception:  # one event handler's failure must not end the session for all
                        logging.getLogger(__name__).exception("janus: handling an event failed")
        except (websockets.ConnectionClosed, OSError):
            pass
        self.lost.set()
        for f in self._pending.values():
            if not f.done():
                f.set_exception(ConnectionError("janus connection closed"))

    def _dispatch(self, msg: dict[str, Any]) -> None:
        kind, tx = msg.get("janus"), msg.get("transaction")
        future = self._pending.get(tx) if isinstance(tx, str) else None
        if kind == "ack" and future is not None and str(tx) not in self._ack_final:
            self._acked.add(str(tx))  # the answer comes later, as an event with this transaction
            return
        if future is not None and kind in ("success", "error", "event", "ack"):
            del self._pending[str(tx)]
            self._acked.discard(str(tx))
            self._ack_final.discard(str(tx))
            if not future.done():
                future.set_result(msg)
            return
        handle = int(msg.get("sender") or 0)
        handler = self.on_event.get(handle)
        if handler is None:
            return
        if kind == "event":
            data = (msg.get("plugindata") or {}).get("data") or {}
            handler(handle, data, msg.get("jsep"))
        elif kind in ("hangup", "detached", "webrtcup"):
            handler(handle, {"janus": kind, "reason": msg.get("reason", "")}, None)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE)
            try:
                await self._request({"janus": "keepalive", "session_id": self.session_id}, ack_final=True)
            except (TimeoutError, JanusError, ConnectionError, websockets.ConnectionClosed):
                # Janus does not answer or no longer knows the session (458: it timed out, or restarted
                # behind a proxy that kept the WebSocket): the session is lost
                self.lost.set()
                if self.ws is not None:
                    await self.ws.close()
                return

    async def _request(self, body: dict[str, Any], ack_final: bool = False) -> dict[str, Any]:
        tx = f"{next(self._ids)}-{secrets.token_hex(4)}"
        if ack_final:
            self._ack_final.add(tx)
        body = {**body, "transaction": tx}
        if self.api_secret:
            body["apisecret"] = self.api_secret
        if self.lost.is_set():
            raise ConnectionError("janus connection closed")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[tx] = future
        try:
            await self.ws.send(json.dumps(body))
        except websockets.ConnectionClosed as e:
            self._pending.pop(tx, None)
            self._ack_final.discard(tx)
            raise ConnectionError("janus connection closed") from e
        try:
            reply = await asyncio.wait_for(future, self.timeout)
        finally:
            self._pending.pop(tx, None)
            self._ack_final.discard(tx)
        if reply.get("janus") == "error":
            err = reply.get("error") or {}
            raise JanusError(int(err.get("code", 0)), str(err.get("reason", "")))
        return reply

    # handles -----------------------------------------------------------------------------------------

    async def attach(self, plugin: str = VIDEOROOM, on_event: EventHandler | None = None) -> int:
        reply = await self._request({"janus": "attach", "session_id": self.session_id, "plugin": plugin})
        handle = int(reply["data"]["id"])
        if on_event is not None:
            self.on_event[handle] = on_event
        return handle

    async def detach(self, handle: int) -> None:
        self.on_event.pop(handle, None)
        try:
            await self._request({"janus": "detach", "session_id": self.session_id, "handle_id": handle})
        except JanusError:
            pass

    async def message(self, handle: int, body: dict[str, Any],
                      jsep: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """A plugin request: (the plugin's answer, its JSEP if any). A plugin error raises."""
        req: dict[str, Any] = {"janus": "message", "session_id": self.session_id, "handle_id": handle, "body": body}
        if jsep is not None:
            req["jsep"] = jsep
        reply = await self._request(req)
        data = (reply.get("plugindata") or {}).get("data") or {}
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data, reply.get("jsep")

    async def trickle(self, handle: int, candidate: dict[str, Any] | None) -> None:
        """A client's candidate (RTCIceCandidateInit), or None: no more candidates."""
        await self._request({"janus": "trickle", "session_id": self.session_id, "handle_id": handle,
                             "candidate": candidate if candidate is not None else {"completed": True}},
                            ack_final=True)  # Janus's answer to a trickle is its ack

    # VideoRoom ---------------------------------------------------------------------------------------

    async def create_room(self, handle: int, room: int, publishers: int = 100) -> None:
        await self.message(handle, {"request": "create", "room": room, "publishers": publishers,
                                    "audiocodec": "opus", "videocodec": "vp8", "notify_joining": False})

    async def destroy_room(self, handle: int, room: int) -> None:
        try:
            await self.message(handle, {"request": "destroy", "room": room})
        except JanusError:
            pass

"""Calls carried by a Janus gateway (the plugin setting ``SFU: "janus"``): a call is a VideoRoom room on
that Janus, and the plugin keeps one Janus session (``janus.py``) with a publisher handle and a subscriber
handle per participant.

- **Two-connection clients** (chinwag's web UI, which says ``twoPeers`` in its ``join``): the client's
  *publisher* connection goes to the participant's publisher handle (the client offers, Janus answers), its
  *subscriber* connection to the subscriber handle (Janus offers every other participant's streams as they
  come, the client answers with ``start``). The descriptions go through the plugin's signalling:
  ``janus_sdp`` / ``janus_ice`` from the client, ``janus_signal`` to it, each naming its connection
  (``pc``: ``publisher`` or ``subscriber``); the subscriber's offer carries the media map (whose voice,
  screen or camera each m-line is).
- **One-connection clients** (the official apps) are bridged (``janus_bridge.py``): their connection ends
  in the embedded SFU as in an embedded call, and the plugin joins the room for them with aiortc
  connections of its own, forwarding encoded frames both ways.

Mute, a screen or a camera off: VideoRoom stops relaying the publisher's stream (``configure`` with
``streams: [{mid, send: false}]``), as the embedded SFU drops its frames.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from .janus import Janus, JanusError

EMBEDDED, JANUS = "embedded", "janus"
KINDS = ("voice", "screen", "video")
#: how long a subscription waits for a feed Janus does not have yet (its publisher's connection coming up)
FEED_WAIT = 10.0

#: (session id, message) → the client hears it (``janus_signal``)
JanusSignal = Callable[[str, dict[str, Any]], None]
Log = Callable[..., None]


@dataclass
class JanusSettings:
    sfu: str = EMBEDDED
    url: str = ""
    api_secret: str = ""

    @property
    def enabled(self) -> bool:
        return self.sfu == JANUS and bool(self.url)


@dataclass
class Member:
    """A call session in the room: its publisher (feed) and its subscriber."""

    session_id: str
    user_id: str
    channel_id: str
    feed: int
    pub_handle: int = 0
    sub_handle: int = 0
    unmuted: bool = False
    screen_on: bool = False
    video_on: bool = False
    #: the publisher connection's m-lines → what each carries (voice, screen, video)
    kinds: dict[str, str] = field(default_factory=dict)
    published: bool = False
    #: the (feed, feed's mid) the subscriber receives, and its m-lines → which of them
    subscribed: set[tuple[int, str]] = field(default_factory=set)
    sub_mids: dict[str, tuple[int, str]] = field(default_factory=dict)
    sub_joined: bool = False
    #: Janus's last offer to the subscriber is not answered yet
    awaiting_answer: bool = False
    pub_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sub_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reconcile: asyncio.Task[None] | None = None
    again: bool = False
    #: a bridged app session: the subscriber's offers are answered by the plugin, not sent to a client
    on_offer: Callable[[Member, dict[str, Any]], Awaitable[None]] | None = None
    #: bridged: receives the streams of non-bridged members only (the bridged ones meet in the embedded SFU)
    bridged: bool = False

    def flowing(self, kind: str) -> bool:
        if kind == "voice":
            return self.unmuted
        return self.screen_on if kind == "screen" else self.video_on


@dataclass
class Room:
    id: int
    channel_id: str
    admin: int
    members: dict[str, Member] = field(default_factory=dict)
    #: feed → the streams Janus announced for it (mid → audio/video)
    streams: dict[int, dict[str, str]] = field(default_factory=dict)


class JanusCalls:
    """The calls of this node that Janus carries."""

    def __init__(self, signal: JanusSignal, log: Log) -> None:
        self.signal, self.log = signal, log
        self.settings = JanusSettings()
        self.janus: Janus | None = None
        self._connecting = asyncio.Lock()
        self.rooms: dict[str, Room] = {}
        self.members: dict[str, Member] = {}
        self.feeds: dict[int, Member] = {}
        self.tasks: set[asyncio.Task[Any]] = set()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def session(self) -> Janus:
        """The plugin's Janus session, opened again when it was lost."""
        async with self._connecting:
            if self.janus is None or self.janus.closed:
                if self.janus is not None:
                    await self.janus.close()
                self.janus = None
                self.janus = await Janus(self.settings.url, self.settings.api_secret).connect()
            return self.janus

    async def room(self, channel_id: str) -> Room:
        room = self.rooms.get(channel_id)
        if room is None:
            janus = await self.session()
            admin = await janus.attach()
            room_id = secrets.randbelow(2**52) + 1
            await janus.create_room(admin, room_id)
            room = self.rooms[channel_id] = Room(room_id, channel_id, admin)
        return room

    async def join(self, session_id: str, user_id: str, channel_id: str,
                   on_offer: Callable[[Member, dict[str, Any]], Awaitable[None]] | None = None) -> Member:
        room = await self.room(channel_id)
        janus = await self.session()
        m = Member(session_id, user_id, channel_id, secrets.randbelow(2**52) + 1, on_offer=on_offer,
                   bridged=on_offer is not None)
        m.pub_handle = await janus.attach(on_event=lambda h, d, j: self._event(m, h, d, j))
        try:
            joined, _ = await janus.message(m.pub_handle, {"request": "join", "ptype": "publisher", "room": room.id,
                                                           "id": m.feed, "display": session_id})
        except BaseException:
            await janus.detach(m.pub_handle)
            raise
        room.members[session_id] = m
        self.members[session_id] = m
        self.feeds[m.feed] = m
        self._publishers(room, joined.get("publishers"))
        self._reconcile_soon(m)
        return m

    async def leave(self, session_id: str) -> None:
        m = self.members.pop(session_id, None)
        if m is None:
            return
        self.feeds.pop(m.feed, None)
        if m.reconcile is not None:
            m.reconcile.cancel()
        room = self.rooms.get(m.channel_id)
        if room is not None:
            room.members.pop(session_id, None)
            room.streams.pop(m.feed, None)
        janus = self.janus
        if janus is None or janus.closed:
            return
        try:
            for handle in (m.sub_handle, m.pub_handle):
                if handle:
                    await janus.detach(handle)
            if room is not None and not room.members and self.rooms.get(m.channel_id) is room:
                del self.rooms[m.channel_id]
                await janus.destroy_room(room.admin, room.id)
                await janus.detach(room.admin)
        except (JanusError, ConnectionError, TimeoutError) as e:
            self.log("calls: leaving the Janus room failed", session_id=session_id, error=repr(e))
        if room is not None:
            for other in room.members.values():
                self._reconcile_soon(other)

    async def close(self) -> None:
        for sid in list(self.members):
            await self.leave(sid)
        for task in list(self.tasks):
            task.cancel()
        if self.janus is not None:
            await self.janus.close()
            self.janus = None

    # Janus's events ----------------------------------------------------------------------------------

    def _publishers(self, room: Room, publishers: Any) -> bool:
        changed = False
        for p in publishers if isinstance(publishers, list) else []:
            if not isinstance(p, dict) or not isinstance(p.get("id"), int):
                continue
            streams = {str(s["mid"]): str(s.get("type", "")) for s in p.get("streams") or []
                       if isinstance(s, dict) and "mid" in s and not s.get("disabled")
                       and s.get("type") in ("audio", "video")}
            if room.streams.get(p["id"]) != streams:
                room.streams[p["id"]] = streams
                changed = True
        return changed

    def _event(self, m: Member, handle: int, data: dict[str, Any], jsep: dict[str, Any] | None) -> None:
        room = self.rooms.get(m.channel_id)
        if room is None or self.members.get(m.session_id) is not m:
            return
        if handle == m.pub_handle:
            changed = self._publishers(room, data.get("publishers"))
            for key in ("unpublished", "leaving"):
                feed = data.get(key)
                if isinstance(feed, int) and room.streams.pop(feed, None) is not None:
                    changed = True
            if changed:
                for other in room.members.values():
                    self._reconcile_soon(other)
        elif handle == m.sub_handle:
            self._sub_streams(m, data.get("streams"))
            if jsep is not None and jsep.get("type") == "offer":
                self._spawn(self._offer(m, jsep))

    def _sub_streams(self, m: Member, streams: Any) -> None:
        if not isinstance(streams, list):
            return
        mids: dict[str, tuple[int, str]] = {}
        for s in streams:
            if isinstance(s, dict) and isinstance(s.get("feed_id"), int) and "mid" in s and s.get("active", True):
                mids[str(s["mid"])] = (int(s["feed_id"]), str(s.get("feed_mid", "")))
        m.sub_mids = mids

    def media_map(self, m: Member) -> dict[str, dict[str, str]]:
        """The subscriber's m-lines → whose voice, screen or camera (calls-common's media map)."""
        out: dict[str, dict[str, str]] = {}
        for mid, (feed, feed_mid) in m.sub_mids.items():
            sender = self.feeds.get(feed)
            if sender is not None:
                out[mid] = {"type": sender.kinds.get(feed_mid, "voice"), "sender_id": sender.session_id}
        return out

    async def _offer(self, m: Member, jsep: dict[str, Any]) -> None:
        """Janus offers the subscriber connection: to the client (with the media map), or answered by the
        bridge."""
        m.awaiting_answer = True
        if m.on_offer is not None:
            try:
                await m.on_offer(m, jsep)
            except Exception as e:
                m.awaiting_answer = False
                self.log("calls: the bridge could not answer Janus", session_id=m.session_id, error=repr(e))
            return
        self.signal(m.session_id, {"pc": "subscriber", "type": "offer", "sdp": str(jsep.get("sdp", "")),
                                   "media": self.media_map(m)})

    # subscriptions -------------------------------------------------------------------------------------

    def _wanted(self, room: Room, m: Member) -> set[tuple[int, str]]:
        out: set[tuple[int, str]] = set()
        for feed, streams in room.streams.items():
            sender = self.feeds.get(feed)
            if sender is None or sender is m or (m.bridged and sender.bridged):
                continue
            out |= {(feed, mid) for mid in streams}
        return out

    def _reconcile_soon(self, m: Member) -> None:
        if m.reconcile is not None and not m.reconcile.done():
            m.again = True
            return
        m.reconcile = self._spawn(self._reconcile(m))

    async def _reconcile(self, m: Member) -> None:
        """Subscribe ``m`` to the room's streams it does not receive yet (one negotiation at a time: the
        next waits for the answer to the last)."""
        while True:
            m.again = False
            try:
                await self._subscribe(m)
            except (JanusError, ConnectionError, TimeoutError) as e:
                self.log("calls: subscribing in the Janus room failed", session_id=m.session_id, error=repr(e))
            if not m.again:
                return

    async def _subscribe(self, m: Member) -> None:
        async with m.sub_lock:
            room = self.rooms.get(m.channel_id)
            if room is None or self.members.get(m.session_id) is not m or m.awaiting_answer:
                return
            wanted = self._wanted(room, m)
            m.subscribed = {s for s in m.subscribed if s[0] in room.streams}  # Janus drops a gone feed itself
            new = sorted(wanted - m.subscribed)
            if not new:
                return
            janus = await self.session()
            if not m.sub_handle:
                m.sub_handle = await janus.attach(on_event=lambda h, d, j: self._event(m, h, d, j))
            streams = [{"feed": feed, "mid": mid} for feed, mid in new]
            deadline = asyncio.get_running_loop().time() + FEED_WAIT
            while True:
                try:
                    if not m.sub_joined:
                        data, jsep = await janus.message(m.sub_handle, {
                            "request": "join", "ptype": "subscriber", "room": room.id, "streams": streams})
                    else:
                        data, jsep = await janus.message(m.sub_handle, {"request": "update", "subscribe": streams})
                    break
                except JanusError as e:
                    # 428: no such feed (yet: its publisher's connection is still coming up)
                    if e.code != 428 or asyncio.get_running_loop().time() > deadline:
                        raise
                    await asyncio.sleep(0.2)
            m.sub_joined = True
            m.subscribed.update(new)
            self._sub_streams(m, data.get("streams"))
            if jsep is not None and jsep.get("type") == "offer":
                await self._offer(m, jsep)

    async def answered(self, m: Member, sdp: str) -> None:
        """The subscriber's answer to Janus's offer: ``start``; then any stream that came meanwhile."""
        janus = await self.session()
        try:
            await janus.message(m.sub_handle, {"request": "start"}, {"type": "answer", "sdp": sdp})
        finally:
            m.awaiting_answer = False
        self._reconcile_soon(m)

    # publishing ----------------------------------------------------------------------------------------

    async def publish(self, m: Member, sdp: str, kinds: dict[str, str]) -> str:
        """The publisher's offer (first or again, with a stream added): Janus's answer."""
        async with m.pub_lock:
            m.kinds.update({str(k): v for k, v in kinds.items() if v in KINDS})
            janus = await self.session()
            body = {"request": "configure" if m.published else "publish",
                    "descriptions": [{"mid": mid, "description": kind} for mid, kind in m.kinds.items()]}
            _, jsep = await janus.message(m.pub_handle, body, {"type": "offer", "sdp": sdp})
            m.published = True
            await self._gate(m, janus)
        return str((jsep or {}).get("sdp", ""))

    async def _gate(self, m: Member, janus: Janus) -> None:
        if m.published and m.kinds:
            await janus.message(m.pub_handle, {"request": "configure", "streams": [
                {"mid": mid, "send": m.flowing(kind)} for mid, kind in m.kinds.items()]})

    def set_flags(self, session_id: str, **flags: bool) -> None:
        """Mute, screen, camera: Janus relays the stream or stops relaying it."""
        m = self.members.get(session_id)
        if m is None:
            return
        for k, v in flags.items():
            setattr(m, k, v)

        async def gate() -> None:
            async with m.pub_lock:
                try:
                    await self._gate(m, await self.session())
                except (JanusError, ConnectionError, TimeoutError) as e:
                    self.log("calls: configuring the Janus publisher failed", session_id=session_id, error=repr(e))

        self._spawn(gate())

    async def trickle(self, m: Member, pc: str, candidate: dict[str, Any] | None) -> None:
        handle = m.pub_handle if pc == "publisher" else m.sub_handle
        if handle:
            await (await self.session()).trickle(handle, candidate)

    # the client's messages -------------------------------------------------------------------------------

    async def message(self, session_id: str, action: str, data: dict[str, Any]) -> None:
        """``janus_sdp`` (``{pc, type, sdp, kinds?}``, deflated) and ``janus_ice`` (``{pc, candidate}``), as
        JSON in ``data``."""
        m = self.members.get(session_id)
        if m is None or m.on_offer is not None:
            return
        raw = data.get("data", "")
        try:
            # a description comes zlib-deflated in a msgpack binary frame, as ``sdp`` (a WebSocket frame
            # over 8 KiB closes the connection); a candidate as JSON text
            body = json.loads(zlib.decompress(bytes(raw)) if isinstance(raw, (bytes, bytearray)) else str(raw))
        except (ValueError, zlib.error):
            return
        if not isinstance(body, dict):
            return
        pc = str(body.get("pc", ""))
        if action == "janus_sdp" and pc == "publisher" and body.get("type") == "offer":
            kinds = body.get("kinds")
            answer = await self.publish(m, str(body.get("sdp", "")), kinds if isinstance(kinds, dict) else {})
            self.signal(session_id, {"pc": "publisher", "type": "answer", "sdp": answer})
        elif action == "janus_sdp" and pc == "subscriber" and body.get("type") == "answer":
            await self.answered(m, str(body.get("sdp", "")))
        elif action == "janus_ice" and pc in ("publisher", "subscriber"):
            candidate = body.get("candidate")
            await self.trickle(m, pc, candidate if isinstance(candidate, dict) and candidate.get("candidate") else None)

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
from .simulcast import choose_layer, parse_tiles

EMBEDDED, JANUS = "embedded", "janus"
KINDS = ("voice", "screen", "video")
#: how long a subscription waits for a feed Janus does not have yet (its publisher's connection coming up)
FEED_WAIT = 10.0
#: a lost Janus session: the first wait before connecting again, doubled at each failure up to the last
RECONNECT_FIRST, RECONNECT_MAX = 0.5, 10.0
#: how long a request waits for the rooms to be back on a new session before it fails
RECOVERY_WAIT = 30.0
#: a simulcast camera's substreams as VideoRoom numbers them (lowest first) and their nominal sizes: the web
#: UI's encodings (CAMERA_SIMULCAST: a quarter, half and all of a 960x540 capture)
SUBSTREAMS: dict[str, tuple[int, int] | None] = {"0": (240, 135), "1": (480, 270), "2": (960, 540)}


def substream_for(tile: tuple[int, int] | None, tiles: int) -> int:
    """The substream of a simulcast camera a subscriber gets: the lowest at least as large as the tile it
    shows the camera at, else by how many camera tiles it shows (the embedded SFU's choice, simulcast.py)."""
    return int(choose_layer("video", list(SUBSTREAMS), SUBSTREAMS, tile, tiles) or "2")

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
    #: bridged: the room is on a new Janus session (Janus restarted): the bridge connects again
    on_reset: Callable[[Member], Awaitable[None]] | None = None
    #: ``video_tiles``: the size it shows each sender's camera at (by session id), and the substream each
    #: of its subscriber's camera m-lines was configured with
    tiles: dict[str, tuple[int, int]] = field(default_factory=dict)
    substreams: dict[str, int] = field(default_factory=dict)
    #: how many times the room was made again under it (``reset``): a client's messages name the epoch
    #: they belong to, and those of its connections before the last reset are dropped
    epoch: int = 0

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
    #: the Janus session the room exists on (a lost session's rooms are made again on the next)
    janus: Janus | None = None


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
        #: clear while the rooms are being made again on a new session (requests wait for it)
        self._ready = asyncio.Event()
        self._ready.set()
        self._recovering = False
        #: how many times the rooms were made again on a new session (Janus restarted)
        self.recoveries = 0
        #: called with a call's channel when its room has participants on Janus itself again (or for the
        #: first time), and when it has none any more: the bridge publishes the apps' streams only while
        #: somebody on Janus receives them
        self.on_direct: Callable[[str, bool], None] | None = None

    def has_direct(self, channel_id: str) -> bool:
        """The room has a participant on Janus itself (who subscribes to the apps' streams)."""
        room = self.rooms.get(channel_id)
        return room is not None and any(not m.bridged for m in room.members.values())

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def session(self) -> Janus:
        """The plugin's Janus session, opened again when it was lost; while the rooms are being made again
        on a new one (``_recover``), after that."""
        if not self._ready.is_set():
            try:
                await asyncio.wait_for(self._ready.wait(), RECOVERY_WAIT)
            except TimeoutError:
                raise ConnectionError("janus: the calls' rooms are not back yet") from None
        return await self._session()

    async def _session(self) -> Janus:
        async with self._connecting:
            if self.janus is None or self.janus.closed:
                if self.janus is not None:
                    await self.janus.close()
                self.janus = None
                janus = self.janus = await Janus(self.settings.url, self.settings.api_secret).connect()
                self._spawn(self._watch(janus))
                if any(r.janus is not janus for r in self.rooms.values()):
                    self._spawn(self._recover())
            return self.janus

    async def _watch(self, janus: Janus) -> None:
        """A lost session (Janus restarted, the network broke, a keepalive failed): the calls' rooms are made
        again on a new one."""
        await janus.lost.wait()
        if self.rooms:
            self.log("calls: the Janus session was lost; connecting again", url=self.settings.url,
                     rooms=len(self.rooms))
            await self._recover()

    async def _recover(self) -> None:
        """Connect again (waiting longer after each failure), make every room again (same room and feed
        ids), join every member's publisher again and tell each to publish and subscribe again: a client
        on Janus itself with ``janus_signal`` ``{"type": "reset"}`` (it makes both its connections again),
        a bridged app through its bridge (``on_reset``). The subscriptions follow as the publishers come."""
        if self._recovering:
            return
        self._recovering = True
        self._ready.clear()
        delay = RECONNECT_FIRST
        try:
            while self.rooms:
                try:
                    janus = await self._session()
                    reset: list[Member] = []
                    for room in list(self.rooms.values()):
                        if room.janus is not janus and self.rooms.get(room.channel_id) is room:
                            reset += await self._remake(room, janus)
                    if not janus.closed and all(r.janus is janus for r in self.rooms.values()):
                        self.recoveries += 1
                        self.log("calls: the calls are back on Janus", rooms=len(self.rooms), members=len(reset))
                        self._ready.set()
                        for m in reset:
                            self._reset(m)
                        return
                except Exception as e:  # refused, a handshake failure, Janus's error, a timeout: try again
                    self.log("calls: Janus cannot be reached again yet", url=self.settings.url, error=repr(e),
                             retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX)
        finally:
            self._recovering = False
            self._ready.set()

    async def _remake(self, room: Room, janus: Janus) -> list[Member]:
        """The room on a new session, and its members' publishers in it (nothing published yet)."""
        room.admin = await janus.attach()
        try:
            await janus.create_room(room.admin, room.id)
        except JanusError as e:
            if e.code != 427:  # 427: it still exists (the old session's WebSocket broke, Janus did not restart)
                raise
            await janus.destroy_room(room.admin, room.id)
            await janus.create_room(room.admin, room.id)
        room.streams.clear()
        members = list(room.members.values())
        for m in members:
            if m.reconcile is not None:
                m.reconcile.cancel()
                m.reconcile = None
            m.pub_handle = m.sub_handle = 0
            m.published = m.sub_joined = m.awaiting_answer = False
            m.kinds, m.subscribed, m.sub_mids, m.substreams = {}, set(), {}, {}
            m.epoch += 1
        for m in members:
            if self.members.get(m.session_id) is m:
                m.pub_handle = await janus.attach(on_event=self._handler(m))
                await janus.message(m.pub_handle, {"request": "join", "ptype": "publisher", "room": room.id,
                                                   "id": m.feed, "display": m.session_id})
        room.janus = janus
        return members

    def _reset(self, m: Member) -> None:
        if self.members.get(m.session_id) is not m:
            return
        if m.on_reset is not None:
            on_reset = m.on_reset

            async def bridged() -> None:
                try:
                    await on_reset(m)
                except Exception as e:
                    self.log("calls: the bridge could not join Janus again", session_id=m.session_id, error=repr(e))

            self._spawn(bridged())
        else:
            self.signal(m.session_id, {"type": "reset", "epoch": m.epoch})

    async def room(self, channel_id: str) -> Room:
        room = self.rooms.get(channel_id)
        if room is None:
            janus = await self.session()
            admin = await janus.attach()
            room_id = secrets.randbelow(2**52) + 1
            await janus.create_room(admin, room_id)
            room = self.rooms[channel_id] = Room(room_id, channel_id, admin, janus=janus)
        return room

    async def join(self, session_id: str, user_id: str, channel_id: str,
                   on_offer: Callable[[Member, dict[str, Any]], Awaitable[None]] | None = None,
                   on_reset: Callable[[Member], Awaitable[None]] | None = None) -> Member:
        room = await self.room(channel_id)
        janus = await self.session()
        m = Member(session_id, user_id, channel_id, secrets.randbelow(2**52) + 1, on_offer=on_offer,
                   bridged=on_offer is not None, on_reset=on_reset)
        m.pub_handle = await janus.attach(on_event=self._handler(m))
        try:
            joined, _ = await janus.message(m.pub_handle, {"request": "join", "ptype": "publisher", "room": room.id,
                                                           "id": m.feed, "display": session_id})
        except BaseException:
            await janus.detach(m.pub_handle)
            raise
        first = not m.bridged and not self.has_direct(channel_id)
        room.members[session_id] = m
        self.members[session_id] = m
        self.feeds[m.feed] = m
        self._publishers(room, joined.get("publishers"))
        self._reconcile_soon(m)
        if first and self.on_direct is not None:
            self.on_direct(channel_id, True)
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
        if janus is None or janus.closed or room is None or room.janus is not janus:
            # the session is lost: nothing to detach (a room left empty is not made again)
            if room is not None and not room.members and self.rooms.get(m.channel_id) is room:
                del self.rooms[m.channel_id]
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
            if not m.bridged and room.members and not self.has_direct(m.channel_id) and self.on_direct is not None:
                self.on_direct(m.channel_id, False)

    async def unpublish(self, m: Member) -> None:
        """The member's streams out of the room (VideoRoom ``unpublish``): its publisher handle stays, and
        publishes again with a new offer."""
        async with m.pub_lock:
            if not m.published:
                return
            m.published, m.kinds = False, {}
            await (await self.session()).message(m.pub_handle, {"request": "unpublish"})

    async def close(self) -> None:
        for sid in list(self.members):
            await self.leave(sid)
        for task in list(self.tasks):
            task.cancel()
        if self.janus is not None:
            await self.janus.close()
            self.janus = None

    # Janus's events ----------------------------------------------------------------------------------

    def _handler(self, m: Member) -> Callable[[int, dict[str, Any], dict[str, Any] | None], None]:
        return lambda h, d, j: self._event(m, h, d, j)

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
                m.sub_handle = await janus.attach(on_event=self._handler(m))
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

    async def restart_subscriber(self, m: Member, epoch: int | None = None) -> None:
        """An ICE restart on the subscriber connection (the client's network changed): VideoRoom's
        ``configure`` with ``restart`` makes Janus offer again with new ICE credentials, answered as any of
        its offers. (The publisher's restart is the client's offer with new credentials, ``publish``.)"""
        async with m.sub_lock:
            janus = await self.session()
            if not m.sub_joined or m.awaiting_answer or (epoch is not None and epoch != m.epoch):
                return  # nothing to restart yet, an offer is out (its answer comes with the new candidates), stale
            data, jsep = await janus.message(m.sub_handle, {"request": "configure", "restart": True})
            self._sub_streams(m, data.get("streams"))
            if jsep is not None and jsep.get("type") == "offer":
                await self._offer(m, jsep)

    async def answered(self, m: Member, sdp: str, epoch: int | None = None) -> None:
        """The subscriber's answer to Janus's offer: ``start``; then any stream that came meanwhile, and the
        cameras' substreams."""
        janus = await self.session()
        if epoch is not None and epoch != m.epoch:
            return  # an answer to the old Janus's offer
        try:
            await janus.message(m.sub_handle, {"request": "start"}, {"type": "answer", "sdp": sdp})
        finally:
            m.awaiting_answer = False
        self._reconcile_soon(m)
        if not m.bridged:
            self._spawn(self._substreams(m))

    # simulcast ------------------------------------------------------------------------------------------

    def set_tiles(self, session_id: str, tiles: dict[str, Any]) -> None:
        """``video_tiles`` from a client on Janus: each camera it receives at the substream that fits."""
        m = self.members.get(session_id)
        if m is not None and not m.bridged:
            m.tiles = parse_tiles(tiles)
            self._spawn(self._substreams(m))

    def substreams(self, m: Member) -> dict[str, int]:
        """The subscriber's camera m-lines → the substream each should carry (VideoRoom ignores it for a
        camera sent without simulcast)."""
        cameras = {mid: self.feeds[feed] for mid, (feed, feed_mid) in m.sub_mids.items()
                   if feed in self.feeds and self.feeds[feed].kinds.get(feed_mid) == "video"}
        shown = len({sender.session_id for sender in cameras.values() if sender.video_on})
        return {mid: substream_for(m.tiles.get(sender.session_id), shown) for mid, sender in cameras.items()}

    async def _substreams(self, m: Member) -> None:
        """VideoRoom's subscriber ``configure`` with each changed camera m-line's ``substream``."""
        async with m.sub_lock:
            if self.members.get(m.session_id) is not m or not m.sub_joined:
                return
            want = self.substreams(m)
            changed = [{"mid": mid, "substream": sub} for mid, sub in sorted(want.items())
                       if m.substreams.get(mid) != sub]
            if not changed:
                return
            try:
                await (await self.session()).message(m.sub_handle, {"request": "configure", "streams": changed})
            except (JanusError, ConnectionError, TimeoutError) as e:
                self.log("calls: choosing the cameras' substreams on Janus failed", session_id=m.session_id,
                         error=repr(e))
                return
            m.substreams = {mid: sub for mid, sub in want.items()}

    # publishing ----------------------------------------------------------------------------------------

    async def publish(self, m: Member, sdp: str, kinds: dict[str, str], epoch: int | None = None) -> str:
        """The publisher's offer (first or again, with a stream added): Janus's answer. Empty when the offer
        is from before a reset that happened meanwhile (``epoch``): it is dropped."""
        async with m.pub_lock:
            janus = await self.session()
            if epoch is not None and epoch != m.epoch:
                return ""
            m.kinds.update({str(k): v for k, v in kinds.items() if v in KINDS})
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
        room = self.rooms.get(m.channel_id)
        if "video_on" in flags and room is not None:  # how many cameras the others show: their substreams
            for other in room.members.values():
                if other is not m and not other.bridged:
                    self._spawn(self._substreams(other))

        async def gate() -> None:
            async with m.pub_lock:
                try:
                    await self._gate(m, await self.session())
                except (JanusError, ConnectionError, TimeoutError) as e:
                    self.log("calls: configuring the Janus publisher failed", session_id=session_id, error=repr(e))

        self._spawn(gate())

    async def trickle(self, m: Member, pc: str, candidate: dict[str, Any] | None, epoch: int | None = None) -> None:
        janus = await self.session()
        handle = m.pub_handle if pc == "publisher" else m.sub_handle
        if handle and (epoch is None or epoch == m.epoch):
            await janus.trickle(handle, candidate)

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
        epoch = body.get("epoch", 0)
        if not isinstance(epoch, int) or epoch != m.epoch:
            return  # from a connection made before Janus restarted (or for one made after: not ours)
        pc = str(body.get("pc", ""))
        if action == "janus_sdp" and pc == "publisher" and body.get("type") == "offer":
            kinds = body.get("kinds")
            answer = await self.publish(m, str(body.get("sdp", "")), kinds if isinstance(kinds, dict) else {}, epoch)
            if answer:
                self.signal(session_id, {"pc": "publisher", "type": "answer", "sdp": answer})
        elif action == "janus_sdp" and pc == "subscriber" and body.get("type") == "answer":
            await self.answered(m, str(body.get("sdp", "")), epoch)
        elif action == "janus_sdp" and pc == "subscriber" and body.get("type") == "restart":
            await self.restart_subscriber(m, epoch)
        elif action == "janus_ice" and pc in ("publisher", "subscriber"):
            candidate = body.get("candidate")
            await self.trickle(m, pc, candidate if isinstance(candidate, dict) and candidate.get("candidate") else None,
                               epoch)

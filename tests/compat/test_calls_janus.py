"""The calls plugin's Janus client (``calls/server/janus.py``) against a real Janus gateway started from
Debian's package: a VideoRoom room per call, each participant publishing its microphone on a publisher
handle and receiving the others on one multistream subscriber handle; aiortc peers stand in for the
participants (a tone each). Everyone receives the others' audio (inbound packets grow); a muted sender's
packets stop reaching the others (the room stops relaying its stream: ``configure`` with ``send: false``).

Why a participant here has two peer connections (and the apps, with their one, cannot be put on Janus this
way) is in docs/calls.md ("Janus")."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole
from aiortc.mediastreams import MediaStreamTrack

from chinwag.plugin.bundled.calls.server.janus import Janus, JanusError
from tests.compat.janus_server import API_SECRET, JanusServer, janus_available
from tests.compat.test_calls import Tone

pytestmark = [pytest.mark.compat,
              pytest.mark.skipif(not janus_available(), reason="Debian's janus package is not installed "
                                 "(scripts/test_system_deps.sh installs it)")]

WAIT = 30.0


class Member:
    """One participant: a publisher connection (its tone) and a subscriber connection (the others)."""

    microphone: type[MediaStreamTrack] = Tone

    def __init__(self, janus: Janus, room: int, name: str) -> None:
        self.janus, self.room, self.name = janus, room, name
        self.feed = 0
        self.pub_handle = self.sub_handle = 0
        self.pub = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.sub = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.sink = MediaBlackhole()
        self.subscribed: set[int] = set()
        self.offers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        #: what Janus told this participant's handles on its own (a new publisher in the room, …)
        self.events: list[dict[str, Any]] = []

        @self.sub.on("track")
        def on_track(track: Any) -> None:
            self.sink.addTrack(track)

    def _event(self, handle: int, data: dict[str, Any], jsep: dict[str, Any] | None) -> None:
        self.events.append(data)
        if jsep is not None and jsep.get("type") == "offer":
            self.offers.put_nowait(jsep)

    async def publish(self) -> None:
        self.pub_handle = await self.janus.attach(on_event=self._event)
        joined, _ = await self.janus.message(self.pub_handle, {"request": "join", "ptype": "publisher",
                                                               "room": self.room, "display": self.name})
        assert joined["videoroom"] == "joined"
        self.feed = int(joined["id"])
        self.pub.addTrack(self.microphone())
        await self.pub.setLocalDescription(await self.pub.createOffer())
        d = self.pub.localDescription
        data, jsep = await self.janus.message(self.pub_handle, {"request": "publish", "audio": True},
                                              {"type": d.type, "sdp": d.sdp})
        assert data.get("configured") == "ok" and jsep is not None
        await self.pub.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
        await self.sink.start()
        for _ in range(int(WAIT * 20)):
            if self.pub.connectionState == "connected":
                break
            await asyncio.sleep(0.05)
        assert self.pub.connectionState == "connected"

    async def _answer(self, offer: dict[str, Any]) -> None:
        await self.sub.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
        await self.sub.setLocalDescription(await self.sub.createAnswer())
        d = self.sub.localDescription
        await self.janus.message(self.sub_handle, {"request": "start"}, {"type": d.type, "sdp": d.sdp})

    async def subscribe(self, feeds: list[int]) -> None:
        """Receive these publishers too: the first time a subscriber handle joins, later ``update``; Janus
        offers the subscriber connection again either way."""
        new = [f for f in feeds if f not in self.subscribed and f != self.feed]
        if not new:
            return
        streams = [{"feed": f} for f in new]
        if not self.sub_handle:
            self.sub_handle = await self.janus.attach(on_event=self._event)
        for _ in range(int(WAIT * 10)):
            try:  # a feed is there once Janus's side of its publisher connection is up ("webrtcup")
                if not self.subscribed:
                    _, jsep = await self.janus.message(self.sub_handle, {
                        "request": "join", "ptype": "subscriber", "room": self.room, "streams": streams})
                else:
                    _, jsep = await self.janus.message(self.sub_handle, {"request": "update", "subscribe": streams})
                break
            except JanusError as e:
                if e.code != 428:  # no such feed (yet)
                    raise
                await asyncio.sleep(0.1)
        self.subscribed.update(new)
        offer = jsep if jsep is not None else await asyncio.wait_for(self.offers.get(), WAIT)
        await self._answer(offer)

    async def mute(self, muted: bool) -> None:
        """The room stops (or goes on) relaying this publisher's audio."""
        mid = self.pub.getTransceivers()[0].mid
        await self.janus.message(self.pub_handle, {"request": "configure",
                                                   "streams": [{"mid": mid, "send": not muted}]})

    async def packets(self) -> dict[str, int]:
        stats = await self.sub.getStats()
        return {s.id: s.packetsReceived for s in stats.values() if s.type == "inbound-rtp" and s.kind == "audio"}

    async def close(self) -> None:
        await self.sink.stop()
        await self.pub.close()
        await self.sub.close()


async def growing(m: Member, expected: int, seconds: float = 1.5) -> None:
    """Wait until exactly ``expected`` of ``m``'s inbound audio streams gain packets over ``seconds``."""
    last = -1
    for _ in range(int(WAIT / seconds)):
        before = await m.packets()
        await asyncio.sleep(seconds)
        after = await m.packets()
        last = sum(1 for i, n in after.items() if n > before.get(i, 0))
        if last == expected:
            return
    raise AssertionError(f"{m.name}: {expected} growing inbound streams expected, saw {last}")


@pytest.fixture(scope="module")
def janus_server() -> Any:
    server = JanusServer().start()
    yield server
    server.stop()


async def test_janus_videoroom_forwards_audio_and_mute(janus_server: JanusServer) -> None:
    # the API secret is enforced
    with pytest.raises(JanusError) as refused:
        await Janus(janus_server.url, api_secret="wrong").connect()
    assert refused.value.code == 403

    janus = await Janus(janus_server.url, api_secret=API_SECRET).connect()
    members: list[Member] = []
    admin = 0
    room = secrets.randbelow(2**31) + 1
    try:
        admin = await janus.attach()
        await janus.create_room(admin, room)
        for name in ("one", "two", "three"):
            m = Member(janus, room, name)
            members.append(m)
            await m.publish()
            if name == "two":  # two hear each other (a subscriber handle each joins) ...
                for p in members:
                    await p.subscribe([q.feed for q in members])
                await growing(members[0], 1)
        feeds = [m.feed for m in members]
        for _ in range(int(WAIT * 20)):  # the room tells the publishers about the third's stream
            if any(p.get("id") == feeds[2] for e in members[0].events for p in e.get("publishers") or []):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"no publishers event for the third: {members[0].events}")
        for m in members:  # ... a third: the two update their subscription, Janus offers again
            await m.subscribe(feeds)
        for m in members:
            await growing(m, 2)
        # Janus forwards without decoding: what arrives is the publishers' own Opus, one stream each
        listed, _ = await janus.message(admin, {"request": "listparticipants", "room": room})
        assert {p["id"] for p in listed["participants"] if p.get("publisher")} == set(feeds)

        # one mutes: the two others each receive one stream; the muted one still hears both
        await members[1].mute(True)
        await growing(members[0], 1)
        await growing(members[2], 1)
        await growing(members[1], 2)
        await members[1].mute(False)
        await growing(members[0], 2)
    finally:
        for m in members:
            await m.close()
        if admin:
            await janus.destroy_room(admin, room)
        await janus.close()

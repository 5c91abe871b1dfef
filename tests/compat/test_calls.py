"""Calls as the official apps drive them (mattermost-mobile app/products/calls, calls-common RTCPeer): the
REST bootstrap under /plugins/com.mattermost.calls/, then per participant a second WebSocket that sends
``custom_com.mattermost.calls_join``, waits for ``…_join``, offers over ``…_sdp`` (a zlib-deflated JSON
description in a msgpack binary frame, with the "calls-dc" data channel) and answers the server's offers
from ``…_signal`` events. aiortc peers stand in for the apps, each sending a generated tone; against a
real ``chinwag serve`` with the calls plugin enabled."""

from __future__ import annotations

import array
import asyncio
import base64
import fractions
import hashlib
import hmac
import json
import math
import re
import zlib
from collections.abc import Callable
from typing import Any

import av
import httpx
import msgspec
import pytest
import websockets
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole
from aiortc.mediastreams import AudioStreamTrack, MediaStreamTrack, VideoStreamTrack

from tests.compat.conftest import LiveServer
from tests.waiting import until

pytestmark = pytest.mark.compat

PLUGIN = "com.mattermost.calls"
PREFIX = f"custom_{PLUGIN}_"
WAIT = 30.0
PORTS = (42000, 42999)  # the SFU's UDP port range in this test
DC_PING, DC_PONG, DC_LOCK, DC_UNLOCK, DC_MEDIA_MAP = 1, 2, 7, 8, 9  # calls-common's data channel message types


class Tone(AudioStreamTrack):
    """A 440 Hz tone, 20 ms frames at 48 kHz (the media helper's pacing, with sound in it)."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    async def recv(self) -> av.AudioFrame:
        silence = await super().recv()  # paces the frames and gives their timestamps
        samples = silence.samples
        data = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * (self.n + i) / 48000))
                                 for i in range(samples)))
        self.n += samples
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(data.tobytes())
        frame.sample_rate, frame.pts, frame.time_base = 48000, silence.pts, fractions.Fraction(1, 48000)
        return frame


class Screen(VideoStreamTrack):
    """A small grey screen (160×120 at the media helper's pace)."""

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(width=160, height=120, format="yuv420p")
        for plane in frame.planes:
            plane.update(bytes([128]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        return frame


class Participant:
    """One app: its calls WebSocket and its peer connection."""

    #: the WebSocket client's receive buffer before it stops reading (None: never stops)
    max_queue: int | None = None
    #: the microphone added on the first unmute (None: this module's ``Tone``)
    microphone: Callable[[], MediaStreamTrack] | None = None

    def __init__(self, server: LiveServer, token: str, user_id: str) -> None:
        self.server, self.token, self.user_id = server, token, user_id
        self.events: list[dict[str, Any]] = []
        self.conn_id = ""
        self.session_id = ""  # the connection id at join: the call session's id for good
        self.seq = 1
        # max-bundle: the apps' WebRTC stacks bundle; aiortc's balanced policy loses the second of two
        # audio tracks added in one renegotiation
        self.pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.sink = MediaBlackhole()
        self.reader: asyncio.Task[None] | None = None
        self.ws: Any = None
        self.dc: Any = None
        self.dc_negotiated = False
        self.lock_answers: asyncio.Queue[bool] = asyncio.Queue()
        self.pongs = 0
        self.media_map: dict[str, dict[str, str]] = {}

    async def connect(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        url = self.server.url.replace("http", "ws", 1) + "/api/v4/websocket?connection_id=&sequence_number=0"
        # no backpressure (max_queue): an app reads its socket whatever it is busy with (a browser answers
        # pings in its network stack), so pongs are never left unread behind signalling being handled
        self.ws = await websockets.connect(url, additional_headers={"Authorization": f"Bearer {self.token}"},
                                           max_queue=self.max_queue)
        hello = json.loads(await self.ws.recv())
        assert hello["event"] == "hello"
        self.conn_id = hello["data"]["connection_id"]
        self.reader = asyncio.create_task(self._read())

    async def send(self, action: str, data: dict[str, Any] | None = None, binary: bool = False) -> None:
        msg = {"action": PREFIX + action, "seq": self.seq, "data": data}
        self.seq += 1
        await self.ws.send(msgspec.msgpack.encode(msg) if binary else json.dumps(msg))

    async def _read(self) -> None:
        async for text in self.ws:
            msg = json.loads(text)
            if "event" not in msg:
                continue
            self.events.append(msg)
            if msg["event"] == PREFIX + "signal" and msg["data"].get("connID") in (self.conn_id, self.session_id):
                await self._signal(json.loads(msg["data"]["data"]))

    async def _signal(self, desc: dict[str, Any]) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(desc["sdp"], desc["type"]))
        if desc["type"] == "offer":
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            await self._send_sdp()
        elif not self.dc_negotiated:
            self.dc_negotiated = True
        else:  # the answer to our own renegotiation: give the signalling lock back
            self.dc.send(bytes([DC_UNLOCK]))

    async def _send_sdp(self) -> None:
        d = self.pc.localDescription
        await self.send("sdp", {"data": zlib.compress(json.dumps({"type": d.type, "sdp": d.sdp}).encode())},
                        binary=True)

    async def event(self, name: str, **match: Any) -> dict[str, Any]:
        """The first event ``custom_com.mattermost.calls_<name>`` whose data has ``match``."""
        for _ in range(int(WAIT * 20)):
            for e in self.events:
                if e["event"] == PREFIX + name and all(e["data"].get(k) == v for k, v in match.items()):
                    return e
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {name} {match} in {[e['event'] for e in self.events]}")

    async def join(self, channel_id: str) -> None:
        """The app's join: join message, the server's join event, then the peer with only its data channel
        offered to the server, connected before the app's timeout; then its microphone on unmute."""
        await self.send("join", {"channelID": channel_id, "title": "standup"})
        await self.event("join", connID=self.conn_id)
        self.session_id = self.conn_id

        @self.pc.on("track")
        def on_track(track: Any) -> None:
            self.sink.addTrack(track)

        self.dc = self.pc.createDataChannel("calls-dc")

        @self.dc.on("message")
        def on_dc(data: bytes) -> None:
            if data[0] == DC_LOCK:
                self.lock_answers.put_nowait(msgspec.msgpack.decode(data[1:]))
            elif data[0] == DC_PONG:
                self.pongs += 1
            elif data[0] == DC_MEDIA_MAP:
                self.media_map.update(msgspec.msgpack.decode(data[1:]))

        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_sdp()
        await self.sink.start()
        for _ in range(int(WAIT * 20)):
            if self.pc.connectionState == "connected" and self.dc.readyState == "open":
                break
            await asyncio.sleep(0.05)
        assert self.pc.connectionState == "connected" and self.dc.readyState == "open"
        self.dc.send(bytes([DC_PING]))
        await self.unmute()

    async def _lock(self) -> None:
        while True:
            self.dc.send(bytes([DC_LOCK]))
            if await asyncio.wait_for(self.lock_answers.get(), WAIT):
                return
            await asyncio.sleep(0.05)

    async def unmute(self) -> None:
        """RTCPeer.addTrack: take the signalling lock over the data channel, add the microphone, offer;
        the answer gives the lock back. Then tell the server."""
        await self._lock()
        self.pc.addTrack(self.microphone() if self.microphone is not None else Tone())
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_sdp()
        await self.send("unmute")

    async def share_screen(self) -> None:
        """The app's screen share: ``screen_on``, then (under the lock) a send-only video transceiver."""
        await self.send("screen_on", {"data": json.dumps({"screenStreamID": "screen"})})
        await self._lock()
        self.pc.addTransceiver(Screen(), direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_sdp()

    async def reconnect(self, channel_id: str) -> None:
        """The app's WebSocket dropped and came back with a new connection: ``reconnect``."""
        await self.ws.close()
        await asyncio.sleep(0.5)
        await self.connect()
        await self.send("reconnect", {"channelID": channel_id, "originalConnID": self.session_id,
                                      "prevConnID": self.session_id})

    async def packets(self, kind: str = "audio") -> dict[str, int]:
        """packetsReceived of each inbound stream of that kind."""
        stats = await self.pc.getStats()
        return {s.id: s.packetsReceived for s in stats.values() if s.type == "inbound-rtp" and s.kind == kind}

    async def close(self) -> None:
        await self.sink.stop()
        await self.pc.close()
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


async def growing(p: Participant, expected: int, seconds: float = 1.5, kind: str = "audio") -> None:
    """Wait until exactly ``expected`` of ``p``'s inbound streams of ``kind`` gain packets over ``seconds``."""
    last = -1
    for _ in range(int(WAIT / seconds)):
        before = await p.packets(kind)
        await asyncio.sleep(seconds)
        after = await p.packets(kind)
        last = sum(1 for i, n in after.items() if n > before.get(i, 0))
        if last == expected:
            return
    raise AssertionError(f"{expected} growing inbound streams expected, saw {last}: {await p.packets()}")


def _setup(server: LiveServer) -> tuple[httpx.Client, str, list[tuple[str, str, str]], tuple[str, str]]:
    admin = httpx.Client(base_url=server.api, timeout=15)
    token = admin.post("/users/login", json={"login_id": server.admin_username,
                                             "password": server.admin_password}).headers["Token"]
    admin.headers["Authorization"] = f"Bearer {token}"
    team = admin.post("/teams", json={"name": server.unique("calls"), "display_name": "Calls", "type": "O"}).json()
    channel = admin.post("/channels", json={"team_id": team["id"], "name": server.unique("huddle"),
                                            "display_name": "Huddle", "type": "O"}).json()
    users = []
    for i in range(4):
        name = server.unique(f"caller{i}")
        u = admin.post("/users", json={"username": name, "email": f"{name}@example.com", "password": "calls-pass"}).json()
        admin.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": u["id"]})
        if i < 3:
            admin.post(f"/channels/{channel['id']}/members", json={"user_id": u["id"]})
        t = httpx.post(server.api + "/users/login", json={"login_id": name, "password": "calls-pass"}).headers["Token"]
        users.append((u["id"], name, t))
    outsider = users.pop()
    # the plugin's settings (the SFU on loopback), then the plugin on
    r = admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
        "udpserveraddress": "127.0.0.1", "udpportmin": PORTS[0], "udpportmax": PORTS[1],
        "turnstaticauthsecret": "coturn-secret",
        "iceserversconfigs": '[{"urls":["turn:127.0.0.1:3478"]}]'}}}})
    assert r.status_code == 200, r.text
    r = admin.post(f"/plugins/{PLUGIN}/enable")
    assert r.status_code == 200, r.text
    return admin, channel["id"], users, (outsider[0], outsider[2])


async def _teardown(admin: httpx.Client, peers: list[Participant]) -> None:
    """After a test: its apps closed, the plugin off."""
    for p in peers:
        await p.close()
    await asyncio.to_thread(admin.post, f"/plugins/{PLUGIN}/disable")
    await asyncio.to_thread(admin.close)


async def test_calls_bootstrap_signalling_and_media(live_server: LiveServer) -> None:
    admin, channel_id, users, outsider = _setup(live_server)
    base = f"/plugins/{PLUGIN}"
    peers: list[Participant] = []
    try:
        (u1, n1, t1), (u2, _, _), (u3, _, t3) = users
        app = httpx.AsyncClient(base_url=live_server.url, timeout=15, headers={"Authorization": f"Bearer {t1}"})
        # the app's bootstrap
        assert (await app.get(f"{base}/version")).json()["version"]
        config = (await app.get(f"{base}/config")).json()
        assert config["NeedsTURNCredentials"] is True and config["ICEServersConfigs"][0]["urls"]
        creds = (await app.get(f"{base}/turn-credentials")).json()
        assert creds[0]["username"].endswith(":" + n1) and creds[0]["urls"] == ["turn:127.0.0.1:3478"]
        expected = hmac.new(b"coturn-secret", creds[0]["username"].encode(), hashlib.sha1).digest()
        assert base64.b64decode(creds[0]["credential"]) == expected  # what coturn's use-auth-secret checks
        assert (await app.get(f"{base}/channels", params={"mobilev2": "true"})).json() == []
        state = (await app.get(f"{base}/{channel_id}")).json()
        assert state["channel_id"] == channel_id and "call" not in state
        r = await app.get(f"{base}/{channel_id}", headers={"Authorization": f"Bearer {outsider[1]}"})
        assert r.status_code == 403

        # someone outside the channel cannot join
        stranger = Participant(live_server, outsider[1], outsider[0])
        peers.append(stranger)
        await stranger.connect()
        await stranger.send("join", {"channelID": channel_id})
        assert (await stranger.event("error", connID=stranger.conn_id))["data"]["data"] == "forbidden"

        # two participants hear each other
        p1, p2, p3 = (Participant(live_server, t, u) for u, _, t in users)
        peers += [p1, p2, p3]
        for p in (p1, p2, p3):
            await p.connect()
        await p1.join(channel_id)
        start = await p1.event("call_start", channelID=channel_id)
        await p2.join(channel_id)
        await p1.event("user_joined", user_id=u2)
        await growing(p1, 1)
        await growing(p2, 1)
        assert p1.pongs == 1 and p2.pongs == 1
        for p in (p1, p2):  # the SFU's host candidates come from the configured port range
            ports = [int(m) for m in re.findall(r"a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host",
                                                p.pc.remoteDescription.sdp)]
            assert ports and all(PORTS[0] <= port <= PORTS[1] for port in ports)
        assert {"type": "voice", "sender_id": p2.session_id} in p1.media_map.values()

        # a third: everyone receives the two others
        await p3.join(channel_id)
        for p in (p1, p2, p3):
            await growing(p, 2)
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert {s["user_id"] for s in call["sessions"]} == {u1, u2, u3} and call["host_id"] == u1
        assert [c["channel_id"] for c in (await app.get(f"{base}/channels")).json()] == [channel_id]

        # a screen share reaches the others while it is on
        await p1.share_screen()
        await p2.event("user_screen_on", userID=u1, session_id=p1.session_id)
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert call["screen_sharing_session_id"] == p1.session_id and call["screen_sharing_id"] == u1
        await growing(p2, 1, kind="video")
        assert {"type": "screen", "sender_id": p1.session_id} in p2.media_map.values()
        await growing(p3, 1, kind="video")
        await p1.send("screen_off")
        await p3.event("user_screen_off", userID=u1)
        await growing(p2, 0, kind="video")
        await growing(p3, 0, kind="video")

        # mute stops the sender's audio reaching the others
        await p2.send("mute")
        await p1.event("user_muted", userID=u2, session_id=p2.conn_id)
        await growing(p1, 1)
        await growing(p3, 1)
        await growing(p2, 2)

        # a participant's WebSocket drops and comes back: the session goes on (same session id, media
        # untouched), reached on the new connection
        await p3.reconnect(channel_id)
        assert p3.conn_id != p3.session_id
        await p3.send("raise_hand")
        assert (await p1.event("user_raise_hand", userID=u3))["data"]["session_id"] == p3.session_id
        await growing(p3, 1)
        await growing(p1, 1)

        # the host mutes someone else; others may neither mute nor end the call
        r3 = await app.post(f"{base}/calls/{channel_id}/end", headers={"Authorization": f"Bearer {t3}"})
        assert (r3.status_code, r3.json()["message"]) == (400, "no permissions")
        r = await app.post(f"{base}/calls/{channel_id}/host/mute", json={"session_id": p3.session_id})
        assert r.status_code == 200, r.text
        await p3.event("host_mute", session_id=p3.session_id)
        await p1.event("user_muted", userID=u3)
        await growing(p1, 0)

        # leaving updates the others' state; the call ends when the last leaves
        await p3.send("leave")
        await p1.event("user_left", user_id=u3, session_id=p3.session_id)
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert {s["user_id"] for s in call["sessions"]} == {u1, u2}
        # the host leaves: the call gets another host
        await p1.send("leave")
        await p2.event("call_host_changed", hostID=u2)
        assert (await app.get(f"{base}/{channel_id}")).json()["call"]["host_id"] == u2
        # the last one's WebSocket closes with no reconnect: it leaves after the grace, the call ends
        await p2.ws.close()
        await p1.event("call_end", channelID=channel_id)
        assert "call" not in (await app.get(f"{base}/{channel_id}")).json()
        post = (await app.get(f"/api/v4/posts/{start['data']['post_id']}")).json()
        assert post["type"] == "custom_calls" and post["props"]["end_at"] >= post["props"]["start_at"]
        assert set(post["props"]["participants"]) == {u1, u2, u3}
        await app.aclose()
    finally:
        await _teardown(admin, peers)


async def test_join_takes_the_place_of_the_users_closed_session(live_server: LiveServer) -> None:
    """A reloaded page (or a restarted app) joins again while its old session waits out the grace after its
    WebSocket closed: the new session takes the old one's place — the others see the user join and the old
    session leave right after, never the user gone; the host stays; the media flow again. A second device
    whose WebSocket is open is a session of its own."""
    admin, channel_id, users, _ = _setup(live_server)
    base = f"/plugins/{PLUGIN}"
    peers: list[Participant] = []
    try:
        (u1, _, t1), (u2, _, t2), _ = users
        app = httpx.AsyncClient(base_url=live_server.url, timeout=15, headers={"Authorization": f"Bearer {t1}"})
        host, other = Participant(live_server, t2, u2), Participant(live_server, t1, u1)
        peers += [host, other]
        for p in (host, other):
            await p.connect()
        await host.join(channel_id)
        call_id = (await other.event("call_start", channelID=channel_id))["data"]["id"]
        await other.join(channel_id)
        await growing(other, 1)

        async def reload(old: Participant) -> Participant:
            """The page goes without ``leave`` (its socket and peer connection close); the new page joins."""
            await old.close()
            new = Participant(live_server, t2, u2)
            peers.append(new)
            await new.connect()
            await new.join(channel_id)
            return new

        old_session = host.session_id
        host = await reload(host)
        # at once (the old session's grace has 10 s to run): u2 is in the call once, with the new session
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert sorted((s["user_id"], s["session_id"]) for s in call["sessions"]) == \
            sorted([(u1, other.session_id), (u2, host.session_id)])
        joined = await other.event("user_joined", user_id=u2, session_id=host.session_id)
        left = await other.event("user_left", user_id=u2, session_id=old_session)
        assert other.events.index(joined) < other.events.index(left)  # u2 is never out of the list
        assert call["host_id"] == u2 and call["id"] == call_id
        assert not [e for e in other.events if e["event"] in (PREFIX + "call_host_changed", PREFIX + "call_end")]
        await growing(other, 1)  # the new session's voice (the old stream stopped)
        await growing(host, 1)
        assert {"type": "voice", "sender_id": host.session_id} in other.media_map.values()

        # the same user on a second device (its WebSocket open): a session of its own, nothing replaced
        second = Participant(live_server, t2, u2)
        peers.append(second)
        await second.connect()
        await second.join(channel_id)
        await other.event("user_joined", user_id=u2, session_id=second.session_id)
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert {s["session_id"] for s in call["sessions"]} == {other.session_id, host.session_id, second.session_id}
        await second.send("leave")
        await other.event("user_left", user_id=u2, session_id=second.session_id)

        # alone in the call, the user reloads: the call goes on (no end, no new call)
        await other.send("leave")
        await host.event("user_left", user_id=u1, session_id=other.session_id)
        old_session = host.session_id
        host = await reload(host)
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert call["id"] == call_id and [s["session_id"] for s in call["sessions"]] == [host.session_id]
        await other.event("user_left", user_id=u2, session_id=old_session)
        assert [e["event"] for e in other.events if e["event"] in (PREFIX + "call_start", PREFIX + "call_end")] == \
            [PREFIX + "call_start"]
        await host.send("leave")
        await other.event("call_end", channelID=channel_id)
        await app.aclose()
    finally:
        await _teardown(admin, peers)


async def test_host_controls(live_server: LiveServer) -> None:
    """The host controls as the apps call them (``/calls/{channel_id}/host/…``): the host or a system admin
    only (anyone else gets Mattermost's 400 "no permissions"); each one's events and its effect on the media:
    screen-off stops the screen's packets, mute-others the others' voices, remove ends the session's peer
    connection (the app here does not leave by itself, as an old mobile app); make-host moves the host and
    locks it: when the new host leaves the host passes on, and comes back when they join again."""
    admin, channel_id, users, outsider = _setup(live_server)
    base = f"/plugins/{PLUGIN}"
    peers: list[Participant] = []
    try:
        (u1, _, t1), (u2, _, t2), (u3, _, t3) = users
        app = httpx.AsyncClient(base_url=live_server.url, timeout=15, headers={"Authorization": f"Bearer {t1}"})
        as2, as3 = ({"Authorization": f"Bearer {t}"} for t in (t2, t3))
        p1, p2, p3 = (Participant(live_server, t, u) for u, _, t in users)
        peers += [p1, p2, p3]
        for p in (p1, p2, p3):
            await p.connect()
            await p.join(channel_id)
        for p in (p1, p2, p3):
            await growing(p, 2)

        async def host(action: str, body: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
            return await app.post(f"{base}/calls/{channel_id}/host/{action}", json=body, **kw)

        # nobody but the host (or an admin) may; an unknown session or a call that is not there is refused
        for action, body in (("mute", {"session_id": p1.session_id}), ("mute-others", None),
                             ("screen-off", {"session_id": p1.session_id}), ("make", {"new_host_id": u2}),
                             ("lower-hand", {"session_id": p1.session_id}), ("remove", {"session_id": p1.session_id}),
                             ("end", None)):
            r = await host(action, body, headers=as3)
            assert (r.status_code, r.json()["message"]) == (400, "no permissions"), (action, r.text)
        r = await host("lower-hand", {"session_id": "x" * 26})
        assert (r.status_code, r.json()["message"]) == (400, "requested session or user is not in the call")
        r = await host("make", {"new_host_id": outsider[0]})
        assert (r.status_code, r.json()["message"]) == (400, "requested session or user is not in the call")
        r = await app.post(f"{base}/calls/{'y' * 26}/host/mute", json={"session_id": p2.session_id})
        assert (r.status_code, r.json()["message"]) == (400, "no call ongoing")

        # screen off: the sharer is told, everyone sees the screen off, its packets stop reaching the others
        await p2.share_screen()
        await p3.event("user_screen_on", session_id=p2.session_id)
        await growing(p3, 1, kind="video")
        r = await host("screen-off", {"session_id": p2.session_id})
        assert r.status_code == 200 and r.json() == {"message": "success", "status_code": 200}, r.text
        await p2.event("host_screen_off", channel_id=channel_id, session_id=p2.session_id)
        await p3.event("user_screen_off", userID=u2, session_id=p2.session_id)
        assert not [e for e in p3.events if e["event"] == PREFIX + "host_screen_off"]  # to the sharer only
        await growing(p3, 0, kind="video")
        assert (await app.get(f"{base}/{channel_id}")).json()["call"]["screen_sharing_session_id"] == ""
        assert (await host("screen-off", {"session_id": p2.session_id})).status_code == 200  # nothing to stop

        # lower hand: the hand goes down for everyone
        await p3.send("raise_hand")
        await p1.event("user_raise_hand", userID=u3)
        r = await host("lower-hand", {"session_id": p3.session_id})
        assert r.status_code == 200, r.text
        lowered = await p3.event("host_lower_hand", session_id=p3.session_id)
        assert lowered["data"]["host_id"] == u1 and lowered["data"]["call_id"]
        await p2.event("user_unraise_hand", userID=u3, raised_hand=0)
        sessions = (await app.get(f"{base}/{channel_id}")).json()["call"]["sessions"]
        assert all(s["raised_hand"] == 0 for s in sessions)

        # mute others: everyone but the host is muted (told, and their voices stop); the host is heard still
        r = await host("mute-others")
        assert r.status_code == 200, r.text
        for p in (p2, p3):
            await p.event("host_mute", session_id=p.session_id)
            await p1.event("user_muted", session_id=p.session_id)
        assert not [e for e in p1.events if e["event"] == PREFIX + "host_mute"]
        await growing(p1, 0)
        await growing(p2, 1)

        # make host: the host moves to u2 (everyone hears it); u1 may no longer, u2 and a system admin may
        r = await host("make", {"new_host_id": u2})
        assert r.status_code == 200, r.text
        for p in (p1, p3):
            await p.event("call_host_changed", hostID=u2)
        assert (await app.get(f"{base}/{channel_id}")).json()["call"]["host_id"] == u2
        r = await host("lower-hand", {"session_id": p3.session_id})
        assert (r.status_code, r.json()["message"]) == (400, "no permissions")
        assert (await host("mute", {"session_id": p3.session_id}, headers=as2)).status_code == 200
        r = await host("mute", {"session_id": p3.session_id}, headers={"Authorization": admin.headers["Authorization"]})
        assert r.status_code == 200, r.text

        # remove: everyone in the call hears it; the app that does not leave is made to after the grace
        r = await host("remove", {"session_id": p3.session_id}, headers=as2)
        assert r.status_code == 200, r.text
        for p in (p1, p3):
            removed = await p.event("host_removed", session_id=p3.session_id)
            assert removed["data"]["user_id"] == u3 and removed["data"]["channel_id"] == channel_id
        await p1.event("user_left", user_id=u3, session_id=p3.session_id)
        await until(lambda: p3.pc.connectionState in ("closed", "failed"), timeout=WAIT)
        assert p3.pc.connectionState in ("closed", "failed")
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert {s["user_id"] for s in call["sessions"]} == {u1, u2}
        r = await host("remove", {"session_id": p3.session_id}, headers=as2)
        assert (r.status_code, r.json()["message"]) == (400, "requested session or user is not in the call")

        # the host made by make-host leaves: the host passes on; back in the call, it is the host again
        await p2.send("leave")
        await p1.event("call_host_changed", hostID=u1)
        again = Participant(live_server, t2, u2)
        peers.append(again)
        await again.connect()
        await again.join(channel_id)

        def hosts() -> list[str]:
            return [e["data"]["hostID"] for e in p1.events if e["event"] == PREFIX + "call_host_changed"]

        await until(lambda: len(hosts()) == 3, timeout=WAIT)
        assert hosts() == [u2, u1, u2]
        assert (await app.get(f"{base}/{channel_id}")).json()["call"]["host_id"] == u2

        # the host ends the call (host/end, as the web app)
        r = await host("end", headers=as2)
        assert r.status_code == 200, r.text
        await p1.event("call_end", channelID=channel_id)
        await app.aclose()
    finally:
        await _teardown(admin, peers)


async def test_channel_switch_and_the_other_routes(live_server: LiveServer) -> None:
    """``POST /{channel_id}`` (calls on or off in a channel: system admins, channel admins, DM members), and
    the routes the calls web app reads besides: ``/env`` (admins), ``/calls/{id}/active``, recording (off),
    ``/cloud-notify-admins`` (not Cloud)."""
    admin, channel_id, users, outsider = _setup(live_server)
    base = f"/plugins/{PLUGIN}"
    peers: list[Participant] = []
    try:
        (u1, _, t1), (u2, _, t2), _ = users
        app = httpx.AsyncClient(base_url=live_server.url, timeout=15, headers={"Authorization": f"Bearer {t1}"})
        as_admin = {"Authorization": admin.headers["Authorization"]}
        watcher = Participant(live_server, t2, u2)
        peers.append(watcher)
        await watcher.connect()

        # a member who is not a channel admin may not switch calls; a system admin may
        r = await app.post(f"{base}/{channel_id}", json={"enabled": False})
        assert (r.status_code, r.json()["message"]) == (403, "Forbidden")
        r = await app.post(f"{base}/{channel_id}", json={"enabled": False}, headers=as_admin)
        assert r.status_code == 200 and r.json() == {"channel_id": channel_id, "enabled": False}, r.text
        await watcher.event("channel_disable_voice")
        assert (await app.get(f"{base}/{channel_id}")).json() == {"channel_id": channel_id, "enabled": False}
        r = await app.post(f"{base}/{channel_id}", content=b"{", headers=as_admin)
        assert r.status_code == 400

        # calls off: nobody starts one here
        caller = Participant(live_server, t1, u1)
        peers.append(caller)
        await caller.connect()
        await caller.send("join", {"channelID": channel_id})
        assert (await caller.event("error", connID=caller.conn_id))["data"]["data"] == "calls are disabled in the channel"
        r = await app.get(f"{base}/calls/{channel_id}/active")
        assert r.status_code == 200 and r.json() == {"active": False}

        # a channel admin may switch them on again
        r = admin.put(f"/channels/{channel_id}/members/{u1}/schemeRoles", json={"scheme_admin": True, "scheme_user": True})
        assert r.status_code == 200, r.text
        r = await app.post(f"{base}/{channel_id}", json={"enabled": True})
        assert r.status_code == 200 and r.json()["enabled"] is True, r.text
        await watcher.event("channel_enable_voice")
        await caller.send("join", {"channelID": channel_id})
        await caller.event("join", connID=caller.conn_id)
        assert (await app.get(f"{base}/calls/{channel_id}/active")).json() == {"active": True}
        r = await app.get(f"{base}/calls/{channel_id}/active", headers={"Authorization": f"Bearer {outsider[1]}"})
        assert r.status_code == 403

        # recordings are off: refused as Mattermost refuses them then
        r = await app.post(f"{base}/calls/{channel_id}/recording/start")
        assert (r.status_code, r.json()["message"]) == (403, "Recordings are not enabled")
        # the settings overridden from the environment: none, and only for admins
        assert (await app.get(f"{base}/env")).status_code == 403
        r = await app.get(f"{base}/env", headers=as_admin)
        assert r.status_code == 200 and r.json() == {}
        r = await app.post(f"{base}/cloud-notify-admins")
        assert r.status_code == 400 and r.json() == {"error": "not a cloud server"}
        await caller.send("leave")
        await watcher.event("call_end", channelID=channel_id)

        # the statistics (system admins): the ended call is counted (other tests' calls too: one server)
        assert (await app.get(f"{base}/stats")).status_code == 403
        r = await app.get(f"{base}/stats", headers=as_admin)
        assert r.status_code == 200, r.text
        assert r.json()["total_calls"] >= 1 and r.json()["calls_by_channel_type"]["O"] >= 1
        assert len(r.json()["calls_by_day"]) == 30 and sum(r.json()["calls_by_day"].values()) >= 1
        await app.aclose()
    finally:
        await _teardown(admin, peers)

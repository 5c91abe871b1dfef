"""A Janus-backed call (the plugin's ``SFU: "janus"``) against Debian's janus 1.1.2 started in the test:
participants on Janus themselves (two connections, as chinwag's web UI: ``twoPeers`` in ``join``, then
``janus_sdp`` / ``janus_ice`` / ``janus_signal``) and the official apps' one connection (calls-common's
join, ``sdp``, the data channel), which the plugin bridges into the VideoRoom room. aiortc peers stand in
for both. Everyone hears everyone (inbound packets grow, one stream per other participant), a host mute
stops a sender's stream at every receiver, an app's screen share reaches the web participant, a leave
takes the participant's stream away."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from chinwag.plugin.bundled.calls.server import ice_restart
from tests.compat.conftest import LiveServer
from tests.compat.janus_server import API_SECRET, JanusServer, janus_available
from tests.compat.test_calls import PORTS, PREFIX, Participant, Tone, _setup

pytestmark = [pytest.mark.compat,
              pytest.mark.skipif(not janus_available(), reason="Debian's janus package is not installed "
                                 "(scripts/test_system_deps.sh installs it)")]

PLUGIN = "com.mattermost.calls"
WAIT = 30.0


class WebMember(Participant):
    """A two-connection client (what chinwag's web UI does on a Janus-backed call)."""

    def __init__(self, server: LiveServer, token: str, user_id: str) -> None:
        super().__init__(server, token, user_id)
        self.answers: asyncio.Queue[str] = asyncio.Queue()
        self.media: dict[str, dict[str, str]] = {}
        #: Janus restarted and the plugin said so (``janus_signal`` ``reset``): both connections made again
        self.resets = 0
        self.epoch = 0
        #: Janus's ICE credentials on the subscriber connection, and the ICE restarts finishing
        self.sub_ufrag = ""
        self.ice_restarts: list[asyncio.Task[bool]] = []
        self.published = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._connections()

    def _connections(self) -> None:
        self.pub = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.sub = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.pc = self.sub  # packets(): what this participant receives

        @self.sub.on("track")
        def on_track(track: Any) -> None:
            self.sink.addTrack(track)

    async def restart_publisher_ice(self) -> bool:
        """What the web UI does when its publisher connection's network path breaks: an offer with new ICE
        credentials and candidates (Janus answers with its own); True once a new path carries it."""
        restart = await ice_restart.begin(self.pub)
        assert restart is not None
        await self.pub.setLocalDescription(await self.pub.createOffer())
        kinds = {str(t.mid): "voice" for t in self.pub.getTransceivers()}
        await self.janus("janus_sdp", {"pc": "publisher", "type": "offer", "sdp": self.pub.localDescription.sdp,
                                       "kinds": kinds})
        answer = await asyncio.wait_for(self.answers.get(), WAIT)
        await self.pub.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        return await asyncio.wait_for(restart.finish(*ice_restart.ice_credentials(answer)), WAIT)

    async def restart_subscriber_ice(self) -> bool:
        """... and on its subscriber connection: asks for Janus's offer with new credentials, answered with
        new ones of its own (``_read``)."""
        done = len(self.ice_restarts)
        await self.janus("janus_sdp", {"pc": "subscriber", "type": "restart"})
        for _ in range(int(WAIT * 20)):
            if len(self.ice_restarts) > done:
                return await asyncio.wait_for(self.ice_restarts[-1], WAIT)
            await asyncio.sleep(0.05)
        raise AssertionError("Janus did not offer the subscriber an ICE restart")

    async def _reset(self) -> None:
        """What the web UI does on ``reset``: two new connections, its voice published again."""
        old = (self.pub, self.sub)
        self._connections()
        self.media = {}
        self.sub_ufrag = ""
        for pc in old:
            await pc.close()
        if self.published:
            await self.publish()
        self.resets += 1

    async def _read(self) -> None:
        async for text in self.ws:
            msg = json.loads(text)
            if "event" not in msg:
                continue
            self.events.append(msg)
            if msg["event"] == PREFIX + "janus_signal" and msg["data"].get("connID") == self.session_id:
                desc = json.loads(msg["data"]["data"])
                if desc["type"] == "reset":
                    self.epoch = desc["epoch"]
                    task = asyncio.get_running_loop().create_task(self._reset())
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                elif desc["pc"] == "publisher":
                    self.answers.put_nowait(desc["sdp"])
                else:
                    self.media = desc.get("media") or {}
                    ufrag, pwd = ice_restart.ice_credentials(desc["sdp"])
                    restart = None
                    if self.sub_ufrag and ufrag != self.sub_ufrag:
                        # Janus's offer with new ICE credentials (an ICE restart we asked for): a new ICE
                        # session under the same connection, as a browser answering it
                        restart = await ice_restart.begin(self.sub)
                    self.sub_ufrag = ufrag
                    await self.sub.setRemoteDescription(RTCSessionDescription(desc["sdp"], "offer"))
                    await self.sub.setLocalDescription(await self.sub.createAnswer())
                    await self.janus("janus_sdp", {"pc": "subscriber", "type": "answer",
                                                   "sdp": self.sub.localDescription.sdp})
                    if restart is not None:
                        self.ice_restarts.append(asyncio.get_running_loop().create_task(restart.finish(ufrag, pwd)))

    async def janus(self, action: str, body: dict[str, Any]) -> None:
        """``janus_sdp``: deflated in a msgpack binary frame, as the web UI sends it (with the epoch: the
        resets so far)."""
        body = {**body, "epoch": self.epoch}
        await self.send(action, {"data": zlib.compress(json.dumps(body).encode())}, binary=True)

    async def join(self, channel_id: str) -> None:
        self.session_id = self.conn_id
        await self.send("join", {"channelID": channel_id, "title": "standup", "twoPeers": True})
        joined = await self.event("join", connID=self.conn_id)
        assert joined["data"].get("sfu") == "janus"
        await self.sink.start()
        await self.unmute()

    async def unmute(self) -> None:
        await self.publish()
        await self.send("unmute")

    async def publish(self) -> None:
        self.published = True
        self.pub.addTrack(Tone())
        await self.pub.setLocalDescription(await self.pub.createOffer())
        mid = self.pub.getTransceivers()[0].mid
        await self.janus("janus_sdp", {"pc": "publisher", "type": "offer", "sdp": self.pub.localDescription.sdp,
                                       "kinds": {mid: "voice"}})
        await self.pub.setRemoteDescription(RTCSessionDescription(await asyncio.wait_for(self.answers.get(), WAIT),
                                                                  "answer"))

    async def close(self) -> None:
        await super().close()
        await self.pub.close()


async def growing_from(p: Participant, senders: set[str], seconds: float = 1.5, kind: str = "audio") -> None:
    """Wait until the streams ``p`` receives that grow are exactly one from each of ``senders`` (by the media
    map: the app's from its data channel, the web member's from the subscriber's offer)."""
    last: Any = None
    for _ in range(int(WAIT / seconds)):
        stats = await p.pc.getStats()
        before = {s.id: s.packetsReceived for s in stats.values() if s.type == "inbound-rtp" and s.kind == kind}
        await asyncio.sleep(seconds)
        stats = await p.pc.getStats()
        media = p.media if isinstance(p, WebMember) else p.media_map
        grew = []
        for s in stats.values():
            if s.type == "inbound-rtp" and s.kind == kind and s.packetsReceived > before.get(s.id, 0):
                grew.append(_sender_of(p, s, media))
        last = grew
        if sorted(grew) == sorted(senders):
            return
    raise AssertionError(f"growing streams from {sorted(senders)} expected, saw {last}")


def _sender_of(p: Participant, stat: Any, media: dict[str, dict[str, str]]) -> str:
    """The session whose stream an inbound RTP stream is: its m-line (the receiver of its SSRC) in the media
    map."""
    for t in p.pc.getTransceivers():
        if stat.ssrc in t.receiver._RTCRtpReceiver__remote_streams:  # type: ignore[attr-defined]
            return media.get(str(t.mid), {}).get("sender_id", "?")
    return "?"


def janus_fixture(rtp_ports: tuple[int, int]) -> Callable[[], Iterator[JanusServer]]:
    """A module's Janus (its own RTP port range, so modules on other workers do not meet)."""

    @pytest.fixture(scope="module")
    def janus_server() -> Iterator[JanusServer]:
        server = JanusServer(rtp_ports=rtp_ports).start()
        yield server
        server.stop()

    return janus_server


@dataclass
class JanusCall:
    """A call's set-up on a Janus-backed plugin (``janus_call``): the admin's client, the channel, three
    users (id, username, token) and the participants made (closed at the end)."""
    server: LiveServer
    admin: httpx.Client
    channel_id: str
    users: list[tuple[str, str, str]]
    peers: list[Participant] = field(default_factory=list)

    async def connect(self, *peers: Participant) -> None:
        self.peers += peers
        for p in peers:
            await p.connect()

    def session_users(self, token: str) -> set[str]:
        """The users of the call's sessions, as the plugin's GET /{channel_id} tells ``token``'s user."""
        with httpx.Client(base_url=self.server.url, timeout=15, headers={"Authorization": f"Bearer {token}"}) as c:
            call = c.get(f"/plugins/{PLUGIN}/{self.channel_id}").json()["call"]
        return {s["user_id"] for s in call["sessions"]}


@asynccontextmanager
async def janus_call(live_server: LiveServer, janus_server: JanusServer) -> AsyncIterator[JanusCall]:
    """A team, a channel and users (``_setup``) with the plugin's SFU on ``janus_server``; an assertion that
    fails inside has the plugin's and Janus's logs added; the participants are closed and the plugin put
    back on the embedded SFU at the end."""
    admin, channel_id, users, _ = _setup(live_server)
    # the SFU on every interface: Janus (libnice gathers no loopback candidates) and the bridge's connections
    # meet on the machine's own addresses
    settings = {"udpserveraddress": "", "udpportmin": PORTS[0], "udpportmax": PORTS[1]}
    r = admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
        **settings, "sfu": "janus", "janusurl": janus_server.url, "janusapisecret": API_SECRET}}}})
    assert r.status_code == 200, r.text
    call = JanusCall(live_server, admin, channel_id, users[:3])
    try:
        yield call
    except AssertionError as e:  # what the plugin and Janus said, with the failure
        logs = "\n".join(line for line in live_server.log_tail(400).splitlines() if "calls" in line)
        raise AssertionError(f"{e}\n--- plugin:\n{logs[-4000:]}\n--- janus:\n{janus_server.log()[-4000:]}") from e
    finally:
        for p in call.peers:
            await p.close()
        admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
            **settings, "udpserveraddress": "127.0.0.1", "sfu": "embedded"}}}})
        admin.close()


janus_server = janus_fixture((45000, 45999))


async def test_janus_call_bridges_the_apps(live_server: LiveServer, janus_server: JanusServer) -> None:
    async with janus_call(live_server, janus_server) as call:
        admin, channel_id = call.admin, call.channel_id
        (u1, _, t1), (u2, _, t2), (u3, _, t3) = call.users
        web = WebMember(live_server, t1, u1)
        app1, app2 = Participant(live_server, t2, u2), Participant(live_server, t3, u3)
        await call.connect(web, app1, app2)
        # the web member starts the call on Janus; an app joins through the bridge
        await web.join(channel_id)
        await web.event("call_start", channelID=channel_id)
        await app1.join(channel_id)
        await growing_from(app1, {web.session_id})
        await growing_from(web, {app1.session_id})
        assert {"type": "voice", "sender_id": web.session_id} in app1.media_map.values()

        # a second app: the apps hear each other (the embedded SFU), and the web member both (Janus)
        await app2.join(channel_id)
        await growing_from(web, {app1.session_id, app2.session_id})
        await growing_from(app1, {web.session_id, app2.session_id})
        await growing_from(app2, {web.session_id, app1.session_id})

        # the host mutes the web member: Janus stops relaying it; then app1 is muted, at every receiver
        host = admin.__class__(base_url=live_server.url, timeout=15, headers={"Authorization": f"Bearer {t1}"})
        r = host.post(f"/plugins/{PLUGIN}/calls/{channel_id}/host/mute", json={"session_id": web.session_id})
        assert r.status_code == 200, r.text
        await growing_from(app1, {app2.session_id})
        await growing_from(app2, {app1.session_id})
        r = host.post(f"/plugins/{PLUGIN}/calls/{channel_id}/host/mute", json={"session_id": app1.session_id})
        assert r.status_code == 200, r.text
        await growing_from(web, {app2.session_id})

        # an app shares its screen: the web member receives it (named as app2's screen)
        await app2.share_screen()
        await web.event("user_screen_on", userID=u3, session_id=app2.session_id)
        await growing_from(web, {app2.session_id}, kind="video")
        assert {"type": "screen", "sender_id": app2.session_id} in web.media.values()

        # app2 leaves: the web member's list and streams lose it
        await app2.send("leave")
        await web.event("user_left", session_id=app2.session_id)
        await growing_from(web, set())
        host.close()
        assert call.session_users(t1) == {u1, u2}

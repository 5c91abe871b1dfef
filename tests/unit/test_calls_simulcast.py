"""Simulcast in the calls SFU (``calls/server/simulcast.py``): the SDP a browser's simulcast offer gets
back (``a=rid … recv``, ``a=simulcast:recv``, the rid header extensions kept with the browser's ids), the
routing of SSRCs no SDP listed by their ``mid`` extension, the demux that binds each SSRC to its layer by
its rid and reassembles each layer on its own, the layer rule, and the per-receiver track that switches
layers only at the new layer's keyframe with its timestamps going on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.codecs import HEADER_EXTENSIONS
from aiortc.rtcdtlstransport import RtpRouter
from aiortc.rtp import RtpPacket

from chinwag.plugin.bundled.calls.server import simulcast
from chinwag.plugin.bundled.calls.server.simulcast import (
    DEMUX,
    SIMULCAST,
    Demux,
    SimulcastTrack,
    add_simulcast_lines,
    choose_layer,
    parse_simulcast,
    remember_simulcast,
    rid_order,
    set_tiles,
    vp8_size,
)

FINGERPRINT = ":".join(["AB"] * 32)
# a browser's offer: the data channel, and its camera in three encodings (no SSRC listed, as Chromium does)
OFFER = f"""v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS stream1
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=ice-ufrag:abcd
a=ice-pwd:abcdefghijklmnopqrstuvwx
a=ice-options:trickle
a=fingerprint:sha-256 {FINGERPRINT}
a=setup:actpass
a=mid:0
a=sctp-port:5000
a=max-message-size:262144
m=video 9 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:abcd
a=ice-pwd:abcdefghijklmnopqrstuvwx
a=ice-options:trickle
a=fingerprint:sha-256 {FINGERPRINT}
a=setup:actpass
a=mid:1
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=sendonly
a=msid:stream1 track1
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rid:l send
a=rid:m send
a=rid:h send
a=simulcast:send l;m;h
""".replace("\n", "\r\n")


def test_parse_simulcast() -> None:
    offers = parse_simulcast(OFFER)
    assert list(offers) == ["1"]
    assert offers["1"].rids == ["l", "m", "h"]
    assert {(e.id, e.uri) for e in offers["1"].extensions} == {(10, simulcast.RID_URI), (11, simulcast.RRID_URI)}
    # paused (~) and alternatives (,) count as their first rid; undeclared rids are left out
    other = OFFER.replace("a=simulcast:send l;m;h", "a=simulcast:send ~l;m,x;h;z")
    assert parse_simulcast(other)["1"].rids == ["l", "m", "h"]
    # one encoding, or no rid extension to tell the layers apart: no simulcast
    assert parse_simulcast(OFFER.replace("a=simulcast:send l;m;h", "a=simulcast:send l")) == {}
    assert parse_simulcast(OFFER.replace("a=extmap:10 ", "a=extmap:12 urn:x\r\na=x:")) == {}


def test_rid_order() -> None:
    assert rid_order(["h", "m", "l"]) == ["l", "m", "h"]
    assert rid_order(["l", "h"]) == ["l", "h"]  # the apps' screen: low, high
    assert rid_order(["f", "h", "q"]) == ["q", "h", "f"]  # "h" is half next to full and quarter
    assert rid_order(["a", "b", "c"]) == ["a", "b", "c"]  # unknown names: as listed, lowest first


def test_vp8_size() -> None:
    assert vp8_size(keyframe(320, 180)) == (320, 180)
    assert vp8_size(delta()) is None


def test_choose_layer() -> None:
    alive = ["l", "m", "h"]
    sizes: dict[str, tuple[int, int] | None] = {"l": (240, 135), "m": (480, 270), "h": (960, 540)}
    assert choose_layer("screen", ["l", "h"], {}, (100, 60), 9) == "h"  # a screen: always the top
    assert choose_layer("video", alive, sizes, None, 1) == "h"
    assert choose_layer("video", alive, sizes, None, 3) == "m"
    assert choose_layer("video", alive, sizes, None, 9) == "l"
    assert choose_layer("video", ["l", "h"], sizes, None, 12) == "l"
    assert choose_layer("video", alive, sizes, (200, 112), 1) == "l"  # the smallest at least the tile's size
    assert choose_layer("video", alive, sizes, (460, 260), 1) == "m"  # within 10 %
    assert choose_layer("video", alive, sizes, (1920, 1080), 9) == "h"
    assert choose_layer("video", ["l", "m"], sizes, (1920, 1080), 1) == "m"  # the top one is not sending
    assert choose_layer("video", alive, {}, (200, 112), 1) == "h"  # no size known yet: by tile count
    assert choose_layer("video", [], sizes, None, 1) is None


def test_route_by_mid_and_rid_extensions_on_every_video_m_line() -> None:
    simulcast.install()
    # offered on the SFU's own video m-lines too: Chromium offers them for a new camera with
    # sendEncodings only while the connection has them negotiated
    uris = [e.uri for e in HEADER_EXTENSIONS["video"]]
    assert simulcast.RID_URI in uris and simulcast.RRID_URI in uris
    router = RtpRouter()
    camera, other = object(), object()
    router.register_receiver(camera, ssrcs=[], payload_types=[96], mid="1")  # type: ignore[arg-type]
    router.register_receiver(other, ssrcs=[], payload_types=[96], mid="2")  # type: ignore[arg-type]
    packet = RtpPacket(payload_type=96, ssrc=1234)
    assert router.route_rtp(packet) is None  # two m-lines with VP8, no mid: dropped, as before
    packet.extensions.mid = "1"
    assert router.route_rtp(packet) is camera
    assert router.route_rtp(RtpPacket(payload_type=96, ssrc=1234)) is camera  # the SSRC is learnt


def keyframe(width: int, height: int, fill: int = 0) -> bytes:
    return (b"\x50\x02\x00\x9d\x01\x2a" + width.to_bytes(2, "little") + height.to_bytes(2, "little")
            + bytes([fill]) * 40)


def delta(fill: int = 0) -> bytes:
    return b"\x31\x02\x00" + bytes([fill]) * 30


class Sequence:
    def __init__(self) -> None:
        self.seq: dict[int, int] = {}

    def packets(self, ssrc: int, rid: str, timestamp: int, data: bytes, size: int = 20) -> list[RtpPacket]:
        """A VP8 frame as RTP packets (the payload descriptor, then up to ``size`` bytes each)."""
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        out = []
        for i, chunk in enumerate(chunks):
            seq = self.seq.get(ssrc, 100)
            self.seq[ssrc] = (seq + 1) & 0xFFFF
            p = RtpPacket(payload_type=96, sequence_number=seq, timestamp=timestamp & 0xFFFFFFFF, ssrc=ssrc)
            p.payload = (b"\x10" if i == 0 else b"\x00") + chunk
            p.marker = int(i == len(chunks) - 1)
            p.extensions.mid = "1"
            p.extensions.rtp_stream_id = rid
            out.append(p)
        return out


@dataclass
class FakeSession:
    conn_id: str = "s" * 26


@dataclass
class FakeSource:
    receiver: Any
    session: FakeSession = field(default_factory=FakeSession)
    kind: str = "video"
    keyframes: int = 0

    def flowing(self) -> bool:
        return True

    def request_keyframe(self) -> None:
        self.keyframes += 1


async def close(pc: RTCPeerConnection) -> None:
    for t in pc.getTransceivers():
        demux = DEMUX.get(t.receiver)
        if demux is not None and demux._watch is not None:
            demux._watch.cancel()  # no media ever came: the receiver never started, so it never ends
    await pc.close()


async def answered() -> tuple[RTCPeerConnection, str]:
    simulcast.install()
    pc = RTCPeerConnection()
    await pc.setRemoteDescription(RTCSessionDescription(OFFER, "offer"))
    remember_simulcast(pc, OFFER)
    await pc.setLocalDescription(await pc.createAnswer())
    return pc, add_simulcast_lines(pc, pc.localDescription.sdp)


async def test_the_answer_receives_simulcast() -> None:
    pc, answer = await answered()
    try:
        video = answer[answer.index("m=video"):]
        assert "a=recvonly" in video
        assert "a=rid:l recv\r\na=rid:m recv\r\na=rid:h recv\r\na=simulcast:recv l;m;h\r\n" in video
        # the rid extensions with the browser's ids, beside those aiortc negotiates itself
        assert "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id" in video
        assert "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id" in video
        assert "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid" in video
        assert "a=simulcast" not in answer[:answer.index("m=video")]  # not on the data channel
        assert add_simulcast_lines(pc, answer) == answer  # added once
        t = next(t for t in pc.getTransceivers() if t.mid == "1")
        assert SIMULCAST[t].rids == ["l", "m", "h"] and isinstance(DEMUX[t.receiver], Demux)
        # the SFU's later offer describes the m-line as negotiated: simulcast again
        offer = add_simulcast_lines(pc, (await pc.createOffer()).sdp)
        assert "a=simulcast:recv l;m;h" in offer
    finally:
        await close(pc)


async def test_layers_demultiplexed_and_switched_at_a_keyframe() -> None:
    pc, _ = await answered()
    try:
        t = next(t for t in pc.getTransceivers() if t.mid == "1")
        receiver = t.receiver
        receiver._RTCRtpReceiver__codecs = {c.payloadType: c for c in t._codecs}  # what receive() would set
        demux = DEMUX[receiver]
        source = FakeSource(receiver)
        set_tiles("viewer", {})
        track = SimulcastTrack(source, demux, "viewer", lambda: 1)
        seq = Sequence()
        ssrc = {"l": 11, "m": 22, "h": 33}
        sizes = {"l": (240, 135), "m": (480, 270), "h": (960, 540)}
        base = {"l": 1000, "m": 500_000, "h": 0xFFFFFFFF - 3000}  # each layer its own clock; h wraps

        async def frame(rid: str, n: int, key: bool) -> None:
            data = keyframe(*sizes[rid], fill=n) if key else delta(fill=n)
            # the packets of the three layers interleaved as they come on the wire
            for p in seq.packets(ssrc[rid], rid, base[rid] + n * 3000, data):
                await demux.handle(p, 0)

        for rid in ("l", "m", "h"):
            await frame(rid, 0, True)
        assert {x.rid: x.ssrc for x in demux.layers.values()} == ssrc  # bound by their rid
        assert {x.rid: x.size for x in demux.layers.values()} == sizes
        assert demux.alive() == ["l", "m", "h"]
        first = await asyncio.wait_for(track.recv(), 1)  # one tile: the top layer, from its keyframe
        assert track.current == "h" and bytes(first) == keyframe(960, 540) and first.pts == 0
        pts = [0]
        for n in (1, 2):
            for rid in ("l", "m", "h"):
                await frame(rid, n, False)
            out = await asyncio.wait_for(track.recv(), 1)
            assert bytes(out) == delta(fill=n)  # h's frame, whole, across the wrap of its clock
            pts.append(out.pts)
        assert pts == [0, 3000, 6000]

        # the receiver now shows the tile small: the low layer, from its next keyframe on
        set_tiles("viewer", {source.session.conn_id: {"width": 200, "height": 112}})
        await frame("l", 3, False)
        await frame("h", 3, False)
        out = await asyncio.wait_for(track.recv(), 1)
        assert track.target == "l" and track.current == "h" and out.pts == 9000  # h goes on until l's keyframe
        await frame("l", 4, True)
        await frame("h", 4, False)
        out = await asyncio.wait_for(track.recv(), 1)
        assert track.current == "l" and bytes(out) == keyframe(240, 135, fill=4) and track.switches == 1
        assert out.pts > 9000  # later than the last frame of h, on the same clock
        switched = out.pts
        await frame("l", 5, False)
        out = await asyncio.wait_for(track.recv(), 1)
        assert out.pts == switched + 3000 and bytes(out) == delta(fill=5)
    finally:
        await close(pc)
    # the source's connection closed: the receiver's track ends (after its receivers stopped)
    demux.end()
    while True:
        try:
            await asyncio.wait_for(track.recv(), 1)
        except simulcast.MediaStreamError:
            break


async def test_a_layer_that_stops_is_left() -> None:
    pc, _ = await answered()
    try:
        t = next(t for t in pc.getTransceivers() if t.mid == "1")
        demux = DEMUX[t.receiver]
        now = 100.0
        for rid, last in (("l", now), ("m", now), ("h", now - 2)):
            demux.layers[rid].frames, demux.layers[rid].last_frame = 10, last
        layers = demux.layers
        freshest = now
        assert [r for r in demux.order if layers[r].alive(now, freshest)] == ["l", "m"]
        # all of them quiet together (a screen that does not change): none is left
        for rid in ("l", "m", "h"):
            layers[rid].last_frame = now - 5
        assert [r for r in demux.order if layers[r].alive(now, now - 5)] == ["l", "m", "h"]
        assert demux.alive() == ["l", "m", "h"]
    finally:
        await close(pc)

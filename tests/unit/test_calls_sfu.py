"""The calls SFU's SDP rewrite for ICEHostOverride (the public address behind NAT), the STUN servers its
peer connections use (only configured ones: never aiortc's default), its data channel message encoding
(calls-common's flat msgpack: type, then payload), the gate that starts forwarded encoded video at a
keyframe and hands every receiver a burst whole, and the latency log."""

from __future__ import annotations

import asyncio
import json
import struct
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import msgspec
from aiortc.codecs import HEADER_EXTENSIONS
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters
from aiortc.rtp import RtpPacket

from chinwag.plugin.bundled.calls.server.sfu import (
    BACKLOG,
    DC_LOCK,
    DC_MEDIA_MAP,
    DC_PONG,
    SFU,
    GatedTrack,
    LatencyLog,
    PromptJitterBuffer,
    RTCSettings,
    Session,
    Source,
    _close_reason,
    dc_message,
    dc_type,
    fit_to_bundle,
    is_keyframe,
    stun_urls,
)
from tests.waiting import until

SDP = """v=0
m=audio 41000 UDP/TLS/RTP/SAVPF 96
c=IN IP4 10.0.0.5
a=candidate:abc 1 udp 2130706431 10.0.0.5 41000 typ host
a=candidate:def 1 udp 1694498815 198.51.100.9 41000 typ srflx raddr 10.0.0.5 rport 41000
"""


def test_ice_host_override_rewrites_host_candidates_only() -> None:
    sfu = SFU(RTCSettings(ice_host_override="203.0.113.7"), lambda conn_id, msg: None)
    out = sfu._public(SDP)
    assert "a=candidate:abc 1 udp 2130706431 203.0.113.7 41000 typ host" in out
    assert "a=candidate:def 1 udp 1694498815 198.51.100.9 41000 typ srflx raddr 10.0.0.5 rport 41000" in out
    assert SFU(RTCSettings(), lambda conn_id, msg: None)._public(SDP) == SDP


async def test_sfu_asks_no_stun_server_but_a_configured_one() -> None:
    """aiortc's peer connections ask Google's STUN server for a public address unless given ICE servers;
    the SFU's ask none, or the configured STUN servers (ICEServersConfigs) when ICEHostOverride is empty."""
    configured = [{"urls": ["stun:stun.example.com:3478", "turn:turn.example.com:3478"]},
                  {"urls": "stun:stun2.example.com:3478"}, {"urls": None}]
    assert stun_urls(configured, "") == ("stun:stun.example.com:3478", "stun:stun2.example.com:3478")
    assert stun_urls(configured, "203.0.113.7") == ()
    assert stun_urls([], "") == ()
    for settings, expected in ((RTCSettings(), []),
                               (RTCSettings(stun_urls=("stun:stun.example.com:3478",)), ["stun:stun.example.com:3478"])):
        sfu = SFU(settings, lambda conn_id, msg: None)
        s = sfu.join("c" * 26, "u" * 26, "h" * 26)
        try:
            config = s.pc._RTCPeerConnection__configuration  # type: ignore[attr-defined]  # what its gatherers get
            assert [u for server in config.iceServers for u in server.urls] == expected
        finally:
            await sfu.leave("c" * 26)


def test_data_channel_messages() -> None:
    assert dc_message(DC_PONG) == bytes([DC_PONG])
    assert dc_message(DC_LOCK, True) == bytes([DC_LOCK]) + msgspec.msgpack.encode(True)
    media = {"1": {"type": "voice", "sender_id": "x" * 26}}
    msg = dc_message(DC_MEDIA_MAP, media)
    assert dc_type(msg) == DC_MEDIA_MAP and msgspec.msgpack.decode(msg[1:]) == media
    assert dc_type(b"") == 0 and dc_type("text") == 0


class _Packets(MediaStreamTrack):
    """A track that gives encoded frames (as the SFU's receivers hand them on) as the test feeds them; None
    ends it."""

    def __init__(self, kind: str = "video") -> None:
        super().__init__()
        self.kind = kind
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    def feed(self, *frames: bytes | None) -> None:
        for f in frames:
            self.queue.put_nowait(f)

    async def recv(self) -> av.Packet:
        data = await self.queue.get()
        if data is None:
            self.stop()
            raise MediaStreamError
        return av.Packet(data)


class _Receiver:
    """What Source.request_keyframe uses of an RTCRtpReceiver: the sender's SSRCs and the PLI."""

    def __init__(self) -> None:
        self._RTCRtpReceiver__remote_streams = {4242: None}
        self.plis: list[int] = []

    async def _send_rtcp_pli(self, ssrc: int) -> None:
        self.plis.append(ssrc)


KEY, DELTA = b"\x10key", b"\x11delta"  # VP8 frame tag: bit 0 clear on a key frame


async def _taken(gated: GatedTrack, track: _Packets) -> None:
    """The gate has taken everything fed so far (the relay passed it on, the gate looked at it)."""
    await until(lambda: track.queue.empty() and gated.frames._queue.empty(), timeout=5)  # type: ignore[attr-defined]


async def test_forwarded_video_starts_and_resumes_at_a_keyframe() -> None:
    assert is_keyframe(av.Packet(KEY)) and not is_keyframe(av.Packet(DELTA))
    session = Session("conn", "user", "channel", pc=None)  # type: ignore[arg-type]
    session.video_on = True
    receiver = _Receiver()
    track = _Packets()
    source = Source(session, track, MediaRelay(), "video", receiver)  # type: ignore[arg-type]
    gated = GatedTrack(source)
    # the deltas before the first keyframe are held back, and the sender is asked for a keyframe
    track.feed(DELTA, DELTA, KEY + b"1", DELTA + b"2")
    assert bytes(await gated.recv()) == KEY + b"1"
    await until(lambda: receiver.plis, timeout=5)  # the PLI is sent by a task of its own
    assert receiver.plis == [4242]  # once: further requests within 300 ms are not sent again
    assert bytes(await gated.recv()) == DELTA + b"2"
    # camera off: frame 4 does not pass; on again, frame 5 (a delta) is held back until the keyframe
    session.video_on = False
    waiting = asyncio.create_task(gated.recv())
    track.feed(DELTA + b"4")
    await _taken(gated, track)
    session.video_on = True
    track.feed(DELTA + b"5", KEY + b"6", DELTA + b"7")
    assert bytes(await waiting) == KEY + b"6"
    assert bytes(await gated.recv()) == DELTA + b"7"
    gated.stop()


async def _take(gated: GatedTrack, n: int) -> list[bytes]:
    """The next ``n`` frames the gate lets through (what it has not got within a moment was lost)."""
    out = []
    for _ in range(n):
        try:
            out.append(bytes(await asyncio.wait_for(gated.recv(), 2)))
        except TimeoutError:
            break
    return out


async def test_a_burst_reaches_every_receiver_whole() -> None:
    """Datagrams that waited while the event loop was busy are handed on in one go: each receiver gets every
    frame of the burst, in order; one that falls more than BACKLOG frames behind loses the oldest."""
    session = Session("conn", "user", "channel", pc=None)  # type: ignore[arg-type]
    session.unmuted = True
    track = _Packets("audio")
    source = Source(session, track, MediaRelay(), "voice")
    one, two = GatedTrack(source), GatedTrack(source)
    first = [asyncio.create_task(g.recv()) for g in (one, two)]
    await asyncio.sleep(0)  # both have subscribed (a relay hands frames to the receivers it has)
    track.feed(b"first")
    assert [bytes(f) for f in await asyncio.gather(*first)] == [b"first", b"first"]
    burst = [b"%d" % i for i in range(BACKLOG + 10)]
    track.feed(*burst[:10])
    await until(lambda: track.queue.empty(), timeout=5)
    assert await _take(one, 10) == burst[:10]  # none lost (an unbuffered relay keeps the last one only)
    track.feed(*burst[10:])
    await until(lambda: track.queue.empty(), timeout=5)
    assert await _take(one, BACKLOG) == burst[10:]
    # the second receiver fell behind by the whole burst: the oldest beyond BACKLOG are dropped
    assert await _take(two, BACKLOG) == burst[10:]
    track.feed(None)
    for gated in (one, two):
        try:
            await gated.recv()
        except MediaStreamError:
            pass
        else:
            raise AssertionError("the source ended")


def test_latency_log_buckets_and_file(tmp_path: Path) -> None:
    log = LatencyLog(str(tmp_path / "latency.json"))
    assert [log.bucket(us) for us in (0, 9.9, 15, 999, 1000, 1099, 99_999, 100_000, 2_500_600)] == \
        [0, 0, 10, 990, 1000, 1000, 99_900, 100_000, 2_500_000]
    for seconds in (0.000_012, 0.000_018, 0.0042, 0.25):
        log.add(seconds)
    log.write()
    assert json.loads((tmp_path / "latency.json").read_text()) == \
        {"count": 4, "us": {"10": 2, "4200": 1, "250000": 1}}
    log.add(0.0042, video=True)  # a video frame: counted among all, and apart
    log.write()
    assert json.loads((tmp_path / "latency.json").read_text()) == \
        {"count": 5, "us": {"10": 2, "4200": 2, "250000": 1}, "video_us": {"4200": 1}}


def _rtp(seq: int, ts: int, data: bytes, marker: int = 0) -> RtpPacket:
    p = RtpPacket(payload_type=96, sequence_number=seq, timestamp=ts, marker=marker)
    p._data = data  # type: ignore[attr-defined]  # what the receiver's depayloading leaves
    return p


def test_a_frame_goes_on_as_soon_as_it_is_whole() -> None:
    """Audio: each packet at once (aiortc's buffer waits for the next frame's first packet, 20 ms); video:
    at the frame's last packet (the marker), not before a missing one."""
    audio = PromptJitterBuffer(capacity=16)
    for seq, ts in ((7, 960), (9, 2880), (8, 1920)):  # a late packet too
        _, frame = audio.add(_rtp(seq, ts, b"opus%d" % seq))
        assert frame is not None and (frame.data, frame.timestamp) == (b"opus%d" % seq, ts)
    video = PromptJitterBuffer(capacity=128, is_video=True)
    assert video.add(_rtp(100, 3000, b"a"))[1] is None
    _, frame = video.add(_rtp(101, 3000, b"b", marker=1))
    assert frame is not None and (frame.data, frame.timestamp) == (b"ab", 3000)
    assert video.add(_rtp(102, 6000, b"c"))[1] is None
    assert video.add(_rtp(104, 6000, b"e", marker=1))[1] is None  # 103 missing
    _, frame = video.add(_rtp(103, 6000, b"d"))
    assert frame is not None and frame.data == b"cde"


def _vp8(seq: int, ts: int, start: bool, key: bool = False, marker: int = 0) -> RtpPacket:
    """A VP8 packet: its payload descriptor (the S bit on a frame's first packet, partition 0), on a first
    packet the frame tag's first byte (bit 0: 0 for a key frame), and what depayloading leaves."""
    data = bytes([0x10 if key else 0x11, seq & 0xFF]) if start else bytes([seq & 0xFF])
    p = RtpPacket(payload_type=96, sequence_number=seq, timestamp=ts, marker=marker,
                  payload=bytes([0x10 if start else 0x00]) + data)
    p._data = data  # type: ignore[attr-defined]
    return p


def _frame(seq: int, ts: int, key: bool = False) -> list[RtpPacket]:
    """A two-packet VP8 frame from ``seq`` on."""
    return [_vp8(seq, ts, True, key), _vp8(seq + 1, ts, False, marker=1)]


def _feed(buffer: PromptJitterBuffer, packets: list[RtpPacket]) -> tuple[list[int], int]:
    """The timestamps of the frames the buffer hands on, and the keyframe requests it makes."""
    out, plis = [], 0
    for p in packets:
        pli, frame = buffer.add(p)
        plis += pli
        if frame is not None:
            out.append(frame.timestamp)
    return out, plis


def test_a_lost_packet_is_repaired_in_time() -> None:
    """A packet retransmitted within 100 ms (RTP time) of the frames behind it: every frame goes on."""
    video = PromptJitterBuffer(capacity=128, is_video=True)
    first, second, third = _frame(10, 3000, key=True), _frame(12, 6000), _frame(14, 9000)
    out, plis = _feed(video, [*first, second[1], *third, second[0]])  # 12 late, 3000 ticks after
    assert out == [3000, 6000] and plis == 0
    out, _ = _feed(video, _frame(16, 12000))
    assert out == [9000, 12000]  # the frame held behind 6000 goes out with the next packet
    assert video.skipped == 0


def test_a_frame_never_completed_is_given_up_for_the_next_keyframe() -> None:
    """A packet lost for good: the frames behind it wait 100 ms of RTP time (9000 ticks at 90 kHz), then
    the buffer goes on from the key frame it holds; the deltas between could not be decoded and go."""
    video = PromptJitterBuffer(capacity=128, is_video=True)
    packets = _frame(10, 3000, key=True)
    packets.append(_vp8(13, 6000, False, marker=1))  # frame 6000 lost its first packet (12)
    packets += _frame(14, 9000) + _frame(16, 12000, key=True) + _frame(18, 15000)
    out, plis = _feed(video, packets)
    assert out == [3000] and video.skipped == 0  # 15000 is 9000 after 6000: not yet past the wait
    out, plis = _feed(video, _frame(20, 18000))
    assert out[:1] == [12000] and plis == 0 and video.skipped == 1  # no request: a key frame was there
    out2, _ = _feed(video, _frame(22, 21000) + _frame(24, 24000))
    assert out + out2 == [12000, 15000, 18000, 21000, 24000]
    assert _feed(video, [_vp8(12, 6000, True)])[0] == []  # the lost packet, retransmitted too late


def test_with_no_keyframe_held_the_buffer_waits_for_one_and_asks() -> None:
    """A packet lost for good and no key frame behind it: after 100 ms the buffer drops what it holds and
    every packet until a key frame starts, asks the sender for one (a PLI, at most every 300 ms), and goes
    on from it."""
    now = [100.0]
    video = PromptJitterBuffer(capacity=128, is_video=True, clock=lambda: now[0])
    packets = [*_frame(10, 3000, key=True), _vp8(13, 6000, False, marker=1)]
    for n in range(4):
        packets += _frame(14 + 2 * n, 9000 + 3000 * n)
    out, plis = _feed(video, packets)  # the last at 18000: 12000 after the wait began
    assert out == [3000] and plis == 1 and video.skipped == 1
    out, plis = _feed(video, _frame(22, 21000) + _frame(24, 24000))  # deltas: dropped, asked already
    assert out == [] and plis == 0
    now[0] += 0.31
    out, plis = _feed(video, _frame(26, 27000))
    assert out == [] and plis == 1  # still no key frame: asked again
    assert _feed(video, [_vp8(12, 6000, True)]) == ([], 0)  # the lost packet, too late
    out, plis = _feed(video, _frame(28, 30000, key=True) + _frame(30, 33000))
    assert out == [30000, 33000] and plis == 0


def test_a_new_m_line_keeps_aiortcs_extension_ids_when_free() -> None:
    """An aiortc client offers its own m-lines with aiortc's extension ids and reads every m-line of the
    bundle with one map: the SFU's offered m-lines use those same ids, whichever kind comes first, and an
    id the connection already uses for something else is never given again."""
    def line(kind: str) -> SimpleNamespace:
        return SimpleNamespace(_codecs=[], _headerExtensions=list(HEADER_EXTENSIONS[kind]))

    camera, voice = line("video"), line("audio")
    fit_to_bundle(camera, [])  # a camera forwarded before any voice
    fit_to_bundle(voice, [camera])
    ids = {e.uri: e.id for t in (camera, voice) for e in t._headerExtensions}
    assert ids == {e.uri: e.id for kind in ("audio", "video") for e in HEADER_EXTENSIONS[kind]}
    taken = line("audio")
    taken._headerExtensions = [RTCRtpHeaderExtensionParameters(id=3, uri="urn:example:other")]
    late = line("video")
    fit_to_bundle(late, [taken])
    got = {e.uri: e.id for e in late._headerExtensions}
    assert got["http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"] not in (3, got["urn:ietf:params:rtp-hdrext:sdes:mid"])


def test_the_reason_a_transport_ended() -> None:
    """What the SFU logs (and the bench prints) when a connection closes by itself: the remote end's DTLS
    close_notify, ICE consent expired, or the exception a packet's handler raised, with where."""
    def caught(f: Any) -> BaseException:
        try:
            f()
        except BaseException as exc:
            return exc
        raise AssertionError("nothing raised")

    def _recv_next() -> None:
        raise ConnectionError

    def recvfrom() -> None:
        raise ConnectionError("Connection lost while receiving data")

    def get() -> None:
        struct.unpack("!B", b"\x00\x01\x02")

    consent_over = SimpleNamespace(transport=SimpleNamespace(_connection=SimpleNamespace(_query_consent_task=None)))
    checking = SimpleNamespace(transport=SimpleNamespace(_connection=SimpleNamespace(_query_consent_task=object())))
    assert _close_reason(checking, caught(_recv_next)).startswith("DTLS close_notify from the remote end")  # type: ignore[arg-type]
    assert _close_reason(consent_over, caught(recvfrom)).startswith("ICE consent expired")  # type: ignore[arg-type]
    lost = _close_reason(checking, caught(recvfrom))  # type: ignore[arg-type]
    assert lost.startswith("ConnectionError: Connection lost while receiving data") and "recvfrom" in lost
    error = _close_reason(checking, caught(get))  # type: ignore[arg-type]
    assert error.startswith("error: unpack requires a buffer of 1 bytes") and "test_calls_sfu.py" in error

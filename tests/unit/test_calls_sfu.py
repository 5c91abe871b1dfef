"""The calls SFU's SDP rewrite for ICEHostOverride (the public address behind NAT), the STUN servers its
peer connections use (only configured ones: never aiortc's default), its data channel
message encoding (calls-common's flat msgpack: type, then payload), and the gate that starts forwarded
encoded video at a keyframe."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import av
import msgspec
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from chinwag.plugin.bundled.calls.server.sfu import (
    DC_LOCK,
    DC_MEDIA_MAP,
    DC_PONG,
    SFU,
    GatedTrack,
    RTCSettings,
    Session,
    Source,
    dc_message,
    dc_type,
    is_keyframe,
    stun_urls,
)

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
    """A video track that gives encoded VP8 frames (as the SFU's receivers hand them on), then ends."""

    kind = "video"

    def __init__(self, frames: list[bytes], hooks: dict[int, Callable[[], None]]) -> None:
        super().__init__()
        self.queue = list(frames)
        self.hooks, self.n = hooks, 0

    async def recv(self) -> av.Packet:
        await asyncio.sleep(0)
        if not self.queue:
            self.stop()
            raise MediaStreamError
        self.hooks.get(self.n, lambda: None)()
        self.n += 1
        return av.Packet(self.queue.pop(0))


class _Receiver:
    """What Source.request_keyframe uses of an RTCRtpReceiver: the sender's SSRCs and the PLI."""

    def __init__(self) -> None:
        self._RTCRtpReceiver__remote_streams = {4242: None}
        self.plis: list[int] = []

    async def _send_rtcp_pli(self, ssrc: int) -> None:
        self.plis.append(ssrc)


KEY, DELTA = b"\x10key", b"\x11delta"  # VP8 frame tag: bit 0 clear on a key frame


async def test_forwarded_video_starts_and_resumes_at_a_keyframe() -> None:
    assert is_keyframe(av.Packet(KEY)) and not is_keyframe(av.Packet(DELTA))
    session = Session("conn", "user", "channel", pc=None)  # type: ignore[arg-type]
    session.video_on = True
    receiver = _Receiver()
    def camera_on() -> None:
        session.video_on = True

    # frames 0–3 flow; the camera is off for frame 4 and on again from frame 5
    track = _Packets([DELTA, DELTA, KEY + b"1", DELTA + b"2", DELTA + b"4", DELTA + b"5", KEY + b"6", DELTA + b"7"],
                     {5: camera_on})
    source = Source(session, track, MediaRelay(), "video", receiver)  # type: ignore[arg-type]
    gated = GatedTrack(source)
    # the deltas before the first keyframe are held back, and the sender is asked for a keyframe
    assert bytes(await gated.recv()) == KEY + b"1"
    assert receiver.plis == [4242]  # once: further requests within 300 ms are not sent again
    assert bytes(await gated.recv()) == DELTA + b"2"
    # camera off: frame 4 does not pass; on again, frame 5 (a delta) is held back until the keyframe
    session.video_on = False
    assert bytes(await gated.recv()) == KEY + b"6"
    assert bytes(await gated.recv()) == DELTA + b"7"
    gated.stop()

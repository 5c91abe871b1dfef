"""The calls SFU's SDP rewrite for ICEHostOverride (the public address behind NAT) and its data channel
message encoding (calls-common's flat msgpack: type, then payload)."""

from __future__ import annotations

import msgspec

from chinwag.plugin.bundled.calls.server.sfu import (
    DC_LOCK,
    DC_MEDIA_MAP,
    DC_PONG,
    SFU,
    RTCSettings,
    dc_message,
    dc_type,
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


def test_data_channel_messages() -> None:
    assert dc_message(DC_PONG) == bytes([DC_PONG])
    assert dc_message(DC_LOCK, True) == bytes([DC_LOCK]) + msgspec.msgpack.encode(True)
    media = {"1": {"type": "voice", "sender_id": "x" * 26}}
    msg = dc_message(DC_MEDIA_MAP, media)
    assert dc_type(msg) == DC_MEDIA_MAP and msgspec.msgpack.decode(msg[1:]) == media
    assert dc_type(b"") == 0 and dc_type("text") == 0

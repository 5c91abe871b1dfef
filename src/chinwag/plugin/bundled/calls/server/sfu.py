"""The embedded SFU: one aiortc RTCPeerConnection per call session (a participant's connection), each
participant's voice (and screen and camera, while on) forwarded to the others.

Each incoming track's encoded frames (Opus, VP8) are fanned out (one ``MediaRelay`` per source) to a
sender per receiver that packs them into RTP again, without decoding or encoding (see "forwarding without
decoding" below); a muted sender's frames (a screen not shared, a camera off) are dropped before the
senders, so nothing of theirs goes out. Signalling is the calls plugin's: the client offers first (its
data channel), the server answers, and the server offers again whenever it has a new track for that
client (a ``signal`` event each way); a client's offer with new ICE credentials restarts ICE
(``ice_restart``).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import fractions
import json
import logging
import os
import re
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aioice.ice
import aiortc.codecs
import aiortc.rtcdtlstransport as aiortc_dtls
import aiortc.rtcpeerconnection as aiortc_pc
import aiortc.rtcrtpreceiver as aiortc_receiver
import av
import msgspec
import pylibsrtp
from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCDtlsTransport,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.contrib.media import MediaRelay
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters
from aiortc.rtp import RtcpSrPacket
from aiortc.sdp import candidate_from_sdp

from . import ice_restart
from .speakers import SpeakerSelector, VoiceFanout

# threads under the plugin's address-space limit ----------------------------------------------------------
#
# aiortc runs a decoder thread per receiver, and FFmpeg gives each Opus/VP8 codec context its own threads:
# a call of 10 has some 240 threads. With glibc's 8 MiB default stacks and a malloc arena (64 MiB of
# address space) per thread they reach the plugin runner's RLIMIT_AS (2 GiB) and the process dies
# mid-call, though it uses ~100 MB. Smaller default stacks (for C threads too) and two arenas keep it far
# inside. Done at import: before aiortc starts any thread.
THREAD_STACK = 1024 * 1024


def _small_threads() -> None:
    threading.stack_size(THREAD_STACK)
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 2)  # M_ARENA_MAX
        attr = ctypes.create_string_buffer(256)  # a pthread_attr_t (64 bytes on glibc), with room to spare
        if libc.pthread_attr_init(attr) == 0:
            libc.pthread_attr_setstacksize(attr, ctypes.c_size_t(THREAD_STACK))
            libc.pthread_setattr_default_np(attr)  # threads created without attributes (FFmpeg's)
            libc.pthread_attr_destroy(attr)
    except (OSError, AttributeError):
        pass


_small_threads()

# aiortc's re-offers ------------------------------------------------------------------------------------
#
# aiortc's createOffer gives every m-line its own default payload types and header extension ids again,
# also an m-line the client offered first with its own (a browser's microphone: its audio-level extension
# is id 1, aiortc's mid extension is id 1 too). Browsers refuse such a re-offer ("RTP extension ID
# reassignment not supported"), and in a BUNDLE one id or payload type must mean one thing on every
# m-line. So the SFU keeps what each m-line negotiated and offers it unchanged, and fits a new m-line's
# ids and payload types to those in use on the connection. This process is the calls plugin's own, so the
# SFU is aiortc's only user here.

#: transceiver → (codecs, header extensions) as last negotiated
_NEGOTIATED: weakref.WeakKeyDictionary[RTCRtpTransceiver, tuple[list[Any], list[Any]]] = weakref.WeakKeyDictionary()
#: a transceiver the SFU added → its connection (to fit it to the others)
_PEER: weakref.WeakKeyDictionary[RTCRtpTransceiver, RTCPeerConnection] = weakref.WeakKeyDictionary()
_FITTED: weakref.WeakSet[RTCRtpTransceiver] = weakref.WeakSet()
_build_media = aiortc_pc.create_media_description_for_transceiver


def remember_negotiated(pc: RTCPeerConnection) -> None:
    """After a remote description: each m-line's codecs and extensions as agreed."""
    for t in pc.getTransceivers():
        if t.mid is not None and t._codecs:
            _NEGOTIATED[t] = (list(t._codecs), list(t._headerExtensions))


def _codec_key(c: RTCRtpCodecParameters, rtx_of: Any = None) -> tuple[Any, ...]:
    return (c.mimeType.lower(), c.clockRate, c.channels, rtx_of if rtx_of is not None else
            tuple(sorted((k, str(v)) for k, v in c.parameters.items())))


def fit_to_bundle(t: RTCRtpTransceiver, others: list[RTCRtpTransceiver]) -> None:
    """Give a new m-line the extension ids and payload types the connection already uses for the same
    things, and for the rest its own (aiortc's) when unused, else unused ones.

    Its own ids first: an aiortc client (the bench's peers, the compat tests') offers its microphone and
    camera with aiortc's ids (mid 1, audio level 2, abs-send-time 3) whatever was negotiated before, and
    aiortc keeps one extension map per transport for every m-line of a bundle. Numbered in the order fitted
    instead, a call whose first forwarded m-line was a camera got abs-send-time as 2: the client's map then
    had 2 for both, read a 3-byte abs-send-time as an audio level, and its transport closed on the error."""
    ext_id: dict[str, int] = {}
    pt_key: dict[int, tuple[Any, ...]] = {}
    for o in others:
        for e in o._headerExtensions:
            ext_id.setdefault(e.uri, e.id)
        plain = {c.payloadType: c for c in o._codecs if c.mimeType.lower().split("/")[1] != "rtx"}
        for c in o._codecs:
            if c.payloadType is None:
                continue
            apt = c.parameters.get("apt")
            base = plain.get(apt) if isinstance(apt, int) else None
            pt_key.setdefault(c.payloadType, _codec_key(c, _codec_key(base) if base else None)
                              if c.mimeType.lower().endswith("/rtx") else _codec_key(c))
    taken = set(ext_id.values())
    extensions = []
    for e in t._headerExtensions:
        if e.uri not in ext_id:
            ext_id[e.uri] = e.id if e.id and e.id not in taken else next(i for i in range(1, 15) if i not in taken)
            taken.add(ext_id[e.uri])
        extensions.append(RTCRtpHeaderExtensionParameters(id=ext_id[e.uri], uri=e.uri))
    by_key = {k: pt for pt, k in pt_key.items()}
    remap: dict[int, int] = {}
    codecs = []
    rtx = [c for c in t._codecs if c.mimeType.lower().endswith("/rtx")]
    for c in [c for c in t._codecs if c not in rtx] + rtx:
        apt = c.parameters.get("apt")
        if c in rtx:
            if not isinstance(apt, int) or apt not in remap:
                continue
            base = next(b for b in t._codecs if b.payloadType == apt)
            key = _codec_key(c, _codec_key(base))
            params = {**c.parameters, "apt": remap[apt]}
        else:
            key, params = _codec_key(c), dict(c.parameters)
        pt = by_key.get(key)
        if pt is None:
            pt = c.payloadType if c.payloadType is not None and c.payloadType not in pt_key else \
                next(p for p in range(96, 128) if p not in pt_key)
        pt_key[pt] = key
        by_key[key] = pt
        if c.payloadType is not None:
            remap[c.payloadType] = pt
        codecs.append(RTCRtpCodecParameters(mimeType=c.mimeType, clockRate=c.clockRate, channels=c.channels,
                                            payloadType=pt, rtcpFeedback=list(c.rtcpFeedback), parameters=params))
    t._codecs, t._headerExtensions = codecs, extensions


def _media_for_transceiver(transceiver: RTCRtpTransceiver, cname: str, direction: str, mid: str) -> Any:
    negotiated = _NEGOTIATED.get(transceiver)
    if negotiated is not None:
        transceiver._codecs, transceiver._headerExtensions = list(negotiated[0]), list(negotiated[1])
    elif (pc := _PEER.get(transceiver)) is not None:
        fit_to_bundle(transceiver, [o for o in pc.getTransceivers() if o is not transceiver
                                    and (o in _NEGOTIATED or o in _FITTED)])
        _FITTED.add(transceiver)
    return _build_media(transceiver, cname=cname, direction=direction, mid=mid)


aiortc_pc.create_media_description_for_transceiver = _media_for_transceiver

# forwarding without decoding --------------------------------------------------------------------------
#
# aiortc hands a received track out only as decoded frames: each RTCRtpReceiver reassembles the RTP
# packets into encoded frames (its jitter buffer) and a decoder thread per receiver decodes them; its
# RTCRtpSender encodes what a track gives it, unless the track gives encoded ``av.Packet``s, which it only
# packetizes (``Encoder.pack``). The SFU forwards the encoded frames: the receiver's frames go to its
# track as ``av.Packet``s (no decoder thread, no decode), and each receiver's sender packs them into RTP
# of its own (its SSRC, sequence numbers, timestamps, SRTP) — no Opus or VP8 encode per receiver.
# For that the two ends of every forwarded stream must use one codec: Opus is every client's first audio
# codec; video is offered and accepted as VP8 only (aiortc's other video codec, H.264, is dropped from
# its list in this process). A receiver that starts or resumes a video stream needs a keyframe: the gate
# holds delta frames back until one comes and asks the sender for it (an RTCP PLI), and a receiver's own
# PLI to the SFU is passed on to the sender the same way. The receivers' jitter buffers hand a frame on as
# soon as it is whole (PromptJitterBuffer), not when the next one starts, and do not wait for four audio
# packets first (aiortc's prefetch for decoding): an audio packet goes out as soon as it is in.

def _no_decoder(loop: Any, input_q: Any, output_q: Any, decode_error: Any) -> None:
    """The decoder thread aiortc starts per receiver: nothing to decode, it ends at once."""


_receive = RTCRtpReceiver.receive
#: keyframe requests on their way
_PLIS: set[asyncio.Task[None]] = set()
_send_keyframe = RTCRtpSender._send_keyframe
_PASSTHROUGH = False


async def _receive_encoded(self: RTCRtpReceiver, parameters: Any) -> None:
    started = self._RTCRtpReceiver__started  # type: ignore[attr-defined]
    await _receive(self, parameters)
    if started or self._track is None:
        return
    out = self._track._queue
    receiver = self
    video = self._track.kind == "video"

    def deliver(task: Any) -> None:
        # called on the event loop by the receiver with each reassembled frame, and None when it stops;
        # a voice goes to its fan-out (the receivers that get it now, see speakers.py), the rest to the track
        voice = None if video else _VOICE.get(receiver)
        if task is None:
            out.put_nowait(None)
            if voice is not None:
                voice.end()
            return
        codec, frame = task
        packet = av.Packet(frame.data)
        packet.pts = frame.timestamp
        packet.time_base = fractions.Fraction(1, codec.clockRate)
        if LATENCY is not None:
            packet.opaque = LATENCY.arrival
        if voice is not None:
            level = getattr(frame, "level", None)
            voice.push(packet, level[1] if level else None, time.monotonic())
        else:
            out.put_nowait(packet)

    self._RTCRtpReceiver__decoder_queue.put = deliver  # type: ignore[attr-defined]
    self._RTCRtpReceiver__jitter_buffer = PromptJitterBuffer(capacity=512 if video else 16,  # type: ignore[attr-defined]
                                                             is_video=video)


#: an audio receiver → the fan-out of the voice it receives (the SFU's voices; see speakers.py)
_VOICE: weakref.WeakKeyDictionary[RTCRtpReceiver, VoiceFanout] = weakref.WeakKeyDictionary()


class VoiceFrame(JitterFrame):
    """An audio frame with the level its sender put in the packet (RFC 6464: (voice activity, −dBov), or
    None without the extension)."""

    def __init__(self, data: bytes, timestamp: int, level: tuple[bool, int] | None) -> None:
        super().__init__(data, timestamp)
        self.level = level


#: how far (RTP time, VP8's 90 kHz: 100 ms) the newest packet of a video stream may run ahead of the frame
#: the buffer waits for before that frame is given up
STALE_TICKS = 9000
#: at most one keyframe request (PLI) per this many seconds from a buffer that dropped frames
PLI_INTERVAL = 0.3


def _ts_after(a: int, b: int) -> int:
    """How far RTP timestamp ``a`` is after ``b`` (32-bit, wrapping; negative when before)."""
    d = (a - b) & 0xFFFFFFFF
    return d - (1 << 32) if d >= 1 << 31 else d


def _seq_after(a: int, b: int) -> bool:
    return 0 < (a - b) & 0xFFFF < 0x8000


def starts_keyframe(packet: Any) -> bool:
    """The first packet of a VP8 key frame: its payload descriptor starts partition 0 (RFC 7741 §4.2, the
    S bit) and the frame tag's bit 0 is 0 (RFC 6386 §9.1)."""
    payload = packet.payload
    if not payload:
        return False
    try:
        descriptor, data = VpxPayloadDescriptor.parse(payload)
    except ValueError:
        return False
    return bool(descriptor.partition_start) and descriptor.partition_id == 0 and bool(data) and not data[0] & 1


class PromptJitterBuffer(JitterBuffer):
    """Hands a frame on as soon as it is whole. aiortc's buffer (made for its decoder) knows a frame is
    whole only when the next frame's first packet comes, so every forwarded frame waited one frame time
    there: 20 ms of audio, a video frame's interval. Here an audio packet is a frame of its own (an Opus
    frame per RTP packet) and goes on at once, in the order packets come (the receiver's own jitter buffer
    orders by timestamp); a video frame goes on at its last packet (the RTP marker bit) when none before it
    is missing, and otherwise as aiortc's does.

    A video packet lost for good (its retransmission lost too) would hold everything behind it in aiortc's
    buffer until 512 packets had come (seconds of a camera, at every receiver). Here a frame still
    incomplete when packets 100 ms (RTP time) newer have come is given up: the buffer goes on from the next
    key frame it holds, or, with none, drops what it holds and every packet until a new key frame starts,
    and asks the sender for one (``add`` says so, at most every 300 ms). The frames after a lost one could
    not be decoded anyway (VP8's deltas refer to the frames before), so a lost packet costs the receivers a
    short freeze."""

    def __init__(self, capacity: int, prefetch: int = 0, is_video: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(capacity, prefetch=prefetch, is_video=is_video)
        self._clock = clock
        #: the RTP timestamp of the first packet added since a frame last went out (None: none since)
        self._waiting_since: int | None = None
        #: dropping packets until a key frame starts after this sequence number (None: not dropping)
        self._key_after: int | None = None
        #: the newest sequence number added
        self._newest: int | None = None
        self._last_pli = float("-inf")
        #: frames given up (counted as their first timestamps skipped), for the logs and the tests
        self.skipped = 0

    def add(self, packet: Any) -> tuple[bool, JitterFrame | None]:
        if not self._is_video:
            return False, VoiceFrame(packet._data, packet.timestamp, packet.extensions.audio_level)
        seq = packet.sequence_number
        if self._newest is None or _seq_after(seq, self._newest):
            self._newest = seq
        if self._key_after is not None:
            if not (_seq_after(seq, self._key_after) and starts_keyframe(packet)):
                return self._pli_due(), None
            self._key_after = None
            self._origin = None
        pli, frame = super().add(packet)
        if frame is not None:
            self._waiting_since = None
            return pli, frame
        if self._waiting_since is None:
            self._waiting_since = packet.timestamp
        elif _ts_after(packet.timestamp, self._waiting_since) > STALE_TICKS:
            return self._skip(pli)
        return pli, None

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        packets: list[Any] = []
        for count in range(self.capacity):
            packet = self._packets[(self._origin + count) % self.capacity] if self._origin is not None else None
            if packet is None or (packets and packet.timestamp != packets[0].timestamp):
                break
            packets.append(packet)
            if packet.marker:
                self.remove(count + 1)
                return JitterFrame(data=b"".join(p._data for p in packets), timestamp=packets[0].timestamp)
        return super()._remove_frame(sequence_number)

    def _pli_due(self) -> bool:
        now = self._clock()
        if now - self._last_pli < PLI_INTERVAL:
            return False
        self._last_pli = now
        return True

    def _skip(self, pli: bool) -> tuple[bool, JitterFrame | None]:
        """Give up the frame waited for: on from the next key frame held, else wait for a new one."""
        assert self._origin is not None
        for count in range(1, self.capacity):
            packet = self._packets[(self._origin + count) % self.capacity]
            if packet is not None and starts_keyframe(packet):
                self.skipped += 1
                self.remove(count)
                frame = self._remove_frame(packet.sequence_number)
                self._waiting_since = None if frame is not None else packet.timestamp
                return pli, frame
        self.skipped += 1
        self._packets = [None] * self.capacity
        self._origin = None
        self._waiting_since = None
        self._key_after = self._newest
        return self._pli_due() or pli, None


def _keyframe_requested(self: RTCRtpSender) -> None:
    """A receiver lost a picture (its PLI to the SFU): the keyframe must come from the sender."""
    _send_keyframe(self)
    track = self.track
    if isinstance(track, GatedTrack):
        track.source.request_keyframe()


# idle senders send no reports ----------------------------------------------------------------------------
#
# aiortc's senders each send an RTCP sender report (and SDES) every 0.5–1.5 s whether or not they sent
# anything since the last one. A receiver has an m-line for every other participant's voice, so a call of N
# has N·(N−1) audio senders in the SFU, most of them idle at any moment (muted voices, voices not among the
# loudest, cameras and screens off): some N² reports a second that say nothing. A sender that has sent no
# packet since its last report skips it (RFC 3550 §6.4: a report is about what was sent; the receivers'
# own reports go on); the first report, and every one after new packets, goes out as before.
_REPORTED: weakref.WeakKeyDictionary[RTCRtpSender, int] = weakref.WeakKeyDictionary()
_send_rtcp = RTCRtpSender._send_rtcp


async def _send_rtcp_unless_idle(self: RTCRtpSender, packets: list[Any]) -> None:
    if packets and isinstance(packets[0], RtcpSrPacket):
        count = packets[0].sender_info.packet_count
        if _REPORTED.get(self) == count:
            return
        _REPORTED[self] = count
    await _send_rtcp(self, packets)


# why a connection closed ----------------------------------------------------------------------------------
#
# aiortc's DTLS transport ends on any ConnectionError met while it receives — the remote end's close_notify,
# the ICE connection closing or losing its socket, or one raised in a packet's handler — and says nothing;
# the peer connection then closes. Here it keeps the reason (``close_reason``) for the log.
log = logging.getLogger(__name__)


def _close_reason(dtls: RTCDtlsTransport, exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{os.path.basename(frame.filename)}:{frame.lineno} {frame.name}"
    if frame.name == "_recv_next" and not str(exc):
        return f"DTLS close_notify from the remote end ({where})"
    connection = getattr(dtls.transport, "_connection", None)
    if frame.name == "recvfrom" and connection is not None and connection._query_consent_task is None:
        # aioice drops its consent task just before it closes on 6 consent checks unanswered (RFC 7675)
        return f"ICE consent expired: the remote end answered none of its last consent checks ({where})"
    return f"{type(exc).__name__}: {exc} ({where})"


async def _dtls_run(self: RTCDtlsTransport) -> None:
    try:
        while True:
            await self._recv_next()
    except ConnectionError as exc:
        self.close_reason = _close_reason(self, exc)  # type: ignore[attr-defined]
        for receiver in self._rtp_router.receivers:
            receiver._handle_disconnect()
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        self.close_reason = _close_reason(self, exc)  # type: ignore[attr-defined]
        aiortc_dtls.logger.warning("RTCDtlsTransport: %s", traceback.format_exc())
        raise
    finally:
        self._set_state(aiortc_dtls.State.CLOSED)


def close_reason(pc: RTCPeerConnection) -> str | None:
    """Why a peer connection's transport closed by itself (None: it did not, or it was closed)."""
    for t in pc.getTransceivers():
        reason = getattr(t.receiver.transport, "close_reason", None)
        if reason:
            return str(reason)
    sctp = pc.sctp
    return getattr(sctp.transport, "close_reason", None) if sctp is not None else None


def install_passthrough() -> None:
    """Forward encoded frames in this process (the calls plugin's own: the SFU is aiortc's only user)."""
    global _PASSTHROUGH
    if _PASSTHROUGH:
        return
    _PASSTHROUGH = True
    RTCDtlsTransport._RTCDtlsTransport__run = _dtls_run  # type: ignore[attr-defined]
    aiortc_receiver.decoder_worker = _no_decoder
    RTCRtpReceiver.receive = _receive_encoded  # type: ignore[method-assign]
    RTCRtpSender._send_keyframe = _keyframe_requested  # type: ignore[method-assign]
    RTCRtpSender._send_rtcp = _send_rtcp_unless_idle  # type: ignore[method-assign]
    from . import simulcast

    simulcast.install()
    video = aiortc.codecs.CODECS["video"]
    vp8 = {c.payloadType for c in video if c.mimeType.lower() == "video/vp8"}
    video[:] = [c for c in video if c.mimeType.lower() == "video/vp8"
                or (c.mimeType.lower() == "video/rtx" and c.parameters.get("apt") in vp8)]


# added latency, when asked for ---------------------------------------------------------------------------
#
# With CHINWAG_CALLS_LATENCY_FILE set (a path) in the plugin's environment, the SFU times every packet it
# forwards: from the arrival of its datagram (aioice takes it off the socket) to its copy for one receiver
# leaving (packed, encrypted and sent; for a video frame, its first packet) — the queues, the decryption,
# the reassembly, the fan-out and the sender's turn on the event loop in between. The counts (a histogram in
# µs, cumulative: ``us`` every forwarded packet, ``video_us`` the video frames among them) go to that file
# every half second; bench/calls.py reads them. Off by default: then
# nothing is timed and none of the hooks below is installed.
LATENCY_FILE = "CHINWAG_CALLS_LATENCY_FILE"


class _Stamped(bytes):
    """A datagram with the time it arrived (``time.perf_counter``)."""

    t = 0.0


class LatencyLog:
    def __init__(self, path: str) -> None:
        self.path = path
        self.counts: dict[int, int] = {}
        #: the video frames' share of ``counts`` (their first packets)
        self.video: dict[int, int] = {}
        self.total = 0
        #: when the datagram being decrypted now arrived (set by the decryption, read as its frame is handed on)
        self.arrival = 0.0
        #: when the frame a sender is about to send arrived (read by the send that follows without a pause)
        self.sending = 0.0
        #: whether that frame is video
        self.sending_video = False

    @staticmethod
    def bucket(us: float) -> int:
        """10 µs steps under 1 ms, 100 µs under 100 ms, then 1 ms."""
        step = 10 if us < 1000 else 100 if us < 100_000 else 1000
        return int(us) // step * step

    def add(self, seconds: float, video: bool = False) -> None:
        b = self.bucket(seconds * 1e6)
        self.counts[b] = self.counts.get(b, 0) + 1
        self.total += 1
        if video:
            self.video[b] = self.video.get(b, 0) + 1

    def write(self) -> None:
        tmp = self.path + ".tmp"
        out: dict[str, Any] = {"count": self.total, "us": self.counts}
        if self.video:
            out["video_us"] = self.video
        with open(tmp, "w") as f:
            json.dump(out, f)
        os.replace(tmp, self.path)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self.write()


LATENCY: LatencyLog | None = None


def install_latency(path: str) -> LatencyLog:
    """Time the forwarded packets (see above); the hooks go into this process's aioice, libsrtp and aiortc."""
    global LATENCY
    if LATENCY is not None:
        return LATENCY
    log = LATENCY = LatencyLog(path)

    def data_received(self: aioice.ice.Connection, data: bytes, component: int) -> None:
        stamped = _Stamped(data)
        stamped.t = time.perf_counter()
        self._queue.put_nowait((stamped, component))

    unprotect = pylibsrtp.Session.unprotect

    def unprotect_stamped(self: pylibsrtp.Session, packet: bytes) -> bytes:
        log.arrival = getattr(packet, "t", 0.0)  # its frame is handed on before anything else runs
        return unprotect(self, packet)

    next_frame = RTCRtpSender._next_encoded_frame

    async def next_frame_timed(self: RTCRtpSender, codec: Any) -> Any:
        frame = await next_frame(self, codec)
        track = self.track
        if frame is not None and isinstance(track, GatedTrack):
            log.sending = track.arrival  # _run_rtp sends its first packet right away, nothing in between
            log.sending_video = track.kind == "video"
        return frame

    send_rtp = RTCDtlsTransport._send_rtp

    async def send_rtp_timed(self: RTCDtlsTransport, data: bytes) -> None:
        arrived, log.sending = log.sending, 0.0
        await send_rtp(self, data)
        if arrived:
            log.add(time.perf_counter() - arrived, log.sending_video)

    aioice.ice.Connection.data_received = data_received  # type: ignore[method-assign]
    pylibsrtp.Session.unprotect = unprotect_stamped  # type: ignore[method-assign]
    RTCRtpSender._next_encoded_frame = next_frame_timed  # type: ignore[method-assign]
    RTCDtlsTransport._send_rtp = send_rtp_timed  # type: ignore[method-assign]
    return log


def is_keyframe(packet: Any) -> bool:
    """A VP8 frame's tag: bit 0 of the first byte is 0 for a key frame (RFC 6386 §9.1)."""
    data = bytes(packet)
    return bool(data) and not data[0] & 0x01


@dataclass
class RTCSettings:
    """The SFU's part of the plugin settings."""

    udp_address: str = ""
    port_min: int = 0
    port_max: int = 0
    ice_host_override: str = ""
    #: the STUN servers the SFU asks for its public address (server-reflexive candidates): only those
    #: configured (``stun_urls``), never aiortc's built-in default (Google's), so a call sends nothing to a
    #: third party unless told to
    stun_urls: tuple[str, ...] = ()
    #: each receiver gets the voices of this many loudest speakers (speakers.py); 0: every voice
    max_speakers: int = 3

    def ice_servers(self) -> list[RTCIceServer]:
        return [RTCIceServer(urls=list(self.stun_urls))] if self.stun_urls else []


def stun_urls(ice_servers: list[dict[str, Any]], ice_host_override: str) -> tuple[str, ...]:
    """The ``stun:`` URLs of ICEServersConfigs, for the SFU's own public address, as Mattermost's rtcd asks
    the configured STUN server for it when ICEHostOverride is empty; with an override, none."""
    if ice_host_override:
        return ()
    return tuple(u for server in ice_servers for u in server_urls(server) if u.startswith("stun:"))


def server_urls(server: dict[str, Any]) -> list[str]:
    """An RTCIceServer's ``urls``: one URL or a list of them."""
    urls = server.get("urls")
    if isinstance(urls, str):
        return [urls]
    return [u for u in urls if isinstance(u, str)] if isinstance(urls, list) else []


@dataclass
class Source:
    """A track a participant sends: its voice (the first audio track), its screen or its camera (video
    tracks; ``kind`` says which, as in the media map)."""

    session: Session
    track: MediaStreamTrack
    relay: MediaRelay
    kind: str = "voice"
    #: the receiver the track comes in on (to ask the sender for a keyframe)
    receiver: RTCRtpReceiver | None = None
    last_pli: float = 0.0
    #: a voice: who gets its packets now (the loudest speakers'; speakers.py)
    fanout: VoiceFanout | None = None

    @property
    def key(self) -> str:
        return f"{self.session.conn_id}/{self.track.id}"

    def flowing(self) -> bool:
        """Voice while the sender is unmuted; screen while it shares its screen; camera while its video is
        on."""
        if self.kind == "voice":
            return self.session.unmuted
        return self.session.screen_on if self.kind == "screen" else self.session.video_on

    def request_keyframe(self) -> None:
        """Ask the sender for a keyframe (an RTCP PLI), at most every 300 ms."""
        now = time.monotonic()
        if self.receiver is None or self.track.kind != "video" or now - self.last_pli < 0.3:
            return
        self.last_pli = now
        streams = self.receiver._RTCRtpReceiver__remote_streams  # type: ignore[attr-defined]
        loop = asyncio.get_running_loop()
        for ssrc in list(streams):
            task = loop.create_task(self.receiver._send_rtcp_pli(ssrc))
            _PLIS.add(task)
            task.add_done_callback(_PLIS.discard)


#: frames a receiver's sender may fall behind its source before the oldest are dropped (1 s of audio)
BACKLOG = 50


class GatedTrack(MediaStreamTrack):
    """A source as one receiver gets it: frames pass while the source flows. Encoded video (see
    forwarding above) starts, and resumes after a pause, at a keyframe: the frames before it could not
    be decoded by the receiver.

    Each receiver has a queue of its own (a buffered relay): when the event loop comes back after a pause
    (a busy machine) with several datagrams of a source waiting, they are all handed on before any sender
    runs, and an unbuffered relay keeps only the last of them for each receiver — the others were lost."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.kind = source.track.kind
        self.source = source
        self.frames = source.relay.subscribe(source.track, buffered=True)
        self.need_keyframe = self.kind == "video"
        #: when the frame last handed to the sender arrived (timed only with LATENCY)
        self.arrival = 0.0

    async def recv(self) -> Any:
        while True:
            backlog = getattr(self.frames, "_queue", None)
            while backlog is not None and backlog.qsize() > BACKLOG:
                if backlog.get_nowait() is None:  # the source ended
                    self.frames.stop()
                    raise MediaStreamError
            frame = await self.frames.recv()
            if not self.source.flowing():
                self.need_keyframe = self.kind == "video"
                continue
            if self.need_keyframe and isinstance(frame, av.Packet):
                if not is_keyframe(frame):
                    self.source.request_keyframe()
                    continue
                self.need_keyframe = False
            if LATENCY is not None:
                self.arrival = getattr(frame, "opaque", None) or 0.0
            return frame


class VoiceTrack(GatedTrack):
    """A voice as one receiver gets it: the packets its fan-out hands this receiver, only while the voice
    is one of the loudest and its speaker unmuted (speakers.py). Otherwise nothing, as a muted voice."""

    def __init__(self, source: Source, to: str) -> None:
        MediaStreamTrack.__init__(self)
        assert source.fanout is not None
        self.kind = "audio"
        self.source = source
        self.need_keyframe = False
        self.arrival = 0.0
        self.out = source.fanout.subscribe(to)

    async def recv(self) -> Any:
        frame = await self.out.queue.get()
        if frame is None:  # the voice ended
            raise MediaStreamError
        if LATENCY is not None:
            self.arrival = getattr(frame, "opaque", None) or 0.0
        return frame

    def stop(self) -> None:
        super().stop()
        self.out.close()


@dataclass
class Session:
    conn_id: str
    user_id: str
    channel_id: str
    pc: RTCPeerConnection
    unmuted: bool = False
    screen_on: bool = False
    video_on: bool = False
    #: the screen's stream id (``screenStreamID`` of ``screen_on``): a video track in it is the screen
    screen_stream: str = ""
    sources: list[Source] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    renegotiate: bool = False
    negotiated: bool = False
    #: the client holds the signalling lock (taken over the data channel before it adds a track)
    client_locked: bool = False
    channel: Any = None
    forwarded: set[str] = field(default_factory=set)
    #: a participant of a Janus call whose streams the Janus bridge brings in (no connection of its own here)
    remote: bool = False
    #: others' tracks waiting for this session's next offer
    pending: list[Source] = field(default_factory=list)
    #: the client's ICE credentials as last offered (a new ``ice-ufrag`` in an offer is an ICE restart)
    remote_ufrag: str = ""
    #: the ICE restart under way, and candidates trickled for credentials not offered yet
    restart: ice_restart.IceRestart | None = None
    restart_task: asyncio.Task[bool] | None = None
    early_candidates: dict[str, list[Any]] = field(default_factory=dict)


Signal = Callable[[str, dict[str, Any]], None]

# calls-common's data channel messages: a msgpack type, then (for some) a msgpack payload
DC_PING, DC_PONG, DC_SDP, DC_LOSS_RATE, DC_RTT, DC_JITTER, DC_LOCK, DC_UNLOCK, DC_MEDIA_MAP = range(1, 10)


def dc_message(kind: int, payload: Any = None) -> bytes:
    """One data channel message: the type, then the payload as a msgpack value (a bool for a lock
    answer, a map for the media map)."""
    head = msgspec.msgpack.encode(kind)
    return head if payload is None else head + msgspec.msgpack.encode(payload)


def dc_type(data: bytes | str) -> int:
    """The type of a client's data channel message (a positive fixint in the first byte)."""
    return data[0] if isinstance(data, bytes) and data and data[0] < 0x80 else 0


class SFU:
    def __init__(self, settings: RTCSettings, signal: Signal) -> None:
        self.settings = settings
        self.signal = signal
        self.sessions: dict[str, Session] = {}
        #: channel id → its call's loudest speakers
        self.speakers: dict[str, SpeakerSelector] = {}
        self._patched = False
        #: told of every participant's new source (the Janus bridge publishes an app's into the room)
        self.on_source: Callable[[Source], None] | None = None
        self._latency_task: asyncio.Task[None] | None = None

    def configure(self, settings: RTCSettings) -> None:
        self.settings = settings
        for selector in self.speakers.values():
            selector.set_k(settings.max_speakers)
        self._install_network()
        install_passthrough()
        path = os.environ.get(LATENCY_FILE, "")
        if path and self._latency_task is None:
            self._latency_task = asyncio.get_running_loop().create_task(install_latency(path).run())

    # network settings ----------------------------------------------------------------------------

    def _install_network(self) -> None:
        """UDPServerAddress and the UDP port range, applied to aioice's host candidates. This process is
        the calls plugin's own, so the SFU is the only user of aioice and of datagram endpoints here."""
        if self._patched:
            return
        self._patched = True
        original_addresses = aioice.ice.get_host_addresses

        def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
            if self.settings.udp_address:
                return [self.settings.udp_address]
            return list(original_addresses(use_ipv4, use_ipv6))

        aioice.ice.get_host_addresses = host_addresses
        loop = asyncio.get_running_loop()
        original_endpoint = loop.create_datagram_endpoint

        async def endpoint(factory: Any, local_addr: Any = None, **kw: Any) -> Any:
            lo, hi = self.settings.port_min, self.settings.port_max
            if local_addr is None or local_addr[1] != 0 or not (0 < lo <= hi):
                return await original_endpoint(factory, local_addr=local_addr, **kw)
            last: OSError | None = None
            for port in range(lo, hi + 1):
                try:
                    return await original_endpoint(factory, local_addr=(local_addr[0], port), **kw)
                except OSError as e:
                    last = e
            raise last or OSError("no free UDP port in the range")

        loop.create_datagram_endpoint = endpoint  # type: ignore[method-assign,assignment]

    def _public(self, sdp: str) -> str:
        """ICEHostOverride: the host candidates' address as clients must reach it (behind NAT)."""
        host = self.settings.ice_host_override
        if not host:
            return sdp
        return re.sub(r"^(a=candidate:\S+ \d+ udp \d+ )(\S+)( \d+ typ host)", lambda m: m[1] + host + m[3], sdp,
                      flags=re.M)

    # sessions --------------------------------------------------------------------------------------

    def join(self, conn_id: str, user_id: str, channel_id: str) -> Session:
        # one transport for everything, as the apps' browsers and WebRTC stacks bundle
        pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
                                                iceServers=self.settings.ice_servers()))
        s = Session(conn_id, user_id, channel_id, pc)
        self.sessions[conn_id] = s

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "audio" and any(x.track.kind == "audio" for x in s.sources):
                return
            kind = "voice" if track.kind == "audio" else self._video_kind(s, track)
            if kind == "":
                return
            receiver = next((t.receiver for t in pc.getTransceivers() if t.receiver.track is track), None)
            source = Source(s, track, MediaRelay(), kind, receiver)
            if kind == "voice" and receiver is not None:
                source.fanout = _VOICE[receiver] = VoiceFanout(s.conn_id, self._speakers(s.channel_id),
                                                               lambda: s.unmuted)
            s.sources.append(source)
            for other in self._others(s):
                self._forward(source, other)
            if self.on_source is not None:
                self.on_source(source)

        @pc.on("datachannel")
        def on_datachannel(channel: Any) -> None:
            s.channel = channel
            channel.on("message", lambda data: self._dc_message(s, dc_type(data)))
            # an offer made before the channel was open had its media map held back: it goes now
            if channel.readyState == "open":
                self._send_media_map(s)
            else:
                channel.on("open", lambda: self._send_media_map(s))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed") and self.sessions.get(conn_id) is s:
                log.warning("calls: session %s's connection %s while in the call: %s", conn_id,
                            pc.connectionState, close_reason(pc) or "ICE failed")
            if pc.connectionState == "failed":
                await pc.close()
            elif pc.connectionState == "connected":
                # aiortc starts an m-line's sender and receiver only if DTLS is connected when that m-line's
                # description is set: one the SFU offered during the handshake (a late joiner gets the others'
                # tracks at once) never started. Its own start-up step again, now, starts what is missing.
                await pc._RTCPeerConnection__connect()  # type: ignore[attr-defined]

        return s

    @staticmethod
    def _video_kind(s: Session, track: MediaStreamTrack) -> str:
        """Whether a video track the client added is its screen or its camera: the screen is the track in
        the stream ``screen_on`` named (a=msid of its m-line); without a match, a track added while the
        screen is on and has no track is the screen, otherwise the camera. One of each; "" for more."""
        has = {x.kind for x in s.sources}
        stream = ""
        mid = next((t.mid for t in s.pc.getTransceivers() if t.receiver.track is track), None)
        remote = s.pc.remoteDescription
        if mid is not None and remote is not None:
            for section in remote.sdp.split("\r\nm=")[1:]:
                if re.search(rf"^a=mid:{re.escape(mid)}\r?$", section, re.M):
                    m = re.search(r"^a=msid:(\S+)", section, re.M)
                    stream = m[1] if m else ""
        if s.screen_stream and stream == s.screen_stream:
            kind = "screen"
        elif s.screen_on and "screen" not in has and not (s.video_on and "video" not in has
                                                           and stream and s.screen_stream):
            kind = "screen"
        else:
            kind = "video"
        return "" if kind in has else kind

    def _dc_message(self, s: Session, kind: int) -> None:
        """The client's "calls-dc": ping → pong; lock → whether the client may renegotiate now (not
        while the server is offering); unlock → the server offers what waited."""
        if s.channel is None or s.channel.readyState != "open":
            return
        if kind == DC_PING:
            s.channel.send(dc_message(DC_PONG))
        elif kind == DC_LOCK:
            granted = not s.lock.locked() and s.pc.signalingState == "stable" and not s.client_locked
            s.client_locked = s.client_locked or granted
            s.channel.send(dc_message(DC_LOCK, granted))
        elif kind == DC_UNLOCK:
            s.client_locked = False
            if s.renegotiate:
                s.renegotiate = False
                asyncio.get_running_loop().create_task(self._offer(s))

    def _send_media_map(self, s: Session) -> None:
        """Which m-line carries whose voice or screen (calls-common's media map), before the offer."""
        media: dict[str, dict[str, str]] = {}
        for t in s.pc.getTransceivers():
            track = t.sender.track
            if t.mid is not None and isinstance(track, GatedTrack):
                media[t.mid] = {"type": track.source.kind, "sender_id": track.source.session.conn_id}
        if media and s.channel is not None and s.channel.readyState == "open":
            s.channel.send(dc_message(DC_MEDIA_MAP, media))

    def _speakers(self, channel_id: str) -> SpeakerSelector:
        """The call's loudest speakers (one ranking per call)."""
        selector = self.speakers.get(channel_id)
        if selector is None:
            selector = self.speakers[channel_id] = SpeakerSelector(self.settings.max_speakers)
        return selector

    def _others(self, s: Session) -> list[Session]:
        return [o for o in self.sessions.values() if o.channel_id == s.channel_id and o is not s]

    def _forward(self, source: Source, to: Session) -> None:
        """Send ``source`` to ``to``: noted now, added to ``to``'s connection at its next offer."""
        if source.key in to.forwarded:
            return
        to.forwarded.add(source.key)
        to.pending.append(source)
        if to.negotiated:
            asyncio.get_running_loop().create_task(self._offer(to))

    async def _offer(self, s: Session) -> None:
        """Offer the client what it does not have yet. New transceivers are added only here, in a stable
        state: added earlier, aiortc would pair one with the next m-line the client offers."""
        async with s.lock:
            if s.pc.signalingState != "stable" or s.client_locked:
                s.renegotiate = True
                return
            if s.pc.connectionState == "closed" or not s.pending:
                return
            for source in s.pending:
                if source.session.conn_id in self.sessions or source.session.remote:
                    track = VoiceTrack(source, s.conn_id) if source.fanout is not None else self._track_for(source, s)
                    # sendrecv: a client adding its microphone later reuses this m-line (as browsers do)
                    _PEER[s.pc.addTransceiver(track, direction="sendrecv")] = s.pc
            s.pending.clear()
            await s.pc.setLocalDescription(await s.pc.createOffer())
            self._send_media_map(s)
            self.signal(s.conn_id, {"type": "offer", "sdp": self._outgoing(s, s.pc.localDescription.sdp)})

    async def sdp(self, conn_id: str, message: dict[str, Any]) -> None:
        s = self.sessions.get(conn_id)
        if s is None:
            return
        kind, text = str(message.get("type", "")), str(message.get("sdp", ""))
        if kind == "offer":
            ufrag, pwd = ice_restart.ice_credentials(text)
            async with s.lock:
                restart = None
                if s.remote_ufrag and ufrag and ufrag != s.remote_ufrag and s.pc.signalingState == "stable":
                    # the client's network path broke and it restarts ICE (new credentials in its offer):
                    # a new ICE session under the same peer connection, answered with our new credentials
                    restart = await ice_restart.begin(s.pc)
                    if restart is None:  # the client hears ``error`` (the web UI then joins again)
                        raise ConnectionError("ICE restart: the connection is gone")
                    if s.restart is not None:
                        await s.restart.abort()
                    s.restart = restart
                await s.pc.setRemoteDescription(RTCSessionDescription(text, "offer"))
                self._remember(s, text)
                await s.pc.setLocalDescription(await s.pc.createAnswer())
                self.signal(conn_id, {"type": "answer", "sdp": self._outgoing(s, s.pc.localDescription.sdp)})
                if ufrag:
                    s.remote_ufrag = ufrag
                for c in s.early_candidates.pop(ufrag, []):
                    await self._add_candidate(s, c)
                s.early_candidates.clear()
                if restart is not None:
                    s.restart_task = asyncio.get_running_loop().create_task(restart.finish(ufrag, pwd))
            if not s.negotiated:
                s.negotiated = True
                for other in self._others(s):
                    for source in other.sources:
                        self._forward(source, s)
                await self._offer(s)
            elif s.renegotiate and not s.client_locked:
                s.renegotiate = False
                await self._offer(s)
        elif kind == "answer":
            async with s.lock:
                if s.pc.signalingState != "have-local-offer":
                    return
                await s.pc.setRemoteDescription(RTCSessionDescription(text, "answer"))
                self._remember(s, text)
                again, s.renegotiate = s.renegotiate, False
            if again:
                await self._offer(s)

    async def ice(self, conn_id: str, candidate: dict[str, Any]) -> None:
        """A trickled candidate from the client (RTCIceCandidateInit)."""
        s = self.sessions.get(conn_id)
        text = str(candidate.get("candidate", ""))
        if s is None or not text:
            return
        try:
            c = candidate_from_sdp(text.removeprefix("candidate:"))
        except (ValueError, IndexError):
            return
        c.sdpMid = candidate.get("sdpMid")
        c.sdpMLineIndex = candidate.get("sdpMLineIndex")
        ufrag = str(candidate.get("usernameFragment") or "")
        if ufrag and s.remote_ufrag and ufrag != s.remote_ufrag:
            # gathered for an ICE restart whose offer has not been taken yet: kept for it
            if len(s.early_candidates.setdefault(ufrag, [])) < 64:
                s.early_candidates[ufrag].append(c)
            return
        await self._add_candidate(s, c)

    @staticmethod
    async def _add_candidate(s: Session, c: Any) -> None:
        try:
            await s.pc.addIceCandidate(c)
        except (ValueError, MediaStreamError):
            pass

    def set_unmuted(self, conn_id: str, unmuted: bool) -> None:
        s = self.sessions.get(conn_id)
        if s is not None:
            s.unmuted = unmuted
            if not unmuted:  # out of the loudest at once: its place goes to the next voice
                self._speakers(s.channel_id).drop(conn_id)

    def set_screen(self, conn_id: str, on: bool, stream_id: str = "") -> None:
        s = self.sessions.get(conn_id)
        if s is not None:
            s.screen_on = on
            if on and stream_id:
                s.screen_stream = stream_id

    def set_video(self, conn_id: str, on: bool) -> None:
        s = self.sessions.get(conn_id)
        if s is not None:
            s.video_on = on

    async def leave(self, conn_id: str) -> None:
        s = self.sessions.pop(conn_id, None)
        if s is None:
            return
        self._forget_tiles(conn_id)
        if s.restart is not None:
            await s.restart.abort()
        if s.restart_task is not None:
            s.restart_task.cancel()
        await s.pc.close()
        others = self._others(s)
        for other in others:
            other.forwarded = {k for k in other.forwarded if not k.startswith(conn_id + "/")}
            other.pending = [p for p in other.pending if p.session is not s]
            for source in other.sources:
                if source.fanout is not None:
                    source.fanout.unsubscribe(conn_id)
        if others:
            self._speakers(s.channel_id).drop(conn_id)
        else:
            self.speakers.pop(s.channel_id, None)

    # simulcast (the video path: simulcast.py) --------------------------------------------------------

    @staticmethod
    def _remember(s: Session, remote_sdp: str) -> None:
        """After a remote description: the simulcast m-lines, then what each m-line negotiated."""
        from . import simulcast

        simulcast.remember_simulcast(s.pc, remote_sdp)
        remember_negotiated(s.pc)

    def _outgoing(self, s: Session, sdp: str) -> str:
        """A description the SFU sends: simulcast lines on the m-lines that receive simulcast, the
        ``ICEHostOverride``."""
        from . import simulcast

        return self._public(simulcast.add_simulcast_lines(s.pc, sdp))

    def _track_for(self, source: Source, to: Session) -> GatedTrack:
        """``source`` as ``to`` gets it: one layer of a simulcast source, picked for ``to``."""
        from . import simulcast

        return simulcast.track_for(source, to.conn_id, lambda: self.camera_tiles(to))

    def camera_tiles(self, s: Session) -> int:
        """How many camera tiles ``s`` shows: the others whose camera is on."""
        return sum(1 for o in self._others(s) if o.video_on)

    def set_video_tiles(self, conn_id: str, tiles: dict[str, Any]) -> None:
        """The sizes ``conn_id`` shows the others' cameras at (``video_tiles``)."""
        from . import simulcast

        if conn_id in self.sessions:
            simulcast.set_tiles(conn_id, tiles)

    @staticmethod
    def _forget_tiles(conn_id: str) -> None:
        from . import simulcast

        simulcast.forget_viewer(conn_id)

    async def close(self) -> None:
        if self._latency_task is not None:
            self._latency_task.cancel()
        for conn_id in list(self.sessions):
            await self.leave(conn_id)

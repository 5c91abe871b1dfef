"""Simulcast in the embedded SFU: a sender's video in several encodings (layers) on one m-line, one layer
forwarded to each receiver, picked per receiver.

aiortc (1.16) cannot receive simulcast by itself: its SDP layer writes and parses no ``a=rid`` or
``a=simulcast`` line, it does not negotiate the ``rtp-stream-id`` header extension, and an
``RTCRtpReceiver`` feeds every packet of its m-line, whatever the SSRC, to one jitter buffer. So, in the
calls plugin's own process (the SFU is aiortc's only user there):

- **SDP.** A client's video m-line with ``a=simulcast:send`` and ``a=rid:<rid> send`` lines (what a
  browser offers for ``sendEncodings`` with rids) gets ``a=rid:<rid> recv`` and ``a=simulcast:recv`` in
  the SFU's answer, and in every later offer of the SFU (the m-line as negotiated); the ``rtp-stream-id``
  and ``repaired-rtp-stream-id`` header extensions the client offered on it are kept (with its ids).
  ``remember_simulcast`` does the negotiation part after each remote description, ``add_simulcast_lines``
  the text of each description the SFU sends.
- **Routing.** With simulcast a browser lists no SSRC in its SDP; aiortc's transport then finds an m-line
  for an unknown SSRC by payload type only, which fails as soon as two video m-lines share it. Packets of
  an unknown SSRC carrying the ``mid`` header extension go to that m-line (and the SSRC is learnt).
- **Demux.** The receiver of a simulcast m-line hands its packets to a ``Demux``: each SSRC is bound to
  its layer by the rid (or, for a retransmission stream, the repaired rid) its first packets carry, and
  each layer has its own NACK tracking, jitter buffer and frame assembly, and its own receiver reports.
  The frames stay encoded (the SFU's no-decode forwarding, ``sfu.py``).
- **Per receiver.** ``SimulcastTrack`` is the source as one receiver gets it: one layer at a time, with
  the RTP timestamps carried across a layer switch (the receiver's sender writes its own SSRC, sequence
  numbers and VP8 picture ids), so the receiver's decoder sees one stream. A switch happens only at a
  keyframe of the new layer (asked for with a PLI); until it comes the old layer goes on.
  ``choose_layer`` is the rule (see docs/calls.md, "Simulcast").
"""

from __future__ import annotations

import asyncio
import fractions
import re
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiortc.rtcdtlstransport as aiortc_dtls
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpTransceiver, clock
from aiortc.codecs import HEADER_EXTENSIONS, depayload, is_rtx
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters
from aiortc.rtcrtpreceiver import NackGenerator, StreamStatistics
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, pack_remb_fci, unwrap_rtx

from . import sfu

RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
RRID_URI = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
CLOCK = 90000
TIME_BASE = fractions.Fraction(1, CLOCK)

# SDP ---------------------------------------------------------------------------------------------------


@dataclass
class SimulcastOffer:
    """A video m-line's simulcast as the client sends it."""

    mid: str
    #: the rids in the order of ``a=simulcast:send`` (paused ones included)
    rids: list[str]
    #: the client's ids for the rid header extensions
    extensions: list[RTCRtpHeaderExtensionParameters] = field(default_factory=list)


def _sections(sdp: str) -> list[str]:
    return re.split(r"\r?\n(?=m=)", sdp)


def parse_simulcast(sdp: str) -> dict[str, SimulcastOffer]:
    """The video m-lines of a remote description that send simulcast, by mid: ``a=simulcast:send``
    (alternatives ``,`` and paused ``~`` taken as their first rid), kept to the rids declared with
    ``a=rid:<rid> send``."""
    found: dict[str, SimulcastOffer] = {}
    for section in _sections(sdp)[1:]:
        if not section.startswith("m=video"):
            continue
        mid = re.search(r"^a=mid:(\S+)", section, re.M)
        sim = re.search(r"^a=simulcast:\s*send\s+(\S+)", section, re.M)
        if mid is None or sim is None:
            continue
        declared = set(re.findall(r"^a=rid:(\S+)\s+send\b", section, re.M))
        rids = []
        for stream in sim[1].split(";"):
            rid = stream.split(",")[0].lstrip("~")
            if rid in declared and rid not in rids:
                rids.append(rid)
        if len(rids) < 2:
            continue
        extensions = [RTCRtpHeaderExtensionParameters(id=int(i), uri=u)
                      for i, u in re.findall(r"^a=extmap:(\d+)(?:/\S+)?\s+(\S+)", section, re.M)
                      if u in (RID_URI, RRID_URI)]
        if not any(e.uri == RID_URI for e in extensions):
            continue  # the layers could not be told apart
        found[mid[1]] = SimulcastOffer(mid[1], rids, extensions)
    return found


#: transceiver (a client's simulcast m-line) → its simulcast
SIMULCAST: weakref.WeakKeyDictionary[RTCRtpTransceiver, SimulcastOffer] = weakref.WeakKeyDictionary()


def remember_simulcast(pc: RTCPeerConnection, remote_sdp: str) -> None:
    """After a remote description: the m-lines that send simulcast keep their rid header extensions
    (aiortc negotiates only those it knows) and their receivers demultiplex the layers."""
    offers = parse_simulcast(remote_sdp)
    for t in pc.getTransceivers():
        offer = offers.get(t.mid or "")
        if offer is None:
            continue
        known = {e.uri for e in t._headerExtensions}
        t._headerExtensions = list(t._headerExtensions) + [e for e in offer.extensions if e.uri not in known]
        SIMULCAST[t] = offer
        demux = DEMUX.get(t.receiver)
        if demux is None:
            DEMUX[t.receiver] = Demux(t.receiver, offer.rids)
        else:
            demux.set_rids(offer.rids)


def add_simulcast_lines(pc: RTCPeerConnection, sdp: str) -> str:
    """A description the SFU sends (its answer or offer), with ``a=rid:<rid> recv`` and
    ``a=simulcast:recv`` on each m-line that receives simulcast (JSEP: without them the browser falls back
    to one encoding)."""
    by_mid = {t.mid: SIMULCAST[t] for t in pc.getTransceivers() if t.mid is not None and t in SIMULCAST}
    if not by_mid:
        return sdp
    newline = "\r\n" if "\r\n" in sdp else "\n"
    sections = _sections(sdp)
    for i, section in enumerate(sections):
        mid = re.search(r"^a=mid:(\S+)", section, re.M)
        offer = by_mid.get(mid[1]) if mid else None
        if offer is None or re.search(r"^a=simulcast:", section, re.M) or re.search(r"^m=video 0 ", section):
            continue
        lines = section.rstrip("\r\n").split(newline)
        at = next(j for j, line in enumerate(lines) if line.startswith("a=mid:")) + 1
        lines[at:at] = [f"a=rid:{rid} recv" for rid in offer.rids] + [f"a=simulcast:recv {';'.join(offer.rids)}"]
        sections[i] = newline.join(lines)
    out = newline.join(s.rstrip("\r\n") for s in sections)
    return out + newline if sdp.endswith("\n") else out


# routing -------------------------------------------------------------------------------------------------

_route_rtp = aiortc_dtls.RtpRouter.route_rtp
_INSTALLED = False


def _route_by_mid(self: aiortc_dtls.RtpRouter, packet: Any) -> Any:
    receiver = _route_rtp(self, packet)
    if receiver is None and packet.ssrc not in self.ssrc_table:
        receiver = self.mid_table.get(packet.extensions.mid) if packet.extensions.mid else None
        if receiver is not None:
            self.ssrc_table[packet.ssrc] = receiver
    return receiver


def install() -> None:
    """In this process only: route packets of SSRCs the SDP did not list by their ``mid`` header
    extension, and negotiate the rid header extensions on every video m-line. Chromium offers them on a
    new m-line only while the connection has them negotiated: once an answer (or the SFU's own offer of
    the others' video) has left them out, its offer for a camera with ``sendEncodings`` has simulcast
    without the rid extension, and its own ``setLocalDescription`` refuses that."""
    global _INSTALLED
    if not _INSTALLED:
        _INSTALLED = True
        aiortc_dtls.RtpRouter.route_rtp = _route_by_mid  # type: ignore[method-assign]
        video = HEADER_EXTENSIONS["video"]
        for uri, ext_id in ((RID_URI, 10), (RRID_URI, 11)):
            if not any(e.uri == uri for e in video):
                video.append(RTCRtpHeaderExtensionParameters(id=ext_id, uri=uri))


# layers ------------------------------------------------------------------------------------------------


class Frame:
    """An encoded frame of one layer, as a sender packs it (``bytes()``, ``pts``, ``time_base``) — the
    ``av.Packet`` duck type aiortc's encoder ``pack`` reads; shared by the receivers of the layer, each
    forwarding it with its own timestamp (``Forwarded``)."""

    __slots__ = ("arrival", "data", "keyframe", "opaque", "timestamp")

    def __init__(self, data: bytes, timestamp: int, arrival: float, opaque: float | None = None) -> None:
        self.data = data
        self.timestamp = timestamp
        self.keyframe = bool(data) and not data[0] & 0x01
        self.arrival = arrival
        self.opaque = opaque


class Forwarded:
    """A layer's frame for one receiver: its data with the receiver's continuous timestamp."""

    __slots__ = ("data", "opaque", "pts", "time_base")

    def __init__(self, data: bytes, pts: int, opaque: float | None) -> None:
        self.data = data
        self.pts = pts
        self.time_base = TIME_BASE
        self.opaque = opaque

    def __bytes__(self) -> bytes:
        return self.data


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """A VP8 keyframe's width and height (RFC 6386 §9.1: after the 3-byte tag, the start code
    9d 01 2a and two 14-bit little-endian sizes)."""
    if len(data) < 10 or data[0] & 0x01 or data[3:6] != b"\x9d\x01\x2a":
        return None
    return int.from_bytes(data[6:8], "little") & 0x3FFF, int.from_bytes(data[8:10], "little") & 0x3FFF


#: how long a layer may send nothing while another one sends before it counts as stopped
STALL = 1.0

#: rank of the usual rid names (low → high); "h" is "half" next to "f"/"q", "high" otherwise
_RANK = {"q": 0, "l": 0, "lo": 0, "low": 0, "quarter": 0, "m": 1, "mid": 1, "medium": 1, "half": 1,
         "f": 2, "full": 2, "hi": 2, "high": 2}


def rid_order(rids: list[str]) -> list[str]:
    """The rids from the lowest layer to the highest, by their names (``l``/``m``/``h``, ``q``/``h``/``f``,
    ``low``/``mid``/``high``); names it does not know keep their ``a=simulcast`` order, lowest first (as
    browsers list ``sendEncodings`` in the apps that use them)."""
    full = any(r in ("f", "full") for r in rids)

    def rank(r: str) -> float:
        if r == "h":
            return 1 if full else 2
        return _RANK.get(r.lower(), -1)

    if any(rank(r) < 0 for r in rids):
        return list(rids)
    return sorted(rids, key=lambda r: (rank(r), rids.index(r)))


@dataclass
class Layer:
    rid: str
    ssrc: int | None = None
    rtx_ssrc: int | None = None
    jitter: Any = None
    nack: NackGenerator = field(default_factory=NackGenerator)
    #: when its last frame was whole (``time.monotonic``), and its size at its last keyframe
    last_frame: float = 0.0
    size: tuple[int, int] | None = None
    frames: int = 0

    def __post_init__(self) -> None:
        self.jitter = sfu.PromptJitterBuffer(capacity=512, is_video=True)

    def alive(self, now: float, freshest: float) -> bool:
        """Sending: it has sent a frame, and not stopped while another layer went on."""
        return self.frames > 0 and not (freshest - self.last_frame > STALL / 2 and now - self.last_frame > STALL)


class Demux:
    """The receiver of a simulcast m-line: its packets split by layer, each layer reassembled on its own
    (see the module's docstring); whole frames go to the ``SimulcastTrack``s of the source."""

    def __init__(self, receiver: RTCRtpReceiver, rids: list[str]) -> None:
        self.receiver = receiver
        self.layers: dict[str, Layer] = {}
        self.order: list[str] = []
        self.by_ssrc: dict[int, Layer] = {}
        self.tracks: weakref.WeakSet[SimulcastTrack] = weakref.WeakSet()
        self.ended = False
        self.set_rids(rids)
        receiver._handle_rtp_packet = self.handle  # type: ignore[method-assign]
        self._watch: asyncio.Task[None] | None = None
        track = receiver._track
        if track is not None:
            # the receiver's own track gets nothing but its end (None): then the layers' tracks end too
            self._watch = asyncio.get_running_loop().create_task(self._watch_end(track._queue))

    def set_rids(self, rids: list[str]) -> None:
        for rid in rids:
            self.layers.setdefault(rid, Layer(rid))
        self.order = rid_order([r for r in rids if r in self.layers])

    async def _watch_end(self, queue: asyncio.Queue[Any]) -> None:
        while await queue.get() is not None:
            pass
        self.end()

    def end(self) -> None:
        self.ended = True
        for track in list(self.tracks):
            track.push(None, None)

    def alive(self) -> list[str]:
        """The layers sending now, lowest first."""
        now = time.monotonic()
        freshest = max((x.last_frame for x in self.layers.values()), default=0.0)
        return [r for r in self.order if self.layers[r].alive(now, freshest)]

    def request_keyframe(self, rid: str) -> None:
        """A PLI for one layer (at most every 300 ms per layer); before its SSRC is known, for all."""
        layer = self.layers.get(rid)
        ssrc = layer.ssrc if layer is not None else None
        if ssrc is None:  # its SSRC not known yet: the source's PLI, to every SSRC it has
            for track in list(self.tracks)[:1]:
                track.source.request_keyframe()
            return
        now = time.monotonic()
        last = _LAST_PLI.get((id(self), ssrc), 0.0)
        if now - last < 0.3:
            return
        _LAST_PLI[(id(self), ssrc)] = now
        task = asyncio.get_running_loop().create_task(self.receiver._send_rtcp_pli(ssrc))
        sfu._PLIS.add(task)
        task.add_done_callback(sfu._PLIS.discard)

    def _layer(self, packet: Any, rtx: bool) -> Layer | None:
        layer = self.by_ssrc.get(packet.ssrc)
        if layer is not None:
            return layer
        rid = packet.extensions.repaired_rtp_stream_id if rtx else packet.extensions.rtp_stream_id
        layer = self.layers.get(rid) if rid else None
        if layer is None:
            return None
        if rtx:
            layer.rtx_ssrc = packet.ssrc
        else:
            if layer.ssrc is not None:
                self.by_ssrc.pop(layer.ssrc, None)  # the sender restarted this layer on a new SSRC
                layer.jitter = sfu.PromptJitterBuffer(capacity=512, is_video=True)
                layer.nack = NackGenerator()
            layer.ssrc = packet.ssrc
        self.by_ssrc[packet.ssrc] = layer
        return layer

    async def handle(self, packet: Any, arrival_time_ms: int) -> None:
        """In place of ``RTCRtpReceiver._handle_rtp_packet`` for this receiver: what aiortc does for one
        stream (bitrate estimate, statistics, RTX, NACK, reassembly), per layer."""
        r = self.receiver
        if not r._enabled:
            return
        estimator = r._RTCRtpReceiver__remote_bitrate_estimator  # type: ignore[attr-defined]
        rtcp_ssrc = r._RTCRtpReceiver__rtcp_ssrc  # type: ignore[attr-defined]
        if estimator is not None and packet.extensions.abs_send_time is not None:
            remb = estimator.add(abs_send_time=packet.extensions.abs_send_time, arrival_time_ms=arrival_time_ms,
                                 payload_size=len(packet.payload) + packet.padding_size, ssrc=packet.ssrc)
            if rtcp_ssrc is not None and remb is not None:
                await r._send_rtcp(RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc, media_ssrc=0,
                                                  fci=pack_remb_fci(*remb)))
        codecs = r._RTCRtpReceiver__codecs  # type: ignore[attr-defined]
        codec = codecs.get(packet.payload_type)
        if codec is None:
            return
        rtx = is_rtx(codec)
        layer = self._layer(packet, rtx)
        if layer is None:
            return
        r._RTCRtpReceiver__active_ssrc[packet.ssrc] = clock.current_datetime()  # type: ignore[attr-defined]
        streams = r._RTCRtpReceiver__remote_streams  # type: ignore[attr-defined]
        if packet.ssrc not in streams:
            streams[packet.ssrc] = StreamStatistics(codec.clockRate)
        streams[packet.ssrc].add(packet)
        if rtx:
            apt = codec.parameters.get("apt")
            if layer.ssrc is None or len(packet.payload) < 2 or not isinstance(apt, int) or apt not in codecs:
                return
            packet = unwrap_rtx(packet, payload_type=apt, ssrc=layer.ssrc)
            codec = codecs[apt]
        if layer.nack.add(packet):
            await r._send_rtcp_nack(packet.ssrc, sorted(layer.nack.missing))
        try:
            packet._data = depayload(codec, packet.payload) if packet.payload else b""
        except ValueError:
            return
        pli, whole = layer.jitter.add(packet)
        if pli:
            self.request_keyframe(layer.rid)
        if whole is None:
            return
        frame = Frame(whole.data, whole.timestamp, time.monotonic(),
                      sfu.LATENCY.arrival if sfu.LATENCY is not None else None)
        layer.last_frame = frame.arrival
        layer.frames += 1
        if frame.keyframe:
            layer.size = vp8_size(frame.data) or layer.size
        for track in list(self.tracks):
            track.push(layer.rid, frame)


_LAST_PLI: dict[tuple[int, int], float] = {}
#: receiver → its demux
DEMUX: weakref.WeakKeyDictionary[RTCRtpReceiver, Demux] = weakref.WeakKeyDictionary()


def demux_of(source: Any) -> Demux | None:
    receiver = getattr(source, "receiver", None)
    return DEMUX.get(receiver) if receiver is not None else None


# the choice ----------------------------------------------------------------------------------------------


def choose_layer(kind: str, alive: list[str], sizes: dict[str, tuple[int, int] | None],
                 tile: tuple[int, int] | None, tiles: int) -> str | None:
    """The layer a receiver gets, of those sending now (``alive``, lowest first):

    - a screen: the highest;
    - a camera whose tile size the receiver told (device pixels): the lowest layer at least as large as
      the tile (its width or its height within 10 %), else the highest; layers whose size is not known yet
      (no keyframe seen) are left out of this, and when none is known the tile count decides;
    - a camera otherwise, by the number of camera tiles the receiver shows: 1–2 the highest, 3–6 one
      below, more two below (never under the lowest)."""
    if not alive:
        return None
    if kind == "screen":
        return alive[-1]
    if tile is not None and tile[0] > 0 and tile[1] > 0:
        known = [r for r in alive if sizes.get(r)]
        if known:
            for rid in known:
                w, h = sizes[rid] or (0, 0)
                if w * 1.1 >= tile[0] or h * 1.1 >= tile[1]:
                    return rid
            return known[-1]
    down = 0 if tiles <= 2 else 1 if tiles <= 6 else 2
    return alive[max(0, len(alive) - 1 - down)]


class Viewer:
    """What one receiving session shows: the camera tiles' sizes it told (by sender session id)."""

    def __init__(self) -> None:
        self.tiles: dict[str, tuple[int, int]] = {}
        self.version = 0


#: session id → what it shows
VIEWERS: dict[str, Viewer] = {}


def parse_tiles(tiles: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """``video_tiles``' payload: ``{sender session id: {"width", "height"}}`` in device pixels (at most 64,
    sizes that make sense)."""
    sizes: dict[str, tuple[int, int]] = {}
    for sender, size in list(tiles.items())[:64]:
        if isinstance(sender, str) and isinstance(size, dict):
            w, h = size.get("width"), size.get("height")
            if isinstance(w, (int, float)) and isinstance(h, (int, float)) and 0 < w < 100000 and 0 < h < 100000:
                sizes[sender] = (int(w), int(h))
    return sizes


def set_tiles(session_id: str, tiles: dict[str, Any]) -> None:
    """``video_tiles`` from the web UI: ``{sender session id: {"width", "height"}}`` in device pixels."""
    viewer = VIEWERS.setdefault(session_id, Viewer())
    viewer.tiles = parse_tiles(tiles)
    viewer.version += 1


def forget_viewer(session_id: str) -> None:
    VIEWERS.pop(session_id, None)


class SimulcastTrack(sfu.GatedTrack):
    """A simulcast source as one receiver gets it: one layer, switched at the new layer's keyframes, with
    timestamps that go on across the switch (see the module's docstring)."""

    def __init__(self, source: Any, demux: Demux, viewer_id: str, tiles: Callable[[], int]) -> None:
        # not GatedTrack's own: the frames come from the demux, not from the source's relay
        MediaStreamTrack.__init__(self)
        self.kind = "video"
        self.source = source
        self.need_keyframe = True
        self.arrival = 0.0
        self.demux = demux
        self.viewer_id = viewer_id
        self.tiles = tiles
        self.queue: asyncio.Queue[tuple[str | None, Frame | None]] = asyncio.Queue()
        self.current: str | None = None
        self.target: str | None = None
        self.forced: str | None = None
        self.switches = 0
        self._chosen_at = 0.0
        self._viewer_version = -1
        #: the last frame forwarded: its timestamp in, its timestamp out, when it arrived
        self._last_in = 0
        self._last_out: int | None = None
        self._last_at = 0.0
        demux.tracks.add(self)
        if demux.ended:
            self.push(None, None)

    def push(self, rid: str | None, frame: Frame | None) -> None:
        # every layer's frames: a layer not forwarded now may be the one to switch to (the choice is made
        # as frames come, so one that stopped is left when the others' frames come)
        self.queue.put_nowait((rid, frame))

    def choose(self) -> str | None:
        now = time.monotonic()
        viewer = VIEWERS.get(self.viewer_id)
        version = viewer.version if viewer is not None else -1
        if now - self._chosen_at < 0.25 and version == self._viewer_version and self.target is not None:
            return self.target
        self._chosen_at, self._viewer_version = now, version
        alive = self.demux.alive()
        target: str | None
        if self.forced is not None and self.forced in alive:
            target = self.forced
        else:
            tile = viewer.tiles.get(self.source.session.conn_id) if viewer is not None else None
            sizes = {r: self.demux.layers[r].size for r in alive}
            target = choose_layer(self.source.kind, alive, sizes, tile, self.tiles())
        if target is not None and target != self.target:
            self.target = target
            if target != self.current:
                self.demux.request_keyframe(target)
        return self.target

    def _rebase(self, frame: Frame) -> int:
        """The outgoing timestamp of a frame of the current layer."""
        if self._last_out is None:
            out = 0
        else:
            delta = (frame.timestamp - self._last_in) & 0xFFFFFFFF
            if delta >= 1 << 31:
                delta -= 1 << 32
            out = self._last_out + delta
        self._last_in, self._last_out, self._last_at = frame.timestamp, out, frame.arrival
        return out

    def _switch(self, frame: Frame) -> int:
        """The outgoing timestamp of the first frame (a keyframe) of a new layer: the time since the last
        frame forwarded, on the old layer's clock."""
        if self._last_out is None:
            out = 0
        else:
            out = self._last_out + max(1, round((frame.arrival - self._last_at) * CLOCK))
        self._last_in, self._last_out, self._last_at = frame.timestamp, out, frame.arrival
        return out

    async def recv(self) -> Any:
        while True:
            while self.queue.qsize() > sfu.BACKLOG:  # fallen behind: the frames kept are the newest
                rid, frame = self.queue.get_nowait()
                if frame is None:
                    raise MediaStreamError
                self.need_keyframe = True
            rid, frame = await self.queue.get()
            if frame is None or rid is None:
                raise MediaStreamError
            if not self.source.flowing():
                self.need_keyframe = True
                continue
            target = self.choose()
            if rid == target and (rid != self.current or self.need_keyframe):
                if not frame.keyframe:
                    self.demux.request_keyframe(rid)
                    continue
                if rid != self.current and self.current is not None:
                    self.switches += 1
                self.current, self.need_keyframe = rid, False
                pts = self._switch(frame)
            elif rid == self.current and not self.need_keyframe:
                pts = self._rebase(frame)
            else:
                continue
            if sfu.LATENCY is not None:
                self.arrival = frame.opaque or 0.0
            return Forwarded(frame.data, pts, frame.opaque)


def track_for(source: Any, viewer_id: str, tiles: Callable[[], int]) -> sfu.GatedTrack:
    """The track that forwards ``source`` to the session ``viewer_id``: per layer for a simulcast source."""
    demux = demux_of(source)
    if demux is None:
        return sfu.GatedTrack(source)
    return SimulcastTrack(source, demux, viewer_id, tiles)

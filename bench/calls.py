"""How many audio participants one calls plugin process (the embedded aiortc SFU) carries, and the Janus
gateway beside it (``--sfu janus``).

A real ``chinwag serve`` (SQLite) with the calls plugin on; N aiortc peers join one call as the apps do
(tests/compat/test_calls.py's Participant: the WebSocket signalling, the data channel lock, a microphone
of 20 ms frames in real time: stamped Opus-sized packets, see StampedVoice, or with ``--peers-decode`` a
400 Hz tone). They join one after the other, each unmuting then muting again (the first stays the speaker),
as people join a meeting. For each N, two rounds of ``--seconds``:

- ``speakers=1``: one speaker, N−1 listeners (a typical meeting);
- ``speakers=all``: every participant unmuted (N·(N−1) forwarded streams; the worst case).

The peers count what they receive without decoding it (their receivers hand on encoded frames, as the
embedded SFU's do; ``--peers-decode`` decodes, as before): a process decoding every stream of a call of 15
where all speak (210 streams) was itself the bottleneck. Reported per round: forwarded streams, packets each receiver got against the 50 packets/s an Opus sender
makes (loss), the SFU process's CPU (user+system from /proc, in cores), CPU per forwarded stream, and the
peers' own CPU, and the latency: *SFU* is the time from a packet's datagram arriving at the SFU to its copy
for a receiver being sent, as the SFU itself times it (``CHINWAG_CALLS_LATENCY_FILE``, docs/calls.md;
``--no-sfu-timing`` turns it off), p50/p99 over every forwarded packet of the round; *end to end* is from a
peer sending a packet to another peer taking its copy in, through the SFU (the send time rides in the
payload; the peers share this process's clock), which adds both peers' stacks and this process's loop.
Muted peers send nothing (their track is taken off the sender, as the apps do). The peers run in this
process on the same machine, so they compete with the SFU for the cores; the worst lag of this process's
event loop in each phase is reported beside.

With ``--sfu janus`` the same peers and rounds go to a Janus gateway (Debian's ``janus``, started from a
generated config as in tests/compat/test_calls_janus.py) through the calls plugin's Janus client: a
VideoRoom room, each peer publishing its tone on one connection and receiving the others on a second
(multistream subscriber); the CPU is the janus process's. A muted peer's publisher sends nothing (its track
is taken off), as with the embedded SFU.

Each peer's stamped voice carries its own RFC 6464 audio level (peer 0 the loudest, each next 2 dB
quieter), and the server forwards each receiver the ``--max-speakers`` loudest voices (the plugin's
``MaxForwardedSpeakers``, 3 by default; 0: every voice, as before): the loss is counted against what the SFU
should forward, Σ over receivers of min(K, speakers but itself). ``--peer-procs P`` runs the peers in P
worker processes (the bench's one process sending N voices and receiving hundreds of streams was the
bottleneck before); their CPU is added up. ``--sfu-workers`` sets the plugin's ``SFUWorkers``; the SFU's CPU
is the calls plugin process's with its worker processes'. ``--server-src DIR`` runs the server from another
source tree (an export of main, for a before/after; the peers stay this tree's).

``--video``: an audio+video call. After joining (and muting) each peer turns a camera on as the apps do
(``video_on``, then under the signalling lock a send-only video m-line; tests/compat/test_calls_video.py):
StampedCamera, VP8-shaped frames made without an encoder, 30 a second, a key frame every 2 s and on a PLI,
``--video-kbps`` (500) — one layer (no simulcast), each stamped with its send time. The SFU forwards every
camera to every other peer (N·(N−1) video streams); the peers count the packets without decoding them.
Per round also: the camera packets received against what the cameras sent times N−1 (loss; the
retransmissions apart), the frames whose first packet arrived against the frames made times N−1, the
SFU's latency for the video frames alone (``video_us`` in the SFU's file) and end to end for the frames'
first packets, p50/p99, and the SFU's CPU per forwarded camera. ``--rounds`` picks the rounds (default
``1,all``; with ``--video`` ``1``: one speaker, every camera on).

Per core (``--sfu-core C``): the server, and so the calls plugin and its SFU worker (one: it counts the cores
it may use) or the janus process, run on core C only, the bench and its peer processes on the others — "per
core" literally. The peers' receivers only count (``_counted_rtp``: the packet into its stream's statistics
and its stamp read; no bitrate estimate, NACK, reassembly or track; ``--peers-full-receive``: aiortc's whole
path as before). Each round also reports ``sfu_waited`` and ``peers_waited``: the time their threads were
runnable but kept off a core, per second (/proc schedstat), and a verdict: ``held`` (< 1 % lost and the
SFU's added p99 < 50 ms — for Janus, which times nothing, end to end — for the voices and, with ``--video``,
the cameras) and ``limit``: ``sfu`` (its CPU near a core), ``sfu starved by the machine's load`` (its
threads waited ≥ 0.2 s/s for a core), ``peers`` (a peer process's loop > 100 ms behind, or the peers near all
their cores), or ``machine`` (none of those, yet not held). At the end, per round kind, the largest size
that held. ``--sfu janus --video``: each member publishes a stamped camera beside its voice, the same
cameras' figures (end to end only).

    .venv/bin/python -m bench.calls [--sizes 2,5,10,15,20,25] [--seconds 10] [--sfu embedded|janus] [--peers-decode]
        [--join-unmuted] [--ws-max-queue 16] [--no-sfu-timing] [--peer-procs 0] [--max-speakers 3]
        [--sfu-workers 0] [--server-src DIR] [--video] [--video-kbps 500] [--rounds 1,all] [--sfu-core 0]
        [--peers-full-receive]
"""

from __future__ import annotations

import argparse
import array
import asyncio
import fractions
import glob
import json
import math
import os
import shutil
import struct
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import httpx
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpreceiver import StreamStatistics

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tests.compat.test_calls as app  # noqa: E402
from tests.compat.test_calls import Participant  # noqa: E402
from tests.e2e.server import ServerProcess  # noqa: E402


class Paced(MediaStreamTrack):
    """An audio track of 20 ms frames at 48 kHz, paced in real time (50 Opus packets a second)."""

    kind = "audio"
    SAMPLES = 960  # 20 ms

    def __init__(self) -> None:
        super().__init__()
        self.pts = 0
        self.start = 0.0

    async def _next_pts(self) -> int:
        """Wait for the next frame's moment; its pts."""
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if not self.start:
            self.start = now
        elif (wait := self.start + self.pts / 48000 - now) > 0:
            await asyncio.sleep(wait)
        elif wait < -0.1:  # resumed after a mute (nothing read meanwhile): on from now, as a microphone
            self.pts += int(-wait * 48000) // self.SAMPLES * self.SAMPLES
        pts = self.pts
        self.pts += self.SAMPLES
        return pts


class Voice(Paced):
    """A 400 Hz tone (400 Hz fits a 20 ms frame eight times, so one buffer repeats seamlessly)."""

    PCM = array.array("h", (int(8000 * math.sin(2 * math.pi * 400 * i / 48000)) for i in range(Paced.SAMPLES))).tobytes()

    async def recv(self) -> av.AudioFrame:
        pts = await self._next_pts()
        frame = av.AudioFrame(format="s16", layout="mono", samples=self.SAMPLES)
        frame.planes[0].update(self.PCM)
        frame.sample_rate, frame.pts, frame.time_base = 48000, pts, fractions.Fraction(1, 48000)
        return frame


class StampedVoice(Paced):
    """A voice as encoded Opus-sized packets, 50 a second in real time, each carrying the moment it is sent
    (its sender packs it into RTP at once): an Opus TOC byte (CELT fullband, 20 ms, mono), a marker, this
    process's ``perf_counter``, padding to 80 bytes (a 32 kb/s voice). The SFU forwards frames without
    decoding them, and so do these peers, so a receiver reads in the payload when its copy was sent and
    the end-to-end latency needs no matching of packets."""

    MARK = b"\xf8chinwag-lat"
    SIZE = 80

    def __init__(self, dbov: int = -30) -> None:
        super().__init__()
        #: the level its sender puts in each packet (RFC 6464 audio level, as a browser's microphone)
        self.dbov = dbov

    async def recv(self) -> av.Packet:
        pts = await self._next_pts()
        body = self.MARK + struct.pack("!d", time.perf_counter())
        packet = av.Packet(body + bytes(self.SIZE - len(body)))
        packet.pts, packet.time_base = pts, fractions.Fraction(1, 48000)
        return packet


class StampedCamera(MediaStreamTrack):
    """A camera as encoded VP8-shaped frames, ``FPS`` a second in real time, without an encoder: each frame
    a valid VP8 frame tag (RFC 6386 §9.1: the key frame bit, version 0, shown, the first partition's size),
    on a key frame the start code 9d 01 2a and its width and height (what the SFU reads: ``sfu.is_keyframe``,
    ``simulcast.vp8_size``), then ``MARK`` and this process's ``perf_counter`` (its sender packs and sends it
    at once, as StampedVoice), then padding. A key frame every ``KEY_INTERVAL`` s and whenever its sender
    is asked for one (an RTCP PLI, as a browser's encoder); ``kbps`` over a key frame interval, a key frame
    ``KEY_RATIO`` times a delta frame. The SFU forwards the frames without decoding them, the peers count
    them without decoding them."""

    kind = "video"
    MARK = b"chinwag-cam"
    FPS = 30
    KEY_INTERVAL = 2.0
    KEY_RATIO = 8
    WIDTH, HEIGHT = 640, 360

    def __init__(self, kbps: int = 500) -> None:
        super().__init__()
        per_interval = kbps * 1000 / 8 * self.KEY_INTERVAL  # bytes in one key frame interval
        frames = int(self.FPS * self.KEY_INTERVAL)
        self.delta_size = int(per_interval / (frames - 1 + self.KEY_RATIO))
        self.key_size = self.delta_size * self.KEY_RATIO
        self.frames_per_key = frames
        self.start = 0.0
        self.n = 0  # frame times since the first frame (its pts; a pause skips some)
        self.since_key = 0
        #: the next frame is a key frame (its sender was asked for one); key frames made early on request
        self.force_key = False
        self.forced = 0
        self.frames = 0  # frames made

    @staticmethod
    def frame(key: bool, size: int, width: int, height: int, stamp: float) -> bytes:
        """One VP8-shaped frame of ``size`` bytes."""
        head = b"\x9d\x01\x2a" + struct.pack("<HH", width & 0x3FFF, height & 0x3FFF) if key else b""
        body = StampedCamera.MARK + struct.pack("!d", stamp)
        first_part = max(0, size - 3 - len(head)) & 0x7FFFF
        tag = (0 if key else 1) | 1 << 4 | first_part << 5  # frame type, version 0, show_frame, size
        data = tag.to_bytes(3, "little") + head + body
        return data + bytes(max(0, size - len(data)))

    async def recv(self) -> av.Packet:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if not self.start:
            self.start = now
        elif (wait := self.start + self.n / self.FPS - now) > 0:
            await asyncio.sleep(wait)
        elif wait < -0.2:  # a pause (nothing read meanwhile): on from now, as a camera
            self.n += int(-wait * self.FPS)
        key = self.since_key == 0 or self.since_key >= self.frames_per_key or self.force_key
        if self.force_key and self.since_key and self.since_key < self.frames_per_key:
            self.forced += 1
        self.force_key = False
        self.since_key = 1 if key else self.since_key + 1
        size = self.key_size if key else self.delta_size
        packet = av.Packet(self.frame(key, size, self.WIDTH, self.HEIGHT, time.perf_counter()))
        packet.pts, packet.time_base = self.n * 90000 // self.FPS, fractions.Fraction(1, 90000)
        self.n += 1
        self.frames += 1
        return packet


def vp8_stamp_offset(payload: bytes) -> int:
    """Where a camera frame's MARK starts in the RTP payload of its first packet (the VP8 payload
    descriptor, RFC 7741 §4.2, then the frame's tag and, on a key frame, its 7-byte header); -1 if this is not
    a frame's first packet."""
    if len(payload) < 2 or not payload[0] & 0x10 or payload[0] & 0x0F:  # S bit, partition 0
        return -1
    at = 1
    if payload[0] & 0x80:  # X: an extension byte
        x = payload[1]
        at = 2
        if x & 0x80:  # I: picture id, 7 or 15 bits
            at += 2 if len(payload) > at and payload[at] & 0x80 else 1
        at += bool(x & 0x40) + bool(x & 0x30)  # L: TL0PICIDX; T or K: TID/KEYIDX
    if len(payload) <= at:
        return -1
    return at + (3 if payload[at] & 0x01 else 10)


#: end-to-end latencies (s) of the stamped packets the peers received in the current round
E2E: list[float] = []
#: the same for the first packets of the camera frames they received (one per frame)
E2E_VIDEO: list[float] = []
_handle_rtp = RTCRtpReceiver._handle_rtp_packet
_next_encoded_frame = RTCRtpSender._next_encoded_frame


async def _leveled_frame(self: RTCRtpSender, codec: Any) -> Any:
    """A stamped voice's packets carry its level (aiortc puts one in only for frames it encodes)."""
    frame = await _next_encoded_frame(self, codec)
    if frame is not None and isinstance(self.track, StampedVoice):
        frame.audio_level = self.track.dbov
    return frame


def speaker_dbov(i: int) -> int:
    """Peer ``i``'s voice level: peer 0 the loudest (−20 dBov), each next one 2 dB quieter."""
    return -(20 + 2 * (i % 50))


def is_vp8(receiver: RTCRtpReceiver, payload_type: int) -> bool:
    """Whether a receiver's packet is VP8 (not its retransmission stream, whose payload starts otherwise)."""
    codec = receiver._RTCRtpReceiver__codecs.get(payload_type)  # type: ignore[attr-defined]
    return codec is not None and codec.mimeType.lower() == "video/vp8"


async def _timed_rtp(self: RTCRtpReceiver, packet: Any, arrival_time_ms: int) -> None:
    """A peer's receiver takes a packet (decrypted, off its ICE queue): how long since its sender sent it."""
    payload = packet.payload
    if payload[:len(StampedVoice.MARK)] == StampedVoice.MARK:
        E2E.append(time.perf_counter() - struct.unpack_from("!d", payload, len(StampedVoice.MARK))[0])
    elif (is_vp8(self, packet.payload_type) and (at := vp8_stamp_offset(payload)) >= 0
          and payload[at:at + len(StampedCamera.MARK)] == StampedCamera.MARK):
        E2E_VIDEO.append(time.perf_counter() - struct.unpack_from("!d", payload, at + len(StampedCamera.MARK))[0])
    await _handle_rtp(self, packet, arrival_time_ms)


async def _counted_rtp(self: RTCRtpReceiver, packet: Any, arrival_time_ms: int) -> None:
    """A counting peer's receiver (the default, without ``--peers-decode`` or ``--peers-full-receive``): the
    packet counted in its stream's statistics (what ``counts`` and getStats read) and its stamp read, and
    nothing else — no bitrate estimate (REMB), no NACKs, no reassembly, no frames handed to a track: a
    receiving peer needs none of it to count packets and their latency, and with 90 camera streams in a
    call of 10 that work made the peers, not the SFU, the limit. A lost packet is then lost for good (no
    retransmission asked: the loss is the SFU's and the network's, not repaired)."""
    if not self._enabled:
        return
    codec = self._RTCRtpReceiver__codecs.get(packet.payload_type)  # type: ignore[attr-defined]
    if codec is None:
        return
    streams = self._RTCRtpReceiver__remote_streams  # type: ignore[attr-defined]
    stats = streams.get(packet.ssrc)
    if stats is None:
        stats = streams[packet.ssrc] = StreamStatistics(codec.clockRate)
    stats.add(packet)
    payload = packet.payload
    if payload[:len(StampedVoice.MARK)] == StampedVoice.MARK:
        E2E.append(time.perf_counter() - struct.unpack_from("!d", payload, len(StampedVoice.MARK))[0])
    elif (codec.mimeType.lower() == "video/vp8" and (at := vp8_stamp_offset(payload)) >= 0
          and payload[at:at + len(StampedCamera.MARK)] == StampedCamera.MARK):
        E2E_VIDEO.append(time.perf_counter() - struct.unpack_from("!d", payload, at + len(StampedCamera.MARK))[0])


def percentiles(counts: dict[int, int], *ps: float) -> list[float]:
    """Percentiles (ms) of a histogram of µs buckets."""
    total = sum(counts.values())
    out = []
    for p in ps:
        rank, seen = p / 100 * total, 0
        for us in sorted(counts):
            seen += counts[us]
            if seen >= rank:
                out.append(round(us / 1000, 2))
                break
        else:
            out.append(float("nan"))
    return out


def sfu_latency(path: str | None, key: str = "us") -> dict[int, int]:
    """The SFU's histogram of forwarding latencies so far (CHINWAG_CALLS_LATENCY_FILE; with SFU worker
    processes, each writes ``<path>.<worker>``: added up); ``key`` "video_us": the video frames' only."""
    if not path:
        return {}
    out: dict[int, int] = {}
    for name in [path, *glob.glob(glob.escape(path) + ".*")]:
        if name.endswith(".tmp"):
            continue
        try:
            with open(name) as f:
                for k, v in json.load(f).get(key, {}).items():
                    out[int(k)] = out.get(int(k), 0) + v
        except (OSError, ValueError):
            continue
    return out


class LoopLag:
    """How late this process's event loop runs a 10 ms timer (the peers' loop falling behind)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while True:
            t = time.monotonic()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, time.monotonic() - t - 0.01)

    def take(self) -> float:
        worst, self.worst = self.worst, 0.0
        return round(worst * 1000)


LAG = LoopLag()
LATENCY_PATH: str | None = None

PLUGIN = "com.mattermost.calls"
PACKETS_PER_SECOND = 50  # one Opus frame every 20 ms
TICKS = os.sysconf("SC_CLK_TCK")


def plugin_pid(server_pid: int) -> int:
    """The calls plugin's process: a child of the server running chinwag.plugin.runner for it."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == server_pid and "chinwag.plugin.runner" in cmd and "calls" in cmd:
            return int(entry.name)
    raise RuntimeError("calls plugin process not found")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def sfu_cpu_seconds(pid: int) -> float:
    """The calls plugin process's CPU and its SFU worker processes' (its children), added up."""
    total = cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(pid):
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    total += cpu_seconds(int(entry.name))
            except (OSError, ValueError):
                continue
    return total


def waited_seconds(pid: int) -> float:
    """How long a process's threads have been runnable but not running (waiting for a core: /proc's
    schedstat, summed over its threads)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e9


def sfu_waited_seconds(pid: int) -> float:
    """``waited_seconds`` of the calls plugin process and its SFU worker processes."""
    total = waited_seconds(pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(pid):
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    total += waited_seconds(int(entry.name))
            except (OSError, ValueError):
                continue
    return total


def setup(srv: ServerProcess, n: int, max_speakers: int = 3, workers: int = 0) -> tuple[str, list[tuple[str, str]]]:
    srv.create_user("admin")
    admin = srv.login("admin")
    with srv.api(admin) as c:
        team = c.post("/teams", json={"name": "bench", "display_name": "Bench", "type": "O"}).json()
        channel = c.post("/channels", json={"team_id": team["id"], "name": "call", "display_name": "Call",
                                            "type": "O"}).json()
        users = []
        for i in range(n):
            u = srv.create_user(f"p{i}")
            c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": u["id"]})
            c.post(f"/channels/{channel['id']}/members", json={"user_id": u["id"]})
            users.append((u["id"], srv.login(f"p{i}")))
        r = c.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
            "udpserveraddress": "127.0.0.1", "maxforwardedspeakers": max_speakers, "sfuworkers": workers}}}})
        r.raise_for_status()
        c.post(f"/plugins/{PLUGIN}/enable").raise_for_status()
    return channel["id"], users


class BenchPeer(Participant):
    #: its camera, once on (``--video``)
    camera: StampedCamera | None = None


async def counts(p: Participant) -> dict[str, int]:
    """What a peer received and sent so far: audio packets in; camera packets in (not the retransmissions:
    those apart) and out; its camera's frames made, and those made on a keyframe request."""
    out = {"got": 0, "got_video": 0, "rtx_video": 0, "sent_video": 0, "frames": 0, "forced": 0}
    if p.ws is None:
        return out
    for st in (await p.pc.getStats()).values():
        if st.type == "inbound-rtp" and st.kind == "audio":
            out["got"] += st.packetsReceived
        elif st.type == "outbound-rtp" and st.kind == "video":
            out["sent_video"] += st.packetsSent
    # a video receiver has two inbound streams (VP8 and its retransmissions), which aiortc's getStats
    # reports under one id (the receiver's): only the last of them comes out; its own counts instead
    for t in p.pc.getTransceivers():
        if t.kind == "video":
            receiver: Any = t.receiver
            rtx = receiver._RTCRtpReceiver__rtx_ssrc
            for ssrc, stream in receiver._RTCRtpReceiver__remote_streams.items():
                out["rtx_video" if ssrc in rtx else "got_video"] += stream.packets_received
    camera = getattr(p, "camera", None)
    if camera is not None:
        out["frames"], out["forced"] = camera.frames, camera.forced
    return out


#: the per-peer figures of a take (``counts``)
PER_PEER = ("got", "got_video", "rtx_video", "sent_video", "frames", "forced")


async def snapshot(peers: list[Participant]) -> dict[str, Any]:
    """A take of these peers: their counts (lists in their order), the end-to-end latencies since the last
    take (voice, camera), this process's worst loop lag, connected peer connections and open sockets."""
    each = [await counts(p) for p in peers]
    out: dict[str, Any] = {k: [c[k] for c in each] for k in PER_PEER}
    out.update(e2e=list(E2E), e2e_video=list(E2E_VIDEO), lag=LAG.take(), lock_retries=LOCK_RETRIES[0],
               state=peer_state([p for p in peers if p.ws is not None]))
    E2E.clear()
    E2E_VIDEO.clear()
    return out


async def set_speaking(p: Participant, on: bool) -> None:
    """As the apps do: a muted microphone sends nothing (the sender's track is taken off), and the server
    is told."""
    audio = [s for s in p.pc.getSenders() if s.kind == "audio"]
    sending = next((s for s in audio if s.track is not None), None)
    if on and sending is None and hasattr(p, "voice"):
        p.voice_sender.replaceTrack(p.voice)  # type: ignore[attr-defined]
    elif not on and sending is not None:
        p.voice, p.voice_sender = sending.track, sending  # type: ignore[attr-defined]
        sending.replaceTrack(None)
    await p.send("unmute" if on else "mute")


class Peers:
    """The call's peers, in this process (``procs`` 0) or spread over ``procs`` worker processes (each its
    own event loop and core share: one process receiving hundreds of streams was the bottleneck before).
    Peer ``i`` always sends its stamped voice at ``speaker_dbov(i)``."""

    def __init__(self, url: str, users: list[tuple[str, str]], procs: int) -> None:
        self.url, self.users, self.procs = url, users, procs
        self.local: list[Participant] = []
        self.workers: list[Any] = []  # (process, connection, its peers' indexes)
        if procs:
            import multiprocessing

            ctx = multiprocessing.get_context("spawn")
            for w in range(procs):
                mine = [i for i in range(len(users)) if i % procs == w]
                here, there = ctx.Pipe()
                proc = ctx.Process(target=peer_worker, args=(there, url, [(i, *users[i]) for i in mine],
                                                             PEER_OPTIONS), daemon=True)
                proc.start()
                self.workers.append((proc, here, mine))
        else:
            self.local = [new_participant(url, i, *users[i]) for i in range(len(users))]

    async def _ask(self, w: int, *cmd: Any) -> Any:
        _, conn, _ = self.workers[w]
        conn.send(cmd)
        answer = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    async def join(self, i: int, channel_id: str, mute: bool) -> None:
        if self.procs:
            await self._ask(i % self.procs, "join", i, channel_id, mute)
        else:
            await join_peer(self.local[i], channel_id, mute)

    async def speak(self, speakers: int) -> None:
        """Peers below ``speakers`` unmuted, the others muted."""
        if self.procs:
            await asyncio.gather(*(self._ask(w, "speak", speakers) for w in range(self.procs)))
        else:
            for i, p in enumerate(self.local):
                await set_speaking(p, i < speakers)

    async def take(self) -> dict[str, Any]:
        """Packets received per peer, the end-to-end latencies since the last take, the worst loop lag."""
        if not self.procs:
            return await snapshot(self.local)
        parts = await asyncio.gather(*(self._ask(w, "take") for w in range(self.procs)))
        out: dict[str, Any] = {k: [0] * len(self.users) for k in PER_PEER}
        for (_, _, mine), part in zip(self.workers, parts, strict=True):
            for k in PER_PEER:
                for i, n in zip(mine, part[k], strict=True):
                    out[k][i] = n
        out.update(e2e=[x for part in parts for x in part["e2e"]],
                   e2e_video=[x for part in parts for x in part["e2e_video"]],
                   lag=max(part["lag"] for part in parts), lock_retries=sum(part["lock_retries"] for part in parts),
                   state=tuple(sum(part["state"][k] for part in parts) for k in range(2)))
        return out

    def waited(self) -> float:
        """The peers' time runnable but waiting for a core (this process, or the workers)."""
        if not self.procs:
            return waited_seconds(os.getpid())
        return sum(waited_seconds(proc.pid) for proc, _, _ in self.workers)

    def cpu(self) -> float:
        """The peers' CPU seconds (this process, or the workers)."""
        if not self.procs:
            return cpu_seconds(os.getpid())
        return sum(cpu_seconds(proc.pid) for proc, _, _ in self.workers)

    async def close(self) -> None:
        if self.procs:
            await asyncio.gather(*(self._ask(w, "close") for w in range(self.procs)))
            for proc, conn, _ in self.workers:
                conn.close()
                proc.join(10)
                if proc.is_alive():
                    proc.kill()
            return
        await close_peers(self.local)


#: what the worker processes need of the command line (set in main)
PEER_OPTIONS: dict[str, Any] = {}


def new_participant(url: str, i: int, user_id: str, token: str) -> Participant:
    p = BenchPeer(SimpleNamespace(url=url), token, user_id)  # type: ignore[arg-type]
    if not PEER_OPTIONS.get("peers_decode"):
        p.microphone = lambda: StampedVoice(speaker_dbov(i))  # type: ignore[method-assign]
    return p


async def join_peer(p: Participant, channel_id: str, mute: bool) -> None:
    t0 = time.monotonic()
    history: list[str] = []
    p.history = history  # type: ignore[attr-defined]

    @p.pc.on("connectionstatechange")
    def _state() -> None:
        ice = p.pc.iceConnectionState
        history.append(f"{time.monotonic() - t0:.1f}s {p.pc.connectionState}/ice {ice}")
        if p.pc.connectionState in ("closed", "failed"):
            from chinwag.plugin.bundled.calls.server.sfu import close_reason

            reason = close_reason(p.pc)
            history.append(f"why: {reason or 'closed by this peer, or ICE failed'}")
            if reason or p.pc.connectionState == "failed":
                print(f"peer {p.conn_id}: connection {p.pc.connectionState}: {history}", file=sys.stderr, flush=True)

    await p.connect()
    await p.join(channel_id)  # joins, then unmutes with its voice
    if mute:
        await set_speaking(p, False)  # people join a meeting muted: one speaks meanwhile
    if PEER_OPTIONS.get("video") and isinstance(p, BenchPeer):
        await camera_on(p, StampedCamera(PEER_OPTIONS.get("video_kbps") or 500))


#: signalling lock requests sent again after getting no answer within 5 s (see ``lock``)
LOCK_RETRIES = [0]


async def lock(p: Participant) -> None:
    """The signalling lock over the data channel, as ``Participant._lock``, but asking again when no answer
    came within 5 s (an answer, or the request, can sit behind a busy SCTP association for long), and
    taking any grant that comes meanwhile."""
    p.dc.send(bytes([app.DC_LOCK]))
    deadline = time.monotonic() + app.WAIT * 2
    while time.monotonic() < deadline:
        try:
            granted = await asyncio.wait_for(p.lock_answers.get(), 5)
        except TimeoutError:
            LOCK_RETRIES[0] += 1
            if p.dc.readyState != "open":
                break
            p.dc.send(bytes([app.DC_LOCK]))
            continue
        if granted:
            return
        await asyncio.sleep(0.05)
        p.dc.send(bytes([app.DC_LOCK]))
    sctp = p.pc.sctp
    raise TimeoutError(f"no signalling lock for {p.conn_id}: data channel {p.dc.readyState}, connection "
                       f"{p.pc.connectionState}, ICE {p.pc.iceConnectionState}, "
                       f"SCTP {sctp.state if sctp else None} {getattr(sctp, '_association_state', None)}; "
                       f"{getattr(p, 'history', None)}")


async def camera_on(p: BenchPeer, camera: StampedCamera) -> None:
    """The app's camera on (as tests/compat/test_calls_video.py): ``video_on``, then under the signalling
    lock a send-only video transceiver with the camera, offered; the answer gives the lock back."""
    await p.send("video_on")
    await lock(p)
    p.camera = camera
    p.pc.addTransceiver(camera, direction="sendonly")
    await p.pc.setLocalDescription(await p.pc.createOffer())
    await p._send_sdp()


def peer_state(peers: list[Participant]) -> tuple[int, int]:
    return (sum(p.pc.connectionState == "connected" for p in peers),
            sum(p.ws is not None and p.ws.state.name == "OPEN" for p in peers))


async def close_peers(peers: list[Participant]) -> None:
    for p in peers:
        if p.ws is not None:
            try:
                await p.send("leave")
            except Exception:  # a socket already gone
                pass
    for p in peers:
        await p.close()


def install_peer_hooks(peers_decode: bool, full_receive: bool = False) -> None:
    """The peers' side: stamped voices with levels, timed receipt, and (unless they decode) receivers that
    hand on encoded frames without a decoder thread each, as the SFU's; unless they decode or
    ``full_receive``, receivers that only count (``_counted_rtp``)."""
    counting = not peers_decode and not full_receive
    RTCRtpReceiver._handle_rtp_packet = _counted_rtp if counting else _timed_rtp  # type: ignore[method-assign]
    RTCRtpSender._next_encoded_frame = _leveled_frame  # type: ignore[method-assign]
    if peers_decode:
        app.Tone = Voice  # type: ignore[misc,assignment]
    else:
        from chinwag.plugin.bundled.calls.server.sfu import install_passthrough

        install_passthrough()
        install_camera_keyframes()


def install_camera_keyframes() -> None:
    """A peer's camera makes a key frame when its sender is asked for one (an RTCP PLI, from the SFU), as a
    browser's encoder does; aiortc asks only its own encoder, which encoded frames do not go through."""
    asked = RTCRtpSender._send_keyframe

    def send_keyframe(self: RTCRtpSender) -> None:
        asked(self)
        if isinstance(self.track, StampedCamera):
            self.track.force_key = True

    RTCRtpSender._send_keyframe = send_keyframe  # type: ignore[method-assign]


def peer_worker(conn: Any, url: str, mine: list[tuple[int, str, str]], options: dict[str, Any]) -> None:
    """A worker process's peers, driven by the bench's commands over ``conn``."""
    PEER_OPTIONS.update(options)
    Participant.max_queue = options.get("ws_max_queue")
    install_peer_hooks(bool(options.get("peers_decode")), bool(options.get("full_receive")))
    if options.get("cpus"):
        os.sched_setaffinity(0, options["cpus"])

    async def run() -> None:
        loop = asyncio.get_running_loop()
        peers = {i: new_participant(url, i, uid, token) for i, uid, token in mine}
        ordered = list(peers.values())
        lag = loop.create_task(LAG.run())
        try:
            while True:
                cmd = await loop.run_in_executor(None, conn.recv)
                try:
                    if cmd[0] == "join":
                        await join_peer(peers[cmd[1]], cmd[2], cmd[3])
                        conn.send(True)
                    elif cmd[0] == "speak":
                        for i, p in peers.items():
                            if p.ws is not None:
                                await set_speaking(p, i < cmd[1])
                        conn.send(True)
                    elif cmd[0] == "take":
                        conn.send(await snapshot(ordered))
                    elif cmd[0] == "close":
                        await close_peers([p for p in peers.values() if p.ws is not None])
                        conn.send(True)
                        return
                except Exception:
                    conn.send(RuntimeError(traceback.format_exc()))
        finally:
            lag.cancel()

    asyncio.run(run())


def forwarded_streams(n: int, speakers: int, max_speakers: int) -> int:
    """Streams the SFU should forward: each receiver gets the ``max_speakers`` loudest voices but its own
    (0: every voice)."""
    if not max_speakers:
        return sum(speakers - (1 if i < speakers else 0) for i in range(n))
    return sum(min(max_speakers, speakers - (1 if i < speakers else 0)) for i in range(n))


async def measure_pool(pool: Peers, n: int, speakers: int, seconds: float, pid: int,
                       max_speakers: int) -> dict[str, Any]:
    """One round with the pool's peers: the speakers set, 3 s to settle, then ``seconds`` counted."""
    await pool.speak(speakers)
    await asyncio.sleep(3)  # the SFU applies the change; the streams settle
    before = await pool.take()
    try:
        cpu0, t0, own0 = sfu_cpu_seconds(pid), time.monotonic(), pool.cpu()
        wait0, own_wait0 = sfu_waited_seconds(pid), pool.waited()
    except FileNotFoundError:
        raise RuntimeError("the calls plugin process died during the round (see the server log, --keep)") from None
    sfu0, vsfu0 = sfu_latency(LATENCY_PATH), sfu_latency(LATENCY_PATH, "video_us")
    await asyncio.sleep(seconds)
    cpu1, t1, own1 = sfu_cpu_seconds(pid), time.monotonic(), pool.cpu()
    wait1, own_wait1 = sfu_waited_seconds(pid), pool.waited()
    sfu1, vsfu1 = sfu_latency(LATENCY_PATH), sfu_latency(LATENCY_PATH, "video_us")
    after = await pool.take()
    elapsed = t1 - t0
    streams = forwarded_streams(n, speakers, max_speakers)
    expected = streams * PACKETS_PER_SECOND * elapsed
    total = sum(a - b for a, b in zip(after["got"], before["got"], strict=True))
    cores = (cpu1 - cpu0) / elapsed
    row: dict[str, Any] = {
        "participants": n, "speakers": speakers, "forwarded_streams": streams,
        "loss_pct": round(100 * max(0.0, 1 - total / expected), 2) if expected else 0.0,
        "sfu_cpu_cores": round(cores, 3), "cpu_ms_per_stream_s": round(1000 * cores / streams, 2) if streams else 0.0,
        "peers_cpu_cores": round((own1 - own0) / elapsed, 3), "peers_loop_lag_ms": after["lag"],
        # time runnable but kept off a core by others, per second: the SFU's (> BUSY_WAIT: the machine's
        # load, not the SFU, was its limit) and the peers'
        "sfu_waited": round((wait1 - wait0) / elapsed, 3), "peers_waited": round((own_wait1 - own_wait0) / elapsed, 3),
        "load_avg": os.getloadavg()[0],
        **latency_figures(since(sfu0, sfu1), sorted(after["e2e"]))}
    if PEER_OPTIONS.get("video"):
        row.update(video_figures(n, before, after, elapsed, cores, since(vsfu0, vsfu1)))
    verdict(row, max(1, len(pool.workers)))
    return row


#: the rounds so far (for the summary at the end)
SUMMARY: list[dict[str, Any]] = []
#: a peer process this far behind (its worst loop lag in a round, ms), or the peers this close to all the
#: cores they may use, and the peers, not the SFU, were the limit of that round
PEER_LAG_LIMIT_MS = 100
BUSY = 0.85
#: the SFU's threads this long runnable but off a core per second (others' load on its core): it was not
#: given the CPU it asked for, so the round measured the machine, not the SFU's capacity
BUSY_WAIT = 0.2


def cpus_allowed(pid: int) -> str:
    """The cores a process may run on (its Cpus_allowed_list)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Cpus_allowed_list:"):
            return line.split(":", 1)[1].strip()
    return "?"


def verdict(row: dict[str, Any], procs: int) -> None:
    """Whether the round held (< 1 % lost, the SFU's added p99 < 50 ms: the issue's bar; with cameras for
    the voice and the cameras both) and, when it did not or nearly, what was the limit: ``peers`` when a
    peer process's loop fell behind (``PEER_LAG_LIMIT_MS``) or the peers used nearly all the cores they may
    (``BUSY``), ``sfu`` when the SFU used nearly a core (with ``--sfu-core``: its one core), else ``machine``
    (neither saturated: the load of others, or the network path)."""
    losses = [row.get("loss_pct") or 0.0]
    p99s = [row.get("sfu_p99_ms", row.get("e2e_p99_ms", 0.0))]  # Janus: end to end (it times nothing)
    if "video_streams" in row:
        losses.append(row.get("video_loss_pct") or 0.0)
        p99s.append(row.get("video_sfu_p99_ms", row.get("video_e2e_p99_ms", 0.0)))
    row["held"] = max(losses) < 1 and max(p99s) < 50
    peer_cores = len(os.sched_getaffinity(0))
    peers = row["peers_loop_lag_ms"] > PEER_LAG_LIMIT_MS or row["peers_cpu_cores"] >= BUSY * min(procs, peer_cores)
    sfu = row["sfu_cpu_cores"] >= BUSY
    starved = row.get("sfu_waited", 0.0) >= BUSY_WAIT
    limits = [name for name, on in (("sfu", sfu), ("sfu starved by the machine's load", starved and not sfu),
                                    ("peers", peers)) if on]
    row["limit"] = "+".join(limits) if limits else "" if row["held"] else "machine"
    SUMMARY.append(row)


def summary(video: bool) -> None:
    """Per round kind, the largest size that held, and the first that did not with its limit."""
    by: dict[int, list[dict[str, Any]]] = {}
    for row in SUMMARY:
        by.setdefault(row["speakers"] if row["speakers"] == 1 else 0, []).append(row)
    for kind, rows in by.items():
        held = [r["participants"] for r in rows if r.get("held")]
        failed = [r for r in rows if not r.get("held")]
        print({"summary": ("one speaker" if kind == 1 else "everybody speaking") + (", every camera on" if video else ""),
               "largest_held": max(held) if held else None,
               "not_held": [(r["participants"], r.get("limit")) for r in failed]}, flush=True)


def since(before: dict[int, int], after: dict[int, int]) -> dict[int, int]:
    """A cumulative histogram's counts between two readings."""
    return {k: v - before.get(k, 0) for k, v in after.items() if v > before.get(k, 0)}


def video_figures(n: int, before: dict[str, Any], after: dict[str, Any], elapsed: float, cores: float,
                  sfu: dict[int, int]) -> dict[str, Any]:
    """The cameras' figures of a round (every peer's camera on, each forwarded to every other peer, one
    layer): the camera packets the receivers got against what the cameras sent times the receivers
    (retransmissions not counted: ``video_rtx`` apart), the frames whose first packet came against the
    frames made times the receivers, the cameras' frame rate and bitrate, the SFU's CPU per forwarded camera
    (all of it: the one voice's share is small), the SFU's and end-to-end latency of the frames (first
    packet)."""
    def delta(key: str) -> list[int]:
        return [a - b for a, b in zip(after[key], before[key], strict=True)]

    streams = n * (n - 1)
    sent, frames = delta("sent_video"), delta("frames")
    expected_packets = sum(sent) * (n - 1)
    expected_frames = sum(frames) * (n - 1)
    got_packets, got_frames = sum(delta("got_video")), len(after["e2e_video"])
    e2e = sorted(after["e2e_video"])
    out: dict[str, Any] = {
        "video_streams": streams,
        "video_loss_pct": round(100 * max(0.0, 1 - got_packets / expected_packets), 2) if expected_packets else None,
        "video_frame_loss_pct": round(100 * max(0.0, 1 - got_frames / expected_frames), 2) if expected_frames else None,
        "video_rtx": sum(delta("rtx_video")), "keyframes_asked": sum(delta("forced")),
        "camera_fps": round(sum(frames) / n / elapsed, 1),
        "camera_pps": round(sum(sent) / n / elapsed, 1),
        "cpu_ms_per_video_stream_s": round(1000 * cores / streams, 2) if streams else 0.0,
    }
    if sfu:
        out["video_sfu_p50_ms"], out["video_sfu_p99_ms"] = percentiles(sfu, 50, 99)
    if e2e:
        out["video_e2e_p50_ms"] = round(1000 * e2e[len(e2e) // 2], 2)
        out["video_e2e_p99_ms"] = round(1000 * e2e[min(len(e2e) - 1, int(len(e2e) * 0.99))], 2)
    return out


async def run_size(url: str, channel_id: str, users: list[tuple[str, str]], n: int, seconds: float,
                   pid: int, join_unmuted: bool = False, procs: int = 0, max_speakers: int = 0,
                   rounds: tuple[str, ...] = ("1", "all")) -> list[dict[str, Any]]:
    pool = Peers(url, users[:n], procs)
    LAG.task = asyncio.get_running_loop().create_task(LAG.run())
    try:
        t0 = time.monotonic()
        LAG.take()
        for i in range(n):
            await pool.join(i, channel_id, mute=bool(i) and not join_unmuted)
        took = await pool.take()
        print({"participants": n, "joined_s": round(time.monotonic() - t0, 1), "join_loop_lag_ms": max(LAG.take(), took["lag"]),
               "lock_retries": took["lock_retries"], "load_avg": os.getloadavg()[0]}, flush=True)
        await asyncio.sleep(3)
        connected, open_ = (await pool.take())["state"]
        sessions, cameras = await sessions_in_call(url, users[0][1], channel_id)
        print({"sessions_in_call": sessions, "cameras_on": cameras,
               "peers_connected": connected, "sockets_open": open_}, flush=True)
        rows = []
        for speakers in (n if r == "all" else min(n, int(r)) for r in rounds):  # the quiet round first: an
            # overloaded round leaves queues behind
            row = await measure_pool(pool, n, speakers, seconds, pid, max_speakers)
            rows.append(row)
            print(row, flush=True)
        return rows
    finally:
        await pool.close()
        if LAG.task is not None:
            LAG.task.cancel()
        await asyncio.sleep(2)


async def sessions_in_call(url: str, token: str, channel_id: str) -> tuple[int, int]:
    """The call's sessions, and those with their camera on, as the server has them."""
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        call = (await c.get(f"/plugins/{PLUGIN}/{channel_id}")).json().get("call") or {}
    sessions = call.get("sessions") or []
    return len(sessions), sum(bool(s.get("video")) for s in sessions)


async def janus_take(members: list[Any]) -> dict[str, Any]:
    """What the Janus peers received and sent so far, as ``counts``: audio packets in (the subscriber
    connection's), camera packets in (their own streams, the retransmissions apart) and out, the cameras'
    frames made and those made on a key frame request."""
    out: dict[str, Any] = {k: [] for k in PER_PEER}
    for m in members:
        c = {"got": sum((await m.packets()).values()), "got_video": 0, "rtx_video": 0, "sent_video": 0,
             "frames": 0, "forced": 0}
        for t in m.sub.getTransceivers():
            if t.kind == "video":
                receiver: Any = t.receiver
                rtx = receiver._RTCRtpReceiver__rtx_ssrc
                for ssrc, stream in receiver._RTCRtpReceiver__remote_streams.items():
                    c["rtx_video" if ssrc in rtx else "got_video"] += stream.packets_received
        for st in (await m.pub.getStats()).values():
            if st.type == "outbound-rtp" and st.kind == "video":
                c["sent_video"] += st.packetsSent
        camera = getattr(m, "camera", None)
        if camera is not None:
            c["frames"], c["forced"] = camera.frames, camera.forced
        for k in PER_PEER:
            out[k].append(c[k])
    return out


async def janus_size(url: str, n: int, seconds: float, pid: int, video: bool = False,
                     rounds: tuple[str, ...] = ("1", "all"), join_unmuted: bool = False) -> list[dict[str, Any]]:
    """The same rounds against a Janus VideoRoom room; with ``video`` each member also publishes a
    StampedCamera on its publisher connection and receives every other camera on its subscriber."""
    import secrets

    from tests.compat.janus_server import API_SECRET
    from tests.compat.test_calls_janus import Member

    from chinwag.plugin.bundled.calls.server.janus import Janus

    janus = await Janus(url, api_secret=API_SECRET).connect()
    admin = await janus.attach()
    room = secrets.randbelow(2**31) + 1
    await janus.create_room(admin, room)
    members = [Member(janus, room, f"p{i}") for i in range(n)]
    LAG.task = asyncio.get_running_loop().create_task(LAG.run())
    try:
        def microphone(m: Any) -> Any:
            return next(s for s in m.pub.getSenders() if s.kind == "audio")

        t0 = time.monotonic()
        voices = []
        for i, m in enumerate(members):
            if video:  # in the publisher's one offer beside the microphone (publish adds that)
                camera = StampedCamera(PEER_OPTIONS.get("video_kbps") or 500)
                setattr(m, "camera", camera)  # noqa: B010  (Member has no such attribute: janus_take reads it)
                m.pub.addTransceiver(camera, direction="sendonly")
            await m.publish()
            voices.append(microphone(m).track)
            if i and not join_unmuted:  # joined muted, as with the embedded SFU (one speaks meanwhile)
                microphone(m).replaceTrack(None)
        feeds = [m.feed for m in members]
        for m in members:
            await m.subscribe(feeds)
        print({"participants": n, "joined_s": round(time.monotonic() - t0, 1), "join_loop_lag_ms": LAG.take(),
               "load_avg": os.getloadavg()[0]}, flush=True)
        rows = []
        for speakers in (n if r == "all" else min(n, int(r)) for r in rounds):
            for i, m in enumerate(members):
                sender = microphone(m)
                if i < speakers and sender.track is None:
                    sender.replaceTrack(voices[i])
                elif i >= speakers and sender.track is not None:
                    sender.replaceTrack(None)
            await asyncio.sleep(3)
            row = await measure_counts(members, speakers, seconds, pid, video)
            row["participants"] = n
            verdict(row, 1)
            rows.append(row)
            print(row, flush=True)
        return rows
    finally:
        for m in members:
            await m.close()
        await janus.destroy_room(admin, room)
        await janus.close()
        if LAG.task is not None:
            LAG.task.cancel()


async def measure_counts(peers: list[Any], speakers: int, seconds: float, pid: int,
                         video: bool = False) -> dict[str, Any]:
    """One round's figures, the speakers already set: what each receiver should get (``streams``), what they
    got, the SFU process's CPU and this process's; with ``video`` the cameras' figures too."""

    before = await janus_take(peers)
    E2E_VIDEO.clear()
    cpu0, t0, own0 = cpu_seconds(pid), time.monotonic(), cpu_seconds(os.getpid())
    wait0, own_wait0 = waited_seconds(pid), waited_seconds(os.getpid())
    E2E.clear()
    sfu0 = sfu_latency(LATENCY_PATH)
    await asyncio.sleep(seconds)
    cpu1, t1, own1 = cpu_seconds(pid), time.monotonic(), cpu_seconds(os.getpid())
    wait1, own_wait1 = waited_seconds(pid), waited_seconds(os.getpid())
    sfu1 = sfu_latency(LATENCY_PATH)
    e2e = sorted(E2E)
    after = await janus_take(peers)
    after["e2e_video"] = list(E2E_VIDEO)
    elapsed = t1 - t0
    streams = sum(speakers - (1 if i < speakers else 0) for i in range(len(peers)))
    expected = streams * PACKETS_PER_SECOND * elapsed
    total = sum(a - b for a, b in zip(after["got"], before["got"], strict=True))
    cores = (cpu1 - cpu0) / elapsed
    extra = video_figures(len(peers), before, after, elapsed, cores, {}) if video else {}
    return {"speakers": speakers, "forwarded_streams": streams, **extra,
            "loss_pct": round(100 * max(0.0, 1 - total / expected), 2) if expected else 0.0,
            "sfu_cpu_cores": round(cores, 3), "cpu_ms_per_stream_s": round(1000 * cores / streams, 2) if streams else 0.0,
            "peers_cpu_cores": round((own1 - own0) / elapsed, 3), "peers_loop_lag_ms": LAG.take(),
            "sfu_waited": round((wait1 - wait0) / elapsed, 3), "peers_waited": round((own_wait1 - own_wait0) / elapsed, 3),
            "load_avg": os.getloadavg()[0],
            **latency_figures({k: v - sfu0.get(k, 0) for k, v in sfu1.items() if v > sfu0.get(k, 0)}, e2e)}


def latency_figures(sfu: dict[int, int], e2e: list[float]) -> dict[str, Any]:
    """The SFU's added latency per forwarded packet (p50/p99 ms, from its own timing) and the end-to-end
    latency sender → SFU → receiver the peers saw (p50/p99 ms), for one round."""
    out: dict[str, Any] = {}
    if sfu:
        out["sfu_p50_ms"], out["sfu_p99_ms"] = percentiles(sfu, 50, 99)
        out["sfu_timed"] = sum(sfu.values())
    if e2e:
        out["e2e_p50_ms"] = round(1000 * e2e[len(e2e) // 2], 2)
        out["e2e_p99_ms"] = round(1000 * e2e[min(len(e2e) - 1, int(len(e2e) * 0.99))], 2)
    return out


def main_janus(sizes: list[int], seconds: float, peer_cpus: set[int] | None, video: bool = False,
               rounds: tuple[str, ...] = ("1", "all"), join_unmuted: bool = False) -> None:
    from tests.compat.janus_server import JanusServer
    from tests.compat.test_calls_janus import Member

    # the stamped voice (end-to-end latency; Janus has no timing of its own), or with --peers-decode the tone
    Member.microphone = Voice if PEER_OPTIONS.get("peers_decode") else StampedVoice
    srv = JanusServer().start()
    if peer_cpus:
        os.sched_setaffinity(0, peer_cpus)
    try:
        assert srv.proc is not None
        print({"janus_cpus": cpus_allowed(srv.proc.pid), "bench_cpus": cpus_allowed(os.getpid()),
               "load_avg": os.getloadavg()}, flush=True)
        for n in sizes:
            asyncio.run(janus_size(srv.url, n, seconds, srv.proc.pid, video, rounds, join_unmuted))
    finally:
        srv.stop()


def main() -> None:
    global LATENCY_PATH
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2,5,10,15,20,25")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--keep", default=None, help="keep the server's data and log in this folder")
    ap.add_argument("--sfu", choices=("embedded", "janus"), default="embedded")
    ap.add_argument("--peers-decode", action="store_true",
                    help="the peers decode what they receive (by default they count the encoded packets only)")
    ap.add_argument("--join-unmuted", action="store_true",
                    help="everybody stays unmuted while the others join (as the bench did before)")
    ap.add_argument("--ws-max-queue", type=int, default=None,
                    help="the peers' WebSocket receive buffer in messages before they stop reading (default: "
                         "none, they always read; the websockets library's default, as before, is 16)")
    ap.add_argument("--no-sfu-timing", action="store_true",
                    help="do not have the SFU time its forwarding (CHINWAG_CALLS_LATENCY_FILE)")
    ap.add_argument("--peer-procs", type=int, default=0,
                    help="run the peers in this many worker processes (default 0: in the bench's own process)")
    ap.add_argument("--max-speakers", type=int, default=3,
                    help="the plugin's MaxForwardedSpeakers (each receiver gets that many loudest voices; 0: "
                         "all); also what the loss is counted against")
    ap.add_argument("--sfu-workers", type=int, default=0,
                    help="the plugin's SFUWorkers (0: its default, one per core; 1: the SFU in the plugin's process)")
    ap.add_argument("--video", action="store_true",
                    help="every peer also turns a camera on (StampedCamera: VP8-shaped frames, 30/s) after joining; "
                         "the rounds then also report the cameras' loss, latency and the SFU's CPU per camera stream")
    ap.add_argument("--video-kbps", type=int, default=500, help="each camera's bitrate (--video)")
    ap.add_argument("--rounds", default=None,
                    help="the rounds per size: numbers of speakers or 'all', comma-separated (default '1,all'; "
                         "with --video '1')")
    ap.add_argument("--peers-full-receive", action="store_true",
                    help="the peers' receivers do aiortc's whole receive path (bitrate estimate, NACKs, "
                         "reassembly) as before; by default they only count and read the stamps")
    ap.add_argument("--sfu-core", type=int, default=None,
                    help="pin the server (the calls plugin and its SFU workers: one worker then) to this core "
                         "and the bench and its peers to the others, so that 'per core' is literal")
    ap.add_argument("--server-src", default=None,
                    help="run the server from this source tree (its src/ first on PYTHONPATH: e.g. an export "
                         "of main for a before/after; the peers stay this tree's)")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    rounds = tuple((args.rounds or ("1" if args.video else "1,all")).split(","))
    if args.video and args.peers_decode:
        ap.error("--video: the peers do not decode (the camera's frames are not VP8 pictures)")
    # the peers' microphone, 50 packets/s as a real one: stamped packets (end-to-end latency, each peer at
    # its own RFC 6464 level), or with --peers-decode a real Opus tone (the peers decode what they get);
    # without --peers-decode the peers' receivers hand on encoded frames as the SFU's do, without a decoder
    # thread each: the peers' process then keeps up with hundreds of streams (it only counts them)
    app.Tone = Voice if args.peers_decode else StampedVoice  # type: ignore[misc,assignment]
    PEER_OPTIONS.update(peers_decode=args.peers_decode, ws_max_queue=args.ws_max_queue, video=args.video,
                        video_kbps=args.video_kbps, full_receive=args.peers_full_receive)
    install_peer_hooks(args.peers_decode, args.peers_full_receive)
    everywhere = os.sched_getaffinity(0)
    if args.sfu_core is not None:
        if args.sfu_core not in everywhere or len(everywhere) < 2:
            ap.error(f"--sfu-core {args.sfu_core}: this process may run on cores {sorted(everywhere)}")
        # the server (and the SFU or janus it starts) inherits the one core; the bench, its executor threads
        # and its peer processes the others
        os.sched_setaffinity(0, {args.sfu_core})
    SUMMARY.clear()
    if args.sfu == "janus":
        try:
            main_janus(sizes, args.seconds, everywhere - {args.sfu_core} if args.sfu_core is not None else None,
                       args.video, rounds, args.join_unmuted)
        finally:
            summary(args.video)
        return
    env = {}
    if args.server_src:
        env["PYTHONPATH"] = os.path.join(os.path.abspath(args.server_src), "src")
    if not args.no_sfu_timing:
        LATENCY_PATH = os.path.join(tempfile.mkdtemp(prefix="calls-latency-"), "latency.json")
        env["CHINWAG_CALLS_LATENCY_FILE"] = LATENCY_PATH
    srv = ServerProcess(args.keep, **env).start()
    if args.sfu_core is not None:
        os.sched_setaffinity(0, everywhere - {args.sfu_core})
        PEER_OPTIONS["cpus"] = everywhere - {args.sfu_core}
    try:
        channel_id, users = setup(srv, max(sizes), args.max_speakers, args.sfu_workers)
        assert srv.proc is not None
        for _ in range(50):
            try:
                pid = plugin_pid(srv.proc.pid)
                break
            except RuntimeError:
                time.sleep(0.2)
        else:
            raise RuntimeError("calls plugin did not start")
        print({"sfu_cpus": cpus_allowed(pid), "bench_cpus": cpus_allowed(os.getpid()),
               "load_avg": os.getloadavg()}, flush=True)
        httpx.get(srv.url + "/api/v4/system/ping").raise_for_status()
        Participant.max_queue = args.ws_max_queue
        for n in sizes:
            asyncio.run(run_size(srv.url, channel_id, users, n, args.seconds, pid, args.join_unmuted,
                                 args.peer_procs, args.max_speakers, rounds))
    finally:
        srv.stop()
        summary(args.video)
        if LATENCY_PATH:
            shutil.rmtree(os.path.dirname(LATENCY_PATH), ignore_errors=True)


if __name__ == "__main__":
    main()

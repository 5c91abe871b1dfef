"""The loudest speakers of a call: five aiortc peers all unmuted, each sending a tone at its own level
(aiortc puts each frame's level in the RFC 6464 ``ssrc-audio-level`` header extension, as browsers do);
the SFU forwards to each receiver only the voices of the K loudest (``MaxForwardedSpeakers``, 3 by default),
never its own — one of the K hears the two others and the next loudest. A muted speaker's place goes to
the next voice; with the setting 0 every voice reaches everybody. The apps' own voice activity
(``voice_on``/``voice_off``) reaches the others as ``user_voice_on``/``user_voice_off``, forwarded voice or
not. Against a real ``chinwag serve``."""

from __future__ import annotations

import array
import asyncio
import fractions
import math

import av
import httpx
import pytest
from aiortc.mediastreams import AudioStreamTrack

from tests.compat.conftest import LiveServer
from tests.compat.test_calls import PLUGIN, PORTS, WAIT, Participant
from tests.waiting import until

pytestmark = pytest.mark.compat

#: the peers' tones' amplitudes: 12 dB apart (−9, −21, −33, −45, −57 dBov), p0 the loudest
AMPLITUDES = [16000, 4000, 1000, 250, 62]


class LevelTone(AudioStreamTrack):
    """A 440 Hz tone of a given amplitude in 20 ms frames."""

    def __init__(self, amplitude: int) -> None:
        super().__init__()
        self.n = 0
        self.amplitude = amplitude

    async def recv(self) -> av.AudioFrame:
        silence = await super().recv()
        samples = silence.samples
        data = array.array("h", (int(self.amplitude * math.sin(2 * math.pi * 440 * (self.n + i) / 48000))
                                 for i in range(samples)))
        self.n += samples
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(data.tobytes())
        frame.sample_rate, frame.pts, frame.time_base = 48000, silence.pts, fractions.Fraction(1, 48000)
        return frame


async def by_sender(p: Participant) -> dict[str, int]:
    """Audio packets received per sender (the media map says whose voice each m-line carries)."""
    out: dict[str, int] = {}
    for t in p.pc.getTransceivers():
        sender = p.media_map.get(t.mid or "", {})
        if t.kind != "audio" or sender.get("type") != "voice":
            continue
        stats = await t.receiver.getStats()
        out[sender["sender_id"]] = sum(s.packetsReceived for s in stats.values() if s.type == "inbound-rtp")
    return out


async def heard(p: Participant, seconds: float = 1.5) -> set[str]:
    """The senders whose voice reaches ``p`` now (their packets grow over ``seconds``)."""
    before = await by_sender(p)
    await asyncio.sleep(seconds)
    after = await by_sender(p)
    return {k for k, n in after.items() if n > before.get(k, 0)}


async def hears(p: Participant, expected: set[str]) -> None:
    last: set[str] = set()
    for _ in range(int(WAIT / 1.5)):
        last = await heard(p)
        if last == expected:
            return
    raise AssertionError(f"expected to hear {sorted(expected)}, heard {sorted(last)}")


def _setup(server: LiveServer, n: int) -> tuple[httpx.Client, str, list[tuple[str, str]]]:
    admin = httpx.Client(base_url=server.api, timeout=15)
    token = admin.post("/users/login", json={"login_id": server.admin_username,
                                             "password": server.admin_password}).headers["Token"]
    admin.headers["Authorization"] = f"Bearer {token}"
    team = admin.post("/teams", json={"name": server.unique("loud"), "display_name": "Loud", "type": "O"}).json()
    channel = admin.post("/channels", json={"team_id": team["id"], "name": server.unique("allhands"),
                                            "display_name": "All hands", "type": "O"}).json()
    users = []
    for i in range(n):
        name = server.unique(f"speaker{i}")
        u = admin.post("/users", json={"username": name, "email": f"{name}@example.com", "password": "calls-pass"}).json()
        admin.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": u["id"]})
        admin.post(f"/channels/{channel['id']}/members", json={"user_id": u["id"]})
        t = httpx.post(server.api + "/users/login", json={"login_id": name, "password": "calls-pass"}).headers["Token"]
        users.append((u["id"], t))
    r = admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
        "udpserveraddress": "127.0.0.1", "udpportmin": PORTS[0], "udpportmax": PORTS[1]}}}})
    assert r.status_code == 200, r.text
    r = admin.post(f"/plugins/{PLUGIN}/enable")
    assert r.status_code == 200, r.text
    return admin, channel["id"], users


async def test_only_the_loudest_voices_are_forwarded(live_server: LiveServer) -> None:
    admin, channel_id, users = _setup(live_server, len(AMPLITUDES))
    peers = [Participant(live_server, t, u) for u, t in users]
    try:
        for p, amplitude in zip(peers, AMPLITUDES, strict=True):
            p.microphone = lambda a=amplitude: LevelTone(a)  # type: ignore[misc]
            await p.connect()
        # they join (each unmuted with its tone) in a mixed order: the ranking follows the levels, not the order
        for i in (3, 1, 4, 0, 2):
            await peers[i].join(channel_id)
        sid = [p.session_id for p in peers]
        # every voice is on every other peer's connection (the media map names them all) …
        def voices(p: Participant) -> set[str]:
            return {m["sender_id"] for m in p.media_map.values() if m["type"] == "voice"}

        for i, p in enumerate(peers):
            await until(lambda p=p, i=i: voices(p) == set(sid) - {sid[i]}, WAIT)  # type: ignore[misc]
            assert voices(p) == set(sid) - {sid[i]}
        # … but only the three loudest are forwarded: p0–p2 to everybody else, p3 to those three only
        top = {sid[0], sid[1], sid[2]}
        for i, p in enumerate(peers):
            await hears(p, top - {sid[i]} | ({sid[3]} if i < 3 else set()))

        # the apps' voice activity reaches everybody, for a voice not forwarded too
        await peers[4].send("voice_on")
        for p in peers[:4]:
            await p.event("user_voice_on", userID=users[4][0], session_id=sid[4])
        await peers[4].send("voice_off")
        await peers[0].event("user_voice_off", userID=users[4][0], session_id=sid[4])

        # the loudest mutes: the next voice takes its place for everybody at once
        await peers[0].send("mute")
        await peers[4].event("user_muted", session_id=sid[0])
        await hears(peers[4], {sid[1], sid[2], sid[3]})
        await hears(peers[1], {sid[2], sid[3], sid[4]})
        await hears(peers[0], {sid[1], sid[2], sid[3]})

        # the setting at 0: every unmuted voice reaches everybody
        r = admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
            "udpserveraddress": "127.0.0.1", "udpportmin": PORTS[0], "udpportmax": PORTS[1],
            "maxforwardedspeakers": 0}}}})
        assert r.status_code == 200, r.text
        await peers[0].send("unmute")
        for i, p in enumerate(peers):
            await hears(p, set(sid) - {sid[i]})
    finally:
        for p in peers:
            await p.close()
        admin.post(f"/plugins/{PLUGIN}/disable")
        admin.close()

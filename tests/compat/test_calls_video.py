"""Camera video in a call, as the calls plugin's clients send it: ``custom_com.mattermost.calls_video_on``,
then (under the signalling lock) a send-only video track; the server tells the channel
(``user_video_on``/``_off`` with ``{userID, session_id}``), keeps ``video`` in the session's state, names the
track ``video`` in the media map (a screen in the stream ``screen_on`` named stays ``screen``) and forwards
the camera to the others only while it is on. aiortc peers against a real ``chinwag serve``."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.compat.conftest import LiveServer
from tests.compat.test_calls import PLUGIN, Participant, Screen, _setup, growing

pytestmark = pytest.mark.compat


class Camera(Screen):
    """A camera: frames at the media helper's pace (a grey picture is enough to count packets)."""


class Presenter(Participant):
    async def camera_on(self) -> None:
        """The app's video on: ``video_on``, then the camera on a send-only transceiver, offered under the
        lock (the first time; later the same m-line carries it again)."""
        await self.send("video_on")
        await self._lock()
        self.pc.addTransceiver(Camera(), direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_sdp()

    async def share_screen_stream(self) -> None:
        """Screen sharing that names its stream (``screenStreamID``: the a=msid stream of its m-line)."""
        await self._lock()
        t = self.pc.addTransceiver(Screen(), direction="sendonly")
        await self.send("screen_on", {"data": json.dumps({"screenStreamID": t.sender._stream_id})})
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_sdp()


def _senders(p: Participant, kind: str) -> set[str]:
    return {m["sender_id"] for m in p.media_map.values() if m["type"] == kind}


async def test_camera_video(live_server: LiveServer) -> None:
    admin, channel_id, users, _ = _setup(live_server)
    base = f"/plugins/{PLUGIN}"
    (u1, _, t1), (u2, _, t2), (u3, _, t3) = users
    p1 = Presenter(live_server, t1, u1)
    p2, p3 = Participant(live_server, t2, u2), Participant(live_server, t3, u3)
    app = httpx.AsyncClient(base_url=live_server.url, timeout=15, headers={"Authorization": f"Bearer {t2}"})
    try:
        assert (await app.get(f"{base}/config")).json()["EnableVideo"] is True
        for p in (p1, p2, p3):
            await p.connect()
        await p1.join(channel_id)
        await p2.join(channel_id)
        await growing(p2, 0, kind="video")

        # p1 turns its camera on: everyone hears of it, p2 receives it
        await p1.camera_on()
        await p2.event("user_video_on", userID=u1, session_id=p1.session_id)
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert {s["session_id"]: s["video"] for s in call["sessions"]} == {p1.session_id: True,
                                                                            p2.session_id: False}
        await growing(p2, 1, kind="video")
        assert _senders(p2, "video") == {p1.session_id} and not _senders(p2, "screen")

        # and shares its screen beside it: two video streams, told apart by the media map
        await p1.share_screen_stream()
        await p2.event("user_screen_on", userID=u1, session_id=p1.session_id)
        await growing(p2, 2, kind="video")
        assert _senders(p2, "screen") == {p1.session_id} and _senders(p2, "video") == {p1.session_id}

        # someone joining later gets the camera and the screen too
        await p3.join(channel_id)
        await growing(p3, 2, kind="video")
        assert _senders(p3, "video") == {p1.session_id}

        # camera off: only the screen still flows
        await p1.send("video_off")
        await p3.event("user_video_off", userID=u1, session_id=p1.session_id)
        call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert not any(s["video"] for s in call["sessions"])
        await growing(p2, 1, kind="video")
        await growing(p3, 1, kind="video")
        await p1.send("screen_off")
        await growing(p2, 0, kind="video")

        # on again: the same m-line carries it again, no renegotiation needed
        await p1.send("video_on")
        await growing(p2, 1, kind="video")
        await growing(p3, 1, kind="video")

        # with EnableVideo off the server refuses the camera
        r = admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {"enablevideo": False}}}})
        assert r.status_code == 200, r.text
        await p2.send("video_on")
        assert (await p2.event("error", connID=p2.conn_id))["data"]["data"] == "video is not enabled"
        assert not [e for e in p1.events if e["event"].endswith("_user_video_on") and e["data"]["userID"] == u2]
    finally:
        await app.aclose()
        for p in (p1, p2, p3):
            await p.close()
        admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {"enablevideo": True}}}})
        admin.post(f"/plugins/{PLUGIN}/disable")
        admin.close()

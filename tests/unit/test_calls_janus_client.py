"""The calls plugin's Janus client (calls/server/janus.py) and its room bookkeeping (janus_calls.py) without a
Janus: Janus answers a request with ``success`` at once, or with an ``ack`` and later an ``event`` with the
same transaction — except a keepalive and a trickled candidate, whose whole answer is the ``ack`` (waiting
for an event there held the client's next messages for the timeout, and a keepalive that timed out made the
plugin open a new session, every handle lost). Which streams a participant subscribes to, and the media map
its subscriber's m-lines make."""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any

from chinwag.plugin.bundled.calls.server.janus import Janus
from chinwag.plugin.bundled.calls.server.janus_calls import JanusCalls, Member, Room


class FakeWS:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


async def _answered(janus: Janus, ws: FakeWS, request: Any, *replies: str) -> Any:
    sent = len(ws.sent)
    task = asyncio.get_running_loop().create_task(request)
    while len(ws.sent) == sent:
        await asyncio.sleep(0)
    tx = ws.sent[-1]["transaction"]
    for kind in replies:
        janus._dispatch({"janus": kind, "transaction": tx, "session_id": 1,
                         **({"plugindata": {"data": {"videoroom": "event"}}} if kind == "event" else {})})
    return await asyncio.wait_for(task, 1)


async def test_ack_is_the_answer_to_a_trickle_and_a_keepalive_but_not_to_a_message() -> None:
    janus = Janus("ws://unused", timeout=0.5)
    ws = FakeWS()
    janus.ws, janus.session_id = ws, 1
    assert (await _answered(janus, ws, janus.trickle(7, None), "ack")) is None
    assert ws.sent[-1]["candidate"] == {"completed": True}
    reply = await _answered(janus, ws, janus._request({"janus": "keepalive", "session_id": 1}, ack_final=True), "ack")
    assert reply["janus"] == "ack"
    # a plugin message: the ack says "later"; the event with the same transaction is the answer
    data, jsep = await _answered(janus, ws, janus.message(7, {"request": "configure"}), "ack", "event")
    assert data == {"videoroom": "event"} and jsep is None
    assert not janus._pending and not janus._acked and not janus._ack_final


def test_a_bridged_participant_subscribes_to_the_participants_on_janus_only() -> None:
    calls = JanusCalls(lambda sid, msg: None, lambda *a, **k: None)
    room = Room(1, "c", admin=0)
    web = Member("w", "uw", "c", feed=10, kinds={"0": "voice", "1": "screen"})
    app1 = Member("a1", "ua1", "c", feed=11, bridged=True, kinds={"0": "voice"})
    app2 = Member("a2", "ua2", "c", feed=12, bridged=True, kinds={"0": "voice"})
    for m in (web, app1, app2):
        room.members[m.session_id] = m
        calls.feeds[m.feed] = m
    changed = calls._publishers(room, [
        {"id": 10, "streams": [{"type": "audio", "mid": "0"}, {"type": "video", "mid": "1"},
                               {"type": "data", "mid": "2"}, {"type": "video", "mid": "3", "disabled": True}]},
        {"id": 11, "streams": [{"type": "audio", "mid": "0"}]},
        {"id": 12, "streams": [{"type": "audio", "mid": "0"}]}])
    assert changed and not calls._publishers(room, [{"id": 11, "streams": [{"type": "audio", "mid": "0"}]}])
    assert calls._wanted(room, web) == {(11, "0"), (12, "0")}
    assert calls._wanted(room, app1) == {(10, "0"), (10, "1")}  # the other app: in the embedded SFU
    calls._sub_streams(app1, [{"mid": "0", "feed_id": 10, "feed_mid": "0", "active": True},
                              {"mid": "1", "feed_id": 10, "feed_mid": "1", "active": True},
                              {"mid": "2", "feed_id": 99, "feed_mid": "0", "active": False}])
    assert calls.media_map(app1) == {"0": {"type": "voice", "sender_id": "w"}, "1": {"type": "screen", "sender_id": "w"}}


class FakeSession:
    """Janus as ``JanusCalls`` sees it: the plugin requests it gets, answered with nothing."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, dict[str, Any]]] = []
        self.closed = False

    async def message(self, handle: int, body: dict[str, Any], jsep: Any = None) -> tuple[dict[str, Any], Any]:
        self.messages.append((handle, body))
        return {}, None


async def test_a_subscriber_gets_each_camera_at_the_substream_its_tile_needs() -> None:
    calls = JanusCalls(lambda sid, msg: None, lambda *a, **k: None)
    fake = FakeSession()
    calls.janus = fake  # type: ignore[assignment]

    async def session() -> Any:
        return fake

    calls.session = session  # type: ignore[method-assign]
    room = calls.rooms["c"] = Room(1, "c", admin=0)
    viewer = Member("v", "uv", "c", feed=10, sub_handle=5, sub_joined=True)
    a = Member("a", "ua", "c", feed=11, kinds={"0": "voice", "1": "video"}, video_on=True)
    b = Member("b", "ub", "c", feed=12, kinds={"0": "video"}, video_on=True)
    for m in (viewer, a, b):
        room.members[m.session_id] = calls.members[m.session_id] = calls.feeds[m.feed] = m
    # the subscriber's m-lines: a's voice and camera, b's camera
    viewer.sub_mids = {"0": (11, "0"), "1": (11, "1"), "2": (12, "0")}

    # no tile sizes yet, two cameras shown: the highest substream for both (the embedded SFU's rule)
    assert calls.substreams(viewer) == {"1": 2, "2": 2}
    # a's camera in a small tile, b's in a large one (device pixels): the lowest substream that covers each
    calls.set_tiles("v", {"a": {"width": 220, "height": 124}, "b": {"width": 900, "height": 506}, "x": "junk"})
    await asyncio.gather(*calls.tasks)
    assert fake.messages == [(5, {"request": "configure", "streams": [{"mid": "1", "substream": 0},
                                                                      {"mid": "2", "substream": 2}]})]
    # a's tile grows: only its m-line is configured again; the same sizes again: nothing
    calls.set_tiles("v", {"a": {"width": 470, "height": 264}, "b": {"width": 900, "height": 506}})
    await asyncio.gather(*calls.tasks)
    calls.set_tiles("v", {"a": {"width": 470, "height": 264}, "b": {"width": 900, "height": 506}})
    await asyncio.gather(*calls.tasks)
    assert fake.messages[1:] == [(5, {"request": "configure", "streams": [{"mid": "1", "substream": 1}]})]
    # no sizes, seven cameras shown: two below the highest
    for i in range(5):
        extra = Member(f"e{i}", "ue", "c", feed=20 + i, kinds={"0": "video"}, video_on=True)
        calls.feeds[extra.feed] = extra
        viewer.sub_mids[str(3 + i)] = (extra.feed, "0")
    viewer.tiles = {}
    assert set(calls.substreams(viewer).values()) == {0}


async def test_a_lost_janus_session_makes_the_rooms_again_and_tells_everyone() -> None:
    """Janus restarted: the plugin connects again (after failures, waiting longer), makes the room again with
    the same ids, joins each member's publisher again, and tells a client on Janus ``reset`` and a bridged
    app's bridge ``on_reset``."""
    signals: list[tuple[str, dict[str, Any]]] = []
    calls = JanusCalls(lambda sid, msg: signals.append((sid, msg)), lambda *a, **k: None)
    old = FakeSession()
    old.closed = True
    room = calls.rooms["c"] = Room(77, "c", admin=1, janus=old)  # type: ignore[arg-type]
    web = Member("w", "uw", "c", feed=10, pub_handle=2, sub_handle=3, published=True, sub_joined=True,
                 kinds={"0": "voice"}, unmuted=True)
    reset: list[Member] = []

    async def on_reset(m: Member) -> None:
        reset.append(m)

    app = Member("a", "ua", "c", feed=11, bridged=True, on_reset=on_reset)
    for m in (web, app):
        room.members[m.session_id] = calls.members[m.session_id] = calls.feeds[m.feed] = m

    class NewSession(FakeSession):
        handles = 100

        async def attach(self, on_event: Any = None) -> int:
            NewSession.handles += 1
            return NewSession.handles

        async def create_room(self, handle: int, room_id: int) -> None:
            self.messages.append((handle, {"request": "create", "room": room_id}))

    new = NewSession()
    attempts = 0

    async def _session() -> Any:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ConnectionRefusedError("janus is restarting")
        calls.janus = new  # type: ignore[assignment]
        return new

    calls._session = _session  # type: ignore[method-assign]
    import chinwag.plugin.bundled.calls.server.janus_calls as janus_calls
    janus_calls_first = janus_calls.RECONNECT_FIRST
    janus_calls.RECONNECT_FIRST = 0.001
    try:
        await calls._recover()
        await asyncio.gather(*calls.tasks)
    finally:
        janus_calls.RECONNECT_FIRST = janus_calls_first
    assert attempts == 3 and calls.recoveries == 1 and room.janus is new and calls._ready.is_set()
    assert new.messages == [(101, {"request": "create", "room": 77}),
                            (102, {"request": "join", "ptype": "publisher", "room": 77, "id": 10, "display": "w"}),
                            (103, {"request": "join", "ptype": "publisher", "room": 77, "id": 11, "display": "a"})]
    assert (web.pub_handle, web.sub_handle, web.published, web.sub_joined, web.kinds) == (102, 0, False, False, {})
    assert web.unmuted  # kept: applied when it publishes again
    assert signals == [("w", {"type": "reset", "epoch": 1})] and reset == [app] and web.epoch == 1
    # what the web client's old connections still send (epoch 0) is dropped; the new ones' is taken
    got: list[Any] = []

    async def publish(m: Member, sdp: str, kinds: dict[str, str], epoch: int | None = None) -> str:
        assert epoch == 1
        got.append(sdp)
        return "answer"

    calls.publish = publish  # type: ignore[method-assign]
    for epoch in (0, 1):
        body = {"pc": "publisher", "type": "offer", "sdp": f"offer {epoch}", "epoch": epoch}
        await calls.message("w", "janus_sdp", {"data": zlib.compress(json.dumps(body).encode())})
    assert got == ["offer 1"] and signals[-1] == ("w", {"pc": "publisher", "type": "answer", "sdp": "answer"})

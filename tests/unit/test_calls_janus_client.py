"""The calls plugin's Janus client (calls/server/janus.py) and its room bookkeeping (janus_calls.py) without a
Janus: Janus answers a request with ``success`` at once, or with an ``ack`` and later an ``event`` with the
same transaction — except a keepalive and a trickled candidate, whose whole answer is the ``ack`` (waiting
for an event there held the client's next messages for the timeout, and a keepalive that timed out made the
plugin open a new session, every handle lost). Which streams a participant subscribes to, and the media map
its subscriber's m-lines make."""

from __future__ import annotations

import asyncio
import json
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

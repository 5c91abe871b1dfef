"""Connection churn leaves nothing behind (#18): a reconnect-heavy load (every client dropping and
resuming every few seconds) must not accumulate connections, rings or sockets."""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

from websockets.server import ServerProtocol

from chinwag.platform.events import Broadcast, Event
from chinwag.platform.hub import Conn
from chinwag.server import Server
from chinwag.web.websocket import Socket
from tests.conftest import World
from tests.waiting import until
from tests.ws.conftest import WS, Live


class _Sink:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.frames.append(json.loads(text))

    def close(self) -> None:
        pass


async def test_connect_resume_disconnect_cycles_leave_the_hub_empty(server: Server) -> None:
    hub = server.hub
    hub.disconnect_grace = 0
    users = [c * 26 for c in "abcd"]
    dropped: list[Conn] = []
    last: dict[str, tuple[str, int]] = {}
    for round_ in range(6):
        live = []
        for uid in users:
            sink = _Sink()
            conn = Conn(hub, uid, sink.send, sink.close)
            want = last.get(uid, ("", 0))
            await hub.connect(conn, *want)
            live.append((uid, conn, sink))
        for i in range(30):
            for uid in users:
                hub.publish(Event("custom_test", {"i": i, "r": round_}, Broadcast(user_id=uid)))
        # this round's 30 events reached every socket (a resumed connection's seq is past 30 already)
        def delivered(live: list[tuple[str, Conn, _Sink]] = live, r: int = round_) -> bool:
            return all(sum(1 for f in sink.frames if f.get("event") == "custom_test" and f["data"]["r"] == r) == 30
                       for _, _, sink in live)

        await until(delivered)
        assert all(c.seq > 30 for _, c, _ in live)
        for uid, conn, _ in live:
            assert conn.ring, "delivery remembered (seq, pos) pairs for resume"
            last[uid] = (conn.id, conn.seq)
            await hub.disconnect(conn)
            dropped.append(conn)
    assert hub.by_id == {} and hub.by_user == {}
    assert hub.connection_count() == 0
    # what a closed connection remembered is let go of: it may be referenced a while longer
    assert all(c.closed and c.ring is None and c.queue is None for c in dropped)
    await until(lambda: not hub._background)
    assert not hub._background
    assert not any(hub.is_online(u) for u in users)


async def test_closed_websockets_are_freed_without_the_cycle_collector(world: World, live: Live) -> None:
    """The endpoint's socket and the hub's connection refer to each other while it is open, and so does
    the websockets protocol under uvicorn with its parser; once it closes, reference counting alone frees
    them all (no cycle waiting for a full collection)."""
    alice = await world.user("alice")
    gc.collect()
    kinds = (Socket, Conn, ServerProtocol)
    # what other tests of this worker still hold (a module-scoped server's connections) is not this test's
    before = {id(o) for o in gc.get_objects() if type(o) in kinds}
    gc.disable()
    try:
        for i in range(5):
            ws = await WS.connect(live.url, alice.token)
            await ws.event("hello")
            if i % 2:
                await ws.close()
            else:  # the network goes away: no close frame
                ws.conn.transport.abort()
            await until(lambda: live.server.hub.connection_count() == 0)
            assert live.server.hub.connection_count() == 0
        def alive() -> int:
            return sum(1 for o in gc.get_objects() if type(o) in kinds and id(o) not in before)

        await until(lambda: alive() == 0)
        assert alive() == 0
    finally:
        gc.enable()


async def test_a_user_with_overlapping_connections_goes_offline_when_the_last_closes(server: Server) -> None:
    hub = server.hub
    hub.disconnect_grace = 0
    offline: list[str] = []
    before = hub.on_last_disconnect

    async def went_offline(user_id: str) -> None:
        offline.append(user_id)
        if before is not None:
            await before(user_id)

    hub.on_last_disconnect = went_offline
    try:
        uid = "t" * 26
        conns = []
        for _ in range(3):  # three tabs, open at once
            sink = _Sink()
            conn = Conn(hub, uid, sink.send, sink.close)
            await hub.connect(conn)
            conns.append(conn)
        for _ in range(200):  # the presence update runs in the background after connect()
            if await hub.presence.online_anywhere([uid]):
                break
            await asyncio.sleep(0.05)
        for conn in conns[:2]:
            await hub.disconnect(conn)
        assert await hub.presence.online_anywhere([uid]) == {uid}
        await hub.disconnect(conns[2])
        await until(lambda: offline == [uid])
        assert await hub.presence.online_anywhere([uid]) == set()
    finally:
        hub.on_last_disconnect = before

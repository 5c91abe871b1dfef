"""The hub on its own: slow readers are cut off and recover through resume; revoked sessions close."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from chinwag.platform import hub as hub_module
from chinwag.platform.events import Broadcast, Event
from chinwag.platform.hub import Conn
from chinwag.server import Server


class FakeSocket:
    def __init__(self, block: bool = False) -> None:
        self.frames: list[dict[str, Any]] = []
        self.block = asyncio.Event()
        if not block:
            self.block.set()
        self.closed = False

    async def send(self, text: str) -> None:
        await self.block.wait()
        self.frames.append(json.loads(text))

    def close(self) -> None:
        self.closed = True


async def _publish_many(server: Server, user_id: str, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        server.hub.publish(Event("custom_test", {"i": i}, Broadcast(user_id=user_id)))
    await asyncio.sleep(0)


async def _until(pred: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if pred():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met")


async def test_slow_reader_is_disconnected_and_resumes_without_loss(server: Server) -> None:
    hub = server.hub
    hub.queue_size = 20
    uid = "u" * 26
    slow = FakeSocket()
    conn = Conn(hub, uid, slow.send, slow.close)
    assert await hub.connect(conn, "", 0) is False
    assert slow.frames[0]["event"] == "hello"
    slow.block.clear()  # the socket stalls after the hello
    await _publish_many(server, uid, 100)
    await _until(lambda: slow.closed)
    # the socket had taken one frame before it stalled; unblock to see what it got
    slow.block.set()
    await asyncio.sleep(0.05)
    got = [f["data"]["i"] for f in slow.frames if f["event"] == "custom_test"]
    next_seq = slow.frames[-1]["seq"] + 1 if slow.frames else 1
    await hub.disconnect(conn)
    await _publish_many(server, uid, 50, start=100)
    fresh = FakeSocket()
    again = Conn(hub, uid, fresh.send, fresh.close)
    assert await hub.connect(again, conn.id, next_seq) is True
    def resumed() -> list[int]:
        return [f["data"]["i"] for f in fresh.frames if f["event"] == "custom_test"]

    await _until(lambda: len(got) + len(resumed()) >= 150)
    assert got + resumed() == list(range(150))
    assert [f["seq"] for f in fresh.frames] == list(range(next_seq, next_seq + len(fresh.frames)))


async def test_resume_from_an_evicted_history_starts_afresh(server: Server) -> None:
    hub = server.hub
    uid = "v" * 26
    sock = FakeSocket()
    conn = Conn(hub, uid, sock.send, sock.close)
    await hub.connect(conn, "", 0)
    await hub.disconnect(conn)
    assert await hub.connect(Conn(hub, uid, sock.send, sock.close), conn.id, 999) is False
    other = Conn(hub, "w" * 26, sock.send, sock.close)
    assert await hub.connect(other, conn.id, 1) is False  # someone else's connection id


async def test_revoked_session_closes_its_sockets(server: Server) -> None:
    hub = server.hub
    sock = FakeSocket()
    conn = Conn(hub, "x" * 26, sock.send, sock.close, token="t" * 26)
    await hub.connect(conn, "", 0)
    hub.publish(Event("_sessions_revoked", {"tokens": ["t" * 26], "user_id": ""}))
    await _until(lambda: sock.closed)


async def test_paged_replay_follows_membership_changes(server: Server, monkeypatch: Any) -> None:
    """A resume across many pages of history: the user's channel membership is rebuilt along the
    way (joined at event 300, left at event 700), so the replay sends exactly what live delivery
    would have sent — the channel's events only while a member, the user's own events throughout.
    (The store has no such channel: the membership comes from the events alone.)"""
    monkeypatch.setattr(hub_module, "REPLAY_PAGE", 16)
    hub = server.hub
    uid, channel = "p" * 26, "c" * 26
    sock = FakeSocket()
    conn = Conn(hub, uid, sock.send, sock.close)
    assert await hub.connect(conn, "", 0) is False
    await _until(lambda: any(f["event"] == "hello" for f in sock.frames))
    next_seq = sock.frames[-1]["seq"] + 1
    await hub.disconnect(conn)
    expected = []
    for i in range(1000):
        if i == 300:
            hub.publish(Event("user_added", {"user_id": uid, "team_id": ""}, Broadcast(channel_id=channel)))
            expected.append("user_added")
        elif i == 700:
            hub.publish(Event("user_removed", {"user_id": uid, "remover_id": uid}, Broadcast(channel_id=channel)))
            # (to the channel: the member who left is no longer in it, live or replayed)
        if i % 2:
            hub.publish(Event("custom_test", {"i": i}, Broadcast(channel_id=channel)))
            if 300 <= i < 700:
                expected.append(f"channel {i}")
        else:
            hub.publish(Event("custom_test", {"i": i}, Broadcast(user_id=uid)))
            expected.append(f"user {i}")
    await server.stream.flushed()
    fresh = FakeSocket()
    again = Conn(hub, uid, fresh.send, fresh.close)
    assert await hub.connect(again, conn.id, next_seq) is True

    def got() -> list[str]:
        out = []
        for f in fresh.frames:
            if f["event"] == "custom_test":
                out.append(("channel " if f["broadcast"]["channel_id"] else "user ") + str(f["data"]["i"]))
            elif f["event"] in ("user_added", "user_removed"):
                out.append(f["event"])
        return out

    await _until(lambda: len(got()) >= len(expected))
    assert got() == expected
    assert [f["seq"] for f in fresh.frames] == list(range(next_seq, next_seq + len(fresh.frames)))


class DyingSocket(FakeSocket):
    """Takes ``survive`` frames, then the client is gone (as when the node it resumed on stops)."""

    def __init__(self, survive: int) -> None:
        super().__init__()
        self.survive = survive

    async def send(self, text: str) -> None:
        if len(self.frames) >= self.survive:
            raise ConnectionError("client went away")
        await super().send(text)


async def test_a_resume_cut_short_can_be_resumed_again(server: Server) -> None:
    """A rolling restart: a client resumes on node B, B stops while replaying to it; resuming on
    node C must still find where the client is, whichever frame the replay had reached."""
    hub = server.hub
    uid = "r" * 26
    for survive in (0, 1, 3):
        first = FakeSocket()
        conn = Conn(hub, uid, first.send, first.close)
        await hub.connect(conn, "", 0)
        await _publish_many(server, uid, 5)
        await _until(lambda first=first: len(first.frames) >= 5)
        await hub.disconnect(conn)
        next_seq = first.frames[-1]["seq"] + 1
        await _publish_many(server, uid, 10, start=5)
        dying = DyingSocket(survive)
        cut = Conn(hub, uid, dying.send, dying.close)
        try:
            await hub.connect(cut, conn.id, next_seq)
        except ConnectionError:
            pass
        await hub.disconnect(cut)  # the endpoint's own clean-up after the failure
        got = [f["data"]["i"] for f in first.frames + dying.frames if f["event"] == "custom_test"]
        seq = (dying.frames or first.frames)[-1]["seq"] + 1
        final = FakeSocket()
        assert await hub.connect(Conn(hub, uid, final.send, final.close), conn.id, seq) is True, survive
        def resumed(final: FakeSocket = final) -> list[int]:  # (a status_change may come too)
            return [f["data"]["i"] for f in final.frames if f["event"] == "custom_test"]

        await _until(lambda got=got, resumed=resumed: len(got) + len(resumed()) >= 15)
        assert got + resumed() == list(range(15)), survive


async def test_periodic_checkpoints_are_bounded_oldest_first(server: Server) -> None:
    """The periodic round writes at most ``limit`` checkpoints, those written longest ago first, and a
    resume from a checkpoint that is behind the client (not written since) still misses nothing."""
    hub = server.hub
    uids = [c * 26 for c in "abcde"]
    socks = [FakeSocket() for _ in uids]
    conns = [Conn(hub, uid, s.send, s.close) for uid, s in zip(uids, socks, strict=True)]
    for conn in conns:
        await hub.connect(conn, "", 0)
    written: list[list[str]] = []
    save = hub.stream.save_checkpoints

    async def spy(items: list[tuple[str, str, dict[str, Any]]]) -> None:
        written.append([cid for cid, _uid, _state in items])
        await save(items)

    hub.stream.save_checkpoints = spy  # type: ignore[method-assign]
    for uid in uids:
        await _publish_many(server, uid, 3)
    await _until(lambda: all(len([f for f in s.frames if f["event"] == "custom_test"]) == 3 for s in socks))
    await hub.checkpoint_all(limit=2)
    await hub.checkpoint_all(limit=2)
    await hub.checkpoint_all(limit=2)
    ids = [c.id for c in conns]
    assert [len(w) for w in written] == [2, 2, 1]
    assert sorted(cid for w in written for cid in w) == sorted(ids)  # each once: the not yet written went first
    # the last one was checkpointed after its 3 events; two more arrive and are received, the
    # checkpoint is not written again, the node "dies" and the client resumes with its own seq
    lost = next(c for c in conns if c.id == written[-1][0])
    sock = socks[conns.index(lost)]
    await _publish_many(server, lost.user_id, 2, start=3)
    await _until(lambda: len([f for f in sock.frames if f["event"] == "custom_test"]) == 5)
    seq = sock.frames[-1]["seq"] + 1
    await hub._drop(lost, checkpoint=False)
    await _publish_many(server, lost.user_id, 2, start=5)
    again = FakeSocket()
    assert await hub.connect(Conn(hub, lost.user_id, again.send, again.close), lost.id, seq) is True
    await _until(lambda: len([f for f in again.frames if f["event"] == "custom_test"]) >= 2)
    assert [f["data"]["i"] for f in again.frames if f["event"] == "custom_test"] == [5, 6]


async def test_a_periodic_checkpoint_keeps_the_ring_tail_and_a_disconnect_all_of_it(server: Server) -> None:
    """The periodic round writes only the newest CHECKPOINT_RING (seq, pos) pairs (a compact row); a
    resume from it still misses nothing, and the final checkpoint at a disconnect keeps the whole ring."""
    hub = server.hub
    uid = "t" * 26
    n = hub_module.CHECKPOINT_RING + 6
    sock = FakeSocket()
    conn = Conn(hub, uid, sock.send, sock.close)
    await hub.connect(conn, "", 0)
    await _publish_many(server, uid, n)
    await _until(lambda: len([f for f in sock.frames if f["event"] == "custom_test"]) == n)
    sent = sock.frames[-1]["seq"]
    await hub.checkpoint_all(limit=hub.checkpoints_per_round, ring=hub_module.CHECKPOINT_RING)
    found = await hub.stream.load_checkpoint(conn.id)
    assert found is not None
    state = found[1]
    last = state["seq"]  # a presence frame may have followed the test's own
    assert last >= sent and last in [f["seq"] for f in sock.frames]
    assert [s for s, _p in state["ring"]] == list(range(last - hub_module.CHECKPOINT_RING + 1, last + 1))
    # the node "dies"; the client had not read its last 3 frames: the tail has their positions
    await hub._drop(conn, checkpoint=False)
    await _publish_many(server, uid, 2, start=n)
    again = FakeSocket()
    assert await hub.connect(Conn(hub, uid, again.send, again.close), conn.id, last - 2) is True
    unread = [f["data"]["i"] for f in sock.frames if f["event"] == "custom_test" and f["seq"] >= last - 2]
    await _until(lambda: len([f for f in again.frames if f["event"] == "custom_test"]) >= len(unread) + 2)
    assert [f["seq"] for f in again.frames][:3] == [last - 2, last - 1, last]  # the same frames again
    assert [f["data"]["i"] for f in again.frames if f["event"] == "custom_test"] == [*unread, n, n + 1]
    # a clean disconnect writes every pair the connection remembers
    other = FakeSocket()
    live = Conn(hub, uid, other.send, other.close)
    await hub.connect(live, "", 0)
    await _publish_many(server, uid, n, start=100)
    await _until(lambda: len([f for f in other.frames if f["event"] == "custom_test"]) >= n)
    await hub.disconnect(live)
    final = await hub.stream.load_checkpoint(live.id)
    assert final is not None
    assert len(final[1]["ring"]) >= n


async def test_big_fan_out_lets_the_loop_run_and_keeps_each_connections_order(server: Server) -> None:
    """An event for many connections goes out a slice at a time (the loop runs between slices), each
    frame encoded once and completed with the connection's own seq; a later event never overtakes it."""
    hub = server.hub
    hub.fanout_slice = 0.0  # yield after every 16 recipients
    socks: list[FakeSocket] = []
    direct: list[list[dict[str, Any]]] = []
    order: list[tuple[int, int]] = []  # (event, the ticker's turns so far) in the order the frames were written
    turns = 0
    for n in range(100):
        sock, got = FakeSocket(), []

        def send_frame(payload: bytes, tail: bytes, got: list[dict[str, Any]] = got) -> bool:
            frame = json.loads(payload + tail)
            got.append(frame)
            if frame["event"] == "custom_test":  # (its own "online" status_change comes first)
                order.append((frame["data"]["i"], turns))
            return True

        conn = Conn(hub, f"{n:026d}", sock.send, sock.close, send_frame=send_frame)
        await hub.connect(conn, "", 0)
        socks.append(sock)
        direct.append(got)
    done = False

    async def tick() -> None:
        nonlocal turns
        while not done:
            turns += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    for i in range(3):  # no user, channel or team: every connection of the node
        hub.publish(Event("custom_test", {"i": i}, Broadcast()))
    await _until(lambda: len(order) == 300)
    done = True
    await ticker
    for sock, got in zip(socks, direct, strict=True):
        # the hello (and the user's own "online" status, if it came while the hub set the connection
        # up) went through ``send``; the fan-out's frames through ``send_frame``
        assert sorted(f["seq"] for f in sock.frames + got) == list(range(len(sock.frames) + len(got)))
        assert [f["data"]["i"] for f in got if f["event"] == "custom_test"] == [0, 1, 2]
        seqs = [f["seq"] for f in got]
        assert seqs == sorted(seqs)
    # every connection had event 0 before any had event 1, and the loop ran during each fan-out
    assert [i for i, _ in order] == [0] * 100 + [1] * 100 + [2] * 100
    for k in range(3):
        assert order[100 * k][1] < order[100 * k + 99][1]

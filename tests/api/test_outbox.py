"""The unit of work and its outbox on one node (embedded event stream): a post's events are committed
with the post and are published after the commit; when the history cannot be written and the process
dies, the events are still in the outbox and the next process publishes them, once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import sqlalchemy as sa

from chinwag.app import outbox as outbox_module
from chinwag.store.sql.tables import outbox
from tests.api.helpers import team_with
from tests.conftest import World


async def _outbox_rows(world: World, kind: str = "") -> int:
    q = sa.select(sa.func.count()).select_from(outbox)
    if kind:
        q = q.where(outbox.c.kind == kind)
    async with world.srv.db.read() as conn:
        return int((await conn.execute(q)).scalar_one())


def _posted(seen: list[dict[str, Any]], message: str) -> list[dict[str, Any]]:
    return [e for e in seen if e["event"] == "posted" and json.loads(e["data"]["post"])["message"] == message]


async def _until(pred: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not pred():
            await asyncio.sleep(0.01)


async def test_events_are_committed_with_the_post_and_the_row_goes_with_the_history_write(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, _ = t.members
    ch = await world.channel(ann, t.team, "outbox")
    seen: list[dict[str, Any]] = []
    world.srv.hub.observers.append(seen.append)
    await world.post(ann, ch, "plain")
    await _until(lambda: len(_posted(seen, "plain")) == 1)
    await world.srv.app.core.outbox.settle()
    assert await _outbox_rows(world) == 0  # deleted in the transaction that wrote the history


async def test_a_post_and_its_events_are_one_transaction(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the embedded stream a post's events are written to the history in the post's own transaction
    (no outbox row): the history holds them when the answer leaves, and a post whose history write
    fails is not committed at all; the next one takes positions after the history's newest."""
    t = await team_with(world, "ann", "bob")
    ann, _ = t.members
    ch = await world.channel(ann, t.team, "together")
    stream = world.srv.stream
    seen: list[dict[str, Any]] = []
    world.srv.hub.observers.append(seen.append)
    await world.srv.app.core.outbox.settle()

    post = await world.post(ann, ch, "in one go")
    _, newest = await stream.bounds()
    page = await stream.read_after(newest - 5, 5)
    assert [e for _, e in page if e["event"] == "posted" and json.loads(e["data"]["post"])["id"] == post["id"]]
    assert await _outbox_rows(world, "events") == 0
    await _until(lambda: len(_posted(seen, "in one go")) == 1)

    original = stream.persistence.append_in  # type: ignore[attr-defined]

    async def append_in(conn: Any, rows: Any) -> None:
        await original(conn, rows)
        raise OSError("the history write failed")

    monkeypatch.setattr(stream.persistence, "append_in", append_in)  # type: ignore[attr-defined]
    r = await ann.post("/posts", {"channel_id": ch["id"], "message": "never stored"})
    assert r.status_code >= 500, r.text
    monkeypatch.setattr(stream.persistence, "append_in", original)  # type: ignore[attr-defined]
    assert (await stream.bounds())[1] == newest  # rolled back with the post
    r = await ann.get(f"/channels/{ch['id']}/posts")
    assert "never stored" not in [p["message"] for p in r.json()["posts"].values()]

    await world.post(ann, ch, "after the failure")
    await _until(lambda: len(_posted(seen, "after the failure")) == 1)
    assert await stream.flushed()
    assert (await stream.bounds())[1] == stream.pos  # type: ignore[attr-defined]
    assert _posted(seen, "never stored") == []
    assert await _outbox_rows(world, "events") == 0


async def test_events_of_a_post_survive_a_crash_while_the_history_is_away(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    ch = await world.channel(ann, t.team, "crash")
    r = await ann.post(f"/channels/{ch['id']}/members", {"user_id": bob.user["id"]})
    assert r.status_code == 201, r.text
    stream, relay = world.srv.stream, world.srv.app.core.outbox
    seen: list[dict[str, Any]] = []
    world.srv.hub.observers.append(seen.append)
    # posts through the outbox, as with Redis (a history outside the database the post is in)
    monkeypatch.setattr(world.srv.hub, "history_in", lambda: None)
    original = stream.persistence.append  # type: ignore[attr-defined]
    away = True

    async def append(rows: Any, done: Any) -> None:
        if away:
            raise OSError("the history's store is away")
        await original(rows, done)

    monkeypatch.setattr(stream.persistence, "append", append)  # type: ignore[attr-defined]
    await world.post(ann, ch, "accepted while away @bob")  # 201: the post is committed
    assert _posted(seen, "accepted while away @bob") == []
    assert await _outbox_rows(world, "events") == 1  # its events, committed with it

    # the process dies: what it held in memory (the stream's pending events, the relay's holds) is gone
    stream.pending.clear()  # type: ignore[attr-defined]
    stream.pending_done.clear()  # type: ignore[attr-defined]
    stream.progress.published = stream.progress.written  # type: ignore[attr-defined]
    await world.srv.app.notifications.drain()  # (its notification work is done: nobody to mail)
    relay.held.clear()
    relay._unconfirmed.clear()
    away = False
    # the next process (or another node) takes the row over once the dead one's hold is stale
    monkeypatch.setattr(outbox_module, "STALE_MS", 0)
    await asyncio.sleep(0.01)
    await relay.take_over()  # (the relay's own poll may be first)
    await _until(lambda: len(_posted(seen, "accepted while away @bob")) == 1)
    assert await stream.flushed()
    assert await _outbox_rows(world, "events") == 0
    assert await relay.take_over() == 0  # nothing left: published once
    await asyncio.sleep(0.05)
    assert len(_posted(seen, "accepted while away @bob")) == 1
    event = _posted(seen, "accepted while away @bob")[0]
    assert json.loads(event["data"]["mentions"]) == [bob.user["id"]]
    await world.srv.app.notifications.drain()


async def test_notification_rows_of_a_post_are_written_even_if_the_node_dies_after_the_commit(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A post's email work is an outbox row committed with the post: a node that dies before doing it
    leaves it to the next one, which writes the email queue rows once."""
    t = await team_with(world, "ann", "carol")
    ann, carol = t.members
    ch = await world.channel(ann, t.team, "mail")
    r = await ann.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})
    assert r.status_code == 201, r.text
    relay = world.srv.app.core.outbox
    emails = world.srv.app.store.email_notifications

    handle = relay._handle
    monkeypatch.setattr(relay, "_handle", lambda *a: None)  # the node dies right after the commit
    post = await world.post(ann, ch, "@carol have a look")
    assert await _outbox_rows(world, "notify") == 1
    assert [e for e in await emails.pending(carol.user["id"]) if e.post_id == post["id"]] == []

    monkeypatch.setattr(relay, "_handle", handle)
    relay.held.clear()  # (the new process holds nothing)
    monkeypatch.setattr(outbox_module, "STALE_MS", 0)
    await asyncio.sleep(0.01)
    await relay.take_over()  # (the relay's own poll may be first)
    await _until(lambda: not relay.held)
    await world.srv.app.notifications.drain()
    assert len([e for e in await emails.pending(carol.user["id"]) if e.post_id == post["id"]]) == 1
    assert await _outbox_rows(world, "notify") == 0
    assert await relay.take_over() == 0


async def test_a_channel_change_and_what_it_announces_commit_together(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Patching a channel's header writes the channel, its "updated the channel header" post and both
    events (``posted``, ``channel_updated``) in one unit of work: with the history away they are one
    outbox row, published once by whoever takes it over; a refused change (a taken name) leaves none."""
    t = await team_with(world, "ann", "bob")
    ann, _ = t.members
    ch = await world.channel(ann, t.team, "patched")
    await world.channel(ann, t.team, "taken")
    stream, relay = world.srv.stream, world.srv.app.core.outbox
    await relay.settle()
    seen: list[dict[str, Any]] = []
    world.srv.hub.observers.append(seen.append)

    r = await ann.put(f"/channels/{ch['id']}/patch", {"name": "taken"})
    assert r.status_code == 400, r.text
    assert await _outbox_rows(world) == 0  # refused: nothing stored, nothing to publish

    original = stream.persistence.append  # type: ignore[attr-defined]
    away = True

    async def append(rows: Any, done: Any) -> None:
        if away:
            raise OSError("the history's store is away")
        await original(rows, done)

    monkeypatch.setattr(stream.persistence, "append", append)  # type: ignore[attr-defined]
    r = await ann.put(f"/channels/{ch['id']}/patch", {"header": "new header"})
    assert r.status_code == 200, r.text
    async with world.srv.db.read() as conn:
        rows = (await conn.execute(sa.select(outbox.c.kind, outbox.c.payload))).all()
    assert [k for k, _ in rows] == ["events"]  # one row: the change's events together
    assert [e["event"] for e in json.loads(rows[0][1])] == ["posted", "channel_updated"]

    # the process dies before the history is written; the next one relays the row, once
    stream.pending.clear()  # type: ignore[attr-defined]
    stream.pending_done.clear()  # type: ignore[attr-defined]
    stream.progress.published = stream.progress.written  # type: ignore[attr-defined]
    relay.held.clear()
    relay._unconfirmed.clear()
    away = False
    monkeypatch.setattr(outbox_module, "STALE_MS", 0)
    await asyncio.sleep(0.01)
    await relay.take_over()

    def updated() -> list[dict[str, Any]]:
        return [e for e in seen if e["event"] == "channel_updated"
                and json.loads(e["data"]["channel"])["header"] == "new header"]

    await _until(lambda: len(updated()) == 1)
    assert await stream.flushed()
    assert await _outbox_rows(world) == 0
    assert await relay.take_over() == 0
    await asyncio.sleep(0.05)
    assert len(updated()) == 1
    assert len([e for e in seen if e["event"] == "posted"
                and json.loads(e["data"]["post"])["type"] == "system_header_change"]) == 1

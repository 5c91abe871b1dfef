"""The answer to a change leaves once its own events are in the event history (web/durable.py) — and
only its own: a request that published nothing is not held while other requests' events are written."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.api.helpers import team_with
from tests.conftest import World
from tests.waiting import until


async def test_a_post_waits_for_its_history_write_and_a_lookup_does_not(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    ch = await world.channel(ann, t.team, "durable")
    await world.srv.stream.flushed()
    stream = world.srv.stream
    original = stream.persistence.append  # type: ignore[attr-defined]
    gate = asyncio.Event()
    held: list[str] = []

    async def append(rows: Any, done: Any) -> None:
        held.extend(d for _p, _t, d in rows)
        await gate.wait()
        await original(rows, done)

    monkeypatch.setattr(stream.persistence, "append", append)  # type: ignore[attr-defined]
    # (set_online=false: the status change is an event of its own, which would mark the request anyway)
    post = asyncio.create_task(ann.post("/posts?set_online=false", {"channel_id": ch["id"], "message": "held answer"}))
    # the post is committed and its events are being written to the history
    await until(lambda: any('"posted"' in d and "held answer" in d for d in held))
    # a POST that changes nothing answers meanwhile
    r = await bob.post("/users/ids", [ann.user["id"]])
    assert r.status_code == 200 and r.json()[0]["id"] == ann.user["id"]
    assert not post.done()  # the post's answer waits for its events
    gate.set()
    r = await post
    assert r.status_code == 201, r.text
    written = [json.loads(d) for d in held]
    assert any(e["event"] == "posted" and json.loads(e["data"]["post"])["id"] == r.json()["id"]
               for e in written)

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


async def test_a_change_waits_for_its_history_write_and_a_lookup_does_not(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    ch = await world.channel(ann, t.team, "durable")
    post = await world.post(ann, ch, "react to me")
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
    reaction = asyncio.create_task(ann.post("/reactions", {
        "user_id": ann.user["id"], "post_id": post["id"], "emoji_name": "tada"}))
    # the reaction is committed and its event is being written to the history
    await until(lambda: any('"reaction_added"' in d for d in held))
    # a POST that changes nothing answers meanwhile
    r = await bob.post("/users/ids", [ann.user["id"]])
    assert r.status_code == 200 and r.json()[0]["id"] == ann.user["id"]
    assert not reaction.done()  # the reaction's answer waits for its event
    gate.set()
    r = await reaction
    assert r.status_code == 200, r.text
    added = [json.loads(d) for d in held if '"reaction_added"' in d]
    assert json.loads(added[0]["data"]["reaction"])["post_id"] == post["id"]

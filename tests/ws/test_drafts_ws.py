"""Drafts across devices over HTTP + WebSocket: a draft saved on one connection reaches the user's other
connections (not the one that saved it, named by ``Connection-Id``) and no one else's; deleting it too."""

from __future__ import annotations

import json

from tests.api.helpers import channel_named, team_with
from tests.conftest import World
from tests.ws.conftest import WS, Live


async def test_draft_events_reach_the_owners_other_devices(world: World, live: Live) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    town = await channel_named(ann, t.id, "town-square")
    laptop = await WS.connect(live.url, ann.token)
    phone = await WS.connect(live.url, ann.token)
    other = await WS.connect(live.url, bob.token)
    for ws in (laptop, phone, other):
        await ws.event("hello")

    r = await ann.post("/drafts", {"channel_id": town["id"], "message": "started on the laptop"},
                       headers={"Connection-Id": laptop.connection_id})
    assert r.status_code == 201, r.text
    created = await phone.event("draft_created")
    assert json.loads(created["data"]["draft"]) == r.json()
    assert created["broadcast"]["user_id"] == ann.user["id"]

    # finished on the phone: the draft deleted from there
    r = await ann.delete(f"/users/me/channels/{town['id']}/drafts", headers={"Connection-Id": phone.connection_id})
    assert r.status_code == 200
    deleted = await laptop.event("draft_deleted")
    assert json.loads(deleted["data"]["draft"])["channel_id"] == town["id"]

    # saved with no Connection-Id: every connection of hers hears; then bob saves one of his own, which only
    # his connection hears (events are dispatched in order: when his arrives, hers have gone out)
    assert (await ann.post("/drafts", {"channel_id": town["id"], "message": "again"})).status_code == 201
    await laptop.event("draft_created")
    await phone.event("draft_created", lambda e: json.loads(e["data"]["draft"])["message"] == "again")
    assert (await bob.post("/drafts", {"channel_id": town["id"], "message": "bob's"})).status_code == 201
    await other.event("draft_created")
    assert [n for n in laptop.names() if n.startswith("draft_")] == ["draft_deleted", "draft_created"]
    assert [n for n in phone.names() if n.startswith("draft_")] == ["draft_created", "draft_created"]
    assert [json.loads(e["data"]["draft"])["user_id"] for e in other.events if e["event"].startswith("draft_")] == [
        bob.user["id"]]
    for ws in (laptop, phone, other):
        await ws.close()

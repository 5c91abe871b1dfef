"""Read receipts (chinwag's own): ``GET /posts/{id}/receipts`` and the ``read_receipt`` event, derived
from channel ``last_viewed_at``, opt-in on the server and for each user (both databases)."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import team_with
from tests.conftest import Client, World, assert_error
from tests.ws.conftest import WS, Live


async def opt(c: Client, on: bool) -> None:
    pref = {"user_id": c.user["id"], "category": "chinwag", "name": "read_receipts", "value": str(on).lower()}
    r = await c.put(f"/users/{c.user['id']}/preferences", [pref])
    assert r.status_code == 200, r.text


async def view(c: Client, channel: dict[str, Any]) -> None:
    r = await c.post("/channels/members/me/view", {"channel_id": channel["id"]})
    assert r.status_code == 200, r.text


async def receipts(c: Client, post: dict[str, Any]) -> list[dict[str, Any]]:
    r = await c.get(f"/posts/{post['id']}/receipts")
    assert r.status_code == 200, r.text
    got: list[dict[str, Any]] = r.json()
    return got


async def test_receipts_api_and_events(world: World, live: Live) -> None:
    s = world.srv.config.effective.ServiceSettings
    s.EnableReadReceipts = True
    s.ReadReceiptsMaxChannelMembers = 3
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()
    ws_bob = await WS.connect(live.url, bob.token)
    await ws_bob.event("hello")
    await opt(bob, True)
    post = await world.post(bob, dm, "seen this?")
    # carol has not opted in: her read is not shown and no event goes out
    await view(carol, dm)
    await world.srv.app.notifications.drain()
    assert await receipts(bob, post) == []
    await opt(carol, True)
    assert await receipts(bob, post) == [{"user_id": carol.user["id"], "seen_at": post["create_at"]}]
    later = await world.post(bob, dm, "and this?")
    assert await receipts(bob, later) == []
    await view(carol, dm)
    ev = await ws_bob.event("read_receipt")
    assert ev["data"] == {"channel_id": dm["id"], "user_id": carol.user["id"], "seen_at": later["create_at"]}
    assert ev["broadcast"]["user_id"] == bob.user["id"]
    assert await receipts(bob, later) == [{"user_id": carol.user["id"], "seen_at": later["create_at"]}]
    # only the author asks; not for someone who cannot read the channel; the viewer must opt in
    assert_error(await carol.get(f"/posts/{post['id']}/receipts"), 403, "api.post.receipts.not_author.app_error")
    assert_error(await dave.get(f"/posts/{post['id']}/receipts"), 403)
    assert_error(await bob.get("/posts/" + "x" * 26 + "/receipts"), 404)
    await opt(bob, False)
    assert_error(await bob.get(f"/posts/{post['id']}/receipts"), 403, "api.post.receipts.user_disabled.app_error")
    await opt(bob, True)

    # a small channel: dave (not opted in) is never told of reads, and his own reads are not shown
    ws_dave = await WS.connect(live.url, dave.token)
    await ws_dave.event("hello")
    ch = await world.channel(bob, t.team, "small")
    r = await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"], dave.user["id"]]})
    assert r.status_code == 201, r.text
    post = await world.post(bob, ch, "team lunch")
    await view(dave, ch)
    await view(carol, ch)
    ev = await ws_bob.event("read_receipt", lambda e: e["data"]["channel_id"] == ch["id"])
    assert ev["data"]["user_id"] == carol.user["id"]
    await world.post(carol, ch, "barrier")  # carol's post also marks the channel read for her
    await ws_dave.event("posted", lambda e: "barrier" in e["data"]["post"])
    await world.srv.app.notifications.drain()
    assert "read_receipt" not in ws_dave.names()
    assert [r["user_id"] for r in await receipts(bob, post)] == [carol.user["id"]]
    # too many members for receipts
    s.ReadReceiptsMaxChannelMembers = 2
    assert_error(await bob.get(f"/posts/{post['id']}/receipts"), 400, "api.post.receipts.channel_too_large.app_error")
    # off on the server
    s.EnableReadReceipts = False
    assert_error(await bob.get(f"/posts/{post['id']}/receipts"), 501, "api.post.receipts.disabled.app_error")
    r = await bob.get("/config/client?format=old")
    assert r.json()["EnableReadReceipts"] == "false" and r.json()["ReadReceiptsMaxChannelMembers"] == "2"
    await ws_bob.close()
    await ws_dave.close()

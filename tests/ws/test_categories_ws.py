"""sidebar_category_* events reach the user's own sockets (and no one else's) with Mattermost's payloads."""

from __future__ import annotations

import json

from tests.conftest import World
from tests.ws.conftest import WS, Live


async def test_sidebar_category_events(world: World, live: Live) -> None:
    admin = await world.user("admin")
    ann = await world.user("ann")
    bob = await world.user("bob")
    team = await world.team(admin)
    await world.join(admin, team, ann, bob)
    uid, tid = ann.user["id"], team["id"]
    base = f"/users/{uid}/teams/{tid}/channels/categories"
    found = (await ann.get(base)).json()
    mine = await WS.connect(live.url, ann.token)
    theirs = await WS.connect(live.url, bob.token)
    for ws in (mine, theirs):
        await ws.event("hello")
    r = await ann.post(base, {"user_id": uid, "team_id": tid, "display_name": "Later"})
    assert r.status_code == 200, r.text
    new = r.json()
    ev = await mine.event("sidebar_category_created")
    assert ev["data"] == {"category_id": new["id"]}
    assert ev["broadcast"]["user_id"] == uid and ev["broadcast"]["team_id"] == tid
    new["collapsed"] = True
    assert (await ann.put(base, [new])).status_code == 200
    ev = await mine.event("sidebar_category_updated")
    assert [c["id"] for c in json.loads(ev["data"]["updatedCategories"])] == [new["id"]]
    order = [new["id"], *found["order"]]
    assert (await ann.put(base + "/order", order)).status_code == 200
    ev = await mine.event("sidebar_category_order_updated")
    assert ev["data"] == {"order": order}
    assert (await ann.delete(f"{base}/{new['id']}")).status_code == 200
    ev = await mine.event("sidebar_category_deleted")
    assert ev["data"] == {"category_id": new["id"]}
    # bob, in the same team, heard none of it
    await theirs.request("get_statuses")
    assert not [n for n in theirs.names() if n.startswith("sidebar_category")]
    for ws in (mine, theirs):
        await ws.close()

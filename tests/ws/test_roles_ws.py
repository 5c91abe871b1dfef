"""role_updated reaches every connected user when a system admin patches a role."""

from __future__ import annotations

import json

from tests.conftest import World
from tests.ws.conftest import WS, Live


async def test_role_updated_event(world: World, live: Live) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    ws = await WS.connect(live.url, bob.token)
    await ws.event("hello")
    role = (await admin.get("/roles/name/team_user")).json()
    r = await admin.put(f"/roles/{role['id']}/patch",
                        {"permissions": [*role["permissions"], "manage_own_incoming_webhooks"]})
    assert r.status_code == 200, r.text
    event = await ws.event("role_updated")
    sent = json.loads(event["data"]["role"])
    assert sent["id"] == role["id"] and "manage_own_incoming_webhooks" in sent["permissions"]
    assert sent == r.json()
    await ws.close()

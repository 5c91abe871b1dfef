"""POST /posts/ephemeral: only the target user receives the message, nothing is stored."""

from __future__ import annotations

import json

from tests.conftest import World, assert_error
from tests.ws.conftest import WS, Live


async def test_ephemeral_post_reaches_only_its_user(world: World, live: Live) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    carol = await world.user("carol")
    team = await world.team(admin)
    await world.join(admin, team, bob, carol)
    town = (await bob.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    ws_bob, ws_carol = await WS.connect(live.url, bob.token), await WS.connect(live.url, carol.token)
    await ws_bob.event("hello")
    await ws_carol.event("hello")
    r = await admin.post("/posts/ephemeral", {"user_id": bob.user["id"],
                                              "post": {"channel_id": town["id"], "message": "just for you"}})
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["type"] == "system_ephemeral" and sent["user_id"] == admin.user["id"] and len(sent["id"]) == 26
    event = await ws_bob.event("ephemeral_message")
    assert json.loads(event["data"]["post"])["message"] == "just for you"
    assert not any(e["event"] == "ephemeral_message" for e in ws_carol.events)
    posts = (await bob.get(f"/channels/{town['id']}/posts")).json()
    assert sent["id"] not in posts["posts"]
    # members may not send them; bad input
    assert_error(await bob.post("/posts/ephemeral", {"user_id": carol.user["id"],
                                                     "post": {"channel_id": town["id"], "message": "x"}}), 403,
                 "api.context.permissions.app_error")
    assert_error(await admin.post("/posts/ephemeral", {"post": {"channel_id": town["id"]}}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await admin.post("/posts/ephemeral", {"user_id": bob.user["id"]}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await admin.post("/posts/ephemeral", {"user_id": bob.user["id"], "post": {"channel_id": "x"}}),
                 400, "api.context.invalid_param.app_error")
    await ws_bob.close()
    await ws_carol.close()

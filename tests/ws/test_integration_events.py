"""Integrations over the WebSocket: a personal access token authenticates the socket and revoking it
closes the socket; ephemeral command answers reach only their user."""

from __future__ import annotations

import json

from tests.conftest import World
from tests.ws.conftest import WS, Live


async def test_token_websocket_closed_on_revoke(world: World, live: Live) -> None:
    admin = await world.user("admin")
    s = world.srv.config.effective.ServiceSettings
    s.EnableBotAccountCreation = True
    bot = (await admin.post("/bots", {"username": "watcher"})).json()
    tok = (await admin.post(f"/users/{bot['user_id']}/tokens", {"description": "ws"})).json()
    ws = await WS.connect(live.url)
    reply = await ws.request("authentication_challenge", {"token": tok["token"]})
    assert reply["status"] == "OK"
    hello = await ws.event("hello")
    assert hello["broadcast"]["user_id"] == bot["user_id"]
    assert (await admin.post("/users/tokens/revoke", {"token_id": tok["id"]})).status_code == 200
    await ws.closed()


async def test_ephemeral_answer_reaches_only_its_user(world: World, live: Live) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    team = await world.team(admin)
    await world.join(admin, team, bob)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    ws_admin = await WS.connect(live.url, admin.token)
    ws_bob = await WS.connect(live.url, bob.token)
    await ws_admin.event("hello")
    await ws_bob.event("hello")
    r = await admin.post("/commands/execute", {"channel_id": town["id"], "command": "/code"})
    assert r.status_code == 200, r.text
    ev = await ws_admin.event("ephemeral_message")
    post = json.loads(ev["data"]["post"])
    assert post["message"] == "A message must be provided with the /code command."
    assert post["type"] == "system_ephemeral" and post["user_id"] == admin.user["id"]
    # bob sees the next regular post, and never the ephemeral one
    await admin.post("/posts", {"channel_id": town["id"], "message": "after"})
    await ws_bob.event("posted")
    assert "ephemeral_message" not in ws_bob.names()
    await ws_admin.close()
    await ws_bob.close()

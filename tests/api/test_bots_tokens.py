"""Bots and personal access tokens through HTTP; a token works like a session token, on REST and
the WebSocket, and stops working at once when revoked or disabled."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import grant
from tests.conftest import Client, World, assert_error


async def _enable(world: World, bots: bool = True, tokens: bool = True) -> None:
    s = world.srv.config.effective.ServiceSettings
    s.EnableBotAccountCreation = bots
    s.EnableUserAccessTokens = tokens


async def test_bot_lifecycle(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert_error(await admin.post("/bots", {"username": "builder"}), 403, "api.bot.create_disabled")
    await _enable(world)
    # Mattermost's system_user role has no bot permissions: a member cannot create one until granted
    assert_error(await bob.post("/bots", {"username": "builder"}), 403, "api.context.permissions.app_error")
    await grant(admin, "system_user", "create_bot", "read_bots", "manage_bots")
    r = await bob.post("/bots", {"username": "Builder", "display_name": "Build Bot", "description": "builds"})
    assert r.status_code == 201, r.text
    bot = r.json()
    assert bot["username"] == "builder" and bot["owner_id"] == bob.user["id"]
    assert bot["display_name"] == "Build Bot" and bot["description"] == "builds" and bot["delete_at"] == 0
    user = (await admin.get(f"/users/{bot['user_id']}")).json()
    assert user["is_bot"] is True and user["bot_description"] == "builds" and user["username"] == "builder"
    assert_error(await bob.post("/bots", {"username": "builder"}), 400, "app.user.save.username_exists.app_error")
    assert_error(await bob.post("/bots", {"username": "Bad Name"}), 400, "model.bot.is_valid.username.app_error")
    assert_error(await bob.post("/bots", {"username": "ok", "description": "x" * 1025}), 400,
                 "model.bot.is_valid.description.app_error")
    assert (await bob.get(f"/bots/{bot['user_id']}")).json()["username"] == "builder"
    assert [b["user_id"] for b in (await bob.get("/bots")).json()] == [bot["user_id"]]
    r = await bob.put(f"/bots/{bot['user_id']}", {"display_name": "Builds", "username": "builds"})
    assert r.status_code == 200 and r.json()["display_name"] == "Builds" and r.json()["username"] == "builds"
    assert (await admin.get(f"/users/{bot['user_id']}")).json()["username"] == "builds"
    # another user cannot see it (and is told it does not exist), the admin can
    carol = await world.user("carol")
    assert_error(await carol.get(f"/bots/{bot['user_id']}"), 404, "store.sql_bot.get.missing.app_error")
    assert (await carol.get("/bots")).json() == []
    assert_error(await carol.post(f"/bots/{bot['user_id']}/disable"), 404, "store.sql_bot.get.missing.app_error")
    assert (await admin.get(f"/bots/{bot['user_id']}")).status_code == 200
    # disable / enable
    r = await bob.post(f"/bots/{bot['user_id']}/disable")
    assert r.status_code == 200 and r.json()["delete_at"] > 0
    assert (await admin.get(f"/users/{bot['user_id']}")).json()["delete_at"] > 0
    assert_error(await bob.get(f"/bots/{bot['user_id']}"), 404, "store.sql_bot.get.missing.app_error")
    assert (await bob.get(f"/bots/{bot['user_id']}", params={"include_deleted": "true"})).status_code == 200
    r = await bob.post(f"/bots/{bot['user_id']}/enable")
    assert r.status_code == 200 and r.json()["delete_at"] == 0
    # assign to carol
    r = await bob.post(f"/bots/{bot['user_id']}/assign/{carol.user['id']}")
    assert r.status_code == 200 and r.json()["owner_id"] == carol.user["id"]
    assert_error(await admin.post(f"/bots/{bot['user_id']}/assign/{bot['user_id']}"), 403,
                 "api.context.permissions.app_error")
    assert_error(await admin.get(f"/bots/{'q' * 26}"), 404, "store.sql_bot.get.missing.app_error")
    # bots cannot log in with a password and cannot create bots
    c = world.client()
    assert_error(await c.post("/users/login", {"login_id": "builds", "password": "whatever"}), 401)


async def _token(owner: Client, user_id: str, description: str = "ci") -> dict[str, Any]:
    r = await owner.post(f"/users/{user_id}/tokens", {"description": description})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_personal_access_tokens(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert_error(await admin.post(f"/users/{admin.user['id']}/tokens", {"description": "x"}), 501,
                 "app.user_access_token.disabled")
    await _enable(world)
    # bob needs the system_user_access_token role
    assert_error(await bob.post("/users/me/tokens", {"description": "x"}), 403, "api.context.permissions.app_error")
    assert (await admin.put(f"/users/{bob.user['id']}/roles", {"roles": "system_user system_user_access_token"})
            ).status_code == 200
    assert_error(await bob.post("/users/me/tokens", {"description": ""}), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post("/users/me/tokens", {"description": "x" * 256}), 400,
                 "model.user_access_token.is_valid.description.app_error")
    assert_error(await bob.post(f"/users/{admin.user['id']}/tokens", {"description": "x"}), 403,
                 "api.context.permissions.app_error")
    tok = await _token(bob, "me")
    assert len(tok["token"]) == 26 and tok["user_id"] == bob.user["id"] and tok["is_active"] is True
    listed = (await bob.get("/users/me/tokens")).json()
    assert [t["id"] for t in listed] == [tok["id"]] and "token" not in listed[0]
    got = (await bob.get(f"/users/tokens/{tok['id']}")).json()
    assert got["description"] == "ci" and "token" not in got
    assert [t["id"] for t in (await admin.get("/users/tokens")).json()] == [tok["id"]]
    assert_error(await bob.get("/users/tokens"), 403, "api.context.permissions.app_error")
    assert_error(await bob.get(f"/users/tokens/{'n' * 26}"), 404, "app.user_access_token.get_by_user.app_error")
    # the token works like a session token
    pat = world.client()
    pat.token = tok["token"]
    me = await pat.get("/users/me")
    assert me.status_code == 200 and me.json()["id"] == bob.user["id"]
    # disable → refused at once; enable → works again
    assert (await bob.post("/users/tokens/disable", {"token_id": tok["id"]})).status_code == 200
    assert_error(await pat.get("/users/me"), 401, "api.context.session_expired.app_error")
    assert (await bob.post("/users/tokens/enable", {"token_id": tok["id"]})).status_code == 200
    assert (await pat.get("/users/me")).status_code == 200
    # turning the feature off stops non-bot tokens
    world.srv.config.effective.ServiceSettings.EnableUserAccessTokens = False
    assert_error(await pat.get("/users/me"), 401, "api.context.session_expired.app_error")
    world.srv.config.effective.ServiceSettings.EnableUserAccessTokens = True
    assert (await pat.get("/users/me")).status_code == 200
    # revoke → gone for good
    assert_error(await bob.post("/users/tokens/revoke", {"token_id": ""}), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post("/users/tokens/revoke", {"token_id": "m" * 26}), 404,
                 "app.user_access_token.get_by_user.app_error")
    assert (await bob.post("/users/tokens/revoke", {"token_id": tok["id"]})).status_code == 200
    assert_error(await pat.get("/users/me"), 401, "api.context.session_expired.app_error")
    assert (await bob.get("/users/me/tokens")).json() == []


async def test_bot_tokens_and_bot_disable(world: World) -> None:
    admin = await world.user("admin")
    await _enable(world, tokens=False)
    bot = (await admin.post("/bots", {"username": "helper"})).json()
    # bots' tokens work even with personal access tokens turned off (as in Mattermost)
    tok = await _token(admin, bot["user_id"])
    botc = world.client()
    botc.token = tok["token"]
    assert (await botc.get("/users/me")).json()["username"] == "helper"
    # disabling the bot ends its sessions; enabling brings the (still active) token back
    assert (await admin.post(f"/bots/{bot['user_id']}/disable")).status_code == 200
    assert_error(await botc.get("/users/me"), 401, "api.context.session_expired.app_error")
    assert (await admin.post(f"/bots/{bot['user_id']}/enable")).status_code == 200
    assert (await botc.get("/users/me")).status_code == 200
    # the bot's owner manages its tokens; others may not
    bob = await world.user("bob")
    assert_error(await bob.get(f"/users/{bot['user_id']}/tokens"), 403, "api.context.permissions.app_error")
    assert [t["id"] for t in (await admin.get(f"/users/{bot['user_id']}/tokens")).json()] == [tok["id"]]
    assert (await admin.post("/users/tokens/revoke", {"token_id": tok["id"]})).status_code == 200
    assert_error(await botc.get("/users/me"), 401, "api.context.session_expired.app_error")

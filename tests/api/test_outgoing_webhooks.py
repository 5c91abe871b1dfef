"""Outgoing webhooks: management API, trigger matching, callbacks to a real HTTP receiver (off the
request path), answers posted back, and internal addresses refused unless allowed."""

from __future__ import annotations

import json
from typing import Any

from tests.api.helpers import grant
from tests.conftest import Client, World, assert_error
from tests.receiver import payload_of, receiver


async def _setup(world: World) -> tuple[Client, Client, dict[str, Any], dict[str, Any]]:
    admin = await world.user("admin")
    alice = await world.user("alice")
    team = await world.team(admin)
    await world.join(admin, team, alice)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = "127.0.0.1"
    # Mattermost reserves integrations to admins by default; these tests let members manage them
    await grant(admin, "team_user", 'manage_own_outgoing_webhooks')
    return admin, alice, team, town


async def _hook(c: Client, team: dict[str, Any], url: str, **fields: Any) -> dict[str, Any]:
    body = {"team_id": team["id"], "trigger_words": ["ping"], "callback_urls": [url], "display_name": "Pinger",
            "content_type": "application/json", **fields}
    r = await c.post("/hooks/outgoing", body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _thread(c: Client, post_id: str) -> list[dict[str, Any]]:
    body = (await c.get(f"/posts/{post_id}/thread")).json()
    return sorted(body["posts"].values(), key=lambda p: p["create_at"])


async def test_json_callback_and_threaded_answer(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    async with receiver() as rec:
        rec.answer(json.dumps({"text": "pong <!here>", "response_type": "comment", "username": "ignored",
                               "props": {"k": "v"}}))
        hook = await _hook(admin, team, rec.url + "/out")
        assert len(hook["token"]) == 26 and hook["creator_id"] == admin.user["id"]
        post = await world.post(alice, town, "ping the server")
        got = (await rec.wait(1))[0]
        await world.srv.app.integrations.drain()
    assert got.method == "POST" and got.path == "/out"
    assert got.headers["content-type"] == "application/json" and got.headers["accept"] == "application/json"
    p = payload_of(got)
    assert p == {"token": hook["token"], "team_id": team["id"], "team_domain": team["name"],
                 "channel_id": town["id"], "channel_name": "town-square", "timestamp": post["create_at"],
                 "user_id": alice.user["id"], "user_name": "alice", "post_id": post["id"],
                 "text": "ping the server", "trigger_word": "ping", "file_ids": ""}
    thread = await _thread(alice, post["id"])
    assert len(thread) == 2
    answer = thread[1]
    assert answer["message"] == "pong @here" and answer["root_id"] == post["id"]
    assert answer["user_id"] == admin.user["id"]
    assert answer["props"]["from_webhook"] == "true" and answer["props"]["webhook_display_name"] == "Pinger"
    assert answer["props"]["k"] == "v" and "override_username" not in answer["props"]


async def test_form_callback_starts_with_and_attachments(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    s = world.srv.config.effective.ServiceSettings
    s.EnablePostUsernameOverride = True
    async with receiver() as rec:
        rec.answer(json.dumps({"attachments": [{"text": "see <https://x.example|x>", "fields": [
            {"title": "n", "value": 3, "short": True}]}]}))
        hook = await _hook(admin, team, rec.url, content_type="", trigger_when=1, trigger_words=["deploy"],
                           username="deployer")
        post = await world.post(alice, town, "deployment started")
        got = (await rec.wait(1))[0]
        await world.srv.app.integrations.drain()
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"
    form = got.form
    assert form["trigger_word"] == ["deploy"] and form["text"] == ["deployment started"]
    assert form["timestamp"] == [str(post["create_at"] // 1000)] and form["token"] == [hook["token"]]
    posts = (await alice.get(f"/channels/{town['id']}/posts")).json()
    newest = posts["posts"][posts["order"][0]]
    assert newest["type"] == "slack_attachment" and newest["root_id"] == ""
    assert newest["props"]["attachments"][0]["text"] == "see [x](https://x.example)"
    assert newest["props"]["attachments"][0]["fields"][0]["value"] == "3"
    assert newest["props"]["override_username"] == "deployer"


async def test_what_does_not_trigger(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    private = await world.channel(admin, team, "secret", "P")
    async with receiver() as rec:
        await _hook(admin, team, rec.url)
        await world.post(alice, town, "pong ping")  # trigger word not first
        await world.post(alice, town, "pingpong")  # exact match only
        await world.post(admin, private, "ping")  # private channel
        hook_in = (await admin.post("/hooks/incoming", {"channel_id": town["id"]})).json()
        r = await admin.http.post(f"http://localhost:8065/hooks/{hook_in['id']}", json={"text": "ping"})
        assert r.status_code == 200  # webhook posts never trigger outgoing webhooks
        await world.srv.app.integrations.drain()
        assert rec.requests == []
        # a channel-bound hook without trigger words fires on every post in its channel
        off = (await admin.get(f"/teams/{team['id']}/channels/name/off-topic")).json()
        await _hook(admin, team, rec.url + "/all", trigger_words=[], channel_id=off["id"])
        await world.post(alice, off, "anything at all")
        got = (await rec.wait(1))[0]
        await world.srv.app.integrations.drain()
        assert got.path == "/all" and payload_of(got)["trigger_word"] == ""
        # the feature switched off: nothing is sent
        world.srv.config.effective.ServiceSettings.EnableOutgoingWebhooks = False
        await world.post(alice, off, "again")
        await world.srv.app.integrations.drain()
        assert len(rec.requests) == 1


async def test_internal_addresses_refused_unless_allowed(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = ""
    async with receiver() as rec:
        await _hook(admin, team, rec.url)
        await world.post(alice, town, "ping")
        await world.srv.app.integrations.drain()
        assert rec.requests == []
        world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = "10.0.0.0/8 127.0.0.0/8"
        await world.post(alice, town, "ping")
        await rec.wait(1)
        await world.srv.app.integrations.drain()


async def test_outgoing_hook_management(world: World) -> None:
    admin, alice, team, _town = await _setup(world)
    private = await world.channel(admin, team, "secret", "P")
    url = "http://127.0.0.1:9/x"
    hook = await _hook(alice, team, url)
    assert (await alice.get(f"/hooks/outgoing/{hook['id']}")).json()["id"] == hook["id"]
    assert [h["id"] for h in (await alice.get("/hooks/outgoing", params={"team_id": team["id"]})).json()] == [
        hook["id"]]
    assert [h["id"] for h in (await admin.get("/hooks/outgoing")).json()] == [hook["id"]]
    assert_error(await alice.get("/hooks/outgoing"), 403, "api.context.permissions.app_error")
    cases = [
        ({"channel_id": private["id"]}, 403, "api.outgoing_webhook.disabled.app_error"),
        ({"trigger_words": [], "channel_id": ""}, 400, "api.webhook.create_outgoing.triggers.app_error"),
        ({"callback_urls": ["ftp://x"]}, 400, "model.outgoing_hook.is_valid.url.app_error"),
        ({"callback_urls": []}, 400, "model.outgoing_hook.is_valid.callback.app_error"),
        ({"trigger_words": ["a", ""]}, 400, "model.outgoing_hook.is_valid.trigger_words.app_error"),
        ({"trigger_when": 2}, 400, "model.outgoing_hook.is_valid.content_type.app_error"),
        ({"display_name": "x" * 65}, 400, "model.outgoing_hook.is_valid.display_name.app_error"),
        ({"team_id": "t" * 26}, 403, "api.context.permissions.app_error"),
    ]
    for fields, status, error_id in cases:
        body = {"team_id": team["id"], "trigger_words": ["other"], "callback_urls": ["http://e.example/"], **fields}
        assert_error(await alice.post("/hooks/outgoing", body), status, error_id)
    body = {"team_id": team["id"], "trigger_words": ["ping"], "callback_urls": [url]}
    assert_error(await alice.post("/hooks/outgoing", body), 500, "api.webhook.create_outgoing.intersect.app_error")
    r = await alice.put(f"/hooks/outgoing/{hook['id']}", {**hook, "trigger_words": ["pong"]})
    assert r.status_code == 200 and r.json()["trigger_words"] == ["pong"] and r.json()["token"] == hook["token"]
    r = await alice.post(f"/hooks/outgoing/{hook['id']}/regen_token")
    assert r.status_code == 200 and r.json()["token"] != hook["token"]
    bob = await world.user("bob")
    await world.join(admin, team, bob)
    assert_error(await bob.get(f"/hooks/outgoing/{hook['id']}"), 403, "api.context.permissions.app_error")
    assert_error(await bob.delete(f"/hooks/outgoing/{hook['id']}"), 403, "api.context.permissions.app_error")
    assert (await alice.delete(f"/hooks/outgoing/{hook['id']}")).status_code == 200
    assert_error(await alice.get(f"/hooks/outgoing/{hook['id']}"), 404, "app.webhooks.get_outgoing.app_error")
    world.srv.config.effective.ServiceSettings.EnableOutgoingWebhooks = False
    assert_error(await alice.post("/hooks/outgoing", body), 501, "api.outgoing_webhook.disabled.app_error")

"""Incoming webhooks: management API and POST /hooks/{id} with Slack-compatible payloads."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.api.helpers import grant
from tests.conftest import Client, World, assert_error

HOOKS = "http://localhost:8065/hooks"


async def _setup(world: World) -> tuple[Client, Client, dict[str, Any], dict[str, Any]]:
    admin = await world.user("admin")
    bob = await world.user("bob")
    team = await world.team(admin)
    await world.join(admin, team, bob)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    # Mattermost reserves integrations to admins by default; these tests let members manage them
    await grant(admin, "team_user", 'manage_own_incoming_webhooks', 'bypass_incoming_webhook_channel_lock')
    return admin, bob, team, town


async def _hook(c: Client, channel: dict[str, Any], **fields: Any) -> dict[str, Any]:
    r = await c.post("/hooks/incoming", {"channel_id": channel["id"], "display_name": "CI", **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _send(c: Client, hook_id: str, **kw: Any) -> httpx.Response:
    return await c.http.post(f"{HOOKS}/{hook_id}", **kw)


async def _posts(c: Client, channel_id: str) -> list[dict[str, Any]]:
    body = (await c.get(f"/channels/{channel_id}/posts")).json()
    return [body["posts"][pid] for pid in body["order"]]


async def test_incoming_hook_crud_and_permissions(world: World) -> None:
    admin, bob, team, town = await _setup(world)
    hook = await _hook(bob, town, description="builds", username="ci-bot", icon_url="http://x/i.png")
    assert hook["user_id"] == bob.user["id"] and hook["team_id"] == team["id"]
    assert hook["channel_id"] == town["id"] and hook["channel_locked"] is False
    # overrides are off by default: the hook keeps no username/icon
    assert hook["username"] == "" and hook["icon_url"] == ""
    assert set(hook) >= {"id", "create_at", "update_at", "delete_at", "display_name", "description"}
    got = await bob.get(f"/hooks/incoming/{hook['id']}")
    assert got.status_code == 200 and got.json()["id"] == hook["id"]
    listed = (await bob.get("/hooks/incoming", params={"team_id": team["id"]})).json()
    assert [h["id"] for h in listed] == [hook["id"]]
    # admin sees everybody's; a third user without hooks sees none of bob's and may not read his hook
    carol = await world.user("carol")
    await world.join(admin, team, carol)
    assert [h["id"] for h in (await admin.get("/hooks/incoming", params={"team_id": team["id"]})).json()] == [
        hook["id"]]
    assert (await carol.get("/hooks/incoming", params={"team_id": team["id"]})).json() == []
    assert_error(await carol.get(f"/hooks/incoming/{hook['id']}"), 403, "api.context.permissions.app_error")
    assert_error(await carol.delete(f"/hooks/incoming/{hook['id']}"), 403, "api.context.permissions.app_error")
    # listing without a team needs the system-wide permission
    assert_error(await bob.get("/hooks/incoming"), 403, "api.context.permissions.app_error")
    assert len((await admin.get("/hooks/incoming")).json()) == 1
    # update answers 201, as Mattermost does
    r = await bob.put(f"/hooks/incoming/{hook['id']}", {**hook, "display_name": "Builds"})
    assert r.status_code == 201 and r.json()["display_name"] == "Builds"
    assert_error(await bob.put(f"/hooks/incoming/{hook['id']}", {**hook, "id": "x" * 26}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await bob.put(f"/hooks/incoming/{hook['id']}", {**hook, "team_id": "y" * 26}), 400,
                 "api.webhook.team_mismatch.app_error")
    # bad input
    assert_error(await bob.post("/hooks/incoming", {"channel_id": "nope"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await bob.post("/hooks/incoming", {"channel_id": town["id"], "display_name": "x" * 65}), 400,
                 "model.incoming_hook.display_name.app_error")
    assert_error(await bob.post("/hooks/incoming", content=b"{"), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.get(f"/hooks/incoming/{'z' * 26}"), 404, "app.webhooks.get_incoming.app_error")
    # delete, then it is gone
    assert (await bob.delete(f"/hooks/incoming/{hook['id']}")).status_code == 200
    assert_error(await bob.get(f"/hooks/incoming/{hook['id']}"), 404, "app.webhooks.get_incoming.app_error")


async def test_incoming_hook_needs_channel_access_and_feature(world: World) -> None:
    admin, bob, team, town = await _setup(world)
    private = await world.channel(admin, team, "secret", "P")
    assert_error(await bob.post("/hooks/incoming", {"channel_id": private["id"]}), 403,
                 "api.context.permissions.app_error")
    # creating for someone else needs manage_others_incoming_webhooks
    assert_error(await bob.post("/hooks/incoming", {"channel_id": town["id"], "user_id": admin.user["id"]}), 403,
                 "api.context.permissions.app_error")
    made = await _hook(admin, town, user_id=bob.user["id"])
    assert made["user_id"] == bob.user["id"]
    world.srv.config.effective.ServiceSettings.EnableIncomingWebhooks = False
    assert_error(await bob.post("/hooks/incoming", {"channel_id": town["id"]}), 501,
                 "api.incoming_webhook.disabled.app_error")
    assert_error(await bob.get(f"/hooks/incoming/{made['id']}"), 501, "api.incoming_webhook.disabled.app_error")


async def test_post_json_text_and_attachments(world: World) -> None:
    admin, bob, _team, town = await _setup(world)
    hook = await _hook(bob, town)
    r = await _send(bob, hook["id"], json={"text": "build <https://ci.example.com/1|#1> passed <!channel>"})
    assert r.status_code == 200 and r.text == "ok"
    assert r.headers["content-type"] == "text/plain"
    post = (await _posts(admin, town["id"]))[0]
    assert post["message"] == "build [#1](https://ci.example.com/1) passed @channel"
    assert post["user_id"] == bob.user["id"]
    assert post["props"]["from_webhook"] == "true"
    assert post["props"]["webhook_display_name"] == "CI"
    assert "override_username" not in post["props"]
    attachment = {
        "fallback": "Deploy finished", "color": "#36a64f", "pretext": "see <https://x.example|here>",
        "author_name": "ci", "author_link": "https://ci.example", "author_icon": "https://ci.example/a.png",
        "title": "Deploy <!here>", "title_link": "https://ci.example/d/1", "text": "all *good*",
        "fields": [{"title": "Env", "value": "prod", "short": "true"}, {"title": "Took", "value": 42, "short": False},
                   None],
        "image_url": "https://ci.example/i.png", "thumb_url": "https://ci.example/t.png", "footer": "CI",
        "footer_icon": "https://ci.example/f.png", "ts": 1700000000, "unknown_key": 1,
    }
    r = await _send(bob, hook["id"], json={"attachments": [attachment], "props": {"card": "x"}})
    assert r.status_code == 200, r.text
    post = (await _posts(admin, town["id"]))[0]
    assert post["type"] == "slack_attachment"
    assert post["message"] == ""
    assert post["props"]["card"] == "x"
    a = post["props"]["attachments"][0]
    assert a["pretext"] == "see [here](https://x.example)"
    assert a["title"] == "Deploy @here"
    assert a["fields"] == [{"title": "Env", "value": "prod", "short": True},
                           {"title": "Took", "value": "42", "short": False}]
    assert a["ts"] == 1700000000 and a["id"] == 0 and "unknown_key" not in a
    assert set(a) == {"id", "fallback", "color", "pretext", "author_name", "author_link", "author_icon",
                              "title", "title_link", "text", "fields", "image_url", "thumb_url", "footer",
                              "footer_icon", "ts"}


async def test_overrides_and_posted_event(world: World) -> None:
    admin, bob, _team, town = await _setup(world)
    cfg = world.srv.config.effective.ServiceSettings
    cfg.EnablePostUsernameOverride = True
    cfg.EnablePostIconOverride = True
    hook = await _hook(bob, town, username="jenkins", icon_url="https://ci.example/j.png")
    assert hook["username"] == "jenkins"
    events = _capture(world)
    assert (await _send(bob, hook["id"], json={"text": "a"})).status_code == 200
    post = (await _posts(admin, town["id"]))[0]
    assert post["props"]["override_username"] == "jenkins"
    assert post["props"]["override_icon_url"] == "https://ci.example/j.png"
    r = await _send(bob, hook["id"], json={"text": "b", "username": "deploy", "icon_emoji": ":rocket:",
                                           "icon_url": "https://x.example/r.png"})
    assert r.status_code == 200
    post = (await _posts(admin, town["id"]))[0]
    assert post["props"]["override_username"] == "deploy"
    assert post["props"]["override_icon_emoji"] == ":rocket:"
    assert post["props"]["override_icon_url"] == "https://x.example/r.png"
    posted = [e for e in events if e.event == "posted"]
    assert [e.data["sender_name"] for e in posted][-2:] == ["jenkins", "deploy"]
    # a bad username on the hook itself
    assert_error(await bob.post("/hooks/incoming", {"channel_id": town["id"], "username": "Bad Name"}), 400,
                 "api.incoming_webhook.invalid_username.app_error")


def _capture(world: World) -> list[Any]:
    events: list[Any] = []
    core = world.srv.app.core
    original = core.observe_local  # every event this node publishes, once (a post's: at its commit)

    def observe_local(ev: Any) -> None:
        events.append(ev)
        original(ev)

    core.observe_local = observe_local  # type: ignore[method-assign]
    return events


async def test_form_and_multipart_payloads(world: World) -> None:
    admin, bob, team, town = await _setup(world)
    hook = await _hook(bob, town)
    payload = json.dumps({"text": "from curl\twith a tab"}).replace("\\t", "\t")  # raw control character
    r = await _send(bob, hook["id"], data={"payload": payload})
    assert r.status_code == 200, r.text
    assert (await _posts(admin, town["id"]))[0]["message"] == "from curl\twith a tab"
    r = await _send(bob, hook["id"], files={"text": (None, "multipart text"), "channel": (None, "off-topic")})
    assert r.status_code == 200, r.text
    off = (await admin.get(f"/teams/{team['id']}/channels/name/off-topic")).json()
    assert (await _posts(admin, off["id"]))[0]["message"] == "multipart text"
    # no Content-Type at all: JSON
    r = await _send(bob, hook["id"], content=b'{"text":"bare"}')
    assert r.status_code == 200
    assert (await _posts(admin, town["id"]))[0]["message"] == "bare"


async def test_channel_routing_and_locking(world: World) -> None:
    admin, bob, team, town = await _setup(world)
    hook = await _hook(bob, town)
    off = (await admin.get(f"/teams/{team['id']}/channels/name/off-topic")).json()
    assert (await _send(bob, hook["id"], json={"text": "to off", "channel": "#off-topic"})).status_code == 200
    assert (await _posts(admin, off["id"]))[0]["message"] == "to off"
    # a DM to @admin from the hook's creator
    assert (await _send(bob, hook["id"], json={"text": "psst", "channel": "@admin"})).status_code == 200
    dm = (await bob.post("/channels/direct", [bob.user["id"], admin.user["id"]])).json()
    assert (await _posts(admin, dm["id"]))[0]["message"] == "psst"
    before = len(await _posts(admin, town["id"]))
    assert_error(await _send(bob, hook["id"], json={"text": "x", "channel": "nowhere"}), 404,
                 "web.incoming_webhook.channel.app_error")
    assert_error(await _send(bob, hook["id"], json={"text": "x", "channel": "@nobody"}), 400,
                 "web.incoming_webhook.user.app_error")
    locked = await _hook(bob, town, channel_locked=True)
    assert_error(await _send(bob, locked["id"], json={"text": "x", "channel": "off-topic"}), 403,
                 "web.incoming_webhook.channel_locked.app_error")
    assert_error(await _send(bob, locked["id"], json={"text": "x", "channel": "@admin"}), 403,
                 "web.incoming_webhook.channel_locked.app_error")
    assert (await _send(bob, locked["id"], json={"text": "same", "channel": "town-square"})).status_code == 200
    r = await _send(bob, hook["id"], json={"text": "custom", "type": "custom_poll", "props": {"q": 1}})
    assert r.status_code == 200
    newest = (await _posts(admin, town["id"]))[0]
    assert newest["type"] == "custom_poll" and newest["props"]["q"] == 1
    before += 1
    assert len(await _posts(admin, town["id"])) == before + 1


async def test_bad_payloads_create_no_post(world: World) -> None:
    admin, bob, _team, town = await _setup(world)
    hook = await _hook(bob, town)
    before = len(await _posts(admin, town["id"]))
    cases = [
        (dict(content=b"{not json", headers={"content-type": "application/json"}), 400,
         "model.incoming_hook.parse_data.app_error"),
        (dict(json={"text": 5}), 400, "model.incoming_hook.parse_data.app_error"),
        (dict(json={"attachments": [{"fields": [{"short": "maybe"}]}]}), 400,
         "model.incoming_hook.parse_data.app_error"),
        (dict(data={"nopayload": "1"}), 400, "model.incoming_hook.parse_data.app_error"),
        (dict(json={"username": "x"}), 400, "web.incoming_webhook.text.app_error"),
        (dict(json={}), 400, "web.incoming_webhook.text.app_error"),
        (dict(json={"text": "x", "type": "system_join_channel"}), 400, "api.context.invalid_param.app_error"),
        (dict(json={"text": "x", "type": "weird"}), 400, "model.post.is_valid.type.app_error"),
        (dict(json={"text": "x", "priority": {"requested_ack": True}}), 400, "api.context.invalid_param.app_error"),
        (dict(content=b"x", headers={"content-type": "bad type"}), 400, "api.webhook.incoming.error"),
    ]
    for kw, status, error_id in cases:
        assert_error(await _send(bob, hook["id"], **kw), status, error_id)
    assert_error(await _send(bob, "x" * 26, json={"text": "x"}), 400, "web.incoming_webhook.invalid.app_error")
    assert_error(await _send(bob, "short", json={"text": "x"}), 400, "web.incoming_webhook.invalid.app_error")
    assert (await bob.delete(f"/hooks/incoming/{hook['id']}")).status_code == 200
    assert_error(await _send(bob, hook["id"], json={"text": "x"}), 400, "web.incoming_webhook.invalid.app_error")
    world.srv.config.effective.ServiceSettings.EnableIncomingWebhooks = False
    assert_error(await _send(bob, hook["id"], json={"text": "x"}), 501, "web.incoming_webhook.disabled.app_error")
    assert len(await _posts(admin, town["id"])) == before


async def test_long_text_is_split_and_user_references(world: World) -> None:
    admin, bob, _team, town = await _setup(world)
    hook = await _hook(bob, town)
    text = "é" * 16383 + "tail"
    r = await _send(bob, hook["id"], json={"text": text, "attachments": [{"text": "att"}]})
    assert r.status_code == 200, r.text
    newest, previous = (await _posts(admin, town["id"]))[:2]
    assert previous["message"] == "é" * 16383 and "attachments" not in previous["props"]
    assert newest["message"] == "tail" and newest["props"]["attachments"][0]["text"] == "att"
    r = await _send(bob, hook["id"], json={"text": f"hi <@{admin.user['id']}> and <@bob> and <@U024BE7LH>"})
    assert r.status_code == 200
    assert (await _posts(admin, town["id"]))[0]["message"] == "hi @admin and @bob and <@U024BE7LH>"
    r = await _send(bob, hook["id"], json={"text": "<!everyone> <!all> <!here|here> <#C1|off-topic>"})
    assert r.status_code == 200
    assert (await _posts(admin, town["id"]))[0]["message"] == "@all @all @here ~off-topic"

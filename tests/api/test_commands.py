"""Slash commands: custom command management, execution against a real HTTP receiver, command
responses, response_url follow-ups, built-ins and autocomplete."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.api.helpers import grant
from tests.conftest import Client, World, assert_error
from tests.receiver import receiver

HOOKS = "http://localhost:8065/hooks/commands"


async def _setup(world: World) -> tuple[Client, Client, dict[str, Any], dict[str, Any]]:
    admin = await world.user("admin")
    alice = await world.user("alice")
    team = await world.team(admin)
    await world.join(admin, team, alice)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = "127.0.0.1"
    # Mattermost reserves integrations to admins by default; these tests let members manage them
    await grant(admin, "team_user", 'manage_own_slash_commands')
    return admin, alice, team, town


async def _command(c: Client, team: dict[str, Any], url: str, **fields: Any) -> dict[str, Any]:
    body = {"team_id": team["id"], "trigger": "weather", "url": url, "method": "P", "auto_complete": True,
            "auto_complete_desc": "Weather", "auto_complete_hint": "[city]", **fields}
    r = await c.post("/commands", body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _run(c: Client, channel: dict[str, Any], command: str, **fields: Any) -> Any:
    return await c.post("/commands/execute", {"channel_id": channel["id"], "team_id": channel["team_id"],
                                              "command": command, **fields})


async def _newest(c: Client, channel: dict[str, Any]) -> dict[str, Any]:
    body = (await c.get(f"/channels/{channel['id']}/posts")).json()
    return dict(body["posts"][body["order"][0]])


async def test_custom_command_post_in_channel(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    async with receiver() as rec:
        cmd = await _command(admin, team, rec.url + "/cmd")
        rec.answer(json.dumps({"response_type": "in_channel", "text": "Sunny in <https://w.example|Paris>",
                               "props": {"city": "paris"}}))
        r = await _run(alice, town, "/weather Paris @alice ~off-topic")
        assert r.status_code == 200, r.text
        got = rec.requests[0]
    body = r.json()
    assert body["response_type"] == "in_channel" and body["text"] == "Sunny in <https://w.example|Paris>"
    assert set(body) == {"response_type", "text", "username", "channel_id", "icon_url", "type", "props",
                         "goto_location", "trigger_id", "skip_slack_parsing", "attachments", "extra_responses"}
    assert body["trigger_id"]
    assert got.method == "POST" and got.path == "/cmd"
    assert got.headers["authorization"] == f"Token {cmd['token']}"
    assert got.headers["accept"] == "application/json"
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"
    f = got.form
    assert f["token"] == [cmd["token"]] and f["team_id"] == [team["id"]] and f["team_domain"] == [team["name"]]
    assert f["channel_id"] == [town["id"]] and f["channel_name"] == ["town-square"]
    assert f["user_id"] == [alice.user["id"]] and f["user_name"] == ["alice"]
    assert f["command"] == ["/weather"] and f["text"] == ["Paris @alice ~off-topic"]
    # the integration gets the signed trigger id, the client its own part of it (as Mattermost)
    signed = base64.b64decode(f["trigger_id"][0]).decode()
    assert signed.startswith(f"{body['trigger_id']}:{alice.user['id']}:") and len(body["trigger_id"]) == 26
    assert f["response_url"][0].startswith("http://localhost:8065/hooks/commands/")
    assert f["user_mentions"] == ["alice"] and f["user_mentions_ids"] == [alice.user["id"]]
    assert f["channel_mentions"] == ["off-topic"] and len(f["channel_mentions_ids"][0]) == 26
    post = await _newest(alice, town)
    assert post["message"] == "Sunny in [Paris](https://w.example)" and post["user_id"] == alice.user["id"]
    assert post["props"]["from_webhook"] == "true" and post["props"]["city"] == "paris"


async def test_get_method_plain_text_and_response_url(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    async with receiver() as rec:
        await _command(admin, team, rec.url + "/g?fixed=1", method="G")
        rec.answer("just text", content_type="text/plain")
        r = await _run(alice, town, "/weather")
        assert r.status_code == 200, r.text
        got = rec.requests[0]
    assert got.method == "GET" and got.query["fixed"] == ["1"] and got.query["command"] == ["/weather"]
    assert r.json()["text"] == "just text" and r.json()["response_type"] == ""
    url = got.query["response_url"][0]
    hook_id = url.rsplit("/", 1)[1]
    # delayed answers through response_url: five at most
    r = await alice.http.post(f"{HOOKS}/{hook_id}", json={
        "response_type": "in_channel", "attachments": [{"title": "Card", "text": "<https://a.example|a>"}]})
    assert r.status_code == 200, r.text
    card = await _newest(alice, town)
    assert card["type"] == "slack_attachment" and card["props"]["attachments"][0]["text"] == "[a](https://a.example)"
    for i in range(4):
        r = await alice.http.post(f"{HOOKS}/{hook_id}", json={"response_type": "in_channel", "text": f"later {i}"})
        assert r.status_code == 200 and r.text == "ok", r.text
    post = await _newest(alice, town)
    assert post["message"] == "later 3" and post["props"]["from_webhook"] == "true"
    assert_error(await alice.http.post(f"{HOOKS}/{hook_id}", json={"text": "sixth"}), 400,
                 "app.command_webhook.try_use.invalid")
    assert_error(await alice.http.post(f"{HOOKS}/{'u' * 26}", json={"text": "x"}), 404,
                 "app.command_webhook.get.missing")
    assert_error(await alice.http.post(f"{HOOKS}/{hook_id}", content=b"{", headers={"content-type":
                 "application/json"}), 400, "web.command_webhook.parse.app_error")


async def test_ephemeral_extra_responses_goto_and_failures(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    off = (await admin.get(f"/teams/{team['id']}/channels/name/off-topic")).json()
    async with receiver() as rec:
        await _command(admin, team, rec.url)
        rec.answer(json.dumps({"text": "only you", "goto_location": "https://x.example/",
                               "extra_responses": [{"response_type": "in_channel", "text": "extra",
                                                    "channel_id": off["id"]}]}))
        before = (await _newest(alice, town))["id"]
        r = await _run(alice, town, "/weather")
        assert r.status_code == 200, r.text
        assert r.json()["goto_location"] == "https://x.example/"
        assert (await _newest(alice, town))["id"] == before  # the ephemeral answer is not stored
        assert (await _newest(alice, off))["message"] == "extra"
        rec.answer("oops", status=500, content_type="text/plain")
        assert_error(await _run(alice, town, "/weather"), 500, "api.command.execute_command.failed_resp.app_error")
        rec.answer("{bad json")
        assert_error(await _run(alice, town, "/weather"), 500, "api.command.execute_command.failed.app_error")
        rec.answer(json.dumps({"response_type": "in_channel", "text": "x", "type": "system_x"}))
        assert_error(await _run(alice, town, "/weather"), 500,
                     "api.command.execute_command.create_post_failed.app_error")
        world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = ""
        count = len(rec.requests)
        assert_error(await _run(alice, town, "/weather"), 500, "api.command.execute_command.failed.app_error")
        assert len(rec.requests) == count


async def test_execute_errors(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    private = await world.channel(admin, team, "secret", "P")
    assert_error(await _run(alice, town, "/nosuch"), 404, "api.command.execute_command.not_found.app_error")
    assert_error(await _run(alice, town, "nosuch"), 400, "api.command.execute_command.start.app_error")
    assert_error(await _run(alice, town, "/"), 400, "api.command.execute_command.start.app_error")
    assert_error(await alice.post("/commands/execute", {"channel_id": "bad", "command": "/me"}), 400,
                 "api.command.execute_command.start.app_error")
    assert_error(await _run(alice, private, "/me hi"), 403, "api.context.permissions.app_error")
    world.srv.config.effective.ServiceSettings.EnableCommands = False
    assert_error(await _run(alice, town, "/me hi"), 501, "api.command.disabled.app_error")


async def test_command_management(world: World) -> None:
    admin, alice, team, _town = await _setup(world)
    cmd = await _command(alice, team, "http://e.example/cmd")
    assert cmd["trigger"] == "weather" and len(cmd["token"]) == 26 and cmd["creator_id"] == alice.user["id"]
    assert (await alice.get(f"/commands/{cmd['id']}")).json()["token"] == cmd["token"]
    custom = (await alice.get("/commands", params={"team_id": team["id"], "custom_only": "true"})).json()
    assert [c["id"] for c in custom] == [cmd["id"]]
    everything = (await alice.get("/commands", params={"team_id": team["id"]})).json()
    assert {"me", "shrug", "weather"} <= {c["trigger"] for c in everything}
    cases = [
        ({"trigger": "/bad"}, "model.command.is_valid.trigger.app_error"),
        ({"trigger": "has space"}, "model.command.is_valid.trigger.app_error"),
        ({"url": "notaurl"}, "model.command.is_valid.url_http.app_error"),
        ({"url": ""}, "model.command.is_valid.url.app_error"),
        ({"method": "X"}, "model.command.is_valid.method.app_error"),
        ({"trigger": "weather"}, "api.command.duplicate_trigger.app_error"),
        ({"trigger": "echo"}, "api.command.duplicate_trigger.app_error"),
    ]
    for fields, error_id in cases:
        body = {"team_id": team["id"], "trigger": "other", "url": "http://e.example/", "method": "P", **fields}
        assert_error(await alice.post("/commands", body), 400, error_id)
    assert_error(await alice.get("/commands"), 400, "api.context.invalid_param.app_error")
    r = await alice.put(f"/commands/{cmd['id']}", {**cmd, "trigger": "Forecast"})
    assert r.status_code == 200 and r.json()["trigger"] == "forecast"
    assert_error(await alice.put(f"/commands/{cmd['id']}", {**cmd, "team_id": "t" * 26}), 400,
                 "api.command.team_mismatch.app_error")
    r = await alice.put(f"/commands/{cmd['id']}/regen_token")
    assert r.status_code == 200 and r.json()["token"] != cmd["token"]
    bob = await world.user("bob")
    assert_error(await bob.get(f"/commands/{cmd['id']}"), 404, "store.sql_command.save.get.app_error")
    await world.join(admin, team, bob)
    assert_error(await bob.get(f"/commands/{cmd['id']}"), 404, "store.sql_command.save.get.app_error")
    assert_error(await bob.delete(f"/commands/{cmd['id']}"), 403, "api.context.permissions.app_error")
    auto = (await alice.get(f"/teams/{team['id']}/commands/autocomplete")).json()
    forecast = next(c for c in auto if c["trigger"] == "forecast")
    assert forecast["token"] == "" and forecast["url"] == "" and forecast["auto_complete_hint"] == "[city]"
    sugg = (await alice.get(f"/teams/{team['id']}/commands/autocomplete_suggestions",
                            params={"user_input": "/fo"})).json()
    assert sugg == [{"Complete": "forecast", "Suggestion": "/forecast", "Hint": "[city]",
                     "Description": "Weather", "IconData": ""}]
    assert_error(await alice.get(f"/teams/{team['id']}/commands/autocomplete_suggestions"), 400,
                 "api.context.invalid_param.app_error")
    assert (await alice.delete(f"/commands/{cmd['id']}")).status_code == 200
    assert_error(await alice.get(f"/commands/{cmd['id']}"), 404, "store.sql_command.save.get.app_error")
    world.srv.config.effective.ServiceSettings.EnableCommands = False
    assert_error(await alice.post("/commands", {"team_id": team["id"], "trigger": "x", "url": "http://e.example/",
                                                "method": "P"}), 501, "api.command.disabled.app_error")


async def test_built_in_commands(world: World) -> None:
    admin, alice, team, town = await _setup(world)
    bob = await world.user("bob")
    await world.join(admin, team, bob)
    r = await _run(alice, town, "/me waves")
    assert r.status_code == 200 and r.json()["response_type"] == "in_channel"
    post = await _newest(alice, town)
    assert post["message"] == "*waves*" and post["type"] == "me" and "from_webhook" not in post["props"]
    await _run(alice, town, "/shrug oh well")
    assert (await _newest(alice, town))["message"] == "oh well ¯\\\\\\_(ツ)\\_/¯"
    await _run(alice, town, "/code a\nb")
    assert (await _newest(alice, town))["message"] == "    a\n    b"
    await _run(alice, town, '/echo "said twice" 0')
    assert (await _newest(alice, town))["message"] == "said twice"
    assert (await _run(alice, town, '/echo "x" 20000')).json()["text"] == "Delays must be under 10000 seconds."
    # channels
    r = await _run(alice, town, "/join ~off-topic")
    assert r.json()["goto_location"] == f"http://localhost:8065/{team['name']}/channels/off-topic"
    off = (await admin.get(f"/teams/{team['id']}/channels/name/off-topic")).json()
    assert (await _run(alice, town, "/join ~nowhere")).json()["text"] == "We couldn't find the channel."
    await _run(alice, off, "/header New header")
    assert (await alice.get(f"/channels/{off['id']}")).json()["header"] == "New header"
    await _run(alice, off, "/purpose For chatter")
    assert (await alice.get(f"/channels/{off['id']}")).json()["purpose"] == "For chatter"
    await _run(alice, off, "/rename Chatter")
    assert (await alice.get(f"/channels/{off['id']}")).json()["display_name"] == "Chatter"
    assert (await _run(alice, off, "/header")).json()["text"] == "A message must be provided with the /header command."
    proj = await world.channel(alice, team, "proj")
    r = await _run(alice, proj, "/invite @bob")
    assert r.status_code == 200
    assert (await alice.get(f"/channels/{proj['id']}/members/{bob.user['id']}")).status_code == 200
    assert (await _run(alice, proj, "/invite @bob")).json()["text"] == "@bob is already in the channel."
    assert (await _run(alice, proj, "/invite @ghost")).json()["text"].startswith("We couldn't find the user")
    await _run(alice, proj, "/kick @bob")
    assert (await alice.get(f"/channels/{proj['id']}/members/{bob.user['id']}")).status_code == 404
    assert (await _run(alice, proj, "/remove @bob")).json()["text"] == "@bob is not a member of this channel."
    r = await _run(alice, proj, "/leave")
    assert r.json()["goto_location"].endswith("/channels/town-square")
    assert (await _run(alice, town, "/leave")).json()["text"] == "Unable to leave the default channel town-square."
    # direct and group messages
    r = await _run(alice, town, "/msg @bob hello there")
    assert r.json()["goto_location"] == f"http://localhost:8065/{team['name']}/messages/@bob"
    dm = (await alice.post("/channels/direct", [alice.user["id"], bob.user["id"]])).json()
    assert (await _newest(alice, dm))["message"] == "hello there"
    r = await _run(alice, town, "/groupmsg @bob,@admin hi all")
    assert r.status_code == 200 and "/messages/" in r.json()["goto_location"]
    assert (await _run(alice, town, "/groupmsg @bob hi")).json()["text"].startswith("You must specify at least 2")
    # statuses and muting
    assert (await _run(alice, town, "/away")).json()["text"] == "You are now away"
    assert (await alice.get("/users/me/status")).json()["status"] == "away"
    await _run(alice, town, "/dnd")
    assert (await alice.get("/users/me/status")).json()["status"] == "dnd"
    await _run(alice, town, "/online")
    assert (await alice.get("/users/me/status")).json()["status"] == "online"
    r = await _run(alice, town, "/mute")
    assert r.json()["text"].startswith("You will not receive notifications for ~town-square")
    member = (await alice.get(f"/channels/{town['id']}/members/{alice.user['id']}")).json()
    assert member["notify_props"]["mark_unread"] == "mention"
    assert (await _run(alice, town, "/mute")).json()["text"] == "~town-square is now unmuted."
    assert (await _run(alice, town, "/help")).json()["goto_location"] == "https://mattermost.com/pl/help/"
    assert (await _run(alice, town, "/search x")).json()["text"] == "The search command is not supported on your device."

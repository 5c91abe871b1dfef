"""Interactive messages and dialogs over HTTP + WebSocket on both databases: buttons and menus posted by
an incoming webhook and by a slash command's ephemeral answer, the request the integration receives
(a real HTTP receiver), ``update``/``ephemeral_text`` applied, cookies for ephemeral posts, the signed
trigger id opening a dialog (``open_dialog`` event) and the dialog's submission."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.api.helpers import grant
from tests.conftest import Client, World, assert_error
from tests.receiver import Receiver, payload_of, receiver
from tests.ws.conftest import WS, Live


async def _setup(world: World) -> tuple[Client, Client, Client, dict[str, Any], dict[str, Any]]:
    admin = await world.user("admin")
    bob = await world.user("bob")
    carol = await world.user("carol")  # not in the team
    team = await world.team(admin)
    await world.join(admin, team, bob)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    s = world.srv.config.effective.ServiceSettings
    s.AllowedUntrustedInternalConnections = "127.0.0.1"
    s.EnablePostUsernameOverride = True
    return admin, bob, carol, team, town


def _attachment(rec: Receiver) -> dict[str, Any]:
    return {"text": "Deploy?", "actions": [
        {"name": "Ship it", "type": "button", "style": "primary",
         "integration": {"url": rec.url + "/act", "context": {"secret": "s3", "n": 1}}},
        {"name": "Env", "type": "select", "options": [{"text": "Prod", "value": "prod"}],
         "integration": {"url": rec.url + "/pick"}},
    ]}


async def test_webhook_buttons_update_ephemeral_and_dialog(world: World, live: Live) -> None:
    admin, bob, carol, team, town = await _setup(world)
    hook = (await admin.post("/hooks/incoming", {"channel_id": town["id"]})).json()
    async with receiver() as rec:
        r = await admin.http.post(f"http://localhost:8065/hooks/{hook['id']}",
                                  json={"text": "release", "username": "ci", "attachments": [_attachment(rec)]})
        assert r.status_code == 200, r.text
        posts = (await bob.get(f"/channels/{town['id']}/posts")).json()
        post = posts["posts"][posts["order"][0]]
        actions = post["props"]["attachments"][0]["actions"]
        # every action has an id; the integration (URL, private context) never reaches clients
        assert all(len(a["id"]) == 26 for a in actions) and not any("integration" in a for a in actions)
        button, select = actions
        ws = await WS.connect(live.url, bob.token)
        await ws.event("hello")

        rec.answer(json.dumps({"update": {"message": "Shipped", "props": {"attachments": [_attachment(rec)]}},
                               "ephemeral_text": "You shipped <https://ex.example|it>"}))
        r = await bob.post(f"/posts/{post['id']}/actions/{button['id']}", {})
        assert r.status_code == 200, r.text
        assert set(r.json()) == {"status", "trigger_id"} and r.json()["status"] == "OK"
        client_trigger = r.json()["trigger_id"]
        got = payload_of(rec.requests[-1])
        assert rec.requests[-1].path == "/act" and rec.requests[-1].headers["content-type"] == "application/json"
        assert {k: got[k] for k in ("user_id", "user_name", "channel_id", "channel_name", "team_id", "team_domain",
                                    "post_id", "type", "data_source", "context")} == {
            "user_id": bob.user["id"], "user_name": "bob", "channel_id": town["id"], "channel_name": "town-square",
            "team_id": team["id"], "team_domain": team["name"], "post_id": post["id"], "type": "button",
            "data_source": "", "context": {"secret": "s3", "n": 1}}
        assert base64.b64decode(got["trigger_id"]).decode().startswith(f"{client_trigger}:{bob.user['id']}:")
        edited = json.loads((await ws.event("post_edited"))["data"]["post"])
        assert edited["message"] == "Shipped" and edited["id"] == post["id"]
        # the props the integration replaced keep who posted it
        assert edited["props"]["from_webhook"] == "true" and edited["props"]["override_username"] == "ci"
        # the new actions got ids (and are stripped for clients, too)
        button, select = edited["props"]["attachments"][0]["actions"]
        assert button["id"] and select["id"] and "integration" not in button
        eph = json.loads((await ws.event("ephemeral_message"))["data"]["post"])
        assert eph["message"] == "You shipped [it](https://ex.example)" and eph["root_id"] == post["id"]
        assert eph["type"] == "system_ephemeral" and eph["user_id"] == bob.user["id"]

        # the integration opens a dialog with the trigger id it got (no session needed)
        dialog = {"callback_id": "cb", "title": "Confirm", "elements": [
            {"display_name": "Reason", "name": "reason", "type": "text"}]}
        r = await carol.http.post("http://localhost:8065/api/v4/actions/dialogs/open",
                                  json={"trigger_id": got["trigger_id"], "url": rec.url + "/dialog", "dialog": dialog})
        assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
        opened = json.loads((await ws.event("open_dialog"))["data"]["dialog"])
        # Mattermost's OpenDialogRequest, every Dialog and DialogElement field present
        assert opened == {"trigger_id": client_trigger, "url": rec.url + "/dialog", "dialog": {
            "callback_id": "cb", "title": "Confirm", "introduction_text": "", "icon_url": "", "submit_label": "",
            "notify_on_cancel": False, "state": "", "elements": [{
                "display_name": "Reason", "name": "reason", "type": "text", "subtype": "", "default": "",
                "placeholder": "", "help_text": "", "optional": False, "min_length": 0, "max_length": 0,
                "data_source": "", "options": None, "multiselect": False}]}}
        r = await bob.post("/actions/dialogs/open", {"trigger_id": got["trigger_id"], "url": rec.url,
                                                     "dialog": {"title": 5}})
        assert_error(r, 400, "api.context.invalid_param.app_error")
        forged = base64.b64decode(got["trigger_id"]).decode().replace(bob.user["id"], carol.user["id"])
        for trigger, error in [(base64.b64encode(forged.encode()).decode(), "verify_signature_failed"),
                               ("!!", "base64_decode_failed"), (base64.b64encode(b"a:b").decode(), "missing_data")]:
            r = await bob.post("/actions/dialogs/open", {"trigger_id": trigger, "url": rec.url, "dialog": dialog})
            assert_error(r, 400, f"interactive_message.decode_trigger_id.{error}")
        assert_error(await bob.post("/actions/dialogs/open", {"trigger_id": got["trigger_id"], "dialog": dialog}),
                     400, "api.context.invalid_param.app_error")

        # the submission goes to the dialog's URL; its field errors come back
        rec.answer(json.dumps({"errors": {"reason": "Too short"}}))
        sub = {"url": rec.url + "/dialog", "callback_id": "cb", "state": "st", "channel_id": town["id"],
               "team_id": team["id"], "submission": {"reason": "x"}, "user_id": "ignored"}
        r = await bob.post("/actions/dialogs/submit", sub)
        assert r.status_code == 200 and r.json() == {"errors": {"reason": "Too short"}}, r.text
        got = payload_of(rec.requests[-1])
        assert got["type"] == "dialog_submission" and got["user_id"] == bob.user["id"] and "url" not in got
        assert got["submission"] == {"reason": "x"} and got["state"] == "st" and got["cancelled"] is False
        assert_error(await carol.post("/actions/dialogs/submit", sub), 403, "api.context.permissions.app_error")

        # a menu choice is sent in the context
        rec.answer("")
        r = await bob.post(f"/posts/{post['id']}/actions/{select['id']}", {"selected_option": "prod"})
        assert r.status_code == 200, r.text
        got = payload_of(rec.requests[-1])
        assert got["type"] == "select" and got["context"] == {"selected_option": "prod"}

        # refusals
        assert_error(await bob.post(f"/posts/{post['id']}/actions/nosuchaction"), 404,
                     "api.post.do_action.action_id.app_error")
        assert_error(await carol.post(f"/posts/{post['id']}/actions/{button['id']}"), 403,
                     "api.context.permissions.app_error")
        assert_error(await bob.post(f"/posts/{'x' * 26}/actions/{button['id']}"), 403)
        rec.answer("nope", status=500)
        assert_error(await bob.post(f"/posts/{post['id']}/actions/{button['id']}"), 400,
                     "api.post.do_action.action_integration.app_error")
        rec.answer("not json")
        assert_error(await bob.post(f"/posts/{post['id']}/actions/{button['id']}"), 400,
                     "api.post.do_action.action_integration.app_error")
        world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = ""
        n = len(rec.requests)
        assert_error(await bob.post(f"/posts/{post['id']}/actions/{button['id']}"), 400,
                     "api.post.do_action.action_integration.app_error")
        assert len(rec.requests) == n  # the guard refused before connecting
    await ws.close()


async def test_command_ephemeral_actions_carry_cookies(world: World, live: Live) -> None:
    admin, bob, carol, team, town = await _setup(world)
    await grant(admin, "team_user", "manage_own_slash_commands")
    async with receiver() as rec:
        r = await admin.post("/commands", {"team_id": team["id"], "trigger": "deploy", "url": rec.url + "/cmd",
                                           "method": "P"})
        assert r.status_code == 201, r.text
        ws = await WS.connect(live.url, bob.token)
        await ws.event("hello")
        rec.answer(json.dumps({"response_type": "ephemeral", "text": "Pick one",
                               "attachments": [_attachment(rec)]}))
        r = await bob.post("/commands/execute", {"channel_id": town["id"], "team_id": team["id"],
                                                 "command": "/deploy"})
        assert r.status_code == 200, r.text
        eph = json.loads((await ws.event("ephemeral_message"))["data"]["post"])
        actions = eph["props"]["attachments"][0]["actions"]
        assert all(a["id"] and a["cookie"] and "integration" not in a for a in actions)
        button = actions[0]
        # an ephemeral post is not stored: the cookie carries what the action needs
        rec.answer(json.dumps({"ephemeral_text": "ok"}))
        r = await bob.post(f"/posts/{eph['id']}/actions/{button['id']}", {"cookie": button["cookie"]})
        assert r.status_code == 200, r.text
        got = payload_of(rec.requests[-1])
        assert got["post_id"] == eph["id"] and got["context"] == {"secret": "s3", "n": 1}
        assert got["channel_id"] == town["id"] and got["team_domain"] == team["name"]
        await ws.event("ephemeral_message", lambda e: json.loads(e["data"]["post"])["message"] == "ok")
        # a cookie must be the server's, for that post, and its channel readable
        assert_error(await bob.post(f"/posts/{eph['id']}/actions/{button['id']}",
                                    {"cookie": button["cookie"][:-4] + "AAAA"}), 400,
                     "api.post.do_action.action_integration.app_error")
        assert_error(await bob.post(f"/posts/{'y' * 26}/actions/{button['id']}", {"cookie": button["cookie"]}),
                     400, "api.post.do_action.action_integration.app_error")
        assert_error(await carol.post(f"/posts/{eph['id']}/actions/{button['id']}", {"cookie": button["cookie"]}),
                     403, "api.context.permissions.app_error")
        # the command's trigger id opens a dialog for the user who ran it
        signed = rec.requests[0].form["trigger_id"][0]
        r = await admin.post("/actions/dialogs/open", {"trigger_id": signed, "url": rec.url + "/d",
                                                        "dialog": {"title": "T", "elements": []}})
        assert r.status_code == 200, r.text
        opened = json.loads((await ws.event("open_dialog"))["data"]["dialog"])
        assert base64.b64decode(signed).decode().startswith(opened["trigger_id"] + ":")
    await ws.close()

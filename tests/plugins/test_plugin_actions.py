"""Buttons and dialogs served by a plugin: an interactive message's action URL or a dialog's URL under
``/plugins/<id>/`` goes to that plugin's ``serve_http`` in the server, with the user's id (Mattermost's
DoLocalRequest), and a plugin opens a dialog with the trigger id a button press gave it."""

from __future__ import annotations

import json
from typing import Any

from tests.api.helpers import team_with
from tests.conftest import World, assert_error
from tests.plugins.test_plugin_runtime import install, settle

ASK = """
    import json
    from chinwag.plugin import Command, CommandResponse, HTTPResponse, Plugin, Post

    class Ask(Plugin):
        async def on_activate(self):
            self.bot = await self.api.ensure_bot("askbot", "Ask", "asks things")
            await self.api.register_command(Command(trigger="ask", auto_complete=True))

        async def execute_command(self, c, args):
            button = {"name": "Answer", "integration": {"url": "/plugins/" + self.id + "/button?from=ask",
                                                        "context": {"question": 7}}}
            await self.api.create_post(Post(id="", user_id=self.bot, channel_id=args.channel_id, message="A question",
                                            props={"attachments": [{"text": "Answer it", "actions": [button]}]}))
            return CommandResponse()

        async def serve_http(self, c, req):
            body = req.json()
            if req.path == "/button":
                await self.api.kv_set("button", json.dumps({"user_id": req.user_id, "body": body,
                                                            "query": req.query}).encode())
                await self.api.open_interactive_dialog({
                    "trigger_id": body["trigger_id"], "url": "/plugins/" + self.id + "/dialog",
                    "dialog": {"callback_id": "answer", "title": "Your answer",
                               "elements": [{"display_name": "Answer", "name": "answer", "type": "text"}]}})
                return HTTPResponse.json({"update": {"message": "answered by " + req.user_id},
                                          "ephemeral_text": "thanks"})
            if req.path == "/dialog":
                if not body["submission"].get("answer"):
                    return HTTPResponse.json({"errors": {"answer": "Say something."}})
                await self.api.kv_set("dialog", json.dumps({"user_id": req.user_id, "body": body}).encode())
                return HTTPResponse(200, b"")
            return HTTPResponse(404, b"no")
"""


async def test_plugin_buttons_and_dialogs(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    await install(admin, "com.example.ask", ASK)
    channel = await world.channel(bob, t.team, "questions")
    r = await bob.post("/commands/execute", {"channel_id": channel["id"], "command": "/ask"})
    assert r.status_code == 200, r.text
    data = (await bob.get(f"/channels/{channel['id']}/posts")).json()
    post = next(p for p in data["posts"].values() if p["message"] == "A question")
    action = post["props"]["attachments"][0]["actions"][0]

    seen: list[dict[str, Any]] = []  # the events published (as the hub gets them)
    world.srv.app.core.observers.append(seen.append)
    r = await bob.post(f"/posts/{post['id']}/actions/{action['id']}", {})
    assert r.status_code == 200, r.text
    trigger_id = r.json()["trigger_id"]
    stored = await world.srv.app.store.plugins.get("com.example.ask", "button", 0)
    pressed = json.loads(stored or b"{}")
    assert pressed["user_id"] == bob.user["id"] and pressed["query"] == {"from": "ask"}
    assert pressed["body"]["context"] == {"question": 7} and pressed["body"]["post_id"] == post["id"]
    assert (await bob.get(f"/posts/{post['id']}")).json()["message"] == f"answered by {bob.user['id']}"
    opened = next(e for e in seen if e["event"] == "open_dialog")
    assert opened["broadcast"]["user_id"] == bob.user["id"]
    dialog = json.loads(opened["data"]["dialog"])
    assert dialog["trigger_id"] == trigger_id and dialog["url"] == "/plugins/com.example.ask/dialog"
    assert dialog["dialog"]["title"] == "Your answer"

    submit = {"url": dialog["url"], "callback_id": "answer", "state": "", "channel_id": channel["id"],
              "team_id": t.id, "submission": {"answer": ""}, "cancelled": False}
    r = await bob.post("/actions/dialogs/submit", submit)
    assert r.status_code == 200 and r.json() == {"errors": {"answer": "Say something."}}, r.text
    r = await bob.post("/actions/dialogs/submit", {**submit, "submission": {"answer": "42"}})
    assert r.status_code == 200, r.text
    got = json.loads(await world.srv.app.store.plugins.get("com.example.ask", "dialog", 0) or b"{}")
    assert got["user_id"] == bob.user["id"] and got["body"]["submission"] == {"answer": "42"}
    assert got["body"]["type"] == "dialog_submission"

    # a plugin that is not running answers nothing: Mattermost's action integration error
    assert (await admin.post("/plugins/com.example.ask/disable")).status_code == 200
    await settle(world)
    assert_error(await bob.post(f"/posts/{post['id']}/actions/{action['id']}", {}), 400,
                 "api.post.do_action.action_integration.app_error")
    assert_error(await bob.post("/actions/dialogs/submit", submit), 400,
                 "api.post.do_action.action_integration.app_error")

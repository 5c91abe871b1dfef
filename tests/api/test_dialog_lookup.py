"""POST /actions/dialogs/lookup: a dialog's dynamic select asks its integration for options (Mattermost
10.7+), over HTTP on both databases against a local receiver standing in for the integration."""

from __future__ import annotations

import json

from tests.conftest import World, assert_error
from tests.receiver import payload_of, receiver


async def test_dialog_lookup_returns_the_integrations_items(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    carol = await world.user("carol")  # not in the team
    team = await world.team(admin)
    await world.join(admin, team, bob)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = "127.0.0.1"
    async with receiver() as rec:
        req = {"url": rec.url + "/lookup", "callback_id": "cb", "state": "st", "channel_id": town["id"],
               "team_id": team["id"], "submission": {"query": "pro", "selected_field": "env"}, "user_id": "ignored"}
        rec.answer(json.dumps({"items": [{"text": "Prod", "value": "prod"}, {"text": "Preprod", "value": "pre"}]}))
        r = await bob.post("/actions/dialogs/lookup", req)
        assert r.status_code == 200, r.text
        assert r.json() == {"items": [{"text": "Prod", "value": "prod"}, {"text": "Preprod", "value": "pre"}]}
        got = payload_of(rec.requests[-1])
        assert got["type"] == "dialog_lookup" and got["user_id"] == bob.user["id"] and "url" not in got
        assert got["submission"] == {"query": "pro", "selected_field": "env"} and got["callback_id"] == "cb"
        # an empty answer has no items; one that is not JSON is Mattermost's 500
        rec.answer("")
        assert (await bob.post("/actions/dialogs/lookup", req)).json() == {"items": None}
        rec.answer("not json")
        assert_error(await bob.post("/actions/dialogs/lookup", req), 500, "app.lookup_interactive_dialog.decode_json_error")
        rec.answer("nope", status=500)
        assert (await bob.post("/actions/dialogs/lookup", req)).status_code >= 400
        # refusals: the URL, the channel, the permissions
        for url in ("", "ftp://x.example/a", "/plugins/../etc", "/plugins//x"):
            assert_error(await bob.post("/actions/dialogs/lookup", {**req, "url": url}), 400,
                         "api.context.invalid_param.app_error")
        assert_error(await bob.post("/actions/dialogs/lookup", {**req, "channel_id": "q" * 26}), 404)
        assert_error(await carol.post("/actions/dialogs/lookup", req), 403, "api.context.permissions.app_error")
        assert_error(await bob.post("/actions/dialogs/lookup", content=b"{"), 400)

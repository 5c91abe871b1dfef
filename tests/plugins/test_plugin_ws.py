"""The plugin WebSocket events: plugin_enabled, plugin_disabled, plugin_statuses_changed, and a plugin's
own custom_<id>_<event>."""

from __future__ import annotations

from tests.api.helpers import team_with
from tests.conftest import World
from tests.plugins.bundles import RECORDER, RECORDER_HELPERS, bundle
from tests.plugins.test_plugin_runtime import upload
from tests.ws.conftest import WS, Live, live  # noqa: F401  (fixture)

PLUGIN = "com.example.recorder"


async def test_plugin_events(world: World, live: Live) -> None:  # noqa: F811
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    channel = await world.channel(bob, t.team, "talk")
    ws_admin = await WS.connect(live.url, admin.token)
    ws_bob = await WS.connect(live.url, bob.token)
    await ws_admin.event("hello")
    await ws_bob.event("hello")
    assert (await upload(admin, bundle(PLUGIN, RECORDER, extra=RECORDER_HELPERS))).status_code == 201
    assert (await admin.post(f"/plugins/{PLUGIN}/enable")).status_code == 200
    enabled = await ws_admin.event("plugin_enabled")
    assert enabled["data"]["manifest"]["id"] == PLUGIN and enabled["data"]["manifest"]["version"] == "1.0.0"
    changed = await ws_admin.event("plugin_statuses_changed",
                                   lambda e: any(s["plugin_id"] == PLUGIN and s["state"] == 2
                                                 for s in e["data"]["plugin_statuses"]))
    assert changed["broadcast"]["user_id"] == ""

    r = await bob.post("/commands/execute", {"channel_id": channel["id"], "command": "/record event"})
    assert r.status_code == 200, r.text
    custom = await ws_bob.event(f"custom_{PLUGIN}_recorded")
    assert custom["data"] == {"by": bob.user["id"]} and custom["broadcast"]["user_id"] == bob.user["id"]
    ephemeral = await ws_bob.event("ephemeral_message")
    assert "recorded event for" in ephemeral["data"]["post"]
    assert f"custom_{PLUGIN}_recorded" not in ws_admin.names()
    assert "plugin_statuses_changed" not in ws_bob.names()  # for system admins only, as in Mattermost
    await ws_bob.event("plugin_enabled")  # every web app loads an enabled plugin's bundle

    assert (await admin.post(f"/plugins/{PLUGIN}/disable")).status_code == 200
    disabled = await ws_admin.event("plugin_disabled")
    assert disabled["data"]["manifest"]["id"] == PLUGIN
    await ws_admin.close()
    await ws_bob.close()

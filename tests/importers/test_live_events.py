"""An import while clients are connected: the membership events reach them, as when the app makes
the same changes (and the WebSocket resume rebuilds memberships from them)."""

from __future__ import annotations

import json
from typing import Any

from chinwag.importers.slack import SlackImporter
from tests.conftest import World
from tests.importers import slack_fixture
from tests.ws.conftest import WS, Live, live  # noqa: F401  (the live-server fixture)


async def test_connected_user_sees_the_import(world: World, live: Live, tmp_path: Any) -> None:  # noqa: F811
    # the Slack user alice has this account's email, so the import merges her into it
    alice = await world.user("alicemm", email="alice@example.com")
    ws = await WS.connect(live.url, alice.token)
    await ws.event("hello")
    path = slack_fixture.write_zip(str(tmp_path / "export.zip"), slack_fixture.files())
    await SlackImporter(live.server.app, path, "acme").run()
    team = (await alice.get("/teams/name/acme")).json()

    def seen(name: str) -> list[dict[str, Any]]:
        return [e for e in ws.events if e["event"] == name]

    await ws.wait(lambda: seen("direct_added") and seen("group_added"))
    assert any(e["data"]["team_id"] == team["id"] for e in seen("added_to_team"))
    general = (await alice.get(f"/teams/{team['id']}/channels/name/general")).json()
    assert any(e["data"]["channel_id"] == general["id"] for e in seen("channel_created"))
    assert any(json.loads(e["data"]["channel"])["id"] == general["id"] for e in seen("channel_updated"))
    random = (await alice.get(f"/teams/{team['id']}/channels/name/random", params={"include_deleted": "true"})).json()
    assert any(e["data"]["channel_id"] == random["id"] for e in seen("channel_deleted"))
    assert [e["seq"] for e in ws.events] == list(range(len(ws.events)))
    await ws.close()

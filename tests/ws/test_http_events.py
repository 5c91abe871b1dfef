"""WebSocket events from HTTP calls of issue 16: typing over HTTP (the same ``typing`` event as the WebSocket
action), a team icon's ``update_team``, revoking every session closing open sockets."""

from __future__ import annotations

import io

from PIL import Image

from tests.api.helpers import team_with
from tests.conftest import World, assert_error
from tests.ws.conftest import WS, Live


async def test_typing_over_http(world: World, live: Live) -> None:
    t = await team_with(world, "bob", "carol")
    admin, bob, carol = t.admin, t.members[0], t.members[1]
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    wc = await WS.connect(live.url, carol.token)
    await wc.event("hello")
    r = await bob.post(f"/users/{bob.user['id']}/typing", {"channel_id": town["id"], "parent_id": ""})
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    typing = await wc.event("typing")
    assert typing["data"] == {"parent_id": "", "user_id": bob.user["id"]}
    assert typing["broadcast"]["channel_id"] == town["id"]
    # someone else's typing needs manage_system; a system admin may, for a user who may post there
    assert_error(await carol.post(f"/users/{bob.user['id']}/typing", {"channel_id": town["id"]}), 403,
                 "api.context.permissions.app_error")
    r = await admin.post(f"/users/{bob.user['id']}/typing", {"channel_id": town["id"], "parent_id": "b" * 26})
    assert r.status_code == 200, r.text
    typing = await wc.event("typing", lambda e: e["data"]["parent_id"] == "b" * 26)
    assert typing["data"]["user_id"] == bob.user["id"]
    outsider = await world.user("zed")
    assert_error(await outsider.post(f"/users/{outsider.user['id']}/typing", {"channel_id": town["id"]}), 403,
                 "api.context.permissions.app_error")
    assert_error(await bob.post(f"/users/{bob.user['id']}/typing", {"channel_id": "x"}), 400)
    # a busy server drops typing, as Mattermost's DisableWhenBusy routes
    assert (await admin.post("/server_busy?seconds=60")).status_code == 200
    assert_error(await bob.post(f"/users/{bob.user['id']}/typing", {"channel_id": town["id"]}), 503,
                 "api.context.server_busy.app_error")
    await wc.close()


async def test_team_icon_event_and_revoke_all(world: World, live: Live) -> None:
    t = await team_with(world, "bob")
    admin, owner, bob = t.admin, t.owner, t.members[0]
    wb = await WS.connect(live.url, bob.token)
    await wb.event("hello")
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "#3060d0").save(out, "PNG")
    r = await owner.http.post(f"/teams/{t.id}/image", files={"image": ("i.png", out.getvalue(), "image/png")},
                              headers=owner._headers(None))
    assert r.status_code == 200, r.text
    ev = await wb.event("update_team")
    assert '"last_team_icon_update":' in ev["data"]["team"]
    assert (await admin.post("/users/sessions/revoke/all")).status_code == 200
    await wb.closed()

"""Post reminders (Team Edition) and acknowledgements (licensed) over HTTP + WebSocket, both databases:
the reminder is confirmed with an ephemeral post, and when due the system bot DMs a permalink once."""

from __future__ import annotations

import json
import time

from tests.conftest import World, assert_error
from tests.ws.conftest import WS, Live


async def test_post_reminder_and_ack(world: World, live: Live) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    carol = await world.user("carol")
    team = await world.team(admin)
    await world.join(admin, team, bob)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    post = await world.post(admin, town, "remember me")
    ws = await WS.connect(live.url, bob.token)
    await ws.event("hello")
    path = f"/users/{bob.user['id']}/posts/{post['id']}/reminder"

    # who may set it, on which post; the body is read after those checks
    assert_error(await carol.post(f"/users/{carol.user['id']}/posts/{post['id']}/reminder",
                                  {"target_time": 1}), 403, "api.context.permissions.app_error")
    assert_error(await bob.post(f"/users/{admin.user['id']}/posts/{post['id']}/reminder", {"target_time": 1}),
                 403, "api.context.permissions.app_error")
    assert_error(await bob.post(f"/users/me/posts/{'z' * 26}/reminder", {"target_time": 1}), 403)
    assert_error(await bob.post(path, content=b"{", headers={"Content-Type": "application/json"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await bob.post(path, {"target_time": "soon"}), 400, "api.context.invalid_param.app_error")

    later = int(time.time()) + 3600
    r = await bob.post(path, {"target_time": later})
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    eph = json.loads((await ws.event("ephemeral_message"))["data"]["post"])
    assert eph["root_id"] == post["id"] and eph["channel_id"] == town["id"]
    assert eph["message"].startswith(f"You will be reminded about http://localhost:8065/{team['name']}/pl/{post['id']} "
                                     "by @admin at ")
    assert eph["props"]["target_time"] == later and eph["props"]["type"] == "reminder"
    assert await world.srv.app.post_reminders.send_due() == 0  # not due yet

    # moved to the past (set again: one reminder per user and post), it is sent once
    assert (await bob.post(path, {"target_time": int(time.time()) - 1})).status_code == 200
    assert await world.srv.app.post_reminders.send_due() == 1
    assert await world.srv.app.post_reminders.send_due() == 0
    bot = (await bob.get("/users/username/system-bot")).json()
    assert bot["is_bot"] is True
    dm = (await bob.post("/channels/direct", [bob.user["id"], bot["id"]])).json()
    body = (await bob.get(f"/channels/{dm['id']}/posts")).json()
    sent = [body["posts"][i] for i in body["order"]]
    assert len(sent) == 1 and sent[0]["type"] == "reminder" and sent[0]["user_id"] == bot["id"]
    assert sent[0]["message"] == (f"Hi there, here's your reminder about this message from @admin: "
                                  f"http://localhost:8065/{team['name']}/pl/{post['id']}")
    assert sent[0]["props"]["post_id"] == post["id"]
    await ws.event("posted", lambda e: json.loads(e["data"]["post"])["channel_id"] == dm["id"])

    # acknowledgements need a Professional licence: answered as unlicensed Mattermost does
    for method in ("POST", "DELETE"):
        r = await bob.request(method, f"/users/{bob.user['id']}/posts/{post['id']}/ack")
        assert_error(r, 501, "NO_TRANSLATE")
    await ws.close()

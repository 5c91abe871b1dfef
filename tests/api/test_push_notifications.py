"""Mobile push through the push proxy, against an HTTP receiver standing in for the proxy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chinwag.server import Server, build
from tests.api.helpers import Team, team_with
from tests.conftest import Client, World, assert_error, make_config
from tests.receiver import Receiver, payload_of, push_proxy, receiver

OK = '{"status":"OK"}'


@pytest.fixture
async def proxy(server: Server) -> AsyncIterator[Receiver]:
    async with push_proxy(server) as rec:
        yield rec


async def register(c: Client, device: str) -> None:
    r = await c.put("/users/sessions/device", {"device_id": device})
    assert r.status_code == 200, r.text


async def talk(world: World) -> tuple[Team, dict[str, Any]]:
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    ch = await world.channel(bob, t.team, "talk")
    r = await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"], dave.user["id"]]})
    assert r.status_code == 201, r.text
    return t, ch


async def pushes(srv: Server, rec: Receiver) -> list[dict[str, Any]]:
    await srv.app.notifications.drain()
    assert all(r.path == "/api/v1/send_push" and r.method == "POST" for r in rec.requests)
    return [payload_of(r) for r in rec.requests]


async def test_message_push_full_contents(world: World, proxy: Receiver) -> None:
    t, ch = await talk(world)
    bob, carol, _ = t.members
    await register(carol, "android_rn:TOKEN-1")
    post = await world.post(bob, ch, "@carol lunch?")
    (p,) = await pushes(world.srv, proxy)
    assert p["platform"] == "android_rn" and p["device_id"] == "TOKEN-1" and p["type"] == "message"
    assert p["post_id"] == post["id"] and p["channel_id"] == ch["id"] and "root_id" not in p  # omitted when empty
    assert p["channel_name"] == "Talk" and p["sender_name"] == "@bob" and p["sender_id"] == bob.user["id"]
    assert p["message"] == "@bob: @carol lunch?" and p["badge"] == 1 and p["team_id"] == t.id
    assert p["version"] == "v2" and p["category"] == "CAN_REPLY" and p["is_id_loaded"] is False
    assert len(p["server_id"]) == 26 and len(p["ack_id"]) == 26
    # not mentioned (push level "mention"): no push; a DM always is
    await world.post(bob, ch, "just chatting")
    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()
    await world.post(bob, dm, "psst")
    got = await pushes(world.srv, proxy)
    assert len(got) == 2 and got[1]["message"] == "psst" and got[1]["badge"] == 2
    assert world.srv.app.push_notifications.client.metrics.sent == 2


async def test_levels_mute_and_status(world: World, proxy: Receiver) -> None:
    t, ch = await talk(world)
    bob, carol, dave = t.members
    await register(carol, "apple_rn:C")
    await register(dave, "android_rn:D")
    r = await dave.put("/users/me/patch", {"notify_props": {"push": "all", "push_status": "online"}})
    assert r.status_code == 200
    await world.post(bob, ch, "anyone?")
    assert [p["device_id"] for p in await pushes(world.srv, proxy)] == ["D"]
    # carol mutes the channel: a mention still pushes; dave turns the channel's push off
    await carol.put(f"/channels/{ch['id']}/members/me/notify_props", {"mark_unread": "mention"})
    await dave.put(f"/channels/{ch['id']}/members/me/notify_props", {"push": "none"})
    await world.post(bob, ch, "@carol @dave hi")
    assert [p["device_id"] for p in (await pushes(world.srv, proxy))[1:]] == ["C"]
    # push only when away: carol is online → nothing; do not disturb → nothing either
    await carol.put("/users/me/patch", {"notify_props": {"push": "mention", "push_status": "away"}})
    await carol.put(f"/users/{carol.user['id']}/status", {"user_id": carol.user["id"], "status": "online"})
    await world.post(bob, ch, "@carol again")
    await carol.put(f"/users/{carol.user['id']}/status", {"user_id": carol.user["id"], "status": "dnd"})
    await world.post(bob, ch, "@carol and again")
    assert len(await pushes(world.srv, proxy)) == 2
    await carol.put(f"/users/{carol.user['id']}/status", {"user_id": carol.user["id"], "status": "away"})
    await world.post(bob, ch, "@carol last")
    assert len(await pushes(world.srv, proxy)) == 3


async def test_generic_and_id_loaded_contents(world: World, proxy: Receiver) -> None:
    t, ch = await talk(world)
    bob, carol, _ = t.members
    await register(carol, "apple_rn:C")
    s = world.srv.config.effective.EmailSettings
    s.PushNotificationContents = "generic"
    await world.post(bob, ch, "@carol secret plan")
    (p,) = await pushes(world.srv, proxy)
    assert p["message"] == "@bob mentioned you." and "secret" not in str(p) and p["sender_name"] == "@bob"
    s.PushNotificationContents = "id_loaded"
    post = await world.post(bob, ch, "@carol the code is 1234")
    p = (await pushes(world.srv, proxy))[1]
    assert p["is_id_loaded"] is True and "1234" not in str(p) and "sender_name" not in p
    assert p["post_id"] == post["id"] and p["channel_id"] == ch["id"]
    # the app fetches the content with an ack
    ack = {"id": p["ack_id"], "received_at": 1, "platform": "apple_rn", "type": "message",
           "post_id": post["id"], "is_id_loaded": True}
    r = await carol.post("/notifications/ack", ack)
    assert r.status_code == 200, r.text
    full = r.json()
    assert full["message"] == "@bob: @carol the code is 1234" and full["sender_name"] == "@bob"
    assert full["channel_name"] == "Talk" and full["ack_id"] == p["ack_id"]
    # someone who cannot read the channel gets nothing
    outsider = await world.user("outsider")
    r = await outsider.post("/notifications/ack", ack)
    assert r.status_code == 403
    r = await carol.post("/notifications/ack", {**ack, "is_id_loaded": False})
    assert r.status_code == 200 and r.json() == {"status": "OK"}


async def test_clear_on_read_and_removed_device(world: World, proxy: Receiver) -> None:
    t, ch = await talk(world)
    bob, carol, _ = t.members
    await register(carol, "android_rn:GONE")
    await world.post(bob, ch, "@carol one")
    await world.srv.app.notifications.drain()  # the badge is read when the push goes out
    await world.post(bob, ch, "@carol two")
    await world.srv.app.notifications.drain()
    r = await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    assert r.status_code == 200
    got = await pushes(world.srv, proxy)
    assert [p["badge"] for p in got[:2]] == [1, 2]
    clear = got[2]
    assert clear["type"] == "clear" and clear["channel_id"] == ch["id"] and "badge" not in clear  # 0: omitted
    assert clear["device_id"] == "GONE"
    # the proxy says the device is gone: it is forgotten
    proxy.answer('{"status":"REMOVE","error":"unregistered"}')
    await world.post(bob, ch, "@carol three")
    await world.srv.app.notifications.drain()
    await world.post(bob, ch, "@carol four")
    assert len(await pushes(world.srv, proxy)) == 4
    assert world.srv.app.push_notifications.client.metrics.removed == 1


async def test_retry_after_proxy_error(world: World, proxy: Receiver) -> None:
    t, ch = await talk(world)
    bob, carol, _ = t.members
    await register(carol, "android_rn:C")
    proxy.answer("busy", status=503, content_type="text/plain")
    await world.post(bob, ch, "@carol hello")
    got = await pushes(world.srv, proxy)
    assert len(got) == 2 and got[0] == got[1]  # the same push, sent again
    m = world.srv.app.push_notifications.client.metrics
    assert m.sent == 1 and m.retries == 1 and m.failed == 0 and sum(m.latency_buckets) == 1


async def test_device_registration(world: World, proxy: Receiver) -> None:
    t, _ = await talk(world)
    carol = t.members[1]
    # the mobile app sends an empty id when it has no push token: accepted, nothing else ends
    other = world.client()
    await other.login("carol")
    r = await carol.put("/users/sessions/device", {"device_id": ""})
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert (await other.get("/users/me")).status_code == 200
    assert_error(await carol.put("/users/sessions/device", {"device_id": "x" * 513}), 400,
                 "api.context.invalid_param.app_error")
    await register(carol, "android_rn:A")
    r = await carol.get(f"/users/{carol.user['id']}/sessions")
    mine = [s for s in r.json() if s["device_id"]]
    assert [s["device_id"] for s in mine] == ["android_rn:A"]
    # a second login registering the same device ends the first session
    second = world.client()
    await second.login("carol")
    await register(second, "android_rn:A")
    assert (await carol.get("/users/me")).status_code == 401


async def test_update_badge_when_a_post_is_marked_unread(world: World, proxy: Receiver) -> None:
    """Mattermost sends ``update_badge`` to all the user's devices when they mark a post unread."""
    t, ch = await talk(world)
    bob, carol, _ = t.members
    await register(carol, "apple_rn:PHONE")
    post = await world.post(bob, ch, "@carol ping")
    await world.srv.app.notifications.drain()
    r = await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    assert r.status_code == 200
    await world.srv.app.notifications.drain()
    r = await carol.post(f"/users/{carol.user['id']}/posts/{post['id']}/set_unread")
    assert r.status_code == 200, r.text
    got = await pushes(world.srv, proxy)
    assert [p["type"] for p in got] == ["message", "clear", "update_badge"]
    badge = got[2]
    assert badge["badge"] == 1 and badge["cont_ava"] == 1 and badge["sound"] == "none"
    assert badge["device_id"] == "PHONE" and badge["platform"] == "apple_rn" and badge["version"] == "v2"
    assert "channel_id" not in badge and "message" not in badge


async def test_push_survives_a_proxy_outage_and_a_restart(world: World, database: Any, tmp_path: Any) -> None:
    """The proxy is down: the push stays in the queue (table pushnotifications) with a backoff; the
    server stops; the proxy comes back; another server process over the same database sends it,
    once."""
    srv = world.srv
    async with receiver() as rec:
        port = rec.port
    s = srv.config.effective.EmailSettings
    s.SendPushNotifications, s.PushNotificationServer = True, f"http://127.0.0.1:{port}"
    push = srv.app.push_notifications
    push.client.backoff = 0.01
    t, ch = await talk(world)
    bob, carol, dave = t.members
    await register(carol, "android_rn:C1")
    await register(dave, "android_rn:D1")
    await world.post(bob, ch, "@carol @dave while the proxy is down")
    await srv.app.notifications.drain()
    queued = await srv.app.store.push_notifications.pending()
    assert sorted(q.device_id for q in queued) == ["android_rn:C1", "android_rn:D1"]
    assert all(q.attempts == 1 and q.send_at > q.create_at for q in queued)
    assert await push.run_once() == 0  # not due yet: backing off
    await push.stop()  # this node goes away

    # the proxy comes back; other server processes over the same database (two on PostgreSQL and
    # MySQL, at once: each row is claimed by one of them) send the queued pushes
    nodes = [build(make_config(database, str(tmp_path / f"node{i}")))
             for i in range(1 if database.driver == "sqlite" else 2)]
    try:
        for node in nodes:
            o = node.config.effective.EmailSettings
            o.SendPushNotifications, o.PushNotificationServer = True, s.PushNotificationServer
            base = node.app.core.now
            node.app.core.now = lambda base=base: base() + push.retry_max_ms  # type: ignore[misc]
        async with receiver(port) as rec:
            rec.default.body = OK.encode()
            claimed = await asyncio.gather(*(n.app.push_notifications.run_once() for n in nodes for _ in range(2)))
            assert sum(claimed) == 2
            assert await nodes[0].app.push_notifications.run_once() == 0
            got = [payload_of(r) for r in rec.requests]
        assert sorted(p["device_id"] for p in got) == ["C1", "D1"]
        assert sorted(p["ack_id"] for p in got) == sorted(q.id for q in queued)
        assert all(p["message"] == "@bob: @carol @dave while the proxy is down" for p in got)
        assert await srv.app.store.push_notifications.pending() == []
    finally:
        for node in nodes:
            await node.close()


async def test_test_notification_is_pushed_whatever_the_settings(world: World, proxy: Receiver) -> None:
    """POST /notifications/test: the system bot's DM reaches the user's devices even with pushes turned off
    and the user online (Mattermost's forced notification); nobody else can force one."""
    t, ch = await talk(world)
    bob, carol, _ = t.members
    await register(carol, "android_rn:TOKEN-T")
    r = await carol.put("/users/me/patch", {"notify_props": {**carol.user["notify_props"], "push": "none"}})
    assert r.status_code == 200, r.text
    r = await carol.post("/notifications/test")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    (p,) = await pushes(world.srv, proxy)
    assert p["device_id"] == "TOKEN-T" and p["message"].endswith("If you received this test notification, it worked!")
    bot = (await carol.get("/users/username/system-bot")).json()
    dm = (await carol.post("/channels/direct", [carol.user["id"], bot["id"]])).json()
    posts = (await carol.get(f"/channels/{dm['id']}/posts")).json()
    (post,) = posts["posts"].values()
    assert post["user_id"] == bot["id"] and post["message"] == "If you received this test notification, it worked!"
    # a person cannot force one: the prop is dropped from what people post
    forced = (await bob.post("/posts", {"channel_id": ch["id"], "message": "@carol hi",
                                        "props": {"force_notification": "x"}})).json()
    assert "force_notification" not in (forced.get("props") or {})
    assert await pushes(world.srv, proxy) == [p]
    assert (await world.client().post("/notifications/test")).status_code == 401

"""The calls plugin (com.mattermost.calls) against an in-process server, where its behaviour rests on the
plugin API rather than on media: the push that rings phones when a DM or group call starts (through the
push test harness: an HTTP receiver standing in for the push proxy), who may switch calls on or off in a
channel and who may read a channel's calls state, and the apps' ``POST /logs/upload``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chinwag.server import Server
from tests.api.helpers import team_with
from tests.conftest import Client, World
from tests.receiver import Receiver, payload_of, push_proxy
from tests.waiting import until
from tests.ws.conftest import WS, Live, live  # noqa: F401  (fixture)

PLUGIN = "com.mattermost.calls"
BASE = f"http://localhost:8065/plugins/{PLUGIN}"


@pytest.fixture
async def proxy(server: Server) -> AsyncIterator[Receiver]:
    async with push_proxy(server) as rec:
        yield rec


async def enable(admin: Client, **settings: Any) -> None:
    """The plugin on, its SFU on loopback in this process."""
    r = await admin.put("/config/patch", {"PluginSettings": {"Plugins": {PLUGIN: {
        "udpserveraddress": "127.0.0.1", "udpportmin": 43000, "udpportmax": 43999, "sfuworkers": 1, **settings}}}})
    assert r.status_code == 200, r.text
    r = await admin.post(f"/plugins/{PLUGIN}/enable")
    assert r.status_code == 200, r.text


async def configure(admin: Client, patch: dict[str, Any]) -> None:
    """A config change, then the plugin off and on: its process has the new config for sure."""
    r = await admin.put("/config/patch", patch)
    assert r.status_code == 200, r.text
    assert (await admin.post(f"/plugins/{PLUGIN}/disable")).status_code == 200
    assert (await admin.post(f"/plugins/{PLUGIN}/enable")).status_code == 200


async def register(c: Client, device: str) -> None:
    r = await c.put("/users/sessions/device", {"device_id": device})
    assert r.status_code == 200, r.text


def ring_pushes(rec: Receiver) -> list[dict[str, Any]]:
    return [p for p in (payload_of(r) for r in rec.requests) if p.get("sub_type") == "calls"]


async def start_call(live: Live, c: Client, channel_id: str) -> WS:  # noqa: F811
    ws = await WS.connect(live.url, c.token)
    await ws.event("hello")
    await ws.send(f"custom_{PLUGIN}_join", {"channelID": channel_id})
    await ws.event(f"custom_{PLUGIN}_call_start", timeout=15)
    return ws


async def end_call(ws: WS) -> None:
    await ws.send(f"custom_{PLUGIN}_leave")
    await ws.event(f"custom_{PLUGIN}_call_end", timeout=15)
    await ws.close()


async def test_a_dm_or_group_call_rings_the_others_phones(world: World, live: Live, proxy: Receiver) -> None:  # noqa: F811
    t = await team_with(world, "bob", "carol", "dave")
    admin, (bob, carol, dave) = t.admin, t.members
    await enable(admin)
    await register(carol, "android_rn:CAROL")
    await register(dave, "apple_rn:DAVE")
    r = await carol.put("/users/me/patch", {"locale": "ru", "first_name": "Carol", "last_name": "Smith"})
    assert r.status_code == 200, r.text
    # the plugin rings whatever the member's notification settings say: carol is on do not disturb
    r = await carol.put(f"/users/{carol.user['id']}/status", {"user_id": carol.user["id"], "status": "dnd"})
    assert r.status_code == 200, r.text

    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()
    ws = await start_call(live, bob, dm["id"])
    await until(lambda: ring_pushes(proxy), timeout=15)
    (p,) = ring_pushes(proxy)
    state = (await bob.get(f"{BASE}/{dm['id']}")).json()["call"]
    assert state["post_id"] and state["thread_id"] == state["post_id"]
    assert (p["type"], p["sub_type"], p["version"], p["platform"], p["device_id"]) == (
        "message", "calls", "v2", "android_rn", "CAROL")
    assert (p["channel_id"], p["post_id"], p["root_id"], p["sender_id"]) == (
        dm["id"], state["post_id"], state["post_id"], bob.user["id"])
    assert p["sender_name"] == "bob" and p["channel_name"] == "@bob"
    assert p["message"] == "\u200bbob приглашает вас на звонок"  # in carol's language
    assert len(p["server_id"]) == 26 and len(p["ack_id"]) == 26 and p["is_id_loaded"] is False
    # the call's post says who started it, as the plugin's (in the server's language), then that it ended
    post = (await bob.get(f"/posts/{state['post_id']}")).json()
    assert post["message"] == "bob started a call" and post["type"] == "custom_calls"
    assert post["props"]["attachments"] == [{"fallback": "bob started a call", "title": "bob started a call",
                                             "text": "bob started a call"}]
    await end_call(ws)
    post = (await bob.get(f"/posts/{state['post_id']}")).json()
    assert post["message"] == "Call ended" and post["props"]["attachments"][0]["text"] == "Call ended"
    assert post["props"]["end_at"] >= post["props"]["start_at"]

    # a group message: everyone but the caller rings; the channel is named by the members but the receiver
    # (bob's phone would have every group message post pushed: it gets the ring instead of the post's push)
    await register(bob, "android_rn:BOB")
    r = await bob.put("/users/me/patch", {"notify_props": {"push": "all", "push_status": "online"}})
    assert r.status_code == 200, r.text
    gm = (await bob.post("/channels/group", [bob.user["id"], carol.user["id"], dave.user["id"]])).json()
    ws = await start_call(live, dave, gm["id"])
    await until(lambda: len(ring_pushes(proxy)) == 3, timeout=15)
    by_device = {p["device_id"]: p for p in ring_pushes(proxy)[1:]}
    assert set(by_device) == {"CAROL", "BOB"}
    p = by_device["CAROL"]
    assert (p["channel_id"], p["sender_id"]) == (gm["id"], dave.user["id"])
    assert p["channel_name"] == "bob, dave" and p["sender_name"] == "dave"  # the members but the receiver
    assert by_device["BOB"]["channel_name"] == "carol, dave"
    await end_call(ws)
    await world.srv.app.notifications.drain()
    gm_posts = [p for p in (payload_of(r) for r in proxy.requests) if p.get("channel_id") == gm["id"]]
    assert all(p.get("sub_type") == "calls" for p in gm_posts), gm_posts
    await world.post(dave, gm, "a plain message is pushed as ever")
    await until(lambda: any(payload_of(r).get("message") == "@dave: a plain message is pushed as ever"
                            for r in proxy.requests))

    # generic contents: no sender's words; an open channel never rings
    await configure(admin, {"EmailSettings": {"PushNotificationContents": "generic"}})
    ws = await start_call(live, bob, dm["id"])
    await until(lambda: len(ring_pushes(proxy)) == 4, timeout=15)
    assert ring_pushes(proxy)[3]["message"] == "Вас пригласили на звонок"
    await end_call(ws)
    # in another channel a call rings no one; who hears of every post gets a push saying who invites
    channel = await world.channel(bob, t.team, "talk")
    r = await bob.post(f"/channels/{channel['id']}/members", {"user_ids": [carol.user["id"], dave.user["id"]]})
    assert r.status_code == 201, r.text
    r = await dave.put("/users/me/patch", {"notify_props": {"push": "all", "push_status": "online"}})
    assert r.status_code == 200, r.text
    before = len(proxy.requests)
    ws = await start_call(live, bob, channel["id"])
    await until(lambda: any(payload_of(r).get("channel_id") == channel["id"] for r in proxy.requests[before:]))
    (p,) = [payload_of(r) for r in proxy.requests[before:]]
    assert p["device_id"] == "DAVE" and "sub_type" not in p and p["message"] == "\u200bbob is inviting you to a call"
    call_post = p["post_id"]
    # dave joins: a reply in the call's thread is pushed to no one in the call; a post elsewhere still is
    ws_dave = await WS.connect(live.url, dave.token)
    await ws_dave.event("hello")
    await ws_dave.send(f"custom_{PLUGIN}_join", {"channelID": channel["id"]})
    await ws_dave.event(f"custom_{PLUGIN}_user_joined", lambda e: e["data"]["user_id"] == dave.user["id"], timeout=15)
    before = len(proxy.requests)
    await world.post(bob, channel, "@dave the notes are here", root_id=call_post)
    await world.post(bob, channel, "@dave and outside the thread")
    await world.srv.app.notifications.drain()
    assert [payload_of(r)["root_id"] if "root_id" in payload_of(r) else "" for r in proxy.requests[before:]] == [""]
    await ws_dave.send(f"custom_{PLUGIN}_leave")
    await ws_dave.close()
    await end_call(ws)
    # ringing off in the plugin's settings: no ring either
    await configure(admin, {"PluginSettings": {"Plugins": {PLUGIN: {"enableringing": False}}}})
    ws = await start_call(live, bob, dm["id"])
    await end_call(ws)
    await world.srv.app.notifications.drain()
    assert len(ring_pushes(proxy)) == 4


async def test_who_switches_calls_and_who_reads_a_channel(world: World) -> None:
    t = await team_with(world, "bob", "carol", "dave")
    admin, owner, (bob, carol, dave) = t.admin, t.owner, t.members
    await enable(admin)
    channel = await world.channel(bob, t.team, "huddle")  # bob created it: its admin
    for c in (owner, carol):
        r = await bob.post(f"/channels/{channel['id']}/members", {"user_id": c.user["id"]})
        assert r.status_code == 201, r.text
    url = f"{BASE}/{channel['id']}"

    # a plain member may not; the channel's admin, the team's admin and a system admin may
    r = await carol.post(url, {"enabled": False})
    assert (r.status_code, r.json()["message"]) == (403, "Forbidden")
    for c in (bob, owner, admin):
        r = await c.post(url, {"enabled": c is not admin})
        assert r.status_code == 200 and r.json() == {"channel_id": channel["id"], "enabled": c is not admin}, r.text
    # not a member: refused with the member lookup's error, as the plugin does
    r = await dave.post(url, {"enabled": True})
    assert (r.status_code, r.json()["message"]) == (
        403, "GetChannelMember: No channel member found for that user ID and channel ID.")

    # reading the state: members, and a system admin who is not one; not a team member outside it
    assert (await carol.get(url)).json() == {"channel_id": channel["id"], "enabled": False}
    r = await admin.get(url)
    assert r.status_code == 200 and r.json()["enabled"] is False, r.text
    assert (await admin.get(f"{BASE}/calls/{channel['id']}/active")).json() == {"active": False}
    assert (await dave.get(url)).status_code == 403
    assert (await dave.get(f"{BASE}/calls/{channel['id']}/active")).status_code == 403
    # the switched channel is listed for its members (with no call on: channel_id and enabled only)
    assert (await carol.get(f"{BASE}/channels")).json() == [{"channel_id": channel["id"], "enabled": False}]
    assert (await dave.get(f"{BASE}/channels")).json() == []

    # a DM's members may switch calls there
    dm = (await dave.post("/channels/direct", [dave.user["id"], carol.user["id"]])).json()
    r = await dave.post(f"{BASE}/{dm['id']}", {"enabled": False})
    assert r.status_code == 200, r.text

    # test mode (DefaultEnabled off): system admins only
    await configure(admin, {"PluginSettings": {"Plugins": {PLUGIN: {"defaultenabled": False}}}})
    for c in (bob, owner, dave):
        target = dm["id"] if c is dave else channel["id"]
        r = await c.post(f"{BASE}/{target}", {"enabled": True})
        assert (r.status_code, r.json()["message"]) == (403, "Forbidden"), r.text
    assert (await admin.post(url, {"enabled": True})).status_code == 200


async def test_logs_upload(world: World, live: Live) -> None:  # noqa: F811
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    await enable(admin)
    channel = await world.channel(bob, t.team, "talk")
    ws = await WS.connect(live.url, bob.token)
    await ws.event("hello")
    logs = "2026-12-07 join\n2026-12-07 \"ice\" failed\n"
    body = {"logs": logs, "channel_id": channel["id"], "team_id": t.id}

    r = await bob.post(f"{BASE}/logs/upload", body)
    assert r.status_code == 200 and r.json() == {}, r.text

    # the calls bot posted the logs as a file in its DM with bob
    r = await bob.post("/users/usernames", ["calls"])
    (calls_bot,) = r.json()
    assert calls_bot["is_bot"] is True
    dm = (await bob.post("/channels/direct", [bob.user["id"], calls_bot["id"]])).json()
    posts = (await bob.get(f"/channels/{dm['id']}/posts")).json()
    post = posts["posts"][posts["order"][0]]
    assert post["user_id"] == calls_bot["id"] and len(post["file_ids"]) == 1
    info = post["metadata"]["files"][0]
    assert info["name"].startswith("call_logs_") and info["name"].endswith("Z.txt")
    assert (await bob.get(f"/files/{info['id']}")).text == logs
    # and bob heard where, in the channel the upload came from
    e = await ws.event("ephemeral_message")
    ephemeral = json.loads(e["data"]["post"])
    site = world.srv.config.effective.ServiceSettings.SiteURL.rstrip("/")
    assert site.startswith("http")
    assert ephemeral["channel_id"] == channel["id"]
    assert ephemeral["message"] == (f"Call logs uploaded — [view in your @calls DM]"
                                    f"({site}/{t.team['name']}/pl/{post['id']})")
    await ws.close()

    # the apps keep up to 1 MB of logs: more than the API's MaximumPayloadSizeBytes, which Mattermost does
    # not apply to a plugin's requests
    big = {**body, "logs": "x" * 1_000_000}
    r = await bob.post(f"{BASE}/logs/upload", big)
    assert r.status_code == 200, r.text

    # what the plugin refuses
    r = await bob.post(f"{BASE}/logs/upload", content=b"{")
    assert (r.status_code, r.json()["message"]) == (400, "Invalid request body")
    r = await bob.post(f"{BASE}/logs/upload", {**body, "team_id": "nope"})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid channel_id or team_id")
    r = await bob.post(f"{BASE}/logs/upload", content=b'{"logs": "' + b"x" * (2 * 1024 * 1024) + b'"}')
    assert (r.status_code, r.json()["message"]) == (400, "Invalid request body")

    # /version answers without a session, as the plugin's; the rest does not
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.srv.asgi)) as anon:
        r = await anon.get(f"{BASE}/version")
        assert r.status_code == 200 and r.json()["version"], r.text
        assert (await anon.get(f"{BASE}/config")).status_code == 401


async def test_turn_credentials(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    await enable(admin)
    url = f"{BASE}/turn-credentials"
    r = await bob.get(url)
    assert (r.status_code, r.json()["message"]) == (403, "TURNStaticAuthSecret should be set")
    servers = [{"urls": ["stun:stun.example.com:3478"]},
               {"urls": ["turn:turn.example.com:3478", "turns:turn.example.com:5349"]},
               {"urls": "turn:b.example.com:3478"},
               {"urls": ["turn:own.example.com:3478"], "username": "u", "credential": "c"}]
    await configure(admin, {"PluginSettings": {"Plugins": {PLUGIN: {"turnstaticauthsecret": "s3cret",
                                                                     "iceserversconfigs": json.dumps(servers[:1])}}}})
    r = await bob.get(url)
    assert (r.status_code, r.json()["message"]) == (403, "No TURN server was configured")
    assert (await bob.get(f"{BASE}/config")).json()["NeedsTURNCredentials"] is False
    await configure(admin, {"PluginSettings": {"Plugins": {PLUGIN: {"turnstaticauthsecret": "s3cret",
                                                                     "iceserversconfigs": json.dumps(servers)}}}})
    assert (await bob.get(f"{BASE}/config")).json()["NeedsTURNCredentials"] is True
    creds = (await bob.get(url)).json()
    # one per TURN server without credentials of its own; the username is the user's, behind the expiry
    assert [c["urls"] for c in creds] == [servers[1]["urls"], ["turn:b.example.com:3478"]]
    for c in creds:
        expiry, _, name = c["username"].partition(":")
        assert name == "bob" and int(expiry) > 0
        digest = hmac.new(b"s3cret", c["username"].encode(), hashlib.sha1).digest()
        assert base64.b64decode(c["credential"]) == digest

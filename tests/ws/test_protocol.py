"""WebSocket protocol: hello/seq, challenge auth, replies, broadcast rules, typing, resume."""

from __future__ import annotations

import asyncio
import json

from tests.conftest import World
from tests.ws.conftest import WS, Live


async def test_hello_first_with_seq_zero_then_increasing(world: World, live: Live) -> None:
    alice = await world.user("alice")
    team = await world.team(alice)
    ws = await WS.connect(live.url, alice.token)
    hello = await ws.event("hello")
    assert ws.events[0] is hello and hello["seq"] == 0
    assert hello["broadcast"]["user_id"] == alice.user["id"]
    assert len(hello["data"]["connection_id"]) == 26 and hello["data"]["server_version"]
    town = (await alice.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    for i in range(3):
        await world.post(alice, town, f"m{i}")
    await ws.wait(lambda: len([e for e in ws.events if e["event"] == "posted"]) == 3)
    seqs = [e["seq"] for e in ws.events]
    assert seqs == list(range(len(seqs)))
    posted = next(e for e in ws.events if e["event"] == "posted")
    assert posted["broadcast"]["channel_id"] == town["id"]
    data = posted["data"]
    assert isinstance(data["post"], str) and json.loads(data["post"])["message"] == "m0"
    assert data["channel_type"] == "O" and data["channel_name"] == "town-square"
    assert data["sender_name"] == "@alice" and data["team_id"] == team["id"]
    await ws.close()


async def test_authentication_challenge(world: World, live: Live) -> None:
    alice = await world.user("alice")
    ws = await WS.connect(live.url)
    r = await ws.request("ping")
    assert r["status"] == "FAIL" and r["error"]["id"] == "api.web_socket_router.not_authenticated.app_error"
    seq = await ws.send("authentication_challenge", {"token": alice.token})
    reply = await ws.wait(lambda: ws.replies.get(seq))
    assert reply == {"status": "OK", "seq_reply": seq}
    hello_index = next(i for i, f in enumerate(ws.frames) if f.get("event") == "hello")
    reply_index = next(i for i, f in enumerate(ws.frames) if f.get("seq_reply") == seq)
    assert hello_index < reply_index and ws.frames[hello_index]["seq"] == 0
    pong = await ws.request("ping")
    assert pong["status"] == "OK" and pong["data"]["text"] == "pong"
    await ws.close()


async def test_bad_token_closes_and_unauthenticated_times_out(world: World, live: Live) -> None:
    await world.user("alice")
    ws = await WS.connect(live.url)
    await ws.send("authentication_challenge", {"token": "x" * 26})
    await ws.closed()
    ws2 = await WS.connect(live.url)
    await ws2.closed(timeout=8)


async def test_oversized_frame_refused(world: World, live: Live) -> None:
    alice = await world.user("alice")
    ws = await WS.connect(live.url, alice.token)
    await ws.event("hello")
    await ws.conn.send(json.dumps({"seq": 1, "action": "ping", "data": {"pad": "x" * 9000}}))
    await ws.closed()


async def test_private_channel_and_dm_events_reach_only_members(world: World, live: Live) -> None:
    alice = await world.user("alice")
    bob = await world.user("bob")
    carol = await world.user("carol")
    team = await world.team(alice)
    await world.join(alice, team, bob, carol)
    private = await world.channel(alice, team, "secret", "P")
    await alice.post(f"/channels/{private['id']}/members", {"user_id": bob.user["id"]})
    wb = await WS.connect(live.url, bob.token)
    wc = await WS.connect(live.url, carol.token)
    await wb.event("hello")
    await wc.event("hello")
    await world.post(alice, private, "private hello")
    dm = (await alice.post("/channels/direct", [alice.user["id"], bob.user["id"]])).json()
    await world.post(alice, dm, "dm hello")
    await wb.event("posted", lambda e: json.loads(e["data"]["post"])["message"] == "dm hello")
    await wb.event("posted", lambda e: json.loads(e["data"]["post"])["message"] == "private hello")
    # carol sees a public post made afterwards, so her stream has caught up — and nothing private
    town = (await alice.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    await world.post(alice, town, "public")
    await wc.event("posted", lambda e: json.loads(e["data"]["post"])["message"] == "public")
    leaked = [e for e in wc.events if e["event"] == "posted"
              and json.loads(e["data"]["post"])["channel_id"] in (private["id"], dm["id"])]
    assert leaked == []
    await wb.close()
    await wc.close()


async def test_typing_not_echoed(world: World, live: Live) -> None:
    alice = await world.user("alice")
    bob = await world.user("bob")
    team = await world.team(alice)
    await world.join(alice, team, bob)
    town = (await alice.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    wa = await WS.connect(live.url, alice.token)
    wb = await WS.connect(live.url, bob.token)
    await wa.event("hello")
    await wb.event("hello")
    r = await wa.request("user_typing", {"channel_id": town["id"], "parent_id": ""})
    assert r["status"] == "OK"
    typing = await wb.event("typing")
    assert typing["data"] == {"parent_id": "", "user_id": alice.user["id"]}
    await world.post(bob, town, "after typing")
    await wa.event("posted")
    assert "typing" not in wa.names()
    await wa.close()
    await wb.close()


async def test_event_catalogue(world: World, live: Live) -> None:
    alice = await world.user("alice")
    bob = await world.user("bob")
    team = await world.team(alice)
    wb = await WS.connect(live.url, bob.token)
    await wb.event("hello")
    await world.join(alice, team, bob)
    await wb.event("added_to_team", lambda e: e["data"]["team_id"] == team["id"])
    mine = await world.channel(bob, team, "bobs")
    created = await wb.event("channel_created", lambda e: e["data"]["channel_id"] == mine["id"])
    assert created["broadcast"]["user_id"] == bob.user["id"] and created["data"]["team_id"] == team["id"]
    await bob.delete(f"/channels/{mine['id']}")
    deleted = await wb.event("channel_deleted", lambda e: e["data"]["channel_id"] == mine["id"])
    assert deleted["data"]["delete_at"] > 0
    ch = await world.channel(alice, team, "dev")
    await alice.post(f"/channels/{ch['id']}/members", {"user_id": bob.user["id"]})
    await wb.event("user_added", lambda e: e["broadcast"]["channel_id"] == ch["id"])
    post = await world.post(alice, ch, "hi")
    await alice.put(f"/posts/{post['id']}/patch", {"message": "hi!"})
    edited = await wb.event("post_edited")
    assert json.loads(edited["data"]["post"])["message"] == "hi!"
    await bob.post("/reactions", {"user_id": bob.user["id"], "post_id": post["id"], "emoji_name": "smile"})
    reaction = await wb.event("reaction_added")
    assert json.loads(reaction["data"]["reaction"])["emoji_name"] == "smile"
    await bob.delete(f"/users/me/posts/{post['id']}/reactions/smile")
    await wb.event("reaction_removed")
    await alice.delete(f"/posts/{post['id']}")
    await wb.event("post_deleted")
    await alice.put(f"/channels/{ch['id']}/patch", {"purpose": "new"})
    updated = await wb.event("channel_updated")
    assert json.loads(updated["data"]["channel"])["purpose"] == "new"
    await bob.post("/channels/members/me/view", {"channel_id": ch["id"]})
    viewed = await wb.event("multiple_channels_viewed")
    assert ch["id"] in viewed["data"]["channel_times"]
    # viewed again with nothing new: no read position changes, no event (the next event is the preferences')
    r = await bob.post("/channels/members/me/view", {"channel_id": ch["id"]})
    assert ch["id"] in r.json()["last_viewed_at_times"]
    uid = bob.user["id"]
    await bob.put(f"/users/{uid}/preferences", [{"user_id": uid, "category": "c", "name": "n", "value": "v"}])
    await wb.event("preferences_changed")
    assert [e["event"] for e in wb.events].count("multiple_channels_viewed") == 1
    await bob.put(f"/channels/{ch['id']}/members/me/notify_props", {"desktop": "all"})
    await wb.event("channel_member_updated")
    await alice.put("/users/me/patch", {"nickname": "al"})
    await wb.event("user_updated", lambda e: e["data"]["user"]["id"] == alice.user["id"])
    await alice.delete(f"/channels/{ch['id']}/members/{uid}")
    await wb.event("user_removed", lambda e: e["data"].get("channel_id") == ch["id"])
    dm = (await alice.post("/channels/direct", [alice.user["id"], uid])).json()
    await wb.event("direct_added", lambda e: e["broadcast"]["channel_id"] == dm["id"])
    carol = await world.user("carol")
    await wb.event("new_user", lambda e: e["data"]["user_id"] == carol.user["id"])
    gm = (await alice.post("/channels/group", [alice.user["id"], uid, carol.user["id"]])).json()
    await wb.event("group_added", lambda e: e["broadcast"]["channel_id"] == gm["id"])
    await alice.delete(f"/teams/{team['id']}/members/{uid}")
    await wb.event("leave_team")
    await wb.close()


async def test_status_change_and_presence(world: World, live: Live) -> None:
    alice = await world.user("alice")
    uid = alice.user["id"]
    ws = await WS.connect(live.url, alice.token)
    await ws.event("hello")
    await ws.event("status_change", lambda e: e["data"]["status"] == "online")
    r = await ws.request("get_statuses_by_ids", {"user_ids": [uid]})
    assert r["data"] == {uid: "online"}
    await ws.request("user_update_active_status", {"user_is_active": False, "manual": False})
    await ws.event("status_change", lambda e: e["data"]["status"] == "away")
    await ws.close()
    for _ in range(100):
        r2 = await alice.get(f"/users/{uid}/status")
        if r2.json()["status"] == "offline":
            break
        await asyncio.sleep(0.05)
    assert r2.json()["status"] == "offline"


async def test_resume_after_1000_missed_events_without_hello(world: World, live: Live) -> None:
    alice = await world.user("alice")
    bob = await world.user("bob")
    team = await world.team(alice)
    await world.join(alice, team, bob)
    ch = await world.channel(alice, team, "busy")
    await alice.post(f"/channels/{ch['id']}/members", {"user_id": bob.user["id"]})
    ws = await WS.connect(live.url, bob.token)
    await ws.event("hello")
    await world.post(alice, ch, "before")
    await ws.event("posted")
    conn_id, next_seq = ws.connection_id, ws.next_seq
    await ws.close()
    for i in range(1000):
        await world.post(alice, ch, f"missed {i}")
    ws2 = await WS.connect(live.url, bob.token, f"connection_id={conn_id}&sequence_number={next_seq}")
    await ws2.wait(lambda: len([e for e in ws2.events if e["event"] == "posted"]) >= 1000, timeout=30)
    assert "hello" not in ws2.names()
    posted = [json.loads(e["data"]["post"])["message"] for e in ws2.events if e["event"] == "posted"]
    assert posted == [f"missed {i}" for i in range(1000)]
    seqs = [e["seq"] for e in ws2.events]
    assert seqs == list(range(next_seq, next_seq + len(seqs)))
    # and it continues live with the same sequence
    await world.post(alice, ch, "live again")
    e = await ws2.event("posted", lambda e: json.loads(e["data"]["post"])["message"] == "live again", timeout=20)
    assert e["seq"] == seqs[-1] + 1
    await ws2.close()


async def test_unknown_connection_gets_new_id_and_hello(world: World, live: Live) -> None:
    alice = await world.user("alice")
    ws = await WS.connect(live.url, alice.token, "connection_id=" + "a" * 26 + "&sequence_number=5")
    hello = await ws.event("hello")
    assert hello["seq"] == 0 and hello["data"]["connection_id"] != "a" * 26
    await ws.close()


async def test_frames_of_every_length_class_arrive_intact(world: World, live: Live) -> None:
    """Events are written straight to the socket (``LeanWebSocketProtocol.try_send_text``): frames
    under 126 bytes, up to 64 KiB, and over 64 KiB (a post of 16,000 four-byte emoji) must all decode."""
    alice = await world.user("alice")
    team = await world.team(alice)
    town = (await alice.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    ws = await WS.connect(live.url, alice.token)
    await ws.event("hello")
    pong = await ws.request("ping")  # a reply frame: short
    assert pong["status"] == "OK"
    messages = ["x", "é" * 3000, "😀" * 16000]
    for m in messages:
        await world.post(alice, town, m)
    posted = await ws.wait(lambda: [e for e in ws.events if e["event"] == "posted"][2:] and
                           [e for e in ws.events if e["event"] == "posted"])
    assert [json.loads(e["data"]["post"])["message"] for e in posted] == messages
    assert [e["seq"] for e in ws.events] == list(range(len(ws.events)))
    await ws.close()

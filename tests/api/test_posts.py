"""Posts over HTTP: create, edit, delete, feeds and cursors, pins, flags."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import NO_SUCH_ID, Team, Unchanged, channel_named, team_with
from tests.conftest import Client, World, assert_error


async def _setup(world: World) -> tuple[Team, Client, Client, dict[str, Any]]:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    ch = await world.channel(bob, t.team, "posts")
    r = await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"], t.owner.user["id"]]})
    assert r.status_code == 201
    return t, bob, carol, ch


async def test_create_post(world: World) -> None:
    t, bob, carol, ch = await _setup(world)
    r = await bob.post("/posts", {"channel_id": ch["id"], "message": "Hello #world", "props": {"k": ["v", 1]},
                                  "user_id": carol.user["id"], "create_at": 12345, "pending_post_id": "p1"})
    assert r.status_code == 201
    p = r.json()
    assert len(p["id"]) == 26 and p["user_id"] == bob.user["id"] and p["channel_id"] == ch["id"]
    assert p["create_at"] == p["update_at"] > 12345 and p["edit_at"] == 0 and p["delete_at"] == 0
    assert p["message"] == "Hello #world" and p["hashtags"] == "#world" and p["type"] == ""
    assert p["props"] == {"k": ["v", 1]} and p["file_ids"] == [] and p["root_id"] == ""
    assert p["is_pinned"] is False and p["pending_post_id"] == "p1" and p["reply_count"] == 0
    assert "has_reactions" not in p and isinstance(p["metadata"], dict)
    got = (await carol.get(f"/posts/{p['id']}")).json()
    assert got["message"] == "Hello #world" and got["props"] == {"k": ["v", 1]}
    # the same pending_post_id is the same post (a client's retry)
    again = await bob.post("/posts", {"channel_id": ch["id"], "message": "Hello #world", "pending_post_id": "p1"})
    assert again.status_code == 201 and again.json()["id"] == p["id"]
    # a system admin may backdate
    r = await t.admin.post("/posts", {"channel_id": ch["id"], "message": "old", "create_at": 1_000_000})
    assert r.status_code == 201 and r.json()["create_at"] == 1_000_000


async def test_message_length_and_content_rules(world: World) -> None:
    t, bob, _carol, ch = await _setup(world)
    longest = "é" * 16383  # runes, not bytes
    r = await bob.post("/posts", {"channel_id": ch["id"], "message": longest})
    assert r.status_code == 201 and r.json()["message"] == longest
    emoji = "😀" * 16383
    assert (await bob.post("/posts", {"channel_id": ch["id"], "message": emoji})).status_code == 201
    async with Unchanged(world):
        r = await bob.post("/posts", {"channel_id": ch["id"], "message": "x" * 16384})
        assert_error(r, 400, "model.post.is_valid.message_length.app_error")
        r = await bob.post("/posts", {"channel_id": ch["id"], "message": "big", "props": {"x": "y" * 800_001}})
        assert_error(r, 413, "api.context.request_body_too_large.app_error")
        r = await bob.post("/posts", {"channel_id": ch["id"], "message": "x", "type": "system_join_channel"})
        assert_error(r, 400)
        assert_error(await bob.post("/posts", {"channel_id": "nope", "message": "x"}), 400)
        assert_error(await bob.post("/posts", {"message": "x"}), 400)
        assert_error(await bob.post("/posts", {"channel_id": NO_SUCH_ID, "message": "x"}), 403)
        assert_error(await t.admin.post("/posts", {"channel_id": NO_SUCH_ID, "message": "x"}), 404)
        assert_error(await bob.post("/posts", content=b'{"channel_id": '), 400, "api.context.invalid_param.app_error")
        assert_error(await bob.post("/posts", {"channel_id": ch["id"], "message": 5}), 400)
        assert_error(await bob.post("/posts", content=b""), 400)


async def test_replies_and_root_rules(world: World) -> None:
    t, bob, carol, ch = await _setup(world)
    other = await channel_named(bob, t.id, "town-square")
    root = await world.post(bob, ch, "root")
    reply = await world.post(carol, ch, "reply", root_id=root["id"])
    assert reply["root_id"] == root["id"]
    got = (await bob.get(f"/posts/{reply['id']}")).json()
    assert got["reply_count"] == 1 and got["participants"] is None
    got = (await bob.get(f"/posts/{root['id']}")).json()
    assert got["reply_count"] == 1 and got["last_reply_at"] == reply["create_at"]
    assert [u["id"] for u in got["participants"]] == [carol.user["id"]]
    assert got["update_at"] >= reply["create_at"]
    async with Unchanged(world):
        r = await bob.post("/posts", {"channel_id": ch["id"], "message": "x", "root_id": reply["id"]})
        assert_error(r, 400, "api.post.create_post.root_id.app_error")
        r = await bob.post("/posts", {"channel_id": ch["id"], "message": "x", "root_id": NO_SUCH_ID})
        assert_error(r, 400, "api.post.create_post.root_id.app_error")
        r = await bob.post("/posts", {"channel_id": ch["id"], "message": "x", "root_id": "bad"})
        assert_error(r, 400)
        r = await bob.post("/posts", {"channel_id": other["id"], "message": "x", "root_id": root["id"]})
        assert_error(r, 400, "api.post.create_post.channel_root_id.app_error")


async def test_edit_posts(world: World) -> None:
    t, bob, carol, ch = await _setup(world)
    p = await world.post(bob, ch, "first")
    r = await bob.put(f"/posts/{p['id']}/patch", {"message": "second #edited"})
    assert r.status_code == 200
    e = r.json()
    assert e["message"] == "second #edited" and e["hashtags"] == "#edited" and e["edit_at"] > 0
    assert e["update_at"] >= e["edit_at"] and e["create_at"] == p["create_at"]
    # changing only props is not an edit of the message
    r = await bob.put(f"/posts/{p['id']}/patch", {"props": {"a": "b"}})
    assert r.json()["edit_at"] == e["edit_at"] and r.json()["props"] == {"a": "b"}
    r = await bob.put(f"/posts/{p['id']}", {"id": p["id"], "channel_id": ch["id"], "message": "third"})
    assert r.status_code == 200 and r.json()["message"] == "third"
    async with Unchanged(world):
        # nobody edits another person's post ... not even a team admin
        assert_error(await carol.put(f"/posts/{p['id']}/patch", {"message": "mine now"}), 403)
        assert_error(await t.owner.put(f"/posts/{p['id']}/patch", {"message": "mine now"}), 403)
        assert_error(await carol.put(f"/posts/{p['id']}", {"id": p["id"], "message": "mine now"}), 403)
        assert_error(await bob.put(f"/posts/{p['id']}", {"id": NO_SUCH_ID, "message": "x"}), 400)
        assert_error(await bob.put(f"/posts/{p['id']}/patch", {"message": "y" * 16384}), 400)
        assert_error(await bob.put(f"/posts/{p['id']}/patch", content=b"{"), 400)
        assert_error(await bob.put(f"/posts/{NO_SUCH_ID}/patch", {"message": "x"}), 404)
        assert_error(await bob.put("/posts/bad/patch", {"message": "x"}), 400)
    assert (await carol.get(f"/posts/{p['id']}")).json()["message"] == "third"
    # ...unless a system admin
    r = await t.admin.put(f"/posts/{p['id']}/patch", {"message": "moderated"})
    assert r.status_code == 200 and r.json()["message"] == "moderated" and r.json()["user_id"] == bob.user["id"]


async def test_delete_posts(world: World) -> None:
    t, bob, carol, ch = await _setup(world)
    root = await world.post(bob, ch, "root")
    r1 = await world.post(carol, ch, "reply 1", root_id=root["id"])
    r2 = await world.post(bob, ch, "reply 2", root_id=root["id"])
    other = await world.post(carol, ch, "carol's")
    async with Unchanged(world):
        assert_error(await bob.delete(f"/posts/{other['id']}"), 403)
        assert_error(await bob.delete(f"/posts/{NO_SUCH_ID}"), 404)
        assert_error(await bob.delete("/posts/bad"), 400)
    # deleting a reply updates the thread
    assert (await bob.delete(f"/posts/{r2['id']}")).status_code == 200
    got = (await bob.get(f"/posts/{root['id']}")).json()
    assert got["reply_count"] == 1 and got["last_reply_at"] == r1["create_at"]
    # a team admin may delete others' posts
    assert (await t.owner.delete(f"/posts/{other['id']}")).status_code == 200
    # deleting the root deletes its replies
    t0 = root["create_at"]
    assert (await bob.delete(f"/posts/{root['id']}")).status_code == 200
    for pid in (root["id"], r1["id"], r2["id"], other["id"]):
        assert_error(await carol.get(f"/posts/{pid}"), 404)
    assert_error(await carol.get(f"/posts/{root['id']}/thread"), 404)
    feed = (await carol.get(f"/channels/{ch['id']}/posts")).json()
    assert not {root["id"], r1["id"], r2["id"], other["id"]} & set(feed["posts"])
    # the since-feed tells clients about the deletions (soft delete)
    since = (await carol.get(f"/channels/{ch['id']}/posts", params={"since": t0})).json()
    for pid in (root["id"], r1["id"], r2["id"], other["id"]):
        assert since["posts"][pid]["delete_at"] > 0
        assert since["posts"][pid]["message"] == ""
    # a system admin can still see a deleted post
    r = await t.admin.get(f"/posts/{root['id']}", params={"include_deleted": "true"})
    assert r.status_code == 200 and r.json()["delete_at"] > 0


async def test_feed_cursors(world: World) -> None:
    _t, bob, carol, ch = await _setup(world)
    posts = [await world.post(bob, ch, f"m{i}") for i in range(12)]
    newest_first = [p["id"] for p in sorted(posts, key=lambda p: (p["create_at"], p["id"]), reverse=True)]
    feed = (await carol.get(f"/channels/{ch['id']}/posts", params={"page": 0, "per_page": 5})).json()
    assert feed["order"] == newest_first[:5]
    assert set(feed["posts"]) == set(feed["order"])
    assert feed["next_post_id"] == "" and feed["prev_post_id"] == newest_first[5]
    assert feed["has_next"] is False and feed["first_inaccessible_post_time"] == 0
    feed = (await carol.get(f"/channels/{ch['id']}/posts", params={"page": 1, "per_page": 5})).json()
    assert feed["order"] == newest_first[5:10]
    assert feed["next_post_id"] == newest_first[4] and feed["prev_post_id"] == newest_first[10]
    mid = newest_first[6]
    b = (await carol.get(f"/channels/{ch['id']}/posts", params={"before": mid, "per_page": 3})).json()
    assert b["order"] == newest_first[7:10] and b["next_post_id"] == mid and b["prev_post_id"] == newest_first[10]
    a = (await carol.get(f"/channels/{ch['id']}/posts", params={"after": mid, "per_page": 3})).json()
    assert a["order"] == newest_first[3:6] and a["prev_post_id"] == mid and a["next_post_id"] == newest_first[2]
    # a cursor post that does not exist gives an empty list, as in Mattermost
    r = await carol.get(f"/channels/{ch['id']}/posts", params={"before": NO_SUCH_ID})
    assert r.status_code == 200 and r.json()["order"] == [] and r.json()["posts"] == {}
    # per_page is capped at 200, bad cursors and times are refused
    r = await carol.get(f"/channels/{ch['id']}/posts", params={"per_page": 1000})
    assert len(r.json()["order"]) == 12 + 2  # and the messages of adding carol and owner
    assert_error(await carol.get(f"/channels/{ch['id']}/posts", params={"before": "bad"}), 400)
    assert_error(await carol.get(f"/channels/{ch['id']}/posts", params={"after": "bad"}), 400)
    assert_error(await carol.get(f"/channels/{ch['id']}/posts", params={"since": "yesterday"}), 400)
    assert_error(await carol.get("/channels/bad/posts"), 400)
    assert_error(await carol.get(f"/channels/{NO_SUCH_ID}/posts"), 404)
    # since: updated posts, oldest ones excluded, no cursors
    t = posts[8]["create_at"]
    await bob.put(f"/posts/{posts[1]['id']}/patch", {"message": "changed"})
    since = (await carol.get(f"/channels/{ch['id']}/posts", params={"since": t})).json()
    assert posts[1]["id"] in since["posts"] and posts[0]["id"] not in since["posts"]
    assert {p["id"] for p in posts if p["create_at"] > t} <= set(since["posts"])
    assert since["next_post_id"] == "" and since["prev_post_id"] == ""
    keys = [(since["posts"][i]["create_at"], i) for i in since["order"]]
    assert keys == sorted(keys, reverse=True)


async def test_pin_and_unpin(world: World) -> None:
    _t, bob, carol, ch = await _setup(world)
    p = await world.post(bob, ch, "important")
    r = await carol.post(f"/posts/{p['id']}/pin")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    got = (await bob.get(f"/posts/{p['id']}")).json()
    assert got["is_pinned"] is True and got["edit_at"] == 0 and got["update_at"] > p["update_at"]
    pinned = (await bob.get(f"/channels/{ch['id']}/pinned")).json()
    assert pinned["order"] == [p["id"]] and pinned["posts"][p["id"]]["is_pinned"] is True
    assert (await bob.get(f"/channels/{ch['id']}/stats")).json()["pinnedpost_count"] == 1
    assert (await carol.post(f"/posts/{p['id']}/unpin")).status_code == 200
    assert (await bob.get(f"/channels/{ch['id']}/pinned")).json()["order"] == []
    assert (await bob.get(f"/posts/{p['id']}")).json()["is_pinned"] is False
    async with Unchanged(world):
        assert_error(await carol.post(f"/posts/{NO_SUCH_ID}/pin"), 404)
        assert_error(await carol.post("/posts/bad/pin"), 400)


async def test_flagged_posts(world: World) -> None:
    t, bob, carol, ch = await _setup(world)
    priv = await world.channel(bob, t.team, "private-flags", "P")
    await bob.post(f"/channels/{priv['id']}/members", {"user_id": carol.user["id"]})
    p1 = await world.post(bob, ch, "flag me")
    p2 = await world.post(bob, priv, "flag me too")
    uid = carol.user["id"]
    prefs = [{"user_id": uid, "category": "flagged_post", "name": p["id"], "value": "true"} for p in (p1, p2)]
    assert (await carol.put(f"/users/{uid}/preferences", prefs)).status_code == 200
    flagged = (await carol.get(f"/users/{uid}/posts/flagged")).json()
    assert flagged["order"] == [p2["id"], p1["id"]]
    assert set(flagged["posts"]) == {p1["id"], p2["id"]}
    only = (await carol.get("/users/me/posts/flagged", params={"channel_id": ch["id"]})).json()
    assert only["order"] == [p1["id"]]
    assert_error(await bob.get(f"/users/{uid}/posts/flagged"), 403)
    # after leaving the private channel, its post is no longer listed
    await carol.delete(f"/channels/{priv['id']}/members/me")
    assert (await carol.get("/users/me/posts/flagged")).json()["order"] == [p1["id"]]
    # unflagging
    assert (await carol.post(f"/users/{uid}/preferences/delete", prefs[:1])).status_code == 200
    assert (await carol.get("/users/me/posts/flagged")).json()["order"] == []


async def test_posts_around_last_unread(world: World) -> None:
    _t, bob, carol, ch = await _setup(world)
    read = [await world.post(bob, ch, f"read {i}") for i in range(5)]
    path = f"/users/me/channels/{ch['id']}/posts/unread"
    # never viewed: the newest limit_before posts
    r = await carol.get(path, params={"limit_before": 3, "limit_after": 3})
    assert r.status_code == 200
    assert r.json()["order"] == [p["id"] for p in reversed(read[-3:])]
    await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    unread = [await world.post(bob, ch, f"unread {i}") for i in range(6)]
    pl = (await carol.get(path, params={"limit_before": 3, "limit_after": 4})).json()
    expected = [p["id"] for p in reversed(unread[:4])] + [p["id"] for p in reversed(read[-3:])]
    assert pl["order"] == expected
    assert pl["next_post_id"] == unread[4]["id"] and pl["prev_post_id"] == read[1]["id"]
    # the same through bob's eyes? Only for oneself.
    assert_error(await carol.get(f"/users/{bob.user['id']}/channels/{ch['id']}/posts/unread"), 403)
    assert_error(await carol.get(path, params={"limit_after": 0}), 400)
    # all read: the newest posts
    await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    pl = (await carol.get(path, params={"limit_before": 2})).json()
    assert pl["order"] == [unread[5]["id"], unread[4]["id"]] and pl["next_post_id"] == ""
    # nothing before the read position asked for: no posts, no cursors
    pl = (await carol.get(path, params={"limit_before": 0, "limit_after": 1})).json()
    assert (pl["order"], pl["next_post_id"], pl["prev_post_id"]) == ([], "", "")
    # a channel without posts: an empty list; a user who is not a member (asked by an admin): 404
    empty = await world.channel(bob, _t.team, "empty-feed")
    pl = (await bob.get(f"/users/me/channels/{empty['id']}/posts/unread")).json()
    assert (pl["order"], pl["posts"], pl["next_post_id"], pl["prev_post_id"]) == ([], {}, "", "")
    assert world.admin is not None
    assert_error(await world.admin.get(f"/users/{carol.user['id']}/channels/{empty['id']}/posts/unread"), 404,
                 "app.channel.get_member.missing.app_error")

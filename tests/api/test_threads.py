"""Threads over HTTP: GET /posts/{id}/thread, thread fields on roots, and the Collapsed Reply
Threads API under /users/{id}/teams/{team_id}/threads."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import NO_SUCH_ID, Team, Unchanged, team_unread, team_with
from tests.conftest import Client, World, assert_error


async def _setup(world: World) -> tuple[Team, Client, Client, Client, dict[str, Any]]:
    t = await team_with(world, "bob", "carol", "eve")
    bob, carol, eve = t.members
    ch = await world.channel(bob, t.team, "threads", "P")
    r = await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})
    assert r.status_code == 201
    return t, bob, carol, eve, ch


def _base(t: Team) -> str:
    return f"/users/me/teams/{t.id}/threads"


async def test_get_thread(world: World) -> None:
    _t, bob, carol, eve, ch = await _setup(world)
    root = await world.post(carol, ch, "root")
    replies = []
    for i, author in enumerate((bob, carol, bob, bob)):
        replies.append(await world.post(author, ch, f"reply {i}", root_id=root["id"]))
    other = await world.post(bob, ch, "unrelated")
    for pid in (root["id"], replies[2]["id"]):
        r = await carol.get(f"/posts/{pid}/thread")
        assert r.status_code == 200
        pl = r.json()
        assert pl["order"] == [p["id"] for p in reversed(replies)] + [root["id"]]
        assert set(pl["posts"]) == {root["id"], *(p["id"] for p in replies)} and other["id"] not in pl["posts"]
        got = pl["posts"][root["id"]]
        assert got["reply_count"] == 4 and got["last_reply_at"] == replies[-1]["create_at"]
        assert [u["id"] for u in got["participants"]] == [carol.user["id"], bob.user["id"]]
        assert all(pl["posts"][p["id"]]["reply_count"] == 4 for p in replies)
    # paging through a long thread, oldest replies first
    page = (await carol.get(f"/posts/{root['id']}/thread", params={"perPage": 2, "direction": "down"})).json()
    assert page["order"] == [replies[1]["id"], replies[0]["id"], root["id"]] and page["has_next"] is True
    page = (await carol.get(f"/posts/{root['id']}/thread", params={
        "perPage": 2, "direction": "down", "fromCreateAt": replies[1]["create_at"]})).json()
    assert page["order"][:2] == [replies[3]["id"], replies[2]["id"]] and page["has_next"] is False
    async with Unchanged(world):
        assert_error(await eve.get(f"/posts/{root['id']}/thread"), 403)
        assert_error(await carol.get(f"/posts/{NO_SUCH_ID}/thread"), 404)
        assert_error(await carol.get("/posts/bad/thread"), 400)
    # the collapsed feed: roots only, each with its thread's fields
    feed = (await carol.get(f"/channels/{ch['id']}/posts", params={"collapsedThreads": "true"})).json()
    assert root["id"] in feed["order"] and not any(p["id"] in feed["posts"] for p in replies)
    r = feed["posts"][root["id"]]
    assert r["reply_count"] == 4 and r["is_following"] is True and len(r["participants"]) == 2
    # a *bool in Mattermost: false is sent, not left out
    assert feed["posts"][other["id"]]["is_following"] is False
    assert "is_following" not in (await carol.get(f"/posts/{other['id']}")).json()
    feed = (await carol.get(f"/channels/{ch['id']}/posts", params={
        "collapsedThreads": "true", "collapsedThreadsExtended": "true"})).json()
    assert {u["username"] for u in feed["posts"][root["id"]]["participants"]} == {"bob", "carol"}


async def test_crt_following_and_unreads(world: World) -> None:
    t, bob, carol, eve, ch = await _setup(world)
    root = await world.post(carol, ch, "what do you think?")
    r = (await carol.get(_base(t))).json()
    assert r == {"total": 0, "total_unread_threads": 0, "total_unread_mentions": 0,
                 "total_unread_urgent_mentions": 0, "threads": []}
    reply = await world.post(bob, ch, "I think so", root_id=root["id"])
    # carol (the root's author) and bob (who replied) follow the thread
    lst = (await carol.get(_base(t))).json()
    assert lst["total"] == 1 and lst["total_unread_threads"] == 1 and lst["total_unread_mentions"] == 0
    th = lst["threads"][0]
    assert th["id"] == root["id"] and th["reply_count"] == 1 and th["last_reply_at"] == reply["create_at"]
    assert th["unread_replies"] == 1 and th["unread_mentions"] == 0 and th["post"]["id"] == root["id"]
    assert [p["id"] for p in th["participants"]] == [bob.user["id"]]
    bob_view = (await bob.get(_base(t))).json()
    assert bob_view["total"] == 1 and bob_view["threads"][0]["unread_replies"] == 0
    assert (await eve.get(_base(t))).json()["total"] == 0
    # a mention in a reply
    await world.post(bob, ch, "@carol please answer", root_id=root["id"])
    th = (await carol.get(f"{_base(t)}/{root['id']}")).json()
    assert th["unread_replies"] == 2 and th["unread_mentions"] == 1 and th["reply_count"] == 2
    u = (await carol.get("/users/me/teams/unread", params={"include_collapsed_threads": "true"})).json()
    assert u[0]["thread_count"] == 1 and u[0]["thread_mention_count"] == 1
    # replies do not mark carol's channel read, and count as mentions in it
    assert (await team_unread(carol, t.id))["mention_count"] == 1
    # read up to now
    last = (await carol.get(f"/posts/{root['id']}")).json()["last_reply_at"]
    r = await carol.put(f"{_base(t)}/{root['id']}/read/{last}")
    assert r.status_code == 200
    assert r.json()["unread_replies"] == 0 and r.json()["unread_mentions"] == 0 and r.json()["last_viewed_at"] == last
    assert (await carol.get(_base(t))).json()["total_unread_threads"] == 0
    # mark unread from the first reply
    r = await carol.post(f"{_base(t)}/{root['id']}/set_unread/{reply['id']}")
    assert r.status_code == 200 and r.json()["unread_replies"] == 2
    # the API reference's PUT does the same as the apps' POST
    assert (await carol.put(f"{_base(t)}/{root['id']}/read/{last}")).json()["unread_replies"] == 0
    r = await carol.put(f"{_base(t)}/{root['id']}/set_unread/{reply['id']}")
    assert r.status_code == 200 and r.json()["unread_replies"] == 2
    # unfollow, follow
    assert (await carol.delete(f"{_base(t)}/{root['id']}/following")).status_code == 200
    assert (await carol.get(_base(t))).json()["total"] == 0
    assert (await carol.put(f"{_base(t)}/{root['id']}/following")).status_code == 200
    assert (await carol.get(_base(t))).json()["total"] == 1
    # all read
    assert (await carol.put(f"{_base(t)}/read")).status_code == 200
    assert (await carol.get(_base(t))).json()["total_unread_threads"] == 0
    async with Unchanged(world):
        # eve is not in the private channel: no following its threads, no reading them
        assert_error(await eve.put(f"{_base(t)}/{root['id']}/following"), 403)
        assert_error(await eve.put(f"{_base(t)}/{root['id']}/read/{last}"), 403)
        assert_error(await eve.get(f"{_base(t)}/{root['id']}"), 404)
        assert_error(await carol.get(f"/users/{bob.user['id']}/teams/{t.id}/threads"), 403)
        assert_error(await carol.put(f"{_base(t)}/bad/following"), 400)
        assert_error(await carol.put(f"{_base(t)}/{root['id']}/read/soon"), 400)
        assert_error(await carol.post(f"{_base(t)}/{root['id']}/set_unread/{root['id'][:-1]}x"), 404)


async def test_deleted_threads(world: World) -> None:
    t, bob, carol, _eve, ch = await _setup(world)
    root = await world.post(carol, ch, "soon gone")
    await world.post(bob, ch, "reply", root_id=root["id"])
    assert (await carol.delete(f"/posts/{root['id']}")).status_code == 200
    assert (await carol.get(_base(t))).json()["total"] == 0
    lst = (await carol.get(_base(t), params={"deleted": "true"})).json()
    assert lst["total"] == 1 and lst["threads"][0]["delete_at"] > 0


async def test_thread_list_paging(world: World) -> None:
    t, bob, carol, _eve, ch = await _setup(world)
    roots = []
    for i in range(5):
        root = await world.post(carol, ch, f"root {i}")
        await world.post(bob, ch, f"reply {i}", root_id=root["id"])
        roots.append(root)
    newest_first = [r["id"] for r in reversed(roots)]
    page = (await carol.get(_base(t), params={"per_page": 2})).json()
    assert [th["id"] for th in page["threads"]] == newest_first[:2] and page["total"] == 5
    page = (await carol.get(_base(t), params={"per_page": 2, "before": newest_first[1]})).json()
    assert [th["id"] for th in page["threads"]] == newest_first[2:4]
    page = (await carol.get(_base(t), params={"per_page": 2, "after": newest_first[3]})).json()
    assert [th["id"] for th in page["threads"]] == newest_first[1:3]
    totals = (await carol.get(_base(t), params={"totalsOnly": "true"})).json()
    assert totals["threads"] == [] and totals["total"] == 5 and totals["total_unread_threads"] == 5
    only = (await carol.get(_base(t), params={"threadsOnly": "true", "unread": "true"})).json()
    assert len(only["threads"]) == 5 and only["total"] == 0
    ext = (await carol.get(_base(t), params={"extended": "true", "per_page": 1})).json()
    assert ext["threads"][0]["participants"][0]["username"] == "bob"


async def test_threads_of_channels_left_are_not_listed(world: World) -> None:
    t, bob, carol, _eve, ch = await _setup(world)
    root = await world.post(carol, ch, "carol's secret thread")
    await world.post(bob, ch, "a reply", root_id=root["id"])
    assert (await carol.get(_base(t))).json()["total"] == 1
    # carol is removed from the private channel: its threads are no longer hers to read
    assert (await bob.delete(f"/channels/{ch['id']}/members/{carol.user['id']}")).status_code == 200
    lst = (await carol.get(_base(t))).json()
    assert lst["total"] == 0 and lst["threads"] == [] and lst["total_unread_threads"] == 0
    assert_error(await carol.get(f"{_base(t)}/{root['id']}"), 404)
    u = (await carol.get("/users/me/teams/unread", params={"include_collapsed_threads": "true"})).json()
    assert u[0]["thread_count"] == 0

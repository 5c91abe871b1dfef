"""Permissions and bad input: nobody reads or writes a private channel, DM or group they are not in;
nobody edits another person's post unless a system admin; refused requests write nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import NO_SUCH_ID, Team, Unchanged, team_with
from tests.conftest import Client, World, assert_error


async def _closed_channel(world: World, kind: str) -> tuple[Team, Client, Client, dict[str, Any]]:
    """A channel of the given kind with the owner and bob in it (carol too for a group), and eve outside."""
    t = await team_with(world, "bob", "carol", "eve")
    bob, carol, eve = t.members
    if kind == "P":
        ch = await world.channel(bob, t.team, "closed", "P")
        await bob.post(f"/channels/{ch['id']}/members", {"user_id": t.owner.user["id"]})
    elif kind == "D":
        ch = (await bob.post("/channels/direct", [bob.user["id"], t.owner.user["id"]])).json()
    else:
        r = await bob.post("/channels/group", [bob.user["id"], t.owner.user["id"], carol.user["id"]])
        ch = r.json()
    return t, bob, eve, ch


@pytest.mark.parametrize("kind", ["P", "D", "G"])
async def test_outsiders_cannot_touch_closed_channels(world: World, kind: str) -> None:
    t, bob, eve, ch = await _closed_channel(world, kind)
    cid, e = ch["id"], eve.user["id"]
    root = await world.post(bob, ch, "secret root")
    reply = await world.post(t.owner, ch, "secret reply", root_id=root["id"])
    await bob.post("/reactions", {"user_id": bob.user["id"], "post_id": root["id"], "emoji_name": "smile"})
    # eve even flags it and follows nothing
    await eve.put(f"/users/{e}/preferences", [{"user_id": e, "category": "flagged_post", "name": root["id"],
                                                "value": "true"}])
    reads = [f"/channels/{cid}", f"/channels/{cid}/posts", f"/channels/{cid}/posts?since=1",
             f"/channels/{cid}/posts?before={reply['id']}", f"/channels/{cid}/members",
             f"/channels/{cid}/members/{bob.user['id']}", f"/channels/{cid}/stats", f"/channels/{cid}/pinned",
             f"/posts/{root['id']}", f"/posts/{reply['id']}", f"/posts/{root['id']}/thread",
             f"/posts/{root['id']}/reactions"]
    async with Unchanged(world):
        for path in reads:
            assert_error(await eve.get(path), 403)
        writes = [
            ("POST", "/posts", {"channel_id": cid, "message": "intruder"}),
            ("POST", "/posts", {"channel_id": cid, "message": "intruder", "root_id": root["id"]}),
            ("PUT", f"/posts/{root['id']}/patch", {"message": "defaced"}),
            ("PUT", f"/posts/{root['id']}", {"id": root["id"], "message": "defaced"}),
            ("DELETE", f"/posts/{root['id']}", None),
            ("POST", f"/posts/{root['id']}/pin", None),
            ("POST", "/reactions", {"user_id": e, "post_id": root["id"], "emoji_name": "smile"}),
            ("DELETE", f"/users/{bob.user['id']}/posts/{root['id']}/reactions/smile", None),
            ("PUT", f"/channels/{cid}/patch", {"header": "mine"}),
            ("POST", f"/channels/{cid}/members/ids", [bob.user["id"]]),
            ("PUT", f"/users/me/teams/{t.id}/threads/{root['id']}/following", None),
        ]
        for method, path, body in writes:
            r = await eve.request(method, path, body)
            assert_error(r, 403)
        # adding oneself to a DM or group is a bad request; to a private channel, forbidden
        r = await eve.post(f"/channels/{cid}/members", {"user_id": e})
        assert_error(r, 403 if kind == "P" else 400)
        # listings do not leak it
        assert cid not in {c["id"] for c in (await eve.get(f"/users/me/teams/{t.id}/channels")).json()}
        assert cid not in {c["id"] for c in (await eve.get("/users/me/channels")).json()}
        assert (await eve.get("/users/me/posts/flagged")).json()["order"] == []
        assert (await eve.post("/posts/ids/reactions", [root["id"]])).json() == {}
        assert (await eve.get(f"/users/me/teams/{t.id}/threads")).json()["total"] == 0


async def test_edit_and_delete_others_posts(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    ch = await world.channel(bob, t.team, "shared")
    await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})
    post = await world.post(bob, ch, "bob's words")
    async with Unchanged(world):
        assert_error(await carol.put(f"/posts/{post['id']}/patch", {"message": "carol's words"}), 403)
        assert_error(await carol.put(f"/posts/{post['id']}/patch", {"is_pinned": True}), 403)
        assert_error(await carol.put(f"/posts/{post['id']}", {"id": post["id"], "message": "x"}), 403)
        assert_error(await carol.delete(f"/posts/{post['id']}"), 403)
        # the team admin may delete, but not edit
        assert_error(await t.owner.put(f"/posts/{post['id']}/patch", {"message": "owner's words"}), 403)
    got = (await carol.get(f"/posts/{post['id']}")).json()
    assert got["message"] == "bob's words" and got["edit_at"] == 0
    r = await t.admin.put(f"/posts/{post['id']}/patch", {"message": "admin's words"})
    assert r.status_code == 200 and r.json()["user_id"] == bob.user["id"]
    assert (await t.owner.delete(f"/posts/{post['id']}")).status_code == 200


async def test_bad_input_changes_nothing(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    ch = await world.channel(bob, t.team, "input")
    post = await world.post(bob, ch, "hello")
    uid = bob.user["id"]
    malformed = b'{"broken": '
    async with Unchanged(world):
        for method, path in [("POST", "/posts"), ("PUT", f"/posts/{post['id']}/patch"),
                             ("PUT", f"/posts/{post['id']}"), ("POST", "/reactions"), ("POST", "/channels"),
                             ("PUT", f"/channels/{ch['id']}/patch"), ("POST", f"/channels/{ch['id']}/members"),
                             ("POST", "/channels/direct"), ("POST", "/channels/group"),
                             ("POST", "/channels/members/me/view"), ("POST", "/teams"),
                             ("POST", f"/teams/{t.id}/members"), ("PUT", f"/users/{uid}/preferences"),
                             ("PUT", f"/channels/{ch['id']}/members/me/notify_props")]:
            r = await bob.request(method, path, content=malformed)
            assert_error(r, 400, "api.context.invalid_param.app_error")
            r = await bob.request(method, path, content=b"")
            assert_error(r, 400)
        # wrong JSON types
        assert_error(await bob.post("/posts", {"channel_id": ch["id"], "message": ["a"]}), 400)
        assert_error(await bob.post("/posts", [ch["id"], "hello"]), 400)
        assert_error(await bob.put(f"/posts/{post['id']}/patch", {"is_pinned": "yes"}), 400)
        assert_error(await bob.post("/channels/direct", "not a list"), 400)
        # ids that are not ids: 400; ids of nothing: 404
        for path in ("/posts/bad", "/channels/bad", "/teams/bad", "/users/bad", "/posts/bad/thread",
                     f"/channels/{ch['id']}/members/bad", f"/users/me/teams/{t.id}/threads/bad"):
            assert_error(await bob.get(path), 400, "api.context.invalid_url_param.app_error")
        for path in (f"/posts/{NO_SUCH_ID}", f"/channels/{NO_SUCH_ID}", f"/users/{NO_SUCH_ID}",
                     f"/posts/{NO_SUCH_ID}/thread", f"/channels/{NO_SUCH_ID}/posts"):
            assert_error(await bob.get(path), 404)
        assert_error(await bob.delete(f"/posts/{NO_SUCH_ID}"), 404)
        assert_error(await bob.put(f"/posts/{NO_SUCH_ID}/patch", {"message": "x"}), 404)
        # not logged in
        anon = world.client()
        assert_error(await anon.post("/posts", {"channel_id": ch["id"], "message": "x"}), 401)
        assert_error(await anon.get(f"/channels/{ch['id']}/posts"), 401)

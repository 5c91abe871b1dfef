"""Reactions over HTTP."""

from __future__ import annotations

from tests.api.helpers import NO_SUCH_ID, Unchanged, grant, team_with
from tests.conftest import World, assert_error


async def test_reactions(world: World) -> None:
    t = await team_with(world, "bob", "carol", "eve")
    bob, carol, eve = t.members
    ch = await world.channel(bob, t.team, "fun", "P")
    await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})
    post = await world.post(bob, ch, "react to me")
    b, c = bob.user["id"], carol.user["id"]

    r = await carol.post("/reactions", {"user_id": c, "post_id": post["id"], "emoji_name": "thumbsup"})
    assert r.status_code == 200
    reaction = r.json()
    assert reaction["user_id"] == c and reaction["post_id"] == post["id"] and reaction["emoji_name"] == "thumbsup"
    assert reaction["create_at"] > 0 and reaction["delete_at"] == 0 and reaction["channel_id"] == ch["id"]
    # the same reaction twice is one reaction
    r = await carol.post("/reactions", {"user_id": c, "post_id": post["id"], "emoji_name": "thumbsup"})
    assert r.status_code == 200
    await bob.post("/reactions", {"user_id": b, "post_id": post["id"], "emoji_name": "+1"})
    await bob.post("/reactions", {"user_id": b, "post_id": post["id"], "emoji_name": "thumbsup"})
    listed = (await bob.get(f"/posts/{post['id']}/reactions")).json()
    assert sorted((x["user_id"], x["emoji_name"]) for x in listed) == sorted(
        [(c, "thumbsup"), (b, "+1"), (b, "thumbsup")])
    got = (await carol.get(f"/posts/{post['id']}")).json()
    assert got["has_reactions"] is True and got["update_at"] > post["update_at"]
    assert len(got["metadata"]["reactions"]) == 3
    feed = (await carol.get(f"/channels/{ch['id']}/posts")).json()
    assert len(feed["posts"][post["id"]]["metadata"]["reactions"]) == 3
    # mattermostdriver asks for /posts/{id}//reactions; Mattermost's router cleans the path
    r = await carol.get(f"/posts/{post['id']}//reactions")
    assert r.status_code == 200 and len(r.json()) == 3
    bulk = (await carol.post("/posts/ids/reactions", [post["id"]])).json()
    assert len(bulk[post["id"]]) == 3
    # reacting shows up in the since-feed
    since = (await carol.get(f"/channels/{ch['id']}/posts", params={"since": post["update_at"]})).json()
    assert post["id"] in since["posts"]

    async with Unchanged(world):
        # only for oneself
        r = await carol.post("/reactions", {"user_id": b, "post_id": post["id"], "emoji_name": "smile"})
        assert_error(r, 403, "api.reaction.save_reaction.user_id.app_error")
        # only where one can read
        r = await eve.post("/reactions", {"user_id": eve.user["id"], "post_id": post["id"], "emoji_name": "smile"})
        assert_error(r, 403)
        assert_error(await eve.get(f"/posts/{post['id']}/reactions"), 403)
        assert_error(await eve.delete(f"/users/{b}/posts/{post['id']}/reactions/thumbsup"), 403)
        # nor other people's reactions (a channel member is not a channel admin)
        assert_error(await carol.delete(f"/users/{b}/posts/{post['id']}/reactions/thumbsup"), 403)
        # bad input
        for name in ("", "no spaces", "x" * 65, "bad/slash"):
            r = await carol.post("/reactions", {"user_id": c, "post_id": post["id"], "emoji_name": name})
            assert_error(r, 400)
        assert_error(await carol.post("/reactions", {"user_id": c, "post_id": "bad", "emoji_name": "smile"}), 400)
        assert_error(await carol.post("/reactions", {"user_id": c, "post_id": NO_SUCH_ID, "emoji_name": "smile"}),
                     404)
        assert_error(await carol.post("/reactions", content=b'{"user_id":'), 400)
        assert (await eve.post(f"/posts/{post['id']}/reactions")).status_code == 405

    r = await carol.delete(f"/users/me/posts/{post['id']}/reactions/thumbsup")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    # removing again is fine
    assert (await carol.delete(f"/users/{c}/posts/{post['id']}/reactions/thumbsup")).status_code == 200
    # as in Mattermost, only roles with remove_others_reactions (system admins by default) remove others'
    # reactions: the channel admin (bob created it) may once channel_admin is granted it
    await carol.post("/reactions", {"user_id": c, "post_id": post["id"], "emoji_name": "heart"})
    assert_error(await bob.delete(f"/users/{c}/posts/{post['id']}/reactions/heart"), 403,
                 "api.context.permissions.app_error")
    await grant(t.admin, "channel_admin", "remove_others_reactions")
    assert (await bob.delete(f"/users/{c}/posts/{post['id']}/reactions/heart")).status_code == 200
    for name in ("+1", "thumbsup"):
        assert (await bob.delete(f"/users/{b}/posts/{post['id']}/reactions/{name}")).status_code == 200
    assert (await bob.get(f"/posts/{post['id']}/reactions")).json() == []
    got = (await carol.get(f"/posts/{post['id']}")).json()
    assert "has_reactions" not in got and "reactions" not in got["metadata"]


async def test_reactions_in_archived_channels(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    ch = await world.channel(bob, t.team, "attic")
    post = await world.post(bob, ch, "dusty")
    await bob.post("/reactions", {"user_id": bob.user["id"], "post_id": post["id"], "emoji_name": "smile"})
    assert (await bob.delete(f"/channels/{ch['id']}")).status_code == 200
    async with Unchanged(world):
        r = await bob.post("/reactions", {"user_id": bob.user["id"], "post_id": post["id"], "emoji_name": "tada"})
        assert_error(r, 403)
        assert_error(await bob.delete(f"/users/me/posts/{post['id']}/reactions/smile"), 403)
    assert len((await bob.get(f"/posts/{post['id']}/reactions")).json()) == 1

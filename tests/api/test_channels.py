"""Channels over HTTP: public, private, direct and group; names; archive; members; read state."""

from __future__ import annotations

import hashlib

from tests.api.helpers import (
    NO_SUCH_ID,
    Unchanged,
    channel_named,
    ids,
    member,
    team_unread,
    team_with,
)
from tests.conftest import Client, World, assert_error


async def test_create_public_and_private(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    r = await bob.post("/channels", {"team_id": t.id, "name": "dev_ops-2", "display_name": "Dev Ops",
                                     "type": "O", "purpose": "p", "header": "h"})
    assert r.status_code == 201
    ch = r.json()
    assert ch["type"] == "O" and ch["team_id"] == t.id and ch["creator_id"] == bob.user["id"]
    assert ch["name"] == "dev_ops-2" and ch["purpose"] == "p" and ch["header"] == "h"
    assert ch["total_msg_count"] == 0 and ch["delete_at"] == 0
    m = await member(bob, ch["id"])
    assert m["roles"] == "channel_user channel_admin" and m["msg_count"] == 0 and m["mention_count"] == 0
    assert m["notify_props"]["mark_unread"] == "all"
    priv = await world.channel(bob, t.team, "hush", "P")
    assert priv["type"] == "P"
    # the team's public list has the public channel only
    names = {c["name"] for c in (await t.owner.get(f"/teams/{t.id}/channels")).json()}
    assert names == {"town-square", "off-topic", "dev_ops-2"}
    assert (await bob.get(f"/teams/{t.id}/channels/name/hush")).json()["id"] == priv["id"]
    assert (await bob.get(f"/channels/{priv['id']}")).json()["name"] == "hush"
    r = await bob.get(f"/teams/name/{t.team['name']}/channels/name/hush")
    assert r.json()["id"] == priv["id"]


async def test_channel_name_rules(world: World) -> None:
    t = await team_with(world)
    await world.channel(t.owner, t.team, "taken")
    base = {"team_id": t.id, "display_name": "X", "type": "O"}
    async with Unchanged(world):
        for name in ("", "has space", "-leading", "UPPER_ok?", "dots.not.ok", "x" * 65, "émoji"):
            r = await t.owner.post("/channels", {**base, "name": name})
            assert_error(r, 400, "model.channel.is_valid.2_or_more.app_error" if name else None)
        assert_error(await t.owner.post("/channels", {**base, "name": "taken"}), 400,
                     "store.sql_channel.save_channel.exists.app_error")
        assert_error(await t.owner.post("/channels", {**base, "name": "fine", "display_name": ""}), 400,
                     "model.channel.is_valid.display_name.app_error")
        assert_error(await t.owner.post("/channels", {**base, "name": "fine", "display_name": "x" * 65}), 400)
        assert_error(await t.owner.post("/channels", {**base, "name": "fine", "purpose": "p" * 251}), 400,
                     "model.channel.is_valid.purpose.app_error")
        assert_error(await t.owner.post("/channels", {**base, "name": "fine", "header": "h" * 1025}), 400,
                     "model.channel.is_valid.header.app_error")
        for kind in ("D", "G", "X"):
            assert_error(await t.owner.post("/channels", {**base, "name": "fine", "type": kind}), 400)
        assert_error(await t.owner.post("/channels", {**base, "name": "fine", "team_id": "bad"}), 400)
        assert_error(await t.owner.post("/channels", content=b"{oops"), 400, "api.context.invalid_param.app_error")
    # not in the team: no channels there
    outsider = await world.user("outsider")
    async with Unchanged(world):
        assert_error(await outsider.post("/channels", {**base, "name": "fine"}), 403)
        assert_error(await outsider.post("/channels", {**base, "name": "fine", "team_id": NO_SUCH_ID}), 403)
        assert_error(await t.admin.post("/channels", {**base, "name": "fine", "team_id": NO_SUCH_ID}), 404)
    for ok in ("a", "ab", "a_b", "a-b", "a__b", "0day", "x" * 64):
        r = await t.owner.post("/channels", {**base, "name": ok})
        assert r.status_code == 201, (ok, r.text)


async def test_private_channel_is_closed_to_outsiders(world: World) -> None:
    t = await team_with(world, "bob", "eve")
    bob, eve = t.members
    priv = await world.channel(bob, t.team, "hush", "P")
    post = await world.post(bob, priv, "secret")
    async with Unchanged(world):
        for path in (f"/channels/{priv['id']}", f"/channels/{priv['id']}/posts", f"/channels/{priv['id']}/members",
                     f"/channels/{priv['id']}/members/{bob.user['id']}", f"/channels/{priv['id']}/stats",
                     f"/channels/{priv['id']}/pinned", f"/posts/{post['id']}", f"/posts/{post['id']}/thread",
                     f"/posts/{post['id']}/reactions"):
            assert_error(await eve.get(path), 403)
        assert_error(await eve.get(f"/teams/{t.id}/channels/name/hush"), 404)
        assert_error(await eve.post("/posts", {"channel_id": priv["id"], "message": "hi"}), 403)
        assert_error(await eve.post(f"/channels/{priv['id']}/members", {"user_id": eve.user["id"]}), 403)
        assert_error(await eve.put(f"/channels/{priv['id']}/patch", {"header": "mine"}), 403)
        assert_error(await eve.delete(f"/channels/{priv['id']}"), 403)
        assert_error(await eve.post("/reactions", {"user_id": eve.user["id"], "post_id": post["id"],
                                                   "emoji_name": "smile"}), 403)
        assert_error(await eve.post(f"/posts/{post['id']}/pin"), 403)
        assert_error(await eve.put(f"/posts/{post['id']}/patch", {"message": "x"}), 403)
        assert_error(await eve.delete(f"/posts/{post['id']}"), 403)
        assert priv["id"] not in ids(await eve.get(f"/users/me/teams/{t.id}/channels"))
    # once added, eve can read it
    r = await bob.post(f"/channels/{priv['id']}/members", {"user_id": eve.user["id"]})
    assert r.status_code == 201
    assert post["id"] in (await eve.get(f"/channels/{priv['id']}/posts")).json()["order"]


async def test_direct_channels(world: World) -> None:
    t = await team_with(world, "bob", "eve")
    bob, eve = t.members
    a, b = t.owner.user["id"], bob.user["id"]
    r = await t.owner.post("/channels/direct", [a, b])
    assert r.status_code == 201
    dm = r.json()
    assert dm["type"] == "D" and dm["team_id"] == "" and dm["name"] == "__".join(sorted([a, b]))
    assert dm["display_name"] == ""
    again = await bob.post("/channels/direct", [b, a])
    assert again.status_code == 201 and again.json()["id"] == dm["id"]
    assert sorted(m["user_id"] for m in (await bob.get(f"/channels/{dm['id']}/members")).json()) == sorted([a, b])
    assert dm["id"] in ids(await bob.get(f"/users/me/teams/{t.id}/channels"))
    # a note to self
    r = await bob.post("/channels/direct", [b, b])
    assert r.status_code == 201 and r.json()["name"] == f"{b}__{b}"
    async with Unchanged(world):
        assert_error(await eve.get(f"/channels/{dm['id']}"), 403)
        assert_error(await eve.get(f"/channels/{dm['id']}/posts"), 403)
        assert_error(await eve.post("/posts", {"channel_id": dm["id"], "message": "hi"}), 403)
        assert_error(await eve.post(f"/channels/{dm['id']}/members", {"user_id": eve.user["id"]}), 400)
        # others' DMs cannot be created by a regular user
        assert_error(await eve.post("/channels/direct", [a, b]), 403)
        assert_error(await bob.post("/channels/direct", [b]), 400)
        assert_error(await bob.post("/channels/direct", [b, NO_SUCH_ID]), 400)
        assert_error(await bob.post("/channels/direct", [b, "bad"]), 400)
        assert_error(await bob.post("/channels/direct", {"users": [a, b]}), 400)
        assert_error(await bob.delete(f"/channels/{dm['id']}"), 400)
        assert_error(await bob.delete(f"/channels/{dm['id']}/members/{a}"), 400)


async def test_group_channels(world: World) -> None:
    t = await team_with(world, "bob", "carol", "eve")
    bob, carol, eve = t.members
    trio = [t.owner.user["id"], bob.user["id"], carol.user["id"]]
    r = await t.owner.post("/channels/group", trio)
    assert r.status_code == 201
    gm = r.json()
    assert gm["type"] == "G" and gm["team_id"] == "" and gm["display_name"] == "bob, carol, owner"
    assert gm["name"] == hashlib.sha1("".join(sorted(trio)).encode()).hexdigest()
    r = await carol.post("/channels/group", list(reversed(trio)))
    assert r.status_code == 201 and r.json()["id"] == gm["id"]
    await world.post(bob, gm, "hello group")
    for c in (t.owner, carol):
        assert (await member(c, gm["id"]))["mention_count"] == 1
    assert (await member(bob, gm["id"]))["mention_count"] == 0
    async with Unchanged(world):
        assert_error(await eve.get(f"/channels/{gm['id']}/posts"), 403)
        assert_error(await eve.post("/posts", {"channel_id": gm["id"], "message": "hi"}), 403)
        assert_error(await t.owner.post("/channels/group", trio[:2]), 400)
        assert_error(await t.owner.post("/channels/group", [*trio[:2], NO_SUCH_ID]), 400)


async def _shown(c: Client, category: str, name: str) -> str:
    r = await c.get(f"/users/me/preferences/{category}/name/{name}")
    return str(r.json()["value"]) if r.status_code == 200 else ""


async def test_direct_and_group_channels_are_shown_to_their_members(world: World) -> None:
    """As Mattermost: making a DM or GM, and each new post in it, sets ``direct_channel_show`` (named
    after the other user) / ``group_channel_show`` (named after the channel) to ``true`` for everyone
    in it; the web app lists a read DM or GM in its sidebar only while that preference is ``true``."""
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    a, b, c = t.owner.user["id"], bob.user["id"], carol.user["id"]
    dm = (await t.owner.post("/channels/direct", [a, b])).json()
    assert await _shown(t.owner, "direct_channel_show", b) == "true"
    assert await _shown(bob, "direct_channel_show", a) == "true"
    assert await _shown(carol, "direct_channel_show", a) == ""
    # bob closes the DM; the owner's next post opens it again for bob
    r = await bob.put(f"/users/{b}/preferences",
                      [{"user_id": b, "category": "direct_channel_show", "name": a, "value": "false"}])
    assert r.status_code == 200
    assert await _shown(bob, "direct_channel_show", a) == "false"
    await world.post(t.owner, dm, "are you there?")
    assert await _shown(bob, "direct_channel_show", a) == "true"
    # the server now knows bob's is "true" (and caches that): closing it again, or deleting the
    # preference, must still be undone by the next post
    await world.post(t.owner, dm, "still there?")
    r = await bob.put(f"/users/{b}/preferences",
                      [{"user_id": b, "category": "direct_channel_show", "name": a, "value": "false"}])
    assert r.status_code == 200
    await world.post(t.owner, dm, "hello?")
    assert await _shown(bob, "direct_channel_show", a) == "true"
    r = await bob.post(f"/users/{b}/preferences/delete",
                       [{"user_id": b, "category": "direct_channel_show", "name": a, "value": "true"}])
    assert r.status_code == 200 and await _shown(bob, "direct_channel_show", a) == ""
    await world.post(t.owner, dm, "knock knock")
    assert await _shown(bob, "direct_channel_show", a) == "true"
    note = (await bob.post("/channels/direct", [b, b])).json()  # a note to self: named after oneself
    assert note["name"] == f"{b}__{b}" and await _shown(bob, "direct_channel_show", b) == "true"
    gm = (await t.owner.post("/channels/group", [a, b, c])).json()
    for m in (t.owner, bob, carol):
        assert await _shown(m, "group_channel_show", gm["id"]) == "true"
    r = await carol.put(f"/users/{c}/preferences",
                        [{"user_id": c, "category": "group_channel_show", "name": gm["id"], "value": "false"}])
    assert r.status_code == 200
    await world.post(bob, gm, "hello again")
    assert await _shown(carol, "group_channel_show", gm["id"]) == "true"
    await world.post(bob, gm, "and again")
    r = await carol.put(f"/users/{c}/preferences",
                        [{"user_id": c, "category": "group_channel_show", "name": gm["id"], "value": "false"}])
    assert r.status_code == 200
    await world.post(bob, gm, "one more")
    assert await _shown(carol, "group_channel_show", gm["id"]) == "true"


async def test_archive_and_restore(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    ch = await world.channel(t.owner, t.team, "old-news")
    await bob.post(f"/channels/{ch['id']}/members", {"user_id": bob.user["id"]})
    r = await t.owner.delete(f"/channels/{ch['id']}")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    got = (await bob.get(f"/channels/{ch['id']}")).json()
    assert got["delete_at"] > 0
    posts = (await bob.get(f"/channels/{ch['id']}/posts")).json()
    assert posts["posts"][posts["order"][0]]["type"] == "system_channel_deleted"
    async with Unchanged(world):
        r = await bob.post("/posts", {"channel_id": ch["id"], "message": "anyone?"})
        assert_error(r, 400, "api.post.create_post.can_not_post_to_deleted.error")
        assert_error(await t.owner.delete(f"/channels/{ch['id']}"), 400)
        assert_error(await t.owner.put(f"/channels/{ch['id']}/patch", {"header": "x"}), 400)
        assert_error(await bob.post(f"/channels/{ch['id']}/members", {"user_id": t.admin.user["id"]}), 400)
    assert ch["id"] not in {c["id"] for c in (await bob.get(f"/teams/{t.id}/channels")).json()}
    assert ch["id"] not in ids(await bob.get(f"/users/me/teams/{t.id}/channels"))
    assert ch["id"] in ids(await bob.get(f"/users/me/teams/{t.id}/channels", params={"include_deleted": "true"}))
    r = await t.owner.post(f"/channels/{ch['id']}/restore")
    assert r.status_code == 200 and r.json()["delete_at"] == 0
    assert (await bob.post("/posts", {"channel_id": ch["id"], "message": "back"})).status_code == 201
    # the default channel stays
    town = await channel_named(t.owner, t.id, "town-square")
    async with Unchanged(world):
        assert_error(await t.owner.delete(f"/channels/{town['id']}"), 400)
        assert_error(await t.owner.post(f"/channels/{town['id']}/restore"), 400)


async def test_members_add_and_remove(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    outsider = await world.user("outsider")
    ch = await world.channel(bob, t.team, "crew")
    priv = await world.channel(bob, t.team, "inner", "P")
    r = await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})
    assert r.status_code == 201
    m = r.json()
    assert m["channel_id"] == ch["id"] and m["user_id"] == carol.user["id"] and m["roles"] == "channel_user"
    posts = (await carol.get(f"/channels/{ch['id']}/posts")).json()
    added = posts["posts"][posts["order"][0]]
    assert added["type"] == "system_add_to_channel" and added["props"]["addedUserId"] == carol.user["id"]
    # several at once
    r = await bob.post(f"/channels/{priv['id']}/members", {"user_ids": [carol.user["id"], t.owner.user["id"]]})
    assert r.status_code == 201 and len(r.json()) == 2
    async with Unchanged(world):
        r = await bob.post(f"/channels/{ch['id']}/members", {"user_id": outsider.user["id"]})
        assert_error(r, 403)
        assert_error(await bob.post(f"/channels/{ch['id']}/members", {"user_id": NO_SUCH_ID}), 404)
        assert_error(await bob.post(f"/channels/{ch['id']}/members", {"user_id": "bad"}), 400)
        assert_error(await bob.post(f"/channels/{ch['id']}/members", {}), 400)
        assert_error(await outsider.post(f"/channels/{ch['id']}/members", {"user_id": outsider.user["id"]}), 403)
        assert_error(await carol.get(f"/channels/{ch['id']}/members/{outsider.user['id']}"), 404)
        town = await channel_named(bob, t.id, "town-square")
        assert_error(await bob.delete(f"/channels/{town['id']}/members/me"), 400,
                     "api.channel.remove.default.app_error")
        assert_error(await carol.delete(f"/channels/{ch['id']}/members/{outsider.user['id']}"), 404)
    # members of a public channel may remove others; then the removed cannot write
    r = await bob.delete(f"/channels/{ch['id']}/members/{carol.user['id']}")
    assert r.status_code == 200
    assert_error(await carol.get(f"/channels/{ch['id']}/members/me"), 404)
    assert_error(await carol.post("/posts", {"channel_id": ch["id"], "message": "hey"}), 403)
    # leaving by oneself
    assert (await carol.delete(f"/channels/{priv['id']}/members/me")).status_code == 200
    assert_error(await carol.get(f"/channels/{priv['id']}"), 403)
    posts = (await bob.get(f"/channels/{priv['id']}/posts")).json()
    assert posts["posts"][posts["order"][0]]["type"] == "system_leave_channel"


async def test_view_and_unread_counts(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    ch = await world.channel(bob, t.team, "chat")
    await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"], t.owner.user["id"]]})
    before = await team_unread(carol, t.id)
    for text in ("one", "two", "three"):
        await world.post(bob, ch, text)
    m = await member(carol, ch["id"])
    assert m["mention_count"] == 0 and m["last_viewed_at"] == 0
    after = await team_unread(carol, t.id)
    assert after["msg_count"] == before["msg_count"] + 3 and after["msg_count_root"] == before["msg_count_root"] + 3
    r = await carol.get(f"/users/me/channels/{ch['id']}/unread")
    assert r.json()["msg_count"] == 3 and r.json()["team_id"] == t.id and r.json()["channel_id"] == ch["id"]
    # the poster's own channel stays read
    assert (await bob.get(f"/users/me/channels/{ch['id']}/unread")).json()["msg_count"] == 0
    got = (await bob.get(f"/channels/{ch['id']}")).json()
    assert got["total_msg_count"] == 3 and got["total_msg_count_root"] == 3
    r = await carol.post("/channels/members/me/view", {"channel_id": ch["id"], "prev_channel_id": ""})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "OK" and body["last_viewed_at_times"] == {ch["id"]: got["last_post_at"]}
    m = await member(carol, ch["id"])
    assert m["msg_count"] == 3 and m["last_viewed_at"] == got["last_post_at"]
    assert (await carol.get(f"/users/me/channels/{ch['id']}/unread")).json()["msg_count"] == 0
    assert (await team_unread(carol, t.id))["msg_count"] == before["msg_count"]
    async with Unchanged(world):
        assert_error(await carol.post("/channels/members/me/view", {"channel_id": "bad"}), 400)
        assert_error(await carol.post(f"/channels/members/{bob.user['id']}/view", {"channel_id": ch["id"]}), 403)


async def test_mention_counts(world: World) -> None:
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    ch = await world.channel(bob, t.team, "talk")
    await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"], dave.user["id"]]})

    async def counts() -> dict[str, int]:
        return {c.user["username"]: (await member(c, ch["id"]))["mention_count"] for c in (bob, carol, dave)}

    await world.post(bob, ch, "@carol look at this")
    assert await counts() == {"bob": 0, "carol": 1, "dave": 0}
    await world.post(bob, ch, "hey @carol, @dave and @bob and @owner")  # self and non-members don't count
    assert await counts() == {"bob": 0, "carol": 2, "dave": 1}
    await world.post(bob, ch, "`@carol` in code, and ```\n@dave\n``` too, and email@carol.com")
    assert await counts() == {"bob": 0, "carol": 2, "dave": 1}
    await world.post(bob, ch, "@channel meeting")
    assert await counts() == {"bob": 0, "carol": 3, "dave": 2}
    await world.post(carol, ch, "@all hands")
    assert await counts() == {"bob": 1, "carol": 0, "dave": 3}  # carol posted, so her channel is read
    # @here: only those online (posting sets the poster online)
    await world.post(bob, ch, "@here anyone?")
    assert await counts() == {"bob": 0, "carol": 1, "dave": 3}
    r = await dave.put(f"/users/{dave.user['id']}/status", {"user_id": dave.user["id"], "status": "online"})
    assert r.status_code == 200
    await world.post(bob, ch, "@here again")
    assert await counts() == {"bob": 0, "carol": 2, "dave": 4}
    # channel-wide mentions can be ignored per channel
    r = await dave.put(f"/channels/{ch['id']}/members/me/notify_props", {"ignore_channel_mentions": "on"})
    assert r.status_code == 200
    await world.post(bob, ch, "@channel once more, @dave")
    await world.post(bob, ch, "@all once more")
    assert await counts() == {"bob": 0, "carol": 4, "dave": 5}
    # ...or for the whole account, unless the channel says otherwise
    r = await carol.put("/users/me/patch", {"notify_props": {"channel": "false"}})
    assert r.status_code == 200
    await world.post(bob, ch, "@all still there?")
    assert await counts() == {"bob": 0, "carol": 4, "dave": 5}
    await carol.put(f"/channels/{ch['id']}/members/me/notify_props", {"ignore_channel_mentions": "off"})
    await world.post(bob, ch, "@all now?")
    assert await counts() == {"bob": 0, "carol": 5, "dave": 5}
    await carol.put("/users/me/patch", {"notify_props": {"channel": "true"}})
    await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    await world.post(bob, ch, "@carol @all")  # one post, one mention
    assert await counts() == {"bob": 0, "carol": 1, "dave": 5}
    await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    await world.post(bob, ch, "@carol back")
    await world.post(bob, ch, "@channel all of you")
    await world.post(bob, ch, "hi again @carol")
    await world.post(bob, ch, "@here")
    # a reply counts for the channel, but not for mention_count_root
    root = await world.post(bob, ch, "root")
    await world.post(bob, ch, "@carol in a thread", root_id=root["id"])
    m = await member(carol, ch["id"])
    assert m["mention_count"] == 5 and m["mention_count_root"] == 4
    u = await team_unread(carol, t.id)
    assert u["mention_count"] == 5 and u["mention_count_root"] == 4
    # a DM is always a mention
    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()
    await world.post(bob, dm, "just us")
    assert (await member(carol, dm["id"]))["mention_count"] == 1
    assert (await member(bob, dm["id"]))["mention_count"] == 0
    # viewing clears
    await carol.post("/channels/members/me/view", {"channel_id": ch["id"], "prev_channel_id": dm["id"]})
    assert (await member(carol, ch["id"]))["mention_count"] == 0
    assert (await member(carol, dm["id"]))["mention_count"] == 0
    assert (await team_unread(carol, t.id))["mention_count"] == 0


async def test_mark_unread_mention_channels_do_not_count_messages(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    ch = await world.channel(bob, t.team, "noisy")
    await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})
    r = await carol.put(f"/channels/{ch['id']}/members/me/notify_props", {"mark_unread": "mention"})
    assert r.status_code == 200
    base = await team_unread(carol, t.id)
    await world.post(bob, ch, "chatter")
    await world.post(bob, ch, "@carol you")
    u = await team_unread(carol, t.id)
    assert u["msg_count"] == base["msg_count"] and u["mention_count"] == base["mention_count"] + 1


async def test_mark_channel_unread_from_a_post(world: World) -> None:
    t = await team_with(world, "bob", "carol", "eve")
    bob, carol, eve = t.members
    ch = await world.channel(bob, t.team, "later")
    await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})
    posts = [await world.post(bob, ch, text) for text in
             ("one", "two @carol", "three", "@channel four", "five")]
    await world.post(carol, ch, "carol's own @carol")  # not a mention of herself
    await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    assert (await team_unread(carol, t.id))["msg_count"] == 0
    r = await carol.post(f"/users/{carol.user['id']}/posts/{posts[1]['id']}/set_unread",
                         {"collapsed_threads_supported": True})
    assert r.status_code == 200
    state = r.json()
    assert state["channel_id"] == ch["id"] and state["team_id"] == t.id and state["user_id"] == carol.user["id"]
    assert state["last_viewed_at"] == posts[1]["create_at"] - 1
    assert state["mention_count"] == 2 and state["mention_count_root"] == 2 and state["urgent_mention_count"] == 0
    m = await member(carol, ch["id"])
    assert m["mention_count"] == 2 and m["last_viewed_at"] == posts[1]["create_at"] - 1
    unread = (await carol.get(f"/users/me/channels/{ch['id']}/unread")).json()
    assert unread["msg_count"] == 5 and unread["mention_count"] == 2  # two..five and carol's own
    assert state["msg_count"] == m["msg_count"]
    around = (await carol.get(f"/users/me/channels/{ch['id']}/posts/unread",
                              params={"limit_before": 1, "limit_after": 2})).json()
    assert around["order"] == [posts[2]["id"], posts[1]["id"], posts[0]["id"]]
    async with Unchanged(world):
        assert_error(await eve.post(f"/users/me/posts/{posts[1]['id']}/set_unread"), 403)
        assert_error(await eve.post(f"/users/{carol.user['id']}/posts/{posts[1]['id']}/set_unread"), 403)
        assert_error(await carol.post(f"/users/me/posts/{NO_SUCH_ID}/set_unread"), 404)
    # a DM: everything the other person wrote is a mention
    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()
    first = await world.post(bob, dm, "a")
    await world.post(bob, dm, "b")
    await world.post(carol, dm, "c")
    await carol.post("/channels/members/me/view", {"channel_id": dm["id"]})
    state = (await carol.post(f"/users/me/posts/{first['id']}/set_unread")).json()
    assert state["mention_count"] == 2 and state["msg_count"] == 0
    assert (await member(carol, dm["id"]))["mention_count"] == 2


async def test_mark_unread_from_a_reply_marks_the_thread(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    ch = await world.channel(bob, t.team, "threaded")
    await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})
    root = await world.post(bob, ch, "root")
    r1 = await world.post(bob, ch, "r1", root_id=root["id"])
    await world.post(bob, ch, "r2 @carol", root_id=root["id"])
    await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    r = await carol.post(f"/users/me/posts/{r1['id']}/set_unread")
    assert r.status_code == 200 and r.json()["mention_count"] == 1 and r.json()["mention_count_root"] == 0
    th = (await carol.get(f"/users/me/teams/{t.id}/threads/{root['id']}")).json()
    assert th["unread_replies"] == 2 and th["unread_mentions"] == 1
    # the thread API's own set_unread counts mentions too
    await carol.put(f"/users/me/teams/{t.id}/threads/{root['id']}/read/{r1['create_at'] + 10**6}")
    th = (await carol.post(f"/users/me/teams/{t.id}/threads/{root['id']}/set_unread/{r1['id']}")).json()
    assert th["unread_replies"] == 2 and th["unread_mentions"] == 1


async def test_channel_stats_count_as_mattermost(world: World) -> None:
    """GET /channels/{id}/stats: active members and guests only, pinned posts, files not deleted (-1 with
    exclude_files_count), as Mattermost counts them."""
    from tests.api.test_files import upload

    admin = await world.user("admin")
    gil, bob = await world.user("gil"), await world.user("bob")
    team = await world.team(admin, "acme")
    await world.join(admin, team, gil, bob)
    ch = await world.channel(admin, team, "stats")
    for c in (gil, bob):
        assert (await admin.post(f"/channels/{ch['id']}/members", {"user_id": c.user["id"]})).status_code == 201
    stats = (await bob.get(f"/channels/{ch['id']}/stats")).json()
    assert stats == {"channel_id": ch["id"], "member_count": 3, "guest_count": 0, "pinnedpost_count": 0,
                     "files_count": 0}
    world.srv.config.effective.GuestAccountsSettings.Enable = True
    assert (await admin.post(f"/users/{gil.user['id']}/demote")).status_code == 200
    r = await upload(bob, ch["id"], ("a.txt", b"one"), ("b.txt", b"two"))
    assert r.status_code == 201, r.text
    file_ids = [f["id"] for f in r.json()["file_infos"]]
    post = (await bob.post("/posts", {"channel_id": ch["id"], "message": "files", "file_ids": file_ids})).json()
    assert (await bob.post(f"/posts/{post['id']}/pin")).status_code == 200
    stats = (await bob.get(f"/channels/{ch['id']}/stats")).json()
    assert (stats["member_count"], stats["guest_count"], stats["pinnedpost_count"], stats["files_count"]) == (3, 1, 1, 2)
    assert (await bob.get(f"/channels/{ch['id']}/stats", params={"exclude_files_count": "true"})
            ).json()["files_count"] == -1
    # a deactivated member stays in the channel but is not counted, nor are a deleted post's files
    assert (await admin.delete(f"/users/{gil.user['id']}")).status_code == 200
    assert (await bob.delete(f"/posts/{post['id']}")).status_code == 200
    stats = (await bob.get(f"/channels/{ch['id']}/stats")).json()
    assert (stats["member_count"], stats["guest_count"], stats["pinnedpost_count"], stats["files_count"]) == (2, 0, 0, 0)

    # the member counts are cached per channel: every change that moves them is seen at once
    async def counts() -> tuple[int, int]:
        got = (await bob.get(f"/channels/{ch['id']}/stats")).json()
        return got["member_count"], got["guest_count"]

    assert (await admin.put(f"/users/{gil.user['id']}/active", {"active": True})).status_code == 200
    assert await counts() == (3, 1)  # reactivated
    assert (await admin.post(f"/users/{gil.user['id']}/promote")).status_code == 200
    assert await counts() == (3, 0)  # no longer a guest
    assert (await admin.delete(f"/channels/{ch['id']}/members/{gil.user['id']}")).status_code == 200
    assert await counts() == (2, 0)  # removed
    world.srv.config.effective.ServiceSettings.EnableBotAccountCreation = True
    r = await admin.post("/bots", {"username": "statbot"})
    assert r.status_code == 201, r.text
    bot = r.json()
    r = await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bot["user_id"]})
    assert r.status_code == 201, r.text
    assert (await admin.post(f"/channels/{ch['id']}/members", {"user_id": bot["user_id"]})).status_code == 201
    assert await counts() == (3, 0)  # a bot added
    assert (await admin.post(f"/bots/{bot['user_id']}/disable")).status_code == 200
    assert await counts() == (2, 0)  # disabled
    assert (await admin.post(f"/bots/{bot['user_id']}/enable")).status_code == 200
    assert await counts() == (3, 0)  # enabled again
    assert (await admin.delete(f"/channels/{ch['id']}")).status_code == 200
    assert (await admin.post(f"/channels/{ch['id']}/restore")).status_code == 200
    assert await counts() == (3, 0)


async def test_channel_stats_pinned_count_follows_every_change(world: World) -> None:
    """The pinned count is cached per channel (asked without the files count, as the web app does on every
    switch): a pin, an unpin, a patch of ``is_pinned``, a pinned reply deleted with its root and the
    channel's deletion are all seen at once."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    team = await world.team(admin, "acme")
    await world.join(admin, team, bob)
    ch = await world.channel(admin, team, "pins")
    assert (await admin.post(f"/channels/{ch['id']}/members", {"user_id": bob.user["id"]})).status_code == 201

    async def pinned() -> int:
        r = await bob.get(f"/channels/{ch['id']}/stats", params={"exclude_files_count": "true"})
        assert r.status_code == 200 and r.json()["files_count"] == -1, r.text
        return int(r.json()["pinnedpost_count"])

    root = await world.post(bob, ch, "root")
    reply = await world.post(bob, ch, "reply", root_id=root["id"])
    assert await pinned() == 0
    assert await pinned() == 0  # now cached
    await world.post(bob, ch, "another")  # an unpinned post leaves the count as it is
    assert await pinned() == 0
    assert (await bob.post(f"/posts/{root['id']}/pin")).status_code == 200
    assert await pinned() == 1
    assert (await bob.post(f"/posts/{reply['id']}/pin")).status_code == 200
    assert await pinned() == 2
    assert (await bob.post(f"/posts/{root['id']}/unpin")).status_code == 200
    assert await pinned() == 1
    r = await bob.put(f"/posts/{root['id']}/patch", {"is_pinned": True})
    assert r.status_code == 200, r.text
    assert await pinned() == 2
    # the full stats (with files) agree with the cached count
    assert (await bob.get(f"/channels/{ch['id']}/stats")).json()["pinnedpost_count"] == 2
    assert (await bob.delete(f"/posts/{root['id']}")).status_code == 200  # its pinned reply goes with it
    assert await pinned() == 0
    post = await world.post(bob, ch, "to pin")
    assert (await bob.post(f"/posts/{post['id']}/pin")).status_code == 200
    assert await pinned() == 1
    assert (await admin.delete(f"/channels/{ch['id']}")).status_code == 200
    assert (await admin.post(f"/channels/{ch['id']}/restore")).status_code == 200
    assert await pinned() == 1

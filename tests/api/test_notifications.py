"""Mentions by mention keys and thread settings, and the `posted` event's `mentions`/`followers`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chinwag.platform.events import Event
from tests.api.helpers import team_with
from tests.conftest import Client, World


def record_posted(world: World) -> list[dict[str, Any]]:
    """The data of every `posted` event published from now on (``observe_local`` sees each event this
    node publishes once, when it is committed: a post's events are written with the post)."""
    core = world.srv.app.core
    seen: list[dict[str, Any]] = []
    original = core.observe_local

    def observe_local(event: Event) -> None:
        if event.event == "posted":
            seen.append(event.data)
        original(event)

    core.observe_local = observe_local  # type: ignore[method-assign]
    return seen


async def member(c: Client, channel_id: str) -> dict[str, Any]:
    r = await c.get(f"/channels/{channel_id}/members/me")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_first_name_and_custom_keys(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    r = await carol.put("/users/me/patch", {"first_name": "Caroline", "notify_props": {
        "first_name": "true", "mention_keys": "carol,@carol,Release", "channel": "true"}})
    assert r.status_code == 200, r.text
    ch = await world.channel(bob, t.team, "talk")
    await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"]]})
    events = record_posted(world)
    for msg in ("ask Caroline.", "the RELEASE is out", "carol?", "caroline (wrong case)", "`release` in code",
                "releases plural"):
        await world.post(bob, ch, msg)
    mentioned = [json.loads(e.get("mentions", "[]")) for e in events]
    me = carol.user["id"]
    assert mentioned == [[me], [me], [me], [], [], []]
    assert (await member(carol, ch["id"]))["mention_count"] == 3
    # a changed key takes effect at once
    r = await carol.put("/users/me/patch", {"notify_props": {"mention_keys": "@carol,deploy"}})
    assert r.status_code == 200
    await world.post(bob, ch, "release again")
    await world.post(bob, ch, "deploy!")
    assert [json.loads(e.get("mentions", "[]")) for e in events[-2:]] == [[], [me]]


@pytest.mark.parametrize("comments", ["never", "root", "any"])
async def test_comments_without_crt(world: World, comments: str) -> None:
    world.srv.config.effective.ServiceSettings.CollapsedThreads = "disabled"
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    for c in (carol, dave):
        r = await c.put("/users/me/patch", {"notify_props": {"comments": comments, "mention_keys": "@x"}})
        assert r.status_code == 200
    ch = await world.channel(bob, t.team, "talk")
    await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"], dave.user["id"]]})
    root = await world.post(carol, ch, "a question")
    await world.post(dave, ch, "an answer", root_id=root["id"])
    events = record_posted(world)
    await world.post(bob, ch, "another answer", root_id=root["id"])
    got = set(json.loads(events[-1].get("mentions", "[]")))
    want = {"never": set(), "root": {carol.user["id"]}, "any": {carol.user["id"], dave.user["id"]}}
    assert got == want[comments]
    # carol started the thread: dave's reply and bob's both mention her unless "never"
    assert (await member(carol, ch["id"]))["mention_count"] == (0 if comments == "never" else 2)


async def test_followers_of_a_thread_with_crt(world: World) -> None:
    t = await team_with(world, "bob", "carol", "dave", "erin")
    bob, carol, dave, erin = t.members
    ch = await world.channel(bob, t.team, "talk")
    await bob.post(f"/channels/{ch['id']}/members",
                   {"user_ids": [c.user["id"] for c in (carol, dave, erin)]})
    root = await world.post(carol, ch, "a question")
    await world.post(dave, ch, "me too", root_id=root["id"])  # dave follows now
    r = await erin.put("/users/me/patch", {"notify_props": {"desktop_threads": "mention"}})
    assert r.status_code == 200
    await world.post(erin, ch, "+1", root_id=root["id"])  # erin follows, but only for mentions
    events = record_posted(world)
    await world.post(bob, ch, "answer for @dave", root_id=root["id"])
    data = events[-1]
    assert json.loads(data["mentions"]) == [dave.user["id"]]
    # followers: told of every reply (desktop_threads all), neither the poster nor the mentioned
    assert json.loads(data["followers"]) == [carol.user["id"]]
    # a root post has no followers
    await world.post(bob, ch, "new topic")
    assert "followers" not in events[-1]
    # dave unfollows: no longer among them
    r = await dave.put(f"/users/{dave.user['id']}/teams/{t.id}/threads/{root['id']}/following")
    assert r.status_code == 200
    await dave.delete(f"/users/{dave.user['id']}/teams/{t.id}/threads/{root['id']}/following")
    await world.post(bob, ch, "again", root_id=root["id"])
    assert json.loads(events[-1]["followers"]) == [carol.user["id"]]
    await world.post(erin, ch, "again", root_id=root["id"])
    assert sorted(json.loads(events[-1]["followers"])) == sorted([carol.user["id"], bob.user["id"]])


async def test_dm_and_gm_always_mention(world: World) -> None:
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    events = record_posted(world)
    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()
    await world.post(bob, dm, "hi")
    assert json.loads(events[-1]["mentions"]) == [carol.user["id"]]
    gm = (await bob.post("/channels/group", [bob.user["id"], carol.user["id"], dave.user["id"]])).json()
    await world.post(bob, gm, "hi all")
    assert json.loads(events[-1]["mentions"]) == sorted([carol.user["id"], dave.user["id"]])


async def test_at_channel_in_a_larger_channel(world: World) -> None:
    """@channel with more members than the long-list threshold (PostgreSQL then passes ids as one
    array parameter): every member but the poster and those ignoring channel mentions is counted."""
    names = [f"member{i:02d}" for i in range(24)]
    t = await team_with(world, *names)
    poster, quiet, muted, *rest = t.members
    ch = await world.channel(poster, t.team, "crowd")
    r = await poster.post(f"/channels/{ch['id']}/members", {"user_ids": [m.user["id"] for m in t.members[1:]]})
    assert r.status_code == 201, r.text
    assert (await quiet.put("/users/me/patch", {"notify_props": {"channel": "false"}})).status_code == 200
    r = await muted.put(f"/channels/{ch['id']}/members/me/notify_props", {"ignore_channel_mentions": "on"})
    assert r.status_code == 200
    seen = record_posted(world)
    await world.post(poster, ch, "@channel all hands")
    mentions = json.loads(seen[-1]["mentions"])
    assert sorted(mentions) == sorted(m.user["id"] for m in rest)
    assert (await member(rest[0], ch["id"]))["mention_count"] == 1
    assert (await member(quiet, ch["id"]))["mention_count"] == 0
    assert (await member(muted, ch["id"]))["mention_count"] == 0
    await world.srv.app.notifications.drain()


async def test_mention_counts_of_a_wide_mention_are_applied_after_the_commit(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A post mentioning more than DEFER_MENTIONS people commits one pendingmentions row; the counts
    are raised right after, exactly once, and not for members who viewed the channel since."""
    from chinwag.app import post_write

    monkeypatch.setattr(post_write, "DEFER_MENTIONS", 1)
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    ch = await world.channel(bob, t.team, "wide")
    r = await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"], dave.user["id"]]})
    assert r.status_code == 201, r.text
    posts = world.srv.app.post_writer

    await world.post(bob, ch, "@channel applied right after")
    await posts.settle()
    assert (await member(carol, ch["id"]))["mention_count"] == 1
    assert (await member(dave, ch["id"]))["mention_count"] == 1
    assert (await member(carol, ch["id"]))["mention_count_root"] == 1

    # a process that stopped between the commit and applying them: the row waits for the next one
    monkeypatch.setattr(type(posts), "apply_pending_mentions", lambda self: None)
    await world.post(bob, ch, "@all left pending")
    assert (await member(carol, ch["id"]))["mention_count"] == 1
    r = await dave.post(f"/channels/members/{dave.user['id']}/view", {"channel_id": ch["id"]})
    assert r.status_code == 200, r.text
    assert await posts.apply_pending_batch() == 1
    assert await posts.apply_pending_batch() == 0  # applied once
    assert (await member(carol, ch["id"]))["mention_count"] == 2
    assert (await member(dave, ch["id"]))["mention_count"] == 0  # read it before the counts landed
    await world.srv.app.notifications.drain()

"""Server-side drafts over HTTP (Mattermost's api4/drafts.go): save (201, the caller's own, files' infos in
metadata, an empty message deletes), list by team with direct messages newest first (not channels left),
delete one (none there is fine), who may draft where, the limits, a deleted post taking its thread's
drafts, the events, and ServiceSettings.AllowSyncedDrafts off (501) as the client config reports it."""

from __future__ import annotations

import json
from typing import Any

from tests.api.helpers import channel_named, team_with
from tests.api.test_files import upload
from tests.conftest import Client, World, assert_error
from tests.waiting import until


def draft(channel_id: str, message: str, **kw: Any) -> dict[str, Any]:
    return {"channel_id": channel_id, "message": message, **kw}


async def listed(c: Client, team_id: str) -> list[tuple[str, str, str]]:
    r = await c.get(f"/users/me/teams/{team_id}/drafts")
    assert r.status_code == 200, r.text
    return [(d["channel_id"], d["root_id"], d["message"]) for d in r.json()]


async def test_save_list_and_delete(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    town = await channel_named(ann, t.id, "town-square")
    off = await channel_named(ann, t.id, "off-topic")
    root = await world.post(bob, town, "a thread")
    dm = (await ann.post("/channels/direct", [ann.user["id"], bob.user["id"]])).json()

    r = await ann.post("/drafts", draft(town["id"], "half a thought", create_at=12345, update_at=12345,
                                        user_id=bob.user["id"], delete_at=99))
    assert r.status_code == 201, r.text
    saved = r.json()
    # the caller's own, whatever the body says; Mattermost's keys, empty file_ids and priority left out
    assert saved["user_id"] == ann.user["id"] and saved["delete_at"] == 0
    assert saved["create_at"] == 12345 and saved["update_at"] > 12345
    assert (saved["message"], saved["root_id"], saved["props"], saved["metadata"], saved["type"]) == (
        "half a thought", "", {}, {}, "")
    assert "file_ids" not in saved and "priority" not in saved
    for body in (draft(off["id"], "elsewhere"), draft(town["id"], "a reply", root_id=root["id"]),
                 draft(dm["id"], "psst", priority={"priority": "important"})):
        assert (await ann.post("/drafts", body)).status_code == 201
    assert await listed(ann, t.id) == [(dm["id"], "", "psst"), (town["id"], root["id"], "a reply"),
                                       (off["id"], "", "elsewhere"), (town["id"], "", "half a thought")]
    got = (await ann.get(f"/users/{ann.user['id']}/teams/{t.id}/drafts")).json()
    assert got[0]["priority"] == {"priority": "important"} and got[0]["metadata"] == {}
    assert await listed(bob, t.id) == []

    # saved again: the text changes, the creation time stays, it moves to the front
    assert (await ann.post("/drafts", draft(town["id"], "a whole thought"))).status_code == 201
    first = (await ann.get(f"/users/me/teams/{t.id}/drafts")).json()[0]
    assert (first["channel_id"], first["message"], first["create_at"]) == (town["id"], "a whole thought", 12345)

    # an empty message deletes the draft: 201 with null, as Mattermost answers
    r = await ann.post("/drafts", draft(off["id"], ""))
    assert r.status_code == 201 and r.json() is None
    assert (off["id"], "", "elsewhere") not in await listed(ann, t.id)

    # deleting: the channel's draft, a thread's; one that is not there is not an error
    r = await ann.delete(f"/users/me/channels/{town['id']}/drafts")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    r = await ann.delete(f"/users/{ann.user['id']}/channels/{town['id']}/drafts/{root['id']}")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert await listed(ann, t.id) == [(dm["id"], "", "psst")]
    assert (await ann.delete(f"/users/me/channels/{town['id']}/drafts")).status_code == 200
    # the path's user is not looked at: only the caller's own drafts go
    assert (await bob.delete(f"/users/{ann.user['id']}/channels/{dm['id']}/drafts")).status_code == 200
    assert await listed(ann, t.id) == [(dm["id"], "", "psst")]


async def test_files_of_a_draft(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    town = await channel_named(ann, t.id, "town-square")
    mine = (await upload(ann, town["id"], ("notes.txt", b"some notes"))).json()["file_infos"][0]
    theirs = (await upload(bob, town["id"], ("theirs.txt", b"not ann's"))).json()["file_infos"][0]
    r = await ann.post("/drafts", draft(town["id"], "see attached", file_ids=[mine["id"], mine["id"], theirs["id"]]))
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["file_ids"] == [mine["id"], theirs["id"]]
    # only the draft's owner's files not yet attached to a post are described
    assert [f["id"] for f in saved["metadata"]["files"]] == [mine["id"]]
    assert saved["metadata"]["files"][0]["name"] == "notes.txt"
    listed_one = (await ann.get(f"/users/me/teams/{t.id}/drafts")).json()[0]
    assert [f["id"] for f in listed_one["metadata"]["files"]] == [mine["id"]]
    await world.post(ann, town, "sent", file_ids=[mine["id"]])
    listed_one = (await ann.get(f"/users/me/teams/{t.id}/drafts")).json()[0]
    assert listed_one["metadata"] == {} and listed_one["file_ids"] == [mine["id"], theirs["id"]]


async def test_who_may_draft_where_and_the_limits(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    town = await channel_named(ann, t.id, "town-square")
    secret = await world.channel(bob, t.team, "secret", "P")
    other_team = await world.team(t.owner, "elsewhere")
    # a private channel ann is not in, a channel that does not exist, a team she is not in
    assert_error(await ann.post("/drafts", draft(secret["id"], "peek")), 403, "api.context.permissions.app_error")
    assert_error(await ann.post("/drafts", draft("12345", "x")), 403, "api.context.permissions.app_error")
    assert_error(await ann.get(f"/users/me/teams/{other_team['id']}/drafts"), 403)
    assert_error(await ann.get("/users/me/teams/12345/drafts"), 403)
    # a public channel she has not joined: only with create_post_public in the team (not a member's role)
    open_one = await world.channel(bob, t.team, "open-one")
    assert_error(await ann.post("/drafts", draft(open_one["id"], "before joining")), 403)
    assert (await t.admin.post("/drafts", draft(open_one["id"], "an admin may"))).status_code == 201
    # bodies Mattermost refuses
    assert_error(await ann.post("/drafts", content=b"{", headers={"Content-Type": "application/json"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await ann.post("/drafts", draft(town["id"], "x" * 16384)), 400,
                 "model.draft.is_valid.message_length.app_error")
    assert (await ann.post("/drafts", draft(town["id"], "é" * 16383))).status_code == 201
    assert_error(await ann.post("/drafts", draft(town["id"], "x", root_id="not-an-id")), 400,
                 "model.draft.is_valid.root_id.app_error")
    assert_error(await ann.post("/drafts", draft(town["id"], "x", file_ids=[f"{i:026d}" for i in range(11)])), 400,
                 "model.draft.is_valid.file_ids.app_error")
    # an archived channel
    gone = await world.channel(ann, t.team, "gone")
    assert (await ann.delete(f"/channels/{gone['id']}")).status_code == 200
    assert_error(await ann.post("/drafts", draft(gone["id"], "too late")), 400,
                 "api.draft.create_draft.can_not_draft_to_deleted.error")


async def test_restricted_direct_messages(world: World) -> None:
    t = await team_with(world, "ann")
    (ann,) = t.members
    loner = await world.user("loner")
    dm = (await ann.post("/channels/direct", [ann.user["id"], loner.user["id"]])).json()
    assert (await ann.post("/drafts", draft(dm["id"], "hi"))).status_code == 201
    world.srv.config.effective.TeamSettings.RestrictDirectMessage = "team"
    assert_error(await ann.post("/drafts", draft(dm["id"], "hi")), 400,
                 "api.draft.create_draft.can_not_draft_to_restricted_dm.error")


async def test_left_channels_and_deleted_threads(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    town = await channel_named(ann, t.id, "town-square")
    side = await world.channel(ann, t.team, "side")
    assert (await ann.post("/drafts", draft(side["id"], "in side"))).status_code == 201
    assert (await ann.delete(f"/channels/{side['id']}/members/{ann.user['id']}")).status_code == 200
    assert await listed(ann, t.id) == []  # left the channel: not listed
    assert (await ann.post(f"/channels/{side['id']}/members", {"user_id": ann.user["id"]})).status_code == 201
    assert await listed(ann, t.id) == [(side["id"], "", "in side")]  # back: there again

    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    root = await world.post(ann, town, "soon gone")
    reply = await world.post(ann, town, "a reply", root_id=root["id"])
    for c in (ann, bob):
        assert (await c.post("/drafts", draft(town["id"], "answering", root_id=root["id"]))).status_code == 201
    assert (await bob.post("/drafts", draft(town["id"], "channel draft"))).status_code == 201
    # deleting a reply leaves the thread's drafts; deleting the root takes every user's
    assert (await ann.delete(f"/posts/{reply['id']}")).status_code == 200
    assert len(await listed(bob, t.id)) == 2
    assert (await ann.delete(f"/posts/{root['id']}")).status_code == 200
    assert await listed(bob, t.id) == [(town["id"], "", "channel draft")]
    assert await listed(ann, t.id) == [(side["id"], "", "in side")]

    def gone_for(uid: str) -> bool:
        return any(e.get("event") == "draft_deleted" and e["broadcast"]["user_id"] == uid
                   and json.loads(e["data"]["draft"])["root_id"] == root["id"] for e in events)
    await until(lambda: gone_for(ann.user["id"]) and gone_for(bob.user["id"]))


async def test_events_go_to_the_owner_not_the_connection_that_made_the_change(world: World) -> None:
    t = await team_with(world, "ann")
    (ann,) = t.members
    town = await channel_named(ann, t.id, "town-square")
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    r = await ann.post("/drafts", draft(town["id"], "typed"), headers={"Connection-Id": "conn-1"})
    assert r.status_code == 201
    await until(lambda: any(e.get("event") == "draft_created" for e in events))
    created = next(e for e in events if e.get("event") == "draft_created")
    assert created["broadcast"]["user_id"] == ann.user["id"]
    assert created["broadcast"]["channel_id"] == town["id"]
    assert created["broadcast"]["omit_connection_id"] == "conn-1"
    assert json.loads(created["data"]["draft"]) == r.json()
    assert (await ann.delete(f"/users/me/channels/{town['id']}/drafts")).status_code == 200
    await until(lambda: any(e.get("event") == "draft_deleted" for e in events))
    deleted = next(e for e in events if e.get("event") == "draft_deleted")
    assert deleted["broadcast"]["omit_connection_id"] == ""
    assert json.loads(deleted["data"]["draft"])["message"] == "typed"
    # an empty message deletes without an event, as Mattermost does; so does deleting what is not there
    n = len(events)
    assert (await ann.post("/drafts", draft(town["id"], ""))).status_code == 201
    assert (await ann.delete(f"/users/me/channels/{town['id']}/drafts")).status_code == 200
    assert not [e for e in events[n:] if str(e.get("event", "")).startswith("draft_")]


async def test_the_setting(world: World) -> None:
    t = await team_with(world, "ann")
    (ann,) = t.members
    town = await channel_named(ann, t.id, "town-square")
    cfg = (await ann.get("/config/client", params={"format": "old"})).json()
    assert cfg["AllowSyncedDrafts"] == "true"
    assert (await ann.post("/drafts", draft(town["id"], "kept"))).status_code == 201
    world.srv.config.effective.ServiceSettings.AllowSyncedDrafts = False
    assert (await ann.get("/config/client", params={"format": "old"})).json()["AllowSyncedDrafts"] == "false"
    for r in (await ann.post("/drafts", draft(town["id"], "x")),
              await ann.get(f"/users/me/teams/{t.id}/drafts"),
              await ann.delete(f"/users/me/channels/{town['id']}/drafts"),
              await ann.delete(f"/users/me/channels/{town['id']}/drafts/{'r' * 26}")):
        assert_error(r, 501, "api.drafts.disabled.app_error")
    # the body is not read when the feature is off
    assert_error(await ann.post("/drafts", content=b"{", headers={"Content-Type": "application/json"}), 501)
    world.srv.config.effective.ServiceSettings.AllowSyncedDrafts = True
    assert await listed(ann, t.id) == [(town["id"], "", "kept")]

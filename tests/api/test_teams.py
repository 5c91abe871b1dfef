"""Teams and team membership over HTTP."""

from __future__ import annotations

import pytest

from tests.api.helpers import NO_SUCH_ID, Unchanged, channel_named, ids, member, team_unread, team_with
from tests.conftest import World, assert_error


async def test_create_team(world: World) -> None:
    await world.user("admin")
    owner = await world.user("owner")
    r = await owner.post("/teams", {"name": "dev-team", "display_name": "Developers", "type": "O",
                                    "description": "we build"})
    assert r.status_code == 201
    team = r.json()
    assert len(team["id"]) == 26 and team["name"] == "dev-team" and team["display_name"] == "Developers"
    assert team["type"] == "O" and team["description"] == "we build" and team["delete_at"] == 0
    assert team["create_at"] == team["update_at"] > 0 and len(team["invite_id"]) == 26
    # the creator is a team admin, and in both default channels
    m = (await owner.get(f"/teams/{team['id']}/members/me")).json()
    assert m["roles"] == "team_user team_admin" and m["scheme_admin"] is True and m["delete_at"] == 0
    mine = (await owner.get(f"/users/me/teams/{team['id']}/channels")).json()
    assert sorted(c["name"] for c in mine) == ["off-topic", "town-square"]
    assert {c["display_name"] for c in mine} == {"Town Square", "Off-Topic"}
    assert (await owner.get("/teams/name/dev-team")).json()["id"] == team["id"]
    assert ids(await owner.get("/users/me/teams")) == [team["id"]]
    r = await owner.get("/teams/name/dev-team/exists")
    assert r.json() == {"exists": True}


async def test_team_exists_only_for_teams_the_caller_may_see(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    await world.user("admin")
    owner = await world.user("owner")
    other = await world.user("other")
    await world.team(owner, "secret", type="I", allow_open_invite=False)
    assert (await owner.get("/teams/name/secret/exists")).json() == {"exists": True}
    assert (await other.get("/teams/name/secret/exists")).json() == {"exists": False}
    assert (await owner.get("/teams/name/nosuchteam/exists")).json() == {"exists": False}

    async def broken(name: str) -> None:
        raise RuntimeError("database gone")

    # a failure is an error, not a missing team
    monkeypatch.setattr(world.srv.app.store.teams, "get_by_name", broken)
    r = await owner.get("/teams/name/secret/exists")
    assert r.status_code == 500 and "exists" not in r.json()


async def test_create_team_rejects_bad_input_and_writes_nothing(world: World) -> None:
    await world.user("admin")
    owner = await world.user("owner")
    await world.team(owner, "taken")
    cases = [
        ({"name": "Bad Name", "display_name": "x", "type": "O"}, "model.team.is_valid.url.app_error"),
        ({"name": "a", "display_name": "x", "type": "O"}, "model.team.is_valid.url.app_error"),
        ({"name": "x" * 65, "display_name": "x", "type": "O"}, "model.team.is_valid.url.app_error"),
        ({"name": "api", "display_name": "x", "type": "O"}, "model.team.is_valid.reserved.app_error"),
        ({"name": "fine", "display_name": "", "type": "O"}, "model.team.is_valid.name.app_error"),
        ({"name": "fine", "display_name": "x", "type": "Z"}, "model.team.is_valid.type.app_error"),
        ({"name": "taken", "display_name": "x", "type": "O"}, "app.team.save.existing.app_error"),
    ]
    async with Unchanged(world):
        for body, error_id in cases:
            assert_error(await owner.post("/teams", body), 400, error_id)
        assert_error(await owner.post("/teams", content=b'{"name": "x",'), 400,
                     "api.context.invalid_param.app_error")
        assert_error(await owner.post("/teams", content=b"[1, 2]"), 400)
        assert_error(await world.client().post("/teams", {"name": "anon", "display_name": "x"}), 401)


async def test_join_team_joins_default_channels_without_unread_noise(world: World) -> None:
    t = await team_with(world)
    bob = await world.user("bob")
    r = await t.owner.post(f"/teams/{t.id}/members", {"team_id": t.id, "user_id": bob.user["id"]})
    assert r.status_code == 201
    assert r.json()["roles"] == "team_user" and r.json()["user_id"] == bob.user["id"]
    town = await channel_named(bob, t.id, "town-square")
    off = await channel_named(bob, t.id, "off-topic")
    for ch in (town, off):
        assert (await member(bob, ch["id"]))["roles"] == "channel_user"
    # the system messages of joining
    posts = (await bob.get(f"/channels/{town['id']}/posts")).json()
    types = [posts["posts"][i]["type"] for i in posts["order"]]
    assert types == ["system_join_team", "system_join_team"]
    assert posts["posts"][posts["order"][0]]["props"]["username"] == "bob"
    posts = (await bob.get(f"/channels/{off['id']}/posts")).json()
    assert [posts["posts"][i]["type"] for i in posts["order"]] == ["system_join_channel", "system_join_channel"]
    # ...which are not unread messages for anyone
    for c in (t.owner, bob):
        u = await team_unread(c, t.id)
        assert u["msg_count"] == 0 and u["mention_count"] == 0
    assert (await t.owner.get(f"/channels/{town['id']}")).json()["total_msg_count"] == 0
    # adding again is harmless
    r = await t.owner.post(f"/teams/{t.id}/members", {"team_id": t.id, "user_id": bob.user["id"]})
    assert r.status_code == 201
    assert len((await t.owner.get(f"/teams/{t.id}/members")).json()) == 2


async def test_team_membership_rules(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    carol = await world.user("carol")
    invite_only = await world.team(t.owner, "secret", type="I")
    # nobody joins an invite-only team by themselves, nor looks into a team they are not in
    async with Unchanged(world):
        r = await carol.post(f"/teams/{invite_only['id']}/members",
                             {"team_id": invite_only["id"], "user_id": carol.user["id"]})
        assert_error(r, 403, "api.context.permissions.app_error")
        assert_error(await carol.get(f"/teams/{invite_only['id']}"), 403)
        assert_error(await carol.get(f"/teams/{t.id}/members"), 403)
        assert_error(await carol.get(f"/teams/{t.id}/channels"), 403)
        assert_error(await carol.get(f"/users/me/teams/{t.id}/unread"), 403)
        assert_error(await bob.get(f"/users/{carol.user['id']}/teams/{t.id}/unread"), 403)
        # a plain member cannot manage the team
        assert_error(await bob.put(f"/teams/{t.id}/patch", {"display_name": "Mine"}), 403)
        assert_error(await bob.delete(f"/teams/{t.id}/members/{t.owner.user['id']}"), 403)
        assert_error(await bob.put(f"/teams/{t.id}/members/{bob.user['id']}/roles", {"roles": "team_user team_admin"}),
                     403)
        # bad ids
        assert_error(await bob.get("/teams/nope"), 400, "api.context.invalid_url_param.app_error")
        assert_error(await t.admin.get(f"/teams/{NO_SUCH_ID}"), 404)
        r = await t.owner.post(f"/teams/{t.id}/members", {"team_id": t.id, "user_id": NO_SUCH_ID})
        assert_error(r, 404)
        r = await t.owner.post(f"/teams/{t.id}/members", {"team_id": NO_SUCH_ID, "user_id": carol.user["id"]})
        assert_error(r, 400)
    u = (await bob.get(f"/users/me/teams/{t.id}/unread")).json()
    assert u["team_id"] == t.id and u["msg_count"] == 0 and u["thread_count"] == 0
    u = (await t.admin.get(f"/users/{carol.user['id']}/teams/{t.id}/unread")).json()
    assert u == {"team_id": t.id, "msg_count": 0, "mention_count": 0, "mention_count_root": 0,
                 "msg_count_root": 0, "thread_count": 0, "thread_mention_count": 0,
                 "thread_urgent_mention_count": 0}
    # the owner (team admin) may
    r = await t.owner.put(f"/teams/{t.id}/patch", {"display_name": "Renamed"})
    assert r.status_code == 200 and r.json()["display_name"] == "Renamed"
    assert (await bob.get(f"/teams/{t.id}")).json()["display_name"] == "Renamed"


async def test_leave_team_leaves_its_channels(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    ch = await world.channel(t.owner, t.team, "project")
    r = await bob.post(f"/channels/{ch['id']}/members", {"user_id": bob.user["id"]})
    assert r.status_code == 201
    r = await bob.delete(f"/teams/{t.id}/members/me")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert (await bob.get("/users/me/teams")).json() == []
    assert (await bob.get(f"/users/me/teams/{t.id}/channels")).status_code == 403
    members = (await t.owner.get(f"/channels/{ch['id']}/members")).json()
    assert [m["user_id"] for m in members] == [t.owner.user["id"]]
    tm = (await t.owner.get(f"/teams/{t.id}/members")).json()
    assert [m["user_id"] for m in tm] == [t.owner.user["id"]]
    assert_error(await bob.get(f"/channels/{ch['id']}/posts"), 403)


async def test_team_email_and_invite_id_are_for_those_who_may_use_them(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    outsider = await world.user("outsider")
    r = await t.owner.put(f"/teams/{t.id}/patch", {"allow_open_invite": True})
    assert r.status_code == 200
    full = (await t.owner.get(f"/teams/{t.id}")).json()
    assert full["email"] == "owner@example.com"
    assert len(full["invite_id"]) == 26
    # a member may invite: the invite id, not the email
    seen = (await bob.get(f"/teams/{t.id}")).json()
    assert seen["invite_id"] == full["invite_id"] and seen["email"] == ""
    assert (await bob.get("/users/me/teams")).json()[0]["invite_id"] == full["invite_id"]
    # someone browsing open teams sees neither
    listed = [x for x in (await outsider.get("/teams")).json() if x["id"] == t.id]
    assert len(listed) == 1 and listed[0]["invite_id"] == "" and listed[0]["email"] == ""
    by_name = (await outsider.get(f"/teams/name/{t.team['name']}")).json()
    assert by_name["invite_id"] == ""
    # the system admin sees everything
    assert (await t.admin.get(f"/teams/{t.id}")).json()["invite_id"] == full["invite_id"]

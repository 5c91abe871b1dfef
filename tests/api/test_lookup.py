"""POST /posts/ids, /teams/search, /users/tokens/search and the time zone lists."""

from __future__ import annotations

from tests.api.helpers import team_with
from tests.conftest import World, assert_error


async def test_posts_by_ids_only_readable(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members[0], t.members[1]
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    secret = await world.channel(carol, t.team, "secret", type="P")
    p1 = await world.post(bob, town, "public one")
    p2 = await world.post(carol, secret, "private one")
    got = (await bob.post("/posts/ids", [p1["id"], p2["id"], "z" * 26])).json()
    assert [p["id"] for p in got] == [p1["id"]] and got[0]["message"] == "public one"
    both = (await carol.post("/posts/ids", [p1["id"], p2["id"], p1["id"]])).json()
    assert sorted(p["id"] for p in both) == sorted([p1["id"], p2["id"]])
    assert_error(await bob.post("/posts/ids", []), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post("/posts/ids", ["nope"]), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post("/posts/ids", ["q" * 26] * 1001), 400,
                 "api.post.posts_by_ids.invalid_body.request_error")


async def test_team_search(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    open_team = await world.team(admin, name="alpha-open", display_name="Alpha Open", allow_open_invite=True)
    closed = await world.team(admin, name="alpha-closed", display_name="Alpha Closed")
    found = (await admin.post("/teams/search", {"term": "alpha"})).json()
    assert {x["id"] for x in found} == {open_team["id"], closed["id"]}
    paged = (await admin.post("/teams/search", {"term": "ALPHA", "page": 0, "per_page": 1})).json()
    assert paged["total_count"] == 2 and len(paged["teams"]) == 1
    # members see open teams only, without paging
    assert [x["id"] for x in (await bob.post("/teams/search", {"term": "alpha"})).json()] == [open_team["id"]]
    assert (await bob.post("/teams/search", {"term": "alpha"})).json()[0]["email"] == ""
    assert_error(await bob.post("/teams/search", {"term": "alpha", "page": 0, "per_page": 10}), 501,
                 "api.team.search_teams.pagination_not_implemented.public_team_search")
    assert_error(await bob.post("/teams/search", content=b"{"), 400, "api.context.invalid_param.app_error")


async def test_token_search(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    world.srv.config.effective.ServiceSettings.EnableUserAccessTokens = True
    r = await admin.post(f"/users/{admin.user['id']}/tokens", {"description": "ci"})
    assert r.status_code in (200, 201), r.text
    token = r.json()
    found = (await admin.post("/users/tokens/search", {"term": "adm"})).json()
    assert [x["id"] for x in found] == [token["id"]] and not found[0].get("token")
    assert [x["id"] for x in (await admin.post("/users/tokens/search", {"term": token["id"]})).json()] == [token["id"]]
    assert (await admin.post("/users/tokens/search", {"term": "nobody"})).json() == []
    assert_error(await bob.post("/users/tokens/search", {"term": "adm"}), 403, "api.context.permissions.app_error")


async def test_timezones(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members[0], t.members[1]
    await bob.put("/users/me/patch", {"timezone": {"useAutomaticTimezone": "true",
                                                   "automaticTimezone": "Europe/Paris", "manualTimezone": ""}})
    await carol.put("/users/me/patch", {"timezone": {"useAutomaticTimezone": "false",
                                                     "automaticTimezone": "Asia/Tokyo",
                                                     "manualTimezone": "America/Chicago"}})
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    assert (await bob.get(f"/channels/{town['id']}/timezones")).json() == ["America/Chicago", "Europe/Paris"]
    outsider = await world.user("zed")
    secret = await world.channel(bob, t.team, "secret", type="P")
    assert_error(await outsider.get(f"/channels/{secret['id']}/timezones"), 403,
                 "api.context.permissions.app_error")
    zones = (await bob.get("/system/timezones")).json()
    assert "Europe/Paris" in zones and zones == sorted(zones)


async def test_users_by_group_channels(world: World) -> None:
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    gm = (await bob.post("/channels/group", [bob.user["id"], carol.user["id"], dave.user["id"]])).json()
    other = (await carol.post("/channels/group", [carol.user["id"], dave.user["id"], t.owner.user["id"]])).json()
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    got = (await bob.post("/users/group_channels", [gm["id"], other["id"], town["id"]])).json()
    assert list(got) == [gm["id"]]  # only bob's group messages
    assert sorted(u["id"] for u in got[gm["id"]]) == sorted([bob.user["id"], carol.user["id"], dave.user["id"]])
    assert all("password" not in u for u in got[gm["id"]])
    assert_error(await bob.post("/users/group_channels", []), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post("/users/group_channels", ["nope"]), 400, "api.context.invalid_param.app_error")


async def test_invite_info(world: World) -> None:
    t = await team_with(world, "bob")
    admin = t.admin
    team = (await admin.get(f"/teams/{t.id}")).json()
    info = (await world.client().get(f"/teams/invite/{team['invite_id']}")).json()
    assert info == {"id": t.id, "name": team["name"], "display_name": team["display_name"],
                    "description": team["description"]}
    assert_error(await world.client().get(f"/teams/invite/{'z' * 26}"), 404,
                 "app.team.get_by_invite_id.finding.app_error")
    closed = await world.team(admin, name="closed", type="I")
    closed_team = (await admin.get(f"/teams/{closed['id']}")).json()
    assert_error(await world.client().get(f"/teams/invite/{closed_team['invite_id']}"), 403,
                 "api.team.get_invite_info.not_open_team")


async def test_regenerate_invite_id(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    before = (await t.owner.get(f"/teams/{t.id}")).json()["invite_id"]
    r = await t.owner.post(f"/teams/{t.id}/regenerate_invite_id")
    assert r.status_code == 200, r.text
    after = r.json()["invite_id"]
    assert after and after != before
    assert_error(await world.client().get(f"/teams/invite/{before}"), 404, "app.team.get_by_invite_id.finding.app_error")
    assert (await world.client().get(f"/teams/invite/{after}")).json()["id"] == t.id
    assert_error(await bob.post(f"/teams/{t.id}/regenerate_invite_id"), 403, "api.context.permissions.app_error")
    assert_error(await t.owner.post("/teams/nope/regenerate_invite_id"), 400, "api.context.invalid_url_param.app_error")


async def test_team_privacy(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    r = await t.owner.put(f"/teams/{t.id}/privacy", {"privacy": "I"})
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "I" and r.json()["allow_open_invite"] is False
    team = (await t.owner.put(f"/teams/{t.id}/privacy", {"privacy": "O"})).json()
    assert team["type"] == "O" and team["allow_open_invite"] is True
    assert_error(await t.owner.put(f"/teams/{t.id}/privacy", {"privacy": "X"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await bob.put(f"/teams/{t.id}/privacy", {"privacy": "I"}), 403, "api.context.permissions.app_error")


async def test_group_channel_search(world: World) -> None:
    t = await team_with(world, "bob", "carol", "dave", "zoe")
    bob, carol, dave, zoe = t.members
    gm = (await bob.post("/channels/group", [bob.user["id"], carol.user["id"], dave.user["id"]])).json()
    (await zoe.post("/channels/group", [zoe.user["id"], carol.user["id"], dave.user["id"]])).json()
    found = (await bob.post("/channels/group/search", {"term": "car"})).json()
    assert [c["id"] for c in found] == [gm["id"]]
    assert (await bob.post("/channels/group/search", {"term": "zoe"})).json() == []
    assert (await bob.post("/channels/group/search", {"term": ""})).json() == []
    assert_error(await bob.post("/channels/group/search", content=b"{"), 400, "api.context.invalid_param.app_error")

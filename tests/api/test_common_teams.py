"""GET /channels/{channel_id}/common_teams: the teams every member of a direct or group message is in
(what converting a group message into a channel offers), over HTTP on both databases."""

from __future__ import annotations

from tests.conftest import World, assert_error


async def test_common_teams_of_group_and_direct_messages(world: World) -> None:
    ann = await world.user("ann")
    bob = await world.user("bob")
    cat = await world.user("cat")
    dan = await world.user("dan")
    both = await world.team(ann, "both")
    pair = await world.team(ann, "pair")
    await world.join(ann, both, bob, cat)
    await world.join(ann, pair, bob)
    ids = [c.user["id"] for c in (ann, bob, cat)]
    gm = (await ann.post("/channels/group", ids)).json()
    dm = (await ann.post("/channels/direct", ids[:2])).json()

    r = await ann.get(f"/channels/{gm['id']}/common_teams")
    assert r.status_code == 200, r.text
    assert [t["name"] for t in r.json()] == ["both"]
    assert sorted(t["name"] for t in (await bob.get(f"/channels/{dm['id']}/common_teams")).json()) == ["both", "pair"]
    # bob manages neither team: the teams come sanitized (no email)
    assert all(t["email"] == "" for t in (await bob.get(f"/channels/{dm['id']}/common_teams")).json())
    # a member who left no team in common
    assert (await ann.post(f"/teams/{both['id']}/members", {"team_id": both["id"], "user_id": dan.user["id"]})
            ).status_code == 201
    gm2 = (await ann.post("/channels/group", [*ids[:2], dan.user["id"]])).json()
    assert [t["name"] for t in (await ann.get(f"/channels/{gm2['id']}/common_teams")).json()] == ["both"]
    assert (await ann.delete(f"/teams/{both['id']}/members/{dan.user['id']}")).status_code == 200
    assert (await ann.get(f"/channels/{gm2['id']}/common_teams")).json() == []

    # not a member: no permission; not a DM or GM: 400; a bad id: 400
    assert_error(await dan.get(f"/channels/{dm['id']}/common_teams"), 403, "api.context.permissions.app_error")
    town = (await ann.get(f"/teams/{both['id']}/channels/name/town-square")).json()
    assert_error(await ann.get(f"/channels/{town['id']}/common_teams"), 400,
                 "app.channel.get_common_teams.incorrect_channel_type")
    assert_error(await ann.get("/channels/nope/common_teams"), 400, "api.context.invalid_url_param.app_error")

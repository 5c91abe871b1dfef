"""PUT /teams/{team_id}/members/{user_id}/schemeRoles, PUT /channels/{channel_id}/members/{user_id}/schemeRoles
(Mattermost's UpdateTeamMemberSchemeRoles / UpdateChannelMemberSchemeRoles: the scheme flags set as sent, never
guest and user together, the roles' permissions follow, memberrole_updated / channel_member_updated) and
POST /teams/{team_id}/channels/search_archived."""

from __future__ import annotations

import json
from typing import Any

from tests.api.helpers import Unchanged, channel_named, team_with
from tests.conftest import World, assert_error
from tests.waiting import until


async def test_team_member_scheme_roles(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    url = f"/teams/{t.id}/members/{ann.user['id']}/schemeRoles"
    async with Unchanged(world):
        assert_error(await bob.put(url, {"scheme_user": True, "scheme_admin": True}), 403,
                     "api.context.permissions.app_error")
        assert_error(await t.owner.put(url, {"scheme_user": True, "scheme_guest": True}), 400,
                     "api.team.update_team_member_roles.guest_and_user.app_error")
        assert_error(await t.owner.put(url, {"scheme_user": "yes"}), 400)
        assert_error(await t.owner.put(f"/teams/{t.id}/members/{'x' * 26}/schemeRoles", {"scheme_user": True}), 404)
    r = await t.owner.put(url, {"scheme_user": True, "scheme_admin": True})
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    member = (await ann.get(f"/teams/{t.id}/members/{ann.user['id']}")).json()
    assert (member["scheme_user"], member["scheme_admin"]) == (True, True)
    assert set(member["roles"].split()) == {"team_user", "team_admin"}
    # now a team admin, ann may change bob's roles
    r = await ann.put(f"/teams/{t.id}/members/{bob.user['id']}/schemeRoles", {"scheme_user": True,
                                                                                  "scheme_admin": True})
    assert r.status_code == 200, r.text
    await until(lambda: sum(e["event"] == "memberrole_updated" for e in events) >= 2)
    updated = [json.loads(e["data"]["member"]) for e in events if e["event"] == "memberrole_updated"]
    assert [(m["user_id"], m["scheme_admin"]) for m in updated] == [(ann.user["id"], True), (bob.user["id"], True)]
    assert (await t.owner.put(url, {"scheme_user": True, "scheme_admin": False})).status_code == 200
    member = (await ann.get(f"/teams/{t.id}/members/{ann.user['id']}")).json()
    assert member["roles"] == "team_user"


async def test_channel_member_scheme_roles(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    ch = await world.channel(ann, t.team, "plans", "P")
    assert (await ann.post(f"/channels/{ch['id']}/members", {"user_id": bob.user["id"]})).status_code == 201
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    url = f"/channels/{ch['id']}/members/{bob.user['id']}/schemeRoles"
    async with Unchanged(world):
        assert_error(await bob.put(url, {"scheme_user": True, "scheme_admin": True}), 403)
        assert_error(await ann.put(url, {"scheme_user": True, "scheme_guest": True}), 400,
                     "api.channel.update_channel_member_roles.guest_and_user.app_error")
        assert_error(await ann.put(url, content=b"nope"), 400)
        assert_error(await ann.put(f"/channels/{ch['id']}/members/{t.owner.user['id']}/schemeRoles",
                                   {"scheme_user": True}), 404)
    r = await ann.put(url, {"scheme_user": True, "scheme_admin": True})
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    member = (await bob.get(f"/channels/{ch['id']}/members/{bob.user['id']}")).json()
    assert set(member["roles"].split()) == {"channel_user", "channel_admin"}
    await until(lambda: any(e["event"] == "channel_member_updated"
                            and json.loads(e["data"]["channelMember"])["scheme_admin"] is True for e in events))
    sent = [json.loads(e["data"]["channelMember"]) for e in events if e["event"] == "channel_member_updated"]
    assert sent and sent[-1]["user_id"] == bob.user["id"] and sent[-1]["scheme_admin"] is True
    # now a channel admin, bob may rename the private channel
    r = await bob.put(f"/channels/{ch['id']}/patch", {"display_name": "Plans B"})
    assert r.status_code == 200, r.text


async def test_search_archived_channels(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    outsider = await world.user("eve")
    old_pub = await world.channel(ann, t.team, "old-news")
    old_priv = await world.channel(ann, t.team, "old-secrets", "P")
    live = await world.channel(ann, t.team, "old-but-live")
    for ch in (old_pub, old_priv):
        assert (await ann.delete(f"/channels/{ch['id']}")).status_code == 200
    url = f"/teams/{t.id}/channels/search_archived"
    r = await ann.post(url, {"term": "old"})
    assert r.status_code == 200, r.text
    assert [c["id"] for c in r.json()] == [old_pub["id"], old_priv["id"]]
    assert all(c["delete_at"] > 0 for c in r.json())
    # bob is not in the private one
    assert [c["id"] for c in (await bob.post(url, {"term": "  OLD "})).json()] == [old_pub["id"]]
    assert (await bob.post(url, {"term": "nothing-like-it"})).json() == []
    assert live["id"] not in [c["id"] for c in (await ann.post(url, {"term": ""})).json()]
    town = await channel_named(ann, t.id, "town-square")
    assert town["id"] not in [c["id"] for c in (await ann.post(url, {"term": "town"})).json()]
    assert_error(await outsider.post(url, {"term": "old"}), 404, "app.team.get_member.missing.app_error")
    assert_error(await ann.post(url, content=b"{"), 400)
    assert_error(await ann.post("/teams/nope/channels/search_archived", {"term": "old"}), 400)

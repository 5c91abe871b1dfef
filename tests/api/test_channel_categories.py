"""Sidebar categories over HTTP (Mattermost's /users/{user_id}/teams/{team_id}/channels/categories):
the default categories, custom ones, moving channels, order, sorting, collapsing, muting, favorites
kept in step with the ``favorite_channel`` preference, membership changes, permissions, bad input and
the ``sidebar_category_*`` events."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from chinwag.store.sql import tables
from tests.api.helpers import Unchanged
from tests.conftest import Client, World, assert_error
from tests.waiting import until


def base(c: Client, team: dict[str, Any]) -> str:
    return f"/users/{c.user['id']}/teams/{team['id']}/channels/categories"


async def cats(c: Client, team: dict[str, Any]) -> dict[str, Any]:
    r = await c.get(base(c, team))
    assert r.status_code == 200, r.text
    return dict(r.json())


def by_type(found: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in found["categories"] if c["type"] == kind)


async def channel_id(c: Client, team: dict[str, Any], name: str) -> str:
    r = await c.get(f"/teams/{team['id']}/channels/name/{name}")
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


async def setup(world: World) -> tuple[Client, Client, dict[str, Any]]:
    admin = await world.user("admin")
    ann = await world.user("ann")
    team = await world.team(admin)
    await world.join(admin, team, ann)
    return admin, ann, team


async def test_default_categories(world: World) -> None:
    admin, ann, team = await setup(world)
    bob = await world.user("bob")
    await world.join(admin, team, bob)
    dm = (await ann.post("/channels/direct", [ann.user["id"], bob.user["id"]])).json()
    found = await cats(ann, team)
    uid, tid = ann.user["id"], team["id"]
    assert [c["type"] for c in found["categories"]] == ["favorites", "channels", "direct_messages"]
    assert found["order"] == [f"favorites_{uid}_{tid}", f"channels_{uid}_{tid}", f"direct_messages_{uid}_{tid}"]
    fav = by_type(found, "favorites")
    assert fav == {"id": f"favorites_{uid}_{tid}", "user_id": uid, "team_id": tid, "sort_order": 0, "sorting": "",
                   "type": "favorites", "display_name": "Favorites", "muted": False, "collapsed": False,
                   "channel_ids": []}
    chans = by_type(found, "channels")
    assert chans["sort_order"] == 10 and chans["display_name"] == "Channels"
    assert set(chans["channel_ids"]) == {await channel_id(ann, team, "town-square"),
                                        await channel_id(ann, team, "off-topic")}
    dms = by_type(found, "direct_messages")
    assert dms["sorting"] == "recent" and dms["sort_order"] == 20 and dms["channel_ids"] == [dm["id"]]
    # a new channel lands in Channels; a DM shows in every team's Direct Messages
    new = await world.channel(ann, team, "news")
    team2 = await world.team(admin, "team2")
    await world.join(admin, team2, ann)
    assert new["id"] in by_type(await cats(ann, team), "channels")["channel_ids"]
    found2 = await cats(ann, team2)
    assert by_type(found2, "direct_messages")["channel_ids"] == [dm["id"]]
    assert new["id"] not in by_type(found2, "channels")["channel_ids"]
    r = await ann.get(base(ann, team) + "/order")
    assert r.status_code == 200 and r.json() == found["order"]
    r = await ann.get(f"/users/me/teams/{tid}/channels/categories/{found['order'][1]}")
    assert r.status_code == 200 and r.json() == by_type(await cats(ann, team), "channels")


async def test_create_move_reorder_delete(world: World) -> None:
    admin, ann, team = await setup(world)
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    town = await channel_id(ann, team, "town-square")
    off = await channel_id(ann, team, "off-topic")
    secret = await world.channel(admin, team, "secret", "P")  # ann is not a member
    found = await cats(ann, team)
    body = {"user_id": ann.user["id"], "team_id": team["id"], "display_name": "Projects",
            "channel_ids": [town, secret["id"]]}
    r = await ann.post(base(ann, team), body)
    assert r.status_code == 200, r.text
    proj = r.json()
    assert proj["type"] == "custom" and proj["display_name"] == "Projects" and proj["sort_order"] == 10
    assert proj["channel_ids"] == [town]  # a channel ann is not in is dropped
    found = await cats(ann, team)
    assert found["order"][1] == proj["id"] and len(found["order"]) == 4
    assert [c["sort_order"] for c in found["categories"]] == [0, 10, 20, 30]
    assert by_type(found, "channels")["channel_ids"] == [off]
    await until(lambda: any(e["event"] == "sidebar_category_created" for e in events))
    created = [e for e in events if e["event"] == "sidebar_category_created"]
    assert created and created[-1]["data"] == {"category_id": proj["id"]}
    assert created[-1]["broadcast"]["user_id"] == ann.user["id"]
    assert created[-1]["broadcast"]["team_id"] == team["id"]

    # move off-topic into Projects: both categories are sent, as the apps do
    chans = by_type(found, "channels")
    proj["channel_ids"] = [off, town]
    chans["channel_ids"] = []
    r = await ann.put(base(ann, team), [proj, chans])
    assert r.status_code == 200, r.text
    assert [c["channel_ids"] for c in r.json()] == [[off, town], []]
    await until(lambda: any(e["event"] == "sidebar_category_updated" for e in events))
    upd = [e for e in events if e["event"] == "sidebar_category_updated"][-1]
    assert [c["id"] for c in json.loads(upd["data"]["updatedCategories"])] == [proj["id"], chans["id"]]
    # and back out of it with a single-category update: town goes back to Channels
    proj["channel_ids"] = [off]
    proj["sorting"] = "alpha"
    proj["collapsed"] = True
    proj["display_name"] = "Work"
    r = await ann.put(f"{base(ann, team)}/{proj['id']}", proj)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["sorting"], got["collapsed"], got["display_name"], got["channel_ids"]) == ("alpha", True, "Work", [off])
    assert by_type(await cats(ann, team), "channels")["channel_ids"] == [town]
    # a default category keeps its name
    chans["display_name"] = "Renamed"
    r = await ann.put(f"{base(ann, team)}/{chans['id']}", chans)
    assert r.status_code == 200 and r.json()["display_name"] == "Channels"

    # order
    order = found["order"]
    new_order = [order[2], order[0], order[1], order[3]]
    r = await ann.put(base(ann, team) + "/order", new_order)
    assert r.status_code == 200 and r.json() == new_order
    assert (await ann.get(base(ann, team) + "/order")).json() == new_order
    await until(lambda: any(e["event"] == "sidebar_category_order_updated" for e in events))
    ev = [e for e in events if e["event"] == "sidebar_category_order_updated"][-1]
    assert ev["data"] == {"order": new_order}
    async with Unchanged(world):
        assert_error(await ann.put(base(ann, team) + "/order", new_order[:3]), 400,
                     "app.channel.sidebar_categories.app_error")
        assert_error(await ann.put(base(ann, team) + "/order", [*new_order[:3], "x" * 26]), 400)
        assert_error(await ann.put(base(ann, team) + "/order", {"not": "a list"}), 400)

    # delete: the default ones cannot go; a custom one gives its channels back
    async with Unchanged(world):
        assert_error(await ann.delete(f"{base(ann, team)}/{chans['id']}"), 400,
                     "app.channel.sidebar_categories.app_error")
    r = await ann.delete(f"{base(ann, team)}/{proj['id']}")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    found = await cats(ann, team)
    assert proj["id"] not in found["order"] and len(found["order"]) == 3
    assert set(by_type(found, "channels")["channel_ids"]) == {town, off}
    await until(lambda: any(e["event"] == "sidebar_category_deleted" for e in events))
    assert [e["data"] for e in events if e["event"] == "sidebar_category_deleted"] == [{"category_id": proj["id"]}]
    assert_error(await ann.get(f"{base(ann, team)}/{proj['id']}"), 403)


async def test_favorites_follow_the_preference_both_ways(world: World) -> None:
    admin, ann, team = await setup(world)
    bob = await world.user("bob")
    await world.join(admin, team, bob)
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    uid = ann.user["id"]
    town = await channel_id(ann, team, "town-square")
    off = await channel_id(ann, team, "off-topic")
    dm = (await ann.post("/channels/direct", [uid, bob.user["id"]])).json()
    await cats(ann, team)
    team2 = await world.team(admin, "team2")
    await world.join(admin, team2, ann)
    pref = {"user_id": uid, "category": "favorite_channel", "name": town, "value": "true"}
    assert (await ann.put(f"/users/{uid}/preferences", [pref])).status_code == 200
    found = await cats(ann, team)
    assert by_type(found, "favorites")["channel_ids"] == [town]
    assert town not in by_type(found, "channels")["channel_ids"]
    await until(lambda: any(e["event"] == "sidebar_category_updated" and e["broadcast"]["user_id"] == uid for e in events))
    assert any(e["event"] == "sidebar_category_updated" and e["broadcast"]["user_id"] == uid for e in events)
    # a favorite DM is a favorite in every team
    dm_pref = {"user_id": uid, "category": "favorite_channel", "name": dm["id"], "value": "true"}
    assert (await ann.put(f"/users/{uid}/preferences", [dm_pref])).status_code == 200
    assert by_type(await cats(ann, team), "favorites")["channel_ids"] == [dm["id"], town]
    assert by_type(await cats(ann, team2), "favorites")["channel_ids"] == [dm["id"]]
    assert by_type(await cats(ann, team2), "direct_messages")["channel_ids"] == []
    # "false" and a deletion both take a channel out
    assert (await ann.put(f"/users/{uid}/preferences", [{**pref, "value": "false"}])).status_code == 200
    assert (await ann.post(f"/users/{uid}/preferences/delete", [dm_pref])).status_code == 200
    found = await cats(ann, team)
    assert by_type(found, "favorites")["channel_ids"] == []
    assert town in by_type(found, "channels")["channel_ids"]
    assert by_type(found, "direct_messages")["channel_ids"] == [dm["id"]]
    # favoriting through the category writes the preference; leaving Favorites removes it
    fav, chans = by_type(found, "favorites"), by_type(found, "channels")
    fav["channel_ids"] = [off]
    chans["channel_ids"] = [c for c in chans["channel_ids"] if c != off]
    assert (await ann.put(base(ann, team), [fav, chans])).status_code == 200
    prefs = (await ann.get(f"/users/{uid}/preferences/favorite_channel")).json()
    assert [(p["name"], p["value"]) for p in prefs] == [(off, "true")]
    fav["channel_ids"] = []
    chans["channel_ids"] = [*chans["channel_ids"], off]
    assert (await ann.put(base(ann, team), [fav, chans])).status_code == 200
    assert (await ann.get(f"/users/{uid}/preferences/favorite_channel")).json() == []
    # favorites saved before the categories exist are moved in when they are made
    team3 = await world.team(admin, "team3")
    three_town = await channel_id(admin, team3, "town-square")
    await ann.put(f"/users/{uid}/preferences", [{**pref, "name": three_town}])
    await world.join(admin, team3, ann)
    assert by_type(await cats(ann, team3), "favorites")["channel_ids"] == [three_town]


async def test_muting_a_category_mutes_its_channels(world: World) -> None:
    _admin, ann, team = await setup(world)
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    uid = ann.user["id"]
    town = await channel_id(ann, team, "town-square")
    off = await channel_id(ann, team, "off-topic")
    r = await ann.post(base(ann, team), {"user_id": uid, "team_id": team["id"], "display_name": "Quiet",
                                         "channel_ids": [town]})
    quiet = r.json()

    async def mark_unread(cid: str) -> str:
        return str((await ann.get(f"/channels/{cid}/members/{uid}")).json()["notify_props"]["mark_unread"])

    quiet["muted"] = True
    r = await ann.put(f"{base(ann, team)}/{quiet['id']}", quiet)
    assert r.status_code == 200 and r.json()["muted"] is True
    assert await mark_unread(town) == "mention" and await mark_unread(off) == "all"
    await until(lambda: any(e["event"] == "channel_member_updated"
                            and json.loads(e["data"]["channelMember"])["channel_id"] == town for e in events))
    assert any(e["event"] == "channel_member_updated" and json.loads(e["data"]["channelMember"])["channel_id"] == town
               for e in events)
    # a channel moved into the muted category is muted, one moved out is unmuted
    chans = by_type(await cats(ann, team), "channels")
    quiet["channel_ids"], chans["channel_ids"] = [off], [town]
    assert (await ann.put(base(ann, team), [quiet, chans])).status_code == 200
    assert await mark_unread(town) == "all" and await mark_unread(off) == "mention"
    quiet["muted"] = False
    assert (await ann.put(base(ann, team), [quiet])).status_code == 200
    assert await mark_unread(off) == "all"
    # Direct Messages cannot be muted
    dms = by_type(await cats(ann, team), "direct_messages")
    r = await ann.put(f"{base(ann, team)}/{dms['id']}", {**dms, "muted": True})
    assert r.status_code == 200 and r.json()["muted"] is False


async def test_membership_changes(world: World) -> None:
    admin, ann, team = await setup(world)
    uid = ann.user["id"]
    news = await world.channel(admin, team, "news")
    assert (await ann.post(f"/channels/{news['id']}/members", {"user_id": uid})).status_code == 201
    r = await ann.post(base(ann, team), {"user_id": uid, "team_id": team["id"], "display_name": "Read",
                                         "channel_ids": [news["id"]]})
    read = r.json()
    # leaving the channel takes it out; joining again puts it in Channels
    assert (await ann.delete(f"/channels/{news['id']}/members/{uid}")).status_code == 200
    r = await ann.get(f"{base(ann, team)}/{read['id']}")
    assert r.json()["channel_ids"] == []
    assert (await ann.post(f"/channels/{news['id']}/members", {"user_id": uid})).status_code == 201
    found = await cats(ann, team)
    assert news["id"] in by_type(found, "channels")["channel_ids"]
    assert by_type(found, "custom")["channel_ids"] == []
    # leaving the team clears the categories; joining again makes fresh ones
    assert (await ann.delete(f"/teams/{team['id']}/members/{uid}")).status_code == 200
    assert (await ann.get(base(ann, team))).json() == {"categories": [], "order": []}
    await world.join(admin, team, ann)
    found = await cats(ann, team)
    assert [c["type"] for c in found["categories"]] == ["favorites", "channels", "direct_messages"]


async def test_permissions_and_bad_input(world: World) -> None:
    admin, ann, team = await setup(world)
    bob = await world.user("bob")
    await world.join(admin, team, bob)
    uid = ann.user["id"]
    found = await cats(ann, team)
    chans = by_type(found, "channels")
    mine = base(ann, team)
    # another user may not read or change ann's categories; a system admin may
    assert_error(await bob.get(mine), 403, "api.context.permissions.app_error")
    assert_error(await bob.get(mine + "/order"), 403)
    assert_error(await bob.get(f"{mine}/{chans['id']}"), 403)
    async with Unchanged(world):
        assert_error(await bob.post(mine, {"user_id": uid, "team_id": team["id"], "display_name": "x"}), 403)
        assert_error(await bob.put(f"{mine}/{chans['id']}", chans), 403)
        assert_error(await bob.delete(f"{mine}/{chans['id']}"), 403)
        # bob cannot pass ann's category off as his own
        assert_error(await bob.put(base(bob, team), [chans]), 400, "api.context.invalid_param.app_error")
        # bad bodies
        assert_error(await ann.post(mine, {"user_id": bob.user["id"], "team_id": team["id"], "display_name": "x"}),
                     400)
        assert_error(await ann.post(mine, content=b"{not json"), 400)
        assert_error(await ann.post(mine, {"user_id": uid, "team_id": team["id"], "display_name": "x",
                                           "sorting": "sideways"}), 400)
        assert_error(await ann.post(mine, {"user_id": uid, "team_id": team["id"], "display_name": "x" * 65}), 400)
        assert_error(await ann.put(mine, {"id": chans["id"]}), 400)
        assert_error(await ann.put(mine, [chans, chans]), 400)
        assert_error(await ann.get(f"{mine}/not-a-category"), 400, "api.context.invalid_url_param.app_error")
        assert_error(await ann.get(f"/users/{uid}/teams/nope/channels/categories"), 400)
    r = await admin.get(mine)
    assert r.status_code == 200 and r.json() == found
    # "channel_ids": null is no channels, as Go reads it
    r = await ann.post(mine, {"user_id": uid, "team_id": team["id"], "display_name": "Empty", "channel_ids": None})
    assert r.status_code == 200 and r.json()["channel_ids"] == []
    assert (await ann.delete(f"{mine}/{r.json()['id']}")).status_code == 200
    found = await cats(ann, team)
    r = await admin.put(f"{mine}/{chans['id']}", {**chans, "collapsed": True})
    assert r.status_code == 200 and r.json()["collapsed"] is True
    # an admin asking for a category that does not exist gets a 404
    assert_error(await admin.get(f"{mine}/{'a' * 26}"), 404, "app.channel.sidebar_categories.app_error")
    assert_error(await admin.delete(f"{mine}/{'a' * 26}"), 404)


async def test_permanent_deletion_takes_the_categories(world: World) -> None:
    admin, ann, team = await setup(world)
    bob = await world.user("bob")
    await world.join(admin, team, bob)
    town = await channel_id(ann, team, "town-square")
    for c in (ann, bob):
        r = await c.post(base(c, team), {"user_id": c.user["id"], "team_id": team["id"], "display_name": "Mine",
                                         "channel_ids": [town]})
        assert r.status_code == 200, r.text
    world.srv.config.effective.ServiceSettings.EnableAPIUserDeletion = True
    world.srv.config.effective.ServiceSettings.EnableAPITeamDeletion = True

    async def rows() -> tuple[set[str], set[str]]:
        async with world.srv.db.read() as conn:
            cats_ = {r[0] for r in (await conn.execute(sa.select(tables.sidebarcategories.c.userid))).all()}
            chans = {r[0] for r in (await conn.execute(sa.select(tables.sidebarchannels.c.userid))).all()}
        return cats_, chans

    assert (await admin.delete(f"/users/{ann.user['id']}", params={"permanent": "true"})).status_code == 200
    assert await rows() == ({admin.user["id"], bob.user["id"]}, {bob.user["id"]})
    assert (await admin.delete(f"/teams/{team['id']}", params={"permanent": "true"})).status_code == 200
    assert await rows() == (set(), set())

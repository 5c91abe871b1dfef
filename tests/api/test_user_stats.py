"""/users/known and thread mention counts per channel — Mattermost's literal paths, answered rather
than caught by /users/{user_id} or /threads/{thread_id}."""

from __future__ import annotations

from tests.api.helpers import team_with
from tests.conftest import World, assert_error


async def test_known_users(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    admin, bob, carol = t.admin, t.members[0], t.members[1]
    dave = await world.user("dave")  # in no team, shares nothing with bob
    known = (await bob.get("/users/known")).json()
    assert sorted(known) == sorted([t.owner.user["id"], carol.user["id"]])
    assert (await dave.get("/users/known")).json() == []
    # deactivated people are left out
    assert (await admin.delete(f"/users/{carol.user['id']}")).status_code == 200
    assert (await bob.get("/users/known")).json() == [t.owner.user["id"]]
    assert (await world.client().get("/users/known")).status_code == 401


async def test_thread_mention_counts(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members[0], t.members[1]
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    root = await world.post(carol, town, "a question")
    await world.post(bob, town, "@carol see the thread", root_id=root["id"])
    await world.post(bob, town, "@carol and again", root_id=root["id"])
    threads = (await carol.get(f"/users/me/teams/{t.id}/threads")).json()
    mentions = threads["total_unread_mentions"]
    assert mentions >= 2
    url = f"/users/{carol.user['id']}/teams/{t.id}/threads/mention_counts"
    assert (await carol.get(url)).json() == {town["id"]: mentions}
    assert (await carol.get(f"/users/me/teams/{t.id}/threads/mention_counts")).json() == {town["id"]: mentions}
    assert (await bob.get(f"/users/me/teams/{t.id}/threads/mention_counts")).json() == {}
    assert_error(await bob.get(url), 403, "api.context.permissions.app_error")
    outsider = await world.user("zed")
    assert_error(await outsider.get(f"/users/me/teams/{t.id}/threads/mention_counts"), 403,
                 "api.context.permissions.app_error")
    # reading the thread clears it
    r = await carol.put(f"/users/me/teams/{t.id}/threads/{root['id']}/read/{2**41}")
    assert r.status_code == 200, r.text
    assert (await carol.get(url)).json() == {}

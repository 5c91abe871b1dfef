"""Channel search and autocomplete over HTTP: POST /teams/{id}/channels/search,
GET /teams/{id}/channels/autocomplete and /search_autocomplete."""

from __future__ import annotations

from tests.api.helpers import team_with
from tests.conftest import World, assert_error


async def test_channel_search_and_autocomplete(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    await world.channel(bob, t.team, "release-planning")
    await world.channel(bob, t.team, "releases-2024")
    await world.channel(carol, t.team, "release-secret", type="P")
    await world.channel(bob, t.team, "release-private", type="P")
    gone = await world.channel(bob, t.team, "old-release")
    assert (await bob.delete(f"/channels/{gone['id']}")).status_code == 200
    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()

    # search: public channels only, by name or display name, case-insensitive
    r = await bob.post(f"/teams/{t.id}/channels/search", {"term": "RELEASE"})
    assert r.status_code == 200, r.text
    assert {c["name"] for c in r.json()} == {"release-planning", "releases-2024"}
    r = await bob.post(f"/teams/{t.id}/channels/search", {"term": "release", "include_deleted": True})
    assert {c["name"] for c in r.json()} == {"release-planning", "releases-2024", "old-release"}
    r = await bob.post(f"/teams/{t.id}/channels/search", {"term": "50%"})
    assert r.status_code == 200 and r.json() == []

    # autocomplete: public ones and the caller's private ones, never others' private ones
    r = await bob.get(f"/teams/{t.id}/channels/autocomplete", params={"name": "release"})
    assert r.status_code == 200, r.text
    assert {c["name"] for c in r.json()} == {"release-planning", "releases-2024", "release-private"}
    r = await carol.get(f"/teams/{t.id}/channels/autocomplete", params={"name": "release"})
    assert {c["name"] for c in r.json()} == {"release-planning", "releases-2024", "release-secret"}

    # for search (in:): only the caller's own channels, with their direct messages
    r = await bob.get(f"/teams/{t.id}/channels/search_autocomplete", params={"name": "release"})
    assert {c["name"] for c in r.json()} == {"release-planning", "releases-2024", "release-private"}
    r = await bob.get(f"/teams/{t.id}/channels/search_autocomplete", params={"name": carol.user["id"][:6]})
    assert [c["id"] for c in r.json()] == [dm["id"]]
    r = await carol.get(f"/teams/{t.id}/channels/search_autocomplete", params={"name": "private"})
    assert r.json() == []

    # not a team member; bad team id
    eve = await world.user("eve")
    assert_error(await eve.post(f"/teams/{t.id}/channels/search", {"term": "release"}), 403)
    assert_error(await eve.get(f"/teams/{t.id}/channels/autocomplete", params={"name": "r"}), 403)
    assert_error(await bob.get("/teams/nope/channels/autocomplete", params={"name": "r"}), 400)
    assert_error(await bob.post(f"/teams/{t.id}/channels/search", {"term": 3}), 400)

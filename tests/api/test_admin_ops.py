"""Administration endpoints the CLI uses: moving a channel to another team, permanent deletion of
users and teams (gated by EnableAPIUserDeletion / EnableAPITeamDeletion), archived teams listed."""

from __future__ import annotations

from tests.api.helpers import Unchanged, channel_named, team_with
from tests.conftest import World


async def test_move_channel(world: World) -> None:
    t = await team_with(world, "alice", "bob")
    admin, alice = t.admin, t.members[0]
    other = await world.team(admin, "other")
    await world.join(admin, other, alice)
    ch = await world.channel(alice, t.team, "moving")
    hook = (await admin.post("/hooks/incoming", {"channel_id": ch["id"], "user_id": alice.user["id"]})).json()
    r = await admin.post(f"/channels/{ch['id']}/move", {"team_id": other["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["team_id"] == other["id"]
    assert (await channel_named(admin, other["id"], "moving"))["id"] == ch["id"]
    assert (await admin.get(f"/teams/{t.id}/channels/name/moving")).status_code == 404
    assert (await admin.get(f"/hooks/incoming/{hook['id']}")).json()["team_id"] == other["id"]
    # moving to where it already is changes nothing; a name taken in the destination is refused
    async with Unchanged(world):
        assert (await admin.post(f"/channels/{ch['id']}/move", {"team_id": other["id"]})).status_code == 200
    await world.channel(alice, t.team, "moving")
    async with Unchanged(world):
        r = await admin.post(f"/channels/{ch['id']}/move", {"team_id": t.id})
        assert r.status_code == 400 and "already exists" in r.json()["message"]


async def test_move_channel_members_and_permissions(world: World) -> None:
    t = await team_with(world, "alice", "bob")
    admin, alice, bob = t.admin, *t.members
    other = await world.team(admin, "other")
    ch = await world.channel(alice, t.team, "moving")
    await alice.post(f"/channels/{ch['id']}/members", {"user_id": bob.user["id"]})
    async with Unchanged(world):
        r = await alice.post(f"/channels/{ch['id']}/move", {"team_id": other["id"]})
        assert r.status_code == 403
        r = await admin.post(f"/channels/{ch['id']}/move", {"team_id": other["id"]})
        assert r.status_code == 400 and r.json()["id"] == "app.channel.move_channel.members_do_not_match.error"
        assert (await admin.post(f"/channels/{ch['id']}/move", {"team_id": "nope"})).status_code == 400
    r = await admin.post(f"/channels/{ch['id']}/move", {"team_id": other["id"], "force": True})
    assert r.status_code == 200
    members = (await admin.get(f"/channels/{ch['id']}/members")).json()
    assert members == []  # neither alice nor bob is in the other team
    dm = (await alice.post("/channels/direct", [alice.user["id"], bob.user["id"]])).json()
    r = await admin.post(f"/channels/{dm['id']}/move", {"team_id": other["id"]})
    assert r.status_code == 403


async def test_permanent_user_deletion(world: World) -> None:
    t = await team_with(world, "alice", "bob")
    admin, alice, bob = t.admin, *t.members
    town = await channel_named(alice, t.id, "town-square")
    root = await world.post(alice, town, "from alice")
    reply = await world.post(bob, town, "reply from bob", root_id=root["id"])
    await bob.post("/reactions", {"user_id": bob.user["id"], "post_id": root["id"], "emoji_name": "+1"})
    bob_post = await world.post(bob, town, "bob's own")
    await alice.post("/reactions", {"user_id": alice.user["id"], "post_id": bob_post["id"], "emoji_name": "tada"})
    async with Unchanged(world):
        r = await admin.delete(f"/users/{alice.user['id']}", params={"permanent": "true"})
        assert r.status_code == 401 and r.json()["id"] == "api.user.delete_user.not_enabled.app_error"
    world.srv.config.effective.ServiceSettings.EnableAPIUserDeletion = True
    assert (await bob.delete(f"/users/{alice.user['id']}", params={"permanent": "true"})).status_code == 403
    r = await admin.delete(f"/users/{alice.user['id']}", params={"permanent": "true"})
    assert r.status_code == 200, r.text
    assert (await admin.get(f"/users/{alice.user['id']}")).status_code == 404
    assert (await alice.get("/users/me")).status_code == 401  # sessions gone
    assert (await admin.get(f"/posts/{root['id']}")).status_code == 404
    # bob's posts stay; alice's reaction on them is gone
    assert (await admin.get(f"/posts/{reply['id']}")).status_code == 200
    assert (await admin.get(f"/posts/{bob_post['id']}/reactions")).json() in ([], None)
    # the plain DELETE still only deactivates
    assert (await admin.delete(f"/users/{bob.user['id']}")).status_code == 200
    assert (await admin.get(f"/users/{bob.user['id']}")).json()["delete_at"] > 0


async def test_permanent_team_deletion_and_archived_listing(world: World) -> None:
    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    ch = await world.channel(alice, t.team, "stuff")
    post = await world.post(alice, ch, "hello")
    keep = await world.team(admin, "keep")
    assert (await admin.delete(f"/teams/{keep['id']}")).status_code == 200  # archive
    names = {x["name"] for x in (await admin.get("/teams", params={"include_deleted": "true"})).json()}
    assert names == {"team1", "keep"}
    assert {x["name"] for x in (await admin.get("/teams")).json()} == {"team1"}
    async with Unchanged(world):
        r = await admin.delete(f"/teams/{t.id}", params={"permanent": "true"})
        assert r.status_code == 401 and r.json()["id"] == "api.team.delete_team.not_enabled.app_error"
    world.srv.config.effective.ServiceSettings.EnableAPITeamDeletion = True
    r = await admin.delete(f"/teams/{t.id}", params={"permanent": "true"})
    assert r.status_code == 200, r.text
    assert (await admin.get(f"/teams/{t.id}")).status_code == 404
    assert (await admin.get(f"/channels/{ch['id']}")).status_code == 404
    assert (await admin.get(f"/posts/{post['id']}")).status_code == 404
    assert (await alice.get("/users/me/teams")).json() == []
    assert (await admin.get(f"/users/{alice.user['id']}")).status_code == 200  # users stay


async def test_convert_user_to_bot_and_back(world: World) -> None:
    t = await team_with(world, "alice", "bob")
    admin, alice, bob = t.admin, *t.members
    async with Unchanged(world):
        assert (await bob.post(f"/users/{alice.user['id']}/convert_to_bot")).status_code == 403
    r = await admin.post(f"/users/{alice.user['id']}/convert_to_bot")
    assert r.status_code == 200, r.text
    bot = r.json()
    assert bot["user_id"] == alice.user["id"] and bot["username"] == "alice" and bot["owner_id"] == alice.user["id"]
    assert (await admin.get(f"/users/{alice.user['id']}")).json()["is_bot"] is True
    assert (await alice.get("/users/me")).status_code == 401  # sessions ended
    assert (await world.client().post("/users/login", {"login_id": "alice", "password": "password"})
            ).status_code == 401
    assert (await admin.post(f"/users/{alice.user['id']}/convert_to_bot")).status_code == 400
    # back to a user: a password is required and must satisfy the policy
    async with Unchanged(world):
        assert (await admin.post(f"/bots/{bot['user_id']}/convert_to_user", {})).status_code == 400
        assert (await admin.post(f"/bots/{bot['user_id']}/convert_to_user", {"password": "x"})).status_code == 400
        assert (await admin.post(f"/bots/{bob.user['id']}/convert_to_user",
                                 {"password": "password2"})).status_code == 404
    r = await admin.post(f"/bots/{bot['user_id']}/convert_to_user",
                         {"password": "password2", "email": "alice2@example.com"},
                         params={"set_system_admin": "true"})
    assert r.status_code == 200, r.text
    user = r.json()
    assert not user.get("is_bot") and user["email"] == "alice2@example.com"
    assert user["roles"] == "system_user system_admin"
    assert (await admin.get(f"/bots/{bot['user_id']}")).status_code == 404
    again = world.client()
    await again.login("alice", "password2")

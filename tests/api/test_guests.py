"""Guests made by an admin (POST /users/{id}/demote, /promote): memberships follow, and a guest may only
message people they share a channel with. (SAML/LDAP guests: test_saml.py, test_ldap.py.)"""

from __future__ import annotations

from tests.conftest import World, assert_error


async def test_demote_promote_and_direct_messages(world: World) -> None:
    admin = await world.user("admin")
    gil, ann, bob = await world.user("gil"), await world.user("ann"), await world.user("bob")
    team = await world.team(admin, "acme")
    await world.join(admin, team, gil, bob)  # ann is in no team
    gid = gil.user["id"]
    assert_error(await admin.post(f"/users/{gid}/demote"), 501, "api.team.demote_user_to_guest.disabled.error")
    world.srv.config.effective.GuestAccountsSettings.Enable = True
    assert_error(await gil.post(f"/users/{ann.user['id']}/demote"), 403)
    assert (await admin.post(f"/users/{gid}/demote")).status_code == 200
    assert (await admin.get(f"/users/{gid}")).json()["roles"] == "system_guest"
    tm = (await admin.get(f"/teams/{team['id']}/members/{gid}")).json()
    assert (tm["scheme_guest"], tm["scheme_user"]) == (True, False)
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    cm = (await admin.get(f"/channels/{town['id']}/members/{gid}")).json()
    assert (cm["scheme_guest"], cm["scheme_user"]) == (True, False)  # kept, as a channel guest
    assert (await gil.post("/channels", {"team_id": team["id"], "name": "g", "display_name": "G", "type": "O"})
            ).status_code == 403  # the session's roles changed at once

    # a guest sees only people they share a channel with
    ann_id, bob_id = ann.user["id"], bob.user["id"]
    assert_error(await gil.get(f"/users/{ann_id}"), 403)
    assert_error(await gil.get("/users/username/ann"), 403)
    assert (await gil.get(f"/users/{bob_id}")).status_code == 200
    assert [u["id"] for u in (await gil.post("/users/ids", [ann_id, bob_id])).json()] == [bob_id]
    assert (await gil.post("/users/search", {"term": "ann"})).json() == []
    assert [u["username"] for u in (await gil.post("/users/search", {"term": "bob"})).json()] == ["bob"]
    assert (await ann.get(f"/users/{gid}")).status_code == 200  # members see guests
    # and messages only them
    assert (await gil.post("/channels/direct", [gid, bob.user["id"]])).status_code == 201  # both in town-square
    assert_error(await gil.post("/channels/direct", [gid, ann.user["id"]]), 403)
    assert_error(await gil.post("/channels/group", [bob.user["id"], ann.user["id"]]), 403)
    assert (await ann.post("/channels/direct", [ann.user["id"], gid])).status_code == 201  # members may

    assert_error(await admin.post(f"/users/{bob.user['id']}/promote"), 400)
    assert (await admin.post(f"/users/{gid}/promote")).status_code == 200
    assert (await admin.get(f"/users/{gid}")).json()["roles"] == "system_user"
    cm = (await admin.get(f"/channels/{town['id']}/members/{gid}")).json()
    assert (cm["scheme_guest"], cm["scheme_user"]) == (False, True)
    assert (await gil.post("/channels/group", [bob.user["id"], ann.user["id"]])).status_code == 201
    # the roles API makes guests too, memberships included
    assert (await admin.put(f"/users/{gid}/roles", {"roles": "system_guest"})).status_code == 200
    tm = (await admin.get(f"/teams/{team['id']}/members/{gid}")).json()
    assert tm["scheme_guest"] is True
    audits = (await admin.get(f"/users/{gid}/audits")).json()
    assert [a["action"] for a in audits[:3]] == ["update_roles"] * 3
    # guest access turned off: a guest's sessions stop working (and come back with it)
    world.srv.config.effective.GuestAccountsSettings.Enable = False
    assert (await gil.get("/users/me")).status_code == 401
    assert (await admin.get("/users/me")).status_code == 200
    world.srv.config.effective.GuestAccountsSettings.Enable = True
    assert (await gil.get("/users/me")).status_code == 200


async def test_mfa_enforced_for_guests_only(world: World) -> None:
    cfg = world.srv.config.effective
    cfg.GuestAccountsSettings.Enable = cfg.GuestAccountsSettings.EnforceMultifactorAuthentication = True
    cfg.ServiceSettings.EnableMultifactorAuthentication = True
    admin = await world.user("admin")
    gus, mia = await world.user("gus"), await world.user("mia")
    assert (await admin.post(f"/users/{gus.user['id']}/demote")).status_code == 200
    assert_error(await gus.get("/users/me/teams"), 403, "api.context.mfa_required.app_error")
    assert (await gus.get("/users/me")).status_code == 200  # enough to set it up
    assert (await mia.get("/users/me/teams")).status_code == 200

"""GET /sharedchannels/users/{user_id}/can_dm/{other_user_id}: whether the web app should offer a direct
message (Mattermost's canUserDirectMessage, api4/shared_channel.go, answering from app
UserCanSeeOtherUser). chinwag has no remote users, so the answer is who ``user_id`` can see."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client, World, assert_error

GONE = "a" * 26  # a well-formed id no account has


async def _can_dm(c: Client, user_id: str, other_id: str) -> Any:
    r = await c.get(f"/sharedchannels/users/{user_id}/can_dm/{other_id}")
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"can_dm"}
    return r.json()["can_dm"]


async def test_members_can_message_everyone_guests_only_who_they_share_a_channel_with(world: World) -> None:
    admin = await world.user("admin")
    bob, ann, gil = await world.user("bob"), await world.user("ann"), await world.user("gil")
    team = await world.team(admin, "acme")
    await world.join(admin, team, bob, gil)  # ann is in no team
    bob_id, ann_id, gil_id = bob.user["id"], ann.user["id"], gil.user["id"]

    assert await _can_dm(bob, "me", ann_id) is True  # system_user holds view_members: everyone
    assert await _can_dm(bob, bob_id, bob_id) is True
    assert await _can_dm(ann, "me", gil_id) is True

    world.srv.config.effective.GuestAccountsSettings.Enable = True
    assert (await admin.post(f"/users/{gil_id}/demote")).status_code == 200
    assert await _can_dm(gil, "me", bob_id) is True  # both in town-square
    assert await _can_dm(gil, "me", ann_id) is False  # no channel in common
    assert await _can_dm(gil, "me", gil_id) is True
    # any signed-in caller may ask about any two accounts, as in Mattermost
    assert await _can_dm(bob, gil_id, ann_id) is False
    assert await _can_dm(ann, gil_id, bob_id) is True
    # a DM is a shared channel: once ann and gil have one (a member may open it), gil sees ann
    assert (await ann.post("/channels/direct", [ann_id, gil_id])).status_code == 201
    assert await _can_dm(gil, "me", ann_id) is True


async def test_the_view_members_permission_decides(world: World) -> None:
    admin = await world.user("admin")
    bob, ann, cat = await world.user("bob"), await world.user("ann"), await world.user("cat")
    team = await world.team(admin, "acme")
    await world.join(admin, team, bob, cat)
    bob_id, ann_id, cat_id = bob.user["id"], ann.user["id"], cat.user["id"]
    role = (await admin.get("/roles/name/system_user")).json()
    kept = [p for p in role["permissions"] if p != "view_members"]
    assert (await admin.put(f"/roles/{role['id']}/patch", {"permissions": kept})).status_code == 200
    # without it, a member sees only the people of their channels (team_user does not grant it either)
    assert await _can_dm(bob, "me", ann_id) is False
    assert await _can_dm(bob, "me", cat_id) is True  # town-square
    assert await _can_dm(admin, bob_id, ann_id) is False
    assert await _can_dm(bob, "me", admin.user["id"]) is True  # the admin made the team: town-square
    assert await _can_dm(admin, "me", ann_id) is True  # system_admin holds view_members


async def test_deactivated_unknown_and_restricted(world: World) -> None:
    admin = await world.user("admin")
    bob, ann = await world.user("bob"), await world.user("ann")
    bob_id, ann_id = bob.user["id"], ann.user["id"]
    # deactivation does not enter Mattermost's answer: the account keeps its roles
    assert (await admin.put(f"/users/{ann_id}/active", {"active": False})).status_code == 200
    assert await _can_dm(bob, "me", ann_id) is True
    assert await _can_dm(bob, ann_id, bob_id) is True
    # an account that does not exist has no roles or memberships: it sees nobody but itself; the other
    # side is not looked up (Mattermost looks at it only for a remote user's cluster)
    assert await _can_dm(bob, GONE, bob_id) is False
    assert await _can_dm(bob, GONE, GONE) is True
    assert await _can_dm(bob, "me", GONE) is True
    # TeamSettings.RestrictDirectMessage is applied when the channel is made, not here (as Mattermost)
    world.srv.config.effective.TeamSettings.RestrictDirectMessage = "team"
    assert await _can_dm(bob, "me", ann_id) is True


async def test_bad_ids_and_no_session(world: World) -> None:
    bob = await world.user("bob")
    bob_id = bob.user["id"]
    body = assert_error(await bob.get(f"/sharedchannels/users/junk/can_dm/{bob_id}"), 400,
                        "api.context.invalid_url_param.app_error")
    assert "user_id" in body["message"]
    body = assert_error(await bob.get(f"/sharedchannels/users/{bob_id}/can_dm/me"), 400,
                        "api.context.invalid_url_param.app_error")
    assert "other_user_id" in body["message"]
    assert_error(await world.client().get(f"/sharedchannels/users/{bob_id}/can_dm/{bob_id}"), 401,
                 "api.context.session_expired.app_error")

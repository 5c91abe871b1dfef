"""A team member's scheme roles set directly, and the first admin's marketplace visit."""

from __future__ import annotations

from tests.api.helpers import Unchanged, team_with
from tests.conftest import World, assert_error


async def test_team_member_scheme_roles(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    owner, bob, carol = t.owner, t.members[0], t.members[1]
    url = f"/teams/{t.id}/members/{carol.user['id']}/schemeRoles"
    body = {"scheme_admin": True, "scheme_user": True, "scheme_guest": False}
    assert_error(await bob.put(url, body), 403, "api.context.permissions.app_error")
    async with Unchanged(world):
        assert_error(await owner.put(url, {"scheme_user": True, "scheme_guest": True}), 400,
                     "api.team.update_team_member_roles.guest_and_user.app_error")
        assert_error(await owner.put(url, "nope"), 400, "api.context.invalid_param.app_error")
    r = await owner.put(url, body)
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    member = (await carol.get(f"/teams/{t.id}/members/{carol.user['id']}")).json()
    assert member["scheme_admin"] is True and member["scheme_user"] is True
    assert set(member["roles"].split()) == {"team_user", "team_admin"}
    # carol may now manage the team
    assert (await carol.put(f"/teams/{t.id}/patch", {"display_name": "Carol's"})).status_code == 200
    r = await owner.put(url, {"scheme_admin": False, "scheme_user": True, "scheme_guest": False})
    assert r.status_code == 200
    assert_error(await carol.put(f"/teams/{t.id}/patch", {"display_name": "Again"}), 403)
    assert_error(await owner.put(f"/teams/{t.id}/members/{'u' * 26}/schemeRoles", body), 404)


async def test_first_admin_visit_marketplace(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    url = "/plugins/marketplace/first_admin_visit"
    assert_error(await bob.get(url), 403, "api.context.permissions.app_error")
    assert_error(await bob.post(url, {}), 403, "api.context.permissions.app_error")
    assert (await admin.get(url)).json() == {"name": "FirstAdminVisitMarketplace", "value": "false"}
    assert (await admin.post(url, {"name": "FirstAdminVisitMarketplace", "value": "true"})).json() == {
        "status": "OK"}
    assert (await admin.get(url)).json() == {"name": "FirstAdminVisitMarketplace", "value": "true"}

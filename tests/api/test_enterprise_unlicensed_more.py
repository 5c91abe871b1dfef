"""Issue #16: the access control, custom profile attribute field, outgoing OAuth connection and cloud
operations answer as an unlicensed Mattermost 11 does — per operation, as a system admin and as a
member — never with a 404 of an unknown route."""

from __future__ import annotations

import pytest

from tests.conftest import World, assert_error

ID = "q" * 26
DENIED = (403, "api.context.permissions.app_error")


def _pap(name: str) -> tuple[int, str]:
    return 501, f"app.pap.{name}.app_error"


CPA = (403, "api.custom_profile_attributes.license_error")
OAUTH = (501, "api.context.outgoing_oauth_connection.not_available.configuration_disabled")
CWS = (400, "api.server.cws.needs_enterprise_edition")

#: method, path, body, what an admin gets, what a member gets
CASES = [
    ("PUT", "/access_control_policies", {"type": "parent"}, _pap("create_access_control_policy"), DENIED),
    ("POST", "/access_control_policies/search", {}, _pap("search_access_control_policies"), DENIED),
    ("PUT", "/access_control_policies/activate", {"entries": []}, _pap("update_access_control_policies_active"),
     DENIED),
    ("POST", "/access_control_policies/cel/check", {"expression": "true"}, _pap("check_expression"), DENIED),
    ("POST", "/access_control_policies/cel/test", {"expression": "true"}, _pap("check_expression"), DENIED),
    ("POST", "/access_control_policies/cel/validate_requester", {"expression": "true"}, _pap("check_expression"),
     DENIED),
    ("POST", "/access_control_policies/cel/visual_ast", {"expression": "true"}, _pap("expression_to_visual_ast"),
     DENIED),
    ("GET", f"/access_control_policies/{ID}", None, _pap("get_policy"), DENIED),
    ("DELETE", f"/access_control_policies/{ID}", None, _pap("delete_access_control_policy"), DENIED),
    ("POST", f"/access_control_policies/{ID}/assign", {"channel_ids": [ID]},
     _pap("assign_access_control_policy_to_channels"), DENIED),
    ("DELETE", f"/access_control_policies/{ID}/unassign", {"channel_ids": [ID]},
     _pap("unassign_access_control_policy_from_channels"), DENIED),
    ("GET", f"/access_control_policies/{ID}/activate?active=true", None,
     _pap("update_access_control_policies_active"), DENIED),
    ("GET", f"/access_control_policies/{ID}/resources/channels", None, _pap("get_policy"), DENIED),
    ("GET", "/custom_profile_attributes/fields", None, CPA, CPA),
    ("POST", "/custom_profile_attributes/fields", {"name": "x"}, CPA, DENIED),
    ("PATCH", f"/custom_profile_attributes/fields/{ID}", {"name": "x"}, CPA, DENIED),
    ("DELETE", f"/custom_profile_attributes/fields/{ID}", None, CPA, DENIED),
    ("GET", "/custom_profile_attributes/group", None, CPA, CPA),
    ("PATCH", "/custom_profile_attributes/values", {}, CPA, CPA),
    ("GET", "/oauth/outgoing_connections", None, OAUTH, DENIED),
    ("POST", "/oauth/outgoing_connections", {}, OAUTH, DENIED),
    ("POST", "/oauth/outgoing_connections/validate", {}, OAUTH, DENIED),
    ("GET", f"/oauth/outgoing_connections/{ID}", None, OAUTH, DENIED),
    ("PUT", f"/oauth/outgoing_connections/{ID}", {}, OAUTH, DENIED),
    ("DELETE", f"/oauth/outgoing_connections/{ID}", None, OAUTH, DENIED),
    ("GET", "/cloud/installation", None, CWS, CWS),
    ("GET", "/cloud/check-cws-connection", None, CWS, CWS),
    ("GET", "/cloud/preview/modal_data", None, (404, "app.cloud.preview_modal_bucket_url_not_configured"),
     (404, "app.cloud.preview_modal_bucket_url_not_configured")),
]


@pytest.mark.parametrize(("method", "path", "body", "as_admin", "as_member"), CASES,
                         ids=[f"{c[0]} {c[1]}" for c in CASES])
async def test_refused_as_unlicensed_mattermost(world: World, method: str, path: str, body: object,
                                                as_admin: tuple[int, str], as_member: tuple[int, str]) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert_error(await admin.request(method, path, json=body), *as_admin)
    assert_error(await bob.request(method, path, json=body), *as_member)


async def test_checks_before_the_refusals(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    team = await world.team(admin)
    await world.join(admin, team, bob)
    secret = await world.channel(admin, team, "secret", type="P")
    town = await world.channel(admin, team, "town")
    path = "/channels/{}/access_control/attributes"
    assert_error(await bob.get(path.format(secret["id"])), *DENIED)
    assert_error(await admin.get(path.format(secret["id"])), *_pap("get_channel_access_control_attributes"))
    await bob.post(f"/channels/{town['id']}/members", {"user_id": (await bob.get("/users/me")).json()["id"]})
    assert_error(await bob.get(path.format(town["id"])), *_pap("get_channel_access_control_attributes"))
    assert_error(await admin.get(path.format("x")), 400, "api.context.invalid_url_param.app_error")
    # malformed bodies and ids come before the permission and the refusal
    assert_error(await admin.put("/access_control_policies", content=b"{"), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.get("/access_control_policies/x"), 400, "api.context.invalid_url_param.app_error")
    # nothing to find without policies or attribute fields, after the checks
    search = f"/access_control_policies/{ID}/resources/channels/search"
    assert_error(await bob.post(search, {}), *DENIED)
    assert_error(await admin.post(search, content=b"null"), 400, "api.context.invalid_param.app_error")
    r = await admin.post(search, {"term": "a"})
    assert r.status_code == 200 and r.json() == {"channels": [], "total_count": 0}
    fields = "/access_control_policies/cel/autocomplete/fields"
    assert_error(await bob.get(f"{fields}?limit=10"), *DENIED)
    assert_error(await bob.get(f"{fields}?limit=10&channelId={town['id']}"), *DENIED)
    assert_error(await admin.get(f"{fields}?limit=0"), 400, "api.access_control_policy.get_fields.limit.app_error")
    assert_error(await admin.get(f"{fields}?limit=10&after=x"), 400, "api.context.invalid_param.app_error")
    r = await admin.get(f"{fields}?limit=10")
    assert r.status_code == 200 and r.json() == []
    # group-synced memberships: the permission, the user, then every chinwag user is not an LDAP user
    bob_id = (await bob.get("/users/me")).json()["id"]
    assert_error(await bob.post(f"/ldap/users/{bob_id}/group_sync_memberships"), *DENIED)
    assert_error(await admin.post(f"/ldap/users/{ID}/group_sync_memberships"), 404)
    assert_error(await admin.post(f"/ldap/users/{bob_id}/group_sync_memberships"), 400,
                 "api.user.add_user_to_group_syncables.not_ldap_user.app_error")
    # activating one policy wants ?active=true|false, and a token in a header, not the session cookie
    assert_error(await admin.get(f"/access_control_policies/{ID}/activate"), 400, "api.context.invalid_param.app_error")
    by_cookie = {"Cookie": f"MMAUTHTOKEN={admin.token}", "X-Requested-With": "XMLHttpRequest"}
    assert_error(await world.client().get(f"/access_control_policies/{ID}/activate?active=true", headers=by_cookie),
                 401, "api.context.session_cookie_not_allowed.app_error")
    # a team admin (who manages its outgoing webhooks) may list that team's connections: then the setting
    own = await world.team(bob, "team2")
    assert_error(await bob.get(f"/oauth/outgoing_connections?team_id={own['id']}"), *OAUTH)
    assert_error(await bob.get(f"/oauth/outgoing_connections?team_id={team['id']}"), *DENIED)
    # a session is needed, except to check the CWS connection
    assert_error(await world.client().get("/custom_profile_attributes/fields"), 401)
    assert_error(await world.client().get("/cloud/check-cws-connection"), *CWS)

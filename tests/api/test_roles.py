"""Roles through HTTP: Mattermost's built-in roles with their permission sets, read by name or id,
and patched by a system admin — the stored permissions are what every check then reads."""

from __future__ import annotations

import json
from typing import Any

from chinwag.model.permissions import SYSTEM_CONSOLE_ROLES
from tests.api.helpers import grant, team_with
from tests.conftest import Client, World, assert_error

#: the roles the System Console's permission pages ask for, beyond a user's own
CONSOLE_ROLES = ["system_admin", "system_user", "system_guest", "system_user_manager", "system_manager",
                 "system_read_only_admin", "system_custom_group_admin", "system_shared_channel_manager",
                 "system_secure_connection_manager", "shared_channel_manager", "secure_connection_manager",
                 "system_post_all", "system_post_all_public",
                 "system_user_access_token", "team_admin", "team_user", "team_guest", "team_post_all",
                 "team_post_all_public", "channel_admin", "channel_user", "channel_guest", "playbook_admin",
                 "playbook_member", "run_admin", "run_member"]


async def _role(c: Client, name: str) -> dict[str, Any]:
    r = await c.get(f"/roles/name/{name}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_every_console_role_is_served_with_mattermost_shape(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    r = await bob.post("/roles/names", [*CONSOLE_ROLES, "custom_group_user", "no_such_role"])
    assert r.status_code == 200, r.text
    roles = {x["name"]: x for x in r.json()}
    assert set(roles) == set(CONSOLE_ROLES) | {"custom_group_user"}
    assert set(CONSOLE_ROLES) <= set(SYSTEM_CONSOLE_ROLES)
    for role in roles.values():
        assert set(role) == {"id", "name", "display_name", "description", "create_at", "update_at", "delete_at",
                             "permissions", "scheme_managed", "built_in"}
        assert len(role["id"]) == 26 and role["built_in"] is True and role["delete_at"] == 0
        assert role["display_name"].startswith("authentication.roles.")
    assert roles["system_admin"]["display_name"] == "authentication.roles.global_admin.name"
    assert roles["system_user"]["scheme_managed"] is True and roles["system_manager"]["scheme_managed"] is False
    # Mattermost's sets, as a fresh install has them after its permission migrations
    assert "sysconsole_read_user_management_users" in roles["system_read_only_admin"]["permissions"]
    assert "sysconsole_write_user_management_users" not in roles["system_read_only_admin"]["permissions"]
    assert {"sysconsole_write_user_management_teams", "manage_team"} <= set(
        roles["system_user_manager"]["permissions"])
    assert roles["system_shared_channel_manager"]["permissions"] == ["manage_shared_channels"]
    assert roles["system_secure_connection_manager"]["permissions"] == ["manage_secure_connections"]
    # the same two under Mattermost 11.6's names: its System Console renders nothing until it has them
    assert roles["shared_channel_manager"]["permissions"] == ["manage_shared_channels"]
    assert roles["secure_connection_manager"]["permissions"] == ["manage_secure_connections"]
    assert roles["shared_channel_manager"]["display_name"] == "authentication.roles.shared_channel_manager.name"
    assert set(roles["system_post_all"]["permissions"]) >= {"create_post", "use_channel_mentions"}
    assert set(roles["system_user"]["permissions"]) == {
        "list_public_teams", "join_public_teams", "create_direct_channel", "create_group_channel", "view_members",
        "create_team", "create_custom_group", "edit_custom_group", "delete_custom_group", "restore_custom_group",
        "manage_custom_group_members", "manage_own_agent", "create_emojis", "delete_emojis"}
    assert set(roles["team_user"]["permissions"]) >= {"view_team", "join_public_channels", "create_public_channel",
                                                      "playbook_public_create", "invite_user"}
    assert "use_slash_commands" not in roles["channel_user"]["permissions"]  # deprecated in Mattermost
    assert set(roles["channel_guest"]["permissions"]) >= {"read_channel", "create_post", "upload_file"}
    # issue 19: Mattermost's team admin may not archive private channels it is not in
    team_admin = set(roles["team_admin"]["permissions"])
    assert "delete_private_channel" not in team_admin and "delete_public_channel" not in team_admin
    assert {"manage_team", "remove_user_from_team", "delete_others_posts", "manage_others_incoming_webhooks",
            "convert_private_channel_to_public"} <= team_admin
    sysadmin = set(roles["system_admin"]["permissions"])
    assert {"manage_system", "sysconsole_write_user_management_system_roles", "run_view"} <= sysadmin
    # by id and by name agree; GET /roles is for system admins
    one = roles["channel_user"]
    assert (await bob.get(f"/roles/{one['id']}")).json() == one
    assert (await bob.get("/roles/name/channel_user")).json() == one
    assert_error(await bob.get("/roles"), 403, "api.context.permissions.app_error")
    everything = (await admin.get("/roles")).json()
    assert {x["name"] for x in everything} >= set(CONSOLE_ROLES)


async def test_role_lookup_errors(world: World) -> None:
    bob = await world.user("bob")
    assert_error(await bob.get("/roles/name/nope"), 404, "app.role.get_by_name.app_error")
    assert_error(await bob.get(f"/roles/{'z' * 26}"), 404, "app.role.get.app_error")
    assert_error(await bob.get("/roles/short"), 400, "api.context.invalid_url_param.app_error")
    assert_error(await bob.get("/roles/name/Bad-Name"), 400, "api.context.invalid_url_param.app_error")
    assert_error(await bob.post("/roles/names", []), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post("/roles/names", ["ok", "Not Valid"]), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post("/roles/names", {"x": 1}), 400, "api.context.invalid_param.app_error")
    assert_error(await world.client().post("/roles/names", ["system_user"]), 401)


async def test_patch_changes_what_members_may_do(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    assert (await bob.post("/posts", {"channel_id": town["id"], "message": "before"})).status_code == 201
    channel_user = await _role(admin, "channel_user")
    without = [p for p in channel_user["permissions"] if p != "create_post"]
    assert_error(await bob.put(f"/roles/{channel_user['id']}/patch", {"permissions": without}), 403,
                 "api.context.permissions.app_error")
    r = await admin.put(f"/roles/{channel_user['id']}/patch", {"permissions": without})
    assert r.status_code == 200, r.text
    patched = r.json()
    assert "create_post" not in patched["permissions"] and patched["update_at"] >= channel_user["update_at"]
    assert (await bob.get("/roles/name/channel_user")).json()["permissions"] == patched["permissions"]
    assert_error(await bob.post("/posts", {"channel_id": town["id"], "message": "refused"}), 403,
                 "api.context.permissions.app_error")
    await grant(admin, "channel_user", "create_post")
    assert (await bob.post("/posts", {"channel_id": town["id"], "message": "again"})).status_code == 201
    # a system-wide permission: members may not create teams once system_user loses it
    system_user = await _role(admin, "system_user")
    r = await admin.put(f"/roles/{system_user['id']}/patch",
                        {"permissions": [p for p in system_user["permissions"] if p != "create_team"]})
    assert r.status_code == 200
    assert_error(await bob.post("/teams", {"name": "bobs", "display_name": "Bob's", "type": "O"}), 403,
                 "api.context.permissions.app_error")


async def test_patch_validation(world: World) -> None:
    admin = await world.user("admin")
    channel_user = await _role(admin, "channel_user")
    url = f"/roles/{channel_user['id']}/patch"
    assert_error(await admin.put(url, {"permissions": ["no_such_permission"]}), 400,
                 "app.role.save.invalid_role.app_error")
    assert_error(await admin.put(url, {"permissions": [*channel_user["permissions"], "manage_roles"]}), 501,
                 "api.roles.patch_roles.not_allowed_permission.error")
    sysadmin = await _role(admin, "system_admin")
    assert_error(await admin.put(f"/roles/{sysadmin['id']}/patch", {"permissions": [
        p for p in sysadmin["permissions"] if p != "manage_system"]}), 501,
        "api.roles.patch_roles.not_allowed_permission.error")
    assert_error(await admin.put(url, content=b"{"), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.put(url, {"permissions": "create_post"}), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.put(f"/roles/{'z' * 26}/patch", {"permissions": []}), 404, "app.role.get.app_error")
    guest = await _role(admin, "channel_guest")
    assert_error(await admin.put(f"/roles/{guest['id']}/patch", {"permissions": []}), 501,
                 "api.roles.patch_roles.license.error")
    # nothing changed; an empty patch answers the role as it is
    assert await _role(admin, "channel_user") == channel_user
    r = await admin.put(url, {})
    assert r.status_code == 200 and r.json() == channel_user
    # duplicates are dropped; a deprecated permission is accepted as Mattermost does
    r = await admin.put(url, {"permissions": [*channel_user["permissions"], "use_slash_commands", "create_post"]})
    assert r.status_code == 200
    assert sorted(r.json()["permissions"]) == sorted({*channel_user["permissions"], "use_slash_commands"})


async def test_role_change_from_another_node_applies_here(world: World) -> None:
    """Another node's PATCH reaches this one as a role_updated event on the shared stream: the
    in-memory table every check reads follows it without a database read."""
    t = await team_with(world, "bob")
    bob = t.members[0]
    role = await _role(t.admin, "system_user")
    narrowed = {**role, "permissions": [p for p in role["permissions"] if p != "create_team"]}
    world.srv.app.core.observe({"event": "role_updated", "data": {"role": json.dumps(narrowed)}, "broadcast": {}})
    assert_error(await bob.post("/teams", {"name": "bobs", "display_name": "Bob's", "type": "O"}), 403,
                 "api.context.permissions.app_error")
    world.srv.app.core.observe({"event": "role_updated", "data": {"role": json.dumps(role)}, "broadcast": {}})
    assert (await bob.post("/teams", {"name": "bobs", "display_name": "Bob's", "type": "O"})).status_code == 201


async def test_team_admin_defaults_on_private_channels(world: World) -> None:
    """Issue 19: with Mattermost's default team-admin role, a team admin outside a private channel
    cannot archive it (no delete_private_channel); members of it can."""
    t = await team_with(world, "bob")
    bob = t.members[0]
    secret = await world.channel(bob, t.team, "secret", type="P")
    assert_error(await t.owner.delete(f"/channels/{secret['id']}"), 403, "api.context.permissions.app_error")
    assert (await bob.get(f"/channels/{secret['id']}")).json()["delete_at"] == 0
    assert (await bob.delete(f"/channels/{secret['id']}")).status_code == 200


async def test_ancillary_permissions(world: World) -> None:
    bob = await world.user("bob")
    got = (await bob.post("/permissions/ancillary", ["sysconsole_write_environment_smtp",
                                                     "sysconsole_read_reporting_server_logs"])).json()
    assert got == ["sysconsole_write_environment_smtp", "sysconsole_read_reporting_server_logs", "test_email",
                   "get_logs"]
    got = (await bob.get("/permissions/ancillary",
                         params={"subsection_permissions": "sysconsole_write_user_management_teams"})).json()
    assert set(got) >= {"manage_team", "remove_user_from_team", "add_user_to_team"}
    assert_error(await bob.post("/permissions/ancillary", {"x": 1}), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.get("/permissions/ancillary"), 400, "api.context.invalid_url_param.app_error")

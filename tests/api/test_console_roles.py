"""The System Console's sub-admin roles through HTTP (issue 20): a System Manager, a User Manager and a
Read-only Admin read the parts of GET /config their ``sysconsole_read_*`` permissions cover, change
only what their ``sysconsole_write_*`` permissions cover, and use the user-management endpoints as
Mattermost lets them; a plain user gets none of it."""

from __future__ import annotations

from typing import Any

from chinwag.config.schema import FAKE_SETTING
from chinwag.model.permissions import add_ancillary
from tests.api.helpers import grant
from tests.api.test_config import writable
from tests.conftest import Client, World, assert_error


async def _me(c: Client) -> dict[str, Any]:
    return dict((await c.get("/users/me")).json())


async def _with_role(world: World, admin: Client, name: str, role: str) -> Client:
    c = await world.user(name)
    me = await _me(c)
    r = await admin.put(f"/users/{me['id']}/roles", {"roles": f"system_user {role}"})
    assert r.status_code == 200, r.text
    return c


async def test_read_only_admin_reads_everything_it_may_and_changes_nothing(world: World) -> None:
    admin = await world.user("admin")
    reader = await _with_role(world, admin, "reader", "system_read_only_admin")
    bob = await world.user("bob")
    bob_id = (await _me(bob))["id"]
    world.srv.config.effective.EmailSettings.SMTPPassword = "hunter2"

    r = await reader.get("/config")
    assert r.status_code == 200, r.text
    cfg = r.json()
    assert cfg["TeamSettings"]["SiteName"] == "chinwag"
    assert cfg["ServiceSettings"]["SiteURL"] == "http://localhost:8065"
    assert cfg["EmailSettings"]["SMTPPassword"] == FAKE_SETTING  # readable, still masked
    assert cfg["SqlSettings"]["DataSource"] == FAKE_SETTING
    # settings that belong to no System Console page are the system admins' alone: null, as in Mattermost
    assert cfg["ServiceSettings"]["EnableLocalMode"] is None
    assert cfg["ImportSettings"]["Directory"] is None
    # Plugin Management (sysconsole_read_plugins; PluginSettings is tagged `plugins` in Mattermost): read only
    assert cfg["PluginSettings"]["Enable"] is True
    assert (await reader.get("/config/environment")).status_code == 200
    r = await reader.get("/plugins")
    assert r.status_code == 200, r.text
    assert (await reader.get("/plugins/statuses")).status_code == 200
    assert_error(await reader.post("/plugins/com.example.nope/enable"), 403, "api.context.permissions.app_error")
    assert_error(await reader.post("/plugins/com.example.nope/disable"), 403, "api.context.permissions.app_error")

    writable(world.srv)
    assert_error(await reader.put("/config/patch", {"TeamSettings": {"SiteName": "Nope"}}), 403,
                 "api.context.permissions.app_error")
    assert_error(await reader.put("/config", cfg), 403)
    assert world.srv.config.effective.TeamSettings.SiteName == "chinwag"

    # user management: reads, never writes
    assert (await reader.get("/users/stats/filtered")).status_code == 200
    assert (await reader.get("/channels")).status_code == 200
    assert (await reader.get(f"/users/{bob_id}/teams")).status_code == 200
    r = await reader.post("/users/search", {"term": "bob", "allow_inactive": True})
    assert r.status_code == 200 and [u["username"] for u in r.json()] == ["bob"]
    assert_error(await reader.put(f"/users/{bob_id}/active", {"active": False}), 403)
    assert_error(await reader.put(f"/users/{bob_id}/roles", {"roles": "system_user system_post_all"}), 403)
    assert_error(await reader.post(f"/users/{bob_id}/sessions/revoke/all"), 403)
    assert (await bob.get("/users/me")).status_code == 200
    # reporting: the Site Statistics, Server Logs and High Availability pages' reads
    assert (await reader.get("/analytics/old", params={"name": "standard"})).status_code == 200
    assert (await reader.get("/logs", params={"page": 0, "logs_per_page": 10})).status_code == 200
    assert (await reader.get("/cluster/status")).status_code == 200
    # the console's test buttons are a System Manager's (test_email, test_s3, test_ldap), not a reader's
    assert_error(await reader.post("/email/test", {}), 403)
    assert_error(await reader.post("/file/s3_test", {}), 403)


async def test_system_manager_writes_only_its_own_settings(world: World) -> None:
    admin = await world.user("admin")
    manager = await _with_role(world, admin, "manager", "system_manager")
    bob_id = (await _me(await world.user("bob")))["id"]
    writable(world.srv)

    r = await manager.get("/config")
    assert r.status_code == 200, r.text
    cfg = r.json()
    assert cfg["TeamSettings"]["SiteName"] == "chinwag"
    assert cfg["PluginSettings"]["Enable"] is True  # sysconsole_read_plugins, no write
    assert cfg["ServiceSettings"]["EnableLocalMode"] is None

    r = await manager.put("/config/patch", {"TeamSettings": {"SiteName": "Managed"},
                                            "PluginSettings": {"Enable": False},
                                            "ServiceSettings": {"EnableLocalMode": True}})
    assert r.status_code == 200, r.text
    assert r.json()["TeamSettings"]["SiteName"] == "Managed"
    live = world.srv.config.effective
    assert live.TeamSettings.SiteName == "Managed"
    assert live.PluginSettings.Enable is True  # the system admins' setting kept its value
    assert live.ServiceSettings.EnableLocalMode is False

    # PUT /config: the whole config sent back (with the nulls it could not read) changes only its part
    cfg["TeamSettings"]["SiteName"] = "Again"
    cfg["ServiceSettings"]["EnableAPIUserDeletion"] = True  # Site Configuration > Users and Teams
    r = await manager.put("/config", cfg)
    assert r.status_code == 200, r.text
    live = world.srv.config.effective
    assert live.TeamSettings.SiteName == "Again"
    assert live.ServiceSettings.EnableAPIUserDeletion is True
    assert live.PluginSettings.Enable is True
    assert (await manager.post("/config/reload")).status_code == 200  # reload_config

    # an admin still sees and changes everything
    r = await admin.get("/config")
    assert r.json()["PluginSettings"]["Enable"] is True

    # no user-management users permissions: the users pages' endpoints refuse
    assert_error(await manager.get("/users/stats/filtered"), 403)
    assert_error(await manager.put(f"/users/{bob_id}/active", {"active": False}), 403)
    assert (await manager.get("/channels")).status_code == 200  # user_management_channels
    r = await manager.post("/file/s3_test", None)  # test_s3: the File Storage page's button
    assert r.status_code == 200, r.text


async def test_user_manager_manages_users_but_not_admins(world: World) -> None:
    admin = await world.user("admin")
    um = await _with_role(world, admin, "um", "system_user_manager")
    bob = await world.user("bob")
    bob_id = (await _me(bob))["id"]
    admin_id = (await _me(admin))["id"]

    r = await um.get("/config")
    assert r.status_code == 200, r.text
    cfg = r.json()
    assert cfg["EmailSettings"]["EnableSignUpWithEmail"] is True  # authentication_email: read
    assert cfg["TeamSettings"]["SiteName"] is None  # site_customization: not its page
    assert cfg["ServiceSettings"]["ListenAddress"] is None  # environment_web_server: not its page
    assert cfg["ServiceSettings"]["SiteURL"] == "http://localhost:8065"  # also SAML's (authentication_saml)
    assert cfg["PluginSettings"]["Enable"] is None  # no sysconsole_read_plugins: no Plugin Management page
    assert_error(await um.get("/plugins"), 403)
    # no sysconsole_read_user_management_users in Mattermost's default User Manager: no Users page either
    assert_error(await um.get("/users/stats/filtered"), 403)
    # the settings MM_* variables pin: only those it may read
    env = (await um.get("/config/environment")).json()
    assert env["PasswordSettings"] == {"MinimumLength": True}  # authentication_password
    assert env["ServiceSettings"] == {"SiteURL": True}
    assert "SqlSettings" not in env and "FileSettings" not in env
    # it holds write permissions (teams, channels), none covering a setting: nothing changes
    writable(world.srv)
    r = await um.put("/config/patch", {"EmailSettings": {"EnableSignUpWithEmail": False}})
    assert r.status_code == 200, r.text
    assert world.srv.config.effective.EmailSettings.EnableSignUpWithEmail is True
    assert (await um.get("/channels")).status_code == 200
    assert (await um.post("/channels/search", {"term": ""})).status_code == 200
    r = await um.get("/teams", params={"include_total_count": "true"})
    assert r.status_code == 200, r.text

    # the role's Users page permissions with their ancillary ones, as the System Roles page grants them
    await grant(admin, "system_user_manager", *add_ancillary(["sysconsole_read_user_management_users",
                                                              "sysconsole_write_user_management_users"]))
    r = await um.get("/users/stats/filtered")
    assert r.status_code == 200 and r.json()["total_users_count"] >= 3
    assert (await um.get(f"/users/{bob_id}/teams")).status_code == 200
    r = await um.put(f"/users/{bob_id}/roles", {"roles": "system_user system_post_all"})
    assert r.status_code == 200, r.text
    for role in ("system_admin", "system_manager", "system_user_manager", "system_read_only_admin"):
        assert_error(await um.put(f"/users/{bob_id}/roles", {"roles": f"system_user {role}"}), 403)
    assert_error(await um.put(f"/users/{admin_id}/roles", {"roles": "system_user"}), 403)
    assert_error(await um.put(f"/users/{admin_id}/active", {"active": False}), 403)
    assert (await um.put(f"/users/{bob_id}/mfa", {"activate": False})).status_code == 200
    assert (await um.post(f"/users/{bob_id}/sessions/revoke/all")).status_code == 200
    assert (await bob.get("/users/me")).status_code == 401
    assert (await um.put(f"/users/{bob_id}/active", {"active": False})).status_code == 200
    assert (await admin.get(f"/users/{bob_id}")).json()["delete_at"] > 0


async def test_plain_user_gets_no_console(world: World) -> None:
    await world.user("admin")
    bob = await world.user("bob")
    carol_id = (await _me(await world.user("carol")))["id"]
    for r in (await bob.get("/config"), await bob.get("/config/environment"),
              await bob.put("/config/patch", {"TeamSettings": {"SiteName": "x"}}),
              await bob.get("/users/stats/filtered"), await bob.get("/channels"),
              await bob.post("/channels/search", {"term": ""}),
              await bob.get(f"/users/{carol_id}/teams"),
              await bob.put(f"/users/{carol_id}/active", {"active": False}),
              await bob.put(f"/users/{carol_id}/roles", {"roles": "system_user system_admin"}),
              await bob.post(f"/users/{carol_id}/sessions/revoke/all")):
        assert_error(r, 403)

"""The System Console's AD/LDAP buttons over HTTP: POST /ldap/test and POST /ldap/sync against a real
slapd (tests/sso/slapd.py), and their refusals."""

from __future__ import annotations

from chinwag.server import Server
from tests.api.test_ldap import ldap, login, person, slapd  # noqa: F401  (fixtures)
from tests.conftest import World, assert_error
from tests.sso.slapd import Slapd


async def test_ldap_test_and_sync_buttons(world: World, ldap: Slapd, server: Server) -> None:  # noqa: F811
    admin = await world.user("admin")
    alice = await world.user("alice")
    r = await admin.post("/ldap/test")
    assert r.status_code == 200 and r.json() == {"status": "OK"}

    uid, _ = person(ldap, "syncme")
    assert (await login(world, uid)).status_code == 200
    ldap.modify(uid, givenName="Renamed")
    assert (await admin.post("/ldap/sync")).json() == {"status": "OK"}
    user = (await admin.get(f"/users/username/{uid}")).json()
    assert user["first_name"] == "Renamed"

    assert_error(await alice.post("/ldap/test"), 403)
    assert_error(await alice.post("/ldap/sync"), 403)

    # a directory that does not answer: the test says so
    server.config.config.LdapSettings.LdapPort = 1
    err = assert_error(await admin.post("/ldap/test"), 500)
    assert err["id"].startswith("ent.ldap")
    server.config.config.LdapSettings.Enable = False
    assert_error(await admin.post("/ldap/test"), 501, "ent.ldap.disabled.app_error")
    assert_error(await admin.post("/ldap/sync"), 501, "ent.ldap.disabled.app_error")


async def test_migrate_id_attribute(world: World, ldap: Slapd, server: Server) -> None:  # noqa: F811
    """POST /ldap/migrateid: the accounts follow the directory's new ID attribute and still sign in."""
    admin = await world.user("admin")
    alice = await world.user("alice")
    uid, number = person(ldap, "mover")
    assert (await login(world, uid)).status_code == 200
    user = (await admin.get(f"/users/username/{uid}")).json()
    assert server.app.store is not None
    assert (await server.app.store.users.get(user["id"])).auth_data == str(number)

    assert_error(await admin.post("/ldap/migrateid", {}), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.post("/ldap/migrateid", content=b"{"), 400, "api.context.invalid_param.app_error")
    assert_error(await alice.post("/ldap/migrateid", {"toAttribute": "uid"}), 403,
                 "api.context.permissions.app_error")
    # an attribute the entry lacks: refused, nothing changed
    assert_error(await admin.post("/ldap/migrateid", {"toAttribute": "employeeType"}), 400,
                 "ent.ldap_id_migrate.app_error")
    assert (await server.app.store.users.get(user["id"])).auth_data == str(number)
    assert server.config.config.LdapSettings.IdAttribute == "uidNumber"

    r = await admin.post("/ldap/migrateid", {"toAttribute": "uid"})
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    assert (await server.app.store.users.get(user["id"])).auth_data == uid
    assert server.config.config.LdapSettings.IdAttribute == "uid"
    again = await login(world, uid)
    assert again.status_code == 200 and again.json()["id"] == user["id"]
    assert (await admin.post("/ldap/sync")).status_code == 200
    assert (await admin.get(f"/users/username/{uid}")).json()["delete_at"] == 0


async def test_test_connection_with_typed_settings(world: World, ldap: Slapd, server: Server) -> None:  # noqa: F811
    """POST /ldap/test_connection: the System Console tests the settings on its page before saving them,
    even with AD/LDAP still off; the masked bind password stands for the saved one."""
    from chinwag.config.schema import FAKE_SETTING

    admin = await world.user("admin")
    alice = await world.user("alice")
    saved = (await admin.get("/config")).json()["LdapSettings"]
    assert saved["BindPassword"] == FAKE_SETTING
    server.config.config.LdapSettings.Enable = False
    r = await admin.post("/ldap/test_connection", {**saved, "Enable": False})
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    # a wrong typed password, a changed server with the masked password, an unreachable server
    err = assert_error(await admin.post("/ldap/test_connection", {**saved, "BindPassword": "wrong"}), 500)
    assert err["id"].startswith("ent.ldap")
    assert_error(await admin.post("/ldap/test_connection", {**saved, "LdapPort": 1}), 400,
                 "api.ldap.test.reenter_password")
    err = assert_error(await admin.post("/ldap/test_connection", {**saved, "LdapPort": 1,
                                                                   "BindPassword": ldap.settings()["BindPassword"]}),
                       500)
    assert err["id"].startswith("ent.ldap")
    assert_error(await admin.post("/ldap/test_connection", content=b"["), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.post("/ldap/test_connection", {**saved, "LdapPort": "x", "BindPassword": "p"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await alice.post("/ldap/test_connection", saved), 403, "api.context.permissions.app_error")
    # nothing was saved
    assert server.config.config.LdapSettings.LdapPort == ldap.settings()["LdapPort"]

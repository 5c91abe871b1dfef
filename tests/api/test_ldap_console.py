"""The System Console's AD/LDAP buttons over HTTP: POST /ldap/test and POST /ldap/sync against a real
slapd (tests/sso/slapd.py), and their refusals."""

from __future__ import annotations

from typing import Any

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
    server.config.effective.LdapSettings.LdapPort = 1
    err = assert_error(await admin.post("/ldap/test"), 500)
    assert err["id"].startswith("ent.ldap")
    server.config.effective.LdapSettings.Enable = False
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
    assert server.config.effective.LdapSettings.IdAttribute == "uidNumber"

    r = await admin.post("/ldap/migrateid", {"toAttribute": "uid"})
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    assert (await server.app.store.users.get(user["id"])).auth_data == uid
    assert server.config.effective.LdapSettings.IdAttribute == "uid"
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
    server.config.effective.LdapSettings.Enable = False
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
    assert server.config.effective.LdapSettings.LdapPort == ldap.settings()["LdapPort"]


async def test_test_diagnostics_reports_filters_and_attributes(world: World, ldap: Slapd,  # noqa: F811
                                                               server: Server) -> None:
    """POST /ldap/test_diagnostics: the AD/LDAP page's per-setting checks, run with the typed settings
    against the directory and answered as Mattermost's LdapDiagnosticResult list."""
    from tests.sso.slapd import PEOPLE

    admin = await world.user("admin")
    alice = await world.user("alice")
    saved = (await admin.get("/config")).json()["LdapSettings"]
    tag = f"diag{id(world) % 100000}"
    one, _ = person(ldap, "dia", employeeType=tag, displayName="Di A")
    two, _ = person(ldap, "dib", employeeType=tag)
    group_dn = f"cn={tag}-devs,{PEOPLE}"
    with ldap.conn() as c:
        c.add(group_dn, ["groupOfNames"], {"cn": f"{tag}-devs", "description": f"{tag}-id",
                                           "member": [f"uid={one},{PEOPLE}"]})
    try:
        async def run(test: str, **settings: object) -> dict[str, dict[str, Any]]:
            r = await admin.post("/ldap/test_diagnostics", {**saved, **settings}, params={"test": test})
            assert r.status_code == 200, r.text
            return {item["test_name"]: item for item in r.json()}

        # filters: each setting's entries under the base DN; an empty one has an empty test_value
        found = await run("filters", AdminFilter=f"(employeeType={tag})", GuestFilter="",
                          GroupFilter=f"(cn={tag}-devs)", GroupDisplayNameAttribute="cn",
                          GroupIdAttribute="description")
        assert list(found) == ["BaseDN", "UserFilter", "GroupFilter", "GuestFilter", "AdminFilter"]
        assert found["BaseDN"]["test_value"] == PEOPLE and found["BaseDN"]["total_count"] >= 4
        assert found["UserFilter"]["total_count"] >= 2 and found["UserFilter"]["error"] == ""
        admins = found["AdminFilter"]
        assert admins["total_count"] == 2 and admins["error"] == ""
        assert {s["username"] for s in admins["sample_results"]} == {one, two}
        assert {s["email"] for s in admins["sample_results"]} == {f"{one}@corp.example", f"{two}@corp.example"}
        assert found["GroupFilter"]["total_count"] == 1
        assert found["GroupFilter"]["sample_results"] == [{"dn": group_dn, "display_name": f"{tag}-devs",
                                                           "id": f"{tag}-id"}]
        assert found["GuestFilter"]["test_value"] == "" and found["GuestFilter"]["total_count"] == 0
        # a filter the directory cannot parse is that item's error; the others still run
        broken = await run("filters", AdminFilter="(employeeType=", GuestFilter=f"(employeeType={tag}-none)")
        assert broken["AdminFilter"]["error"] != "" and broken["AdminFilter"]["total_count"] == 0
        assert broken["GuestFilter"]["error"] == "" and broken["GuestFilter"]["total_count"] == 0
        assert broken["GuestFilter"]["message"] == "No entries found"
        assert broken["UserFilter"]["total_count"] >= 2

        # attributes: of the users the filter finds, how many have each one
        attrs = await run("attributes", UserFilter=f"(employeeType={tag})", NicknameAttribute="displayName",
                          PositionAttribute="", PictureAttribute="jpegPhoto")
        assert attrs["IdAttribute"]["test_value"] == "uidNumber"
        assert (attrs["IdAttribute"]["total_count"], attrs["IdAttribute"]["entries_with_value"]) == (2, 2)
        nick = attrs["NicknameAttribute"]
        assert (nick["total_count"], nick["entries_with_value"], nick["error"]) == (2, 1, "")
        assert nick["sample_results"] == [{"dn": f"uid={one},{PEOPLE}",
                                           "available_attributes": {"displayName": "Di A"}}]
        assert attrs["PictureAttribute"]["entries_with_value"] == 0 and attrs["PictureAttribute"]["error"] != ""
        assert attrs["PositionAttribute"]["test_value"] == ""

        groups = await run("group_attributes", GroupFilter=f"(cn={tag}-devs)", GroupDisplayNameAttribute="cn",
                           GroupIdAttribute="description")
        assert list(groups) == ["GroupDisplayNameAttribute", "GroupIdAttribute"]
        assert (groups["GroupIdAttribute"]["total_count"], groups["GroupIdAttribute"]["entries_with_value"]) == (1, 1)
        assert groups["GroupIdAttribute"]["sample_results"] == [{"dn": group_dn,
                                                                 "available_attributes": {"description": f"{tag}-id"}}]

        # refusals, in Mattermost's order: permission, the test, the body, the password guard, the directory
        assert_error(await alice.post("/ldap/test_diagnostics", saved, params={"test": "filters"}), 403,
                     "api.context.permissions.app_error")
        assert_error(await admin.post("/ldap/test_diagnostics", saved), 400, "api.context.invalid_param.app_error")
        assert_error(await admin.post("/ldap/test_diagnostics", saved, params={"test": "everything"}), 400,
                     "api.context.invalid_param.app_error")
        assert_error(await admin.post("/ldap/test_diagnostics", content=b"[", params={"test": "filters"}), 400,
                     "api.context.invalid_param.app_error")
        assert_error(await admin.post("/ldap/test_diagnostics", {**saved, "LdapPort": 1}, params={"test": "filters"}),
                     400, "api.ldap.test.reenter_password")
        err = assert_error(await admin.post("/ldap/test_diagnostics", {**saved, "BindPassword": "wrong"},
                                            params={"test": "attributes"}), 500)
        assert err["id"].startswith("ent.ldap")
        # nothing was saved
        assert server.config.effective.LdapSettings.UserFilter == ldap.settings()["UserFilter"]
    finally:
        with ldap.conn() as c:
            c.delete(group_dn)
        ldap.delete(one)
        ldap.delete(two)

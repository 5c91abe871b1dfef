"""AD/LDAP sign-in and sync against a real slapd (tests/sso/slapd.py)."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chinwag.model.errors import AppError
from chinwag.server import Server, build
from tests.api.test_email_notifications import Clock
from tests.conftest import World, make_config
from tests.sso.slapd import Slapd, ensure_slapd

_numbers = itertools.count(6000)


@pytest.fixture(scope="session")
def slapd() -> Iterator[Slapd]:
    if not ensure_slapd():
        pytest.skip("slapd is missing and cannot be installed here (needs root and apt-get)")
    s = Slapd().start()
    yield s
    s.stop()


@pytest.fixture
def ldap(server: Server, slapd: Slapd) -> Slapd:
    section = server.config.effective.LdapSettings
    for key, value in slapd.settings().items():
        setattr(section, key, value)
    return slapd


def person(slapd: Slapd, uid: str, **extra: Any) -> tuple[str, int]:
    """A directory entry with a unique uid and number; returns (uid, number)."""
    n = next(_numbers)
    uid = f"{uid}{n}"
    slapd.add_person(uid, "ldap-pass", f"{uid}@corp.example", uid.title(), "Tester", n, **extra)
    return uid, n


async def login(world: World, login_id: str, password: str = "ldap-pass") -> Any:
    return await world.client().post("/users/login", {"login_id": login_id, "password": password})


async def test_first_ldap_login_creates_the_account(world: World, ldap: Slapd) -> None:
    await world.user("admin")
    uid, _ = person(ldap, "ann", title="Engineer")
    r = await login(world, uid)
    assert r.status_code == 200, r.text
    user = r.json()
    assert (user["username"], user["auth_service"], user["email"]) == (uid, "ldap", f"{uid}@corp.example")
    assert (user["first_name"], user["last_name"], user["position"]) == (uid.title(), "Tester", "Engineer")
    assert user["roles"] == "system_user"
    again = await login(world, uid)
    assert again.status_code == 200 and again.json()["id"] == user["id"]
    admin = world.admin
    assert admin is not None
    assert (await admin.get(f"/users/{user['id']}")).json()["auth_service"] == "ldap"
    wrong = await login(world, uid, "not-it")
    assert wrong.status_code == 401 and wrong.json()["id"] == "api.user.login.invalid_credentials_email_username"
    blank = await login(world, uid, "")
    assert blank.status_code == 400


async def test_admin_filter_grants_system_admin(world: World, ldap: Slapd) -> None:
    await world.user("admin")
    uid, _ = person(ldap, "boss", employeeType="admin")
    r = await login(world, uid)
    assert r.status_code == 200 and "system_admin" in r.json()["roles"].split()


async def test_guest_filter_on_login_and_sync_promotes_and_demotes(world: World, ldap: Slapd, server: Server) -> None:
    admin = await world.user("admin")
    server.config.effective.GuestAccountsSettings.Enable = True
    server.config.effective.LdapSettings.GuestFilter = "(employeeType=guest)"
    team = await world.team(admin, "acme")
    uid, _ = person(ldap, "gus", employeeType="guest")
    r = await login(world, uid)
    assert r.status_code == 200 and r.json()["roles"] == "system_guest"
    guest = world.client()
    guest.token = r.headers["Token"]
    user_id = r.json()["id"]
    assert (await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user_id})
            ).status_code == 201
    assert (await guest.get(f"/teams/{team['id']}/channels")).status_code == 403

    async def state() -> tuple[str, bool]:
        roles = (await admin.get(f"/users/{user_id}")).json()["roles"]
        return roles, (await admin.get(f"/teams/{team['id']}/members/{user_id}")).json()["scheme_guest"]

    ldap.modify(uid, employeeType="admin")  # the sync promotes, and the session follows
    assert (await server.app.ldap.sync()).updated == 1
    assert await state() == ("system_admin system_user", False)
    assert (await guest.get(f"/teams/{team['id']}/channels")).status_code == 200
    ldap.modify(uid, employeeType="guest")  # and demotes
    await server.app.ldap.sync()
    assert await state() == ("system_guest", True)
    assert (await guest.get(f"/teams/{team['id']}/channels")).status_code == 403
    ldap.modify(uid, employeeType="staff")
    r = await login(world, uid)  # a sign-in re-evaluates too
    assert r.status_code == 200 and r.json()["roles"] == "system_user"
    assert await state() == ("system_user", False)


async def test_local_accounts_still_sign_in_and_are_not_taken_over(world: World, ldap: Slapd) -> None:
    await world.user("admin")
    local = await world.client().post("/users/login", {"login_id": "admin", "password": "password"})
    assert local.status_code == 200
    n = next(_numbers)
    ldap.add_person(f"dup{n}", "ldap-pass", "admin@example.com", "Dup", "Licate", n)
    r = await login(world, f"dup{n}")
    assert r.status_code == 400 and r.json()["id"] == "api.user.create_oauth_user.already_attached.app_error"


async def test_sync_updates_deactivates_and_reactivates(world: World, ldap: Slapd, server: Server) -> None:
    await world.user("admin")
    uid, n = person(ldap, "cy")
    gone, _ = person(ldap, "dee")
    first = await login(world, uid)
    cy_token = first.headers["Token"]
    dee = await login(world, gone)
    dee_token = dee.headers["Token"]
    ldap.modify(uid, givenName="Cyrus", mail=f"cyrus{n}@corp.example")
    ldap.delete(gone)
    result = await server.app.ldap.sync()
    assert (result.updated, result.deactivated) == (1, 1)
    admin = world.admin
    assert admin is not None
    cy = (await admin.get(f"/users/{first.json()['id']}")).json()
    assert (cy["first_name"], cy["email"]) == ("Cyrus", f"cyrus{n}@corp.example")
    gone_user = (await admin.get(f"/users/{dee.json()['id']}")).json()
    assert gone_user["delete_at"] > 0
    c = world.client()
    c.token = dee_token
    assert (await c.get("/users/me")).status_code == 401  # sessions ended
    c.token = cy_token
    assert (await c.get("/users/me")).status_code == 200
    assert (await login(world, gone)).status_code == 401
    ldap.add_person(gone, "ldap-pass", f"{gone}@corp.example", "Dee", "Back", int(gone[3:]))
    assert (await server.app.ldap.sync()).reactivated == 1
    assert (await login(world, gone)).status_code == 200


async def test_periodic_sync_runs_on_one_node_at_a_time(world: World, ldap: Slapd, server: Server, database: Any,
                                                          tmp_path: Path) -> None:
    """Two servers over one database: the job lease lets one node sync per interval, never two at once;
    a claim left by a node that died goes stale and another node takes over."""
    if database.driver == "sqlite":
        pytest.skip("several nodes share a PostgreSQL or MySQL database (SQLite is single-node)")
    await world.user("admin")
    other = build(make_config(database, str(tmp_path / "node2")))
    for key, value in ldap.settings().items():
        setattr(other.config.effective.LdapSettings, key, value)
    nodes = [server.app.ldap, other.app.ldap]
    try:
        uid, _ = person(ldap, "ivy")
        r = await login(world, uid)
        ldap.modify(uid, givenName="Ivory")
        results = await asyncio.gather(*(n.sync_if_due() for n in nodes))
        assert [res is None for res in results].count(False) == 1  # exactly one node synced
        assert [res.updated for res in results if res is not None] == [1]
        admin = world.admin
        assert admin is not None
        assert (await admin.get(f"/users/{r.json()['id']}")).json()["first_name"] == "Ivory"
        assert [await n.sync_if_due() for n in nodes] == [None, None]  # not due again within the interval
        assert (await other.app.ldap.sync()).seen >= 1  # `chinwag ldap sync` runs whenever none is running

        clock = Clock(server)
        clock.advance(server.config.effective.LdapSettings.SyncIntervalMinutes * 60 + 1)
        now = server.app.core.now()
        assert await server.app.store.job_leases.claim("ldap_sync", "dead-node", now, now - 1000, now)
        assert await nodes[0].sync_if_due() is None  # due, but another node holds the claim
        with pytest.raises(AppError) as e:
            await nodes[0].sync()
        assert e.value.status_code == 409 and e.value.id == "ent.ldap.syncronize.running.app_error"
        clock.advance(nodes[0].claim_ttl_ms / 1000 + 1)
        assert await nodes[0].sync_if_due() is not None  # the dead node's claim went stale
    finally:
        await other.close()


async def test_ldap_unreachable_is_a_clear_error(world: World, ldap: Slapd, server: Server) -> None:
    await world.user("admin")
    server.config.effective.LdapSettings.LdapPort = 1  # nothing listens there
    r = await login(world, "someone")
    assert r.status_code == 500 and r.json()["id"] == "ent.ldap.do_login.unable_to_connect.app_error"


def test_cli_ldap_test_and_sync(slapd: Slapd, tmp_path: Path) -> None:
    exe = str(Path(sys.executable).parent / "chinwag")
    env = {**os.environ, "MM_CONFIG": str(tmp_path / "config.json"), "MM_SQLSETTINGS_DRIVERNAME": "sqlite",
           "MM_SQLSETTINGS_DATASOURCE": str(tmp_path / "db.sqlite"),
           "MM_FILESETTINGS_DIRECTORY": str(tmp_path / "files"),
           **{f"MM_LDAPSETTINGS_{k.upper()}": str(v).lower() if isinstance(v, bool) else str(v)
              for k, v in slapd.settings().items()}}
    subprocess.run([exe, "db", "migrate"], env=env, check=True, capture_output=True)
    out = subprocess.run([exe, "ldap", "test"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "AD/LDAP OK" in out.stdout
    out = subprocess.run([exe, "ldap", "sync"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "AD/LDAP sync:" in out.stdout
    bad = subprocess.run([exe, "ldap", "test"], env={**env, "MM_LDAPSETTINGS_BINDPASSWORD": "wrong"},
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "bind user was refused" in bad.stderr
    mapping = tmp_path / "ids.json"
    mapping.write_text('{"nobody@corp.example": "1"}')
    out = subprocess.run([exe, "user", "migrate-auth", "email", "gitlab", "--mapping", str(mapping), "--dry-run"],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "would migrate 0" in out.stdout


async def test_migrate_email_accounts_to_ldap(world: World, ldap: Slapd, server: Server) -> None:
    await world.user("admin")
    n = next(_numbers)
    ldap.add_person(f"eve{n}", "ldap-pass", f"eve{n}@corp.example", "Eve", "Moved", n)
    eve = await world.user(f"eve{n}", email=f"eve{n}@corp.example")
    await world.user("frank", email="frank@elsewhere.example")
    dry = await server.app.auth_migration.run("email", "ldap", dry_run=True)
    assert f"eve{n}" in dry.migrated and "frank" in dry.skipped
    assert (await login(world, f"eve{n}", "password")).status_code == 200  # nothing changed yet
    done = await server.app.auth_migration.run("email", "ldap")
    assert done.migrated == dry.migrated
    r = await login(world, f"eve{n}")  # the directory's password now
    assert r.status_code == 200 and r.json()["id"] == eve.user["id"] and r.json()["auth_service"] == "ldap"
    assert (await login(world, f"eve{n}", "password")).status_code == 401


async def test_migrate_with_a_mapping_and_ldap_to_saml(world: World, server: Server) -> None:
    await world.user("admin")
    gil = await world.user("gil", email="gil@corp.example")
    r = await server.app.auth_migration.run("email", "gitlab", mapping={"GIL@corp.example": "4242"})
    assert r.migrated == ["gil"] and r.skipped == ["admin"]
    admin = world.admin
    assert admin is not None
    user = (await admin.get(f"/users/{gil.user['id']}")).json()
    assert (user["auth_service"], user["auth_data"]) == ("gitlab", "4242")
    with pytest.raises(AppError):
        await server.app.auth_migration.run("email", "openid")  # no way to know the ids
    r2 = await server.app.auth_migration.run("gitlab", "saml", mapping={"gil@corp.example": "gil-saml"})
    assert r2.migrated == ["gil"]

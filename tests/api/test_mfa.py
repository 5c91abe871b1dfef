"""TOTP multi-factor authentication, lockout after failed logins, sessions ended by deactivation."""

from __future__ import annotations

import base64
import time

import pyotp

from tests.conftest import Client, World


def code(secret: str, steps_ahead: int = 0) -> str:
    return str(pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead))


async def enrol(c: Client) -> str:
    r = await c.post("/users/me/mfa/generate")
    assert r.status_code == 200, r.text
    secret = str(r.json()["secret"])
    assert base64.b64decode(r.json()["qr_code"]).startswith(b"\x89PNG\r\n")
    r = await c.put("/users/me/mfa", {"activate": True, "code": code(secret)})
    assert r.status_code == 200, r.text
    return secret


async def test_mfa_disabled_by_default(world: World) -> None:
    c = await world.user("admin")
    r = await c.post("/users/me/mfa/generate")
    assert r.status_code == 501 and r.json()["id"] == "mfa.mfa_disabled.app_error"
    r = await world.client().post("/users/mfa", {"login_id": "admin"})
    assert r.json() == {"mfa_required": False}


async def test_enrol_login_with_code_and_replay_refused(world: World) -> None:
    world.srv.config.effective.ServiceSettings.EnableMultifactorAuthentication = True
    await world.user("admin")
    alice = await world.user("alice")
    r = await alice.post("/users/me/mfa/generate")
    secret = r.json()["secret"]
    wrong = await alice.put("/users/me/mfa", {"activate": True, "code": "000000" if code(secret) != "000000"
                                              else "111111"})
    assert wrong.status_code == 401 and wrong.json()["id"] == "mfa.activate.bad_token.app_error"
    first = code(secret)
    ok = await alice.put("/users/me/mfa", {"activate": True, "code": first})
    assert ok.status_code == 200
    assert (await alice.get("/users/me")).json()["mfa_active"] is True
    assert (await world.client().post("/users/mfa", {"login_id": "alice"})).json() == {"mfa_required": True}
    assert (await world.client().post("/users/mfa", {"login_id": "nobody"})).json() == {"mfa_required": False}

    anon = world.client()
    r = await anon.post("/users/login", {"login_id": "alice", "password": "password"})
    assert r.status_code == 401 and r.json()["id"] == "api.user.check_user_mfa.bad_code.app_error"
    # the code used for activation is spent
    r = await anon.post("/users/login", {"login_id": "alice", "password": "password", "token": first})
    assert r.status_code == 401
    fresh = code(secret, 1)
    r = await anon.post("/users/login", {"login_id": "alice", "password": "password", "token": fresh})
    assert r.status_code == 200, r.text
    r = await anon.post("/users/login", {"login_id": "alice", "password": "password", "token": fresh})
    assert r.status_code == 401 and r.json()["id"] == "api.user.check_user_mfa.bad_code.app_error"
    # wrong password with a good code is still a wrong password
    r = await anon.post("/users/login", {"login_id": "alice", "password": "nope!", "token": code(secret, -1)})
    assert r.status_code == 401 and r.json()["id"] == "api.user.login.invalid_credentials_email_username"

    assert (await alice.put("/users/me/mfa", {"activate": False})).status_code == 200
    assert (await anon.post("/users/login", {"login_id": "alice", "password": "password"})).status_code == 200


async def test_enforced_mfa_blocks_everything_but_setup(world: World) -> None:
    s = world.srv.config.effective.ServiceSettings
    s.EnableMultifactorAuthentication = True
    admin = await world.user("admin")
    await world.team(admin)
    s.EnforceMultifactorAuthentication = True
    r = await admin.get("/users/me/teams")
    assert r.status_code == 403 and r.json()["id"] == "api.context.mfa_required.app_error"
    assert (await admin.get("/users/me")).status_code == 200
    await enrol(admin)
    assert (await admin.get("/users/me/teams")).status_code == 200


async def test_admin_can_reset_someone_elses_mfa(world: World) -> None:
    world.srv.config.effective.ServiceSettings.EnableMultifactorAuthentication = True
    admin = await world.user("admin")
    bob = await world.user("bob")
    await enrol(bob)
    assert (await world.client().post("/users/mfa", {"login_id": "bob"})).json()["mfa_required"] is True
    other = await world.user("carol")
    assert (await other.put(f"/users/{bob.user['id']}/mfa", {"activate": False})).status_code == 403
    assert (await admin.put(f"/users/{bob.user['id']}/mfa", {"activate": False})).status_code == 200
    assert (await world.client().post("/users/mfa", {"login_id": "bob"})).json()["mfa_required"] is False


async def test_lockout_after_maximum_login_attempts(world: World) -> None:
    world.srv.config.effective.ServiceSettings.MaximumLoginAttempts = 3
    await world.user("admin")
    await world.user("dave")
    anon = world.client()
    for _ in range(3):
        r = await anon.post("/users/login", {"login_id": "dave", "password": "wrong-one"})
        assert r.status_code == 401
    r = await anon.post("/users/login", {"login_id": "dave", "password": "password"})
    assert r.status_code == 401 and r.json()["id"] == "api.user.check_user_login_attempts.too_many.app_error"


async def test_deactivation_ends_sessions(world: World) -> None:
    admin = await world.user("admin")
    erin = await world.user("erin")
    assert (await erin.get("/users/me")).status_code == 200
    assert (await admin.delete(f"/users/{erin.user['id']}")).status_code == 200
    assert (await erin.get("/users/me")).status_code == 401


async def test_logins_and_failures_are_audited(world: World) -> None:
    from structlog.testing import capture_logs

    await world.user("admin")
    await world.user("fay")
    with capture_logs() as logs:
        await world.client().post("/users/login", {"login_id": "fay", "password": "wrong-one"})
        await world.client().post("/users/login", {"login_id": "fay", "password": "password"})
    records = [(r["action"], r["status"], r.get("error", "")) for r in logs if r.get("event") == "audit"]
    assert records == [("login", "fail", "api.user.login.invalid_credentials_email_username"),
                       ("login", "success", "")]
    assert all("password" not in r for r in logs)

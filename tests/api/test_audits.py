"""Audit records: stored for sign-ins, failures, lockouts, MFA, password and role changes, served by
GET /users/{user_id}/audits (the user's own, or anyone's for an admin)."""

from __future__ import annotations

from typing import Any

from tests.api.test_mfa import enrol
from tests.conftest import World, assert_error


def actions(audits: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(a["action"], a["extra_info"].split(" ", 1)[0]) for a in audits]


async def test_own_audits_newest_first_with_mattermost_fields(world: World) -> None:
    world.srv.config.effective.ServiceSettings.EnableMultifactorAuthentication = True
    admin = await world.user("admin")
    alice = await world.user("alice")  # logged in once
    anon = world.client()
    r = await anon.post("/users/login", {"login_id": "alice", "password": "wrong"})
    assert r.status_code == 401
    r = await anon.post("/users/login", {"login_id": "nobody-at-all", "password": "wrong"})
    assert r.status_code == 401
    await enrol(alice)
    assert (await alice.put("/users/me/password", {"current_password": "nope", "new_password": "password2"})
            ).status_code == 400
    assert (await alice.put("/users/me/password", {"current_password": "password", "new_password": "password2"})
            ).status_code == 200
    r = await alice.get("/users/me/audits")
    assert r.status_code == 200, r.text
    got = r.json()
    assert actions(got) == [("update_password", "success"), ("update_password", "fail"), ("mfa_activate", "success"),
                            ("login", "fail"), ("login", "success")]
    login = got[-1]
    assert set(login) == {"id", "create_at", "user_id", "action", "extra_info", "ip_address", "session_id"}
    assert login["user_id"] == alice.user["id"] and login["ip_address"] == "127.0.0.1"
    assert login["session_id"] and "auth_service=email" in login["extra_info"]
    assert "invalid_credentials" in got[-2]["extra_info"] and got[-2]["session_id"] == ""
    assert all("password2" not in a["extra_info"] for a in got)
    assert got[0]["create_at"] >= got[-1]["create_at"]
    page = (await alice.get("/users/me/audits?page=1&per_page=2")).json()
    assert [a["id"] for a in page] == [a["id"] for a in got[2:4]]

    # someone else's: only for an admin
    bob = await world.user("bob")
    assert_error(await bob.get(f"/users/{alice.user['id']}/audits"), 403)
    r = await admin.get(f"/users/{alice.user['id']}/audits")
    assert r.status_code == 200 and [a["id"] for a in r.json()] == [a["id"] for a in got]
    assert (await world.client().get(f"/users/{alice.user['id']}/audits")).status_code == 401

    # an admin's change to alice's roles is on alice's record, naming the admin
    assert (await admin.put(f"/users/{alice.user['id']}/roles", {"roles": "system_user system_user_access_token"})
            ).status_code == 200
    first = (await alice.get("/users/me/audits")).json()[0]
    assert first["action"] == "update_roles" and f"by={admin.user['id']}" in first["extra_info"]
    await alice.post("/users/logout")
    assert (await admin.get(f"/users/{alice.user['id']}/audits")).json()[0]["action"] == "logout"


async def test_lockout_is_recorded_once(world: World) -> None:
    world.srv.config.effective.ServiceSettings.MaximumLoginAttempts = 2
    admin = await world.user("admin")
    carol = await world.user("carol")
    anon = world.client()
    for _ in range(3):
        assert (await anon.post("/users/login", {"login_id": "carol", "password": "wrong"})).status_code == 401
    got = actions((await admin.get(f"/users/{carol.user['id']}/audits")).json())
    assert got[:4] == [("login", "fail"), ("lockout", "success"), ("login", "fail"), ("login", "fail")]
    assert got.count(("lockout", "success")) == 1
    last = (await admin.get(f"/users/{carol.user['id']}/audits?per_page=1")).json()[0]
    assert "too_many" in last["extra_info"]

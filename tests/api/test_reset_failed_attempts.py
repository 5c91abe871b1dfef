"""POST /users/{user_id}/reset_failed_attempts: the System Console unlocks an account locked by wrong
passwords (Mattermost 10+), over HTTP on both databases."""

from __future__ import annotations

from tests.conftest import World, assert_error


async def test_reset_failed_attempts_unlocks_the_account(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    world.srv.config.effective.ServiceSettings.MaximumLoginAttempts = 2

    async def login(password: str) -> int:
        r = await world.client().post("/users/login", {"login_id": "bob", "password": password})
        return r.status_code

    assert await login("wrong") == 401 and await login("wrong") == 401
    assert await login("password") == 401  # locked
    assert_error(await bob.post(f"/users/{bob.user['id']}/reset_failed_attempts"), 403,
                 "api.user.reset_password_failed_attempts.permissions.app_error")
    r = await admin.post(f"/users/{bob.user['id']}/reset_failed_attempts")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert await login("password") == 200

    assert_error(await admin.post(f"/users/{'x' * 26}/reset_failed_attempts"), 404)
    assert_error(await admin.post("/users/nope/reset_failed_attempts"), 400, "api.context.invalid_url_param.app_error")
    # an account of another sign-in service is not reset here
    r = await admin.put(f"/users/{bob.user['id']}/auth", {"auth_service": "gitlab", "auth_data": "1"})
    assert r.status_code == 200, r.text
    assert_error(await admin.post(f"/users/{bob.user['id']}/reset_failed_attempts"), 400,
                 "api.user.reset_password_failed_attempts.ldap_and_email_only.app_error")


async def test_users_with_invalid_emails(world: World) -> None:
    """GET /users/invalid_emails: password accounts whose email is outside the restricted domains."""
    admin = await world.user("admin", email="admin@corp.example")
    bob = await world.user("bob", email="bob@corp.example")
    await world.user("carl", email="carl@elsewhere.example")
    await world.user("dora", email="dora@gmail.example")
    team = world.srv.config.effective.TeamSettings
    team.EnableOpenServer = True
    assert_error(await admin.get("/users/invalid_emails"), 400)  # an open server: every email is fine
    team.EnableOpenServer = False
    team.RestrictCreationToDomains = "corp.example, gmail.example"
    r = await admin.get("/users/invalid_emails")
    assert r.status_code == 200, r.text
    assert [u["username"] for u in r.json()] == ["carl"]
    assert r.json()[0]["email"] == "carl@elsewhere.example" and "password" not in r.json()[0]
    team.RestrictCreationToDomains = ""
    assert [u["username"] for u in (await admin.get("/users/invalid_emails")).json()] == [
        "admin", "bob", "carl", "dora"]
    assert [u["username"] for u in (await admin.get("/users/invalid_emails", params={"per_page": 2, "page": 1})
                                     ).json()] == ["carl", "dora"]
    assert_error(await bob.get("/users/invalid_emails"), 403, "api.context.permissions.app_error")

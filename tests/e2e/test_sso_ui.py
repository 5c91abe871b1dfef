"""Single sign-on in the browser: Chromium, a real `chinwag serve`, and the test IdP process acting as
GitLab and as an OpenID Connect provider. Sign-up, sign-in, linking an email account, forged state,
a bad ID token, and an MFA login."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page
from tests.sso.process import IdpProcess

pytestmark = pytest.mark.e2e

CLIENT_ID, SECRET = "chinwag-e2e", "e2e-secret"
USERS = {
    "alice": {"id": 7001, "sub": "alice-7001", "username": "alice", "email": "alice@corp.example",
              "name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell"},
    "carol": {"id": 7003, "sub": "carol-7003", "username": "carol-gl", "email": "carol@corp.example",
              "name": "Carol Danvers"},
    "oscar": {"id": 7004, "sub": "oscar-7004", "username": "oscar", "email": "oscar@corp.example",
              "given_name": "Oscar", "family_name": "Wilde"},
}


@pytest.fixture(scope="module")
def idp() -> Iterator[IdpProcess]:
    p = IdpProcess().start()
    p.control(users=USERS)
    yield p
    p.stop()


def sso_server(idp: IdpProcess, **extra: str) -> ServerProcess:
    env = {**idp.gitlab_env(CLIENT_ID, SECRET), **idp.openid_env(CLIENT_ID, SECRET),
           "MM_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION": "true", **extra}
    srv = ServerProcess(**env)
    idp.register(CLIENT_ID, SECRET, srv.url)
    return srv.start()


@pytest.fixture(scope="module")
def chinwag(idp: IdpProcess) -> Iterator[ServerProcess]:
    srv = sso_server(idp)
    srv.create_user("admin")
    admin = srv.login("admin")
    with srv.api(admin) as c:
        r = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O", "allow_open_invite": True})
        assert r.status_code == 201, r.text
    yield srv
    srv.stop()


def at_idp(page: Any, login: str) -> None:
    page.get_by_role("heading", name="Sign in to the test IdP").wait_for()
    page.get_by_label("IdP username").fill(login)
    page.get_by_role("button", name="Authorize").click()


def signed_in_as(srv: ServerProcess, page: Any) -> dict[str, Any]:
    token = {c["name"]: c["value"] for c in page.context.cookies()}["MMAUTHTOKEN"]
    with srv.api(token) as c:
        return dict(c.get("/users/me").json())


def test_gitlab_sign_up_then_sign_in(browser: Any, chinwag: ServerProcess, idp: IdpProcess) -> None:
    page = new_page(browser)
    page.goto(chinwag.url + "/login")
    button = page.get_by_role("link", name="GitLab")
    button.wait_for()
    shot(page, "sso-01-login-buttons")
    assert page.get_by_role("link", name="Sign in with Test IdP").is_visible()
    button.click()
    at_idp(page, "alice")
    page.get_by_role("heading", name="Join a team").wait_for()  # a new account, in no team yet
    me = signed_in_as(chinwag, page)
    assert (me["username"], me["auth_service"], me["first_name"]) == ("alice", "gitlab", "Alice")
    page.get_by_role("button", name=re.compile("Acme")).click()
    page.get_by_role("heading", name="Town Square", exact=True, level=1).wait_for()
    shot(page, "sso-02-signed-in")
    page.context.close()

    # another browser: the same GitLab account signs in to the same chinwag account, straight to its team
    page = new_page(browser)
    page.goto(chinwag.url + "/acme/channels/off-topic")
    page.get_by_role("link", name="GitLab").click()
    at_idp(page, "alice")
    page.wait_for_url(re.compile(r"/acme/channels/off-topic$"))
    page.get_by_role("heading", name="Off-Topic", exact=True, level=1).wait_for()
    assert signed_in_as(chinwag, page)["id"] == me["id"]
    assert not page.errors, page.errors
    page.context.close()


def test_openid_sign_in(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser)
    page.goto(chinwag.url + "/login")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    at_idp(page, "oscar")
    page.get_by_role("heading", name="Join a team").wait_for()
    me = signed_in_as(chinwag, page)
    assert (me["username"], me["auth_service"], me["last_name"]) == ("oscar", "openid", "Wilde")
    page.context.close()


def test_link_email_account_to_gitlab(browser: Any, chinwag: ServerProcess) -> None:
    admin = chinwag.login("admin")
    with chinwag.api(admin) as c:
        r = c.post("/users", json={"username": "carol", "email": "carol@corp.example", "password": "password1"})
        assert r.status_code == 201, r.text
        carol_id = r.json()["id"]
        team = c.get("/teams/name/acme").json()
        assert c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": carol_id}
                      ).status_code == 201
    page = new_page(browser)
    login(page, chinwag.url, "carol")
    # team menu → Security → Sign-in method: switch to GitLab (POST /users/login/switch, then the provider)
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="Security").click()
    dialog = page.get_by_role("dialog", name="Security")
    assert dialog.get_by_test_id("signin-method").inner_text() == "Email and password"
    dialog.get_by_role("button", name="Switch to GitLab").click()
    dialog.get_by_label("Current password").fill("password1")
    shot(page, "sso-03a-security-switch")
    dialog.get_by_role("button", name="Switch to GitLab").click()
    at_idp(page, "carol")
    page.get_by_text("Your sign-in method changed").wait_for()
    shot(page, "sso-03-signin-changed")
    page.get_by_role("link", name="GitLab").click()
    at_idp(page, "carol")
    page.wait_for_url(re.compile(r"/acme/channels/"))
    me = signed_in_as(chinwag, page)
    assert (me["id"], me["username"], me["auth_service"]) == (carol_id, "carol", "gitlab")
    # and back: Security now offers email and password
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="Security").click()
    dialog = page.get_by_role("dialog", name="Security")
    assert dialog.get_by_test_id("signin-method").inner_text() == "GitLab"
    dialog.get_by_role("button", name="Switch to Email and password").click()
    dialog.get_by_label("New password", exact=True).fill("password2")
    dialog.get_by_label("Confirm the new password").fill("password2")
    dialog.get_by_role("button", name="Switch to Email and password").click()
    page.get_by_text("Your sign-in method changed").wait_for()
    login(page, chinwag.url, "carol", "password2")
    assert signed_in_as(chinwag, page)["auth_service"] == ""
    assert not page.errors, page.errors
    page.context.close()


def test_email_conflict_is_explained(browser: Any, chinwag: ServerProcess, idp: IdpProcess) -> None:
    idp.control(users={"dora": {"id": 7005, "username": "dora", "email": "dora@corp.example", "name": "Dora"}})
    admin = chinwag.login("admin")
    with chinwag.api(admin) as c:
        r = c.post("/users", json={"username": "dora", "email": "dora@corp.example", "password": "password1"})
        assert r.status_code == 201
    page = new_page(browser)
    page.goto(chinwag.url + "/login")
    page.get_by_role("link", name="GitLab").click()
    at_idp(page, "dora")
    page.get_by_role("heading", name="Sign-in failed").wait_for()
    assert "Please sign in using email and password" in page.locator("#sso-error").inner_text()
    assert "MMAUTHTOKEN" not in {c["name"] for c in page.context.cookies()}
    page.context.close()


def test_forged_state_and_bad_token_are_refused(browser: Any, chinwag: ServerProcess, idp: IdpProcess) -> None:
    page = new_page(browser)
    page.goto(chinwag.url + "/login")
    page.get_by_role("link", name="GitLab").click()
    page.get_by_role("heading", name="Sign in to the test IdP").wait_for()
    # the IdP is asked to send the browser back with a state the server never issued
    page.evaluate("() => { document.querySelector('input[name=state]').value = 'forged-' + 'x'.repeat(40); }")
    at_idp(page, "alice")
    page.get_by_role("heading", name="Sign-in failed").wait_for()
    assert page.locator("#sso-error").get_attribute("data-error-id") == \
        "api.user.authorize_oauth_user.invalid_state.app_error"

    for mode in ({"aud": "another-client"}, {"rogue_key": True}):
        idp.control(mode=mode)
        try:
            page.goto(chinwag.url + "/login")
            page.get_by_role("link", name="Sign in with Test IdP").click()
            at_idp(page, "oscar")
            page.get_by_role("heading", name="Sign-in failed").wait_for()
            assert page.locator("#sso-error").get_attribute("data-error-id") == \
                "api.user.authorize_oauth_user.invalid_token.app_error"
        finally:
            idp.control(mode={})
    assert "MMAUTHTOKEN" not in {c["name"] for c in page.context.cookies()}
    page.context.close()


def test_mfa_login(browser: Any, chinwag: ServerProcess) -> None:
    admin = chinwag.login("admin")
    chinwag.create_user("mfa-user", admin_token=admin)
    token = chinwag.login("mfa-user")
    with chinwag.api(token) as c:
        secret = c.post("/users/me/mfa/generate").json()["secret"]
        r = c.put("/users/me/mfa", json={"activate": True, "code": pyotp.TOTP(secret).now()})
        assert r.status_code == 200, r.text
    page = new_page(browser)
    page.goto(chinwag.url + "/login")
    page.get_by_label("Email or username").fill("mfa-user")
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Log in").click()
    code = page.get_by_label("MFA code")
    code.wait_for()
    shot(page, "sso-04-mfa")
    code.fill(pyotp.TOTP(secret).at(time.time() + 30))  # the next step: the activation code is spent
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Join a team").wait_for()
    assert signed_in_as(chinwag, page)["username"] == "mfa-user"
    page.context.close()


def test_gitlab_only_server_has_no_password_form(browser: Any, idp: IdpProcess) -> None:
    srv = sso_server(idp, MM_EMAILSETTINGS_ENABLESIGNUPWITHEMAIL="false",
                     MM_EMAILSETTINGS_ENABLESIGNINWITHEMAIL="false",
                     MM_EMAILSETTINGS_ENABLESIGNINWITHUSERNAME="false")
    try:
        srv.create_user("admin")  # the first account (the installer's) is always allowed
        page = new_page(browser)
        page.goto(srv.url + "/login")
        page.get_by_role("link", name="GitLab").wait_for()
        assert page.get_by_label("Password").count() == 0
        shot(page, "sso-05-gitlab-only")
        with httpx.Client(base_url=srv.url + "/api/v4") as c:
            r = c.post("/users/login", json={"login_id": "admin", "password": "password1"})
            assert r.status_code == 401
        page.get_by_role("link", name="GitLab").click()
        at_idp(page, "alice")
        page.get_by_role("heading", name="Join a team").wait_for()
        page.context.close()
    finally:
        srv.stop()


def test_enforced_mfa_is_set_up_after_login(browser: Any, idp: IdpProcess) -> None:
    srv = sso_server(idp, MM_SERVICESETTINGS_ENFORCEMULTIFACTORAUTHENTICATION="true")
    try:
        srv.create_user("admin")
        page = new_page(browser)
        page.goto(srv.url + "/login")
        page.get_by_label("Email or username").fill("admin")
        page.get_by_label("Password").fill("password1")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Set up multi-factor authentication").wait_for()
        page.get_by_role("img", name="QR code for your authenticator app").wait_for()  # once the secret arrives
        secret = page.get_by_test_id("mfa-secret").inner_text()
        shot(page, "sso-06-mfa-setup")
        page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Activate").click()
        page.get_by_role("heading", name=re.compile("Join a team|Teams")).wait_for()
        me = signed_in_as(srv, page)
        assert me["mfa_active"] is True
        page.context.close()
    finally:
        srv.stop()

"""GitLab and OpenID Connect sign-in over HTTP, against the test IdP process (tests/sso/idp.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlparse

import httpx
import pytest

from chinwag.server import Server
from tests.conftest import Client, World
from tests.sso.process import IdpProcess

SITE = "http://localhost:8065"
CLIENT_ID, SECRET = "chinwag-test", "s3cret-value"

ALICE = {"id": 101, "sub": "alice-sub", "username": "alice.gl", "email": "alice@corp.example",
         "name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell"}
BOB = {"id": 102, "sub": "bob-sub", "username": "Bob Smith", "email": "bob@corp.example", "name": "Bob Smith"}


@pytest.fixture(scope="session")
def idp() -> Iterator[IdpProcess]:
    p = IdpProcess().start()
    p.register(CLIENT_ID, SECRET, SITE)
    p.control(users={"alice": ALICE, "bob": BOB})
    yield p
    p.stop()


@pytest.fixture
def sso(server: Server, idp: IdpProcess) -> Iterator[IdpProcess]:
    cfg = server.config.effective
    for section, env in ((cfg.GitLabSettings, idp.gitlab_env(CLIENT_ID, SECRET)),
                         (cfg.OpenIdSettings, idp.openid_env(CLIENT_ID, SECRET))):
        for key, value in env.items():
            name = next(f for f in section.__struct_fields__ if f.upper() == key.rsplit("_", 1)[1])
            setattr(section, name, value == "true" if value in ("true", "false") else value)
    cfg.TeamSettings.EnableOpenServer = False
    idp.control(mode={})
    yield idp
    idp.control(mode={})


@pytest.fixture
async def browser(server: Server) -> AsyncIterator[Client]:
    c = Client(server)
    yield c
    await c.aclose()


async def start(c: Client, service: str, path: str = "login", **params: str) -> httpx.Response:
    return await c.http.get(f"{SITE}/oauth/{service}/{path}", params=params)


async def provider_login(idp: IdpProcess, authorize_url: str, login: str) -> str:
    """The person signs in at the IdP; returns where the IdP sends the browser back."""
    assert authorize_url.startswith(idp.url + "/oauth/authorize?")
    async with httpx.AsyncClient() as h:
        page = await h.get(authorize_url)
        assert page.status_code == 200, page.text
        form = dict(parse_qsl(urlparse(authorize_url).query), login=login)
        r = await h.post(idp.url + "/oauth/authorize", data=form)
    assert r.status_code == 302, r.text
    return r.headers["location"]


async def sign_in(c: Client, idp: IdpProcess, service: str, login: str, path: str = "login",
                  **params: str) -> httpx.Response:
    r = await start(c, service, path, **params)
    assert r.status_code == 302, r.text
    callback = await provider_login(idp, r.headers["location"], login)
    assert callback.startswith(f"{SITE}/signup/{service}/complete?")
    return await c.http.get(callback)


def error_id(r: httpx.Response) -> str:
    marker = 'data-error-id="'
    assert marker in r.text, r.text
    return r.text.split(marker, 1)[1].split('"', 1)[0]


async def me(c: Client, r: httpx.Response) -> dict[str, Any]:
    token = r.cookies.get("MMAUTHTOKEN") or c.http.cookies.get("MMAUTHTOKEN")
    assert token
    got = await c.http.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200, got.text
    return dict(got.json())


# ---------------------------------------------------------------------------------- GitLab


async def test_gitlab_authorize_redirect_has_state_and_pkce(world: World, sso: IdpProcess,
                                                            browser: Client) -> None:
    await world.user("admin")
    r = await start(browser, "gitlab")
    assert r.status_code == 302
    q = parse_qs(urlparse(r.headers["location"]).query)
    assert q["client_id"] == [CLIENT_ID] and q["scope"] == ["read_user"]
    assert q["redirect_uri"] == [f"{SITE}/signup/gitlab/complete"]
    assert q["code_challenge_method"] == ["S256"] and len(q["code_challenge"][0]) == 43
    assert len(q["state"][0]) >= 32
    set_cookie = r.headers["set-cookie"]
    assert "MMOAUTH=" in set_cookie and "HttpOnly" in set_cookie and "samesite=lax" in set_cookie.lower()


async def test_gitlab_signup_then_signin_same_account(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    r = await sign_in(browser, sso, "gitlab", "alice", redirect_to="/team1/channels/town-square")
    assert r.status_code == 302, r.text
    assert r.headers["location"] == "/team1/channels/town-square"
    user = await me(browser, r)
    assert user["auth_service"] == "gitlab" and user["username"] == "alice.gl"
    assert user["email"] == "alice@corp.example"
    assert (user["first_name"], user["last_name"]) == ("Alice", "Liddell")
    assert "MMOAUTH=" in r.headers.get("set-cookie", "") and r.cookies.get("MMCSRF")

    again = Client(world.srv)
    r2 = await sign_in(again, sso, "gitlab", "alice")
    assert r2.status_code == 302 and r2.headers["location"] == "/"
    assert (await me(again, r2))["id"] == user["id"]
    await again.aclose()
    admin = world.admin
    assert admin is not None
    found = await admin.get(f"/users/{user['id']}")
    assert found.json()["auth_service"] == "gitlab"
    # an SSO account has no password to log in with
    pw = await world.client().post("/users/login", {"login_id": "alice.gl", "password": "anything"})
    assert pw.status_code == 400 and pw.json()["id"] == "api.user.login.use_auth_service.app_error"


async def test_unsafe_redirect_to_is_dropped(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    r = await sign_in(browser, sso, "gitlab", "alice", redirect_to="https://evil.example/")
    assert r.status_code == 302 and r.headers["location"] == "/"


async def test_username_taken_gets_a_suffix(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    await world.user("bob-smith", email="other@example.com")
    r = await sign_in(browser, sso, "gitlab", "bob")
    user = await me(browser, r)
    assert user["username"] == "bob-smith1" and user["email"] == "bob@corp.example"


async def test_forged_state_is_refused(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    r = await start(browser, "gitlab")
    callback = await provider_login(sso, r.headers["location"], "alice")
    forged = callback.replace("state=", "state=x", 1)
    bad = await browser.http.get(forged)
    assert bad.status_code == 400 and error_id(bad) == "api.user.authorize_oauth_user.invalid_state.app_error"
    assert "MMAUTHTOKEN" not in bad.headers.get("set-cookie", "")


async def test_state_from_another_browser_or_replayed_is_refused(world: World, sso: IdpProcess,
                                                                 browser: Client) -> None:
    await world.user("admin")
    r = await start(browser, "gitlab")
    callback = await provider_login(sso, r.headers["location"], "alice")
    victim = Client(world.srv)  # login CSRF: someone else's browser, without the MMOAUTH cookie
    bad = await victim.http.get(callback)
    await victim.aclose()
    assert bad.status_code == 400 and error_id(bad) == "api.user.authorize_oauth_user.invalid_state.app_error"
    # the state was spent by that attempt: the rightful browser must start again
    replay = await browser.http.get(callback)
    assert replay.status_code == 400
    assert (await world.admin.get("/users/username/alice.gl")).status_code == 404  # type: ignore[union-attr]


async def test_email_conflict_does_not_take_over_the_account(world: World, sso: IdpProcess,
                                                             browser: Client) -> None:
    await world.user("admin")
    await world.user("alice", email="alice@corp.example", password="password")
    r = await sign_in(browser, sso, "gitlab", "alice")
    assert r.status_code == 400
    assert error_id(r) == "api.user.create_oauth_user.already_attached.app_error"
    assert "sign in using email and password" in r.text
    assert "MMAUTHTOKEN" not in r.headers.get("set-cookie", "")
    c = world.client()
    user = await c.login("alice", "password")
    assert user["auth_service"] == ""


async def test_gitlab_as_the_only_way_in(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    await world.user("carol")
    e = world.srv.config.effective.EmailSettings
    e.EnableSignUpWithEmail = e.EnableSignInWithEmail = e.EnableSignInWithUsername = False
    cfg = (await world.client().get("/config/client", params={"format": "old"})).json()
    assert cfg["EnableSignUpWithEmail"] == "false" and cfg["EnableSignUpWithGitLab"] == "true"
    signup = await world.client().post("/users", {"username": "dave", "email": "dave@example.com",
                                                  "password": "password"})
    assert signup.status_code == 403
    login = await world.client().post("/users/login", {"login_id": "carol", "password": "password"})
    assert login.status_code == 401
    r = await sign_in(browser, sso, "gitlab", "alice")
    assert r.status_code == 302 and (await me(browser, r))["username"] == "alice.gl"


async def test_user_creation_disabled_refuses_new_sso_accounts(world: World, sso: IdpProcess,
                                                               browser: Client) -> None:
    await world.user("admin")
    world.srv.config.effective.TeamSettings.EnableUserCreation = False
    r = await sign_in(browser, sso, "gitlab", "alice")
    assert r.status_code == 403 and error_id(r) == "api.user.create_user.disabled.app_error"


async def test_deactivated_sso_user_cannot_sign_in(world: World, sso: IdpProcess, browser: Client) -> None:
    admin = await world.user("admin")
    user = await me(browser, await sign_in(browser, sso, "gitlab", "alice"))
    assert (await admin.delete(f"/users/{user['id']}")).status_code == 200
    r = await sign_in(Client(world.srv), sso, "gitlab", "alice")
    assert r.status_code == 401 and error_id(r) == "api.user.login.inactive.app_error"


async def test_mobile_login_redirects_to_the_app_scheme(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    r = await sign_in(browser, sso, "gitlab", "alice", path="mobile_login", redirect_to="mmauth://callback")
    assert r.status_code == 302
    target = urlparse(r.headers["location"])
    assert (target.scheme, target.netloc) == ("mmauth", "callback")
    q = parse_qs(target.query)
    token = q["MMAUTHTOKEN"][0]
    assert q["MMCSRF"][0]
    app = Client(world.srv)  # the mobile app: the token from the URL, no browser cookies
    app.token = token
    assert (await app.get("/users/me")).json()["username"] == "alice.gl"
    await app.aclose()
    bad = await start(Client(world.srv), "gitlab", "mobile_login", redirect_to="https://evil.example/")
    assert bad.status_code == 400 and error_id(bad) == "api.invalid_custom_url_scheme"


async def test_disabled_or_unknown_service(world: World, sso: IdpProcess, browser: Client) -> None:
    world.srv.config.effective.GitLabSettings.Enable = False
    r = await start(browser, "gitlab")
    assert r.status_code == 501 and error_id(r) == "api.user.authorize_oauth_user.unsupported.app_error"
    r = await start(browser, "myspace")
    assert r.status_code == 501 and error_id(r) == "api.user.get_authorization_code.unsupported.app_error"


async def test_provider_error_is_shown(world: World, sso: IdpProcess, browser: Client) -> None:
    r = await browser.http.get(f"{SITE}/signup/gitlab/complete",
                               params={"error": "access_denied", "error_description": "The user said no"})
    assert r.status_code == 400 and "The user said no" in r.text


# ---------------------------------------------------------------------------------- OpenID Connect


async def test_openid_signup_maps_claims(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    r = await start(browser, "openid")
    q = parse_qs(urlparse(r.headers["location"]).query)
    assert q["scope"] == ["openid profile email"] and q["nonce"][0] and q["code_challenge"][0]
    callback = await provider_login(sso, r.headers["location"], "alice")
    done = await browser.http.get(callback)
    assert done.status_code == 302, done.text
    user = await me(browser, done)
    assert user["auth_service"] == "openid" and user["username"] == "alice.gl"
    assert (user["first_name"], user["last_name"]) == ("Alice", "Liddell")
    cfg = (await world.client().get("/config/client", params={"format": "old"})).json()
    assert cfg["EnableSignUpWithOpenId"] == "true" and cfg["OpenIdButtonText"] == "Sign in with Test IdP"


@pytest.mark.parametrize("mode", [
    {"aud": "someone-else"},
    {"rogue_key": True},
    {"nonce": "not-the-nonce"},
    {"iss": "https://impostor.example"},
    {"expired": True},
])
async def test_openid_bad_id_token_is_refused(world: World, sso: IdpProcess, browser: Client,
                                              mode: dict[str, Any]) -> None:
    await world.user("admin")
    sso.control(mode=mode)
    r = await sign_in(browser, sso, "openid", "alice")
    assert r.status_code == 401, r.text
    assert error_id(r) == "api.user.authorize_oauth_user.invalid_token.app_error"
    assert "MMAUTHTOKEN" not in r.headers.get("set-cookie", "")
    assert (await world.admin.get("/users/username/alice.gl")).status_code == 404  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------- switching


async def test_switch_email_to_gitlab_links_the_account(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    alice = await world.user("alice", email="alice@corp.example")
    bad = await browser.http.post("/users/login/switch", json={
        "current_service": "email", "new_service": "gitlab", "email": "alice@corp.example", "password": "nope"})
    assert bad.status_code == 401
    r = await browser.http.post("/users/login/switch", json={
        "current_service": "email", "new_service": "gitlab", "email": "alice@corp.example",
        "password": "password"})
    assert r.status_code == 200, r.text
    link = r.json()["follow_link"]
    assert parse_qs(urlparse(link).query)["code_challenge_method"] == ["S256"]
    callback = await provider_login(sso, link, "alice")
    done = await browser.http.get(callback)
    assert done.status_code == 302 and done.headers["location"] == "/login?extra=signin_change"
    assert (await alice.get("/users/me")).status_code == 401  # signed out everywhere
    pw = await world.client().post("/users/login", {"login_id": "alice", "password": "password"})
    assert pw.status_code == 400 and pw.json()["id"] == "api.user.login.use_auth_service.app_error"
    again = await sign_in(Client(world.srv), sso, "gitlab", "alice")
    user = await me(browser, again)
    assert user["id"] == alice.user["id"] and user["auth_service"] == "gitlab"


async def test_switch_to_sso_needs_the_same_email_at_the_provider(world: World, sso: IdpProcess,
                                                                   browser: Client) -> None:
    await world.user("admin")
    await world.user("zed", email="zed@corp.example")
    r = await browser.http.post("/users/login/switch", json={
        "current_service": "", "new_service": "openid", "email": "zed@corp.example", "password": "password"})
    done = await browser.http.get(await provider_login(sso, r.json()["follow_link"], "alice"))
    assert done.status_code == 400
    assert error_id(done) == "api.user.complete_switch_with_oauth.email_mismatch.app_error"
    assert (await world.client().post("/users/login", {"login_id": "zed", "password": "password"})).status_code \
        == 200


async def test_switch_gitlab_to_email(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    token = (await sign_in(browser, sso, "gitlab", "alice")).cookies["MMAUTHTOKEN"]
    c = Client(world.srv)
    c.token = token
    r = await c.post("/users/login/switch", {"current_service": "gitlab", "new_service": "email",
                                              "email": "someone@else.example", "new_password": "newpass1"})
    assert r.status_code == 403
    r = await c.post("/users/login/switch", {"current_service": "gitlab", "new_service": "email",
                                              "email": "alice@corp.example", "new_password": "newpass1"})
    assert r.status_code == 200 and r.json() == {"follow_link": "/login?extra=signin_change"}
    user = await world.client().login("alice.gl", "newpass1")
    assert user["auth_service"] == ""
    await c.aclose()


async def test_profile_follows_the_provider_on_sign_in(world: World, sso: IdpProcess, browser: Client) -> None:
    await world.user("admin")
    first = await me(browser, await sign_in(browser, sso, "gitlab", "bob"))
    assert (first["first_name"], first["last_name"]) == ("Bob", "Smith")
    sso.control(users={"bob": {**BOB, "name": "Robert Smith", "email": "robert@corp.example"}})
    try:
        again = Client(world.srv)
        user = await me(again, await sign_in(again, sso, "gitlab", "bob"))
        assert (user["id"], user["first_name"], user["email"]) == (first["id"], "Robert", "robert@corp.example")
        await again.aclose()
    finally:
        sso.control(users={"bob": BOB})

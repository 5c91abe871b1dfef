"""Mattermost as an OAuth 2.0 provider, over HTTP on both databases: app CRUD with its permissions and
config gate, the consent step, the code and refresh grants, the token as a bearer token, and
deauthorization. tests/compat/test_oauth_provider_compat.py drives the same flow with requests-oauthlib
against a real server process."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.api.helpers import Unchanged
from tests.conftest import Client, World, assert_error

ROOT = "http://localhost:8065"
CALLBACK = "https://app.example.com/callback"
APP = {"name": "Planner", "description": "plans things", "homepage": "https://app.example.com",
       "callback_urls": [CALLBACK], "icon_url": "https://app.example.com/icon.png"}


def _enable(world: World, on: bool = True) -> None:
    world.srv.config.effective.ServiceSettings.EnableOAuthServiceProvider = on


async def _app(admin: Client, **fields: Any) -> dict[str, Any]:
    r = await admin.post("/oauth/apps", {**APP, **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _code(c: Client, app: dict[str, Any], state: str = "xyz", **extra: str) -> str:
    r = await c.post(f"{ROOT}/oauth/authorize", {"response_type": "code", "client_id": app["id"],
                                                 "redirect_uri": CALLBACK, "state": state, **extra})
    assert r.status_code == 200, r.text
    target = urlsplit(r.json()["redirect"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == CALLBACK
    q = parse_qs(target.query)
    assert q["state"] == [state]
    return q["code"][0]


async def _token(c: Client, app: dict[str, Any], **form: str) -> Any:
    body = {"client_id": app["id"], "client_secret": app["client_secret"], "redirect_uri": CALLBACK, **form}
    return await c.http.post(f"{ROOT}/oauth/access_token", data=body)


async def test_oauth_app_crud_permissions_and_gate(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    # permission first, then the setting (as Mattermost)
    assert_error(await bob.post("/oauth/apps", APP), 403, "api.context.permissions.app_error")
    assert_error(await bob.get("/oauth/apps"), 403, "api.command.admin_only.app_error")
    async with Unchanged(world):
        assert_error(await admin.post("/oauth/apps", APP), 501, "api.oauth.register_oauth_app.turn_off.app_error")
    assert_error(await admin.get("/oauth/apps"), 501, "api.oauth.allow_oauth.turn_off.app_error")
    _enable(world)

    async with Unchanged(world):
        for bad, field in [({"name": ""}, "name"), ({"callback_urls": []}, "callback"),
                           ({"callback_urls": ["not a url"]}, "callback"), ({"homepage": ""}, "homepage"),
                           ({"icon_url": "ftp://x"}, "icon_url"), ({"description": "d" * 513}, "description")]:
            assert_error(await admin.post("/oauth/apps", {**APP, **bad}), 400, f"model.oauth.is_valid.{field}.app_error")
        assert_error(await admin.post("/oauth/apps", {**APP, "id": "a" * 26}), 400,
                     "app.oauth.save_app.existing.app_error")
        assert_error(await admin.post("/oauth/apps", content=b"{", headers={"Content-Type": "application/json"}),
                     400, "api.context.invalid_param.app_error")

    app = await _app(admin, is_trusted=True)
    assert len(app["id"]) == 26 and len(app["client_secret"]) == 26
    assert app["creator_id"] == admin.user["id"] and app["is_trusted"] is True
    assert app["create_at"] == app["update_at"] > 0
    assert set(app) == {"id", "creator_id", "create_at", "update_at", "client_secret", "name", "description",
                        "icon_url", "callback_urls", "homepage", "is_trusted", "mattermost_app_id"}

    r = await admin.get(f"/oauth/apps/{app['id']}")
    assert r.status_code == 200 and r.json() == app
    # any signed-in user reads the public info, without the secret
    info = (await bob.get(f"/oauth/apps/{app['id']}/info")).json()
    assert info["client_secret"] == "" and info["name"] == "Planner"
    assert_error(await bob.get(f"/oauth/apps/{app['id']}"), 403, "api.context.permissions.app_error")
    assert_error(await admin.get(f"/oauth/apps/{'b' * 26}"), 404, "app.oauth.get_app.find.app_error")
    assert_error(await admin.get("/oauth/apps/nope"), 400, "api.context.invalid_url_param.app_error")

    # update: the id in the body must be the URL's; creator, secret and create_at are kept
    assert_error(await admin.put(f"/oauth/apps/{app['id']}", {**app, "id": "c" * 26}), 400,
                 "api.context.invalid_param.app_error")
    r = await admin.put(f"/oauth/apps/{app['id']}", {**app, "name": "Planner 2", "client_secret": "x",
                                                      "creator_id": bob.user["id"], "is_trusted": False})
    assert r.status_code == 200, r.text
    upd = r.json()
    assert upd["name"] == "Planner 2" and upd["client_secret"] == app["client_secret"]
    assert upd["creator_id"] == admin.user["id"] and upd["is_trusted"] is False
    assert upd["update_at"] > app["update_at"]

    r = await admin.post(f"/oauth/apps/{app['id']}/regen_secret")
    assert r.status_code == 200 and r.json()["client_secret"] not in ("", app["client_secret"])

    other = await _app(admin, name="Other")
    r = await admin.get("/oauth/apps", params={"page": 0, "per_page": 1})
    assert [a["id"] for a in r.json()] == [app["id"]]
    assert {a["id"] for a in (await admin.get("/oauth/apps")).json()} == {app["id"], other["id"]}

    r = await admin.delete(f"/oauth/apps/{other['id']}")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert_error(await admin.get(f"/oauth/apps/{other['id']}"), 404, "app.oauth.get_app.find.app_error")
    _enable(world, False)
    assert_error(await bob.get(f"/oauth/apps/{app['id']}/info"), 501, "api.oauth.allow_oauth.turn_off.app_error")


async def test_manage_oauth_for_non_admins(world: World) -> None:
    """A role granted manage_oauth manages its own apps; others' need manage_system_wide_oauth."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    _enable(world)
    role = (await admin.get("/roles/name/system_user")).json()
    r = await admin.put(f"/roles/{role['id']}/patch", {"permissions": [*role["permissions"], "manage_oauth"]})
    assert r.status_code == 200, r.text
    mine = await _app(bob, is_trusted=True)
    assert mine["is_trusted"] is False  # only manage_system may make an app trusted
    admins = await _app(admin)
    assert [a["id"] for a in (await bob.get("/oauth/apps")).json()] == [mine["id"]]
    for method, path in [("GET", ""), ("DELETE", ""), ("POST", "/regen_secret")]:
        assert_error(await bob.request(method, f"/oauth/apps/{admins['id']}{path}"), 403,
                     "api.context.permissions.app_error")
    assert_error(await bob.put(f"/oauth/apps/{admins['id']}", admins), 403, "api.context.permissions.app_error")
    assert (await bob.delete(f"/oauth/apps/{mine['id']}")).status_code == 200


async def test_authorization_code_flow(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    _enable(world)
    app = await _app(admin)
    params = {"response_type": "code", "client_id": app["id"], "redirect_uri": CALLBACK, "state": "s1"}

    # not signed in: to the login page, coming back here afterwards
    anon = world.client()
    r = await anon.http.get(f"{ROOT}/oauth/authorize", params=params)
    assert r.status_code == 302
    loc = urlsplit(r.headers["location"])
    assert loc.path == "/login" and parse_qs(loc.query)["redirect_to"][0].startswith("/oauth/authorize?")
    # signed in, app neither trusted nor authorized yet: the consent page
    r = await bob.http.get(f"{ROOT}/oauth/authorize", params=params, headers=bob._headers(None))
    assert r.status_code == 200 and "Planner" in r.text
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    # a callback the app did not register
    r = await bob.http.get(f"{ROOT}/oauth/authorize", params={**params, "redirect_uri": "https://evil.example/cb"},
                           headers=bob._headers(None))
    assert r.status_code == 400 and "api.oauth.allow_oauth.redirect_callback.app_error" in r.text
    assert_error(await bob.post(f"{ROOT}/oauth/authorize", {**params, "redirect_uri": "https://evil.example/cb"}),
                 400, "api.oauth.allow_oauth.redirect_callback.app_error")
    assert_error(await bob.post(f"{ROOT}/oauth/authorize", {**params, "client_id": "x"}), 400,
                 "model.authorize.is_valid.client_id.app_error")

    code = await _code(bob, app, "s1")
    # wrong secret, wrong redirect_uri, bad grant
    r = await _token(bob, app, grant_type="authorization_code", code=code, client_secret="wrong")
    assert_error(r, 403, "api.oauth.get_access_token.credentials.app_error")
    assert_error(await _token(bob, app, grant_type="password"), 400, "api.oauth.get_access_token.bad_grant.app_error")
    assert_error(await _token(bob, app, grant_type="authorization_code"), 400,
                 "api.oauth.get_access_token.missing_code.app_error")
    r = await _token(bob, app, grant_type="authorization_code", code=code)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store" and r.headers["content-type"] == "application/json"
    tok = r.json()
    assert set(tok) == {"access_token", "token_type", "expires_in", "scope", "refresh_token", "id_token"}
    assert tok["token_type"] == "bearer" and tok["expires_in"] == 720 * 3600 and len(tok["refresh_token"]) == 26
    # a code is good once
    assert_error(await _token(bob, app, grant_type="authorization_code", code=code), 400,
                 "api.oauth.get_access_token.expired_code.app_error")

    # the token is a bearer token on the API, of an OAuth session for the app
    app_client = world.client()
    app_client.token = tok["access_token"]
    me = await app_client.get("/users/me")
    assert me.status_code == 200 and me.json()["id"] == bob.user["id"]
    sessions = (await bob.get(f"/users/{bob.user['id']}/sessions")).json()
    oauth = [s for s in sessions if s["is_oauth"]]
    assert len(oauth) == 1 and oauth[0]["props"]["oauth_app_id"] == app["id"]
    # an OAuth session may not authorize apps itself
    assert_error(await app_client.post(f"{ROOT}/oauth/authorize", params), 403, "api.context.permissions.app_error")

    # authorized apps: sanitized; another user's only for admins
    r = await bob.get(f"/users/{bob.user['id']}/oauth/apps/authorized")
    assert [(a["id"], a["client_secret"]) for a in r.json()] == [(app["id"], "")]
    assert_error(await bob.get(f"/users/{admin.user['id']}/oauth/apps/authorized"), 403)
    assert (await admin.get(f"/users/{bob.user['id']}/oauth/apps/authorized")).status_code == 200
    # once authorized, the authorize page sends the browser straight back with a code
    r = await bob.http.get(f"{ROOT}/oauth/authorize", params=params, headers=bob._headers(None))
    assert r.status_code == 302 and parse_qs(urlsplit(r.headers["location"]).query)["state"] == ["s1"]
    # a second code for the same user and app answers the grant it holds
    again = (await _token(bob, app, grant_type="authorization_code", code=await _code(bob, app))).json()
    assert again["access_token"] == tok["access_token"]

    # refresh: a new token; the old one stops working
    assert_error(await _token(bob, app, grant_type="refresh_token", refresh_token="nope"), 404,
                 "api.oauth.get_access_token.refresh_token.app_error")
    r = await _token(bob, app, grant_type="refresh_token", refresh_token=tok["refresh_token"])
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["access_token"] != tok["access_token"] and new["refresh_token"] != tok["refresh_token"]
    assert (await app_client.get("/users/me")).status_code == 401
    app_client.token = new["access_token"]
    assert (await app_client.get("/users/me")).status_code == 200
    assert_error(await _token(bob, app, grant_type="refresh_token", refresh_token=tok["refresh_token"]), 404)

    # deauthorize: the token dies and the app is no longer authorized
    assert_error(await bob.post(f"{ROOT}/oauth/deauthorize", {"client_id": "x"}), 400,
                 "api.context.invalid_param.app_error")
    r = await bob.post(f"{ROOT}/oauth/deauthorize", {"client_id": app["id"]})
    assert r.status_code == 200, r.text
    assert (await app_client.get("/users/me")).status_code == 401
    assert (await bob.get(f"/users/{bob.user['id']}/oauth/apps/authorized")).json() == []


async def test_trusted_app_pkce_implicit_and_delete(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    _enable(world)
    app = await _app(admin, is_trusted=True)
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {"response_type": "code", "client_id": app["id"], "redirect_uri": CALLBACK, "state": "t",
              "code_challenge": challenge, "code_challenge_method": "S256"}
    # trusted: no consent page
    r = await bob.http.get(f"{ROOT}/oauth/authorize", params=params, headers=bob._headers(None))
    assert r.status_code == 302
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    r = await _token(bob, app, grant_type="authorization_code", code=code)
    assert_error(r, 400, "model.authorize.validate_pkce.verifier_required.app_error")
    r = await bob.http.get(f"{ROOT}/oauth/authorize", params=params, headers=bob._headers(None))
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    r = await _token(bob, app, grant_type="authorization_code", code=code, code_verifier="w" * 50)
    assert_error(r, 400, "model.authorize.validate_pkce.verification_failed.app_error")
    r = await bob.http.get(f"{ROOT}/oauth/authorize", params=params, headers=bob._headers(None))
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    r = await _token(bob, app, grant_type="authorization_code", code=code, code_verifier=verifier)
    assert r.status_code == 200, r.text
    assert_error(await bob.post(f"{ROOT}/oauth/authorize", {**params, "code_challenge_method": "plain"}), 400,
                 "model.authorize.is_valid.code_challenge_method.unsupported.app_error")

    # implicit grant: the token in the fragment
    r = await bob.post(f"{ROOT}/oauth/authorize", {"response_type": "token", "client_id": app["id"],
                                                   "redirect_uri": CALLBACK, "state": "i"})
    frag = parse_qs(urlsplit(r.json()["redirect"]).fragment)
    assert frag["token_type"] == ["bearer"] and frag["state"] == ["i"]
    implicit = world.client()
    implicit.token = frag["access_token"][0]
    assert (await implicit.get("/users/me")).status_code == 200

    # deleting the app ends its sessions
    assert (await admin.delete(f"/oauth/apps/{app['id']}")).status_code == 200
    assert (await implicit.get("/users/me")).status_code == 401
    assert (await bob.get(f"/users/{bob.user['id']}/oauth/apps/authorized")).json() == []

    _enable(world, False)
    r = await bob.http.get(f"{ROOT}/oauth/authorize", params=params, headers=bob._headers(None))
    assert r.status_code == 501 and "api.oauth.authorize_oauth.disabled.app_error" in r.text
    r = await _token(bob, app, grant_type="authorization_code", code="c")
    assert_error(r, 501, "api.oauth.get_access_token.disabled.app_error")


async def _register(c: Client, body: Any) -> Any:
    return await c.http.post("/oauth/apps/register", json=body)


async def test_dynamic_client_registration(world: World) -> None:
    """``POST /oauth/apps/register`` (RFC 7591, Mattermost's registerOAuthClient): gated by both settings,
    open to anyone, RFC 7591 error bodies, a confidential client with a secret, a public one without."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    anon = world.client()
    body = {"redirect_uris": [CALLBACK], "client_name": "Agent", "client_uri": "https://app.example.com"}
    r = await _register(anon, body)
    assert r.status_code == 400 and r.json() == {"error": "unsupported_operation",
                                                 "error_description": "OAuth service provider is disabled"}
    _enable(world)
    r = await _register(anon, body)
    assert r.status_code == 400 and r.json() == {"error": "unsupported_operation",
                                                 "error_description": "Dynamic client registration is disabled"}
    world.srv.config.effective.ServiceSettings.EnableDynamicClientRegistration = True
    async with Unchanged(world):
        r = await anon.http.post("/oauth/apps/register", content=b"{", headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"
        for bad, description in [({"redirect_uris": []}, "At least one redirect URI is required."),
                                 ({"redirect_uris": ["not a url"]}, "Invalid redirect URI format."),
                                 ({**body, "client_name": "n" * 65}, "Client name must be 64 characters or less."),
                                 ({**body, "client_uri": "ftp://x"}, "Invalid client URI format."),
                                 ({**body, "token_endpoint_auth_method": "client_secret_basic"},
                                  "Unsupported token_endpoint_auth_method supplied.")]:
            r = await _register(anon, bad)
            assert r.status_code == 400 and r.json() == {"error": "invalid_client_metadata",
                                                         "error_description": description}, (bad, r.text)
        world.srv.config.effective.ServiceSettings.DCRRedirectURIAllowlist = ["https://*.example.com/**"]
        r = await _register(anon, {"redirect_uris": [CALLBACK, "https://evil.test/cb"]})
        assert r.status_code == 400 and r.json() == {
            "error": "invalid_redirect_uri", "error_description": "One or more redirect URIs do not match the allowlist"}

    # a confidential client (the default method)
    r = await _register(anon, body)
    assert r.status_code == 201, r.text
    client = r.json()
    assert len(client["client_id"]) == 26 and len(client["client_secret"]) == 26
    assert client == {"client_id": client["client_id"], "client_secret": client["client_secret"],
                      "redirect_uris": [CALLBACK], "token_endpoint_auth_method": "client_secret_post",
                      "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
                      "scope": "user", "client_name": "Agent", "client_uri": "https://app.example.com"}
    app = (await admin.get(f"/oauth/apps/{client['client_id']}")).json()
    assert app["creator_id"] == "" and app["is_dynamically_registered"] is True and app["homepage"] == body["client_uri"]
    assert app["client_secret"] == client["client_secret"] and app["name"] == "Agent"
    # the flow works with its secret
    code = await _code(bob, {"id": client["client_id"]})
    r = await _token(bob, {"id": client["client_id"], "client_secret": client["client_secret"]},
                     grant_type="authorization_code", code=code)
    assert r.status_code == 200 and r.json()["refresh_token"], r.text
    # an app created by a person cannot claim to be dynamically registered
    made = await _app(admin, is_dynamically_registered=True)
    assert "is_dynamically_registered" not in made

    # a public client: no secret, PKCE required, no refresh token
    r = await _register(anon, {"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none"})
    assert r.status_code == 201, r.text
    public = r.json()
    assert "client_secret" not in public and public["token_endpoint_auth_method"] == "none"
    assert public["client_name"] == "Dynamically Registered Client" and "client_uri" not in public
    params = {"response_type": "code", "client_id": public["client_id"], "redirect_uri": CALLBACK, "state": "p"}
    assert_error(await bob.post(f"{ROOT}/oauth/authorize", params), 400,
                 "api.oauth.allow_oauth.pkce_required_public.app_error")
    verifier = "q" * 60
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}
    no_secret = {"id": public["client_id"], "client_secret": ""}
    code = await _code(bob, {"id": public["client_id"]}, state="p", **pkce)
    r = await _token(bob, {**no_secret, "client_secret": "guess"}, grant_type="authorization_code", code=code,
                     code_verifier=verifier)
    assert_error(r, 400, "model.oauth.validate_grant.public_client_secret.app_error")
    r = await _token(bob, no_secret, grant_type="authorization_code", code=code)
    assert_error(r, 400, "model.oauth.validate_grant.pkce_required.app_error")
    code = await _code(bob, {"id": public["client_id"]}, state="p", **pkce)
    r = await _token(bob, no_secret, grant_type="authorization_code", code=code, code_verifier=verifier)
    assert r.status_code == 200, r.text
    grant = r.json()
    assert grant["refresh_token"] == ""
    me = await bob.http.get("/users/me", headers={"Authorization": f"Bearer {grant['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == bob.user["id"]
    r = await _token(bob, no_secret, grant_type="refresh_token", refresh_token="x" * 26)
    assert_error(r, 400, "model.oauth.validate_grant.public_client_refresh_token.app_error")


async def test_dynamic_client_registration_is_rate_limited(world: World) -> None:
    """Anyone may call the registration endpoint: each client address gets a burst, then 2 a second."""
    _enable(world)
    world.srv.config.effective.ServiceSettings.EnableDynamicClientRegistration = True
    anon = world.client()
    for _ in range(200):  # the burst is 20; on a slow machine the budget refills 2 a second meanwhile
        r = await _register(anon, {"redirect_uris": []})
        if r.status_code == 429:
            break
        assert r.status_code == 400, r.text
    body = assert_error(r, 429, "api.oauth.register_oauth_client.rate_limited.app_error")
    assert body["status_code"] == 429

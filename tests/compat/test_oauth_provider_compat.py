"""chinwag as an OAuth 2.0 provider, driven as a third-party app would drive Mattermost: requests-oauthlib's
OAuth2Session (the PyPI package) builds the authorize URL, the user consents in the browser's place, the app
exchanges the code (client credentials in the form, as Mattermost reads them, and with HTTP Basic), calls the
API with the bearer token, refreshes it, and the user deauthorizes it. Against a real `chinwag serve`
process on both databases."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from requests_oauthlib import OAuth2Session

from tests.compat.conftest import LiveServer

pytestmark = pytest.mark.compat
CALLBACK = "https://planner.example.com/oauth/callback"


def _admin(server: LiveServer) -> httpx.Client:
    c = httpx.Client(base_url=server.api, timeout=15)
    r = c.post("/users/login", json={"login_id": server.admin_username, "password": server.admin_password})
    assert r.status_code == 200, r.text
    c.headers["Authorization"] = f"Bearer {r.headers['Token']}"
    return c


def _user(server: LiveServer, admin: httpx.Client) -> httpx.Client:
    name = server.unique("oauthuser")
    r = admin.post("/users", json={"username": name, "email": f"{name}@example.com", "password": "password1"})
    assert r.status_code == 201, r.text
    c = httpx.Client(base_url=server.url, timeout=15)
    r = c.post("/api/v4/users/login", json={"login_id": name, "password": "password1"},
               headers={"X-Requested-With": "XMLHttpRequest"})
    assert r.status_code == 200 and c.cookies.get("MMAUTHTOKEN"), r.text  # a browser session (cookies)
    c.headers["X-Requested-With"] = "XMLHttpRequest"
    return c


@pytest.mark.parametrize("client_auth", ["form", "basic"])
def test_third_party_app_flow(live_server: LiveServer, client_auth: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test server speaks plain http on loopback
    admin = _admin(live_server)
    r = admin.put("/config/patch", json={"ServiceSettings": {"EnableOAuthServiceProvider": True}})
    assert r.status_code == 200, r.text
    r = admin.post("/oauth/apps", json={"name": "Planner", "description": "plans", "callback_urls": [CALLBACK],
                                        "homepage": "https://planner.example.com"})
    assert r.status_code == 201, r.text
    app = r.json()
    browser = _user(live_server, admin)

    # the app sends the user to the authorize URL
    oauth = OAuth2Session(app["id"], redirect_uri=CALLBACK)
    url, state = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    # the browser follows it: signed in, so the consent page; consenting is the web app's POST
    r = browser.get(url)
    assert r.status_code == 200 and "Planner" in r.text, r.text
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    r = browser.post("/oauth/authorize", json=q)
    assert r.status_code == 200, r.text
    redirect = r.json()["redirect"]
    assert redirect.startswith(CALLBACK + "?") and parse_qs(urlsplit(redirect).query)["state"] == [state]

    # the app exchanges the code at the token endpoint
    kwargs = ({"include_client_id": True, "client_secret": app["client_secret"]} if client_auth == "form"
              else {"client_secret": app["client_secret"]})
    token = oauth.fetch_token(f"{live_server.url}/oauth/access_token", authorization_response=redirect, **kwargs)
    assert token["token_type"].lower() == "bearer" and token["refresh_token"]

    # and calls the API as the user with the bearer token
    me = oauth.get(f"{live_server.api}/users/me")
    assert me.status_code == 200, me.text
    user_id = me.json()["id"]
    assert me.json()["id"] == browser.get("/api/v4/users/me").json()["id"]

    # refresh
    old = token["access_token"]
    new = oauth.refresh_token(f"{live_server.url}/oauth/access_token", client_id=app["id"],
                              client_secret=app["client_secret"],
                              **({"include_client_id": True} if client_auth == "form" else {}))
    assert new["access_token"] != old
    assert oauth.get(f"{live_server.api}/users/me").status_code == 200
    assert httpx.get(f"{live_server.api}/users/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401

    # the user sees the app among their authorized apps and deauthorizes it
    r = browser.get(f"/api/v4/users/{user_id}/oauth/apps/authorized")
    assert [a["id"] for a in r.json()] == [app["id"]]
    assert browser.post("/oauth/deauthorize", json={"client_id": app["id"]}).status_code == 200
    assert oauth.get(f"{live_server.api}/users/me").status_code == 401
    assert os.environ.get("OAUTHLIB_INSECURE_TRANSPORT") == "1"

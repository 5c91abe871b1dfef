"""The installed `chinwag` binary over HTTP with stored credentials: `auth login|list|current|switch|
logout|delete`, tokens (never passwords) in a 0600 file, and commands run as the logged-in user."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest

from tests.cli.conftest import LocalServer


@pytest.fixture(scope="module")
def srv(local_server: LocalServer) -> LocalServer:
    s = local_server
    s.ok("user", "create", "--email", "admin@example.com", "--username", "admin", "--password", "password",
         "--system-admin")
    s.ok("user", "create", "--email", "plain@example.com", "--username", "plain", "--password", "password")
    s.ok("team", "create", "--name", "eng", "--display-name", "Engineering")
    s.ok("team", "users", "add", "eng", "admin", "plain")
    return s


def remote_env(s: LocalServer) -> dict[str, str]:
    """No local socket to fall back to: only the stored credentials."""
    return s.env(MMCTL_LOCAL_SOCKET_PATH=os.path.join(s.home, "no.socket"))


def creds_file(s: LocalServer) -> str:
    return os.path.join(s.home, ".config", "chinwag", "mmctl.json")


def test_login_stores_a_token_not_the_password(srv: LocalServer) -> None:
    env = remote_env(srv)
    r = srv.ok("auth", "login", srv.proc.url, "--name", "main", "--username", "admin", "--password", "password",
               local=False, env=env)
    assert "credentials for main" in r.out
    path = creds_file(srv)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    raw = open(path).read()
    assert "password" not in raw  # the password (literally "password") is never stored
    stored = json.loads(raw)["credentials"]["main"]
    assert stored["username"] == "admin" and stored["active"] is True and len(stored["auth_token"]) == 26
    # the stored token is a live session
    me = httpx.get(srv.proc.api + "/users/me", headers={"Authorization": f"Bearer {stored['auth_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "admin"
    # commands now run over HTTP as admin: secrets are masked (unlike local mode)
    assert srv.ok_json("config", "get", "SqlSettings.DataSource", local=False, env=env) == "*" * 32
    assert {u["username"] for u in srv.ok_json("user", "list", local=False, env=env)} >= {"admin", "plain"}
    listed = srv.ok_json("auth", "list", local=False, env=env)
    assert listed == [{k: v for k, v in stored.items() if k != "auth_token"}]
    assert srv.ok("auth", "current", local=False, env=env).out.startswith("current: main (admin@")


def test_wrong_password_and_unreachable_server(srv: LocalServer) -> None:
    env = remote_env(srv)
    r = srv.fails("auth", "login", srv.proc.url, "--name", "bad", "--username", "admin", "--password", "nope",
                  local=False, env=env)
    assert "HTTP 401" in r.err
    r = srv.fails("auth", "login", "http://127.0.0.1:9", "--name", "bad", "--username", "admin",
                  "--password", "password", local=False, env=env)
    assert "cannot reach" in r.err
    assert "bad" not in {c["name"] for c in srv.ok_json("auth", "list", local=False, env=env)}


def test_switch_between_servers_and_permissions_follow_the_user(srv: LocalServer) -> None:
    env = remote_env(srv)
    srv.ok("auth", "login", srv.proc.url, "--name", "main", "--username", "admin", "--password", "password",
           local=False, env=env)
    srv.ok("auth", "login", srv.proc.url, "--name", "low", "--username", "plain", "--password", "password",
           local=False, env=env)
    assert "* low" in srv.ok("auth", "list", local=False, env=env).out
    # a plain user may not read the config or create teams
    assert "HTTP 403" in srv.fails("config", "show", local=False, env=env).err
    post = srv.ok_json("post", "create", "eng:town-square", "-m", "hi from the CLI", local=False, env=env)
    assert post["message"] == "hi from the CLI"
    assert "[plain] hi from the CLI" in srv.ok("post", "list", "eng:town-square", local=False, env=env).out
    srv.ok("auth", "switch", "main", local=False, env=env)
    assert srv.ok_json("config", "get", "TeamSettings.SiteName", local=False, env=env) == "chinwag"
    assert "no credentials named nope" in srv.fails("auth", "switch", "nope", local=False, env=env).err


def test_logout_ends_the_session(srv: LocalServer) -> None:
    env = remote_env(srv)
    srv.ok("auth", "login", srv.proc.url, "--name", "main", "--username", "admin", "--password", "password",
           local=False, env=env)
    token = json.loads(open(creds_file(srv)).read())["credentials"]["main"]["auth_token"]
    srv.ok("auth", "logout", local=False, env=env)
    assert httpx.get(srv.proc.api + "/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "main" not in {c["name"] for c in srv.ok_json("auth", "list", local=False, env=env)}
    srv.ok("auth", "logout", "--all", local=False, env=env)
    assert srv.ok_json("auth", "list", local=False, env=env) == []
    r = srv.fails("user", "list", local=False, env=env)
    assert "auth login" in r.err
    assert "not logged in" in srv.fails("auth", "logout", local=False, env=env).err


def test_access_token_login(srv: LocalServer) -> None:
    env = remote_env(srv)
    srv.ok("config", "set", "ServiceSettings.EnableUserAccessTokens", "true")
    pat = srv.ok_json("token", "generate", "admin", "cli")["token"]
    srv.ok("auth", "login", srv.proc.url, "--name", "pat", "--access-token", pat, local=False, env=env)
    assert srv.ok("system", "ping", local=False, env=env).out.strip() == "OK"
    srv.ok("auth", "delete", "pat", local=False, env=env)
    # a personal access token is not revoked by forgetting it
    assert httpx.get(srv.proc.api + "/users/me", headers={"Authorization": f"Bearer {pat}"}).status_code == 200

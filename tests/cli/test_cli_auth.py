"""The installed `chinwag` binary over HTTP with stored credentials, as mmctl: `auth login|list|current|set|
renew|delete|clean`, tokens (never passwords) in mmctl's credentials file (mode 0600), and commands run as
the logged-in user."""

from __future__ import annotations

import json
import os
import select
import signal
import stat
import subprocess
import time
from collections.abc import Callable

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
    return os.path.join(s.home, ".config", "mmctl", "config")


def test_login_stores_a_token_not_the_password(srv: LocalServer) -> None:
    env = remote_env(srv)
    pw = os.path.join(srv.home, "pw.txt")
    with open(pw, "w") as fh:
        fh.write("password\n")
    r = srv.ok("auth", "login", srv.proc.url, "--name", "main", "--username", "admin", "--password-file", pw,
               local=False, env=env)
    assert r.out == f'\n  credentials for "main": "admin@{srv.proc.url}" stored\n\n'
    path = creds_file(srv)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    raw = open(path).read()
    assert "password" not in raw  # the password (literally "password") is never stored
    stored = json.loads(raw)["main"]  # mmctl's layout and keys
    assert stored == {"name": "main", "username": "admin", "authToken": stored["authToken"], "authMethod": "P",
                      "instanceUrl": srv.proc.url, "active": True}
    me = httpx.get(srv.proc.api + "/users/me", headers={"Authorization": f"Bearer {stored['authToken']}"})
    assert me.status_code == 200 and me.json()["username"] == "admin"
    # commands now run over HTTP as admin: secrets are masked (unlike local mode)
    assert srv.ok_json("config", "get", "SqlSettings.DataSource", local=False, env=env) == "*" * 32
    r = srv.ok("user", "list", local=False, env=env)
    assert r.err == f"There are 2 users on {srv.proc.url}/\n"
    assert srv.ok("auth", "current", local=False, env=env).out == \
        f'\n  found credentials for "main": "admin@{srv.proc.url}"\n\n'
    # --config: another credentials file
    other = os.path.join(srv.home, "other.json")
    r = srv.fails("--config", other, "user", "list", local=False, env=env)
    assert r.err.startswith("Error: cannot read user credentials, maybe you need to use login first")
    srv.ok("auth", "login", srv.proc.url, "--name", "x", "--username", "admin", "--password", "password",
           "--config", other, local=False, env=env)
    assert set(json.loads(open(other).read())) == {"x"}


def test_wrong_password_and_unreachable_server(srv: LocalServer) -> None:
    env = remote_env(srv)
    r = srv.fails("auth", "login", srv.proc.url, "--name", "bad", "--username", "admin", "--password", "nope",
                  local=False, env=env)
    assert r.err.startswith("Error: could not initiate client: : ") and len(r.err.splitlines()) == 1
    r = srv.fails("auth", "login", "http://127.0.0.1:9", "--name", "bad", "--username", "admin",
                  "--password", "password", local=False, env=env)
    assert r.err.startswith("Error: could not initiate client: ")
    assert "bad" not in open(creds_file(srv)).read()


def test_set_between_servers_and_permissions_follow_the_user(srv: LocalServer) -> None:
    env = remote_env(srv)
    srv.ok("auth", "login", srv.proc.url, "--name", "main", "--username", "admin", "--password", "password",
           local=False, env=env)
    srv.ok("auth", "login", srv.proc.url, "--name", "low", "--username", "plain", "--password", "password",
           local=False, env=env)
    w = len(srv.proc.url)
    assert srv.ok("auth", "list", local=False, env=env).out == (
        f"\n    | Active | Name | Username | {'InstanceURL':>{w}} |\n"  # mmctl's %*s: the widest value
        f"    |--------|------|-------|{'-' * (w + 2)}|\n"
        f"    |      * |  low | plain | {srv.proc.url} |\n"
        f"    |        | main | admin | {srv.proc.url} |\n\n")
    # a plain user may not read the config
    assert srv.fails("config", "show", local=False, env=env).err.startswith("Error: : ")
    srv.ok("post", "create", "eng:town-square", "-m", "hi from the CLI", local=False, env=env)
    assert "\x1b[34;1m[plain]\x1b[0m hi from the CLI" in srv.ok("post", "list", "eng:town-square", local=False,
                                                               env=env).out
    assert srv.ok("auth", "set", "main", local=False, env=env).out == 'Credentials for server "main" set as active\n'
    assert srv.ok_json("config", "get", "TeamSettings.SiteName", local=False, env=env) == "chinwag"
    assert srv.fails("auth", "set", "nope", local=False, env=env).err == \
        'Error: cannot find credentials for server "nope"\n'
    # renew: a new session for stored credentials
    old = json.loads(open(creds_file(srv)).read())["main"]["authToken"]
    assert srv.ok("auth", "renew", "main", "--password", "password", local=False, env=env).out == \
        'Credentials for server "main" successfully renewed\n'
    assert json.loads(open(creds_file(srv)).read())["main"]["authToken"] != old


def test_delete_and_clean(srv: LocalServer) -> None:
    env = remote_env(srv)
    srv.ok("auth", "login", srv.proc.url, "--name", "main", "--username", "admin", "--password", "password",
           local=False, env=env)
    srv.ok("auth", "delete", "main", local=False, env=env)
    assert "main" not in json.loads(open(creds_file(srv)).read())
    assert srv.fails("auth", "delete", "main", local=False, env=env).err == \
        'Error: cannot find credentials for server name "main"\n'
    srv.ok("auth", "clean", local=False, env=env)
    assert not os.path.exists(creds_file(srv))
    r = srv.fails("user", "list", local=False, env=env)
    assert "maybe you need to use login first" in r.err


def test_access_token_login(srv: LocalServer) -> None:
    env = remote_env(srv)
    srv.ok("config", "set", "ServiceSettings.EnableUserAccessTokens", "true")
    pat = srv.ok_json("token", "generate", "admin", "cli")[0]["token"]
    tok = os.path.join(srv.home, "token.txt")
    with open(tok, "w") as fh:
        fh.write(pat)
    r = srv.ok("auth", "login", srv.proc.url, "--name", "pat", "--access-token-file", tok, "--no-activate",
               local=False, env=env)
    assert '"Personal Access Token@' in r.out
    stored = json.loads(open(creds_file(srv)).read())["pat"]
    assert stored["authMethod"] == "T" and stored["authToken"] == pat
    srv.ok("auth", "set", "pat", local=False, env=env)
    assert srv.ok("system", "version", local=False, env=env).out.startswith("Server version ")
    srv.ok("auth", "delete", "pat", local=False, env=env)
    # a personal access token is not revoked by forgetting it
    assert httpx.get(srv.proc.api + "/users/me", headers={"Authorization": f"Bearer {pat}"}).status_code == 200


def test_old_chinwag_credentials_file_is_read(srv: LocalServer) -> None:
    env = remote_env(srv)
    token = httpx.post(srv.proc.api + "/users/login", json={"login_id": "admin", "password": "password"}
                       ).headers["Token"]
    home = os.path.join(srv.home, "legacy")
    os.makedirs(os.path.join(home, "chinwag"))
    with open(os.path.join(home, "chinwag", "mmctl.json"), "w") as fh:
        json.dump({"credentials": {"old": {"name": "old", "username": "admin", "instance_url": srv.proc.url,
                                           "auth_method": "S", "auth_token": token, "active": True}}}, fh)
    env["XDG_CONFIG_HOME"] = home
    assert srv.ok("system", "version", local=False, env=env).out.startswith("Server version ")


def _wait_line(proc: subprocess.Popen[str], want: str, poke: Callable[[], None] | None = None,
               seconds: float = 90) -> list[str]:
    """The process's stdout lines up to one containing ``want``; ``poke`` runs every few seconds meanwhile
    (a process may not be listening yet: each poke makes a new event)."""
    deadline, seen, next_poke = time.monotonic() + seconds, [], 0.0
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        if poke is not None and time.monotonic() >= next_poke:
            poke()
            next_poke = time.monotonic() + 3
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if want in line:
                return seen
    raise AssertionError(f"no line with {want!r} in {seen}")


def test_websocket_and_post_list_follow(srv: LocalServer) -> None:
    """`websocket` prints the server's events as JSON lines; `post list --follow` prints new posts."""
    from tests.procs import CHINWAG

    env = remote_env(srv)
    srv.ok("auth", "login", srv.proc.url, "--name", "main", "--username", "admin", "--password", "password",
           local=False, env=env)
    ws = subprocess.Popen([CHINWAG, "websocket"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, cwd=srv.home)
    follow = subprocess.Popen([CHINWAG, "post", "list", "eng:town-square", "--follow", "-n", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=srv.home)
    def poke() -> None:
        srv.ok("post", "create", "eng:town-square", "-m", "streamed <live>", "--user", "plain")

    try:
        assert _wait_line(ws, "Press CTRL+C to exit")
        hello = json.loads(_wait_line(ws, '"event":"hello"')[-1])
        assert list(hello) == ["event", "data", "broadcast", "seq"]  # model.WebSocketEvent's order
        raw = _wait_line(ws, '"event":"posted"', poke)[-1]
        assert json.loads(json.loads(raw)["data"]["post"])["message"] == "streamed <live>"
        assert "\\u003clive\\u003e" in raw  # Go's HTML escaping
        assert _wait_line(follow, "streamed <live>", poke)[-1] == "\x1b[34;1m[plain]\x1b[0m streamed <live>\n"
    finally:
        for p in (ws, follow):
            p.send_signal(signal.SIGINT)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    assert ws.returncode in (0, 1) and "Traceback" not in (ws.stderr.read() if ws.stderr else "")

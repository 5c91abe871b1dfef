"""Golden output: twenty of mmctl's most used commands, in plain text and JSON, byte for byte as mmctl
prints them for the same data (the expected text is written from mmctl's templates, the expected JSON is
the server's own objects laid out as Go's json.MarshalIndent does); list commands' "There are N …" on
stderr; and mmctl's global flags before, between and after the subcommands."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.cli.conftest import LocalServer


def go_json(value: Any) -> str:
    """encoding/json.MarshalIndent(value, "", "  ") plus the newline mmctl adds."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text + "\n"


class Api:
    def __init__(self, socket: str) -> None:
        self.http = httpx.Client(transport=httpx.HTTPTransport(uds=socket), base_url="http://_/api/v4")

    def get(self, path: str, **params: Any) -> Any:
        r = self.http.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, body: Any) -> Any:
        r = self.http.post(path, json=body)
        assert r.status_code in (200, 201), r.text
        return r.json()


@pytest.fixture(scope="module")
def ws(local_server: LocalServer) -> LocalServer:
    s = local_server
    s.ok("user", "create", "--email", "root@example.com", "--username", "root", "--password", "password",
         "--system-admin")
    for name in ("alice", "bob"):
        s.ok("user", "create", "--email", f"{name}@example.com", "--username", name, "--password", "password",
             "--firstname", name.capitalize())
    s.ok("team", "create", "--name", "eng", "--display-name", "Engineering & <Ops>")
    s.ok("team", "users", "add", "eng", "root", "alice", "bob")
    s.ok("channel", "create", "--team", "eng", "--name", "dev", "--display-name", "Dev")
    s.ok("channel", "users", "add", "eng:dev", "alice", "bob")
    s.ok("post", "create", "eng:dev", "-m", "héllo <world> & co", "--user", "alice")
    s.ok("config", "set", "ServiceSettings.EnableUserAccessTokens", "true")
    s.ok("config", "set", "ServiceSettings.EnableBotAccountCreation", "true")
    return s


@pytest.fixture(scope="module")
def api(ws: LocalServer) -> Api:
    return Api(ws.socket)


def both(ws: LocalServer, args: tuple[str, ...], plain: str, js: str, stat: str = "") -> None:
    r = ws.ok(*args)
    assert r.out == plain, f"plain: {args}"
    assert r.err == stat
    r = ws.ok(*args, "--json")
    assert r.out == js, f"json: {args}"
    assert r.err == stat


def test_user_list(ws: LocalServer, api: Api) -> None:
    users = api.get("/users", page=0, per_page=200)
    both(ws, ("user", "list"), "".join(f"{u['id']}: {u['username']} ({u['email']})\n" for u in users),
         go_json(users), f"There are {len(users)} users on local instance\n")


def test_user_search(ws: LocalServer, api: Api) -> None:
    a, b = api.get("/users/username/alice"), api.get("/users/username/bob")

    def text(u: dict[str, Any]) -> str:
        return (f"id: {u['id']}\nusername: {u['username']}\nnickname: {u['nickname']}\nposition: {u['position']}\n"
                f"first_name: {u['first_name']}\nlast_name: {u['last_name']}\nemail: {u['email']}\n"
                f"auth_service: {u['auth_service']}\n")

    both(ws, ("user", "search", "alice"), text(a), go_json(a))  # one result: the object itself
    both(ws, ("user", "search", "alice", "bob"), text(a) + "------------------------------\n" + text(b),
         go_json([a, b]))


def test_user_create(ws: LocalServer, api: Api) -> None:
    assert ws.ok("user", "create", "--email", "c1@example.com", "--username", "c1", "--password", "password"
                 ).out == "Created user c1\n"
    out = ws.ok("user", "create", "--email", "c2@example.com", "--username", "c2", "--password", "password",
                "--json").out
    assert out == go_json(api.get("/users/username/c2"))


def test_user_deactivate_activate(ws: LocalServer) -> None:
    both(ws, ("user", "deactivate", "c1"), "", "null\n")  # mmctl prints nothing: JSON null
    both(ws, ("user", "activate", "c1"), "", "null\n")


def test_team_list_and_search(ws: LocalServer, api: Api) -> None:
    teams = api.get("/teams", page=0, per_page=200, include_deleted="true")
    both(ws, ("team", "list"), "".join(f"{t['name']}\n" for t in teams), go_json(teams),
         f"There are {len(teams)} teams on local instance\n")
    eng = api.get("/teams/name/eng")
    both(ws, ("team", "search", "eng"), f"eng: Engineering & <Ops> ({eng['id']})\n", go_json([eng]))


def test_team_create(ws: LocalServer, api: Api) -> None:
    assert ws.ok("team", "create", "--name", "t1", "--display-name", "T1").out == "New team t1 successfully created\n"
    out = ws.ok("team", "create", "--name", "t2", "--display-name", "T2", "--json").out
    assert out == go_json(api.get("/teams/name/t2"))


def test_channel_list(ws: LocalServer, api: Api) -> None:
    eng = api.get("/teams/name/eng")
    public = api.get(f"/teams/{eng['id']}/channels", page=0, per_page=200)
    both(ws, ("channel", "list", "eng"), "".join(f"{c['name']}\n" for c in public), go_json(public),
         f"There are {len(public)} channels on local instance\n")


def test_channel_create_and_search(ws: LocalServer, api: Api) -> None:
    assert ws.ok("channel", "create", "--team", "eng", "--name", "c1", "--display-name", "C1").out == \
        "New channel c1 successfully created\n"
    eng = api.get("/teams/name/eng")
    dev = api.get(f"/teams/{eng['id']}/channels/name/dev")
    both(ws, ("channel", "search", "dev", "--team", "eng"),
         f"Channel Name :dev, Display Name :Dev, Channel ID :{dev['id']}\n", go_json(dev))


def test_post_list(ws: LocalServer, api: Api) -> None:
    eng = api.get("/teams/name/eng")
    dev = api.get(f"/teams/{eng['id']}/channels/name/dev")
    pl = api.get(f"/channels/{dev['id']}/posts", page=0, per_page=20)
    posts = [pl["posts"][i] for i in reversed(pl["order"])]
    names = {u["id"]: u["username"] for u in api.post("/users/ids", sorted({p["user_id"] for p in posts}))}
    plain = "".join(f"\x1b[34;1m[{names[p['user_id']]}]\x1b[0m {p['message']}\n" for p in posts)
    both(ws, ("post", "list", "eng:dev"), plain, go_json(posts if len(posts) > 1 else posts[0]),
         f"There are {len(posts)} posts on local instance\n")  # a "list" command: mmctl counts
    assert '"message": "héllo \\u003cworld\\u003e \\u0026 co"' in ws.ok("post", "list", "eng:dev", "--json").out


def test_config_get_set_show(ws: LocalServer, api: Api) -> None:
    both(ws, ("config", "get", "TeamSettings.SiteName"), '"chinwag"\n', '"chinwag"\n')  # always JSON
    most = api.get("/config")["TeamSettings"]["MaxUsersPerTeam"]
    both(ws, ("config", "get", "TeamSettings.MaxUsersPerTeam"), f"{most}\n", f"{most}\n")
    assert ws.ok("config", "set", "TeamSettings.SiteName", "Acme").out == "Value changed successfully\n"
    out = ws.ok("config", "set", "TeamSettings.SiteName", "chinwag", "--json").out
    assert out == go_json([api.get("/config")])  # not a "single" command in mmctl: a list of one
    assert ws.ok("config", "show").out == go_json(api.get("/config"))


def test_system_version_and_status(ws: LocalServer, api: Api) -> None:
    version = api.http.get("/system/ping").headers["X-Version-Id"]
    both(ws, ("system", "version"), f"Server version {version}\n", go_json({"version": version}))
    status = api.get("/system/ping", get_server_status="true")
    labels = (("Server status", "status"), ("Android Latest Version", "AndroidLatestVersion"),
              ("Android Minimum Version", "AndroidMinVersion"), ("Desktop Latest Version", "DesktopLatestVersion"),
              ("Desktop Minimum Version", "DesktopMinVersion"), ("Ios Latest Version", "IosLatestVersion"),
              ("Ios Minimum Version", "IosMinVersion"), ("Database Status", "database_status"),
              ("Filestore Status", "filestore_status"))
    plain = "\n".join(f"{label}: {status.get(key, '<no value>')}" for label, key in labels) + "\n"
    both(ws, ("system", "status"), plain, go_json(status))


def test_token_list(ws: LocalServer, api: Api) -> None:
    ws.ok("token", "generate", "bob", "ci")
    bob = api.get("/users/username/bob")
    tokens = api.get(f"/users/{bob['id']}/tokens", page=0, per_page=200)
    both(ws, ("token", "list", "bob"), "".join(f"{t['id']}: {t['description']}\n" for t in tokens),
         go_json(tokens), f"There are {len(tokens)} tokens on local instance\n")


def test_bot_list(ws: LocalServer, api: Api) -> None:
    ws.ok("bot", "create", "helper", "--display-name", "Helper")
    bots = api.get("/bots", page=0, per_page=200)
    ids = sorted({b["owner_id"] for b in bots if b["owner_id"]})
    owners = {u["id"]: u["username"] for u in api.post("/users/ids", ids)} if ids else {}
    plain = "".join(f"{b['user_id']}: {b['username']}(Owned by {owners.get(b['owner_id'], b['owner_id'])}, "
                    "Enabled)\n" for b in bots)
    both(ws, ("bot", "list"), plain, go_json(bots), f"There are {len(bots)} bots on local instance\n")


def test_webhook_and_command_list(ws: LocalServer, api: Api) -> None:
    ws.ok("webhook", "create-incoming", "--channel", "eng:dev", "--user", "alice", "--display-name", "CI")
    ws.ok("command", "create", "eng", "--trigger-word", "deploy", "--url", "http://127.0.0.1:9/x", "--creator",
          "alice", "--title", "Deploy")
    eng = api.get("/teams/name/eng")
    hooks = api.get("/hooks/incoming", team_id=eng["id"], page=0, per_page=200)
    both(ws, ("webhook", "list", "eng"), "".join(f"Incoming:\t{h['display_name']} ({h['id']}\n" for h in hooks),
         go_json(hooks), f"There are {len(hooks)} webhooks on local instance\n")
    cmds = api.get("/commands", team_id=eng["id"], custom_only="true")
    both(ws, ("command", "list", "eng"), "".join(f"{c['id']}: {c['display_name']} (team: eng)\n" for c in cmds),
         go_json(cmds), f"There are {len(cmds)} commands on local instance\n")


def test_roles_system_admin(ws: LocalServer) -> None:
    assert ws.ok("roles", "system-admin", "bob").out == \
        'System admin role assigned to user "bob". Current roles are: system_user, system_admin\n'
    assert ws.ok("roles", "system-admin", "alice", "--json").out == \
        go_json(['System admin role assigned to user "alice". Current roles are: system_user, system_admin'])
    assert ws.ok("roles", "system-admin", "bob").out == ""  # already one: nothing to say, as mmctl


# global flags -------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("--json", "user", "search", "alice"),
    ("user", "--json", "search", "alice"),
    ("user", "search", "--json", "alice"),
    ("user", "search", "alice", "--json"),
    ("--format", "json", "user", "search", "alice"),
    ("user", "--format=json", "search", "alice"),
    ("user", "search", "alice", "--format", "json"),
])
def test_json_anywhere(ws: LocalServer, api: Api, args: tuple[str, ...]) -> None:
    assert ws.ok(*args).out == go_json(api.get("/users/username/alice"))


@pytest.mark.parametrize("flag", ["--quiet", "--strict", "--insecure-sha1-intermediate", "--insecure-tls-version",
                                  "--disable-pager", "--suppress-warnings", "--local"])
@pytest.mark.parametrize("where", [0, 1, 2])
def test_every_global_flag_anywhere(ws: LocalServer, flag: str, where: int) -> None:
    args = ["team", "list"]
    args.insert(where, flag)
    r = ws.run(*args, "--no-stat") if flag == "--local" else ws.run(*args)
    assert r.code == 0, r.err
    if flag == "--quiet":
        assert r.out == "" and r.err == ""
    else:
        assert "eng\n" in r.out


def test_flags_from_the_environment(ws: LocalServer) -> None:
    env = ws.env(MMCTL_LOCAL="true", MMCTL_JSON="true")
    assert json.loads(ws.ok("team", "list", local=False, env=env).out)[0]["name"]
    env = ws.env(MMCTL_LOCAL="1", MMCTL_FORMAT="json", MMCTL_QUIET="t")
    assert ws.ok("team", "list", local=False, env=env).out == ""
    assert ws.ok("--no-stat", "team", "list").err == ""
    assert ws.ok("team", "list", "--short-stat").out == "" and ws.ok("team", "list", "--short-stat").err.startswith(
        "There are ")


def test_usage_errors_are_one_line_and_exit_1(ws: LocalServer) -> None:
    for args, message in ((("--bogus", "user", "list"), "Error: unknown flag: --bogus\n"),
                          (("user", "list", "--bogus"), "Error: unknown flag: --bogus\n"),
                          (("user", "lst"), 'Error: unknown command "lst" for "chinwag user"\n'),
                          (("user", "list", "--format"), "Error: flag needs an argument: --format\n"),
                          (("user", "list", "--page", "x"), None)):
        r = ws.run(*args, local=False)
        assert r.code == 1 and r.out == "" and len(r.err.splitlines()) == 1, (args, r.err)
        if message:
            assert r.err == message
    r = ws.run("user")  # a group alone prints its help, as cobra
    assert r.code == 0 and "Management of users" in r.out

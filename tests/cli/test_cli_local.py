"""The installed `chinwag` binary, mmctl-style, against a real server over the local-mode socket:
every command group in plain and --json output, and bad arguments."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.cli.conftest import LocalServer


@pytest.fixture(scope="module")
def ws(local_server: LocalServer) -> LocalServer:
    """A small workspace: admin + two users, team `eng` with channel `dev`."""
    s = local_server
    s.ok("user", "create", "--email", "root@example.com", "--username", "root", "--password", "password",
         "--system-admin")
    for name in ("alice", "bob"):
        s.ok("user", "create", "--email", f"{name}@example.com", "--username", name, "--password", "password")
    s.ok("team", "create", "--name", "eng", "--display-name", "Engineering")
    s.ok("team", "users", "add", "eng", "root", "alice", "bob")
    s.ok("channel", "create", "--team", "eng", "--name", "dev", "--display-name", "Dev")
    s.ok("channel", "users", "add", "eng:dev", "alice", "bob")
    return s


def test_users(ws: LocalServer) -> None:
    users = ws.ok_json("user", "list")
    assert {u["username"] for u in users} >= {"root", "alice", "bob"}
    assert "alice: " not in ws.ok("user", "list").out and "alice (alice@example.com)" in ws.ok("user", "list").out
    created = ws.ok_json("user", "create", "--email", "carol@example.com", "--username", "carol",
                         "--password", "password", "--firstname", "Carol")
    assert created["username"] == "carol" and created["first_name"] == "Carol" and "password" not in created
    found = ws.ok_json("user", "search", "carol@example.com", "alice", created["id"])
    assert [u["username"] for u in found] == ["carol", "alice", "carol"]
    ws.ok("user", "deactivate", "carol")
    assert ws.ok_json("user", "search", "carol")[0]["delete_at"] > 0
    assert "carol" in ws.ok("user", "list", "--inactive").out
    ws.ok("user", "activate", "carol")
    assert ws.ok_json("user", "search", "carol")[0]["delete_at"] == 0
    assert ws.ok_json("user", "email", "carol", "carol2@example.com")["email"] == "carol2@example.com"
    assert ws.ok_json("user", "username", "carol", "caroline")["username"] == "caroline"
    ws.ok("user", "change-password", "caroline", "--password", "newpassword")
    members = ws.ok_json("user", "list", "--team", "eng")
    assert "caroline" not in {u["username"] for u in members} and "alice" in {u["username"] for u in members}
    # roles
    assert "system_admin" in ws.ok_json("roles", "system-admin", "caroline")[0]["roles"]
    assert ws.ok_json("user", "search", "caroline")[0]["roles"] == "system_user system_admin"
    ws.ok("roles", "member", "caroline")
    assert ws.ok_json("user", "search", "caroline")[0]["roles"] == "system_user"
    assert "HTTP 501" in ws.fails("user", "demote", "caroline").err  # guest accounts are off
    ws.ok("config", "set", "GuestAccountsSettings.Enable", "true")
    assert ws.ok("user", "demote", "caroline").out.strip() == "User caroline demoted."
    assert ws.ok_json("user", "search", "caroline")[0]["roles"] == "system_guest"
    ws.ok("user", "promote", "caroline")
    assert ws.ok_json("user", "search", "caroline")[0]["roles"] == "system_user"
    # bad input: one line on stderr, non-zero exit
    assert "user nobody not found" in ws.fails("user", "search", "nobody").err
    r = ws.fails("user", "create", "--email", "not-an-email", "--username", "dave", "--password", "password")
    assert "HTTP 400" in r.err and len(r.err.strip().splitlines()) == 1
    assert "Missing option '--username'" in ws.fails("user", "create", "--email", "x@example.com").err
    assert "--format must be plain or json" in ws.fails("user", "list", "--format", "yaml").err


def test_user_delete_needs_the_setting(ws: LocalServer) -> None:
    ws.ok("user", "create", "--email", "temp@example.com", "--username", "temp", "--password", "password")
    r = ws.fails("user", "delete", "temp", "--confirm")
    assert "EnableAPIUserDeletion" in r.err or "not enabled" in r.err.lower()
    ws.ok("config", "set", "ServiceSettings.EnableAPIUserDeletion", "true")
    deleted = ws.ok_json("user", "delete", "temp", "--confirm")
    assert deleted[0]["username"] == "temp"
    ws.fails("user", "search", "temp")
    assert ws.fails("user", "delete", "temp", input="n\n").code != 0


def test_teams(ws: LocalServer) -> None:
    t = ws.ok_json("team", "create", "--name", "ops", "--display-name", "Ops", "--private")
    assert t["type"] == "I" and t["display_name"] == "Ops"
    assert "New team sales successfully created" in ws.ok("team", "create", "--name", "sales",
                                                          "--display-name", "Sales").out
    assert {"eng", "ops", "sales"} <= {x["name"] for x in ws.ok_json("team", "list")}
    ws.ok("team", "users", "add", "ops", "alice")
    members = ws.ok_json("user", "list", "--team", "ops")
    assert [u["username"] for u in members] == ["alice"]
    ws.ok("team", "users", "remove", "ops", "alice")
    assert ws.ok_json("user", "list", "--team", "ops") == []
    ws.ok("team", "archive", "sales", "--confirm")
    assert "sales (archived)" in ws.ok("team", "list").out
    assert ws.ok_json("team", "restore", "sales")[0]["delete_at"] == 0
    ws.fails("team", "delete", "sales", "--confirm")  # EnableAPITeamDeletion is off
    ws.ok("config", "set", "ServiceSettings.EnableAPITeamDeletion", "true")
    ws.ok("team", "delete", "sales", "--confirm")
    assert "sales" not in {x["name"] for x in ws.ok_json("team", "list")}
    assert "team nowhere not found" in ws.fails("team", "archive", "nowhere", "--confirm").err
    assert "already exists" in ws.fails("team", "create", "--name", "eng", "--display-name", "Again").err


def test_channels(ws: LocalServer) -> None:
    ch = ws.ok_json("channel", "create", "--team", "eng", "--name", "news", "--display-name", "News",
                    "--purpose", "What happened")
    assert ch["type"] == "O" and ch["purpose"] == "What happened"
    assert ws.ok_json("channel", "create", "--team", "eng", "--name", "secret", "--display-name", "S",
                      "--private")["type"] == "P"
    names = ws.ok("channel", "list", "eng").out.splitlines()
    assert {"news", "dev", "town-square", "secret (private)"} <= set(names)
    renamed = ws.ok_json("channel", "rename", "eng:news", "--name", "headlines", "--display-name", "Headlines")
    assert renamed["name"] == "headlines" and renamed["display_name"] == "Headlines"
    assert ws.ok_json("channel", "make-private", "eng:headlines")["type"] == "P"
    ws.ok("channel", "archive", "eng:headlines")
    assert "headlines (private) (archived)" in ws.ok("channel", "list", "eng").out or \
        any(c["name"] == "headlines" and c["delete_at"] for c in ws.ok_json("channel", "list", "eng"))
    assert ws.ok_json("channel", "unarchive", "eng:headlines")[0]["delete_at"] == 0
    ws.ok("channel", "users", "add", "eng:headlines", "alice")
    ws.ok("channel", "users", "remove", "eng:headlines", "alice")
    assert "give --name and/or --display-name" in ws.fails("channel", "rename", "eng:dev").err
    assert "not found" in ws.fails("channel", "archive", "eng:nope").err


def test_channel_move(ws: LocalServer) -> None:
    ws.ok("team", "create", "--name", "other", "--display-name", "Other")
    ws.ok("channel", "create", "--team", "eng", "--name", "moving", "--display-name", "Moving")
    ws.ok("channel", "users", "add", "eng:moving", "alice")
    r = ws.fails("channel", "move", "other", "eng:moving")
    assert "members" in r.err
    moved = ws.ok_json("channel", "move", "other", "eng:moving", "--force")
    assert moved[0]["name"] == "moving"
    assert ws.ok_json("channel", "list", "other")  # now there
    assert "moving" in {c["name"] for c in ws.ok_json("channel", "list", "other")}
    assert "moving" not in {c["name"] for c in ws.ok_json("channel", "list", "eng")}


def test_posts(ws: LocalServer) -> None:
    root = ws.ok_json("post", "create", "eng:dev", "--message", "release is out", "--user", "alice")
    reply = ws.ok_json("post", "create", "eng:dev", "-m", "nice!", "--user", "bob", "--reply-to", root["id"])
    assert reply["root_id"] == root["id"]
    listed = ws.ok_json("post", "list", "eng:dev", "--number", "5")
    assert [p["message"] for p in listed][-2:] == ["release is out", "nice!"]
    text = ws.ok("post", "list", "eng:dev").out
    assert "[alice] release is out" in text and "[bob] nice!" in text
    assert "--user is needed" in ws.fails("post", "create", "eng:dev", "-m", "who am I").err
    assert "ISO 8601" in ws.fails("post", "list", "eng:dev", "--since", "yesterday").err


def test_tokens_and_bots(ws: LocalServer) -> None:
    ws.ok("config", "set", "ServiceSettings.EnableUserAccessTokens", "true")
    t = ws.ok_json("token", "generate", "alice", "ci token")
    assert t["token"] and t["description"] == "ci token"
    listed = ws.ok_json("token", "list", "alice")
    assert [x["id"] for x in listed] == [t["id"]] and "token" not in listed[0]
    ws.ok("token", "revoke", t["id"])
    assert ws.ok_json("token", "list", "alice") == []
    ws.ok("config", "set", "ServiceSettings.EnableBotAccountCreation", "true")
    bot = ws.ok_json("bot", "create", "helper", "--display-name", "Helper", "--description", "helps")
    assert bot["username"] == "helper" and bot["display_name"] == "Helper"
    assert "helper (Helper)" in ws.ok("bot", "list").out
    ws.ok("bot", "disable", "helper")
    assert ws.ok_json("bot", "list") == [] and ws.ok_json("bot", "list", "--all")[0]["delete_at"] > 0
    ws.ok("bot", "enable", "helper")
    assert ws.ok_json("bot", "list")[0]["delete_at"] == 0
    assert "not found" in ws.fails("bot", "disable", "nobot").err


def test_webhooks_and_commands(ws: LocalServer) -> None:
    inc = ws.ok_json("webhook", "create-incoming", "--channel", "eng:dev", "--user", "alice",
                     "--display-name", "CI", "--lock-to-channel")
    assert inc["channel_locked"] is True and inc["user_id"]
    out = ws.ok_json("webhook", "create-outgoing", "--team", "eng", "--user", "alice", "--display-name", "Bot",
                     "--url", "http://127.0.0.1:9/hook", "--trigger-word", "build", "--trigger-when", "start")
    assert out["trigger_words"] == ["build"] and out["trigger_when"] == 1
    listed = ws.ok("webhook", "list", "eng").out
    assert f"Incoming webhook: {inc['id']} (CI)" in listed and f"Outgoing webhook: {out['id']} (Bot)" in listed
    ws.ok("webhook", "delete", inc["id"], out["id"])
    assert ws.ok_json("webhook", "list") == []
    assert "not found" in ws.fails("webhook", "delete", "x" * 26).err
    assert "exact or start" in ws.fails("webhook", "create-outgoing", "--team", "eng", "--user", "alice",
                                        "--display-name", "B", "--url", "http://x", "--trigger-when", "soon").err
    cmd = ws.ok_json("command", "create", "eng", "--trigger-word", "deploy", "--url", "http://127.0.0.1:9/cmd",
                     "--creator", "alice", "--title", "Deploy", "--get")
    assert cmd["trigger"] == "deploy" and cmd["method"] == "G"
    assert f"{cmd['id']}: /deploy (Deploy)" in ws.ok("command", "list", "eng").out
    ws.ok("command", "delete", cmd["id"])
    assert ws.ok_json("command", "list") == []


def test_config(ws: LocalServer) -> None:
    assert ws.ok("config", "get", "TeamSettings.SiteName").out.strip() == '"chinwag"'
    ws.ok("config", "set", "TeamSettings.SiteName", "Acme Chat")
    assert ws.ok_json("config", "show")["TeamSettings"]["SiteName"] == "Acme Chat"
    ws.ok("config", "set", "TeamSettings.MaxChannelsPerTeam", "500")
    assert ws.ok("config", "get", "TeamSettings.MaxChannelsPerTeam").out.strip() == "500"
    ws.ok("config", "set", "ServiceSettings.TrustedProxyIPHeader", "X-Forwarded-For", "X-Real-IP")
    assert ws.ok_json("config", "get", "ServiceSettings.TrustedProxyIPHeader") == ["X-Forwarded-For", "X-Real-IP"]
    ws.ok("config", "reset", "TeamSettings.SiteName", "TeamSettings.MaxChannelsPerTeam")
    assert ws.ok("config", "get", "TeamSettings.SiteName").out.strip() == '"chinwag"'
    # local mode sees secrets unmasked
    assert ws.ok_json("config", "get", "SqlSettings.DataSource").endswith("chinwag.db")
    # env-pinned (the test server sets MM_SQLSETTINGS_DATASOURCE), invalid and unknown settings
    r = ws.fails("config", "set", "SqlSettings.DataSource", "/tmp/other.db")
    assert "MM_SQLSETTINGS_DATASOURCE" in r.err
    assert "must be true or false" in ws.fails("config", "set", "TeamSettings.EnableOpenServer", "maybe").err
    assert "ServiceSettings.CollapsedThreads" in ws.fails("config", "set", "ServiceSettings.CollapsedThreads",
                                                          "sometimes").err
    assert "unknown config setting" in ws.fails("config", "get", "TeamSettings.Nope").err
    assert "set by an environment variable" in ws.fails("config", "reset", "SqlSettings.DataSource").err
    # edit: $EDITOR changes the file; reload re-reads config.json
    editor = os.path.join(ws.home, "editor.sh")
    with open(editor, "w") as fh:
        fh.write("#!/bin/sh\nsed -i 's/\"SiteName\": \"chinwag\"/\"SiteName\": \"Edited\"/' \"$1\"\n")
    os.chmod(editor, stat.S_IRWXU)
    ws.ok("config", "edit", env=ws.env(EDITOR=editor))
    assert ws.ok_json("config", "get", "TeamSettings.SiteName") == "Edited"
    assert ws.ok_json("config", "reload") == {"status": "OK"}
    assert ws.ok_json("config", "get", "TeamSettings.SiteName") == "Edited"


def test_system(ws: LocalServer) -> None:
    assert ws.ok("system", "ping").out.strip() == "OK"
    assert ws.ok("system", "version").out.startswith("Server version ")
    status = ws.ok_json("system", "status")
    assert status["status"] == "OK" and status["database_status"] == "OK" and status["filestore_status"] == "OK"


def test_local_socket_is_checked(ws: LocalServer) -> None:
    r = ws.fails("system", "ping", env=ws.env(MMCTL_LOCAL_SOCKET_PATH=os.path.join(ws.home, "none.sock")))
    assert "doesn't exist" in r.err
    # MMCTL_LOCAL=true works like --local
    assert ws.ok("system", "ping", local=False, env=ws.env(MMCTL_LOCAL="true")).out.strip() == "OK"
    # without credentials and without a socket there is nothing to talk to
    r = ws.fails("user", "list", local=False, env=ws.env(MMCTL_LOCAL_SOCKET_PATH="/nonexistent/sock"))
    assert "auth login" in r.err


def test_sampledata(ws: LocalServer) -> None:
    totals = ws.ok_json("sampledata", "--teams", "1", "--channels-per-team", "2", "--users", "4",
                        "--posts-per-channel", "12", "--replies", "2", "--seed", "7")
    assert totals["teams"] == 1 and totals["channels"] == 2 and totals["users"] == 4
    assert totals["posts"] >= 24 and totals["reactions"] >= 1
    channels = [c for c in ws.ok_json("channel", "list", "engineering") if c["name"] not in
                ("town-square", "off-topic")]
    assert len(channels) == 2
    posts = ws.ok_json("post", "list", f"engineering:{channels[0]['name']}", "--number", "200")
    users = [p for p in posts if not p.get("type")]
    assert len(users) >= 12 and any(p["root_id"] for p in users)
    assert "--teams must be between" in ws.fails("sampledata", "--teams", "0").err


def test_user_convert(ws: LocalServer) -> None:
    ws.ok("user", "create", "--email", "conv@example.com", "--username", "conv", "--password", "password")
    bot = ws.ok_json("user", "convert", "conv", "--bot")[0]
    assert bot["username"] == "conv"
    assert ws.ok_json("user", "search", "conv")[0]["is_bot"] is True
    assert "password" in ws.fails("user", "convert", "conv", "--user").err.lower()
    out = ws.ok("user", "convert", "conv", "--user", "--password", "password3").out
    assert "conv converted to a user" in out
    assert not ws.ok_json("user", "search", "conv")[0].get("is_bot")
    assert "choose one of --bot or --user" in ws.fails("user", "convert", "conv").err


def test_config_migrate(ws: LocalServer) -> None:
    """mmctl config migrate FROM TO: file to file on the server's machine, in local mode only."""
    src, dst = os.path.join(ws.home, "from.json"), os.path.join(ws.home, "to.json")
    with open(src, "w") as fh:
        json.dump({"TeamSettings": {"SiteName": "Migrated"}, "SqlSettings": {"DataSource": "secret.db"}}, fh)
    assert ws.ok_json("config", "migrate", src, dst) == {"status": "OK"}
    with open(dst) as fh:
        written = json.load(fh)
    assert written["TeamSettings"]["SiteName"] == "Migrated" and written["SqlSettings"]["DataSource"] == "secret.db"
    assert written["ServiceSettings"]["ListenAddress"] == ":8065"  # a complete file, defaults filled in
    assert stat.S_IMODE(os.stat(dst).st_mode) == 0o600
    assert "Configuration migrated from" in ws.ok("config", "migrate", src, dst).out
    # the running server's own configuration is untouched
    assert ws.ok_json("config", "get", "TeamSettings.SiteName") != "Migrated"
    # refused: database stores, an invalid or missing source, a missing directory
    r = ws.fails("config", "migrate", src, "postgres://u@localhost/db")
    assert "database configuration store" in r.err and "HTTP 400" in r.err
    with open(src, "w") as fh:
        json.dump({"ServiceSettings": {"CollapsedThreads": "sometimes"}}, fh)
    assert "ServiceSettings.CollapsedThreads" in ws.fails("config", "migrate", src, dst).err
    with open(dst) as fh:
        assert json.load(fh) == written  # nothing written
    assert "cannot read" in ws.fails("config", "migrate", os.path.join(ws.home, "nope.json"), dst).err
    assert "does not exist" in ws.fails("config", "migrate", dst, os.path.join(ws.home, "no", "x.json")).err
    # onto the server's own config.json: applied at once, as a reload
    own = ws.proc.env["MM_CONFIG"]
    with open(own) as fh:
        current = json.load(fh)
    current["TeamSettings"]["SiteName"] = "Migrated Here"
    with open(src, "w") as fh:
        json.dump(current, fh)
    ws.ok("config", "migrate", src, own)
    assert ws.ok_json("config", "get", "TeamSettings.SiteName") == "Migrated Here"


def test_config_migrate_api_is_local_only(ws: LocalServer) -> None:
    import httpx

    ws.ok("user", "create", "--email", "mig@example.com", "--username", "mig", "--password", "password",
          "--system-admin")
    url = ws.proc.api
    with httpx.Client(base_url=url) as c:
        token = c.post("/users/login", json={"login_id": "mig", "password": "password"}).headers["Token"]
        r = c.post("/config/migrate", json={"from": "a.json", "to": "b.json"},
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and r.json()["id"] == "api.context.local_mode_only.app_error"


def test_logs(ws: LocalServer) -> None:
    """mmctl logs: the server's log file through GET /logs, as written (JSON lines) or in logrus's format."""
    import httpx

    with httpx.Client(base_url=ws.proc.api) as c:  # a failed login is audited: a log line with fields
        c.post("/users/login", json={"login_id": "alice", "password": "wrong"})
    lines = ws.ok_json("logs", "--number", "500")
    assert 0 < len(lines) <= 500
    entries = [json.loads(line) for line in lines]
    assert all({"timestamp", "level", "msg", "caller"} <= set(e) for e in entries)
    audit = [e for e in entries if e["caller"] == "chinwag.audit" and e.get("login_id") == "alice"]
    assert audit and audit[-1]["status"] == "fail"
    # plain output is the lines themselves, the newest last; -n limits
    plain = ws.ok("logs", "-n", "3").out.splitlines()
    assert len(plain) == 3 and plain == ws.ok_json("logs", "-n", "3")
    assert "alice" in ws.ok("logs", "-n", "500").out
    logrus = ws.ok("logs", "--logrus", "-n", "500").out.splitlines()
    line = next(x for x in logrus if "login_id=alice" in x)
    assert line.startswith('time="') and " level=info " in line and ' msg="audit" caller="chinwag.audit"' in line
    assert "--number must be at least 1" in ws.fails("logs", "-n", "0").err
    # over HTTP: system admins only; page / logs_per_page count from the end
    with httpx.Client(base_url=ws.proc.api) as c:
        token = c.post("/users/login", json={"login_id": "alice", "password": "password"}).headers["Token"]
        r = c.get("/logs", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403 and r.json()["id"] == "api.context.permissions.app_error"
        token = c.post("/users/login", json={"login_id": "root", "password": "password"}).headers["Token"]
        h = {"Authorization": f"Bearer {token}"}
        everything = c.get("/logs", headers=h).json()
        last2 = c.get("/logs", params={"page": 0, "logs_per_page": 2}, headers=h).json()
        before = c.get("/logs", params={"page": 1, "logs_per_page": 2}, headers=h).json()
        assert len(last2) == 2 and everything[-4:] == before + last2

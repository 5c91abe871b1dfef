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
    assert ws.ok_json("user", "search", "alice")["username"] == "alice"  # one result: the object (mmctl)
    ws.ok("user", "deactivate", "carol")
    assert ws.ok_json("user", "search", "carol")["delete_at"] > 0
    assert "carol" in ws.ok("user", "list", "--inactive").out
    ws.ok("user", "activate", "carol")
    assert ws.ok_json("user", "search", "carol")["delete_at"] == 0
    assert ws.ok_json("user", "email", "carol", "carol2@example.com")["email"] == "carol2@example.com"
    assert ws.ok_json("user", "username", "carol", "caroline")["username"] == "caroline"
    ws.ok("user", "change-password", "caroline", "--password", "newpassword")
    members = ws.ok_json("user", "list", "--team", "eng")
    assert "caroline" not in {u["username"] for u in members} and "alice" in {u["username"] for u in members}
    # roles
    assert ws.ok("roles", "system-admin", "caroline").out == ('System admin role assigned to user "caroline". '
                                                              'Current roles are: system_user, system_admin\n')
    assert ws.ok_json("user", "search", "caroline")["roles"] == "system_user system_admin"
    ws.ok("roles", "member", "caroline")
    assert ws.ok_json("user", "search", "caroline")["roles"] == "system_user"
    r = ws.fails("user", "demote", "caroline")  # guest accounts are off
    assert r.err.startswith("unable to demote user caroline: : ") and "1 error occurred" in r.err
    ws.ok("config", "set", "GuestAccountsSettings.Enable", "true")
    assert ws.ok("user", "demote", "caroline").out.strip() == "User caroline demoted."
    assert ws.ok_json("user", "search", "caroline")["roles"] == "system_guest"
    ws.ok("user", "promote", "caroline")
    assert ws.ok_json("user", "search", "caroline")["roles"] == "system_user"
    # what is not found is said on stderr; mmctl's search still exits 0
    assert ws.run("user", "search", "nobody").err == "user nobody not found\n"
    r = ws.fails("user", "create", "--email", "not-an-email", "--username", "dave", "--password", "password")
    assert r.err.startswith("Error: Unable to create user. Error: : ") and len(r.err.strip().splitlines()) == 1
    assert ws.fails("user", "create", "--email", "x@example.com").err == "Error: Username is required\n"
    r = ws.fails("user", "list", "--format", "yaml")
    assert r.code == 1 and r.err == 'Error: invalid argument "yaml" for "--format" flag: must be plain or json\n'



def test_user_delete_needs_the_setting(ws: LocalServer) -> None:
    ws.ok("user", "create", "--email", "temp@example.com", "--username", "temp", "--password", "password")
    r = ws.run("user", "delete", "temp", "--confirm")  # mmctl reports each failure and exits 0
    assert r.err.startswith("Unable to delete user 'temp' error: : ") and "EnableAPIUserDeletion" in r.err
    ws.ok("config", "set", "ServiceSettings.EnableAPIUserDeletion", "true")
    assert ws.ok("user", "delete", "temp", "--confirm").out == "Deleted user 'temp'\n"
    assert ws.run("user", "search", "temp").err == "user temp not found\n"
    r = ws.fails("user", "delete", "temp", input="n\n")
    assert "either enable --confirm flag or use an interactive shell" in r.err


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
    assert ws.ok_json("user", "list", "--team", "ops") is None  # nothing printed: JSON null, as mmctl
    ws.ok("team", "archive", "sales", "--confirm")
    assert "sales (archived)" in ws.ok("team", "list").out
    assert ws.ok_json("team", "restore", "sales")[0]["delete_at"] == 0
    assert ws.ok("team", "rename", "sales", "--display-name", "Sales Team").out == "'sales' team renamed\n"
    assert "Unable to delete team 'sales' error: : " in ws.fails("team", "delete", "sales", "--confirm").err
    ws.ok("config", "set", "ServiceSettings.EnableAPITeamDeletion", "true")
    ws.ok("team", "delete", "sales", "--confirm")
    assert "sales" not in {x["name"] for x in ws.ok_json("team", "list")}
    assert ws.run("team", "archive", "nowhere", "--confirm").err == "Unable to find team 'nowhere'\n"
    assert "already exists" in ws.fails("team", "create", "--name", "eng", "--display-name", "Again").err


def test_channels(ws: LocalServer) -> None:
    ch = ws.ok_json("channel", "create", "--team", "eng", "--name", "news", "--display-name", "News",
                    "--purpose", "What happened")
    assert ch["type"] == "O" and ch["purpose"] == "What happened"
    assert ws.ok_json("channel", "create", "--team", "eng", "--name", "secret", "--display-name", "S",
                      "--private")["type"] == "P"
    names = ws.ok("channel", "list", "eng").out.splitlines()
    assert {"news", "dev", "town-square", "secret (private)"} <= set(names)
    renamed = ws.ok_json("channel", "rename", "eng:news", "--name", "headlines", "--display-name", "Headlines")[0]
    assert renamed["name"] == "headlines" and renamed["display_name"] == "Headlines"
    ws.ok("channel", "modify", "eng:headlines", "--private")
    assert "headlines (private)" in ws.ok("channel", "list", "eng").out.splitlines()
    ws.ok("channel", "archive", "eng:headlines")
    assert "headlines (archived)" in ws.ok("channel", "list", "eng").out.splitlines()
    ws.ok("channel", "unarchive", "eng:headlines")
    assert "headlines (private)" in ws.ok("channel", "list", "eng").out.splitlines()
    ws.ok("channel", "users", "add", "eng:headlines", "alice")
    ws.ok("channel", "users", "remove", "eng:headlines", "alice")
    assert ws.fails("channel", "rename", "eng:dev").err == ("Error: require at least one flag to rename channel, "
                                                            "either 'name' or 'display-name'\n")
    assert ws.fails("channel", "archive", "eng:nope").err.startswith("Unable to find channel 'eng:nope'\n")
    found = ws.ok("channel", "search", "dev", "--team", "eng").out
    assert found.startswith("Channel Name :dev, Display Name :Dev, Channel ID :")
    assert ws.ok_json("channel", "search", "dev")["name"] == "dev"
    assert ws.fails("channel", "search", "nope").err == 'Error: channel "nope" was not found in any team\n'
    ws.ok("channel", "create", "--team", "eng", "--name", "doomed", "--display-name", "Doomed")
    assert ws.ok("channel", "delete", "eng:doomed", "--confirm").out == "Deleted channel 'doomed'\n"


def test_channel_move(ws: LocalServer) -> None:
    ws.ok("team", "create", "--name", "other", "--display-name", "Other")
    ws.ok("channel", "create", "--team", "eng", "--name", "moving", "--display-name", "Moving")
    ws.ok("channel", "users", "add", "eng:moving", "alice")
    r = ws.fails("channel", "move", "other", "eng:moving")
    assert "members" in r.err
    moved = ws.ok_json("channel", "move", "other", "eng:moving", "--force")
    assert moved[0]["name"] == "moving"
    assert "moving" in ws.ok("channel", "list", "other").out.splitlines()
    assert ws.ok_json("channel", "list", "other")  # now there
    assert "moving" in {c["name"] for c in ws.ok_json("channel", "list", "other")}
    assert "moving" not in {c["name"] for c in ws.ok_json("channel", "list", "eng")}


def test_posts(ws: LocalServer) -> None:
    assert ws.ok("post", "create", "eng:dev", "--message", "release is out", "--user", "alice").out == ""
    root = ws.ok_json("post", "list", "eng:dev", "--number", "1")
    ws.ok("post", "create", "eng:dev", "-m", "nice!", "--user", "bob", "--reply-to", root["id"])
    listed = ws.ok_json("post", "list", "eng:dev", "--number", "5")
    assert [p["message"] for p in listed][-2:] == ["release is out", "nice!"] and listed[-1]["root_id"] == root["id"]
    text = ws.ok("post", "list", "eng:dev").out
    assert "\x1b[34;1m[alice]\x1b[0m release is out\n" in text and "\x1b[34;1m[bob]\x1b[0m nice!\n" in text
    assert f"\x1b[31m{root['id']}\x1b[0m \x1b[34;1m[alice]\x1b[0m" in ws.ok("post", "list", "eng:dev", "-i").out
    assert ws.fails("post", "create", "eng:dev").err == "Error: message cannot be empty\n"
    assert "invalid since time 'yesterday'" in ws.fails("post", "list", "eng:dev", "--since", "yesterday").err


def test_tokens_and_bots(ws: LocalServer) -> None:
    ws.ok("config", "set", "ServiceSettings.EnableUserAccessTokens", "true")
    t = ws.ok_json("token", "generate", "alice", "ci token")[0]
    assert t["token"] and t["description"] == "ci token"
    listed = ws.ok_json("token", "list", "alice")
    assert [x["id"] for x in listed] == [t["id"]] and "token" not in listed[0]
    assert ws.ok("token", "list", "alice").out == f"{t['id']}: ci token\n"
    ws.ok("token", "revoke", t["id"])
    assert ws.fails("token", "list", "alice").err == 'Error: there are no tokens for the "alice"\n'
    ws.ok("config", "set", "ServiceSettings.EnableBotAccountCreation", "true")
    bot = ws.ok_json("bot", "create", "helper", "--display-name", "Helper", "--description", "helps")[0]
    assert bot["username"] == "helper" and bot["display_name"] == "Helper"
    assert ws.ok("bot", "list").out == f"{bot['user_id']}: helper(Owned by {bot['owner_id']}, Enabled)\n"
    ws.ok("bot", "disable", "helper")
    assert ws.ok_json("bot", "list") is None and ws.ok_json("bot", "list", "--all")[0]["delete_at"] > 0
    ws.ok("bot", "enable", "helper")
    assert ws.ok_json("bot", "list")[0]["delete_at"] == 0
    assert ws.ok("bot", "update", "helper", "--display-name", "Helpful").out == \
        f"Updated bot {bot['user_id']} (helper)\n"
    assert ws.ok("bot", "assign", "helper", "alice").out == \
        f"The bot {bot['user_id']} (helper) now belongs to the user alice\n"
    assert ws.fails("bot", "disable", "nobot").err.startswith("can't find user 'nobot'\n")


def test_webhooks_and_commands(ws: LocalServer) -> None:
    inc = ws.ok_json("webhook", "create-incoming", "--channel", "eng:dev", "--user", "alice",
                     "--display-name", "CI", "--lock-to-channel")
    assert inc["channel_locked"] is True and inc["user_id"]
    out = ws.ok_json("webhook", "create-outgoing", "--team", "eng", "--user", "alice", "--display-name", "Bot",
                     "--url", "http://127.0.0.1:9/hook", "--trigger-word", "build", "--trigger-when", "start")
    assert out["trigger_words"] == ["build"] and out["trigger_when"] == 1
    listed = ws.ok("webhook", "list", "eng").out
    assert listed == f"Incoming:\tCI ({inc['id']}\nOutgoing:\t Bot ({out['id']})\n"
    assert ws.ok("webhook", "modify-incoming", inc["id"], "--display-name", "CI2").out == \
        f"Webhook {inc['id']} successfully updated\n"
    assert ws.ok("webhook", "show", inc["id"]).out.startswith(f"{{Id:{inc['id']} CreateAt:")
    assert ws.ok_json("webhook", "show", out["id"])["trigger_words"] == ["build"]
    ws.ok("webhook", "modify-outgoing", out["id"], "--trigger-word", "ship", "--trigger-when", "exact")
    assert ws.ok_json("webhook", "show", out["id"])["trigger_words"] == ["ship"]
    assert ws.ok("webhook", "delete", inc["id"]).out == f"Webhook {inc['id']} successfully deleted\n"
    ws.ok("webhook", "delete", out["id"])
    assert ws.ok_json("webhook", "list") is None
    assert ws.fails("webhook", "delete", "x" * 26).err == f"Error: Webhook with id '{'x' * 26}' not found\n"
    assert "invalid trigger when parameter" in ws.fails(
        "webhook", "create-outgoing", "--team", "eng", "--user", "alice", "--display-name", "B", "--url", "http://x",
        "--trigger-word", "b", "--trigger-when", "soon").err
    cmd = ws.ok_json("command", "create", "eng", "--trigger-word", "deploy", "--url", "http://127.0.0.1:9/cmd",
                     "--creator", "alice", "--title", "Deploy")
    assert cmd["trigger"] == "deploy" and cmd["method"] == "G"  # GET unless --post, as mmctl
    assert ws.ok("command", "list", "eng").out == f"{cmd['id']}: Deploy (team: eng)\n"
    assert ws.ok("command", "modify", "eng:deploy", "--post", "--title", "Ship").out == "modified command Ship\n"
    shown = ws.ok("command", "show", cmd["id"]).out
    assert "title:              Ship\n" in shown and shown.endswith("method:             P\n")
    assert ws.ok("command", "archive", cmd["id"]).out == "Status: ok\n"
    assert ws.ok_json("command", "list") is None


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
    assert ws.ok("config", "set", "TeamSettings.SiteName", "Acme").out == "Value changed successfully\n"
    patch = os.path.join(ws.home, "patch.json")
    with open(patch, "w") as fh:
        json.dump({"TeamSettings": {"SiteName": "Patched"}}, fh)
    assert ws.ok("config", "patch", patch).out == "Config patched successfully\n"
    assert ws.ok_json("config", "get", "TeamSettings.SiteName") == "Patched"
    ws.ok("config", "reset", "TeamSettings.SiteName", "--confirm")
    assert "ServiceSettings.CollapsedThreads" in ws.fails("config", "set", "ServiceSettings.CollapsedThreads",
                                                          "sometimes").err
    assert ws.fails("config", "get", "TeamSettings.Nope").err == "Error: invalid key\n"
    assert "set by an environment variable" in ws.fails("config", "reset", "SqlSettings.DataSource").err
    # edit: $EDITOR changes the file; reload re-reads config.json
    editor = os.path.join(ws.home, "editor.sh")
    with open(editor, "w") as fh:
        fh.write("#!/bin/sh\nsed -i 's/\"SiteName\": \"chinwag\"/\"SiteName\": \"Edited\"/' \"$1\"\n")
    os.chmod(editor, stat.S_IRWXU)
    ws.ok("config", "edit", env=ws.env(EDITOR=editor))
    assert ws.ok_json("config", "get", "TeamSettings.SiteName") == "Edited"
    assert ws.ok("config", "reload").out == ""
    assert ws.ok_json("config", "get", "TeamSettings.SiteName") == "Edited"


def test_system(ws: LocalServer) -> None:
    assert ws.ok("system", "ping").out.strip() == "OK"
    assert ws.ok("system", "version").out.startswith("Server version ")
    status = ws.ok_json("system", "status")
    assert status["status"] == "OK" and status["database_status"] == "OK" and status["filestore_status"] == "OK"
    text = ws.ok("system", "status").out
    assert text.startswith("Server status: OK\n") and text.endswith("Filestore Status: OK\n")


def test_local_socket_is_checked(ws: LocalServer) -> None:
    r = ws.fails("system", "ping", env=ws.env(MMCTL_LOCAL_SOCKET_PATH=os.path.join(ws.home, "none.sock")))
    assert "doesn't exist" in r.err
    # MMCTL_LOCAL=true works like --local
    assert ws.ok("system", "ping", local=False, env=ws.env(MMCTL_LOCAL="true")).out.strip() == "OK"
    # without credentials and without a socket there is nothing to talk to
    r = ws.fails("user", "list", local=False, env=ws.env(MMCTL_LOCAL_SOCKET_PATH="/nonexistent/sock"))
    assert r.err.startswith("Error: cannot read user credentials, maybe you need to use login first")


def test_sampledata(ws: LocalServer) -> None:
    ws.ok("config", "set", "GuestAccountsSettings.Enable", "true")
    totals = ws.ok_json("sampledata", "--teams", "1", "--channels-per-team", "2", "--users", "6", "--guests", "1",
                        "--deactivated-users", "1", "--team-memberships", "1", "--channel-memberships", "2",
                        "--posts-per-channel", "12", "--replies", "2", "--direct-channels", "2",
                        "--posts-per-direct-channel", "3", "--group-channels", "1", "--posts-per-group-channel", "2",
                        "--seed", "7")
    assert totals["teams"] == 1 and totals["channels"] == 2 and totals["users"] == 8
    assert totals["direct_channels"] == 3 and totals["posts"] >= 24 + 8 and totals["reactions"] >= 1
    channels = [c for c in ws.ok_json("channel", "list", "engineering") if c["name"] not in
                ("town-square", "off-topic")]
    assert len(channels) == 2
    posts = ws.ok_json("post", "list", f"engineering:{channels[0]['name']}", "--number", "200")
    users = [p for p in posts if not p.get("type")]
    assert len(users) >= 12 and any(p["root_id"] for p in users)
    inactive = ws.ok("user", "list", "--inactive").out
    assert "deactivated." in inactive
    guest = next(line.split(":")[0] for line in ws.ok("user", "list").out.splitlines() if ": guest." in line)
    assert ws.ok_json("user", "search", guest)["roles"] == "system_guest"
    # mmctl's checks
    assert ws.fails("sampledata", "--teams", "1").err == \
        "Error: you can't have more team memberships than teams\n"
    assert "less than 6 users" in ws.fails("sampledata", "--users", "5").err
    # --bulk: the same data as a Mattermost bulk import file, which the importer accepts
    path = os.path.join(ws.home, "sample.jsonl")
    ws.ok("sampledata", "--bulk", path, "--teams", "1", "--team-memberships", "1", "--users", "6",
          "--channels-per-team", "3", "--channel-memberships", "2", "--posts-per-channel", "4", "--seed", "3")
    with open(path) as fh:
        kinds = [json.loads(line)["type"] for line in fh]
    assert kinds[0] == "version" and {"team", "channel", "user", "post", "direct_channel", "direct_post"} <= set(kinds)
    out = ws.ok("import", "validate", path, "--no-check-server-duplicates").out
    assert "\nTeams           1\nChannels        3\nUsers           7\n" in out and f"lines in {path}" in out
    assert ws.ok("sampledata", "-b", "-", "--teams", "1", "--team-memberships", "1", "--users", "6",
                 "--seed", "3").out.startswith('{"type": "version", "version": 1}\n')


def test_user_convert(ws: LocalServer) -> None:
    ws.ok("user", "create", "--email", "conv@example.com", "--username", "conv", "--password", "password")
    bot = ws.ok_json("user", "convert", "conv", "--bot")[0]
    assert bot["username"] == "conv"
    assert ws.ok_json("user", "search", "conv")["is_bot"] is True
    assert ws.fails("user", "convert", "conv", "--user").err == "Error: password is required\n"
    out = ws.ok("user", "convert", "conv", "--user", "--password", "password3").out
    assert out == "conv converted to user.\n"
    assert not ws.ok_json("user", "search", "conv").get("is_bot")
    assert ws.fails("user", "convert", "conv").err == 'Error: either "user" flag or "bot" flag should be provided\n'


def test_config_migrate(ws: LocalServer) -> None:
    """mmctl config migrate FROM TO: file to file on the server's machine, in local mode only."""
    src, dst = os.path.join(ws.home, "from.json"), os.path.join(ws.home, "to.json")
    with open(src, "w") as fh:
        json.dump({"TeamSettings": {"SiteName": "Migrated"}, "SqlSettings": {"DataSource": "secret.db"}}, fh)
    assert ws.ok("config", "migrate", src, dst).out == ""
    with open(dst) as fh:
        written = json.load(fh)
    assert written["TeamSettings"]["SiteName"] == "Migrated" and written["SqlSettings"]["DataSource"] == "secret.db"
    assert written["ServiceSettings"]["ListenAddress"] == ":8065"  # a complete file, defaults filled in
    assert stat.S_IMODE(os.stat(dst).st_mode) == 0o600
    # the running server's own configuration is untouched
    assert ws.ok_json("config", "get", "TeamSettings.SiteName") != "Migrated"
    # refused: database stores, an invalid or missing source, a missing directory
    r = ws.fails("config", "migrate", src, "postgres://u@localhost/db")
    assert "database configuration store" in r.err and r.err.startswith("Error: : ")
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
    lines = ws.ok("logs", "--number", "500").out.splitlines()
    assert 0 < len(lines) <= 500
    entries = [json.loads(line) for line in lines]
    assert all({"timestamp", "level", "msg", "caller"} <= set(e) for e in entries)
    audit = [e for e in entries if e["caller"] == "chinwag.audit" and e.get("login_id") == "alice"]
    assert audit and audit[-1]["status"] == "fail"
    # plain output is the lines themselves, the newest last; -n limits
    plain = ws.ok("logs", "-n", "3").out.splitlines()
    assert len(plain) == 3
    assert ws.fails("logs", "--json").err == 'Error: the "--format" and "--json" flags cannot be used with this command\n'
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


def test_enterprise_commands_answer_as_an_unlicensed_server(ws: LocalServer) -> None:
    from tests.cli.mmctl_reference import ENTERPRISE_ONLY

    args = {"group list-ldap": [], "group user restore": ["x" * 26]}
    for path in ENTERPRISE_ONLY:
        extra = args.get(path, ["eng:dev" if path.startswith("group channel") else "eng"])
        r = ws.fails(*path.split(), *extra)
        assert r.err == "Error: : Your license does not support LDAP groups.\n" or \
            r.err == "Error: : Your license does not support custom user groups.\n", (path, r.err)


def test_admin_commands_on_the_new_routes(ws: LocalServer) -> None:
    # system getbusy|setbusy|clearbusy
    assert ws.ok("system", "getbusy").out == "busy:false expires:1970-01-01T00:00:00Z\n"
    assert ws.ok("system", "setbusy", "-s", "120").out == "Busy state set\n"
    busy = ws.ok_json("system", "getbusy")
    assert busy["busy"] is True and ws.ok("system", "getbusy").out == f"busy:true expires:{busy['expires_ts']}\n"
    assert ws.ok("system", "clearbusy", "--json").out == '{\n  "status": "ok"\n}\n'
    assert ws.fails("system", "setbusy", "--seconds", "0").err == "Error: seconds must be a number > 0\n"
    # team search|modify
    ws.ok("team", "create", "--name", "searchable", "--display-name", "Findable Team")
    found = ws.ok("team", "search", "findable", "nothing-like-this")
    assert found.out.startswith("searchable: Findable Team (") and found.err == \
        "Unable to find team 'nothing-like-this'\n"
    assert ws.ok("team", "modify", "searchable", "--private").out == "Modified team 'searchable'\n"
    assert ws.ok_json("team", "search", "searchable")[0]["type"] == "I"
    assert ws.fails("team", "modify", "searchable").err == "Error: must specify one of --private or --public\n"
    # user verify
    ws.ok("user", "create", "--email", "unverified@example.com", "--username", "unverified", "--password",
          "password")
    assert ws.ok("user", "verify", "unverified").out == "User unverified verified\n"
    # command move
    ws.ok("command", "create", "eng", "--trigger-word", "mover", "--url", "http://127.0.0.1:9/m", "--creator",
          "alice")
    assert ws.ok("command", "move", "searchable", "eng:mover").out == "Status: ok\n"
    assert ws.ok("command", "show", "searchable:mover").out.startswith("teamId:             ")
    # change-password --hashed: a bcrypt hash from another server, stored as it is
    import bcrypt
    import httpx

    hashed = bcrypt.hashpw(b"from-elsewhere-1", bcrypt.gensalt(4)).decode()
    assert ws.ok("user", "change-password", "unverified", "--hashed", "-p", hashed).out == \
        "Password for user unverified successfully changed\n"
    r = httpx.post(ws.proc.api + "/users/login", json={"login_id": "unverified", "password": "from-elsewhere-1"})
    assert r.status_code == 200
    assert ws.fails("user", "change-password", "unverified", "--hashed", "-p", "nope").err.startswith(
        "Error: changing user hashed password failed: : ")
    # saml auth-data-reset (no SAML users here)
    assert ws.ok("saml", "auth-data-reset", "--dry-run").out == "0 user records would be affected.\n\n"
    # what the server does not have yet: its own error, one line
    found = [line for line in ws.ok("integrity", "--confirm", "--verbose").out.splitlines() if line.startswith("Found")]
    assert found[0] == "Found 0 in relation CommandWebhooks orphans of relation Channels"
    assert "Found 0 in relation OutgoingWebhooks orphans of relation Channels" in found  # team-wide hooks are fine
    assert "Found 0 in relation Posts orphans of relation Posts" in found
    # only the prepackaged plugins, none enabled (tests/cli/test_mmctl_plugins.py does the rest)
    assert ws.ok("plugin", "list").out == ("Listing enabled plugins\nListing disabled plugins\n"
                                           "com.github.manland.mattermost-plugin-gitlab: GitLab, Version: 1.9.0\n"
                                           "com.mattermost.calls: Calls, Version: 1.0.0\n"
                                           "memes: Memes, Version: 1.2.0\n")
    # invitations by email are off by default: Mattermost's refusal, one line
    r = ws.fails("user", "invite", "x@example.com", "eng")
    assert "Email invitations are disabled." in r.err and "Traceback" not in r.err


def test_permissions(ws: LocalServer) -> None:
    import httpx

    with httpx.Client(transport=httpx.HTTPTransport(uds=ws.socket), base_url="http://_/api/v4") as c:
        role = c.get("/roles/name/system_user_access_token").json()
    perms = sorted(role["permissions"])
    width = len("SchemeManaged") + 1
    expected = "\n" + "".join(f"{k:<{width}}{v}\n" for k, v in (
        ("Property", "Value"), ("--------", "-----"), ("Name", role["name"]), ("DisplayName", role["display_name"]),
        ("BuiltIn", str(role["built_in"]).lower()), ("SchemeManaged", str(role["scheme_managed"]).lower()))) + \
        "".join(f"{'Permissions' if i == 0 else '':<{width}}{p}\n" for i, p in enumerate(perms)) + "\n"
    assert ws.ok("permissions", "role", "show", "system_user_access_token").out == expected
    ws.ok("user", "create", "--email", "pa@example.com", "--username", "pa", "--password", "password")
    assert ws.ok("permissions", "role", "assign", "system_user_access_token", "pa").out == ""
    assert ws.ok_json("user", "search", "pa")["roles"] == "system_user system_user_access_token"
    ws.ok("permissions", "role", "unassign", "system_user_access_token", "pa")
    assert ws.ok_json("user", "search", "pa")["roles"] == "system_user"
    r = ws.run("permissions", "role", "assign", "system_user_access_token", "nobody")
    assert r.code == 1 and r.err.startswith("Couldn't find user 'nobody'.\n")
    # add|remove|reset patch the role (PATCH /roles/{id}/patch): whatever the server answers, in one line
    r = ws.run("permissions", "add", "system_user", "create_team")
    assert r.code == 0 or (r.err.startswith("Error: : ") and len(r.err.splitlines()) == 1), r.err

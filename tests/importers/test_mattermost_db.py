"""`chinwag import mattermost`: a Mattermost database (PostgreSQL, our fixture of its schema filled with
every edge case) migrated into chinwag (SQLite and PostgreSQL) and checked through the API — people
sign in with their old passwords (bcrypt and PBKDF2) and MFA, old sessions and access tokens work, the
old incoming webhook URL keeps posting, permalinks resolve, unread counts and threads are as they were;
a second run changes nothing."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pyotp
import pytest

from chinwag.app.migration import GITLAB_PLUGIN
from chinwag.filestore.local import LocalBackend
from chinwag.importers.archive import ImportFailure
from chinwag.importers.mattermost import MattermostImporter
from chinwag.model import permissions
from chinwag.server import Server
from tests.api.helpers import Unchanged
from tests.conftest import Client, TestDatabase, World, create_pg_database, running_server
from tests.importers import mm_fixture as mm

PG_URL = os.environ.get("CHINWAG_TEST_POSTGRES", "")
pytestmark = pytest.mark.skipif(not PG_URL, reason="the Mattermost source database is PostgreSQL "
                                "(set CHINWAG_TEST_POSTGRES)")


async def _source(data_dir: str) -> tuple[TestDatabase, mm.Gen]:
    """A Mattermost database of its own on the test PostgreSQL, filled with the fixture."""
    import asyncpg

    db = await create_pg_database("mmsrc_mmimport")
    gen = mm.generate(data_dir)
    conn = await asyncpg.connect(db.datasource.replace("postgres://", "postgresql://", 1))
    await mm.write(conn, gen)
    await conn.close()
    return db, gen


@pytest.fixture(scope="module")
async def source(tmp_path_factory: Any) -> AsyncIterator[tuple[str, str, mm.Gen]]:
    """A Mattermost database (its own PostgreSQL database) and data directory, not changed by the tests."""
    data_dir = str(tmp_path_factory.mktemp("mmdata"))
    db, gen = await _source(data_dir)
    yield db.datasource, data_dir, gen
    await db.drop()


@pytest.fixture
async def target(database: TestDatabase, tmp_path: Any) -> AsyncIterator[Server]:
    """An empty chinwag with MFA, personal access tokens and the OAuth provider on (they are in the source)."""
    async with running_server(database, str(tmp_path), MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS="true",
                              MM_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION="true",
                              MM_SERVICESETTINGS_ENABLEOAUTHSERVICEPROVIDER="true") as srv:
        yield srv


def client(srv: Server, token: str = "") -> Client:
    c = Client(srv)
    c.token = token
    return c


async def test_migration_keeps_everything(target: Server, source: tuple[str, str, mm.Gen]) -> None:
    url, data_dir, gen = source
    f = gen.f
    files = LocalBackend(data_dir)
    report = await MattermostImporter(target.app, url, files=files).run()
    c = report.counts
    assert c["posts"]["added"] == f.counts["posts"] and c["users"]["added"] == f.counts["users"]
    assert c["sessions"] == {"added": 2, "expired (left behind)": 1}
    assert c["status"] == {"added": 3} and c["oauthapps"] == {"added": 1} and c["oauthaccessdata"] == {"added": 1}
    assert c["oauthauthdata"] == {"expired (left behind)": 1}
    assert c["roles"] == {"updated": 1, "unchanged": len(permissions.BUILTIN_ROLES) - 1,
                          "left behind (scheme and custom roles)": 9}
    # permission schemes (a licensed feature in Mattermost, as is channel moderation, kept there as a channel
    # scheme; chinwag answers as unlicensed Mattermost): counted, and each team and channel that used one named
    # with what its scheme allowed or denied beyond the system-wide roles
    assert c["schemes"] == {"left behind (chinwag has no permission schemes)": 2}
    assert c["drafts"] == {"added": 3}
    # GitLab accounts: alice's and bob's decrypted with the key in the database's configuration; carol's was
    # encrypted with a key rotated out since
    assert c["plugin data"] == {"GitLab channel subscriptions added": 1, "GitLab accounts connected": 2,
                                "GitLab accounts left behind (not decrypted)": 1,
                                "com.mattermost.calls: keys left behind": 1}
    assert any("playbook_public_create_example" in w for w in report.warnings)
    assert f"team acme used permission scheme 'Acme scheme' ({f.scheme}): in chinwag its members have the " \
           "system-wide roles' permissions — there, team_user without create_public_channel and also " \
           "use_group_mentions" in report.warnings
    assert f"channel off-topic used permission scheme {f.channel_scheme!r} ({f.channel_scheme}): in chinwag its " \
           "members have the system-wide roles' permissions — there, channel_user without add_reaction, " \
           "create_post, remove_reaction; channel_guest without add_reaction, create_post, remove_reaction" \
           in report.warnings
    assert c["reactions"] == {"added": 2, "removed ones (left behind)": 1} and c["postreminders"] == {"added": 1}
    # report.txt, chart.png with its thumbnail and preview, the emoji, a profile picture, a team icon, a bot icon
    assert c["files"] == {"copied": 8, "not in the source": 1}
    assert [m["id"] for m in report.missing_files] == [next(r["id"] for r in gen.rows["fileinfo"]
                                                            if r["name"] == "lost.txt")]
    users, ch, p = f.users, f.channels, f.posts

    # people sign in with the passwords they had (bcrypt, and PBKDF2 of newer Mattermost), MFA included
    alice, bob = client(target), client(target)
    await alice.login("alice", f.passwords["alice"])
    await bob.login("bob", f.passwords["bob"])
    carol = client(target)
    r = await carol.post("/users/login", {"login_id": "carol", "password": f.passwords["carol"]})
    assert r.status_code == 401 and r.json()["id"] == "api.user.check_user_mfa.bad_code.app_error"
    r = await carol.post("/users/login", {"login_id": "carol", "password": f.passwords["carol"],
                                          "token": pyotp.TOTP(f.mfa_secret).now()})
    assert r.status_code == 200, r.text
    carol.token = r.headers["Token"]
    r = await client(target).post("/users/login", {"login_id": "alice", "password": "wrong-password"})
    assert r.status_code == 401
    # the apps stay signed in: an old session token and a personal access token work, an expired one does not
    assert (await client(target, f.session).get("/users/me")).json()["username"] == "bob"
    assert (await client(target, f.pat).get("/users/me")).json()["username"] == "alice"
    assert (await client(target, f.expired_session).get("/users/me")).status_code == 401

    # statuses: chosen by hand (DND until its end time, away) kept; online from activity there is offline here
    st = {x["user_id"]: x for x in (await alice.post("/users/status/ids", [users["alice"], users["bob"],
                                                                          users["carol"]])).json()}
    assert (st[users["bob"]]["status"], st[users["bob"]]["manual"], st[users["bob"]]["dnd_end_time"]) == \
        ("dnd", True, 4_102_444_800)
    assert st[users["carol"]]["status"] == "away" and st[users["alice"]]["status"] == "offline"
    # carol's custom status (her props)
    cs = json.loads((await alice.get(f"/users/{users['carol']}")).json()["props"]["customStatus"])
    assert (cs["emoji"], cs["text"]) == ("palm_tree", "On vacation")
    # roles: the admin's change to system_user is kept (no team creation), a permission chinwag lacks dropped
    role = (await alice.get("/roles/name/system_user")).json()
    assert "create_team" not in role["permissions"] and "create_direct_channel" in role["permissions"]
    assert "playbook_public_create_example" not in role["permissions"]
    r = await bob.post("/teams", {"name": "bobs-team", "display_name": "Bob's", "type": "O"})
    assert r.status_code == 403, r.text
    assert (await alice.get(f"/teams/{f.team}")).json().get("scheme_id") in (None, "")
    # the OAuth app and bob's grant: the app's token is still his session there
    app_ = (await alice.get(f"/oauth/apps/{f.oauth_app}")).json()
    assert app_["name"] == "Dashboard" and app_["callback_urls"] == ["https://dash.example.com/cb"]
    authorized = (await bob.get(f"/users/{users['bob']}/oauth/apps/authorized")).json()
    assert [x["id"] for x in authorized] == [f.oauth_app]
    assert (await client(target, f.oauth_token).get("/users/me")).json()["username"] == "bob"
    # the GitLab plugin's subscriptions in the bundled plugin's shape
    raw = await target.app.core.store.plugins.get(GITLAB_PLUGIN, "subscriptions", 0)
    assert raw is not None and json.loads(raw)["repositories"]["acme/api"] == [
        {"channel_id": ch["off-topic"], "creator_id": users["alice"], "features": "merges,issues,tag",
         "repository": "acme/api"}]

    # the accounts connected in Mattermost's GitLab plugin, as the bundled plugin keeps them (chinwag has no
    # EncryptionKey of its own here: the tokens are kept as the plugin would keep them, in the clear)
    raw = await target.app.core.store.plugins.get(GITLAB_PLUGIN, f"{users['alice']}_gitlabtoken", 0)
    conn = json.loads(raw or b"{}")
    assert (conn["gitlab_username"], conn["gitlab_user_id"], conn["token"], conn["web_url"], conn["settings"]) == (
        "gl_alice", 101, f.gitlab_tokens["alice"], "https://gitlab.example.com/gl_alice",
        {"notifications": True, "daily_reminder": False})
    assert await target.app.core.store.plugins.get(GITLAB_PLUGIN, "gl_bob_gitlabusername", 0) == users["bob"].encode()
    assert await target.app.core.store.plugins.get(GITLAB_PLUGIN, f"{users['carol']}_gitlabtoken", 0) is None

    # users: deleted, SSO, bots
    dave = (await alice.get(f"/users/{users['dave']}")).json()
    assert dave["delete_at"] > 0
    erin = (await alice.get(f"/users/{users['erin']}")).json()
    assert erin["auth_service"] == "gitlab"
    bot = (await alice.get(f"/bots/{users['ci-bot']}")).json()
    assert bot["owner_id"] == users["alice"] and bot["description"] == "Builds things"
    assert (await alice.get(f"/users/{users['ci-bot']}")).json()["is_bot"] is True
    assert (await alice.get(f"/users/{users['alice']}/image")).headers["content-type"] == "image/png"

    # permalinks: the same post ids; threads, edits, deletions, pins, flags, reactions
    # a thread from before Mattermost 5.29 (no Threads row there): its replies counted as Mattermost counts them
    assert c["threads"]["made for replies without one (Mattermost before 5.29 kept none)"] == 1
    old_root = (await bob.get(f"/posts/{p['old_root']}")).json()
    assert old_root["reply_count"] == 2
    thread = (await bob.get(f"/posts/{p['old_root']}/thread")).json()
    assert len(thread["order"]) == 3
    root = (await bob.get(f"/posts/{p['root']}")).json()
    assert root["message"].startswith("Release plan") and root["reply_count"] == 3
    thread = (await bob.get(f"/posts/{p['root']}/thread")).json()
    assert set(thread["order"]) == {p["root"], p["reply1"], p["reply2"], p["reply3"]}
    edited = (await bob.get(f"/posts/{p['edited']}")).json()
    assert edited["edit_at"] > 0 and edited["message"] == "Fixed typo (edited)"
    assert (await bob.get(f"/posts/{p['deleted']}")).status_code == 404
    pinned = (await bob.get(f"/channels/{ch['town-square']}/pinned")).json()
    assert pinned["order"] == [p["files"]]
    flagged = (await alice.get(f"/users/{users['alice']}/posts/flagged")).json()
    assert flagged["order"] == [p["files"]]
    reactions = (await bob.get(f"/posts/{p['root']}/reactions")).json()
    assert sorted(x["emoji_name"] for x in reactions) == ["+1", "parrot"]
    page = (await bob.get(f"/channels/{ch['town-square']}/posts")).json()
    assert p["old_version"] not in page["posts"] and p["webhook"] in page["posts"]
    assert page["posts"][p["webhook"]]["props"]["override_username"] == "ci"

    # unread counts as in Mattermost: channels, DMs, threads
    for (name, channel), (msgs, mentions) in f.unread.items():
        viewer = {"bob": bob, "carol": carol}[name]
        r = await viewer.get(f"/users/{users[name]}/channels/{ch[channel]}/unread")
        assert (r.json()["msg_count"], r.json()["mention_count"]) == (msgs, mentions), (name, channel, r.json())
    r = await bob.get(f"/users/{users['bob']}/channels/{ch['off-topic']}/unread")
    assert r.json()["msg_count"] == 0
    threads = (await bob.get(f"/users/{users['bob']}/teams/{f.team}/threads")).json()
    assert [(t["id"], t["unread_replies"]) for t in threads["threads"]] == [(p["root"], 2)]
    threads = (await carol.get(f"/users/{users['carol']}/teams/{f.team}/threads")).json()
    assert threads["threads"][0]["unread_mentions"] == 1

    # channels: archived, private, DM and group message
    assert (await alice.get(f"/channels/{ch['old-news']}")).json()["delete_at"] > 0
    mine = {c["id"]: c for c in (await bob.get(f"/users/me/teams/{f.team}/channels")).json()}
    assert ch["secret"] not in mine and ch["town-square"] in mine
    dms = {c["type"] for c in (await bob.get("/users/me/channels")).json()}
    assert {"D", "G"} <= dms

    # the team archived in Mattermost is archived in chinwag, with its channels, members, posts and thread;
    # restored (as in Mattermost), everything is there
    old = (await alice.get(f"/teams/{f.old_team}")).json()
    assert (old["name"], old["type"], old["delete_at"]) == ("oldco", "I", mm.T0 + 70_000)
    assert f.old_team not in [x["id"] for x in (await alice.get("/teams")).json()]
    assert f.old_team in [x["id"] for x in (await alice.get("/teams", params={"include_deleted": "true"})).json()]
    assert (await alice.get(f"/posts/{p['old_team']}")).json()["message"] == "Last words of Old Co"
    r = await alice.post(f"/teams/{f.old_team}/restore")
    assert r.status_code == 200 and r.json()["delete_at"] == 0, r.text
    assert f.old_team in [x["id"] for x in (await bob.get(f"/users/{users['bob']}/teams")).json()]
    mine = {c["name"] for c in (await bob.get(f"/users/me/teams/{f.old_team}/channels")).json() if c["team_id"]}
    assert mine == {"oldco-general", "oldco-private"}
    page = (await bob.get(f"/channels/{ch['oldco-general']}/posts")).json()
    assert set(page["order"]) == {p["old_team"], p["old_team_reply"]}
    assert page["posts"][p["old_team"]]["reply_count"] == 1
    threads = (await bob.get(f"/users/{users['bob']}/teams/{f.old_team}/threads")).json()
    assert [(x["id"], x["reply_count"], x["unread_replies"]) for x in threads["threads"]] == [(p["old_team"], 1, 0)]
    assert (await bob.get(f"/channels/{ch['oldco-private']}/posts")).json()["order"] == [p["old_private"]]
    r = await bob.get(f"/users/{users['bob']}/channels/{ch['oldco-general']}/unread")
    assert r.json()["msg_count"] == 0

    # files: the bytes, a thumbnail; emoji; preferences
    for fid, data in f.files.items():
        r = await alice.get(f"/files/{fid}")
        assert r.status_code == 200 and r.content == data
    assert (await alice.get(f"/files/{next(iter(f.files))}/info")).json()["post_id"] == p["files"]
    img = next(k for k in f.files if f.files[k].startswith(b"\x89PNG"))
    assert (await alice.get(f"/files/{img}/thumbnail")).status_code == 200
    emoji = (await alice.get("/emoji/name/parrot")).json()
    assert emoji["id"] == f.emoji
    assert (await alice.get(f"/emoji/{f.emoji}/image")).status_code == 200
    prefs = (await alice.get("/users/me/preferences/display_settings")).json()
    assert [(x["name"], x["value"]) for x in prefs] == [("use_military_time", "true")]

    # drafts: alice's two (the thread's first, changed last) on every device; bob's marked deleted is not listed
    drafts = (await alice.get(f"/users/me/teams/{f.team}/drafts")).json()
    assert [(d["channel_id"], d["root_id"], d["message"]) for d in drafts] == [
        (ch["town-square"], p["root"], "answering the plan"), (ch["off-topic"], "", "half a thought")]
    assert (drafts[0]["props"], drafts[0]["file_ids"], drafts[0]["priority"]) == (
        {"disable_group_highlight": True}, [f.draft_file], {"priority": "important"})
    assert (await bob.get(f"/users/me/teams/{f.team}/drafts")).json() == []

    # integrations keep their ids and tokens
    hook = (await alice.get(f"/hooks/incoming/{f.hook}")).json()
    assert hook["channel_id"] == ch["town-square"]
    out = (await alice.get(f"/hooks/outgoing/{f.outgoing[0]}")).json()
    assert out["token"] == f.outgoing[1] and out["trigger_words"] == ["deploy"]
    cmds = (await alice.get("/commands", params={"team_id": f.team, "custom_only": "true"})).json()
    assert [(x["id"], x["token"], x["trigger"]) for x in cmds] == [(f.command[0], f.command[1], "weather")]

    # a second run (the source unchanged) changes nothing
    world = World(target)
    async with Unchanged(world):
        again = await MattermostImporter(target.app, url, files=files).run()
    assert all("added" not in v or v["added"] == 0 for v in again.counts.values()), again.counts
    assert again.counts.get("files") is None

    # the old webhook URL keeps posting into the same channel
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=target.asgi), base_url="http://localhost:8065"
                                 ) as http:
        r = await http.post(f"/hooks/{f.hook}", json={"text": "still here"})
    assert r.status_code == 200, r.text
    page = (await alice.get(f"/channels/{ch['town-square']}/posts")).json()
    assert any(x["message"] == "still here" for x in page["posts"].values())
    for x in (alice, bob, carol):
        await x.aclose()
    await files.close()


async def test_dry_run_and_name_clashes(target: Server, source: tuple[str, str, mm.Gen]) -> None:
    url, data_dir, gen = source
    world = World(target)
    async with Unchanged(world):
        report = await MattermostImporter(target.app, url, files=LocalBackend(data_dir), dry_run=True).run()
    assert report.counts["posts"] == {"to add": gen.f.counts["posts"]}
    assert report.counts["files"] == {"not in the source": 1}
    assert report.counts["plugin data"] == {"GitLab channel subscriptions to add": 1, "GitLab accounts to connect": 2,
                                            "GitLab accounts left behind (not decrypted)": 1,
                                            "com.mattermost.calls: keys left behind": 1}
    assert await target.app.core.store.plugins.get(GITLAB_PLUGIN, f"{gen.f.users['alice']}_gitlabtoken", 0) is None
    # chinwag already has an "alice" who is someone else: refused before anything is written
    await world.user("alice")
    async with Unchanged(world):
        with pytest.raises(ImportFailure, match="username 'alice' is taken"):
            await MattermostImporter(target.app, url).run()
        dry = await MattermostImporter(target.app, url, dry_run=True).run()
    assert any("alice" in w for w in dry.warnings)
    await world.aclose()


async def test_not_a_mattermost_database(target: Server) -> None:
    with pytest.raises(ImportFailure, match="postgres:// or mysql://"):
        await MattermostImporter(target.app, "http://example.com/").run()
    bad = PG_URL.rsplit("/", 1)[0] + "/no_such_db_mmimport"
    with pytest.raises(ImportFailure, match="cannot read Mattermost's database"):
        await MattermostImporter(target.app, bad).run()


async def test_source_is_read_only(source: tuple[str, str, mm.Gen]) -> None:
    from chinwag.importers.mattermost import MattermostSource

    src = MattermostSource(source[0])
    await src.open()
    try:
        with pytest.raises(Exception, match="read-only transaction"):
            await src.raw.execute("DELETE FROM posts")
    finally:
        await src.close()


def test_cli(tmp_path: Any, source: tuple[str, str, mm.Gen]) -> None:
    """The command itself, a real process on SQLite: dry run, run, re-run."""
    import subprocess
    import sys

    url, data_dir, gen = source
    tmp = str(tmp_path)
    env = {**os.environ, "MM_SQLSETTINGS_DRIVERNAME": "sqlite", "MM_SQLSETTINGS_DATASOURCE": f"{tmp}/chinwag.db",
           "MM_FILESETTINGS_DIRECTORY": f"{tmp}/files", "MM_CONFIG": f"{tmp}/config.json"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "chinwag.cli.main", "import", "mattermost", "--from", url,
                               *args], env=env, capture_output=True, text=True, timeout=120)

    dry = run("--data-dir", data_dir, "--dry-run", "--report", f"{tmp}/dry.json")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("Dry run of") and f"posts: {gen.f.counts['posts']} to add" in dry.stdout
    # the files found through Mattermost's config.json: its FileSettings, "./data/" under its installation;
    # the GitLab plugin's key of the connected accounts in its plugin settings
    os.makedirs(f"{tmp}/mattermost/config")
    os.symlink(data_dir, f"{tmp}/mattermost/data")
    with open(f"{tmp}/mattermost/config/config.json", "w") as fh:
        json.dump({"FileSettings": {"DriverName": "local", "Directory": "./data/"}, "SqlSettings": {},
                   "PluginSettings": {"Plugins": {GITLAB_PLUGIN: {"encryptionkey": gen.f.gitlab_key}}}}, fh)
    done = run("--mattermost-config", f"{tmp}/mattermost/config/config.json", "--report", f"{tmp}/run.json")
    assert done.returncode == 0, done.stderr
    assert f"posts: {gen.f.counts['posts']} added" in done.stdout and "posts" in done.stderr  # the progress bar
    with open(f"{tmp}/run.json") as fh:
        counts = json.load(fh)["counts"]
    assert counts["files"]["copied"] == 8 and counts["plugin data"]["GitLab accounts connected"] == 2
    with open(f"{tmp}/list.json", "w") as fh:
        json.dump([], fh)
    bad = run("--mattermost-config", f"{tmp}/list.json")
    assert bad.returncode == 1 and "not a Mattermost config.json" in bad.stderr
    again = run("--data-dir", data_dir, "--report", f"{tmp}/again.json")
    assert again.returncode == 0, again.stderr
    with open(f"{tmp}/again.json") as fh:
        assert all(v.get("added", 0) == 0 for v in json.load(fh)["counts"].values())
    bad = run("--data-dir", f"{tmp}/nowhere")
    assert bad.returncode == 1 and "no such directory" in bad.stderr


async def test_mysql_source(target: Server, database: TestDatabase, tmp_path: Any) -> None:
    """Mattermost on MySQL/MariaDB (its CamelCase tables, JSON columns, tinyint booleans) into chinwag."""
    from tests.conftest import MYSQL_OK, create_mysql_database

    if database.driver != "sqlite" or not MYSQL_OK:
        pytest.skip("the MySQL source is checked once, into SQLite, when MySQL/MariaDB is reachable")
    import asyncmy

    from tests.conftest import _mysql_admin_args

    db = await create_mysql_database("mmsrc_mmimport")
    try:
        gen = mm.generate(str(tmp_path / "data"))
        args = _mysql_admin_args()
        conn = await asyncmy.connect(**{**args, "db": db.datasource.split(")/", 1)[1].split("?")[0]})
        await mm.write_mysql(conn, gen)
        conn.close()
        f = gen.f
        report = await MattermostImporter(target.app, db.datasource, files=LocalBackend(str(tmp_path / "data"))).run()
        assert report.counts["posts"]["added"] == f.counts["posts"], report.counts
        alice, bob = client(target), client(target)
        await alice.login("alice", f.passwords["alice"])
        await bob.login("bob", f.passwords["bob"])
        root = (await bob.get(f"/posts/{f.posts['root']}")).json()
        assert root["reply_count"] == 3 and root["is_pinned"] is False
        r = await bob.get(f"/users/{f.users['bob']}/channels/{f.channels['town-square']}/unread")
        assert (r.json()["msg_count"], r.json()["mention_count"]) == f.unread[("bob", "town-square")]
        out = (await alice.get(f"/hooks/outgoing/{f.outgoing[0]}")).json()
        assert out["token"] == f.outgoing[1] and out["trigger_words"] == ["deploy"]
        assert (await alice.get(f"/users/{f.users['ci-bot']}")).json()["is_bot"] is True
        # statuses, roles, the OAuth app, the GitLab subscriptions, drafts; schemes counted
        st = (await alice.post("/users/status/ids", [f.users["bob"]])).json()[0]
        assert (st["status"], st["dnd_end_time"]) == ("dnd", 4_102_444_800)
        assert "create_team" not in (await alice.get("/roles/name/system_user")).json()["permissions"]
        assert (await alice.get(f"/oauth/apps/{f.oauth_app}")).json()["name"] == "Dashboard"
        c = report.counts
        assert c["plugin data"]["GitLab channel subscriptions added"] == 1
        assert c["schemes"] == {"left behind (chinwag has no permission schemes)": 2}
        assert c["drafts"] == {"added": 3}
        # deleted there between two runs: a post for good, a member who left a channel
        conn = await asyncmy.connect(**{**args, "db": db.datasource.split(")/", 1)[1].split("?")[0]})
        async with conn.cursor() as cur:
            await cur.execute("DELETE FROM Posts WHERE Id = %s", (f.posts["welcome"],))
            await cur.execute("DELETE FROM ChannelMembers WHERE ChannelId = %s AND UserId = %s",
                              (f.channels["off-topic"], f.users["erin"]))
        await conn.commit()
        conn.close()
        again = await MattermostImporter(target.app, db.datasource).run()
        assert again.counts["posts"]["gone from the source (removed)"] == 1, again.counts
        assert again.counts["channelmembers"]["gone from the source (removed)"] == 1
        assert (await bob.get(f"/posts/{f.posts['welcome']}")).status_code == 404
        r = await alice.get(f"/channels/{f.channels['off-topic']}/members/{f.users['erin']}")
        assert r.status_code == 404
        await alice.aclose()
        await bob.aclose()
    finally:
        if db.drop:
            await db.drop()


async def test_second_run_brings_what_changed(target: Server, tmp_path: Any) -> None:
    """Mattermost kept running after the first run (or that run was interrupted): the next run adds the
    new rows, updates the changed ones (an edit, a read channel, a new reply's thread), mirrors what was
    deleted there (a post, a member who left, a channel, a signed-out session, a revoked token, a removed
    reaction), removes orphans, tells the live clients — and leaves chinwag's own rows alone."""
    import asyncpg
    from sqlalchemy import text

    src_db, gen = await _source(str(tmp_path / "data"))
    url = src_db.datasource
    f = gen.f
    ch, users, p = f.channels, f.users, f.posts
    try:
        # small batches: posts are written several at a time
        await MattermostImporter(target.app, url, files=LocalBackend(str(tmp_path / "data")), batch=4).run()
        bob = client(target)
        await bob.login("bob", f.passwords["bob"])
        # chinwag's own rows between the runs: a post, a draft, and bob's new session (his login)
        native = (await bob.post("/posts", {"channel_id": ch["off-topic"], "message": "posted in chinwag"})).json()
        assert (await bob.post("/drafts", {"channel_id": ch["town-square"], "message": "typed in chinwag"})
                ).status_code == 201
        # chinwag lost some rows (an interrupted run): they come back with the next run; rows pointing at
        # nothing (a follower and a reaction of a post that is not there) are removed
        async with target.db.write() as conn:
            await conn.execute(text("DELETE FROM posts WHERE id = :id"), {"id": f.posts["gm"]})
            missing = mm.new_id()
            await conn.execute(text("INSERT INTO threadmemberships (postid, userid, following, lastviewed, lastupdated,"
                                    " unreadmentions) VALUES (:p, :u, true, 0, 0, 0)"), {"p": missing, "u": users["bob"]})
            await conn.execute(text("INSERT INTO reactions (userid, postid, emojiname, createat, updateat, deleteat, "
                                    "channelid) VALUES (:u, :p, 'smile', 1, 1, 0, :c)"),
                               {"u": users["bob"], "p": missing, "c": ch["town-square"]})
        # chinwag's admin gives team creation back after the first run: a later run keeps that change
        admin = client(target)
        await admin.login("alice", f.passwords["alice"])
        role = (await admin.get("/roles/name/system_user")).json()
        r = await admin.put(f"/roles/{role['id']}/patch", {"permissions": [*role["permissions"], "create_team"]})
        assert r.status_code == 200, r.text
        await admin.aclose()
        events: list[str] = []
        target.app.core.observers.append(lambda e: events.append(str(e.get("event"))))
        src = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        t = mm.T0 + 200_000
        new_reply = mm.new_id()
        await src.execute("INSERT INTO posts (id, createat, updateat, deleteat, userid, channelid, rootid, originalid, "
                          "message, type, props, hashtags, fileids, hasreactions, editat, ispinned) VALUES ($1, $2, $2, "
                          "0, $3, $4, $5, '', 'late reply', '', '{}', '', '[]', false, 0, false)", new_reply, t,
                          users["alice"], ch["town-square"], p["root"])
        await src.execute("UPDATE posts SET message = 'Looks great', editat = $1, updateat = $1 WHERE id = $2", t + 1,
                          p["reply1"])
        await src.execute("UPDATE threads SET replycount = 4, lastreplyat = $1 WHERE postid = $2", t, p["root"])
        await src.execute("UPDATE channels SET totalmsgcount = totalmsgcount + 1, lastpostat = $1 WHERE id = $2", t,
                          ch["town-square"])
        await src.execute("UPDATE channelmembers SET msgcount = msgcount + 4, mentioncount = 0, lastviewedat = $1, "
                          "lastupdateat = $1 WHERE channelid = $2 AND userid = $3", t, ch["town-square"], users["bob"])
        # deleted there: a post for good, erin left off-topic, the secret channel with its members and posts,
        # bob signed out, alice revoked her token, bob took back his reaction
        await src.execute("DELETE FROM posts WHERE id = $1", p["welcome"])
        # erin left the team (her member row marked deleted, her channel memberships in it gone); dave's
        # profile changed
        await src.execute("UPDATE teammembers SET deleteat = $1 WHERE teamid = $2 AND userid = $3", t, f.team,
                          users["erin"])
        await src.execute("DELETE FROM channelmembers WHERE channelid IN ($1, $2) AND userid = $3", ch["off-topic"],
                          ch["town-square"], users["erin"])
        await src.execute("UPDATE users SET nickname = 'Dave (gone)', updateat = $1 WHERE id = $2", t, users["dave"])
        # the archived team restored there
        await src.execute("UPDATE teams SET deleteat = 0, updateat = $1 WHERE id = $2", t, f.old_team)
        # alice moved off-topic from her favorites into a category of her own
        mine = f"custom_{mm.new_id()}"
        await src.execute("INSERT INTO sidebarcategories (id, userid, teamid, sortorder, sorting, type, displayname, "
                          "muted, collapsed) VALUES ($1, $2, $3, 30, '', 'custom', 'Mine', false, false)", mine,
                          users["alice"], f.team)
        await src.execute("UPDATE sidebarchannels SET categoryid = $1 WHERE channelid = $2 AND userid = $3", mine,
                          ch["off-topic"], users["alice"])
        for table in ("channelmembers", "posts", "sidebarchannels"):
            await src.execute(f"DELETE FROM {table} WHERE channelid = $1", ch["secret"])
        await src.execute("DELETE FROM channels WHERE id = $1", ch["secret"])
        # alice sent her off-topic draft (Mattermost deletes the row) and went on with the thread's
        await src.execute("DELETE FROM drafts WHERE userid = $1 AND channelid = $2 AND rootid = ''", users["alice"],
                          ch["off-topic"])
        await src.execute("UPDATE drafts SET message = 'answering the plan, v2', updateat = $1 WHERE userid = $2 "
                          "AND rootid = $3", t, users["alice"], p["root"])
        await src.execute("DELETE FROM sessions WHERE token = $1", f.session)
        await src.execute("DELETE FROM useraccesstokens WHERE token = $1", f.pat)
        await src.execute("UPDATE reactions SET deleteat = $1, updateat = $1 WHERE postid = $2 AND userid = $3", t,
                          p["root"], users["bob"])
        await src.close()
        dry = await MattermostImporter(target.app, url, dry_run=True).run()
        assert dry.counts["posts"]["gone from the source (to remove)"] == 1, dry.counts
        assert dry.counts["channels"]["gone from the source (to archive)"] == 1
        assert dry.counts["sessions"]["gone from the source (to remove)"] == 1
        again = await MattermostImporter(target.app, url, files=LocalBackend(str(tmp_path / "data")), batch=4).run()
        c = again.counts
        assert (c["posts"]["added"], c["posts"]["updated"]) == (2, 1), c["posts"]
        assert (c["threads"].get("updated"), c["channels"].get("updated"), c["channelmembers"].get("updated")) == (1, 1, 1), c
        assert c["users"] == {"added": 0, "updated": 1, "unchanged": f.counts["users"] - 1}
        assert c["teammembers"]["updated"] == 1 and c["teams"]["updated"] == 1
        assert c["posts"]["gone from the source (removed)"] == 1
        assert c["channelmembers"]["gone from the source (removed)"] == 2
        assert c["channels"]["gone from the source (archived)"] == 1
        assert c["sessions"]["gone from the source (removed)"] == 1
        assert c["useraccesstokens"]["gone from the source (removed)"] == 1
        assert c["drafts"] == {"added": 0, "updated": 1, "unchanged": 1, "gone from the source (removed)": 1}
        assert c["reactions"]["removed"] == 1
        assert c["orphans"] == {"thread followers of missing posts removed": 1, "reactions on missing posts removed": 1}
        assert "updated" not in c["roles"] or c["roles"]["updated"] == 0, c["roles"]
        assert (await bob.get(f"/posts/{f.posts['gm']}")).status_code == 200
        assert (await bob.get(f"/posts/{f.posts['reply1']}")).json()["message"] == "Looks great"
        assert (await bob.get(f"/posts/{f.posts['root']}")).json()["reply_count"] == 4
        r = await bob.get(f"/users/{users['bob']}/channels/{ch['town-square']}/unread")
        assert (r.json()["msg_count"], r.json()["mention_count"]) == (0, 0)
        # what was deleted there is gone here; chinwag's own post and session stay
        assert (await bob.get(f"/posts/{p['welcome']}")).status_code == 404
        assert (await bob.get(f"/posts/{native['id']}")).json()["message"] == "posted in chinwag"
        assert [d["message"] for d in (await bob.get(f"/users/me/teams/{f.team}/drafts")).json()] == [
            "typed in chinwag"]
        assert (await bob.get(f"/channels/{ch['off-topic']}/members/{users['erin']}")).status_code == 404
        assert (await bob.get(f"/channels/{ch['off-topic']}/members/{users['bob']}")).status_code == 200
        alice = client(target)
        await alice.login("alice", f.passwords["alice"])
        assert (await alice.get(f"/channels/{ch['secret']}")).json()["delete_at"] > 0
        assert [(d["root_id"], d["message"]) for d in (await alice.get(f"/users/me/teams/{f.team}/drafts")).json()
                ] == [(p["root"], "answering the plan, v2")]
        assert "create_team" in (await alice.get("/roles/name/system_user")).json()["permissions"]
        assert (await alice.get(f"/teams/{f.old_team}")).json()["delete_at"] == 0
        # a team made in chinwag between the runs
        native_team = (await alice.post("/teams", {"name": "made-here", "display_name": "Made here", "type": "O"})
                       ).json()
        cats = (await alice.get(f"/users/{users['alice']}/teams/{f.team}/channels/categories")).json()
        where = [c["display_name"] for c in cats["categories"] if ch["off-topic"] in c["channel_ids"]]
        assert where == ["Mine"], where
        assert (await client(target, f.session).get("/users/me")).status_code == 401
        assert (await client(target, f.pat).get("/users/me")).status_code == 401
        assert [x["emoji_name"] for x in (await bob.get(f"/posts/{p['root']}/reactions")).json()] == ["parrot"]
        # the live clients are told: the member removed, the channel archived, the caches flushed
        deadline = time.monotonic() + 30
        wanted = {"user_removed", "channel_deleted", "channel_updated", "leave_team", "user_updated", "_caches_flush"}
        while not wanted <= set(events) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert wanted <= set(events), sorted(set(events))
        # a third run: nothing more is deleted; it brings a post written there after the first run (newer
        # than it, so in the ledger), which a fourth run deletes once it is gone there too
        late = mm.new_id()
        src = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        now = int(time.time() * 1000)
        await src.execute("INSERT INTO posts (id, createat, updateat, deleteat, userid, channelid, rootid, originalid, "
                          "message, type, props, hashtags, fileids, hasreactions, editat, ispinned) VALUES ($1, $2, $2, "
                          "0, $3, $4, '', '', 'written after the first run', '', '{}', '', '[]', false, 0, false)",
                          late, now, users["alice"], ch["off-topic"])
        third = await MattermostImporter(target.app, url, files=LocalBackend(str(tmp_path / "data")), batch=4).run()
        assert not any(k.startswith("gone") for v in third.counts.values() for k in v), third.counts
        assert "orphans" not in third.counts and third.counts["posts"]["added"] == 1
        assert (await bob.get(f"/posts/{native['id']}")).status_code == 200
        await src.execute("DELETE FROM posts WHERE id = $1", late)
        # the restored team deleted for good there (mmctl team delete, DELETE /teams/{id}?permanent=true): the
        # team, its members, channels, their members, posts and threads gone from Mattermost's database
        old_channels = [ch["oldco-general"], ch["oldco-private"]]
        for table in ("threadmemberships", "threads"):
            await src.execute(f"DELETE FROM {table} WHERE postid IN (SELECT id FROM posts WHERE channelid = ANY($1))",
                              old_channels)
        for table in ("posts", "channelmembers", "sidebarchannels"):
            await src.execute(f"DELETE FROM {table} WHERE channelid = ANY($1)", old_channels)
        await src.execute("DELETE FROM channels WHERE teamid = $1", f.old_team)
        await src.execute("DELETE FROM teammembers WHERE teamid = $1", f.old_team)
        await src.execute("DELETE FROM teams WHERE id = $1", f.old_team)
        await src.close()
        events.clear()
        fourth = await MattermostImporter(target.app, url, files=LocalBackend(str(tmp_path / "data")), batch=4).run()
        assert fourth.counts["posts"]["gone from the source (removed)"] == 1, fourth.counts
        # chinwag archives it (as a channel deleted there), with its channels and their history (an admin can
        # restore it); the team made in chinwag stays
        assert fourth.counts["teams"]["gone from the source (archived)"] == 1
        assert fourth.counts["channels"]["gone from the source (archived)"] == 2
        assert (await alice.get(f"/teams/{f.old_team}")).json()["delete_at"] > 0
        assert (await alice.get(f"/channels/{ch['oldco-general']}")).json()["delete_at"] > 0
        assert (await alice.get(f"/posts/{p['old_team']}")).json()["message"] == "Last words of Old Co"
        assert (await alice.get(f"/teams/{native_team['id']}")).json()["delete_at"] == 0
        deadline = time.monotonic() + 30
        while "delete_team" not in events and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert "delete_team" in events
        assert (await bob.get(f"/posts/{late}")).status_code == 404
        assert (await bob.get(f"/posts/{native['id']}")).status_code == 200
        await bob.aclose()
        await alice.aclose()
    finally:
        await src_db.drop()


def _files_of(data_dir: str) -> list[tuple[str, bytes]]:
    out = []
    for root, _, names in os.walk(data_dir):
        for n in names:
            with open(os.path.join(root, n), "rb") as fh:
                out.append((os.path.relpath(os.path.join(root, n), data_dir), fh.read()))
    return out


async def test_files_from_s3(target: Server, database: TestDatabase, source: tuple[str, str, mm.Gen],
                             tmp_path: Any) -> None:
    """Mattermost keeps its files in S3: its config.json's FileSettings (bucket, prefix, credentials) are
    read with chinwag's own S3 backend."""
    from moto.server import ThreadedMotoServer

    from chinwag.cli.importer import mattermost_files
    from chinwag.filestore.s3 import S3Backend
    from tests.files_support import free_port, s3_settings

    if database.driver != "sqlite":
        pytest.skip("the S3 source is checked once, into SQLite")
    url, data_dir, gen = source
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    moto_endpoint = f"127.0.0.1:{port}"
    bucket = f"mm-{uuid.uuid4().hex[:8]}"
    s3 = S3Backend(s3_settings(moto_endpoint, bucket, AmazonS3PathPrefix="mattermost"))
    await s3.create_bucket()
    for path, data in await asyncio.to_thread(_files_of, data_dir):
        await s3.write_file(path, data)
    await s3.close()
    fs = s3_settings(moto_endpoint, bucket, AmazonS3PathPrefix="mattermost")
    settings = {f: getattr(fs, f) for f in ("DriverName", "AmazonS3Endpoint", "AmazonS3Bucket", "AmazonS3AccessKeyId",
                                            "AmazonS3SecretAccessKey", "AmazonS3Region", "AmazonS3SSL",
                                            "AmazonS3PathPrefix")}
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"FileSettings": settings}))
    files = mattermost_files(None, str(config))
    try:
        report = await MattermostImporter(target.app, url, files=files).run()
    finally:
        await files.close()
        moto.stop()
    assert report.counts["files"] == {"copied": 8, "not in the source": 1}
    alice = client(target)
    await alice.login("alice", gen.f.passwords["alice"])
    for fid, data in gen.f.files.items():
        assert (await alice.get(f"/files/{fid}")).content == data
    assert (await alice.get(f"/emoji/{gen.f.emoji}/image")).status_code == 200
    await alice.aclose()


async def test_gitlab_accounts_stay_connected(database: TestDatabase, tmp_path: Any,
                                              source: tuple[str, str, mm.Gen]) -> None:
    """People who connected GitLab in Mattermost are connected in chinwag's GitLab plugin: their tokens,
    decrypted with the key in Mattermost's config.json, sealed with chinwag's own, used against GitLab.
    Without the key they are left behind and counted."""
    from tests.plugins.fake_gitlab import FakeGitLab
    from tests.plugins.test_gitlab_plugin import PLUGIN, command, enable_gitlab

    url, _, gen = source
    f = gen.f
    fake = FakeGitLab().start()
    fake.tokens[f.gitlab_tokens["alice"]] = "gl_alice"
    fake.refresh_tokens["refresh-alice"] = ("gl_alice", f.gitlab_tokens["alice"])
    try:
        async with running_server(database, str(tmp_path), MM_PLUGINSETTINGS_ENABLEUPLOADS="true",
                                  MM_PLUGINSETTINGS_DIRECTORY=str(tmp_path / "plugins")) as srv:
            srv.app.plugins.restart_delay = 0.05
            world = World(srv)
            admin = await world.user("chinwag-admin")
            await enable_gitlab(admin, fake)  # chinwag's own EncryptionKey: "at-rest-key"
            # Mattermost's config.json without the GitLab plugin's settings: nothing to decrypt with
            report = await MattermostImporter(srv.app, url, config={"ServiceSettings": {}}).run()
            assert report.counts["plugin data"] == {"GitLab channel subscriptions added": 1,
                                                    "GitLab accounts left behind (not decrypted)": 3,
                                                    "com.mattermost.calls: keys left behind": 1}
            assert any("3 GitLab account(s) connected in Mattermost not moved (no EncryptionKey)" in w
                       for w in report.warnings)
            alice = world.client()
            await alice.login("alice", f.passwords["alice"])
            connected = f"/plugins/{PLUGIN}/api/v1/connected"
            r = await alice.http.get(f"http://localhost:8065{connected}", headers=alice._headers(None))
            assert r.json()["connected"] is False

            # with the key (the settings' names as config.json spells them in any case): connected
            config = {"PluginSettings": {"Plugins": {PLUGIN: {"EncryptionKey": f.gitlab_key}}}}
            report = await MattermostImporter(srv.app, url, config=config).run()
            assert report.counts["plugin data"] == {"GitLab channel subscriptions added": 0, "GitLab accounts connected": 2,
                                                    "GitLab accounts left behind (not decrypted)": 1,
                                                    "com.mattermost.calls: keys left behind": 1}
            assert any("1 GitLab account(s) connected in Mattermost not moved (" in w
                       and "(another EncryptionKey encrypted it)" in w for w in report.warnings)
            r = await alice.http.get(f"http://localhost:8065{connected}", headers=alice._headers(None))
            assert (r.json()["connected"], r.json()["gitlab_username"]) == (True, "gl_alice")
            assert r.json()["settings"]["daily_reminder"] is False
            stored = await srv.app.core.store.plugins.get(PLUGIN, f"{f.users['alice']}_gitlabtoken", 0)
            assert stored is not None and b"aesgcm:" in stored and f.gitlab_tokens["alice"].encode() not in stored
            # the plugin uses the token with GitLab: it expired, so the refresh token from Mattermost gets a new one
            town = f.channels["town-square"]
            out = await command(alice, town, "/gitlab me")
            assert out["text"].startswith(f"You are connected to GitLab as: [gl_alice]({fake.url}/gl_alice)")
            out = await command(alice, town, "/gitlab todo")
            assert "You have 1 pending todos:" in out["text"] and "[Add the widget]" in out["text"]
            assert fake.token_requests[-1]["grant_type"] == "refresh_token"
            assert f.gitlab_tokens["alice"] not in fake.tokens and "refresh-alice" not in fake.refresh_tokens
            conn = json.loads(await srv.app.core.store.plugins.get(PLUGIN, f"{f.users['alice']}_gitlabtoken", 0)
                              or b"{}")
            assert conn["expiry"] > time.time() * 1000 and b"aesgcm:" in conn["refresh_token"].encode()
            out = await command(alice, town, "/gitlab todo")  # the new token, not refreshed again
            assert "You have 1 pending todos:" in out["text"] and len(fake.token_requests) == 1
            bob = world.client()
            await bob.login("bob", f.passwords["bob"])
            out = await command(bob, town, "/gitlab me")
            assert out["text"].startswith(f"You are connected to GitLab as: [gl_bob]({fake.url}/gl_bob)")

            # a re-run keeps the connections (also one made in chinwag since), adds nothing
            report = await MattermostImporter(srv.app, url, config=config).run()
            assert report.counts["plugin data"]["GitLab accounts connected in chinwag already (kept)"] == 2
            assert "GitLab accounts connected" not in report.counts["plugin data"]
            await world.aclose()
    finally:
        fake.stop()

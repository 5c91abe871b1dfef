"""What the System Console calls besides /config: site statistics (/analytics/old), user counts
(/users/stats, /users/stats/filtered), the users list's search filters, and the SMTP test (/email/test)
against a real SMTP server. Every one refuses a non-admin."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chinwag.config.loader import to_dict
from chinwag.config.schema import FAKE_SETTING
from chinwag.server import Server
from tests.api.helpers import channel_named, team_with
from tests.conftest import World, assert_error
from tests.smtp import SmtpServer


def rows(r: Any) -> dict[str, float]:
    assert r.status_code == 200, r.text
    return {row["name"]: row["value"] for row in r.json()}


async def test_standard_and_extra_counts(world: World) -> None:
    t = await team_with(world, "alice", "bob")
    admin, alice, bob = t.admin, *t.members
    await world.channel(alice, t.team, "open-one")
    await world.channel(alice, t.team, "secret", type="P")
    town = await channel_named(alice, t.id, "town-square")
    await world.post(alice, town, "hello #greeting")
    await world.post(bob, town, "plain")
    await admin.post("/hooks/incoming", {"channel_id": town["id"]})
    await admin.delete(f"/users/{bob.user['id']}")

    r = await admin.get("/analytics/old", params={"name": "standard"})
    body = r.json()
    assert [row["name"] for row in body] == [
        "channel_open_count", "channel_private_count", "post_count", "unique_user_count", "team_count",
        "total_websocket_connections", "total_master_db_connections", "total_read_db_connections",
        "daily_active_users", "monthly_active_users", "inactive_user_count"]
    std = rows(r)
    assert std["channel_open_count"] == 3  # town-square, off-topic, open-one
    assert std["channel_private_count"] == 1
    assert std["post_count"] >= 2
    assert std["unique_user_count"] == 3  # admin, owner and alice; bob is deactivated
    assert std["inactive_user_count"] == 1
    assert std["team_count"] == 1
    assert std["total_master_db_connections"] >= 1
    assert std["total_websocket_connections"] == 0

    extra = rows(await admin.get("/analytics/old", params={"name": "extra_counts"}))
    assert list(extra) == ["file_post_count", "hashtag_post_count", "incoming_webhook_count",
                           "outgoing_webhook_count", "command_count", "session_count"]
    assert extra["hashtag_post_count"] == 1
    assert extra["incoming_webhook_count"] == 1
    assert extra["session_count"] >= 2

    # a team's view: its users and channels, no inactive count
    team_std = rows(await admin.get("/analytics/old", params={"name": "standard", "team_id": t.id}))
    assert team_std["unique_user_count"] == 2 and team_std["inactive_user_count"] == -1


async def test_per_day_rows(world: World) -> None:
    t = await team_with(world, "alice", "bob")
    admin, alice, bob = t.admin, *t.members
    town = await channel_named(alice, t.id, "town-square")
    day = 24 * 3600 * 1000
    real = world.srv.app.core.now
    today = dt.datetime.now(dt.UTC)
    for days_ago, who in ((40, bob), (3, alice), (1, alice), (1, alice), (1, bob), (0, alice)):
        world.srv.app.core.now = lambda d=days_ago: real() - d * day  # type: ignore[misc]
        await world.post(who, town, f"{days_ago} days ago")  # today's post: not a finished day, not counted
    world.srv.app.core.now = real  # type: ignore[method-assign]

    def name(days_ago: int) -> str:
        return (today - dt.timedelta(days=days_ago)).strftime("%Y-%m-%d")

    posts = await admin.get("/analytics/old", params={"name": "post_counts_day"})
    assert posts.json() == [{"name": name(1), "value": 3}, {"name": name(3), "value": 1}]
    users = await admin.get("/analytics/old", params={"name": "user_counts_with_posts_day"})
    assert users.json() == [{"name": name(1), "value": 2}, {"name": name(3), "value": 1}]
    per_team = await admin.get("/analytics/old", params={"name": "post_counts_day", "team_id": t.id})
    assert per_team.json() == posts.json()
    assert (await admin.get("/analytics/old", params={"name": "bot_post_counts_day"})).json() == []


async def test_analytics_refuses_non_admins_and_bad_input(world: World) -> None:
    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    assert_error(await alice.get("/analytics/old", params={"name": "standard"}), 403)
    assert_error(await alice.get("/analytics/old", params={"name": "standard", "team_id": t.id}), 403)
    assert_error(await admin.get("/analytics/old", params={"name": "nope"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await admin.get("/analytics/old", params={"team_id": "bad"}), 400)
    # a team that does not exist counts nothing, as in Mattermost
    unknown = rows(await admin.get("/analytics/old", params={"team_id": "a" * 26}))
    assert unknown["unique_user_count"] == 0 and unknown["post_count"] == 0
    assert_error(await world.client().get("/analytics/old"), 401)


async def test_user_stats(world: World) -> None:
    t = await team_with(world, "alice", "bob", "carol")
    admin, alice, bob, carol = t.admin, *t.members
    other = await world.team(admin, "other")
    await world.join(admin, other, alice)
    await admin.put(f"/teams/{other['id']}/members/{alice.user['id']}/roles", {"roles": "team_user team_admin"})
    await admin.delete(f"/users/{carol.user['id']}")
    world.srv.config.effective.ServiceSettings.EnableBotAccountCreation = True
    bot = await admin.post("/bots", {"username": "robot"})
    assert bot.status_code == 201, bot.text

    assert (await bob.get("/users/stats")).json() == {"total_users_count": 4}

    async def count(**params: Any) -> int:
        r = await admin.get("/users/stats/filtered", params=params)
        assert r.status_code == 200, r.text
        return int(r.json()["total_users_count"])

    assert await count() == 4
    assert await count(include_deleted="true") == 5
    assert await count(include_deleted="true", include_bots="true") == 6
    assert await count(roles="system_admin") == 1
    assert await count(in_team=other["id"]) == 2
    assert await count(in_team=other["id"], team_roles="team_admin") == 2  # the creator and alice
    assert await count(in_team=t.id, team_roles="team_user") == 2  # alice and bob (carol is deactivated)
    assert await count(in_team=t.id, team_roles="team_admin") == 1  # the owner
    town = await channel_named(alice, t.id, "town-square")
    assert await count(in_channel=town["id"]) == 3

    assert_error(await bob.get("/users/stats/filtered"), 403)
    assert_error(await admin.get("/users/stats/filtered", params={"in_team": "nope"}), 400)
    assert_error(await admin.get("/users/stats/filtered", params={"team_roles": "team_admin"}), 400)


async def test_search_by_role_and_without_team(world: World) -> None:
    t = await team_with(world, "alice", "bob")
    admin, alice = t.admin, t.members[0]
    loner = await world.user("loner")
    r = await admin.post("/users/search", {"term": "example.com", "role": "system_admin"})
    assert [u["username"] for u in r.json()] == [admin.user["username"]]
    r = await admin.post("/users/search", {"term": "n", "without_team": True})
    assert [u["username"] for u in r.json()] == ["admin", loner.user["username"]]
    assert_error(await alice.post("/users/search", {"term": "o", "without_team": True}), 403)


@pytest.fixture
async def smtp(tmp_path: Path, server: Server) -> AsyncIterator[SmtpServer]:
    s = SmtpServer(tmp_path, auth=("mailer", "s3cret")).start()
    s.configure(server.config.effective.EmailSettings)
    yield s
    s.stop()


async def test_email_test_sends_through_the_given_settings(world: World, smtp: SmtpServer) -> None:
    admin = await world.user("admin")
    alice = await world.user("alice")
    cfg = (await admin.get("/config")).json()
    assert cfg["EmailSettings"]["SMTPPassword"] == FAKE_SETTING

    # the masked password stands for the saved one while server, port and username are unchanged
    r = await admin.post("/email/test", cfg)
    assert r.status_code == 200, r.text
    (msg,) = await smtp.inbox.wait(1)
    assert msg["To"] == "admin@example.com"
    assert "Testing Email Settings" in msg["Subject"]
    assert smtp.inbox.logins == ["mailer"]

    # no body: the saved settings
    assert (await admin.post("/email/test")).status_code == 200
    await smtp.inbox.wait(2)

    changed = {**cfg, "EmailSettings": {**cfg["EmailSettings"], "SMTPUsername": "someone"}}
    assert_error(await admin.post("/email/test", changed), 400, "api.admin.test_email.reenter_password")
    wrong = {**cfg, "EmailSettings": {**cfg["EmailSettings"], "SMTPPassword": "wrong"}}
    err = assert_error(await admin.post("/email/test", wrong), 500, "app.admin.test_email.failure")
    assert err["message"].startswith("Connection unsuccessful:")
    empty = {**cfg, "EmailSettings": {**cfg["EmailSettings"], "SMTPServer": ""}}
    assert_error(await admin.post("/email/test", empty), 400, "api.admin.test_email.missing_server")
    assert_error(await alice.post("/email/test", cfg), 403)
    assert len(smtp.inbox.messages) == 2
    # nothing was saved by testing
    assert to_dict(world.srv.config.effective)["EmailSettings"]["SMTPUsername"] == "mailer"


async def test_email_test_reports_an_unreachable_server(world: World, tmp_path: Path) -> None:
    admin = await world.user("admin")
    s = SmtpServer(tmp_path)  # never started: the port refuses connections
    s.configure(world.srv.config.effective.EmailSettings)
    err = assert_error(await admin.post("/email/test"), 500, "app.admin.test_email.failure")
    assert "Connection unsuccessful" in err["message"]


async def test_all_channels_list_and_search(world: World) -> None:
    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    other = await world.team(admin, "other")
    await world.channel(alice, t.team, "alpha-news")
    secret = await world.channel(alice, t.team, "alpha-secret", type="P")
    gone = await world.channel(admin, other, "alpha-old")
    await admin.delete(f"/channels/{gone['id']}")
    await alice.post("/channels/direct", [alice.user["id"], admin.user["id"]])

    r = await admin.get("/channels", params={"include_total_count": "true", "per_page": 3})
    body = r.json()
    assert body["total_count"] == 6  # two teams × (town-square, off-topic) + alpha-news + alpha-secret
    assert [c["display_name"] for c in body["channels"]] == ["Alpha-News", "Alpha-Secret", "Off-Topic"]
    assert body["channels"][0]["team_name"] == "team1" and body["channels"][0]["team_display_name"] == "Team1"
    page2 = (await admin.get("/channels", params={"page": 1, "per_page": 3, "include_deleted": "true"})).json()
    assert len(page2) == 3 and {c["type"] for c in page2} <= {"O", "P"}
    everything = (await admin.get("/channels", params={"include_deleted": "true", "per_page": 100})).json()
    assert len(everything) == 7 and any(c["id"] == gone["id"] and c["delete_at"] > 0 for c in everything)
    no_defaults = (await admin.get("/channels", params={"exclude_default_channels": "true"})).json()
    assert {c["name"] for c in no_defaults} == {"alpha-news", "alpha-secret"}

    found = (await admin.post("/channels/search", {"term": "alpha", "page": 0, "per_page": 10})).json()
    assert found["total_count"] == 2
    found = (await admin.post("/channels/search", {"term": "alpha", "include_deleted": True})).json()
    assert sorted(c["name"] for c in found) == ["alpha-news", "alpha-old", "alpha-secret"]
    found = (await admin.post("/channels/search", {"term": "alpha", "private": True})).json()
    assert [c["id"] for c in found] == [secret["id"]]
    found = (await admin.post("/channels/search", {"term": "", "team_ids": [other["id"]], "deleted": True})).json()
    assert [c["id"] for c in found] == [gone["id"]]

    assert_error(await alice.get("/channels"), 403)
    assert_error(await alice.post("/channels/search", {"term": "alpha"}), 403)
    assert_error(await admin.post("/channels/search", {"term": "x", "team_ids": ["nope"]}), 400)


async def test_cluster_status_lists_live_nodes(world: World) -> None:
    from chinwag.app.cluster_status import ClusterStatusService
    from chinwag.store.sql.cluster_store import SqlClusterStore

    admin = await world.user("admin")
    alice = await world.user("alice")
    app = world.srv.app
    store = SqlClusterStore(world.srv.db)
    other = ClusterStatusService(app.core, app.perms, store, "n" * 26, lambda: "0042", interval=30)
    await other.beat()
    nodes = (await admin.get("/cluster/status")).json()
    assert {n["id"] for n in nodes} == {app.config_api.node_id, "n" * 26}
    me = next(n for n in nodes if n["id"] == app.config_api.node_id)
    assert set(me) >= {"id", "version", "schema_version", "config_hash", "ipaddress", "hostname"}
    assert me["version"] and me["hostname"] and len(me["config_hash"]) == 32
    assert next(n for n in nodes if n["id"] == "n" * 26)["config_hash"] == me["config_hash"]

    # a node silent for three intervals is not listed; one silent for a day is forgotten
    real = app.core.now
    app.core.now = lambda: real() + 2 * 60_000  # type: ignore[method-assign]
    try:
        assert [n["id"] for n in (await admin.get("/cluster/status")).json()] == [app.config_api.node_id]
        assert len(await store.nodes()) >= 2
        app.core.now = lambda: real() + 2 * 24 * 3600_000  # type: ignore[method-assign]
        await admin.get("/cluster/status")
        assert "n" * 26 not in {n.get("id") for n in await store.nodes()}
    finally:
        app.core.now = real  # type: ignore[method-assign]
    # a running node writes itself; a stopped one removes itself
    await other.start()
    assert "n" * 26 in {n["id"] for n in (await admin.get("/cluster/status")).json()}
    await other.close()
    assert "n" * 26 not in {n["id"] for n in (await admin.get("/cluster/status")).json()}
    assert_error(await alice.get("/cluster/status"), 403)


async def test_applied_schema_migrations(world: World) -> None:
    """GET /system/schema/version: the applied migrations, newest (the head) first, numbered in order."""
    from chinwag.store.sql.migrate import head_revision

    admin = await world.user("admin")
    alice = await world.user("alice")
    r = await admin.get("/system/schema/version")
    assert r.status_code == 200, r.text
    applied = r.json()
    assert applied[0] == {"version": len(applied), "name": head_revision()}
    assert [m["version"] for m in applied] == list(range(len(applied), 0, -1))
    assert len(applied) >= 13
    assert_error(await alice.get("/system/schema/version"), 403, "api.context.permissions.app_error")


async def test_query_logs(world: World, tmp_path: Path) -> None:
    """POST /logs/query (the System Console's Server Logs): JSON lines by node, by level and time."""
    import json

    admin = await world.user("admin")
    alice = await world.user("alice")
    log = tmp_path / "server.log"
    settings = world.srv.config.effective.LogSettings
    settings.EnableFile, settings.FileLocation = True, str(log)
    rows = [{"timestamp": f"2026-01-0{d} 10:00:00.000 Z", "level": level, "msg": f"m{d}", "caller": "x"}
            for d, level in ((1, "info"), (2, "error"), (3, "debug"), (4, "error"))]
    log.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    r = await admin.post("/logs/query", {})
    assert r.status_code == 200, r.text
    assert [e["msg"] for e in r.json()["default"]] == ["m1", "m2", "m3", "m4"]
    errors = (await admin.post("/logs/query", {"log_levels": ["ERROR"]})).json()["default"]
    assert [e["msg"] for e in errors] == ["m2", "m4"]
    window = {"date_from": "2026-01-02T00:00:00Z", "date_to": "2026-01-03T23:00:00.000Z"}
    assert [e["msg"] for e in (await admin.post("/logs/query", window)).json()["default"]] == ["m2", "m3"]
    paged = await admin.post("/logs/query?page=1&logs_per_page=1", {"log_levels": ["error"]})
    assert [e["msg"] for e in paged.json()["default"]] == ["m2"]
    assert (await admin.post("/logs/query", {"server_names": ["other-node"]})).json() == {}
    assert_error(await admin.post("/logs/query", content=b"{"), 400, "api.system.logs.invalidFilter")
    assert_error(await admin.post("/logs/query", {"log_levels": "error"}), 400, "api.system.logs.invalidFilter")
    assert_error(await alice.post("/logs/query", {}), 403, "api.context.permissions.app_error")


async def test_download_logs(world: World, tmp_path: Path) -> None:
    """GET /logs/download (the System Console's "Download logs"): the log file as mattermost.log."""
    admin = await world.user("admin")
    alice = await world.user("alice")
    log = tmp_path / "server.log"
    settings = world.srv.config.effective.LogSettings
    settings.EnableFile, settings.FileLocation = False, str(log)
    assert_error(await admin.get("/logs/download"), 500, "api.system.logs.download_bytes_buffer.app_error")
    settings.EnableFile = True
    assert_error(await admin.get("/logs/download"), 500, "api.system.logs.download_bytes_buffer.app_error")  # none yet
    log.write_text('{"level":"info","msg":"hello"}\n')
    r = await admin.get("/logs/download")
    assert r.status_code == 200, r.text
    assert r.content == b'{"level":"info","msg":"hello"}\n'
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"].startswith("attachment") and "mattermost.log" in r.headers[
        "content-disposition"]
    assert_error(await alice.get("/logs/download"), 403, "api.context.permissions.app_error")

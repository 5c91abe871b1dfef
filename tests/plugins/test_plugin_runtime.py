"""The plugin runtime over HTTP: upload, enable, disable, remove, the lists, and the hooks of real
plugins (a censor, a rewriter, one that crashes, one that hangs, one that records every hook)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.api.helpers import Unchanged, team_with
from tests.conftest import Client, World, assert_error
from tests.plugins.bundles import (
    CRASH,
    HANG,
    HARD_CRASH,
    RECORDER,
    RECORDER_HELPERS,
    REJECT,
    REWRITE,
    SCHEDULED,
    bundle,
)


async def upload(admin: Client, data: bytes, force: bool = False) -> Any:
    files: dict[str, Any] = {"plugin": ("p.tar.gz", data, "application/gzip")}
    r = await admin.http.post("/plugins", files=files, data={"force": "true"} if force else {},
                              headers=admin._headers(None))
    return r


async def install(admin: Client, plugin_id: str, code: str, **kw: Any) -> None:
    r = await upload(admin, bundle(plugin_id, code, **kw))
    assert r.status_code == 201, r.text
    r = await admin.post(f"/plugins/{plugin_id}/enable")
    assert r.status_code == 200, r.text


async def settle(world: World) -> None:
    await world.srv.app.plugins.drain()


async def test_upload_enable_disable_remove(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    r = await upload(admin, bundle("com.example.censor", REJECT))
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "com.example.censor" and r.json()["version"] == "1.0.0"
    listed = (await admin.get("/plugins")).json()
    assert "com.example.censor" in [p["id"] for p in listed["inactive"]]
    assert all(p["id"] != "com.example.censor" for p in listed["active"])
    statuses = {s["plugin_id"]: s for s in (await admin.get("/plugins/statuses")).json()}
    assert statuses["com.example.censor"]["state"] == 0
    assert statuses["com.example.censor"]["version"] == "1.0.0"

    # the same id again needs force
    assert_error(await upload(admin, bundle("com.example.censor", REJECT)), 400, "app.plugin.install_id.app_error")
    assert (await upload(admin, bundle("com.example.censor", REJECT, version="1.0.1"), force=True)).status_code == 201

    # only admins
    assert_error(await upload(bob, bundle("com.example.other", REJECT)), 403)
    assert_error(await bob.post("/plugins/com.example.censor/enable"), 403)
    assert_error(await bob.get("/plugins"), 403)

    assert (await admin.post("/plugins/com.example.censor/enable")).status_code == 200
    cfg = (await admin.get("/config")).json()["PluginSettings"]["PluginStates"]
    assert cfg["com.example.censor"] == {"Enable": True}
    assert [p["id"] for p in (await admin.get("/plugins")).json()["active"]] == ["com.example.censor"]
    statuses = {s["plugin_id"]: s for s in (await admin.get("/plugins/statuses")).json()}
    assert statuses["com.example.censor"]["state"] == 2
    assert statuses["com.example.censor"]["version"] == "1.0.1"

    channel = await world.channel(bob, t.team, "talk")
    r = await bob.post("/posts", {"channel_id": channel["id"], "message": "a forbidden word"})
    body = assert_error(r, 400)
    assert body["id"] == "Post rejected by plugin. no forbidden words"
    await world.post(bob, channel, "a fine word")

    assert (await admin.post("/plugins/com.example.censor/disable")).status_code == 200
    await world.post(bob, channel, "a forbidden word, now allowed")
    assert (await admin.get("/config")).json()["PluginSettings"]["PluginStates"]["com.example.censor"] == \
        {"Enable": False}

    assert (await admin.delete("/plugins/com.example.censor")).status_code == 200
    assert all(p["id"] != "com.example.censor" for p in (await admin.get("/plugins")).json()["inactive"])
    assert_error(await admin.delete("/plugins/com.example.censor"), 404, "app.plugin.not_installed.app_error")
    assert_error(await admin.post("/plugins/com.example.censor/enable"), 404, "app.plugin.not_installed.app_error")
    assert not (Path(world.srv.config.effective.PluginSettings.Directory) / "com.example.censor").exists()


async def test_bad_bundles_and_settings(world: World) -> None:
    admin = await world.user("admin")
    async with Unchanged(world):
        assert_error(await upload(admin, b"not a tarball"), 400, "app.plugin.extract.app_error")
        assert_error(await upload(admin, bundle("x", REJECT)), 400, "app.plugin.manifest.app_error")
        assert_error(await upload(admin, bundle("com.example.future", REJECT,
                                                manifest={"min_server_version": "99.0.0"})),
                     400, "app.plugin.min_server_version.app_error")
        r = await admin.http.post("/plugins", content=b"{}", headers=admin._headers({"content-type": "application/json"}))
        assert_error(r, 400, "api.plugin.upload.parse.app_error")
        assert_error(await admin.post("/plugins/install_from_url",
                                      params={"plugin_download_url": "http://127.0.0.1:9/p.tar.gz"}),
                     400, "api.plugin.install.download_failed.app_error")


@pytest.mark.parametrize("plugin_env", [{"MM_PLUGINSETTINGS_ENABLEUPLOADS": "false"}])
async def test_uploads_disabled(world: World) -> None:
    admin = await world.user("admin")
    assert_error(await upload(admin, bundle("com.example.censor", REJECT)), 501,
                 "app.plugin.upload_disabled.app_error")
    assert_error(await admin.post("/plugins/install_from_url", params={"plugin_download_url": "https://x/y"}),
                 501, "app.plugin.upload_disabled.app_error")


async def test_rewrite_on_create_and_update(world: World) -> None:
    t = await team_with(world, "bob")
    await install(t.admin, "com.example.rewrite", REWRITE)
    bob = t.members[0]
    channel = await world.channel(bob, t.team, "talk")
    post = await world.post(bob, channel, "my cat #pets")
    assert post["message"] == "my dog #pets"
    assert post["props"]["rewritten_by"] == "com.example.rewrite"
    stored = (await bob.get(f"/posts/{post['id']}")).json()
    assert stored["message"] == "my dog #pets" and stored["hashtags"] == "#pets"
    r = await bob.put(f"/posts/{post['id']}/patch", {"message": "edited"})
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "EDITED"


async def test_crashing_plugin_is_restarted_and_posting_goes_on(world: World) -> None:
    t = await team_with(world, "bob")
    await install(t.admin, "com.example.crash", CRASH)
    plugins = world.srv.app.plugins
    plugins.restart_delay = 60
    bob = t.members[0]
    channel = await world.channel(bob, t.team, "talk")
    post = await world.post(bob, channel, "boom goes the plugin")
    assert post["message"] == "boom goes the plugin"
    status = {s["plugin_id"]: s for s in (await t.admin.get("/plugins/statuses")).json()}["com.example.crash"]
    assert status["state"] == 4 and "boom" in status["error"]
    await world.post(bob, channel, "boom while it is down")
    # an admin can restart it at once (disable, enable)
    assert (await t.admin.post("/plugins/com.example.crash/disable")).status_code == 200
    assert (await t.admin.post("/plugins/com.example.crash/enable")).status_code == 200
    assert await world.srv.app.store.plugins.get("com.example.crash", "starts", 0) == b"2"
    # left alone, it is restarted after its backoff
    plugins.restart_delay = 0.05
    await world.post(bob, channel, "boom again")
    for _ in range(500):
        status = {s["plugin_id"]: s for s in (await t.admin.get("/plugins/statuses")).json()}["com.example.crash"]
        if status["state"] == 2:
            break
        await asyncio.sleep(0.02)
    assert status["state"] == 2 and status["error"] == ""
    assert await world.srv.app.store.plugins.get("com.example.crash", "starts", 0) == b"3"


async def test_hanging_hook_meets_its_deadline(world: World) -> None:
    t = await team_with(world, "bob")
    await install(t.admin, "com.example.hang", HANG)
    world.srv.app.plugin_hooks.timeout = 0.2
    world.srv.app.plugins.restart_delay = 60
    bob = t.members[0]
    channel = await world.channel(bob, t.team, "talk")
    post = await world.post(bob, channel, "slow one")
    assert post["message"] == "slow one"
    status = {s["plugin_id"]: s for s in (await t.admin.get("/plugins/statuses")).json()}["com.example.hang"]
    assert status["state"] == 4 and "deadline" in status["error"]
    await world.post(bob, channel, "slow again, with the plugin down")


async def test_recorder_hooks_commands_http_kv_bot(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    admin, bob, carol = t.admin, t.members[0], t.members[1]
    await install(admin, "com.example.recorder", RECORDER, extra=RECORDER_HELPERS,
                  manifest={"settings_schema": {"settings": [{"key": "Greeting", "type": "text",
                                                               "default": "hello"}]}})
    assert world.srv.config.effective.PluginSettings.Plugins["com.example.recorder"] == {"greeting": "hello"}
    channel = await world.channel(bob, t.team, "talk")
    r = await bob.post(f"/channels/{channel['id']}/members", {"user_id": carol.user["id"]})
    assert r.status_code == 201, r.text
    post = await world.post(bob, channel, "hello world")
    await bob.put(f"/posts/{post['id']}/patch", {"message": "hello there"})
    r = await bob.post("/reactions", {"user_id": bob.user["id"], "post_id": post["id"], "emoji_name": "smile"})
    assert r.status_code == 200, r.text
    assert (await bob.delete(f"/users/me/posts/{post['id']}/reactions/smile")).status_code == 200
    doomed = await world.post(bob, channel, "short-lived")
    assert (await bob.delete(f"/posts/{doomed['id']}")).status_code == 200
    assert (await bob.delete(f"/channels/{channel['id']}/members/{carol.user['id']}")).status_code == 200
    dave = await world.user("dave")

    # slash command: autocomplete, ephemeral answer, a bot post
    listed = (await bob.get(f"/teams/{t.id}/commands/autocomplete")).json()
    assert any(c["trigger"] == "record" and c["plugin_id"] == "com.example.recorder" for c in listed)
    r = await bob.post("/commands/execute", {"channel_id": channel["id"], "command": "/record this"})
    assert r.status_code == 200, r.text
    assert r.json()["text"] == f"recorded this for {bob.user['id']}"
    r = await bob.post("/commands/execute", {"channel_id": channel["id"], "command": "/record public"})
    assert r.status_code == 200, r.text
    posts = (await bob.get(f"/channels/{channel['id']}/posts")).json()
    bot_posts = [p for p in posts["posts"].values() if p["message"] == "recorded by the bot"]
    assert len(bot_posts) == 1 and bot_posts[0]["props"]["from_plugin"] is True
    bot = (await admin.get(f"/users/{bot_posts[0]['user_id']}")).json()
    assert bot["username"] == "recorder-bot" and bot["is_bot"] is True

    # settings change reaches on_configuration_change
    r = await admin.put("/config/patch", {"PluginSettings": {"Plugins": {"com.example.recorder": {"greeting": "hi"}}}})
    assert r.status_code == 200, r.text
    await settle(world)

    # ServeHTTP with and without a session
    r = await bob.http.post("http://localhost:8065/plugins/com.example.recorder/whoami?x=1", content=b"payload",
                            headers={**bob._headers(None), "Mattermost-User-Id": "spoofed"})
    assert r.status_code == 200, r.text
    assert r.json() == {"user_id": bob.user["id"], "header": bob.user["id"], "method": "POST", "body": "payload",
                        "q": {"x": "1"}}
    # a cookie session names the caller of a POST only with the CSRF token (or X-Requested-With)
    jar = {"Cookie": f"MMAUTHTOKEN={bob.token}"}
    r = await world.client().http.post("http://localhost:8065/plugins/com.example.recorder/whoami", headers=jar)
    assert r.json()["user_id"] == ""
    r = await world.client().http.post("http://localhost:8065/plugins/com.example.recorder/whoami",
                                       headers={**jar, "X-Requested-With": "XMLHttpRequest"})
    assert r.json()["user_id"] == bob.user["id"]
    r = await world.client().http.get("http://localhost:8065/plugins/com.example.recorder/whoami", headers=jar)
    assert r.json()["user_id"] == bob.user["id"]
    anon = world.client()
    r = await anon.http.get("http://localhost:8065/plugins/com.example.recorder/whoami",
                            headers={"Mattermost-User-Id": "spoofed"})
    assert r.json()["user_id"] == "" and r.json()["header"] == ""
    r = await anon.http.get("http://localhost:8065/plugins/com.example.recorder/nothing")
    assert r.status_code == 404 and r.text == "no such page"
    r = await anon.http.get("http://localhost:8065/plugins/com.example.absent/x")
    assert r.status_code == 404 and r.text == "404 page not found\n"  # Mattermost's plain http.NotFound

    await settle(world)
    log = json.loads((await anon.http.get("http://localhost:8065/plugins/com.example.recorder/log")).text)
    assert "channel talk" in log
    assert f"joined {carol.user['id']}:bob" in log
    assert "posted hello world" in log
    assert "updated hello world->hello there" in log
    assert 'config {"greeting": "hi"}' in log
    assert {"reacted smile", "unreacted smile", "deleted short-lived", f"left {carol.user['id']}:bob",
            "created dave", "login dave"} <= set(log), log
    assert dave.user["username"] == "dave"


async def test_kv_compare_and_set_race(world: World) -> None:
    """Twenty concurrent compare-and-set increments of one counter: each success moved it by one."""
    await world.user("admin")
    store = world.srv.app.store.plugins

    async def incr() -> int:
        wins = 0
        for _ in range(5):
            while True:
                old = await store.get("p", "counter", 0)
                new = str(int(old or b"0") + 1).encode()
                if await store.compare_and_set("p", "counter", old, new, 0):
                    wins += 1
                    break
        return wins

    results = await asyncio.gather(*(incr() for _ in range(4)))
    assert sum(results) == 20
    assert await store.get("p", "counter", 0) == b"20"
    assert await store.compare_and_set("p", "fresh", None, b"1", 0)
    assert not await store.compare_and_set("p", "fresh", None, b"2", 0)
    assert await store.compare_and_set("p", "fresh", b"1", None, 0)
    assert await store.get("p", "fresh", 0) is None
    await store.set("p", "short", b"x", 1000)
    assert await store.get("p", "short", 999) == b"x"
    assert await store.get("p", "short", 1000) is None
    assert await store.compare_and_set("p", "short", None, b"y", 1000)
    assert await store.keys("p", 1000, 0, 10) == ["counter", "short"]


async def test_marketplace_answers_as_disabled(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert_error(await admin.get("/plugins/marketplace"), 501, "app.plugin.marketplace_disabled.app_error")
    assert_error(await admin.post("/plugins/marketplace", {"id": "x"}), 501, "app.plugin.marketplace_disabled.app_error")
    assert_error(await bob.get("/plugins/marketplace"), 403)
    assert (await admin.get("/plugins/marketplace/first_admin_visit")).json() == \
        {"name": "FirstAdminVisitMarketplace", "value": "false"}
    assert (await admin.post("/plugins/marketplace/first_admin_visit",
                             {"name": "FirstAdminVisitMarketplace", "value": "true"})).status_code == 200
    assert (await admin.get("/plugins/marketplace/first_admin_visit")).json()["value"] == "true"
    assert_error(await bob.post("/plugins/marketplace/first_admin_visit", {"value": "true"}), 403)


async def test_plugin_process_isolation(world: World) -> None:
    """A plugin is its own process: one that exits mid-hook or blocks its event loop costs the post
    nothing; it is marked failed, its process killed and a new one started."""
    t = await team_with(world, "bob")
    await install(t.admin, "com.example.hard", HARD_CRASH)
    plugins = world.srv.app.plugins
    bob = t.members[0]
    channel = await world.channel(bob, t.team, "talk")
    anon = world.client()

    async def info() -> dict[str, Any]:
        r = await anon.http.get("http://localhost:8065/plugins/com.example.hard/x")
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def wait_running() -> dict[str, Any]:
        for _ in range(500):
            status = {s["plugin_id"]: s for s in (await t.admin.get("/plugins/statuses")).json()}["com.example.hard"]
            if status["state"] == 2:
                return status
            await asyncio.sleep(0.02)
        raise AssertionError(status)

    first = await info()
    assert first["pid"] != os.getpid() and first["limit"] == 2 * 1024 ** 3

    plugins.restart_delay = 60
    assert (await world.post(bob, channel, "die, plugin"))["message"] == "die, plugin"
    status = {s["plugin_id"]: s for s in (await t.admin.get("/plugins/statuses")).json()}["com.example.hard"]
    assert status["state"] == 4 and ("went away" in status["error"] or "exited" in status["error"]), status
    await world.post(bob, channel, "posting while it is down")
    plugins.restart_delay = 0.05
    assert (await t.admin.post("/plugins/com.example.hard/disable")).status_code == 200
    assert (await t.admin.post("/plugins/com.example.hard/enable")).status_code == 200
    second = await info()
    assert second["pid"] != first["pid"]

    world.srv.app.plugin_hooks.timeout = 0.3
    assert (await world.post(bob, channel, "block it"))["message"] == "block it"
    await wait_running()
    third = await info()
    await world.srv.app.plugins.drain()
    assert third["pid"] not in (first["pid"], second["pid"])
    with pytest.raises(ProcessLookupError):
        os.kill(second["pid"], 0)  # the blocked process was killed, not left behind
    keys = await world.srv.app.store.plugins.keys("com.example.hard", 0, 0, 10)
    assert len(keys) == 3


async def test_ensure_bot_from_two_nodes_at_once(world: World) -> None:
    """A plugin's on_activate runs on every node: two ensure_bot calls racing end with one bot."""
    await world.user("admin")
    bots = world.srv.app.bots
    a, b = await asyncio.gather(bots.ensure("racebot", "Race", "", "com.example.p"),
                                bots.ensure("racebot", "Race", "", "com.example.p"))
    assert a.user_id == b.user_id and a.owner_id == "com.example.p"
    user = await world.srv.app.store.users.get_by_username("racebot")
    assert user.is_bot and user.id == a.user_id


async def test_scheduled_job(world: World) -> None:
    """api.schedule_job: on_scheduled_job runs once per interval, on the node holding the job's lease."""
    admin = await world.user("admin")
    world.srv.app.plugins.job_poll = 0.05
    await install(admin, "com.example.sched", SCHEDULED)
    store = world.srv.app.store.plugins
    for _ in range(500):
        if int(await store.get("com.example.sched", "tick", 0) or b"0") >= 2:
            break
        await asyncio.sleep(0.02)
    assert int(await store.get("com.example.sched", "tick", 0) or b"0") >= 2
    async with world.srv.db.engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT name, lastrunat FROM jobleases"))).all()
    assert any(r[0] == "plugin:com.example.sched:tick" and r[1] > 0 for r in rows)
    assert (await admin.post("/plugins/com.example.sched/disable")).status_code == 200
    assert not world.srv.app.plugins._jobs

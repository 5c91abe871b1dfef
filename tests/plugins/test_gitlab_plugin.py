"""The prepackaged GitLab plugin end to end: OAuth against a fake GitLab on loopback, subscriptions,
GitLab's documented webhook payloads posted to the channel by the bot, direct messages to connected
users, todos, and a refused wrong secret token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.helpers import team_with
from tests.conftest import Client, World, assert_error
from tests.plugins import gitlab_payloads as P
from tests.plugins.fake_gitlab import CLIENT_ID, CLIENT_SECRET, FakeGitLab

PLUGIN = "com.github.manland.mattermost-plugin-gitlab"
BASE = "http://localhost:8065"
SECRET = "webhook-secret-token"


@pytest.fixture(scope="module")
def gitlab_server() -> Iterator[FakeGitLab]:
    fake = FakeGitLab().start()
    yield fake
    fake.stop()


@pytest.fixture
def gitlab(gitlab_server: FakeGitLab) -> FakeGitLab:
    """The module's fake GitLab with no webhooks yet: each test (and each database's run of it) starts
    from a GitLab where none of its projects or groups has a hook."""
    gitlab_server.hooks.clear()
    return gitlab_server


async def command(c: Client, channel_id: str, text: str) -> dict[str, Any]:
    r = await c.post("/commands/execute", {"channel_id": channel_id, "command": text})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def channel_posts(c: Client, channel_id: str) -> list[dict[str, Any]]:
    data = (await c.get(f"/channels/{channel_id}/posts")).json()
    return [data["posts"][i] for i in reversed(data["order"])]


async def enable_gitlab(admin: Client, gitlab: FakeGitLab) -> None:
    settings = {"gitlaburl": gitlab.url, "gitlaboauthclientid": CLIENT_ID, "gitlaboauthclientsecret": CLIENT_SECRET,
                "webhooksecret": SECRET, "encryptionkey": "at-rest-key", "enableprivaterepo": False}
    r = await admin.put("/config/patch", {"PluginSettings": {"Plugins": {PLUGIN: settings}}})
    assert r.status_code == 200, r.text
    assert PLUGIN in [p["id"] for p in (await admin.get("/plugins")).json()["inactive"]]
    r = await admin.post(f"/plugins/{PLUGIN}/enable")
    assert r.status_code == 200, r.text
    # the settings marked secret in the manifest read masked, and a masked value sent back keeps the secret
    shown = (await admin.get("/config")).json()["PluginSettings"]["Plugins"][PLUGIN]
    assert shown["webhooksecret"] == "*" * 32 and shown["gitlaboauthclientsecret"] == "*" * 32
    assert shown["gitlaburl"] == gitlab.url
    r = await admin.put("/config/patch", {"PluginSettings": {"Plugins": {PLUGIN: {**shown, "gitlabgroup": ""}}}})
    assert r.status_code == 200, r.text
    assert admin.srv.config.effective.PluginSettings.Plugins[PLUGIN]["webhooksecret"] == SECRET


async def connect(c: Client, gitlab: FakeGitLab) -> None:
    r = await c.http.get(f"{BASE}/plugins/{PLUGIN}/oauth/connect", headers=c._headers(None))
    assert r.status_code == 302, r.text
    authorize = r.headers["location"]
    assert authorize.startswith(gitlab.url + "/oauth/authorize?")
    async with httpx.AsyncClient() as h:  # the user's browser at GitLab
        back = await h.get(authorize)
    assert back.status_code == 302
    callback = back.headers["location"]
    assert callback.startswith(f"{BASE}/plugins/{PLUGIN}/oauth/complete?")
    r = await c.http.get(callback, headers=c._headers(None))
    assert r.status_code == 200, r.text
    assert "Completed connecting to GitLab" in r.text


async def test_gitlab_end_to_end(world: World, gitlab: FakeGitLab) -> None:
    t = await team_with(world, "bob", "carol")
    admin, bob, carol = t.admin, t.members[0], t.members[1]
    channel = await world.channel(bob, t.team, "dev")
    await enable_gitlab(admin, gitlab)

    r = await bob.get(f"/teams/{t.id}/commands/autocomplete_suggestions", params={"user_input": "/gitlab s"})
    assert [x["Complete"] for x in r.json()] == ["gitlab subscriptions", "gitlab settings", "gitlab setup"]
    out = await command(bob, channel["id"], "/gitlab help")
    assert "/gitlab subscriptions add owner[/repo] [features]" in out["text"]
    out = await command(bob, channel["id"], "/gitlab me")
    assert "You must connect your account to GitLab first" in out["text"]
    out = await command(bob, channel["id"], "/gitlab connect")
    assert out["text"] == f"[Click here to link your GitLab account.]({BASE}/plugins/{PLUGIN}/oauth/connect)"

    # OAuth: not without a session, not with someone else's state
    anon = world.client()
    r = await anon.http.get(f"{BASE}/plugins/{PLUGIN}/oauth/connect")
    assert r.status_code == 401
    r = await bob.http.get(f"{BASE}/plugins/{PLUGIN}/oauth/complete?code=x&state=forged_{bob.user['id']}",
                           headers=bob._headers(None))
    assert r.status_code == 400
    await connect(bob, gitlab)
    assert gitlab.token_requests[-1]["redirect_uri"] == f"{BASE}/plugins/{PLUGIN}/oauth/complete"

    # the bot's welcome DM, and /gitlab me
    bot = (await admin.get("/users/username/gitlab")).json()
    assert bot["is_bot"] is True
    dm = (await bob.post("/channels/direct", [bob.user["id"], bot["id"]])).json()
    welcome = await channel_posts(bob, dm["id"])
    assert "You've connected your Mattermost account to [gl_bob]" in welcome[-1]["message"]
    out = await command(bob, channel["id"], "/gitlab me")
    assert out["text"].startswith(f"You are connected to GitLab as: [gl_bob]({gitlab.url}/gl_bob)")
    stored = await world.srv.app.store.plugins.get(PLUGIN, f"{bob.user['id']}_gitlabtoken", 0)
    assert stored is not None and b"aesgcm:" in stored and next(iter(gitlab.tokens)).encode() not in stored

    # todos come from GitLab with the user's token
    out = await command(bob, channel["id"], "/gitlab todo")
    assert "You have 1 pending todos:" in out["text"] and "[Add the widget]" in out["text"]

    # subscriptions
    out = await command(bob, channel["id"], "/gitlab subscriptions add nothing/here")
    assert "Could not find the project or group `nothing/here`" in out["text"]
    out = await command(bob, channel["id"], "/gitlab subscriptions add secret/stuff")
    assert "Private repositories are not enabled" in out["text"]
    out = await command(bob, channel["id"], "/gitlab subscriptions add gitlabhq/gitlab-test bogus")
    assert "Invalid feature(s): bogus" in out["text"]
    out = await command(bob, channel["id"], "/gitlab subscriptions add gitlabhq/gitlab-test "
                                            "merges,issues,tag,pushes,pipeline,merge_request_comments")
    assert out["text"] == ("Successfully subscribed to gitlabhq/gitlab-test.\nA Webhook is needed, run "
                           "```/gitlab webhook add gitlabhq/gitlab-test``` to create one now.")
    out = await command(bob, channel["id"], "/gitlab subscriptions list")
    assert "* `gitlabhq/gitlab-test` - merges,issues,tag,pushes,pipeline,merge_request_comments" in out["text"]

    # webhooks: a wrong or missing token is refused and posts nothing
    hook = f"{BASE}/plugins/{PLUGIN}/webhook"
    before = len(await channel_posts(bob, channel["id"]))
    r = await anon.http.post(hook, json=P.MERGE_REQUEST, headers={"X-Gitlab-Event": "Merge Request Hook",
                                                                    "X-Gitlab-Token": "wrong"})
    assert r.status_code == 401
    r = await anon.http.post(hook, json=P.MERGE_REQUEST, headers={"X-Gitlab-Event": "Merge Request Hook"})
    assert r.status_code == 401
    assert len(await channel_posts(bob, channel["id"])) == before

    for event, payload in (("Merge Request Hook", P.MERGE_REQUEST), ("Issue Hook", P.ISSUE),
                           ("Note Hook", P.NOTE_ON_MERGE_REQUEST), ("Push Hook", P.PUSH),
                           ("Tag Push Hook", P.TAG_PUSH), ("Pipeline Hook", P.PIPELINE_FAILED)):
        r = await anon.http.post(hook, json=payload, headers={"X-Gitlab-Event": event, "X-Gitlab-Token": SECRET})
        assert r.status_code == 200, (event, r.text)
    await world.srv.app.plugins.drain()
    posts = [p for p in await channel_posts(bob, channel["id"]) if p["user_id"] == bot["id"]]
    messages = [p["message"] for p in posts]
    assert len(messages) == 6, messages
    mr, issue, note, push, tag, pipeline = messages
    assert mr.startswith("#### MS-Viewport\n##### [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test) "
                         "merge request [!1 MS-Viewport](http://example.com/diaspora/merge_requests/1) opened by "
                         f"[root]({gitlab.url}/root)")
    assert "`ms-viewport` → `master`" in mr and "> Please have a look, @gl_bob" in mr
    assert "issue [#23 New API: create/update/delete file](http://example.com/diaspora/issues/23) opened" in issue
    assert "new comment by" in note and "> This MR needs work, @gl_bob." in note
    assert push.startswith(f"[jsmith]({gitlab.url}/jsmith) pushed [4 new commits]") and \
        "[`b6568d`](http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327) " \
        "Update Catalan translation to e38cb41. - Jordi Mallach" in push
    assert "#### New tag [v1.0.0](http://example.com/gitlabhq/gitlab-test/-/tags/v1.0.0)" in tag
    assert pipeline.startswith(":x: [Pipeline #31](http://example.com/gitlabhq/gitlab-test/-/pipelines/31) failed")
    assert all(p["props"].get("from_gitlab") is True for p in posts)

    # the connected user heard about what concerns them (review request, mention, their failed pipeline)
    dms = [p["message"] for p in await channel_posts(bob, dm["id"])][1:]
    assert any("requested your review on merge request [!1 MS-Viewport]" in m for m in dms), dms
    assert any("mentioned you in a comment on merge request" in m for m in dms), dms
    assert any("Your [pipeline #31]" in m for m in dms), dms
    # carol is not connected: nothing for her
    r = await carol.get("/users/me/channels")
    assert all(ch["type"] != "D" for ch in r.json())

    # a subscription with other features ignores the rest
    other = await world.channel(bob, t.team, "ops")
    await command(bob, other["id"], "/gitlab subscriptions add gitlabhq pushes,releases")
    for event, payload in (("Issue Hook", P.ISSUE), ("Push Hook", P.PUSH), ("Release Hook", P.RELEASE)):
        r = await anon.http.post(hook, json=payload, headers={"X-Gitlab-Event": event, "X-Gitlab-Token": SECRET})
        assert r.status_code == 200
    ops = [p["message"] for p in await channel_posts(bob, other["id"]) if p["user_id"] == bot["id"]]
    assert len(ops) == 2 and ops[0].startswith("[jsmith](")
    assert ops[1].startswith("#### New release [v1.1](https://example.com/gitlab-org/release-webhook-example/-/releases"
                             "/v1.1) in [gitlabhq/gitlab-test]") and "> v1.1 has been released" in ops[1]

    out = await command(bob, channel["id"], "/gitlab subscriptions delete gitlabhq/gitlab-test")
    assert out["text"] == "Successfully deleted subscription for `gitlabhq/gitlab-test`."
    out = await command(bob, channel["id"], "/gitlab subscriptions list")
    assert out["text"] == "Currently there are no subscriptions in this channel"
    out = await command(bob, channel["id"], "/gitlab disconnect")
    assert out["text"] == "Disconnected your GitLab account."
    assert await world.srv.app.store.plugins.get(PLUGIN, f"{bob.user['id']}_gitlabtoken", 0) is None


async def test_gitlab_not_configured_and_disabled(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    channel = await world.channel(bob, t.team, "dev")
    assert (await admin.post(f"/plugins/{PLUGIN}/enable")).status_code == 200
    assert world.srv.config.effective.PluginSettings.Plugins[PLUGIN]["gitlaburl"] == "https://gitlab.com"
    out = await command(bob, channel["id"], "/gitlab connect")
    assert "The GitLab plugin is not configured yet" in out["text"]
    assert_error(await admin.delete(f"/plugins/{PLUGIN}"), 400, "app.plugin.prepackaged.remove.app_error")
    assert (await admin.post(f"/plugins/{PLUGIN}/disable")).status_code == 200
    r = await bob.post("/commands/execute", {"channel_id": channel["id"], "command": "/gitlab connect"})
    assert_error(r, 404, "api.command.execute_command.not_found.app_error")
    r = await bob.http.post(f"{BASE}/plugins/{PLUGIN}/webhook", json={})
    assert r.status_code == 404 and r.text == "404 page not found\n"  # Mattermost's plain http.NotFound


async def test_gitlab_webhooks_settings_and_setup(world: World, gitlab: FakeGitLab) -> None:
    """``/gitlab webhook add|list`` against the fake GitLab, ``/gitlab settings``, ``/gitlab setup``."""
    t = await team_with(world, "bob", "carol")
    admin, bob, carol = t.admin, t.members[0], t.members[1]
    channel = await world.channel(bob, t.team, "dev")
    await enable_gitlab(admin, gitlab)
    bot = (await admin.get("/users/username/gitlab")).json()
    await connect(bob, gitlab)
    token = next(tok for tok, name in gitlab.tokens.items() if name == "gl_bob")
    # webhook list and add, for a project and a group
    out = await command(bob, channel["id"], "/gitlab webhook")
    assert out["text"] == "Unknown action, please use `/gitlab help` to see all actions available."
    out = await command(bob, channel["id"], "/gitlab webhook remove gitlabhq")
    assert out["text"] == "Unknown webhook command: remove"
    out = await command(bob, channel["id"], "/gitlab webhook list nothing/here")
    assert out["text"] == "not found"
    out = await command(bob, channel["id"], "/gitlab webhook list secret/stuff")
    assert out["text"].startswith("You can't add a private group on this Mattermost instance.")
    out = await command(bob, channel["id"], "/gitlab webhook list gitlabhq/gitlab-test")
    assert out["text"] == "No webhooks found in gitlabhq/gitlab-test"
    out = await command(bob, channel["id"], "/gitlab webhook add gitlabhq/gitlab-test")
    assert out["text"] == (f"Webhook Created:\n\n\n`{BASE}/plugins/{PLUGIN}/webhook`\nSSL Verification Enabled\n"
                           "Triggers:\n* Push Events\n* Tag Push Events\n* Comments\n* Confidential Comments\n"
                           "* Issues Events\n* Confidential Issues Events\n* Merge Request Events\n* Job Events\n"
                           "* Pipeline Events\n* Wiki Page Events\n* Release Events\n* Deployment Events\n")
    created = gitlab.hooks[("projects", 1)][0]
    assert created["url"] == f"{BASE}/plugins/{PLUGIN}/webhook" and created["push_events"] is True
    out = await command(bob, channel["id"], "/gitlab webhook add gitlabhq pushevents,MergeRequestsEvents "
                                            "https://chat.example.com/hook other-token")
    assert out["text"] == ("Webhook Created:\n\n\n`https://chat.example.com/hook`\nTriggers:\n* Push Events\n"
                           "* Merge Request Events\n")
    assert gitlab.hooks[("groups", 10)][0]["enable_ssl_verification"] is False
    out = await command(bob, channel["id"], "/gitlab webhook list gitlabhq")
    assert out["text"] == "\n\n`https://chat.example.com/hook`\nTriggers:\n* Push Events\n* Merge Request Events\n"
    out = await command(bob, channel["id"], "/gitlab webhook add gitlabhq/locked")
    assert out["text"] == ("You don't have permission to manage webhooks for the repository `gitlabhq/locked`. "
                           "You need Maintainer or Owner access in GitLab.")
    out = await command(bob, channel["id"], "/gitlab webhook list gl_bob")  # a user namespace has no group hooks
    assert out["text"] == "Unable to find GitLab group: gl_bob"
    # with a hook to this server in place, subscribing asks for none
    out = await command(bob, channel["id"], "/gitlab subscriptions add gitlabhq/gitlab-test")
    assert out["text"] == "Successfully subscribed to gitlabhq/gitlab-test."
    # GitlabGroup locks the namespaces
    shown = (await admin.get("/config")).json()["PluginSettings"]["Plugins"][PLUGIN]
    for group in ("other", ""):
        patch = {"PluginSettings": {"Plugins": {PLUGIN: {**shown, "gitlabgroup": group}}}}
        assert (await admin.put("/config/patch", patch)).status_code == 200
        await world.srv.app.plugins.drain()
        if group:
            out = await command(bob, channel["id"], "/gitlab webhook list gitlabhq")
            assert out["text"] == "only repositories in the other namespace are allowed: namespace not allowed"

    # settings: notifications off stops the DMs from GitLab events; reminders off stops the daily todo
    assert gitlab.tokens[token] == "gl_bob"
    out = await command(bob, channel["id"], "/gitlab settings notifications")
    assert out["text"].startswith("Please specify both a setting and value.")
    out = await command(bob, channel["id"], "/gitlab settings notifications maybe")
    assert out["text"] == 'Invalid value. Accepted values are: "on" or "off".'
    out = await command(bob, channel["id"], "/gitlab settings colour on")
    assert out["text"] == "Unknown setting."
    bob_dm = (await bob.post("/channels/direct", [bob.user["id"], bot["id"]])).json()
    hook = f"{BASE}/plugins/{PLUGIN}/webhook"
    mr = {"X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": SECRET}
    anon = world.client()
    out = await command(bob, channel["id"], "/gitlab settings notifications off")
    assert out["text"] == "Settings updated."
    before = len(await channel_posts(bob, bob_dm["id"]))
    assert (await anon.http.post(hook, json=P.MERGE_REQUEST, headers=mr)).status_code == 200
    await world.srv.app.plugins.drain()
    assert len(await channel_posts(bob, bob_dm["id"])) == before
    out = await command(bob, channel["id"], "/gitlab settings notifications on")
    assert out["text"] == "Settings updated."
    assert (await anon.http.post(hook, json=P.MERGE_REQUEST, headers=mr)).status_code == 200
    await world.srv.app.plugins.drain()
    assert "requested your review" in (await channel_posts(bob, bob_dm["id"]))[-1]["message"]

    connected = f"{BASE}/plugins/{PLUGIN}/api/v1/connected"
    r = await bob.http.get(connected, headers=bob._headers(None))
    assert r.json()["settings"] == {"notifications": True, "daily_reminder": True}
    # the reminder: not within the day of connecting, then once a new day has come
    before = len(await channel_posts(bob, bob_dm["id"]))
    r = await bob.http.get(connected + "?reminder=true", headers=bob._headers(None))
    assert r.status_code == 200 and len(await channel_posts(bob, bob_dm["id"])) == before
    key = f"{bob.user['id']}_gitlabtoken"
    stored = json.loads(await world.srv.app.store.plugins.get(PLUGIN, key, 0) or b"{}")
    stored["last_todo_post_at"] -= 2 * 86_400_000
    await world.srv.app.store.plugins.set(PLUGIN, key, json.dumps(stored).encode(), 0)
    await bob.http.get(connected + "?reminder=true", headers=bob._headers(None))
    posts = await channel_posts(bob, bob_dm["id"])
    assert len(posts) == before + 1 and "You have 1 pending todos:" in posts[-1]["message"]
    await bob.http.get(connected + "?reminder=true", headers=bob._headers(None))
    assert len(await channel_posts(bob, bob_dm["id"])) == before + 1  # once a day
    out = await command(bob, channel["id"], "/gitlab settings reminders off")
    assert out["text"] == "Settings updated."
    r = await bob.http.get(connected, headers=bob._headers(None))
    assert r.json()["settings"] == {"notifications": True, "daily_reminder": False}
    # carol is not connected
    r = await carol.post(f"/channels/{channel['id']}/members", {"user_id": carol.user["id"]})
    assert r.status_code == 201, r.text
    out = await command(carol, channel["id"], "/gitlab settings reminders off")
    assert "You must connect your account to GitLab first" in out["text"]


async def test_gitlab_setup_wizard(world: World, gitlab: FakeGitLab) -> None:
    """``/gitlab setup``: the bot walks a system admin through OAuth, connecting, a webhook and an
    announcement with buttons and dialogs served by the plugin."""
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    channel = await world.channel(admin, t.team, "general-dev")
    await enable_gitlab(admin, gitlab)
    seen: list[dict[str, Any]] = []
    world.srv.app.core.observers.append(seen.append)
    out = await command(admin, channel["id"], "/gitlab setup bogus")
    assert out["text"] == "Unknown subcommand bogus"
    r = await bob.post(f"/channels/{channel['id']}/members", {"user_id": bob.user["id"]})
    assert r.status_code in (200, 201), r.text
    out = await command(bob, channel["id"], "/gitlab setup")
    assert out["text"] == "Only System Admins are allowed to set up the plugin."
    out = await command(admin, channel["id"], "/gitlab setup")
    assert out.get("text", "") == ""
    bot = (await admin.get("/users/username/gitlab")).json()
    dm = (await admin.post("/channels/direct", [admin.user["id"], bot["id"]])).json()

    async def step() -> dict[str, Any]:
        return (await channel_posts(admin, dm["id"]))[-1]

    async def press(post: dict[str, Any], name: str, who: Client = admin) -> Any:
        action = next(a for a in post["props"]["attachments"][0]["actions"] if a["name"] == name)
        return await who.post(f"/posts/{post['id']}/actions/{action['id']}", {})

    def dialog() -> dict[str, Any]:
        opened = [e for e in seen if e["event"] == "open_dialog"]
        assert opened and opened[-1]["broadcast"]["user_id"] == admin.user["id"]
        return dict(json.loads(opened[-1]["data"]["dialog"]))

    async def submit(d: dict[str, Any], **form: str) -> dict[str, Any]:
        r = await admin.post("/actions/dialogs/submit", {"url": d["url"], "callback_id": d["dialog"]["callback_id"],
                                                         "state": "", "channel_id": channel["id"], "team_id": t.id,
                                                         "submission": form, "cancelled": False})
        assert r.status_code == 200, r.text
        return dict(r.json())

    welcome = await step()
    assert welcome["props"]["attachments"][0]["pretext"].startswith(":wave: Welcome to your GitLab integration!")
    assert (await press(welcome, "Continue", bob)).status_code == 403  # not bob's wizard: he cannot see the DM
    assert (await press(welcome, "Continue")).status_code == 200
    assert "actions" not in (await admin.get(f"/posts/{welcome['id']}")).json()["props"]["attachments"][0]
    oauth = await step()
    text = oauth["props"]["attachments"][0]["text"]
    assert f"Redirect URI: `{BASE}/plugins/{PLUGIN}/oauth/complete`" in text
    assert f"go to {gitlab.url}/-/profile/applications" in text
    assert (await press(oauth, "Continue")).status_code == 200
    d = dialog()
    assert d["url"] == f"/plugins/{PLUGIN}/setup/oauth_submit"
    assert "**Any existing OAuth configuration will be overwritten.**" in d["dialog"]["introduction_text"]
    errors = await submit(d, gitlab_url="gitlab.example.com", client_id="", client_secret="x")
    assert set(errors["errors"]) == {"gitlab_url", "client_id"}
    assert await submit(d, gitlab_url=gitlab.url + "/", client_id=CLIENT_ID, client_secret=CLIENT_SECRET) == {}
    saved = world.srv.config.effective.PluginSettings.Plugins[PLUGIN]
    assert saved["gitlaburl"] == gitlab.url and saved["gitlaboauthclientid"] == CLIENT_ID
    assert saved["gitlaboauthclientsecret"] == CLIENT_SECRET and saved["webhooksecret"] == SECRET
    connect_step = await step()
    assert f"Go [here]({BASE}/plugins/{PLUGIN}/oauth/connect)" in connect_step["props"]["attachments"][0]["text"]
    await world.srv.app.plugins.drain()

    # the webhook: only once the admin's GitLab account is connected
    assert (await press(connect_step, "Continue")).status_code == 200
    question = await step()
    assert question["props"]["attachments"][0]["text"] == "Do you want to create a webhook?"
    assert (await press(question, "Yes")).status_code == 200
    d = dialog()
    assert (await submit(d, namespace="gitlabhq/gitlab-test"))["errors"]["namespace"].startswith("Connect your")
    gitlab.login = "gl_admin"
    try:
        await connect(admin, gitlab)
    finally:
        gitlab.login = "gl_bob"
    assert (await submit(d, namespace="nothing/here"))["errors"] == {"namespace": "not found"}
    before = len(gitlab.hooks.get(("projects", 1), []))
    assert await submit(d, namespace="gitlabhq/gitlab-test") == {}
    hooks = gitlab.hooks[("projects", 1)]
    assert len(hooks) == before + 1 and hooks[-1]["url"] == f"{BASE}/plugins/{PLUGIN}/webhook"
    posts = await channel_posts(admin, dm["id"])
    assert posts[-2]["props"]["attachments"][0]["title"].startswith("Success! :tada:")

    # the announcement, posted by the admin in the channel they pick
    announce = posts[-1]
    assert announce["props"]["attachments"][0]["text"] == "Want to let your team know?"
    assert (await press(announce, "Send Message")).status_code == 200
    d = dialog()
    message = next(e for e in d["dialog"]["elements"] if e["name"] == "message")["default"]
    assert message.startswith("Hi team,")
    assert (await submit(d, channel_id="", message=message))["errors"] == {"channel_id": "Please select a channel."}
    assert await submit(d, channel_id=channel["id"], message=message) == {}
    last = (await channel_posts(admin, channel["id"]))[-1]
    assert last["user_id"] == admin.user["id"] and last["message"] == message
    assert (await step())["props"]["attachments"][0]["text"] == "Message to ~general-dev was sent."
    # "No" to the webhook warns and goes on to the announcement
    out = await command(admin, channel["id"], "/gitlab setup webhook")
    assert (await press(await step(), "No")).status_code == 200
    posts = await channel_posts(admin, dm["id"])
    assert posts[-2]["props"]["attachments"][0]["text"].startswith("The GitLab plugin uses a webhook")
    assert posts[-1]["props"]["attachments"][0]["text"] == "Want to let your team know?"

"""The web UI's permalinks, editing integrations and desktop notifications against a real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, open_channel, page_for, post_by_text, team_with

pytestmark = pytest.mark.e2e

# Records notifications instead of showing them (headless Chromium has no notification centre).
FAKE_NOTIFICATION = """
window.__shown = [];
class FakeNotification {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, opts) { window.__shown.push({title, body: (opts || {}).body || ''}); }
    close() {}
}
window.Notification = FakeNotification;
"""


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess(MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION="true").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    w = team_with(chinwag, "erin", "frank")
    w["frank"] = chinwag.login("frank")
    with chinwag.api(w["frank"]) as c:
        w["channels"] = {ch["name"]: ch for ch in c.get(f"/users/me/teams/{w['team']['id']}/channels").json()}
    return w


@pytest.fixture(scope="module")
def erin(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> Iterator[Any]:
    yield from page_for(browser, chinwag, "erin")


def frank_posts(chinwag: ServerProcess, world: dict[str, Any], channel: str, message: str, root_id: str = "") -> dict[str, Any]:
    with chinwag.api(world["frank"]) as c:
        r = c.post("/posts", json={"channel_id": world["channels"][channel]["id"], "message": message, "root_id": root_id})
        assert r.status_code == 201, r.text
        return dict(r.json())


def test_permalink_opens_the_channel_at_the_post(chinwag: ServerProcess, world: dict[str, Any], erin: Any) -> None:
    ids = [frank_posts(chinwag, world, "off-topic", f"history message {i:03d}")["id"] for i in range(150)]
    open_channel(erin, "Town Square")

    erin.goto(f"{chinwag.url}/acme/pl/{ids[20]}")
    erin.wait_for_url(re.compile(r"/acme/channels/off-topic$"))
    target = post_by_text(erin, "history message 020")
    target.wait_for()
    assert "post--highlight" in (target.get_attribute("class") or "")
    assert target.is_visible()
    # The channel opened around the post, not at the bottom: the newest posts are not loaded yet.
    assert erin.locator(".post-list article.post", has_text="history message 149").count() == 0
    shot(erin, "40-permalink-highlight")

    # "Jump to recent messages" drops the window for the newest page.
    erin.get_by_role("button", name=re.compile("Jump to recent messages")).click()
    post_by_text(erin, "history message 149").wait_for()
    erin.get_by_role("button", name=re.compile("Jump to recent messages")).wait_for(state="hidden")

    # Opened at the permalink again, scrolling down loads the newer pages after the window.
    erin.goto(f"{chinwag.url}/acme/pl/{ids[20]}")
    post_by_text(erin, "history message 020").wait_for()
    assert erin.locator(".post-list article.post", has_text="history message 090").count() == 0
    erin.locator(".post-list__scroller").hover()
    for _ in range(80):
        if erin.locator(".post-list article.post", has_text="history message 149").count():
            break
        erin.mouse.wheel(0, 1500)
        erin.wait_for_timeout(100)
    post_by_text(erin, "history message 149").wait_for()
    assert not erin.errors, erin.errors


def test_permalink_to_a_reply_opens_the_root_and_the_thread(chinwag: ServerProcess, world: dict[str, Any], erin: Any) -> None:
    root = frank_posts(chinwag, world, "town-square", "thread root for the permalink")
    for i in range(5):
        frank_posts(chinwag, world, "town-square", f"filler after the root {i}")
    reply = frank_posts(chinwag, world, "town-square", "the reply a permalink points at", root_id=root["id"])
    open_channel(erin, "Off-Topic")
    erin.goto(f"{chinwag.url}/acme/pl/{reply['id']}")
    erin.wait_for_url(re.compile(r"/acme/channels/town-square$"))
    center_root = post_by_text(erin, "thread root for the permalink")
    center_root.wait_for()
    assert "post--highlight" in (center_root.get_attribute("class") or "")
    in_thread = erin.locator(".thread article.post", has_text="the reply a permalink points at")
    in_thread.wait_for()
    assert "post--highlight" in (in_thread.get_attribute("class") or "")
    shot(erin, "41-permalink-reply-thread")
    assert not erin.errors, erin.errors


def test_edit_integrations_and_regenerate_tokens(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    admin_token = world["admin"]
    team_id = world["team"]["id"]
    town = world["channels"]["town-square"]["id"]
    with chinwag.api(admin_token) as c:
        hook = c.post("/hooks/incoming", json={"channel_id": town, "display_name": "CI"}).json()
        out = c.post("/hooks/outgoing", json={"team_id": team_id, "display_name": "Deployer", "trigger_words": ["deploy"],
                                              "callback_urls": ["http://127.0.0.1:9/out"]}).json()
        cmd = c.post("/commands", json={"team_id": team_id, "trigger": "weather", "url": "http://127.0.0.1:9/w",
                                        "method": "P", "display_name": "Weather"}).json()
        bot = c.post("/bots", json={"username": "helper", "display_name": "Helper"}).json()
    admin = new_page(browser)
    login(admin, chinwag.url, "admin")

    admin.goto(chinwag.url + "/acme/integrations/incoming_webhooks")
    admin.get_by_role("button", name="Edit CI").click()
    form = admin.get_by_role("form", name="Edit incoming webhook")
    assert form.get_by_label("Title").input_value() == "CI"
    form.get_by_label("Title").fill("CI builds")
    form.get_by_label("Channel", exact=True).select_option(label="Off-Topic")
    shot(admin, "42-integrations-edit-incoming")
    form.get_by_role("button", name="Save").click()
    admin.locator("li.integration", has_text="CI builds").wait_for()
    assert "~off-topic" in admin.locator("li.integration", has_text="CI builds").inner_text()

    admin.goto(chinwag.url + "/acme/integrations/outgoing_webhooks")
    admin.get_by_role("button", name="Edit Deployer").click()
    form = admin.get_by_role("form", name="Edit outgoing webhook")
    form.get_by_label("Trigger words").fill("deploy, release")
    form.get_by_role("button", name="Save").click()
    row = admin.locator("li.integration", has_text="Deployer")
    admin.locator("li.integration", has_text="triggers: deploy, release").wait_for()
    admin.get_by_role("button", name="Regenerate token of Deployer").click()
    admin.get_by_role("dialog").get_by_role("button", name="Regenerate").click()
    admin.wait_for_function(f"!document.body.innerText.includes({out['token']!r})")
    assert len(row.locator("code").inner_text()) == 26

    admin.goto(chinwag.url + "/acme/integrations/commands")
    admin.get_by_role("button", name="Edit /weather").click()
    form = admin.get_by_role("form", name="Edit slash command")
    form.get_by_label("Trigger word").fill("forecast")
    form.get_by_label("Request method").select_option(label="GET")
    form.get_by_role("button", name="Save").click()
    admin.locator("li.integration", has_text="/forecast").wait_for()
    admin.get_by_role("button", name="Regenerate token of /forecast").click()
    admin.get_by_role("dialog").get_by_role("button", name="Regenerate").click()
    admin.wait_for_function(f"!document.body.innerText.includes({cmd['token']!r})")
    shot(admin, "43-integrations-commands-edited")

    admin.goto(chinwag.url + "/acme/integrations/bots")
    admin.get_by_role("button", name="Edit @helper").click()
    form = admin.get_by_role("form", name="Edit bot account")
    form.get_by_label("Display name").fill("Helpful bot")
    form.get_by_label("Description").fill("Answers questions")
    form.get_by_role("button", name="Save").click()
    admin.locator("li.integration", has_text="Helpful bot").wait_for()

    with chinwag.api(admin_token) as c:
        h = c.get(f"/hooks/incoming/{hook['id']}").json()
        assert (h["display_name"], h["channel_id"]) == ("CI builds", world["channels"]["off-topic"]["id"])
        o = c.get(f"/hooks/outgoing/{out['id']}").json()
        assert o["trigger_words"] == ["deploy", "release"] and o["token"] != out["token"]
        k = c.get(f"/commands/{cmd['id']}").json()
        assert (k["trigger"], k["method"]) == ("forecast", "G") and k["token"] != cmd["token"]
        b = c.get(f"/bots/{bot['user_id']}").json()
        assert (b["display_name"], b["description"]) == ("Helpful bot", "Answers questions")
    assert not admin.errors, admin.errors
    admin.context.close()


def test_desktop_notifications_sound_and_tab_title(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    page.context.add_init_script(FAKE_NOTIFICATION)
    login(page, chinwag.url, "erin")
    open_channel(page, "Town Square")
    page.wait_for_function("document.title === 'Town Square - Acme'")
    shown = lambda: page.evaluate("window.__shown")  # noqa: E731
    sounds = lambda: page.evaluate("window.__chinwagNotifications.played")  # noqa: E731

    # No mention: the other channel turns unread ("* " in the title), no alert (default: mentions only).
    frank_posts(chinwag, world, "off-topic", "just chatting here")
    page.wait_for_function("document.title === '* Town Square - Acme'")
    assert shown() == []

    # A mention in another channel: an alert with a sound, and the count in the title.
    frank_posts(chinwag, world, "off-topic", "@erin can you look at **this**?")
    page.wait_for_function("window.__shown.length === 1")
    assert shown()[0] == {"title": "Off-Topic", "body": "frank: @erin can you look at this?"}
    assert sounds() == 1
    page.wait_for_function("document.title === '(1) Town Square - Acme'")
    shot(page, "44-notification-title")

    # Mentions in the channel being read do not alert.
    frank_posts(chinwag, world, "town-square", "@erin here too")
    post_by_text(page, "@erin here too").wait_for()

    # Settings: desktop alerts for all activity, without sound.
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="Notifications").click()
    dialog = page.get_by_role("dialog", name="Notifications")
    dialog.get_by_role("radio", name="For all activity").first.check()
    dialog.get_by_label("Play a sound with desktop notifications").uncheck()
    dialog.get_by_label("Other words").fill("deploy, oncall")
    shot(page, "45-notification-settings")
    dialog.get_by_role("button", name="Save").click()
    dialog.get_by_role("status").get_by_text("Saved.").wait_for()
    dialog.get_by_role("button", name="Close").first.click()
    with chinwag.api(chinwag.login("erin")) as c:
        props = c.get("/users/me").json()["notify_props"]
    assert (props["desktop"], props["desktop_sound"], props["mention_keys"]) == ("all", "false", "deploy,oncall")

    frank_posts(chinwag, world, "off-topic", "no mention at all")
    page.wait_for_function("window.__shown.length === 2")
    assert shown()[1]["body"] == "frank: no mention at all"
    assert sounds() == 1

    # The channel's own preference overrides: no desktop alerts from Off-Topic.
    open_channel(page, "Off-Topic")
    page.get_by_role("button", name="Notification preferences").click()
    dialog = page.get_by_role("dialog", name=re.compile("Notification preferences"))
    dialog.get_by_role("radio", name="Never").first.check()
    shot(page, "46-channel-notification-preferences")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    with chinwag.api(chinwag.login("erin")) as c:
        member = c.get(f"/channels/{world['channels']['off-topic']['id']}/members/me").json()
    assert member["notify_props"]["desktop"] == "none"
    open_channel(page, "Town Square")
    frank_posts(chinwag, world, "off-topic", "@erin muted for alerts")
    frank_posts(chinwag, world, "town-square", "marker after the muted one")
    post_by_text(page, "marker after the muted one").wait_for()
    page.wait_for_timeout(300)
    assert len(shown()) == 2
    assert not page.errors, page.errors
    page.context.close()


def test_permission_banner_asks_from_a_click(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser, 360, 740)  # a phone
    login(page, chinwag.url, "frank")
    banner = page.get_by_role("region", name="Desktop notifications")
    if page.evaluate("Notification.permission") != "default":
        pytest.skip("this Chromium decides notification permission without asking")
    banner.wait_for()
    shot(page, "47-notification-banner-phone")
    page.get_by_role("button", name="Notification preferences").click()
    page.get_by_role("dialog", name=re.compile("Notification preferences")).wait_for()
    shot(page, "48-channel-notification-preferences-phone")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Dismiss").click()
    banner.wait_for(state="hidden")
    page.reload()
    page.get_by_role("navigation", name="Channels").wait_for()
    assert banner.count() == 0
    page.context.close()


def test_catch_up_past_the_since_limit_reloads_the_latest_page(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    # No WebSocket: the UI polls the open channel with ?since= and catches up others when opened.
    page.route_web_socket(re.compile(r"/api/v4/websocket"), lambda ws: ws.close())
    login(page, chinwag.url, "erin", live=False)
    open_channel(page, "Town Square")
    open_channel(page, "Off-Topic")

    # More changes than one ?since= answer holds (1000) while Town Square is not being polled.
    town = world["channels"]["town-square"]["id"]
    with chinwag.api(world["frank"]) as c:
        for i in range(1001):
            r = c.post("/posts", json={"channel_id": town, "message": f"gap message {i:04d}"})
            assert r.status_code == 201, r.text

    with page.expect_request(lambda r: f"/channels/{town}/posts?since=" in r.url) as since_req:
        with page.expect_request(lambda r: f"/channels/{town}/posts?page=0" in r.url):
            open_channel(page, "Town Square")
    assert since_req.value.response() is not None and since_req.value.response().json()["has_next"] is True
    post_by_text(page, "gap message 1000").wait_for()

    # Scrolling up continues from the latest page without a gap.
    scroller = page.locator(".post-list__scroller")
    for _ in range(240):  # a busy machine loads older pages slowly; stops as soon as it is there
        if page.locator(".post-list article.post", has_text="gap message 0930").count():
            break
        scroller.evaluate("el => { el.scrollTop = 0; }")
        page.wait_for_timeout(250)
    post_by_text(page, "gap message 0930").wait_for()
    shot(page, "49-catch-up-after-gap")
    assert not page.errors, page.errors
    page.context.close()

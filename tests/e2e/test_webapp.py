"""The web UI end to end: a real server process, Debian's Chromium, two people chatting."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e

TIMEOUT = 15_000  # ms; live updates arrive by WebSocket or, without it, by polling every few seconds

T = TypeVar("T")


def until(read: Callable[[], T], ok: Callable[[T], bool], timeout: float = TIMEOUT / 1000) -> T:
    """Reads ``read()`` until ``ok`` holds or the deadline passes, and returns the last value read (the
    caller asserts on it, so a timeout fails with what was there). For state that lands a moment after
    the UI shows it: a save the UI makes in the background, an event still on its way to another node."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ok(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def new_page(browser: Any, width: int = 1280, height: int = 800, *, enforce_csp: bool = False,
             reduced_motion: bool = True) -> Any:
    """A page in a fresh context. The server's Content-Security-Policy (script-src 'self') would also
    stop Playwright's own string-evaluated waits, so the tests' pages bypass it, except those made with
    ``enforce_csp`` (test_security_ui.py runs the UI under it). ``reduced_motion=False`` for Firefox
    over WebDriver BiDi, which has no media feature emulation (``emulation.setMediaFeaturesOverride``)."""
    ctx = browser.new_context(viewport={"width": width, "height": height},
                              reduced_motion="reduce" if reduced_motion else None, bypass_csp=not enforce_csp)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    page.dialogs = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def login(page: Any, url: str, username: str, password: str = "password1", *, live: bool = True,
          typed: bool = False) -> None:
    """Signs in on the login page; with ``live``, also waits until the page's WebSocket is open (the
    server said hello), so what a test changes through the API afterwards reaches the page as events.
    ``typed`` types the fields key by key: Playwright's ``fill`` in Firefox over WebDriver BiDi sets the
    value and sends an untrusted ``input`` event, which React's controlled inputs do not take as a change."""
    page.goto(url + "/login")
    for label, value in (("Email or username", username), ("Password", password)):
        field = page.get_by_label(label)
        if typed:
            field.click()
            field.press_sequentially(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Channels").wait_for()
    if live:
        page.locator('body[data-socket="open"]').wait_for(state="attached")


def composer(page: Any) -> Any:
    return page.locator("#composer textarea")


def send(page: Any, text: str) -> None:
    box = composer(page)
    box.fill(text)
    box.press("Enter")
    page.wait_for_function("document.querySelector('#composer textarea').value === ''")


def post_by_text(page: Any, text: str, scope: str = ".post-list") -> Any:
    return page.locator(f"{scope} article.post", has_text=text).last


# ------------------------------------------------------------------ first run


def test_first_run_creates_admin_and_team(browser: Any) -> None:
    srv = ServerProcess().start()
    try:
        page = new_page(browser)
        page.goto(srv.url + "/")
        page.get_by_role("heading", name="Set up your workspace").wait_for()
        shot(page, "01-first-run-account")
        page.get_by_label("Email address").fill("root@example.com")
        page.get_by_label("Username").fill("root")
        page.get_by_label("Password").fill("password1")
        page.get_by_role("button", name="Create account").click()
        page.get_by_label("Team name").fill("Acme Corp")
        assert page.get_by_label("Team URL").input_value() == "acme-corp"
        shot(page, "02-first-run-team")
        page.get_by_role("button", name="Create team and start").click()
        page.wait_for_url(re.compile(r"/acme-corp/channels/town-square$"))
        page.get_by_role("heading", name="Town Square", exact=True, level=1).wait_for()
        sidebar = page.get_by_role("navigation", name="Channels")
        expect(sidebar.get_by_role("link", name="Town Square")).to_be_visible()
        expect(sidebar.get_by_role("link", name="Off-Topic")).to_be_visible()

        # The first account is the system admin; the session lives in cookies.
        with srv.api() as c:
            cookies = {ck["name"]: ck["value"] for ck in page.context.cookies()}
            assert {"MMAUTHTOKEN", "MMUSERID", "MMCSRF"} <= set(cookies)
            me = c.get("/users/me", headers={"Authorization": f"Bearer {cookies['MMAUTHTOKEN']}"}).json()
            assert "system_admin" in me["roles"].split()

        # A reload keeps the session; logging out ends it.
        page.reload()
        page.get_by_role("heading", name="Town Square", exact=True, level=1).wait_for()
        page.get_by_role("button", name="Acme Corp menu").click()
        page.get_by_role("menuitem", name="Log out").click()
        page.get_by_role("heading", name="Log in").wait_for()
        page.goto(srv.url + "/acme-corp/channels/town-square")
        page.get_by_role("heading", name="Log in").wait_for()
        assert "redirect_to" in page.url
        page.get_by_label("Email or username").fill("root")
        page.get_by_label("Password").fill("password1")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Town Square", exact=True, level=1).wait_for()
        assert not page.errors, page.errors
        page.context.close()
    finally:
        srv.stop()


# ------------------------------------------------------------------ two people chatting


def team_with(chinwag: ServerProcess, *names: str) -> dict[str, Any]:
    """An admin, team "acme" (open to everyone) and the named users in it, made through the API.
    Made again on the same server (a rerun of a failed test), it finds what the first attempt made."""
    chinwag.ensure_user("admin")
    admin = chinwag.login("admin")
    with chinwag.api(admin) as c:
        r = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O", "allow_open_invite": True})
        if r.status_code != 201:
            assert r.json().get("id") == "app.team.save.existing.app_error", r.text
            r = c.get("/teams/name/acme")
            assert r.status_code == 200, r.text
        team = r.json()
    users = {}
    for name in names:
        u = chinwag.ensure_user(name, admin_token=admin)
        with chinwag.api(admin) as c:
            r = c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": u["id"]})
            assert r.status_code == 201, r.text
        users[name] = u
    return {"team": team, "users": users, "admin": admin}


def page_for(browser: Any, chinwag: ServerProcess, username: str) -> Iterator[Any]:
    """A browser page logged in as ``username`` (for module-scoped fixtures)."""
    page = new_page(browser)
    login(page, chinwag.url, username)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    return team_with(chinwag, "alice", "bob")


@pytest.fixture(scope="module")
def alice(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> Iterator[Any]:
    yield from page_for(browser, chinwag, "alice")


@pytest.fixture(scope="module")
def bob(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> Iterator[Any]:
    yield from page_for(browser, chinwag, "bob")


def open_channel(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Channels").get_by_role("link", name=re.compile(f"^{re.escape(name)}( |$)")).click()
    page.get_by_role("heading", name=name, exact=True, level=1).wait_for()


def test_two_people_see_each_others_messages(alice: Any, bob: Any) -> None:
    open_channel(alice, "Town Square")
    open_channel(bob, "Town Square")
    send(alice, "Hello Bob! **Markdown** works :tada:")
    msg = post_by_text(bob, "Hello Bob!")
    msg.wait_for()
    assert msg.locator("strong", has_text="Markdown").count() == 1
    send(bob, "Hi @alice, welcome to ~town-square")
    reply = post_by_text(alice, "welcome to")
    reply.wait_for()
    assert reply.locator(".mention--me").inner_text() == "@alice"
    # Consecutive messages by one person are grouped (no second name/avatar).
    send(bob, "a second line from bob")
    grouped = post_by_text(alice, "a second line from bob")
    grouped.wait_for()
    assert "post--same" in (grouped.get_attribute("class") or "")
    shot(alice, "03-channel-conversation")


def test_html_in_a_message_is_shown_as_text(alice: Any, bob: Any) -> None:
    payload = "<img src=x onerror=alert(1)> <script>alert(2)</script>"
    send(alice, payload)
    msg = post_by_text(bob, "onerror=alert(1)")
    msg.wait_for()
    assert msg.locator(".post__message").inner_text().startswith(payload)
    assert msg.locator(".post__message img, .post__message script").count() == 0
    assert not alice.dialogs and not bob.dialogs


def test_reply_in_thread_and_threads_view(alice: Any, bob: Any, chinwag: ServerProcess) -> None:
    send(alice, "Who reviews the release notes?")
    root = post_by_text(bob, "Who reviews the release notes?")
    root.hover()
    root.get_by_role("button", name="Reply in thread").click()
    rhs = bob.get_by_role("complementary", name="Thread")
    rhs.wait_for()
    box = rhs.locator("textarea")
    box.fill("I will, after lunch")
    box.press("Enter")
    rhs.locator("article.post", has_text="I will, after lunch").wait_for()
    shot(bob, "04-thread-reply")

    # Alice sees the reply count under her message and the thread in her Threads view.
    summary = post_by_text(alice, "Who reviews the release notes?").get_by_role("button", name="1 reply")
    summary.wait_for()
    alice.get_by_role("navigation", name="Channels").get_by_role("link", name="Threads").click()
    row = alice.locator(".thread-row", has_text="Who reviews the release notes?")
    row.wait_for()
    assert "1 reply" in row.inner_text()
    shot(alice, "05-threads-view")
    row.click()
    alice.locator(".threads__pane article.post", has_text="I will, after lunch").wait_for()
    open_channel(alice, "Town Square")


def test_reaction_with_the_emoji_picker(alice: Any, bob: Any) -> None:
    send(alice, "Ship it?")
    msg = post_by_text(bob, "Ship it?")
    msg.hover()
    msg.locator(".post__actions").get_by_role("button", name="Add a reaction").click()
    picker = bob.get_by_role("dialog", name="Emoji picker")
    picker.get_by_label("Search emoji").fill("rocket")
    picker.get_by_role("option", name="rocket").click()
    chip = post_by_text(alice, "Ship it?").locator(".reaction", has_text="🚀")
    chip.wait_for()
    assert chip.locator(".reaction__count").inner_text() == "1"
    # Alice adds hers by clicking the chip; both see 2.
    chip.click()
    bob_chip = post_by_text(bob, "Ship it?").locator(".reaction", has_text="🚀")
    bob_chip.locator(".reaction__count", has_text="2").wait_for()
    assert chip.get_attribute("aria-pressed") == "true"
    shot(bob, "06-reactions")


def test_edit_with_up_arrow_and_delete(alice: Any, bob: Any) -> None:
    send(alice, "Meeting at 3pm")
    box = composer(alice)
    box.press("ArrowUp")
    edit = alice.get_by_label("Edit message")
    edit.fill("Meeting at 4pm")
    edit.press("Enter")
    edited = post_by_text(bob, "Meeting at 4pm")
    edited.locator(".post__edited", has_text="(edited)").wait_for()

    msg = post_by_text(alice, "Meeting at 4pm")
    msg.hover()
    msg.get_by_role("button", name="More actions").click()
    alice.get_by_role("menuitem", name="Delete").click()
    alice.get_by_role("dialog", name="Delete message").get_by_role("button", name="Delete").click()
    alice.locator(".post-list article.post", has_text="Meeting at 4pm").wait_for(state="detached")
    bob.locator(".post-list article.post", has_text="Meeting at 4pm").wait_for(state="detached")
    assert bob.locator(".post-list .post__deleted", has_text="(message deleted)").count() == 1


def test_unread_badge_appears_and_clears(alice: Any, bob: Any) -> None:
    open_channel(bob, "Town Square")
    open_channel(alice, "Off-Topic")
    send(alice, "@bob can you look at this?")
    link = bob.get_by_role("navigation", name="Channels").get_by_role("link", name=re.compile("^Off-Topic"))
    badge = link.locator(".badge")
    badge.wait_for()
    assert badge.inner_text() == "1"
    assert "is-unread" in (link.get_attribute("class") or "")
    shot(bob, "07-unread-badge")
    link.click()
    post_by_text(bob, "can you look at this?").wait_for()
    badge.wait_for(state="detached")
    open_channel(bob, "Town Square")
    assert "is-unread" not in (link.get_attribute("class") or "")
    assert link.locator(".badge").count() == 0


def test_direct_message_and_mobile_layout(browser: Any, chinwag: ServerProcess, alice: Any, world: dict[str, Any]) -> None:
    alice.goto(chinwag.url + "/acme/messages/@bob")
    alice.get_by_role("heading", name="bob", exact=True, level=1).wait_for()
    send(alice, "A private hello")

    phone = new_page(browser, 360, 740)
    login(phone, chinwag.url, "bob")
    phone.get_by_role("button", name="Open channel list").click()
    dm = phone.get_by_role("navigation", name="Channels").get_by_role("link", name="alice")
    dm.wait_for()
    shot(phone, "08-mobile-sidebar")
    dm.click()
    post_by_text(phone, "A private hello").wait_for()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page scrolls sideways at 360 px ({width} px wide)"
    shot(phone, "09-mobile-dm")
    assert not phone.errors, phone.errors
    phone.context.close()


def test_autocomplete_mentions_and_channels(alice: Any) -> None:
    open_channel(alice, "Town Square")
    box = composer(alice)
    box.fill("")
    box.press_sequentially("ping @bo")
    option = alice.get_by_role("option", name=re.compile("@bob"))
    option.wait_for()
    shot(alice, "10-autocomplete")
    box.press("Enter")
    assert box.input_value() == "ping @bob "
    box.press_sequentially("see ~off")
    alice.get_by_role("option", name=re.compile("Off-Topic")).wait_for()
    box.press("Tab")
    assert box.input_value() == "ping @bob see ~off-topic "
    # Drafts survive switching channels.
    open_channel(alice, "Off-Topic")
    open_channel(alice, "Town Square")
    assert composer(alice).input_value() == "ping @bob see ~off-topic "
    box.fill("")


def test_create_browse_and_configure_channels(alice: Any, bob: Any) -> None:
    alice.get_by_role("button", name="Add channels").click()
    alice.get_by_role("menuitem", name="Create new channel").click()
    dialog = alice.get_by_role("dialog", name="Create a channel")
    dialog.get_by_label("Name", exact=True).fill("Release Plans")
    dialog.get_by_label("Purpose").fill("Dates and owners for the next release")
    shot(alice, "11-create-channel")
    dialog.get_by_role("button", name="Create channel").click()
    alice.wait_for_url(re.compile(r"/acme/channels/release-plans$"))
    alice.get_by_role("heading", name="Release Plans", exact=True, level=1).wait_for()
    send(alice, "First plan: ship on Friday")

    # Bob finds it in the channel browser and joins.
    bob.get_by_role("button", name="Add channels").click()
    bob.get_by_role("menuitem", name="Browse channels").click()
    browser_dialog = bob.get_by_role("dialog", name="Browse channels")
    row = browser_dialog.locator(".browse-list__item", has_text="Release Plans")
    row.wait_for()
    shot(bob, "12-browse-channels")
    row.get_by_role("button", name="Join").click()
    bob.get_by_role("heading", name="Release Plans", exact=True, level=1).wait_for()
    post_by_text(bob, "First plan: ship on Friday").wait_for()

    # Alice renames it and sets a header; favourite it.
    alice.get_by_role("button", name="Channel settings").click()
    settings = alice.get_by_role("dialog", name="Channel settings")
    settings.get_by_label("Name", exact=True).fill("Release Planning")
    settings.get_by_label("Header").fill("Owner: @alice — see https://example.com/releases")
    settings.get_by_role("button", name="Save").click()
    alice.get_by_role("heading", name="Release Planning", exact=True, level=1).wait_for()
    alice.get_by_role("button", name="Add to favorites").click()
    alice.get_by_role("navigation", name="Channels").get_by_role("region", name="Favorites").wait_for()
    # Members panel shows both.
    alice.get_by_role("button", name=re.compile("^Members")).click()
    members = alice.get_by_role("complementary", name="Members")
    members.get_by_text("@bob").wait_for()
    shot(alice, "13-channel-members")
    members.get_by_role("button", name="Close").click()


def test_account_settings_dark_theme(alice: Any, chinwag: ServerProcess) -> None:
    alice.get_by_role("button", name="Acme menu").click()
    alice.get_by_role("menuitem", name="Account settings").click()
    dialog = alice.get_by_role("dialog", name="Account settings")
    dialog.get_by_label("First name").fill("Alice")
    dialog.get_by_label("Last name").fill("Liddell")
    dialog.get_by_role("button", name="Save").click()
    dialog.get_by_text("Saved.").wait_for()
    dialog.get_by_role("tab", name="Display").click()
    dialog.get_by_text("Onyx").click()
    alice.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    dialog.get_by_role("button", name="Close").first.click()
    shot(alice, "14-dark-theme")
    # The theme is a preference: it survives a reload (once saved: the UI applies it at once and saves
    # it in the background, so a reload before the save lands would show the old one).
    until(lambda: theme_saved(chinwag, "alice"), lambda v: '"Onyx"' in v)
    alice.reload()
    alice.get_by_role("navigation", name="Channels").wait_for()
    alice.wait_for_function("document.documentElement.dataset.theme === 'dark'")


def theme_saved(chinwag: ServerProcess, username: str) -> str:
    """The user's saved ``theme`` preference (its JSON value), or "" if there is none yet."""
    with chinwag.api(chinwag.login(username)) as c:
        prefs = c.get("/users/me/preferences/theme").json()
    return next((str(p["value"]) for p in prefs if p["name"] == ""), "")

"""Keyboard, phone-sized screens and an axe-core scan: Ctrl/Cmd+K opens the channel switcher, Alt+↑/↓ walk
the sidebar, Esc closes what is open; at 390 px the sidebar is a drawer; axe-core (from npm, injected into
the page) finds no serious or critical violations on the main screens, light and narrow."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import composer, login, new_page, open_channel, post_by_text, team_with

pytestmark = pytest.mark.e2e

JS = Path(__file__).parent / "js"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_js() -> Path:
    if not AXE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, capture_output=True)
    return AXE


def axe_violations(page: Any, axe_js: Path, include: str | None = None) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (or inside ``include``)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    found: list[dict[str, Any]] = page.evaluate(
        """async (include) => {
            const r = await axe.run(include ? {include: [include]} : document, {resultTypes: ['violations']});
            return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }""", include)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Any, axe_js: Path, where: str, include: str | None = None) -> None:
    bad = axe_violations(page, axe_js, include)
    assert not bad, f"{where}: " + json.dumps(bad, indent=1, ensure_ascii=False)


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess(MM_SERVICESETTINGS_COLLAPSEDTHREADS="always_on").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    w = team_with(chinwag, "alice", "bob")
    with chinwag.api(chinwag.login("bob")) as c:
        town = c.get(f"/teams/{w['team']['id']}/channels/name/town-square").json()
        root = c.post("/posts", json={"channel_id": town["id"], "message": "Who reviews the **release notes**?"}).json()
        c.post("/posts", json={"channel_id": town["id"], "root_id": root["id"], "message": "I can, after lunch"})
        c.post("/posts", json={"channel_id": town["id"], "message": "Build is green :tada:"})
        r = c.post("/channels", json={"team_id": w["team"]["id"], "name": "release-plans", "display_name": "Release Plans",
                                      "type": "O"})
        assert r.status_code == 201, r.text
        alice_id = w["users"]["alice"]["id"]
        assert c.post(f"/channels/{r.json()['id']}/members", json={"user_id": alice_id}).status_code == 201
    return w


def test_login_page_is_accessible(browser: Any, chinwag: ServerProcess, world: dict[str, Any], axe_js: Path) -> None:
    page = new_page(browser)
    page.goto(chinwag.url + "/login")
    page.get_by_label("Email or username").wait_for()
    assert_accessible(page, axe_js, "login")
    page.context.close()


def test_keyboard_switcher_and_main_screens(browser: Any, chinwag: ServerProcess, world: dict[str, Any],
                                            axe_js: Path) -> None:
    page = new_page(browser)
    login(page, chinwag.url, "alice")
    open_channel(page, "Town Square")
    post_by_text(page, "Build is green").wait_for()
    assert_accessible(page, axe_js, "channel")
    # Ctrl+K: the switcher, filtered as you type, Enter opens, focus back in the message box
    composer(page).press("Control+k")
    dialog = page.get_by_role("dialog", name="Find channels")
    box = dialog.get_by_role("combobox", name="Channel or person")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Channel or person"
    box.fill("rel")
    dialog.get_by_role("option", name="Release Plans").wait_for()
    shot(page, "90-switcher")
    assert_accessible(page, axe_js, "switcher")
    box.press("Enter")
    page.get_by_role("heading", name="Release Plans", level=1).wait_for()
    dialog.wait_for(state="detached")
    # Esc closes it again without moving
    page.keyboard.press("Control+k")
    dialog.wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    page.get_by_role("heading", name="Release Plans", level=1).wait_for()
    # Alt+↑ / Alt+↓ walk the sidebar
    page.keyboard.press("Alt+ArrowUp")
    page.get_by_role("heading", name="Off-Topic", level=1).wait_for()
    page.keyboard.press("Alt+ArrowDown")
    page.get_by_role("heading", name="Release Plans", level=1).wait_for()
    page.keyboard.press("Alt+ArrowDown")
    page.get_by_role("heading", name="Town Square", level=1).wait_for()
    # the thread pane, the settings dialog and the emoji picker pass too
    post_by_text(page, "release notes").get_by_role("button", name="1 reply").click()
    rhs = page.get_by_role("complementary", name="Thread")
    rhs.get_by_text("I can, after lunch").wait_for()
    assert_accessible(page, axe_js, "thread")
    rhs.get_by_role("button", name="Close").first.click()
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="Account settings").click()
    settings = page.get_by_role("dialog", name="Account settings")
    settings.wait_for()
    assert_accessible(page, axe_js, "account settings")
    page.keyboard.press("Escape")
    settings.wait_for(state="detached")
    page.locator("#composer").get_by_role("button", name="Insert emoji").click()
    page.get_by_role("dialog", name="Emoji picker").wait_for()
    assert_accessible(page, axe_js, "emoji picker")
    page.keyboard.press("Escape")
    assert not page.errors, page.errors
    page.context.close()


def test_phone_sized_screen(browser: Any, chinwag: ServerProcess, world: dict[str, Any], axe_js: Path) -> None:
    page = new_page(browser, width=390, height=844)
    login(page, chinwag.url, "alice")
    open_menu = page.get_by_role("button", name="Open channel list")
    nav = page.get_by_role("navigation", name="Channels")
    page.get_by_role("heading", level=1).first.wait_for()  # the channel view is drawn (a busy machine is slow)
    try:
        open_menu.wait_for(state="visible", timeout=10_000)
    except Exception:
        pytest.fail("the sidebar should be a drawer at 390 px (no button opens it)")
    if nav.is_visible() and not open_menu.is_visible():
        pytest.fail("the sidebar should be a drawer at 390 px")
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "91-phone-channel")
    assert_accessible(page, axe_js, "phone channel")
    open_menu.click()
    nav.get_by_role("link", name="Release Plans").wait_for()
    shot(page, "92-phone-drawer")
    assert_accessible(page, axe_js, "phone drawer")
    # Esc closes the drawer and gives the focus back to the button that opened it
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('.app--sidebar-open')")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Open channel list"
    # a channel picked in the drawer opens and the drawer closes
    open_menu.click()
    nav.get_by_role("link", name="Release Plans").click()
    page.get_by_role("heading", name="Release Plans", level=1).wait_for()
    page.wait_for_function("!document.querySelector('.app--sidebar-open')")
    # the switcher works on a phone too (the drawer's "Find channel")
    open_menu.click()
    nav.get_by_role("button", name="Find channel").click()
    dialog = page.get_by_role("dialog", name="Find channels")
    dialog.get_by_role("combobox").fill("town")
    dialog.get_by_role("combobox").press("Enter")
    page.get_by_role("heading", name="Town Square", level=1).wait_for()
    # writing: the message box and its formatting bar fit the screen
    composer(page).fill("from my phone")
    box = page.locator("#composer .composer__box").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    composer(page).press("Enter")
    post_by_text(page, "from my phone").wait_for()
    shot(page, "93-phone-posted")
    # the thread opens full width
    post_by_text(page, "release notes").get_by_role("button", name="1 reply").click()
    rhs = page.get_by_role("complementary", name="Thread")
    rhs.get_by_text("I can, after lunch").wait_for()
    rb = rhs.bounding_box()
    assert rb is not None and rb["width"] >= 380
    shot(page, "94-phone-thread")
    assert_accessible(page, axe_js, "phone thread")
    assert not page.errors, page.errors
    page.context.close()

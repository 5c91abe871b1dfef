"""Themes in the web UI: Mattermost's built-in themes and custom colours, saved in the `theme`
preference (Mattermost's shape) and applied at once and after a reload."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, send, team_with, until

pytestmark = pytest.mark.e2e

SIDEBAR_BG = "getComputedStyle(document.querySelector('nav.sidebar')).backgroundColor"


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    yield srv
    srv.stop()


def open_display(page: Any) -> Any:
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="Account settings").click()
    dialog = page.get_by_role("dialog", name="Account settings")
    dialog.get_by_role("tab", name="Display").click()
    return dialog


def theme_pref(chinwag: ServerProcess, username: str) -> dict[str, Any]:
    with chinwag.api(chinwag.login(username)) as c:
        me = c.get("/users/me").json()
        r = c.get(f"/users/{me['id']}/preferences/theme/name/")
        if r.status_code != 200:
            prefs = c.get(f"/users/{me['id']}/preferences/theme").json()
            return dict(json.loads(prefs[0]["value"])) if prefs else {}  # not saved (yet)
        return dict(json.loads(r.json()["value"]))


def test_built_in_and_custom_themes(browser: Any, chinwag: ServerProcess) -> None:
    team_with(chinwag, "olga")
    page = new_page(browser)
    login(page, chinwag.url, "olga")
    send(page, "```js\nconst theme = 'quartz'; // light sidebar\n```")
    dialog = open_display(page)
    dialog.get_by_text("Quartz").click()
    page.wait_for_function(f"{SIDEBAR_BG} === 'rgb(244, 244, 246)'")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    # the UI applies the theme at once and saves it in the background
    saved = until(lambda: theme_pref(chinwag, "olga"), lambda t: t.get("type") == "Quartz")
    assert saved["type"] == "Quartz" and saved["sidebarBg"] == "#f4f4f6" and saved["centerChannelBg"] == "#ffffff"
    dialog.get_by_role("button", name="Close").first.click()
    shot(page, "95-theme-quartz")

    dialog = open_display(page)
    dialog.get_by_text("Indigo").click()
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    page.wait_for_function(f"{SIDEBAR_BG} === 'rgb(21, 30, 50)'")
    # custom colours on top of it
    dialog.get_by_text("Custom").click()
    dialog.get_by_label("Sidebar background").fill("#7a1f3d")
    dialog.get_by_role("button", name="Save theme").click()
    page.wait_for_function(f"{SIDEBAR_BG} === 'rgb(122, 31, 61)'")
    saved = until(lambda: theme_pref(chinwag, "olga"), lambda t: t.get("sidebarBg") == "#7a1f3d")
    assert saved["sidebarBg"] == "#7a1f3d" and saved["centerChannelBg"] == "#111827" and saved["type"] == "custom"
    dialog.get_by_role("button", name="Close").first.click()
    shot(page, "96-theme-custom-dark")
    page.reload()
    page.get_by_role("navigation", name="Channels").wait_for()
    page.wait_for_function(f"{SIDEBAR_BG} === 'rgb(122, 31, 61)'")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert not page.errors, page.errors
    page.context.close()

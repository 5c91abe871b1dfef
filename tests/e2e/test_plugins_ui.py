"""System Console > Plugins > Plugin Management in Chromium: the prepackaged plugins listed with their
state, enabling Memes (its /meme works in the channel afterwards), editing the GitLab plugin's settings
from its settings_schema, and disabling again. Screenshot in test-artifacts/console-plugins.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page

pytestmark = pytest.mark.e2e

GITLAB = "com.github.manland.mattermost-plugin-gitlab"


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    srv.create_user("admin")
    admin = srv.login("admin")
    with srv.api(admin) as c:
        r = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O"})
        assert r.status_code == 201, r.text
    yield srv
    srv.stop()


def state_of(page: Any, plugin_id: str) -> Any:
    return page.locator(f"tr[data-plugin='{plugin_id}'] .admin-plugin-state")


def test_plugin_management(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser)
    login(page, chinwag.url, "admin")
    page.goto(chinwag.url + "/admin_console/plugins/plugin_management")
    page.get_by_role("heading", name="Plugin Management").wait_for()
    assert state_of(page, "memes").inner_text() == "Not running"
    assert state_of(page, GITLAB).inner_text() == "Not running"
    assert "Uploads are off" in page.locator(".admin-card").first.inner_text()

    page.get_by_role("button", name="Enable Memes").click()
    page.locator("tr[data-plugin='memes'] .admin-plugin-state", has_text="Running").wait_for()
    page.get_by_role("button", name="Disable Memes").wait_for()

    page.get_by_role("button", name="Settings of GitLab").click()
    page.get_by_role("heading", name="GitLab settings").wait_for()
    page.get_by_label("GitLab URL:").fill("https://gitlab.example.com")
    page.get_by_label("GitLab OAuth Client ID:").fill("client-from-the-console")
    page.get_by_label("Enable Private Repositories:").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").filter(has_text="Plugin settings saved.").wait_for()
    shot(page, "console-plugins")
    with chinwag.api(chinwag.login("admin")) as c:
        saved = c.get("/config").json()["PluginSettings"]["Plugins"][GITLAB]
        assert saved["gitlaburl"] == "https://gitlab.example.com"
        assert saved["gitlaboauthclientid"] == "client-from-the-console" and saved["enableprivaterepo"] is True
        statuses = {s["plugin_id"]: s["state"] for s in c.get("/plugins/statuses").json()}
        assert statuses == {"memes": 2, GITLAB: 0, "com.mattermost.calls": 0}  # calls comes with chinwag, off

    page.get_by_role("button", name="Disable Memes").click()
    page.locator("tr[data-plugin='memes'] .admin-plugin-state", has_text="Not running").wait_for()
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()

"""Custom status in the web UI: set one (emoji, text, clear after) from the sidebar, see it next to
the name on posts and in another user's DM list and member list, clear it; in Russian too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, send, team_with

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    return team_with(chinwag, "kate", "liam")


def test_set_show_and_clear_a_custom_status(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    kate = new_page(browser)
    login(kate, chinwag.url, "kate")
    liam = new_page(browser)
    login(liam, chinwag.url, "liam")
    send(kate, "Status test message")
    # liam opens a DM with kate so she is in his sidebar
    liam.goto(chinwag.url + "/acme/messages/@kate")
    liam.get_by_role("heading", name="kate", level=1).wait_for()

    kate.get_by_role("button", name="Set a status").first.click()
    dialog = kate.get_by_role("dialog", name="Set a status")
    dialog.get_by_role("button", name="In a meeting").click()
    assert dialog.get_by_label("Status text").input_value() == "In a meeting"
    dialog.get_by_label("Clear after").select_option("four_hours")
    shot(kate, "80-custom-status-dialog")
    dialog.get_by_role("button", name="Set status").click()
    dialog.wait_for(state="hidden")
    with chinwag.api(chinwag.login("kate")) as c:
        props = c.get("/users/me").json()["props"]
    assert '"text":"In a meeting"' in props["customStatus"] and '"duration":"four_hours"' in props["customStatus"]

    # next to her name on her post, for her and (live) for liam, in his DM list and member list
    post = kate.locator(".post-list article.post", has_text="Status test message")
    post.get_by_role("img", name="Status: In a meeting", exact=False).wait_for()
    liam.locator("nav.sidebar a.sidebar__item", has_text="kate").get_by_role("img", name="Status: In a meeting", exact=False).wait_for()
    liam.get_by_role("navigation", name="Channels").get_by_role("link", name="Town Square").click()
    liam.get_by_role("heading", name="Town Square", level=1).wait_for()
    liam.locator(".post-list article.post", has_text="Status test message").get_by_role(
        "img", name="Status: In a meeting", exact=False).wait_for()
    liam.get_by_role("button", name="Members", exact=False).first.click()
    liam.locator(".member-list__item", has_text="@kate").get_by_text("In a meeting").wait_for()
    shot(liam, "81-custom-status-seen-by-others")

    # clearing it removes it everywhere
    kate.locator(".sidebar__me").click()
    dialog.get_by_role("button", name="Clear status").click()
    dialog.wait_for(state="hidden")
    liam.locator("nav.sidebar a.sidebar__item", has_text="kate").get_by_role("img", name="Status:", exact=False).wait_for(state="detached")
    # the recent list offers it again
    kate.get_by_role("button", name="Set a status").first.click()
    recent = dialog.get_by_role("region", name="Recent")
    recent.get_by_role("button", name="In a meeting 4 hours").wait_for()
    shot(kate, "82-custom-status-recent")
    # removing it from the recent list (the preference changes; the suggestion comes back)
    recent.get_by_role("button", name="Remove In a meeting").click()
    recent.wait_for(state="detached")
    dialog.get_by_role("region", name="Suggestions").get_by_role("button", name="In a meeting 1 hour").wait_for()
    dialog.get_by_role("button", name="Cancel").click()
    assert not kate.errors and not liam.errors, (kate.errors, liam.errors)
    kate.context.close()
    liam.context.close()

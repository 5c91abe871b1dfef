"""The web UI's read receipts ("Seen by …" under my latest post) and the /settings/notifications route
that the email unsubscribe link points at, against a real server."""

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
    srv = ServerProcess(MM_SERVICESETTINGS_ENABLEREADRECEIPTS="true").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    w = team_with(chinwag, "gina", "hank")
    w["hank"] = chinwag.login("hank")
    return w


def test_settings_notifications_route_opens_the_settings(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    # not logged in: the login page comes back to the settings afterwards
    page.goto(chinwag.url + "/settings/notifications")
    page.get_by_label("Email or username").fill("gina")
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Log in").click()
    dialog = page.get_by_role("dialog", name="Notifications")
    dialog.wait_for()
    page.wait_for_url("**/acme/channels/town-square")
    # and when already logged in
    dialog.get_by_role("button", name="Close").first.click()
    dialog.wait_for(state="hidden")
    page.goto(chinwag.url + "/settings/notifications")
    dialog.wait_for()
    assert "/settings" not in page.url
    assert not page.errors, page.errors
    page.context.close()


def test_seen_by_under_my_latest_direct_message(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    login(page, chinwag.url, "gina")
    # gina turns read receipts on in her notification settings
    page.goto(chinwag.url + "/settings/notifications")
    dialog = page.get_by_role("dialog", name="Notifications")
    dialog.get_by_label("Read receipts", exact=False).check()
    dialog.get_by_role("button", name="Save").click()
    dialog.get_by_role("status").get_by_text("Saved.").wait_for()
    dialog.get_by_role("button", name="Close").first.click()
    hank = world["users"]["hank"]
    gina_id = world["users"]["gina"]["id"]
    with chinwag.api(world["hank"]) as c:
        dm = c.post("/channels/direct", json=[hank["id"], gina_id]).json()
        r = c.put(f"/users/{hank['id']}/preferences",
                  json=[{"user_id": hank["id"], "category": "chinwag", "name": "read_receipts", "value": "true"}])
        assert r.status_code == 200, r.text
    page.goto(chinwag.url + "/acme/messages/@hank")
    page.get_by_role("heading", name="hank", exact=True, level=1).wait_for()
    send(page, "did you read the plan?")
    seen = page.locator(".seen-by")
    page.wait_for_timeout(300)
    assert seen.count() == 0
    with chinwag.api(world["hank"]) as c:
        r = c.post("/channels/members/me/view", json={"channel_id": dm["id"]})
        assert r.status_code == 200, r.text
    seen.get_by_text("Seen", exact=True).wait_for()  # live, by the read_receipt event
    shot(page, "49-read-receipt")
    # a newer post of mine: the receipt moves under it, empty until hank reads again
    send(page, "and the budget?")
    seen.wait_for(state="detached")
    page.reload()
    page.get_by_role("heading", name="hank", exact=True, level=1).wait_for()
    page.wait_for_timeout(300)
    assert seen.count() == 0
    with chinwag.api(world["hank"]) as c:
        c.post("/channels/members/me/view", json={"channel_id": dm["id"]})
    seen.get_by_text("Seen", exact=True).wait_for()
    assert not page.errors, page.errors
    page.context.close()

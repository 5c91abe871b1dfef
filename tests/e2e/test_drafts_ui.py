"""Drafts across devices in the web UI (server-side drafts): a draft typed in one browser shows in another
of the same user — live while both are open, and in one opened later — and sending it clears it on all of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import composer, login, new_page, open_channel, team_with

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    return team_with(chinwag, "dora")


def device(browser: Any, chinwag: ServerProcess) -> Any:
    page = new_page(browser)
    login(page, chinwag.url, "dora")
    open_channel(page, "Off-Topic")
    return page


def box_value_is(page: Any, text: str) -> None:
    page.wait_for_function("t => document.querySelector('#composer textarea').value === t", arg=text)


def test_a_draft_follows_the_user_to_another_device(browser: Any, chinwag: ServerProcess,
                                                    world: dict[str, Any]) -> None:
    laptop = device(browser, chinwag)
    phone = device(browser, chinwag)
    composer(laptop).fill("started on the laptop")
    box_value_is(phone, "started on the laptop")  # live, by draft_created
    # a device opened later reads the team's drafts from the server
    tablet = device(browser, chinwag)
    box_value_is(tablet, "started on the laptop")
    # finished and sent on the phone: the draft goes everywhere
    box = composer(phone)
    box.fill("started on the laptop, finished on the phone")
    box.press("Enter")
    box_value_is(phone, "")
    box_value_is(laptop, "")
    box_value_is(tablet, "")
    with chinwag.api(chinwag.login("dora")) as c:
        assert c.get(f"/users/me/teams/{world['team']['id']}/drafts").json() == []
    for page in (laptop, phone, tablet):
        assert not page.errors, page.errors
        page.context.close()


def sync_drafts_pref(chinwag: ServerProcess) -> str | None:
    with chinwag.api(chinwag.login("dora")) as c:
        prefs = c.get("/users/me/preferences/advanced_settings").json()
    return next((p["value"] for p in prefs if p["name"] == "sync_drafts"), None)


def advanced_settings(page: Any) -> Any:
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="Account settings").click()
    dialog = page.get_by_role("dialog", name="Account settings")
    dialog.get_by_role("tab", name="Advanced").click()
    dialog.get_by_role("group", name="Allow message drafts to sync with the server").wait_for()
    return dialog


def test_the_user_turns_draft_syncing_off_in_advanced_settings(browser: Any, chinwag: ServerProcess,
                                                                world: dict[str, Any]) -> None:
    page = device(browser, chinwag)
    dialog = advanced_settings(page)
    assert dialog.get_by_role("radio", name="On").is_checked()  # on unless turned off
    dialog.get_by_role("radio", name="Off").click()
    # checked once the server has saved it (the store takes the preference after PUT answers)
    page.wait_for_function("() => document.querySelector('input[name=sync_drafts]:checked')?.parentElement.textContent === 'Off'")
    assert sync_drafts_pref(chinwag) == "false"
    shot(page, "account-advanced-sync-drafts")
    page.reload()
    dialog = advanced_settings(page)
    assert dialog.get_by_role("radio", name="Off").is_checked()
    dialog.get_by_role("radio", name="On").click()
    page.wait_for_function("() => document.querySelector('input[name=sync_drafts]:checked')?.parentElement.textContent === 'On'")
    assert sync_drafts_pref(chinwag) == "true"
    assert not page.errors, page.errors
    page.context.close()

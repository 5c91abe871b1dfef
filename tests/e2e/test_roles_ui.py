"""The web UI follows the stored roles: a member is offered Integrations only once a system admin
grants an integration permission (PATCH /roles/{id}/patch), live through the role_updated event."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, team_with

pytestmark = pytest.mark.e2e


def _menu(page: Any) -> Any:
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="Log out").wait_for()
    return page


def test_integrations_follow_the_team_user_role(browser: Any, chinwag: ServerProcess) -> None:
    world = team_with(chinwag, "erin")
    with chinwag.api(world["admin"]) as c:  # as the server started (a rerun finds the first attempt's grant)
        role = c.get("/roles/name/team_user").json()
        perms = [p for p in role["permissions"] if p != "manage_own_incoming_webhooks"]
        assert c.put(f"/roles/{role['id']}/patch", json={"permissions": perms}).status_code == 200
    page = new_page(browser)
    login(page, chinwag.url, "erin")
    _menu(page)
    assert page.get_by_role("menuitem", name="Integrations").count() == 0
    shot(page, "60-roles-member-menu-without-integrations")
    page.keyboard.press("Escape")
    with chinwag.api(world["admin"]) as c:
        role = c.get("/roles/name/team_user").json()
        r = c.put(f"/roles/{role['id']}/patch",
                  json={"permissions": [*role["permissions"], "manage_own_incoming_webhooks"]})
        assert r.status_code == 200, r.text
    _menu(page)
    page.get_by_role("menuitem", name="Integrations").wait_for()
    shot(page, "61-roles-member-menu-with-integrations")
    page.get_by_role("menuitem", name="Integrations").click()
    page.get_by_role("heading", name="Integrations", level=1).wait_for()
    assert not page.errors
    page.context.close()

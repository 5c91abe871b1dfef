"""The System Console for the sub-admin roles (issue 20), in Chromium against a real `chinwag serve`: a
system admin makes a user a User Manager in the user's role dialog; the User Manager gets the console
with the user-management pages it may read and no Environment; a Read-only Admin sees settings it may
read but not change. Screenshots land in test-artifacts/console-roles-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    srv.create_user("admin")
    admin = srv.login("admin")
    with srv.api(admin) as c:
        r = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O"})
        assert r.status_code == 201, r.text
        team = r.json()
        for name in ("umgr", "reader", "dave"):
            user = srv.create_user(name, admin_token=admin)
            r = c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": user["id"]})
            assert r.status_code == 201, r.text
        reader = c.get("/users/username/reader").json()
        r = c.put(f"/users/{reader['id']}/roles", json={"roles": "system_user system_read_only_admin"})
        assert r.status_code == 200, r.text
    yield srv
    srv.stop()


def nav(page: Any) -> Any:
    return page.get_by_role("navigation", name="System Console")


def open_console(page: Any, srv: ServerProcess, username: str) -> None:
    login(page, srv.url, username)
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="System Console").click()
    nav(page).wait_for()


def test_admin_makes_a_user_manager_who_sees_user_pages_but_not_environment(
        browser: Any, chinwag: ServerProcess) -> None:
    admin = chinwag.login("admin")
    with chinwag.api(admin) as c:
        umgr = c.get("/users/username/umgr").json()

    page = new_page(browser, 1280, 900)
    login(page, chinwag.url, "admin")
    page.goto(f"{chinwag.url}/admin_console/user_management/user/{umgr['id']}")
    page.get_by_role("button", name="Manage role").click()
    dialog = page.get_by_role("dialog")
    for name in ("Member", "System Admin", "System Manager", "User Manager", "Read-only Admin", "Guest"):
        dialog.get_by_label(name, exact=True).wait_for()
    dialog.get_by_label("User Manager", exact=True).check()
    shot(page, "console-roles-dialog")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_text("The role was changed.").wait_for()
    with chinwag.api(admin) as c:
        assert c.get(f"/users/{umgr['id']}").json()["roles"] == "system_user system_user_manager"
    page.get_by_text("User Manager", exact=True).wait_for()  # the role shown on the user's page
    # the users list filters by the sub-admin roles too
    page.goto(f"{chinwag.url}/admin_console/user_management/users")
    page.get_by_label("Role", exact=True).select_option("system_user_manager")
    page.wait_for_function("document.querySelectorAll('table.admin-table tbody tr').length === 1")
    assert "@umgr" in page.locator("table.admin-table tbody tr").inner_text()

    page = new_page(browser, 1280, 900)
    open_console(page, chinwag, "umgr")
    page.get_by_role("heading", name="Teams", level=1).wait_for()
    links = nav(page).locator("a.admin-nav__item")
    names = [links.nth(i).inner_text() for i in range(links.count())]
    assert names[:2] == ["Teams", "Channels"], names
    assert "Users" not in names  # Mattermost's User Manager has no sysconsole_read_user_management_users
    assert "Plugin Management" not in names  # nor sysconsole_read_plugins
    for hidden in ("Web Server", "Database", "SMTP", "Logging", "Customization", "Server Logs"):
        assert hidden not in names, names
    assert nav(page).get_by_role("heading", name="Environment").count() == 0
    assert nav(page).get_by_role("heading", name="User Management").count() == 1
    page.locator("table.admin-table tbody tr", has_text="Acme").wait_for()
    shot(page, "console-roles-user-manager")
    # Environment by its address: sent to a page it may read
    page.goto(f"{chinwag.url}/admin_console/environment/web_server")
    page.get_by_role("heading", name="Teams", level=1).wait_for()
    assert page.url.endswith("/admin_console/user_management/teams")
    # an Authentication page it may read but not write
    nav(page).get_by_role("link", name="Email", exact=True).click()
    page.get_by_role("heading", name="Email", level=1).wait_for()
    page.get_by_text("Your role lets you view these settings but not change them.").wait_for()
    assert not page.errors, page.errors


def test_read_only_admin_sees_settings_read_only(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser, 1280, 900)
    open_console(page, chinwag, "reader")
    page.get_by_role("heading", name="Users", level=1).wait_for()
    nav(page).get_by_role("link", name="Customization", exact=True).click()
    page.get_by_role("heading", name="Customization", level=1).wait_for()
    page.get_by_text("Your role lets you view these settings but not change them.").wait_for()
    site_name = page.locator("[data-setting='TeamSettings.SiteName'] input")
    assert site_name.input_value() == "chinwag"
    assert site_name.is_disabled()
    assert page.get_by_role("button", name="Save").is_hidden()
    shot(page, "console-roles-read-only-customization")

    nav(page).get_by_role("link", name="Web Server", exact=True).click()
    page.get_by_role("heading", name="Web Server", level=1).wait_for()
    assert page.locator("[data-setting='ServiceSettings.SiteURL'] input").is_disabled()
    # the jobs page is the system admins' alone
    assert nav(page).get_by_role("link", name="Import and Export", exact=True).count() == 0

    # a user's page: shown, without the buttons that would change them
    nav(page).get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("heading", name="Users", level=1).wait_for()
    page.locator("table.admin-table tbody tr", has_text="@dave").first.get_by_role("link").first.click()
    page.get_by_text("You can view this user, but your role does not let you change them.").wait_for()
    assert page.get_by_role("button", name="Deactivate").count() == 0
    assert page.get_by_role("button", name="Add to team").is_hidden()
    assert page.get_by_role("button", name="Remove", exact=True).count() == 0
    shot(page, "console-roles-read-only-user")
    # Plugin Management (sysconsole_read_plugins): the plugins and their state, no button that changes them
    nav(page).get_by_role("link", name="Plugin Management", exact=True).click()
    page.get_by_role("heading", name="Plugin Management", level=1).wait_for()
    page.get_by_text("Your role lets you view the plugins but not change them.").wait_for()
    page.locator("tr[data-plugin]").first.wait_for()
    assert page.locator("tr[data-plugin] button").count() == 0
    assert page.get_by_role("heading", name="Upload a plugin").count() == 0
    # teams: listed, not archived nor changed
    nav(page).get_by_role("link", name="Teams", exact=True).click()
    row = page.locator("table.admin-table tbody tr", has_text="Acme")
    row.wait_for()
    assert row.get_by_role("button", name="Archive").count() == 0
    assert row.get_by_label("Who can join Acme").is_disabled()
    assert not page.errors, page.errors

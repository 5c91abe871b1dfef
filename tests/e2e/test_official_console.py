"""The System Console of the *official* Mattermost web app against chinwag.

chinwag serves a Mattermost web app build at ``/`` when ``ServiceSettings.WebappDirectory`` names its
``client`` directory (src/chinwag/web/webapp.py). This test points it at such a build, signs in as a
system admin through the web app's own login page, opens System Console pages (Web Server, SMTP, Users,
Site Statistics, Permissions → System Scheme), changes the site name and a permission of all members,
saves, reloads, and checks the change stuck both in the page and in chinwag's config and role APIs.
Every API answer the web app gets is watched: none may be a 404 or a 5xx.

CI does not build the web app (a webpack build of thousands of modules is too heavy for it), so the test
is skipped unless ``CHINWAG_MM_WEBAPP_DIR`` names a build (a directory holding ``root.html``); see
docs/configuration.md, "Serving the Mattermost web app", for what was checked with which release.
Screenshots land in test-artifacts/official-console-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.official import MARKS, clean, server, watched_page
from tests.e2e.server import ServerProcess

pytestmark = MARKS

SITE_NAME = "Official Console Co"


@pytest.fixture(scope="module")
def official() -> Iterator[ServerProcess]:
    srv = server()
    try:
        admin = srv.create_user("root")  # the first user is a system admin
        assert "system_admin" in admin["roles"]
        token = srv.login("root")
        with srv.api(token) as c:
            team = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O"})
            assert team.status_code == 201, team.text
            # 10.x and later lay a new user's onboarding checklist over every page (its overlay takes the
            # clicks); the admin has put it away, as the checklist's own "No thanks" does
            pref = {"user_id": admin["id"], "category": "onboarding_task_list", "name": "onboarding_task_list_show",
                    "value": "false"}
            assert c.put(f"/users/{admin['id']}/preferences", json=[pref]).status_code == 200
        srv.token = token  # type: ignore[attr-defined]
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def page(official: ServerProcess) -> Iterator[Any]:
    with watched_page(official) as pg:
        yield pg


def setting(page: Any, key: str) -> Any:
    return page.locator(f'[id="{key}"]')


def test_console_pages_load(page: Any, official: ServerProcess) -> None:
    page.goto(official.url + "/admin_console/environment/web_server")
    assert setting(page, "ServiceSettings.SiteURL").input_value() == official.url
    listen = setting(page, "ServiceSettings.ListenAddress").input_value()
    assert listen == f"127.0.0.1:{official.port}"
    shot(page, "official-console-web-server")

    page.goto(official.url + "/admin_console/environment/smtp")
    setting(page, "EmailSettings.SMTPServer").wait_for()
    assert setting(page, "EmailSettings.SMTPPort").input_value() != ""
    shot(page, "official-console-smtp")

    page.goto(official.url + "/admin_console/user_management/users")
    page.get_by_text("root@example.com").first.wait_for()
    shot(page, "official-console-users")

    page.goto(official.url + "/admin_console/reporting/system_analytics")
    page.get_by_text(re.compile(r"^Total Activ(e|ated) Users$")).first.wait_for()  # 6.x / 10.x and later
    shot(page, "official-console-site-statistics")

    page.goto(official.url + "/admin_console/user_management/permissions/system_scheme")
    page.get_by_text("All Members").first.wait_for()
    page.locator('.permission-row[id$="-create_team"]').first.wait_for()
    shot(page, "official-console-system-scheme")
    clean(page)


def test_site_name_saved_reloaded_and_in_the_config_api(page: Any, official: ServerProcess) -> None:
    page.goto(official.url + "/admin_console/site_config/customization")
    name = setting(page, "TeamSettings.SiteName")
    name.fill(SITE_NAME)
    # 6.x saves with PUT /config, 10.x and later with PUT /config/patch
    with page.expect_response(lambda r: r.url.endswith(("/api/v4/config", "/api/v4/config/patch"))
                              and r.request.method == "PUT") as put:
        page.locator("#saveSetting").click()
    assert put.value.status == 200, put.value.text()
    page.reload()
    assert setting(page, "TeamSettings.SiteName").input_value() == SITE_NAME
    shot(page, "official-console-site-name-saved")
    with official.api(official.token) as c:  # type: ignore[attr-defined]
        assert c.get("/config").json()["TeamSettings"]["SiteName"] == SITE_NAME
    clean(page)


def test_system_scheme_permission_saved_in_the_role_api(page: Any, official: ServerProcess) -> None:
    with official.api(official.token) as c:  # type: ignore[attr-defined]
        assert "create_team" in c.get("/roles/name/system_user").json()["permissions"]
    page.goto(official.url + "/admin_console/user_management/permissions/system_scheme")
    row = page.locator('.permission-row[id^="all_users-"][id$="-create_team"]').first
    box = row.locator(".permission-check")
    assert "checked" in (box.get_attribute("class") or "")
    row.click()
    with page.expect_response(lambda r: "/api/v4/roles/" in r.url and r.request.method in ("PUT", "PATCH")) as saved:
        page.locator("#saveSetting").click()
    assert saved.value.status == 200, saved.value.text()
    with official.api(official.token) as c:  # type: ignore[attr-defined]
        assert "create_team" not in c.get("/roles/name/system_user").json()["permissions"]
    page.reload()
    box = page.locator('.permission-row[id^="all_users-"][id$="-create_team"]').first.locator(".permission-check")
    box.wait_for()
    assert "checked" not in (box.get_attribute("class") or "").split()
    shot(page, "official-console-permission-saved")
    clean(page)

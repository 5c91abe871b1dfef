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

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, _ensure_chromium, shot
from tests.e2e.server import ServerProcess

BUILD = os.environ.get("CHINWAG_MM_WEBAPP_DIR", "")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not BUILD or not (Path(BUILD) / "root.html").is_file(),
                       reason="needs CHINWAG_MM_WEBAPP_DIR: the client directory of a Mattermost web app build "
                              "(with root.html); CI does not build one"),
]

TIMEOUT = 30_000  # ms; the web app's first load parses several MB of JavaScript on a busy machine
SITE_NAME = "Official Console Co"


@pytest.fixture(scope="module")
def official() -> Iterator[ServerProcess]:
    srv = ServerProcess(MM_SERVICESETTINGS_WEBAPPDIRECTORY=BUILD).start()
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
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        pg = b.new_context(viewport={"width": 1400, "height": 900}).new_page()
        pg.set_default_timeout(TIMEOUT)
        pg.api_failures = []  # type: ignore[attr-defined]
        pg.errors = []  # type: ignore[attr-defined]

        def watch(r: Any) -> None:
            if "/api/v4/" in r.url and (r.status == 404 or r.status >= 500):
                pg.api_failures.append(f"{r.request.method} {r.url} -> {r.status}")

        pg.on("response", watch)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        sign_in(pg, official)
        yield pg
        b.close()


def sign_in(page: Any, srv: ServerProcess) -> None:
    """Through the web app's login page (the ids of Mattermost 6/7 and of 8 and later)."""
    page.goto(srv.url + "/login")
    page.locator("#loginId, #input_loginId").fill("root")
    page.locator("#loginPassword, #input_password-input").fill("password1")
    page.locator("#loginButton, #saveSetting").first.click()
    page.wait_for_url(re.compile(r"/acme/channels/|/select_team"))


def setting(page: Any, key: str) -> Any:
    return page.locator(f'[id="{key}"]')


def clean(page: Any) -> None:
    assert page.api_failures == [], page.api_failures
    assert page.errors == [], page.errors


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

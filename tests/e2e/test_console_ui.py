"""The System Console in Chromium against a real `chinwag serve`: settings pages (save, pinned settings,
inline problems, the SMTP test through a real SMTP server), users among thousands, deactivation ending a
session, server logs, statistics — and a non-admin who gets no console and whose API calls are refused.
Screenshots of every page land in test-artifacts/console-*.png."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from chinwag.model.ids import new_id, now_ms
from chinwag.model.user import User
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import users
from chinwag.store.sql.user_store import USER
from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e

MANY = 3000


def add_users(db_path: str, count: int) -> None:
    """``count`` accounts written straight into the server's database in one transaction
    (they never sign in), so the list has thousands to page through."""

    async def run() -> None:
        db = Database("sqlite", db_path)
        now = now_ms()
        rows = []
        for i in range(count):
            u = User(id=new_id(), username=f"user{i:05d}", email=f"user{i:05d}@corp.example", first_name="Test",
                     last_name=f"Person {i}", roles="system_user", create_at=now + i, update_at=now + i)
            rows.append({**USER.values(u), "password": ""})
        try:
            async with db.write() as conn:
                for start in range(0, len(rows), 500):
                    await conn.execute(sa.insert(users), rows[start:start + 500])
        finally:
            await db.close()

    # Playwright's sync API keeps an event loop on this thread: run ours on another one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    s = SmtpServer(Path(tmp_path_factory.mktemp("smtp"))).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess(MM_RATELIMITSETTINGS_PERSEC="25").start()
    srv.create_user("admin")
    admin = srv.login("admin")
    with srv.api(admin) as c:
        r = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O", "allow_open_invite": True})
        assert r.status_code == 201, r.text
        team = r.json()
        for name in ("bob", "carol"):
            user = srv.create_user(name, admin_token=admin)
            assert c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": user["id"]}).status_code == 201
    add_users(srv.env["MM_SQLSETTINGS_DATASOURCE"], MANY)
    yield srv
    srv.stop()


def open_console(page: Any, srv: ServerProcess) -> None:
    login(page, srv.url, "admin")
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="System Console").click()
    page.get_by_role("navigation", name="System Console").wait_for()
    page.get_by_role("heading", name="Users", level=1).wait_for()


def go(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="System Console").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", name=name, level=1).wait_for()


def setting(page: Any, key: str) -> Any:
    return page.locator(f"[data-setting='{key}']")


def test_every_page_renders(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser, 1280, 900)
    open_console(page, chinwag)
    links = page.get_by_role("navigation", name="System Console").locator("a.admin-nav__item")
    names = [links.nth(i).inner_text() for i in range(links.count())]
    assert len(names) >= 30
    for i, name in enumerate(names):
        go(page, name)
        page.wait_for_selector(".spinner", state="detached")
        href = links.nth(i).get_attribute("href")
        assert page.url.endswith(href)
        shot(page, f"console-{i:02d}-{href.rsplit('/', 1)[-1]}")
    # the dark theme uses the same variables
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    go(page, "SMTP")
    shot(page, "console-dark-smtp")
    go(page, "Users")
    page.locator("table.admin-table tbody tr").first.wait_for()
    shot(page, "console-dark-users")
    page.evaluate("document.documentElement.dataset.theme = 'light'")
    page.set_viewport_size({"width": 700, "height": 900})  # narrow: the navigation goes above the page
    go(page, "SMTP")
    shot(page, "console-narrow-smtp")
    # the keyboard: the first Tab reaches the skip link, which moves focus to the page
    page.reload()
    page.get_by_role("heading", name="SMTP", level=1).wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the page"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "admin-main"
    assert not page.errors, page.errors


def test_site_name_reaches_the_login_page(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser)
    open_console(page, chinwag)
    go(page, "Customization")
    save = page.get_by_role("button", name="Save")
    assert save.is_disabled()  # nothing changed yet
    name = page.get_by_label("Site Name")
    name.fill("")
    save.click()
    assert "This setting is required." in setting(page, "TeamSettings.SiteName").inner_text()
    name.fill("Acme Chat")
    # leaving with unsaved changes asks first
    page.get_by_role("navigation", name="System Console").get_by_role("link", name="Web Server").click()
    dialog = page.get_by_role("dialog", name="Discard unsaved changes?")
    dialog.get_by_role("button", name="Stay on this page").click()
    assert page.url.endswith("/admin_console/site_config/customization")
    assert name.input_value() == "Acme Chat"
    help_link = page.get_by_label("Help Link")
    help_link.fill("not a url")
    save.click()
    assert "URL starting with http" in setting(page, "SupportSettings.HelpLink").inner_text()
    shot(page, "console-problem-inline")
    help_link.fill("https://help.example.com")
    save.click()
    page.get_by_role("status").filter(has_text="Settings saved.").wait_for()
    with chinwag.api(chinwag.login("admin")) as c:
        assert c.get("/config").json()["TeamSettings"]["SiteName"] == "Acme Chat"

    anon = new_page(browser)
    anon.goto(chinwag.url + "/login")
    anon.get_by_text("Acme Chat").first.wait_for()
    shot(anon, "console-login-site-name")


def test_pinned_setting_is_read_only(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser)
    open_console(page, chinwag)
    go(page, "Web Server")
    site_url = setting(page, "ServiceSettings.SiteURL")
    assert page.get_by_label("Site URL").is_disabled()
    assert "set by environment" in site_url.inner_text().lower()
    assert "MM_SERVICESETTINGS_SITEURL" in site_url.inner_text()
    headers = page.get_by_label("Trusted Proxy IP Headers")
    headers.press_sequentially("X-Forwarded-For X-Real-IP")
    assert headers.input_value() == "X-Forwarded-For X-Real-IP"
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").filter(has_text="Settings saved.").wait_for()
    with chinwag.api(chinwag.login("admin")) as c:
        assert c.get("/config").json()["ServiceSettings"]["TrustedProxyIPHeader"] == ["X-Forwarded-For", "X-Real-IP"]
    go(page, "Rate Limiting")
    assert page.get_by_label("Maximum Queries per Second").is_disabled()
    assert page.get_by_label("Maximum Queries per Second").input_value() == "25"
    assert "MM_RATELIMITSETTINGS_PERSEC" in setting(page, "RateLimitSettings.PerSec").inner_text()
    shot(page, "console-pinned")


def test_send_test_email_through_smtp(browser: Any, chinwag: ServerProcess, smtp: SmtpServer) -> None:
    page = new_page(browser)
    open_console(page, chinwag)
    go(page, "SMTP")
    page.get_by_label("SMTP Server", exact=True).fill("127.0.0.1")
    page.get_by_label("SMTP Server Port").fill(str(smtp.port))
    page.get_by_role("button", name="Send test email").click()
    page.get_by_role("status").filter(has_text="No errors were reported").wait_for()
    deadline = time.monotonic() + 10
    while not smtp.inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    (msg,) = smtp.inbox.messages
    assert msg["To"] == "admin@example.com" and "Testing Email Settings" in msg["Subject"]
    shot(page, "console-smtp-sent")
    # the test used the unsaved form; nothing was saved
    with chinwag.api(chinwag.login("admin")) as c:
        assert c.get("/config").json()["EmailSettings"]["SMTPServer"] == "localhost"
    # a port where nothing listens: the SMTP error is shown
    page.get_by_label("SMTP Server Port").fill("1")
    page.get_by_role("button", name="Send test email").click()
    page.get_by_role("alert").filter(has_text="Connection unsuccessful").wait_for()
    page.get_by_label("SMTP Server Timeout (seconds)").fill("soon")
    page.get_by_role("button", name="Save").click()
    assert "Enter a whole number." in setting(page, "EmailSettings.SMTPServerTimeout").inner_text()
    shot(page, "console-smtp-error")


def test_find_a_user_among_thousands_and_deactivate(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser)
    open_console(page, chinwag)
    pager = page.locator(".admin-pager")
    pager.get_by_text(re.compile(r"1–50 of 3,003")).wait_for()
    assert page.locator("table.admin-table tbody tr").count() == 50
    page.get_by_role("button", name="Next page").click()
    pager.get_by_text(re.compile(r"51–100 of 3,003")).wait_for()
    page.get_by_label("Search users").fill("user02999@corp.example")
    row = page.locator("table.admin-table tbody tr", has_text="user02999@corp.example")
    row.wait_for()
    assert page.locator("table.admin-table tbody tr").count() == 1
    shot(page, "console-users-search")

    # bob has an open session; deactivating him ends it
    bob_token = chinwag.login("bob")
    page.get_by_label("Search users").fill("bob@example.com")
    page.locator("table.admin-table tbody tr", has_text="bob@example.com").get_by_role("link").click()
    page.get_by_role("heading", name="Users › @bob", level=1).wait_for()
    page.get_by_role("button", name="Deactivate").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Deactivate").click()
    page.get_by_role("status").filter(has_text="The account is deactivated.").wait_for()
    assert "Inactive" in page.locator(".admin-facts").inner_text()
    shot(page, "console-user-deactivated")
    with chinwag.api(bob_token) as c:
        assert c.get("/users/me").status_code == 401

    # the inactive filter finds him
    go(page, "Users")
    page.get_by_label("Status").select_option("inactive")
    page.locator("table.admin-table tbody tr", has_text="bob@example.com").wait_for()
    assert page.locator("table.admin-table tbody tr").count() == 1


def test_server_logs_and_statistics(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser)
    open_console(page, chinwag)
    go(page, "Server Logs")
    lines = page.locator("ol.admin-logs li")
    lines.first.wait_for()
    assert lines.count() > 0
    page.get_by_label("Search the log").fill("login")
    assert "login" in lines.first.inner_text().lower()
    shot(page, "console-logs")
    page.get_by_label("Lowest level").select_option("error")
    assert all("ERROR" in lines.nth(i).inner_text() for i in range(lines.count()))
    if lines.count() == 0:
        page.get_by_text("No lines match.").wait_for()
    go(page, "Site Statistics")
    users_stat = page.locator("[data-stat='unique_user_count']")
    users_stat.wait_for()
    assert re.search(r"3,00[0-9]", users_stat.inner_text())
    shot(page, "console-statistics")
    go(page, "High Availability")
    page.get_by_text("1 server process uses this database.").wait_for()
    node = page.locator(".admin-card table tbody tr")
    assert node.count() == 1 and "10.11.0" in node.inner_text()
    shot(page, "console-cluster")


def test_non_admin_gets_no_console(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser)
    login(page, chinwag.url, "carol")
    page.get_by_role("button", name="Acme menu").click()
    assert page.get_by_role("menuitem", name="System Console").count() == 0
    page.keyboard.press("Escape")
    page.goto(chinwag.url + "/admin_console/environment/smtp")
    page.get_by_role("navigation", name="Channels").wait_for()
    assert "/admin_console" not in page.url
    assert page.get_by_role("navigation", name="System Console").count() == 0
    token = chinwag.login("carol")
    with chinwag.api(token) as c:
        for method, path in (("GET", "/config"), ("PUT", "/config"), ("GET", "/config/environment"),
                             ("POST", "/email/test"), ("GET", "/logs"), ("GET", "/analytics/old"),
                             ("GET", "/users/stats/filtered"), ("GET", "/channels"), ("POST", "/channels/search")):
            r = c.request(method, path, json={} if method != "GET" else None)
            assert r.status_code == 403, (method, path, r.status_code, r.text)


def test_teams_and_channels(browser: Any, chinwag: ServerProcess) -> None:
    admin = chinwag.login("admin")
    with chinwag.api(admin) as c:
        team = c.post("/teams", json={"name": "labs", "display_name": "Labs", "type": "O"}).json()
        ch = c.post("/channels", json={"team_id": team["id"], "name": "experiments", "display_name": "Experiments",
                                       "type": "O"}).json()
    page = new_page(browser)
    open_console(page, chinwag)

    go(page, "Channels")
    page.get_by_label("Search channels").fill("experiments")
    row = page.locator("table.admin-table tbody tr", has_text="Experiments")
    row.wait_for()
    assert "Labs" in row.inner_text()
    page.wait_for_function("document.querySelector('table.admin-table tbody tr td:nth-child(3)').innerText === '1'")
    row.get_by_label("Privacy of Experiments").select_option("P")
    page.wait_for_function("document.querySelector('table.admin-table tbody tr select').value === 'P'")
    row.get_by_role("button", name="Archive").click()
    page.get_by_role("dialog").get_by_role("button", name="Archive").click()
    row.get_by_role("button", name="Unarchive").wait_for()
    shot(page, "console-channels-archived")
    with chinwag.api(admin) as c:
        got = c.get(f"/channels/{ch['id']}").json()
        assert got["type"] == "P" and got["delete_at"] > 0
    row.get_by_role("button", name="Unarchive").click()
    row.get_by_role("button", name="Archive").wait_for()

    go(page, "Teams")
    labs = page.locator("table.admin-table tbody tr", has_text="Labs")
    acme = page.locator("table.admin-table tbody tr", has_text="Acme")
    with chinwag.api(admin) as c:
        acme_id = c.get("/teams/name/acme").json()["id"]
        active = c.get(f"/teams/{acme_id}/stats").json()["active_member_count"]
    acme.locator("td").nth(1).get_by_text(str(active), exact=True).wait_for()
    labs.get_by_label("Who can join Labs").select_option("O")
    labs.get_by_role("button", name="Archive").click()
    page.get_by_role("dialog").get_by_role("button", name="Archive").click()
    labs.get_by_role("button", name="Restore").wait_for()
    shot(page, "console-teams-archived")
    with chinwag.api(admin) as c:
        got = c.get(f"/teams/{team['id']}").json()
        assert got["allow_open_invite"] is True and got["delete_at"] > 0
    labs.get_by_role("button", name="Restore").click()
    labs.get_by_role("button", name="Archive").wait_for()


def test_export_job_with_progress_and_download(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser)
    open_console(page, chinwag)
    go(page, "Import and Export")
    page.get_by_role("button", name="Export now").click()
    row = page.locator("table.admin-table tbody tr", has_text="Export").first
    row.wait_for()
    download_link = row.get_by_role("link", name="Download")
    download_link.wait_for(timeout=60_000)
    assert "Success" in row.inner_text()
    assert row.locator("progress").get_attribute("value") == "100"
    shot(page, "console-jobs")
    with page.expect_download() as info:
        download_link.click()
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(2) == b"PK"  # a zip


def test_gitlab_configured_in_the_console_signs_a_user_in(browser: Any, chinwag: ServerProcess) -> None:
    from tests.e2e.test_sso_ui import USERS, at_idp, signed_in_as
    from tests.sso.process import IdpProcess

    idp = IdpProcess().start()
    try:
        idp.control(users=USERS)
        idp.register("console-app", "console-secret", chinwag.url)
        page = new_page(browser)
        open_console(page, chinwag)
        go(page, "GitLab")
        enable = setting(page, "GitLabSettings.Enable")
        enable.get_by_label("True").check()
        page.get_by_label("Application ID").fill("console-app")
        page.get_by_label("Application Secret Key").fill("console-secret")
        page.get_by_label("Auth Endpoint").fill(idp.url + "/oauth/authorize")
        page.get_by_label("Token Endpoint").fill(idp.url + "/oauth/token")
        page.get_by_label("User API Endpoint").fill(idp.url + "/api/v4/user")
        page.get_by_role("button", name="Save").click()
        page.get_by_role("status").filter(has_text="Settings saved.").wait_for()
        # the secret comes back masked, and saving the page again keeps it
        assert page.get_by_label("Application Secret Key").input_value() == "*" * 32
        page.get_by_label("Button Name").fill("GitLab")
        page.get_by_role("button", name="Save").click()
        page.get_by_role("status").filter(has_text="Settings saved.").wait_for()
        shot(page, "console-gitlab")
        with chinwag.api(chinwag.login("admin")) as c:
            assert c.get("/config").json()["GitLabSettings"]["Secret"] == "*" * 32
        config = Path(chinwag.env["MM_CONFIG"]).read_text()
        assert '"Secret": "console-secret"' in config

        user = new_page(browser)
        user.goto(chinwag.url + "/login")
        user.get_by_role("link", name="GitLab").click()
        at_idp(user, "alice")
        user.get_by_role("heading", name="Join a team").wait_for()
        me = signed_in_as(chinwag, user)
        assert (me["username"], me["auth_service"]) == ("alice", "gitlab")
    finally:
        idp.stop()


def test_s3_connection_test_against_an_s3_server(browser: Any, chinwag: ServerProcess) -> None:
    import httpx
    from moto.server import ThreadedMotoServer

    from tests.files_support import S3_KEY, S3_SECRET, free_port

    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        assert httpx.put(f"http://127.0.0.1:{port}/console-bucket").status_code == 200
        page = new_page(browser)
        open_console(page, chinwag)
        go(page, "File Storage")
        page.get_by_label("File Storage System").select_option("amazons3")
        page.get_by_label("Amazon S3 Bucket").fill("console-bucket")
        page.get_by_label("Amazon S3 Region").fill("us-east-1")
        page.get_by_label("Amazon S3 Access Key ID").fill(S3_KEY)
        page.get_by_label("Amazon S3 Secret Access Key").fill(S3_SECRET)
        page.get_by_label("Amazon S3 Endpoint").fill(f"127.0.0.1:{port}")
        setting(page, "FileSettings.AmazonS3SSL").get_by_label("False").check()
        page.get_by_role("button", name="Test connection").click()
        page.get_by_role("status").filter(has_text="Connection successful.").wait_for()
        shot(page, "console-s3-ok")
        page.get_by_label("Amazon S3 Bucket").fill("no-such-bucket")
        page.get_by_role("button", name="Test connection").click()
        page.get_by_role("alert").filter(has_text="does not exist").wait_for()
        with chinwag.api(chinwag.login("admin")) as c:  # testing saved nothing
            assert c.get("/config").json()["FileSettings"]["DriverName"] == "local"
    finally:
        moto.stop()


def test_ldap_test_and_synchronize_buttons(browser: Any, chinwag: ServerProcess) -> None:
    from tests.sso.slapd import Slapd, ensure_slapd

    if not ensure_slapd():
        pytest.skip("slapd is missing and cannot be installed here")
    slapd = Slapd().start()
    try:
        page = new_page(browser)
        open_console(page, chinwag)
        go(page, "AD/LDAP")
        setting(page, "LdapSettings.Enable").get_by_label("True").check()
        for label, value in (("AD/LDAP Server", "127.0.0.1"), ("AD/LDAP Port", str(slapd.port)),
                             ("Base DN", slapd.settings()["BaseDN"]), ("Bind Username", slapd.settings()["BindUsername"]),
                             ("Bind Password", slapd.settings()["BindPassword"]), ("ID Attribute", "uidNumber"),
                             ("Login ID Attribute", "uid"), ("Username Attribute", "uid"), ("Email Attribute", "mail")):
            page.get_by_label(label, exact=True).fill(value)
        assert page.get_by_role("button", name="AD/LDAP Test").is_disabled()  # unsaved: the buttons use the saved settings
        page.get_by_role("button", name="Save").click()
        page.get_by_role("status").filter(has_text="Settings saved.").wait_for()
        page.get_by_role("button", name="AD/LDAP Test").click()
        page.get_by_role("status").filter(has_text="AD/LDAP test successful.").wait_for()
        page.get_by_role("button", name="AD/LDAP Synchronize Now").click()
        page.get_by_role("status").filter(has_text="AD/LDAP synchronization done.").wait_for()
        shot(page, "console-ldap")
    finally:
        slapd.stop()
        with chinwag.api(chinwag.login("admin")) as c:  # the other tests sign in with passwords
            assert c.put("/config/patch", json={"LdapSettings": {"Enable": False}}).status_code == 200


def test_user_page_role_password_sessions_and_teams(browser: Any, chinwag: ServerProcess) -> None:
    admin = chinwag.login("admin")
    dora = chinwag.create_user("dora", admin_token=admin)
    dora_token = chinwag.login("dora")
    page = new_page(browser)
    open_console(page, chinwag)
    page.goto(chinwag.url + f"/admin_console/user_management/user/{dora['id']}")
    page.get_by_role("heading", name="Users › @dora", level=1).wait_for()

    page.get_by_role("button", name="Manage role").click()
    dialog = page.get_by_role("dialog", name="Manage role")
    dialog.get_by_label("System Admin").check()
    dialog.get_by_role("button", name="Save").click()
    page.get_by_role("status").filter(has_text="The role was changed.").wait_for()
    with chinwag.api(admin) as c:
        assert "system_admin" in c.get(f"/users/{dora['id']}").json()["roles"]

    page.get_by_role("button", name="Reset password").click()
    dialog = page.get_by_role("dialog", name="Reset password")
    dialog.get_by_label("New password").fill("brand-new-pass1")
    dialog.get_by_role("button", name="Set password").click()
    page.get_by_role("status").filter(has_text="The password was changed.").wait_for()
    assert chinwag.login("dora", "brand-new-pass1")

    page.get_by_role("button", name="Revoke sessions").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke sessions").click()
    page.get_by_role("status").filter(has_text="Every session was revoked.").wait_for()
    with chinwag.api(dora_token) as c:
        assert c.get("/users/me").status_code == 401

    page.get_by_label("Team to add the user to").select_option(label="Acme")
    page.get_by_role("button", name="Add to team").click()
    page.get_by_role("status").filter(has_text="Added to Acme.").wait_for()
    memberships = page.locator(".admin-list__item", has_text="Acme")
    memberships.wait_for()
    shot(page, "console-user-page")
    memberships.get_by_role("button", name="Remove").click()
    page.get_by_role("status").filter(has_text="Removed from Acme.").wait_for()
    page.get_by_text("Not in any team.").wait_for()
    assert not page.errors, page.errors


def test_oauth_provider_and_client_metrics_settings(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser, 1280, 1400)
    open_console(page, chinwag)
    go(page, "Integration Management")
    # dynamic client registration and its allowlist matter only while the provider is on
    assert setting(page, "ServiceSettings.EnableDynamicClientRegistration").get_by_role("radio", name="True").is_disabled()
    assert page.get_by_label("DCR Redirect URI Allowlist").is_disabled()
    provider = setting(page, "ServiceSettings.EnableOAuthServiceProvider")
    provider.get_by_role("radio", name="True").check()
    dcr = setting(page, "ServiceSettings.EnableDynamicClientRegistration")
    dcr.get_by_role("radio", name="True").check()
    page.get_by_label("DCR Redirect URI Allowlist").fill("https://app.example.com/** http://localhost:*/cb")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").filter(has_text="Settings saved.").wait_for()
    shot(page, "console-integration-management-oauth")
    with chinwag.api(chinwag.login("admin")) as c:
        service = c.get("/config").json()["ServiceSettings"]
    assert service["EnableOAuthServiceProvider"] is True
    assert service["EnableDynamicClientRegistration"] is True
    assert service["DCRRedirectURIAllowlist"] == ["https://app.example.com/**", "http://localhost:*/cb"]

    go(page, "Performance Monitoring")
    client_metrics = setting(page, "MetricsSettings.EnableClientMetrics")
    assert client_metrics.get_by_role("radio", name="True").is_checked()  # chinwag's default
    assert client_metrics.get_by_role("radio", name="True").is_disabled()  # while monitoring is off
    setting(page, "MetricsSettings.Enable").get_by_role("radio", name="True").check()
    client_metrics.get_by_role("radio", name="False").check()
    assert page.get_by_label("Client Side User IDs").is_disabled()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").filter(has_text="Settings saved.").wait_for()
    shot(page, "console-performance-monitoring")
    with chinwag.api(chinwag.login("admin")) as c:
        metrics = c.get("/config").json()["MetricsSettings"]
        assert metrics["Enable"] is True and metrics["EnableClientMetrics"] is False
        # put back: other tests share the server
        service_back = {"EnableOAuthServiceProvider": False, "EnableDynamicClientRegistration": False, "DCRRedirectURIAllowlist": []}
        cfg = c.get("/config").json()
        cfg["ServiceSettings"].update(service_back)
        cfg["MetricsSettings"].update({"Enable": False, "EnableClientMetrics": True})
        assert c.put("/config", json=cfg).status_code == 200
    assert not page.errors, page.errors

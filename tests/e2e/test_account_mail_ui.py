"""The web UI's pages behind the server's account emails, end to end through a real SMTP server: "Forgot
password?" → reset mail → the emailed link sets a new password; the verification link (asked for again
from the login page) verifies the address and leads to sign-in; an emailed invitation's sign-up link
creates the account straight into the team; sign-in honours redirect_to."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, team_with
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    s = SmtpServer(Path(tmp_path_factory.mktemp("smtp"))).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def chinwag(smtp: SmtpServer) -> Iterator[ServerProcess]:
    srv = ServerProcess(
        MM_EMAILSETTINGS_SMTPSERVER="127.0.0.1",
        MM_EMAILSETTINGS_SMTPPORT=str(smtp.port),
        MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS="true",
        MM_EMAILSETTINGS_FEEDBACKEMAIL="noreply@example.com",
        MM_SERVICESETTINGS_ENABLEEMAILINVITATIONS="true",
    ).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    return team_with(chinwag, "olga", "pavel")


def mail_to(smtp: SmtpServer, address: str, after: int = 0) -> EmailMessage:
    """The first mail to ``address`` among those after the first ``after`` received."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with smtp.inbox.lock:
            for msg in smtp.inbox.messages[after:]:
                if msg["To"] == address:
                    return msg
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}: {[m['To'] for m in smtp.inbox.messages]}")


def link_in(msg: EmailMessage, prefix: str) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    text = str(part.get_content())
    found = re.search(re.escape(prefix) + r"\S+", text)
    assert found, text
    return found.group(0)


def test_password_reset_by_the_emailed_link(browser: Any, chinwag: ServerProcess, world: dict[str, Any],
                                            smtp: SmtpServer) -> None:
    page = new_page(browser)
    page.goto(chinwag.url + "/login")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_role("heading", name="Reset your password").wait_for()
    seen = len(smtp.inbox.messages)
    page.get_by_label("Email address").fill("olga@example.com")
    page.get_by_role("button", name="Send reset link").click()
    page.get_by_role("status").get_by_text("olga@example.com").wait_for()
    shot(page, "94-reset-password-sent")

    link = link_in(mail_to(smtp, "olga@example.com", seen), chinwag.url + "/reset_password_complete?token=")
    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.get_by_label("New password", exact=True).fill("brand-new-pass")
    page.get_by_label("New password again").fill("not-the-same")
    page.get_by_role("button", name="Change password").click()
    page.get_by_role("alert").get_by_text("The passwords do not match.").wait_for()
    page.get_by_label("New password again").fill("brand-new-pass")
    shot(page, "95-reset-password-new")
    page.get_by_role("button", name="Change password").click()
    page.get_by_role("status").get_by_text("Your password is changed").wait_for()
    login(page, chinwag.url, "olga", "brand-new-pass")
    # the link is spent
    page2 = new_page(browser)
    page2.goto(link)
    page2.get_by_label("New password", exact=True).fill("another-pass1")
    page2.get_by_label("New password again").fill("another-pass1")
    page2.get_by_role("button", name="Change password").click()
    page2.get_by_role("alert").wait_for()
    assert not page.errors and not page2.errors, (page.errors, page2.errors)
    page.context.close()
    page2.context.close()


def test_email_verification_link(browser: Any, chinwag: ServerProcess, world: dict[str, Any], smtp: SmtpServer) -> None:
    with chinwag.api(world["admin"]) as c:
        r = c.put("/config/patch", json={"EmailSettings": {"RequireEmailVerification": True}})
        assert r.status_code == 200, r.text
    try:
        chinwag.create_user("dora", admin_token=world["admin"])
        page = new_page(browser)
        page.goto(chinwag.url + "/login")
        page.get_by_label("Email or username").fill("dora@example.com")
        page.get_by_label("Password").fill("password1")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("alert").wait_for()
        seen = len(smtp.inbox.messages)
        page.get_by_role("button", name="Send the verification email again").click()
        page.get_by_role("status").get_by_text("dora@example.com").wait_for()
        shot(page, "96-verify-resend")

        link = link_in(mail_to(smtp, "dora@example.com", seen), chinwag.url + "/do_verify_email?token=")
        page.goto(link)
        page.get_by_role("status").get_by_text("Your email address is verified").wait_for()
        assert page.url.startswith(chinwag.url + "/login")
        assert page.get_by_label("Email or username").input_value() == "dora@example.com"
        shot(page, "97-verified-sign-in")
        page.get_by_label("Password").fill("password1")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/select_team")  # signed in; dora is in no team yet
        with chinwag.api(world["admin"]) as c:
            assert c.get("/users/username/dora").json()["email_verified"] is True
        # a spent link says so and offers a new one
        page.goto(link)
        page.get_by_role("alert").wait_for()
        page.get_by_role("button", name="Send a new link").wait_for()
        assert not page.errors, page.errors
        page.context.close()
    finally:
        with chinwag.api(world["admin"]) as c:
            c.put("/config/patch", json={"EmailSettings": {"RequireEmailVerification": False}})


def test_invitation_signup_joins_the_team(browser: Any, chinwag: ServerProcess, world: dict[str, Any],
                                          smtp: SmtpServer) -> None:
    seen = len(smtp.inbox.messages)
    with chinwag.api(chinwag.login("olga", "brand-new-pass")) as c:
        r = c.post(f"/teams/{world['team']['id']}/invite/email", json=["quinn@example.com"])
        assert r.status_code == 200, r.text
    link = link_in(mail_to(smtp, "quinn@example.com", seen), chinwag.url + "/signup_user_complete/?")
    page = new_page(browser)
    page.goto(link)
    page.get_by_role("heading", name="Join Acme").wait_for()
    assert page.get_by_label("Email address").input_value() == "quinn@example.com"
    page.get_by_label("Username").fill("quinn")
    page.get_by_label("Password").fill("password1")
    shot(page, "98-invitation-signup")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Town Square", level=1).wait_for()
    assert page.url.endswith("/acme/channels/town-square")
    with chinwag.api(world["admin"]) as c:
        quinn = c.get("/users/username/quinn").json()
        members = c.get(f"/teams/{world['team']['id']}/members").json()
    assert quinn["id"] in {m["user_id"] for m in members} and quinn["email_verified"] is True
    assert not page.errors, page.errors
    page.context.close()


def test_sign_in_honours_redirect_to(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    # an app page asked for while signed out comes back after sign-in, query and all
    page.goto(chinwag.url + "/acme/channels/off-topic?x=1")
    page.wait_for_url("**/login?redirect_to=*")
    assert "redirect_to=%2Facme%2Fchannels%2Foff-topic%3Fx%3D1" in page.url
    page.get_by_label("Email or username").fill("pavel")
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Off-Topic", level=1).wait_for()
    # a server page (an OAuth authorization request) is loaded from the server after sign-in
    page.context.clear_cookies()
    page.goto(chinwag.url + "/login?redirect_to=" + "%2Fapi%2Fv4%2Fsystem%2Fping%3Fformat%3Dold")
    page.get_by_label("Email or username").fill("pavel")
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/api/v4/system/ping?format=old")
    assert '"status":"OK"' in page.content().replace(" ", "")
    # signed in already, the login page goes straight on
    page.goto(chinwag.url + "/login?redirect_to=%2Facme%2Fchannels%2Ftown-square")
    page.get_by_role("heading", name="Town Square", level=1).wait_for()
    assert page.url == chinwag.url + "/acme/channels/town-square"
    assert not page.errors, page.errors
    page.context.close()

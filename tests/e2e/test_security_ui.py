"""The web UI under its own security headers (#19 finding 3): it signs in, loads a channel and posts with
the Content-Security-Policy enforced (no violation, no page error), and another site cannot frame it."""

from __future__ import annotations

from typing import Any

from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import composer, login, new_page, team_with


def test_ui_runs_under_its_content_security_policy(browser: Any, chinwag: ServerProcess) -> None:
    team_with(chinwag, "carol")
    page = new_page(browser, enforce_csp=True)
    try:
        login(page, chinwag.url, "carol")
        page.get_by_role("heading", name="Town Square", exact=True, level=1).wait_for()
        box = composer(page)
        box.fill("works under the CSP")
        box.press("Enter")
        page.locator(".post-list article.post", has_text="works under the CSP").wait_for()
        assert page.csp_violations == [], page.csp_violations  # type: ignore[attr-defined]
        assert page.errors == [], page.errors  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_another_site_cannot_frame_the_ui(browser: Any, chinwag: ServerProcess) -> None:
    page = new_page(browser, enforce_csp=True)
    try:
        page.set_content(f'<iframe id="f" src="{chinwag.url}/login" width="600" height="400"></iframe>')
        page.wait_for_timeout(1500)
        framed = [f for f in page.frames if f != page.main_frame]
        assert framed, "no frame"
        # the browser refused to render it: nothing of the sign-in page is there
        assert framed[0].locator("input").count() == 0
    finally:
        page.context.close()

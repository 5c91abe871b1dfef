"""What the tests of the *official* Mattermost web app share (test_official_webapp.py,
test_official_console.py): the build they need, the page that watches every API answer, and signing in.

chinwag serves the build named by ``CHINWAG_MM_WEBAPP_DIR`` (the ``client`` directory of a Mattermost web
app build, with ``root.html``) at ``/``; without one the tests are skipped (CI builds none: a webpack
build of thousands of modules is too heavy for it). See docs/configuration.md for the releases checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, _ensure_chromium
from tests.e2e.server import ServerProcess

BUILD = os.environ.get("CHINWAG_MM_WEBAPP_DIR", "")

#: the module marks of every official web app test
MARKS = [
    pytest.mark.e2e,
    pytest.mark.skipif(not BUILD or not (Path(BUILD) / "root.html").is_file(),
                       reason="needs CHINWAG_MM_WEBAPP_DIR: the client directory of a Mattermost web app build "
                              "(with root.html); CI does not build one"),
]

TIMEOUT = 30_000  # ms; the web app's first load parses several MB of JavaScript on a busy machine


def server() -> ServerProcess:
    """A chinwag serving the official build at ``/``."""
    return ServerProcess(MM_SERVICESETTINGS_WEBAPPDIRECTORY=BUILD).start()


def sign_in(page: Any, srv: ServerProcess, login: str = "root", landing: str = r"/acme/channels/|/select_team") -> None:
    """Through the web app's own login page (the ids of Mattermost 6/7 and of 8 and later)."""
    page.goto(srv.url + "/login")
    page.locator("#loginId, #input_loginId").fill(login)
    page.locator("#loginPassword, #input_password-input").fill("password1")
    page.locator("#loginButton, #saveSetting").first.click()
    page.wait_for_url(re.compile(landing))


@contextmanager
def watched_page(srv: ServerProcess, then: Callable[[Any], None] | None = None) -> Iterator[Any]:
    """A Chromium page signed in as ``root``, recording every API answer that is a 404 or a 5xx
    (``page.api_failures``) and every page error (``page.errors``); ``then(page)`` runs after signing in."""
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        pg = b.new_context(viewport={"width": 1400, "height": 900}).new_page()
        pg.set_default_timeout(TIMEOUT)
        pg.api_failures = []
        pg.errors = []

        def watch(r: Any) -> None:
            if "/api/v4/" in r.url and (r.status == 404 or r.status >= 500):
                pg.api_failures.append(f"{r.request.method} {r.url} -> {r.status}")

        pg.on("response", watch)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        sign_in(pg, srv)
        if then is not None:
            then(pg)
        try:
            yield pg
        finally:
            b.close()


def clean(page: Any) -> None:
    """No API answer was a 404 or a 5xx, and no page error happened."""
    assert page.api_failures == [], page.api_failures
    assert page.errors == [], page.errors

"""Playwright (Python) driving Debian's Chromium against a real `chinwag serve` process.

Chromium is installed with apt when missing (the test machine runs as root); Playwright's own
browser download is never used. The web UI is built first when its output is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.server import ROOT, ServerProcess

# Playwright's expect() waits 5 s by default; give it the pages' timeout (tests/e2e/test_webapp.py's
# TIMEOUT), as a busy 2-core CI machine can take longer than that to show a change.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("CHINWAG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
STATIC_INDEX = ROOT / "src" / "chinwag" / "web" / "static" / "index.html"


#: a CJK font, so screenshots of Chinese/Japanese/Korean messages show glyphs rather than boxes
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _ensure_chromium() -> None:
    if Path(CHROMIUM).exists() and CJK_FONT.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "chromium", "fonts-noto-color-emoji",
                    "fonts-wqy-microhei"],
                   check=True, env=env, capture_output=True)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} does not exist")


def _ensure_ui() -> None:
    if not (ROOT / "webapp" / "package.json").exists():
        pytest.fail("webapp/ is missing")
    subprocess.run(["make", "--no-print-directory", "-C", str(ROOT / "webapp"), "build"], check=True)
    assert STATIC_INDEX.exists()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Any]:
    """Playwright's sync API, once Chromium is there and the UI built."""
    _ensure_chromium()
    _ensure_ui()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session: Any) -> Iterator[Any]:
    b = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
    yield b
    b.close()


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    yield srv
    srv.stop()


def shot(page: Any, name: str) -> None:
    """Saves a screenshot in test-artifacts/ for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

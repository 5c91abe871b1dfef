"""Link previews in the web UI: a message with a link to a page (a loopback server with OpenGraph tags) shows
the server's `opengraph` embed as a card — site, title, description and image — for its author at once and,
live, for the others; a link without a preview shows none."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, open_channel, post_by_text, send, team_with

pytestmark = pytest.mark.e2e

PAGE = """<!DOCTYPE html><html><head>
<meta property="og:site_name" content="Loopback News">
<meta property="og:title" content="Release 2.0 is out">
<meta property="og:description" content="Faster search, dark theme and link previews &amp; more.">
<meta property="og:image" content="http://127.0.0.1:{port}/og.png">
<title>Release 2.0</title></head><body><p>Hello</p></body></html>"""


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 120), (28, 88, 217)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    png = _png()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            port = self.server.server_address[1]
            if self.path == "/article":
                body, kind = PAGE.format(port=port).encode(), "text/html; charset=utf-8"
            elif self.path == "/og.png":
                body, kind = png, "image/png"
            elif self.path == "/plain":
                body, kind = b"<html><body>no tags</body></html>", "text/html"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    # the page is on loopback: the outbound guard lets it through only when told to
    srv = ServerProcess(MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS="127.0.0.1",
                        MM_SERVICESETTINGS_ENABLELINKPREVIEWS="true").start()
    yield srv
    srv.stop()


def test_link_preview_card(browser: Any, chinwag: ServerProcess, site: str) -> None:
    team_with(chinwag, "alice", "bob")
    alice, bob = new_page(browser), new_page(browser)
    login(alice, chinwag.url, "alice")
    login(bob, chinwag.url, "bob")
    open_channel(alice, "Town Square")
    open_channel(bob, "Town Square")
    send(alice, f"Read this: {site}/article")
    for page in (alice, bob):
        card = post_by_text(page, "Read this").get_by_test_id("link-preview")
        card.get_by_text("Loopback News").wait_for()
        link = card.get_by_role("link", name="Release 2.0 is out")
        assert link.get_attribute("href") == f"{site}/article"
        assert link.get_attribute("target") == "_blank" and "noopener" in (link.get_attribute("rel") or "")
        card.get_by_text("Faster search, dark theme and link previews & more.").wait_for()
        page.wait_for_function(
            "() => { const i = document.querySelector('[data-testid=link-preview] img'); return i && i.complete && i.naturalWidth === 120; }")
    shot(alice, "95-link-preview")
    # after a reload the preview comes from the server's store (not fetched again)
    bob.reload()
    post_by_text(bob, "Read this").get_by_test_id("link-preview").get_by_text("Release 2.0 is out").wait_for()
    # a page without OpenGraph tags has no card
    send(alice, f"No card for {site}/plain")
    post_by_text(alice, "No card for").wait_for()
    alice.wait_for_timeout(500)
    assert post_by_text(alice, "No card for").get_by_test_id("link-preview").count() == 0
    for page in (alice, bob):
        assert not page.errors, page.errors
        page.context.close()

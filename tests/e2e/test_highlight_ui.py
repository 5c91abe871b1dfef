"""Code blocks in the web UI are highlighted, the highlighter and each language's grammar loaded only
when a block in that language is shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import new_page, team_with

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    yield srv
    srv.stop()


def test_code_blocks_are_highlighted_lazily(browser: Any, chinwag: ServerProcess) -> None:
    w = team_with(chinwag, "nina")
    with chinwag.api(w["admin"]) as c:
        town = c.get(f"/teams/{w['team']['id']}/channels/name/town-square").json()
        off = c.get(f"/teams/{w['team']['id']}/channels/name/off-topic").json()
        c.post("/posts", json={"channel_id": off["id"], "message": "no code here"})
        c.post("/posts", json={"channel_id": town["id"], "message":
                               "```python\ndef add(a, b):\n    return a + b  # <b>sum</b>\n```"})
        c.post("/posts", json={"channel_id": town["id"], "message": "```sql\nSELECT name FROM users;\n```"})
    page = new_page(browser)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(chinwag.url + "/acme/channels/off-topic")  # the login page brings her back there
    page.get_by_label("Email or username").fill("nina")
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("no code here").wait_for()
    assert not [u for u in requested if "/lowlight-" in u or "/python-" in u]
    page.get_by_role("navigation", name="Channels").get_by_role("link", name="Town Square").click()
    block = page.locator("pre.md-pre[data-lang='python'] code.hljs")
    block.wait_for()
    assert block.locator("span.hljs-keyword", has_text="def").count() == 1
    assert block.locator("span.hljs-comment").inner_text() == "# <b>sum</b>"  # markup stays text
    assert block.locator("b").count() == 0
    page.locator("pre.md-pre[data-lang='sql'] code.hljs span.hljs-keyword", has_text="SELECT").wait_for()
    assert any("/lowlight-" in u for u in requested) and any("/python-" in u for u in requested)
    assert not any("/rust-" in u for u in requested)
    shot(page, "90-code-highlighting")
    assert not page.errors, page.errors
    page.context.close()

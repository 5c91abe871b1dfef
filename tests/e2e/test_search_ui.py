"""The web UI's message search: the header box with its hints and the results panel, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import open_channel, page_for, team_with

pytestmark = pytest.mark.e2e


def _post(chinwag: ServerProcess, token: str, channel_id: str, message: str) -> None:
    with chinwag.api(token) as c:
        r = c.post("/posts", json={"channel_id": channel_id, "message": message})
        assert r.status_code == 201, r.text


def _channel(chinwag: ServerProcess, token: str, team_id: str, name: str, kind: str, members: list[str]) -> str:
    with chinwag.api(token) as c:
        r = c.post("/channels", json={"team_id": team_id, "name": name, "display_name": name.title(), "type": kind})
        assert r.status_code == 201, r.text
        cid = str(r.json()["id"])
        for uid in members:
            r = c.post(f"/channels/{cid}/members", json={"user_id": uid})
            assert r.status_code == 201, r.text
    return cid


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    w = team_with(chinwag, "erin", "frank")
    team_id = w["team"]["id"]
    erin = chinwag.login("erin")
    frank = chinwag.login("frank")
    with chinwag.api(erin) as c:
        r = c.get(f"/teams/{team_id}/channels/name/town-square")
        assert r.status_code == 200, r.text
        town = r.json()["id"]
    ops = _channel(chinwag, frank, team_id, "ops", "O", [w["users"]["erin"]["id"]])
    secret = _channel(chinwag, frank, team_id, "frank-secrets", "P", [])
    _post(chinwag, frank, secret, "secret redeployment of the vault")
    _post(chinwag, erin, town, "The redeployment finished at noon")
    _post(chinwag, frank, town, "明天下午在会议室开会，别迟到")
    _post(chinwag, frank, town, "<b>deploy</b> tags stay <img src=x onerror=alert(1)> text")
    _post(chinwag, erin, town, "nothing to see here")
    _post(chinwag, frank, ops, "Deploying the hotfix now")
    for i in range(25):
        _post(chinwag, erin, town, f"bulkword number {i}")
    return w


@pytest.fixture(scope="module")
def erin(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> Iterator[Any]:
    yield from page_for(browser, chinwag, "erin")


def _box(page: Any) -> Any:
    return page.get_by_role("combobox", name="Search messages")


def _search(page: Any, terms: str) -> Any:
    box = _box(page)
    box.fill(terms)
    box.press("Enter")
    panel = page.get_by_role("complementary", name="Search results")
    panel.wait_for()
    page.wait_for_function("!document.querySelector('.search-results[aria-busy=true]')")
    return panel


def test_hints_for_from_and_in(erin: Any) -> None:
    open_channel(erin, "Town Square")
    box = _box(erin)
    box.click()
    hints = erin.get_by_role("listbox", name="Search suggestions")
    hints.get_by_role("option", name=re.compile("^from:")).wait_for()
    hints.get_by_role("option", name=re.compile("^in:")).wait_for()
    hints.get_by_role("option", name=re.compile("^on:")).wait_for()
    shot(erin, "40-search-hints")
    box.press_sequentially("from:fr")
    hints.get_by_role("option", name=re.compile("@frank")).wait_for()
    shot(erin, "41-search-from-hint")
    box.press("Enter")  # completes, does not search yet
    assert box.input_value() == "from:frank "
    box.press_sequentially("in:op")
    hints.get_by_role("option", name=re.compile("^Ops")).wait_for()
    box.press("Tab")
    assert box.input_value() == "from:frank in:ops "
    # A private channel the searcher is not in is never offered.
    box.fill("in:frank")
    erin.wait_for_timeout(400)
    assert hints.get_by_role("option", name=re.compile("Frank-Secrets")).count() == 0
    box.press("Escape")
    box.fill("")


def test_substring_search_highlights_and_skips_others_private_channels(erin: Any) -> None:
    panel = _search(erin, "deploy")
    results = panel.locator("article.search-result")
    results.filter(has_text="Deploying the hotfix").wait_for()
    texts = results.all_inner_texts()
    assert any("The redeployment finished at noon" in t for t in texts), texts
    assert not any("vault" in t for t in texts), texts
    assert len(texts) == 3, texts
    marks = {m.lower() for m in panel.locator("mark.search-hl").all_inner_texts()}
    assert marks == {"deploy"}, marks
    redeploy = results.filter(has_text="The redeployment finished")
    assert redeploy.locator("mark").inner_text() == "deploy"
    # Channel, author and the HTML-looking message rendered as text.
    assert "Town Square" in redeploy.inner_text() and "erin" in redeploy.inner_text()
    html = results.filter(has_text="tags stay")
    assert html.locator("img").count() == 1  # the author's avatar only
    assert "<img src=x onerror=alert(1)>" in html.inner_text()
    shot(erin, "42-search-results-substring")
    assert not erin.errors


def test_cjk_search_highlights_the_phrase(erin: Any) -> None:
    panel = _search(erin, "会议室")
    result = panel.locator("article.search-result", has_text="明天下午")
    result.wait_for()
    assert result.locator("mark.search-hl").inner_text() == "会议室"
    assert panel.locator("article.search-result").count() == 1
    shot(erin, "43-search-results-cjk")


def test_paging_empty_state_and_filters(erin: Any) -> None:
    panel = _search(erin, "bulkword")
    results = panel.locator("article.search-result")
    results.nth(19).wait_for()
    assert results.count() == 20
    panel.get_by_role("button", name="Load more").click()
    results.nth(24).wait_for()
    assert results.count() == 25
    assert panel.get_by_role("button", name="Load more").count() == 0

    panel = _search(erin, "from:frank deploy")
    panel.locator("article.search-result", has_text="Deploying the hotfix").wait_for()
    assert panel.locator("article.search-result", has_text="finished at noon").count() == 0

    panel = _search(erin, "zzqxwv")
    panel.get_by_text("No results for “zzqxwv”").wait_for()
    shot(erin, "44-search-no-results")


def test_jump_opens_the_message_channel(erin: Any) -> None:
    open_channel(erin, "Town Square")
    panel = _search(erin, "hotfix")
    result = panel.locator("article.search-result", has_text="Deploying the hotfix")
    result.hover()
    result.get_by_role("button", name=re.compile("^Jump")).click()
    erin.get_by_role("heading", name="Ops", exact=True, level=1).wait_for()
    assert erin.url.endswith("/acme/channels/ops")
    erin.locator(".post-list article.post", has_text="Deploying the hotfix").wait_for()
    shot(erin, "45-search-jump")


def test_errors_are_shown_and_can_be_retried(erin: Any) -> None:
    error = {"id": "app.post.search.app_error", "message": "The search index is being rebuilt.",
             "detailed_error": "", "request_id": "x", "status_code": 503}
    erin.route("**/api/v4/teams/*/posts/search", lambda route: route.fulfill(status=503, json=error))
    _box(erin).fill("noon")
    _box(erin).press("Enter")
    alert = erin.get_by_role("complementary", name="Search results").get_by_role("alert")
    alert.get_by_text("The search index is being rebuilt.").wait_for()
    shot(erin, "47-search-error")
    erin.unroute("**/api/v4/teams/*/posts/search")
    alert.get_by_role("button", name="Try again").click()
    erin.locator("article.search-result", has_text="finished at noon").wait_for()
    assert erin.get_by_role("alert").count() == 0


def test_search_on_a_phone(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    from tests.e2e.test_webapp import login, new_page

    page = new_page(browser, 360, 740)
    try:
        login(page, chinwag.url, "erin")
        page.get_by_role("heading", name="Town Square", level=1).wait_for()
        page.locator(".search-box").click()
        box = _box(page)
        box.press_sequentially("from:er")
        page.get_by_role("option", name=re.compile("@erin")).wait_for()
        shot(page, "46-search-phone-hints")
        box.fill("redeployment")
        box.press("Enter")
        panel = page.get_by_role("complementary", name="Search results")
        panel.locator("article.search-result", has_text="finished at noon").wait_for()
        shot(page, "46-search-phone-results")
    finally:
        page.context.close()

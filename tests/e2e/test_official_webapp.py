"""The main app (not the System Console) of the *official* Mattermost web app against chinwag.

As tests/e2e/test_official_console.py: chinwag serves the build named by ``CHINWAG_MM_WEBAPP_DIR`` (its
``client`` directory, with ``root.html``) at ``/``, and the test is skipped without one (CI builds none).
A user signs in on the web app's own login page and does what a user does: finds the channels and a
direct message in the sidebar, posts, replies in a thread, reacts, uploads a file, searches, switches
teams, picks a theme in Settings → Display, sets a custom status and a profile picture. Each step is
checked in the page and in chinwag's API. Every API answer the web app gets is watched: none may be a 404
or a 5xx, and no page error may happen. See docs/configuration.md for the release it was run against.
Screenshots land in test-artifacts/official-webapp-*.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, shot
from tests.e2e.official import MARKS, clean, server, watched_page
from tests.e2e.server import ServerProcess

pytestmark = MARKS

MESSAGE = "hello from the official web app"


def poll(ok: Callable[[], Any], timeout: float = 30.0) -> Any:
    """``ok()``'s first true answer, polled until ``timeout`` seconds pass (then its last answer)."""
    deadline = time.monotonic() + timeout
    while True:
        got = ok()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


@pytest.fixture(scope="module")
def official() -> Iterator[ServerProcess]:
    srv = server()
    try:
        admin = srv.create_user("root")
        bob = srv.create_user("bob")
        token = srv.login("root")
        with srv.api(token) as c:
            for name in ("acme", "beta"):
                team = c.post("/teams", json={"name": name, "display_name": name.title(), "type": "O"})
                assert team.status_code == 201, team.text
                r = c.post(f"/teams/{team.json()['id']}/members", json={"team_id": team.json()["id"],
                                                                         "user_id": bob["id"]})
                assert r.status_code == 201, r.text
            dm = c.post("/channels/direct", json=[admin["id"], bob["id"]])
            assert dm.status_code == 201, dm.text
        with srv.api(srv.login("bob")) as c:
            r = c.post("/posts", json={"channel_id": dm.json()["id"], "message": "hello root, from bob"})
            assert r.status_code == 201, r.text
        srv.token = token  # type: ignore[attr-defined]
        yield srv
    finally:
        srv.stop()


def skip_onboarding(pg: Any) -> None:
    """A new user gets the onboarding checklist over the bottom left of the page: skip it, as a user would."""
    pg.wait_for_url(re.compile(r"/acme/channels/"))
    skip = pg.get_by_text(re.compile("No thanks, I.ll figure it out myself"))
    skip.first.click()
    skip.first.wait_for(state="hidden")


@pytest.fixture(scope="module")
def page(official: ServerProcess) -> Iterator[Any]:
    with watched_page(official, then=skip_onboarding) as pg:
        yield pg


def api(srv: ServerProcess) -> Any:
    return srv.api(srv.token)  # type: ignore[attr-defined]


def town_square_posts(srv: ServerProcess) -> dict[str, Any]:
    with api(srv) as c:
        team = c.get("/teams/name/acme").json()
        channel = c.get(f"/teams/{team['id']}/channels/name/town-square").json()
        return dict(c.get(f"/channels/{channel['id']}/posts").json())


def root_post_id(srv: ServerProcess) -> str:
    posts = town_square_posts(srv)["posts"].values()
    return next(p["id"] for p in posts if p["message"] == MESSAGE)


def test_sidebar_shows_channels_and_direct_messages(page: Any) -> None:
    sidebar = page.locator("#SidebarContainer")
    sidebar.get_by_text("Town Square").first.wait_for()
    sidebar.get_by_text("Off-Topic").first.wait_for()
    sidebar.get_by_text("bob").first.wait_for()
    shot(page, "official-webapp-sidebar")
    clean(page)


def test_post_and_reply_in_a_thread(page: Any, official: ServerProcess) -> None:
    box = page.locator("#post_textbox")
    box.click()
    box.fill(MESSAGE)
    box.press("Enter")
    pid = poll(lambda: next((p["id"] for p in town_square_posts(official)["posts"].values()
                             if p["message"] == MESSAGE), None))
    shot(page, "official-webapp-post")
    assert pid, town_square_posts(official)
    page.locator(f"#post_{pid}", has_text=MESSAGE).first.wait_for()
    page.locator(f"#post_{pid}").hover()
    page.locator(f"#CENTER_commentIcon_{pid}").click()
    reply = page.locator("#reply_textbox")
    reply.fill("a reply in the thread")
    reply.press("Enter")
    page.locator(".ThreadViewer .post-message__text, #rhsContainer .post-message__text",
                 has_text="a reply in the thread").first.wait_for()
    shot(page, "official-webapp-thread")
    with api(official) as c:
        def two() -> Any:
            thread = c.get(f"/posts/{pid}/thread").json()
            return thread if len(thread["order"]) == 2 else None

        thread = poll(two)
        assert thread, c.get(f"/posts/{pid}/thread").json()
        replies = [p for p in thread["posts"].values() if p["root_id"] == pid]
        assert [p["message"] for p in replies] == ["a reply in the thread"]
    page.keyboard.press("Escape")
    clean(page)


def test_react_with_the_emoji_picker(page: Any, official: ServerProcess) -> None:
    pid = root_post_id(official)
    page.locator(f"#post_{pid}").hover()
    page.locator(f"#CENTER_reaction_{pid}").click()
    page.locator("#emojiPickerSearch").fill("thumbsup")
    page.keyboard.press("Enter")
    with api(official) as c:
        reactions = poll(lambda: c.get(f"/posts/{pid}/reactions").json())
        shot(page, "official-webapp-reaction")
        assert [r["emoji_name"] for r in reactions] == ["+1"], reactions
    page.locator(f"#post_{pid} .Reaction").first.wait_for()  # 11.x: class Reaction (was post-reaction)
    clean(page)


def test_upload_a_file(page: Any, official: ServerProcess, tmp_path: Path) -> None:
    f = tmp_path / "notes-from-the-webapp.txt"
    f.write_text("some file content\n")
    page.locator("#fileUploadInput").first.set_input_files(str(f))
    page.locator(".file-preview__container").first.wait_for()
    box = page.locator("#post_textbox")
    send = page.locator('[data-testid="SendMessageButton"]:not([disabled])')
    send.wait_for()
    box.click()
    box.press("Enter")
    page.get_by_text("notes-from-the-webapp.txt").first.wait_for()
    shot(page, "official-webapp-upload")
    with api(official) as c:
        post = poll(lambda: next((p for p in town_square_posts(official)["posts"].values() if p.get("file_ids")),
                                 None))
        assert post, town_square_posts(official)
        info = c.get(f"/files/{post['file_ids'][0]}/info").json()
        assert info["name"] == "notes-from-the-webapp.txt"
        assert c.get(f"/files/{post['file_ids'][0]}").content == b"some file content\n"
    clean(page)


def test_search_finds_the_post(page: Any) -> None:
    page.locator("#searchFormContainer").click()
    field = page.locator("#searchBox input, #searchBox textarea").first
    field.fill("official")
    field.press("Enter")
    page.locator("#searchContainer .post-message__text", has_text=MESSAGE).first.wait_for()
    shot(page, "official-webapp-search")
    page.keyboard.press("Escape")
    clean(page)


def test_switch_teams(page: Any) -> None:
    page.locator("#teamSidebarWrapper a[href='/beta']").first.click()
    page.wait_for_url(re.compile(r"/beta/channels/"))
    page.locator("#SidebarContainer").get_by_text("Town Square").first.wait_for()
    shot(page, "official-webapp-team-beta")
    clean(page)


def test_theme_in_display_settings(page: Any, official: ServerProcess) -> None:
    page.get_by_role("button", name=re.compile("^Settings$")).first.click()
    page.locator("#displayButton").click()
    page.locator("#themeEdit").click()
    page.locator("#premadeThemeOnyx").click()
    with page.expect_response(lambda r: "/preferences" in r.url and r.request.method == "PUT") as saved:
        page.locator("#saveSetting").click()
    assert saved.value.status == 200, saved.value.text()
    shot(page, "official-webapp-theme")
    with api(official) as c:
        prefs = c.get("/users/me/preferences/theme").json()
        assert any('"Onyx"' in p["value"] for p in prefs), prefs
    page.keyboard.press("Escape")
    clean(page)


def test_custom_status(page: Any, official: ServerProcess) -> None:
    page.locator("#userAccountMenuButton").click()
    page.get_by_role("menuitem", name=re.compile("Set custom status")).first.click()
    page.locator("#custom_status_modal").get_by_placeholder("Set a status").fill("In the official app")
    page.get_by_role("button", name=re.compile("Set Status")).click()
    with api(official) as c:
        status = poll(lambda: "In the official app" in ((c.get("/users/me").json().get("props") or {})
                                                         .get("customStatus") or ""))
        assert status, c.get("/users/me").json()
    shot(page, "official-webapp-custom-status")
    clean(page)


def test_profile_picture(page: Any, official: ServerProcess) -> None:
    page.locator("#userAccountMenuButton").click()
    page.get_by_role("menuitem", name=re.compile("Profile")).first.click()
    page.locator("#pictureEdit").click()
    picture = ROOT / "docs" / "screenshots" / "official-console-users.png"
    page.locator("input[data-testid='uploadPicture']").set_input_files(str(picture))
    with page.expect_response(lambda r: r.url.endswith("/image") and r.request.method == "POST") as saved:
        page.locator("[data-testid='saveSettingPicture']").click()
    assert saved.value.status == 200, saved.value.text()
    with api(official) as c:
        assert c.get("/users/me").json()["last_picture_update"] > 0
    shot(page, "official-webapp-profile-picture")
    page.keyboard.press("Escape")
    clean(page)

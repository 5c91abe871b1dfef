"""What people expect of a chat client's message box and messages: the formatting toolbar and its
shortcuts, the emoji picker's skin tones and recently used emoji (Mattermost's preferences, kept on the
server), `:emoji:` autocomplete, and the hover actions: mark as unread and save (listed under "Saved messages")
among reply, react, copy link, pin, edit and delete."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import composer, login, new_page, open_channel, post_by_text, send, team_with

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    return team_with(chinwag, "alice", "bob")


@pytest.fixture(scope="module")
def alice(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> Iterator[Any]:
    page = new_page(browser)
    login(page, chinwag.url, "alice")
    open_channel(page, "Town Square")
    yield page
    assert not page.errors, page.errors
    page.context.close()


def _select_all(page: Any) -> None:
    composer(page).press("Control+a")


def _selected(page: Any, text: str) -> None:
    """Wait until the message box's selection is ``text`` (the toolbar puts it back after a frame)."""
    page.wait_for_function("(want) => { const t = document.querySelector('#composer textarea');"
                           " return t.value.slice(t.selectionStart, t.selectionEnd) === want; }", arg=text)


def test_emoji_table_is_fetched_on_first_use(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    """The emoji table is its own chunk: a channel with no :shortcode: and no reaction never fetches it; the
    picker does, once, and shows the emoji when it is there."""
    page = new_page(browser)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/assets/emoji_data-" in r.url else None)
    login(page, chinwag.url, "bob")
    open_channel(page, "Off-Topic")
    composer(page).wait_for()
    page.wait_for_timeout(500)
    assert fetched == []
    page.locator("#composer").get_by_role("button", name="Insert emoji").click()
    picker = page.get_by_role("dialog", name="Emoji picker")
    picker.locator('[data-emoji="heart_eyes"]').wait_for()
    assert len(fetched) == 1, fetched
    picker.get_by_placeholder("Search emoji").press("Escape")
    page.locator("#composer").get_by_role("button", name="Insert emoji").click()
    page.get_by_role("dialog", name="Emoji picker").locator('[data-emoji="heart_eyes"]').wait_for()
    assert len(fetched) == 1, fetched
    assert not page.errors, page.errors
    page.context.close()


def test_formatting_toolbar_and_shortcuts(alice: Any) -> None:
    box = composer(alice)
    bar = alice.get_by_role("toolbar", name="Formatting").first
    box.fill("ship it")
    _select_all(alice)
    bar.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("**ship it**")
    _selected(alice, "ship it")
    # the selection stays on the words: a second click takes the bold off again
    bar.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("ship it")
    _selected(alice, "ship it")
    box.press("Control+i")
    expect(box).to_have_value("*ship it*")
    box.press("End")
    box.type(" on Friday")
    shot(alice, "80-format-toolbar")
    box.press("Enter")
    post = post_by_text(alice, "on Friday")
    post.locator(".post__message em", has_text="ship it").wait_for()

    box.fill("tests pass\ndocs written")
    _select_all(alice)
    bar.get_by_role("button", name="Bulleted list").click()
    expect(box).to_have_value("- tests pass\n- docs written")
    box.press("Enter")
    post_by_text(alice, "docs written").locator(".post__message li", has_text="tests pass").wait_for()

    box.fill("they said so")
    _select_all(alice)
    bar.get_by_role("button", name="Quote").click()
    box.press("Enter")
    post_by_text(alice, "they said so").locator(".post__message blockquote").wait_for()

    box.fill("the docs")
    box.press("Control+a")
    box.press("Control+Alt+k")
    expect(box).to_have_value("[the docs](url)")
    # "url" is selected: typing replaces it
    _selected(alice, "url")
    box.type("https://example.com/docs")
    expect(box).to_have_value("[the docs](https://example.com/docs)")
    box.press("Enter")
    link = post_by_text(alice, "the docs").get_by_role("link", name="the docs")
    assert link.get_attribute("href") == "https://example.com/docs"

    box.fill("make test")
    _select_all(alice)
    bar.get_by_role("button", name="Code").click()
    box.press("Enter")
    post_by_text(alice, "make test").locator(".post__message code", has_text="make test").wait_for()


def test_emoji_skin_tone_and_recent_emoji(alice: Any, chinwag: ServerProcess) -> None:
    box = composer(alice)
    box.fill("agreed ")
    alice.locator("#composer").get_by_role("button", name="Insert emoji").click()
    picker = alice.get_by_role("dialog", name="Emoji picker")
    picker.get_by_role("radio", name="Skin tone 4").click()
    picker.get_by_role("radio", name="Skin tone 4", checked=True).wait_for()
    picker.get_by_placeholder("Search emoji").fill("+1")
    picker.locator('[data-emoji="+1_medium_skin_tone"]').wait_for()
    shot(alice, "81-emoji-skin-tone")
    picker.locator('[data-emoji="+1_medium_skin_tone"]').click()
    expect(box).to_have_value("agreed :+1_medium_skin_tone: ")
    box.press("Enter")
    post_by_text(alice, "agreed").locator(".post__message", has_text="👍🏽").wait_for()
    # the picker opens with it under "Recently used"; the tone stays
    alice.locator("#composer").get_by_role("button", name="Insert emoji").click()
    picker = alice.get_by_role("dialog", name="Emoji picker")
    picker.get_by_text("Recently used").wait_for()
    first = picker.get_by_role("option").first
    assert first.get_attribute("data-emoji") == "+1_medium_skin_tone"
    assert picker.locator('[data-emoji="wave_medium_skin_tone"]').count() == 1
    shot(alice, "82-emoji-recent")
    picker.get_by_placeholder("Search emoji").press("Escape")
    # both are preferences on the server, as Mattermost's apps keep them
    with chinwag.api(chinwag.login("alice")) as c:
        prefs = c.get("/users/me/preferences").json()
    by = {(p["category"], p["name"]): p["value"] for p in prefs}
    assert by[("emoji", "emoji_skintone")] == "1F3FD"
    me = next(p["user_id"] for p in prefs)
    assert '"+1_medium_skin_tone"' in by[("recent_emojis", me)]


def test_emoji_autocomplete(alice: Any) -> None:
    box = composer(alice)
    box.fill("")
    box.type("launch :tad")
    alice.get_by_role("option", name=re.compile(":tada:")).wait_for()
    shot(alice, "83-emoji-autocomplete")
    box.press("Enter")
    expect(box).to_have_value("launch :tada: ")
    box.press("Enter")
    post_by_text(alice, "launch").locator(".post__message", has_text="🎉").wait_for()


def test_message_actions_mark_unread_and_save(browser: Any, alice: Any, chinwag: ServerProcess,
                                               world: dict[str, Any]) -> None:
    with chinwag.api(chinwag.login("bob")) as c:
        town = c.get(f"/teams/{world['team']['id']}/channels/name/town-square").json()
        for text in ("bob: first news", "bob: second news", "bob: third news"):
            assert c.post("/posts", json={"channel_id": town["id"], "message": text}).status_code == 201
    post = post_by_text(alice, "bob: second news")
    post.hover()
    actions = post.get_by_role("toolbar", name="Message actions")
    for name in ("React with +1", "Add a reaction", "Reply in thread"):
        actions.get_by_role("button", name=name).wait_for()
    actions.get_by_role("button", name="More actions").click()
    menu = alice.get_by_role("menu")
    for item in ("Reply", "Mark as unread", "Save", "Pin to channel", "Copy link"):
        menu.get_by_role("menuitem", name=item, exact=True).wait_for()
    shot(alice, "84-message-actions")
    menu.get_by_role("menuitem", name="Save", exact=True).click()
    post.locator(".post__saved", has_text="Saved").wait_for()
    # the channel header's "Saved messages" lists it
    alice.get_by_role("button", name="Saved messages").click()
    saved = alice.get_by_role("complementary", name="Saved messages")
    saved.get_by_text("bob: second news").wait_for()
    shot(alice, "86-saved-messages")
    saved.get_by_role("button", name="Close").first.click()
    saved.wait_for(state="detached")

    post.hover()
    actions.get_by_role("button", name="More actions").click()
    alice.get_by_role("menuitem", name="Mark as unread").click()
    # Town Square is unread again from that post on: in the sidebar and on the server
    nav = alice.get_by_role("navigation", name="Channels")
    nav.locator(".sidebar__item.is-unread", has_text="Town Square").wait_for()
    alice.wait_for_timeout(300)  # reading on (focus) leaves it unread
    assert nav.locator(".sidebar__item.is-unread", has_text="Town Square").count() == 1
    with chinwag.api(chinwag.login("alice")) as c:
        me = c.get("/users/me").json()
        member = c.get(f"/channels/{town['id']}/members/{me['id']}").json()
        prefs = c.get("/users/me/preferences").json()
        second = c.get(f"/channels/{town['id']}/posts").json()
    second_id = next(p["id"] for p in second["posts"].values() if p["message"] == "bob: second news")
    assert member["last_viewed_at"] < second["posts"][second_id]["create_at"]
    assert {"category": "flagged_post", "name": second_id, "value": "true", "user_id": me["id"]} in prefs
    shot(alice, "85-marked-unread")
    # opening the channel again reads it
    open_channel(alice, "Off-Topic")
    open_channel(alice, "Town Square")
    nav.locator(".sidebar__item.is-unread", has_text="Town Square").wait_for(state="detached")
    # own messages: edit and delete are there too; the saved mark can be taken off
    send(alice, "mine to edit")
    mine = post_by_text(alice, "mine to edit")
    mine.hover()
    mine.get_by_role("toolbar", name="Message actions").get_by_role("button", name="More actions").click()
    for item in ("Edit", "Delete", "Save", "Pin to channel", "Copy link"):
        alice.get_by_role("menuitem", name=item, exact=True).wait_for()
    alice.keyboard.press("Escape")
    post.hover()
    actions.get_by_role("button", name="More actions").click()
    alice.get_by_role("menuitem", name="Remove from saved").click()
    post.locator(".post__saved").wait_for(state="detached")

"""Sidebar categories in the web UI (on the categories API): create a category, move channels into it by
drag and drop and by the channel menu, reorder inside it, collapse it, reorder the categories, favourite
a channel, the unread filter, a change from another tab shown live — and all of it still there after a
reload."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, team_with, until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess) -> dict[str, Any]:
    w = team_with(chinwag, "nora")
    w["nora"] = chinwag.login("nora")
    with chinwag.api(w["nora"]) as c:
        for name in ("alpha", "beta", "gamma"):
            r = c.post("/channels", json={"team_id": w["team"]["id"], "name": name, "display_name": name.title(),
                                          "type": "O"})
            assert r.status_code == 201, r.text
            w[name] = r.json()["id"]
    return w


def categories(chinwag: ServerProcess, world: dict[str, Any]) -> dict[str, Any]:
    uid, tid = world["users"]["nora"]["id"], world["team"]["id"]
    with chinwag.api(world["nora"]) as c:
        r = c.get(f"/users/{uid}/teams/{tid}/channels/categories")
        assert r.status_code == 200, r.text
        return dict(r.json())


def settle_favorites(chinwag: ServerProcess, world: dict[str, Any], want: set[str]) -> None:
    """Waits until the saved ``favorite_channel`` preferences name exactly ``want`` (the UI moves the row
    at once and saves in the background)."""
    uid = world["users"]["nora"]["id"]
    deadline = time.monotonic() + 10
    while True:
        with chinwag.api(world["nora"]) as c:
            prefs = c.get(f"/users/{uid}/preferences/favorite_channel").json()
        if {p["name"] for p in prefs if p["value"] == "true"} == want:
            return
        assert time.monotonic() < deadline, prefs
        time.sleep(0.1)


def by_name(cats: dict[str, Any], name: str) -> dict[str, Any]:
    for c in cats["categories"]:
        if c["display_name"] == name:
            return dict(c)
    raise AssertionError(f"no category {name}: {cats}")


def settle(chinwag: ServerProcess, world: dict[str, Any], ok: Any) -> None:
    """Waits until the saved categories satisfy ``ok`` (the UI saves in the background)."""
    deadline = time.monotonic() + 10
    while not ok(categories(chinwag, world)):
        assert time.monotonic() < deadline, categories(chinwag, world)
        time.sleep(0.1)


def section_order(page: Any) -> list[str]:
    return [str(x) for x in page.locator("nav.sidebar section[data-category]").evaluate_all(
        "els => els.map(e => e.dataset.category)")]


def rows(page: Any, category: str) -> list[str]:
    return [str(x) for x in page.locator(f'nav.sidebar section[data-category="{category}"] [data-channel-row]').evaluate_all(
        "els => els.map(e => e.dataset.channelRow)")]


def wait_rows(page: Any, category: str, want: list[str]) -> None:
    """Waits until the category shows exactly ``want`` (a late echo of an earlier save may re-render it
    for a moment with the older list)."""
    page.wait_for_function("""([cat, want]) => [...document.querySelectorAll(`nav.sidebar section[data-category="${cat}"] [data-channel-row]`)]
        .map(e => e.dataset.channelRow).join() === want""", arg=[category, ",".join(want)])


def channel_menu(page: Any, channel: str, item: str) -> None:
    row = page.locator(f'[data-channel-row="{channel}"]')
    row.hover()
    row.get_by_role("button", name="Options for", exact=False).click()
    page.get_by_role("menuitem", name=item).click()


def test_categories_drag_and_drop_persist(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    login(page, chinwag.url, "nora")
    page.locator('section[data-category="channels"] [data-channel-row="alpha"]').wait_for()
    # an empty Favorites is not shown
    assert section_order(page) == ["channels", "direct_messages"]

    # a new category from the Channels "+" menu
    page.get_by_role("button", name="Add channels").click()
    page.get_by_role("menuitem", name="Create new category").click()
    dialog = page.get_by_role("dialog", name="Create new category")
    dialog.get_by_label("Category name").fill("Projects")
    dialog.get_by_role("button", name="Create").click()
    dialog.wait_for(state="hidden")
    page.locator('section[data-category="Projects"]').wait_for()
    assert section_order(page) == ["Projects", "channels", "direct_messages"]

    # beta dragged onto the new category's header; gamma moved there from its menu
    page.locator('[data-channel-row="beta"]').drag_to(page.locator('section[data-category="Projects"] .sidebar__section-head'))
    page.locator('section[data-category="Projects"] [data-channel-row="beta"]').wait_for()
    channel_menu(page, "gamma", "Move to Projects")
    wait_rows(page, "Projects", ["beta", "gamma"])
    settle(chinwag, world, lambda cats: set(by_name(cats, "Projects")["channel_ids"]) == {world["beta"], world["gamma"]})
    # gamma dragged above beta: the category keeps the order by hand
    page.locator('[data-channel-row="gamma"]').drag_to(page.locator('[data-channel-row="beta"]'), target_position={"x": 40, "y": 4})
    page.wait_for_function("""() => [...document.querySelectorAll('section[data-category="Projects"] [data-channel-row]')]
        .map(e => e.dataset.channelRow).join() === 'gamma,beta'""")
    shot(page, "90-sidebar-categories-dragged")
    settle(chinwag, world, lambda cats: by_name(cats, "Projects")["channel_ids"] == [world["gamma"], world["beta"]]
           and by_name(cats, "Projects")["sorting"] == "manual")
    assert world["beta"] not in by_name(categories(chinwag, world), "Channels")["channel_ids"]

    # the Direct Messages category dragged above Projects: the order is saved
    page.locator('section[data-category="direct_messages"] .sidebar__section-head').drag_to(
        page.locator('section[data-category="Projects"] .sidebar__section-head'))
    page.wait_for_function("""() => [...document.querySelectorAll('nav.sidebar section[data-category]')]
        .map(e => e.dataset.category).join() === 'direct_messages,Projects,channels'""")

    # favourite alpha from its menu; collapse Projects
    channel_menu(page, "alpha", "Add to Favorites")
    page.locator('section[data-category="favorites"] [data-channel-row="alpha"]').wait_for()
    page.get_by_role("button", name="Projects", exact=True).click()
    page.locator('section[data-category="Projects"] [data-channel-row="beta"]').wait_for(state="detached")
    assert page.get_by_role("button", name="Projects", exact=True).get_attribute("aria-expanded") == "false"
    shot(page, "91-sidebar-categories-collapsed")

    def order(cats: dict[str, Any]) -> list[str]:
        names = {c["id"]: c["display_name"] for c in cats["categories"]}
        return [names[i] for i in cats["order"]]
    settle(chinwag, world, lambda cats: by_name(cats, "Projects")["collapsed"] is True
           and order(cats) == ["Favorites", "Direct Messages", "Projects", "Channels"])
    settle_favorites(chinwag, world, {world["alpha"]})

    # all of it after a reload
    page.reload()
    page.locator('section[data-category="favorites"] [data-channel-row="alpha"]').wait_for()
    assert section_order(page) == ["favorites", "direct_messages", "Projects", "channels"]
    assert page.get_by_role("button", name="Projects", exact=True).get_attribute("aria-expanded") == "false"
    page.get_by_role("button", name="Projects", exact=True).click()
    wait_rows(page, "Projects", ["gamma", "beta"])
    shot(page, "92-sidebar-categories-after-reload")
    assert not page.errors, page.errors
    page.context.close()


def test_rename_delete_unread_filter_and_live_updates(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    hello: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: hello.append(str(f)) if '"hello"' in str(f) else None))
    login(page, chinwag.url, "nora")
    deadline = time.monotonic() + 15
    while not hello:
        assert time.monotonic() < deadline, "the WebSocket never said hello"
        page.wait_for_timeout(100)
    uid, tid = world["users"]["nora"]["id"], world["team"]["id"]
    # a category made elsewhere (another tab, the API) shows up live
    with chinwag.api(world["nora"]) as c:
        r = c.post(f"/users/{uid}/teams/{tid}/channels/categories",
                   json={"user_id": uid, "team_id": tid, "display_name": "Later", "type": "custom"})
        assert r.status_code in (200, 201), r.text
    page.locator('section[data-category="Later"]').wait_for()

    # rename it from its menu, then delete it
    page.locator('section[data-category="Later"] .sidebar__section-head').hover()
    page.locator('section[data-category="Later"]').get_by_role("button", name="Category options").click()
    page.get_by_role("menuitem", name="Rename category").click()
    dialog = page.get_by_role("dialog", name="Rename category")
    dialog.get_by_label("Category name").fill("Someday")
    dialog.get_by_role("button", name="Rename").click()
    page.locator('section[data-category="Someday"]').wait_for()
    # moved down one place from its menu (the keyboard's way to reorder)
    before = section_order(page)
    at = before.index("Someday")
    page.locator('section[data-category="Someday"]').get_by_role("button", name="Category options").click()
    page.get_by_role("menuitem", name="Move category down").click()
    expected = [*before[:at], before[at + 1], "Someday", *before[at + 2:]]
    page.wait_for_function("""(want) => [...document.querySelectorAll('nav.sidebar section[data-category]')]
        .map(e => e.dataset.category).join() === want""", arg=",".join(expected))
    page.locator('section[data-category="Someday"] .sidebar__section-head').hover()
    page.locator('section[data-category="Someday"]').get_by_role("button", name="Category options").click()
    page.get_by_role("menuitem", name="Delete category").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete category").click()
    page.locator('section[data-category="Someday"]').wait_for(state="detached")
    assert "Someday" not in {c["display_name"] for c in categories(chinwag, world)["categories"]}

    # the unread filter: only channels with something new (and the one open)
    with chinwag.api(world["admin"]) as c:
        r = c.post(f"/channels/{world['gamma']}/members", json={"user_id": c.get("/users/me").json()["id"]})
        assert r.status_code == 201, r.text
        assert c.post("/posts", json={"channel_id": world["gamma"], "message": "news"}).status_code == 201
    page.locator('[data-channel-row="gamma"] .sidebar__item.is-unread').wait_for()
    page.get_by_role("button", name="Unreads").click()
    assert page.get_by_role("button", name="Unreads").get_attribute("aria-pressed") == "true"
    page.locator('[data-channel-row="beta"]').wait_for(state="detached")
    page.locator('[data-channel-row="gamma"]').wait_for()
    shot(page, "93-sidebar-unread-filter")
    page.get_by_role("button", name="Unreads").click()
    page.locator('[data-channel-row="beta"]').wait_for()

    # muting a category mutes its channels (the server's doing), which show dimmed
    projects = page.get_by_role("button", name="Projects", exact=True)
    if projects.get_attribute("aria-expanded") == "false":
        projects.click()
    page.locator('section[data-category="Projects"]').get_by_role("button", name="Category options").click()
    page.get_by_role("menuitem", name="Mute category").click()
    page.locator('[data-channel-row="beta"] .sidebar__item.is-muted').wait_for()

    def beta_member() -> dict[str, Any]:
        with chinwag.api(world["nora"]) as c:
            return dict(c.get(f"/channels/{world['beta']}/members/{uid}").json())

    # the row dims at once (the category is muted in the UI before its save lands)
    member = until(beta_member, lambda m: m["notify_props"]["mark_unread"] == "mention")
    assert member["notify_props"]["mark_unread"] == "mention"
    shot(page, "93b-sidebar-muted-category")

    # sorted alphabetically from the category's menu, after being sorted by hand
    wait_rows(page, "Projects", ["gamma", "beta"])
    page.locator('section[data-category="Projects"]').get_by_role("button", name="Category options").click()
    page.get_by_role("menuitem", name="Sort alphabetically").click()
    page.wait_for_function("""() => [...document.querySelectorAll('section[data-category="Projects"] [data-channel-row]')]
        .map(e => e.dataset.channelRow).join() === 'beta,gamma'""")
    settle(chinwag, world, lambda cats: by_name(cats, "Projects")["sorting"] == "alpha")

    # unfavourited: back to Channels, and Favorites (empty) is gone
    channel_menu(page, "alpha", "Remove from Favorites")
    page.locator('section[data-category="channels"] [data-channel-row="alpha"]').wait_for()
    page.locator('section[data-category="favorites"]').wait_for(state="detached")
    settle_favorites(chinwag, world, set())
    assert not page.errors, page.errors
    page.context.close()


def focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement?.dataset.channel || document.activeElement?.id || ''"))


def test_keyboard_reorders_channels_and_categories(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    """What dragging does, without a mouse: Alt+Shift+↑/↓ on a focused channel moves it inside its category
    (the order becomes manual and is saved), the channel menu's "Move up"/"Move down" do the same, and
    Alt+Shift+↑/↓ on a category header moves the category; the focus stays on what moved."""
    uid, tid = world["users"]["nora"]["id"], world["team"]["id"]
    with chinwag.api(world["nora"]) as c:
        r = c.post(f"/users/{uid}/teams/{tid}/channels/categories",
                   json={"user_id": uid, "team_id": tid, "display_name": "Keys", "type": "custom",
                         "channel_ids": [world["alpha"], world["beta"], world["gamma"]]})
        assert r.status_code in (200, 201), r.text
        keys_id = r.json()["id"]
    page = new_page(browser)
    login(page, chinwag.url, "nora")
    page.locator('section[data-category="Keys"] [data-channel-row="gamma"]').wait_for()
    assert rows(page, "Keys") == ["alpha", "beta", "gamma"]

    alpha = page.locator('nav.sidebar a[data-channel="alpha"]')
    alpha.focus()
    assert alpha.get_attribute("aria-keyshortcuts") == "Alt+Shift+ArrowUp Alt+Shift+ArrowDown"
    page.keyboard.press("Alt+Shift+ArrowDown")
    page.wait_for_function("""() => [...document.querySelectorAll('section[data-category="Keys"] [data-channel-row]')]
        .map(e => e.dataset.channelRow).join() === 'beta,alpha,gamma'""")
    page.wait_for_function("() => document.activeElement?.dataset.channel === 'alpha'")
    page.keyboard.press("Alt+Shift+ArrowDown")
    page.wait_for_function("""() => [...document.querySelectorAll('section[data-category="Keys"] [data-channel-row]')]
        .map(e => e.dataset.channelRow).join() === 'beta,gamma,alpha'""")
    assert focused(page) == "alpha"
    # already last: nothing moves, and the key does not switch channels either
    url = page.url
    page.keyboard.press("Alt+Shift+ArrowDown")
    page.wait_for_timeout(200)
    assert rows(page, "Keys") == ["beta", "gamma", "alpha"] and page.url == url
    settle(chinwag, world, lambda cats: by_name(cats, "Keys")["channel_ids"] == [world["beta"], world["gamma"], world["alpha"]]
           and by_name(cats, "Keys")["sorting"] == "manual")

    # the channel menu's items, reached by keyboard too (the menu button, Enter, arrows)
    channel_menu(page, "alpha", "Move up")
    page.wait_for_function("""() => [...document.querySelectorAll('section[data-category="Keys"] [data-channel-row]')]
        .map(e => e.dataset.channelRow).join() === 'beta,alpha,gamma'""")
    channel_menu(page, "beta", "Move down")
    page.wait_for_function("""() => [...document.querySelectorAll('section[data-category="Keys"] [data-channel-row]')]
        .map(e => e.dataset.channelRow).join() === 'alpha,beta,gamma'""")
    settle(chinwag, world, lambda cats: by_name(cats, "Keys")["channel_ids"] == [world["alpha"], world["beta"], world["gamma"]])

    # a category header: Alt+Shift+↓ moves the category one place down, and the order is saved
    before = section_order(page)
    at = before.index("Keys")
    assert at + 1 < len(before), before
    header = page.locator(f"#sec-{keys_id}")
    header.focus()
    page.keyboard.press("Alt+Shift+ArrowDown")
    expected = [*before[:at], before[at + 1], "Keys", *before[at + 2:]]
    page.wait_for_function("""(want) => [...document.querySelectorAll('nav.sidebar section[data-category]')]
        .map(e => e.dataset.category).join() === want""", arg=",".join(expected))
    page.wait_for_function(f"() => document.activeElement?.id === 'sec-{keys_id}'")
    page.keyboard.press("Alt+Shift+ArrowUp")
    page.wait_for_function("""(want) => [...document.querySelectorAll('nav.sidebar section[data-category]')]
        .map(e => e.dataset.category).join() === want""", arg=",".join(before))

    def saved_order(cats: dict[str, Any]) -> list[str]:
        names = {c["id"]: (c["display_name"] if c["type"] == "custom" else c["type"]) for c in cats["categories"]}
        return [names[i] for i in cats["order"] if names[i] in before]
    settle(chinwag, world, lambda cats: saved_order(cats) == before)
    shot(page, "94-sidebar-keyboard-reorder")
    assert not page.errors, page.errors
    page.context.close()

"""Calls in the web UI, in Chromium with fake media devices (a beeping microphone, a fake screen): two
users start and join a call in a channel through the embedded SFU, see each other in the call bar, hear
each other (the call details' inbound audio bytes grow), raise a hand, share a screen, turn a camera on
(the other sees it play) and off, leave; the call
post turns into "Call ended"; a user who reloads the page is back in the call. Screenshot in
test-artifacts/calls.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page

pytestmark = pytest.mark.e2e

PLUGIN = "com.mattermost.calls"
MEDIA_FLAGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
               "--autoplay-policy=no-user-gesture-required", "--auto-select-desktop-capture-source=Entire screen"]


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    srv.create_user("admin")
    admin = srv.login("admin")
    srv.create_user("bob")
    srv.create_user("carol")
    with srv.api(admin) as c:
        team = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O"}).json()
        for name in ("bob", "carol"):
            user = c.get(f"/users/username/{name}").json()
            r = c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": user["id"]})
            assert r.status_code == 201, r.text
        r = c.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {"udpserveraddress": "127.0.0.1"}}}})
        assert r.status_code == 200, r.text
        r = c.post(f"/plugins/{PLUGIN}/enable")
        assert r.status_code == 200, r.text
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def media_browser(browser: Any) -> Iterator[Any]:
    """Chromium with fake microphone/camera/screen and no permission prompts."""
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", *MEDIA_FLAGS])
    yield b
    b.close()


def bar(page: Any) -> Any:
    return page.locator("section.call-bar")


def participant(page: Any, user_id: str) -> Any:
    return page.locator(f".call-bar__people li[data-user-id='{user_id}']")


def inbound_bytes(page: Any, kind: str = "audio") -> list[int]:
    rows = page.locator(f"table.call-details tr[data-direction='in'][data-kind='{kind}']")
    return [int(rows.nth(i).get_attribute("data-bytes") or 0) for i in range(rows.count())]


def wait_receiving(page: Any, kind: str = "audio") -> None:
    """Some inbound stream of that kind has bytes, and more a moment later."""
    page.wait_for_function(f"""() => [...document.querySelectorAll("table.call-details tr[data-direction='in'][data-kind='{kind}']")]
        .some((r) => Number(r.dataset.bytes) > 0)""", timeout=30000)
    before = max(inbound_bytes(page, kind))
    page.wait_for_function(f"""(before) => [...document.querySelectorAll("table.call-details tr[data-direction='in'][data-kind='{kind}']")]
        .some((r) => Number(r.dataset.bytes) > before)""", arg=before, timeout=30000)


def wait_receiving_from(page: Any, name: str) -> None:
    """An inbound audio stream that is ``name``'s voice (the call details name it from the media map) has
    bytes, and more a moment later."""
    rows = """(name) => [...document.querySelectorAll("table.call-details tr[data-direction='in'][data-kind='audio']")]
        .filter((r) => r.textContent.includes(' in ' + name)).map((r) => Number(r.dataset.bytes))"""
    page.wait_for_function(f"(name) => ({rows})(name).some((b) => b > 0)", arg=name, timeout=30000)
    before = max(page.evaluate(rows, name))
    page.wait_for_function(f"([name, before]) => ({rows})(name).some((b) => b > before)", arg=[name, before],
                           timeout=30000)


def test_two_users_call_in_a_channel(media_browser: Any, chinwag: ServerProcess) -> None:
    with chinwag.api(chinwag.login("admin")) as c:
        admin_id = c.get("/users/me").json()["id"]
        bob_id = c.get("/users/username/bob").json()["id"]
    a, b = new_page(media_browser), new_page(media_browser)
    try:
        login(a, chinwag.url, "admin")
        login(b, chinwag.url, "bob")
        for p in (a, b):
            p.goto(chinwag.url + "/acme/channels/town-square")
            p.get_by_role("button", name="Start call").wait_for()

        # admin starts the call: the call bar, the call post; bob's header turns into Join call
        a.get_by_role("button", name="Start call").click()
        a.locator("section.call-bar[data-status='connected']").wait_for()
        participant(a, admin_id).wait_for()
        b.locator("[data-call-post='live']").wait_for()
        b.get_by_role("button", name="Join call").first.click()
        b.locator("section.call-bar[data-status='connected']").wait_for()

        # each sees the other in the call
        for p in (a, b):
            participant(p, admin_id).wait_for()
            participant(p, bob_id).wait_for()
        assert participant(a, admin_id).locator(".pill", has_text="Host").count() == 1

        # both unmute; each hears the other (inbound audio bytes grow)
        for p in (a, b):
            p.get_by_role("button", name="Unmute").click()
            p.get_by_role("button", name="Mute", exact=True).wait_for()
        a.locator(f".call-bar__people li[data-user-id='{bob_id}'][data-unmuted='true']").wait_for()
        b.locator(f".call-bar__people li[data-user-id='{admin_id}'][data-unmuted='true']").wait_for()
        for p in (a, b):
            p.get_by_role("button", name="Call details").click()
            wait_receiving(p)
        # the call details name whose voice each stream is
        a.locator("table.call-details tr[data-direction='in'][data-kind='audio']", has_text="bob").wait_for()

        # a raised hand shows at the other side
        b.get_by_role("button", name="Raise hand").click()
        a.locator(f".call-bar__people li[data-user-id='{bob_id}'][data-hand='true']").wait_for()

        # admin shares the (fake) screen: bob sees it and receives video
        a.get_by_role("button", name="Share screen").click()
        a.get_by_role("button", name="Stop sharing").wait_for()
        b.locator("figure.call-screen", has_text="Screen of admin").locator("video").wait_for()
        wait_receiving(b, "video")
        shot(b, "calls")
        a.get_by_role("button", name="Stop sharing").click()
        b.locator("figure.call-screen").wait_for(state="detached")

        # bob turns his (fake) camera on: he sees his own preview, admin a playing tile of bob's camera
        b.get_by_role("button", name="Start video").click()
        b.get_by_role("button", name="Stop video").wait_for()
        b.get_by_label("Your camera").wait_for()
        tile = a.get_by_label("Camera of bob")
        tile.wait_for()
        a.wait_for_function("() => { const v = document.querySelector('figure.call-video video');"
                            " return v && v.videoWidth > 0 && v.currentTime > 0; }")
        wait_receiving(a, "video")
        shot(a, "calls-video")
        b.get_by_role("button", name="Stop video").click()
        tile.wait_for(state="detached")

        # the call bar stays while admin moves to another channel
        a.locator("nav.sidebar a.sidebar__item", has_text="Off-Topic").click()
        a.wait_for_url("**/acme/channels/off-topic")
        bar(a).wait_for()

        # bob leaves: admin's list drops him; admin leaves: the call ends and the post says so
        b.get_by_role("button", name="Leave").click()
        bar(b).wait_for(state="detached")
        participant(a, bob_id).wait_for(state="detached")
        a.get_by_role("button", name="Leave").click()
        bar(a).wait_for(state="detached")
        b.locator("[data-call-post='ended']", has_text="Call ended").wait_for()
        b.get_by_role("button", name="Start call").wait_for()
        assert a.errors == [] and b.errors == []  # type: ignore[attr-defined]
    finally:
        a.context.close()
        b.context.close()


def test_dm_call_rings_and_survives_a_dropped_socket(media_browser: Any, chinwag: ServerProcess) -> None:
    """A DM call rings the other user (decline stops it; a second call is answered from the notice); when
    the call's WebSocket drops, the app reconnects and says ``reconnect``: the session and its media go on."""
    with chinwag.api(chinwag.login("admin")) as c:
        admin_id = c.get("/users/me").json()["id"]
        bob_id = c.get("/users/username/bob").json()["id"]
        assert c.post("/channels/direct", json=[admin_id, bob_id]).status_code == 201
    a, b = new_page(media_browser), new_page(media_browser)
    sockets: list[tuple[Any, Any]] = []  # bob's WebSockets: (page side, server side)

    def through(ws: Any) -> None:
        sockets.append((ws, ws.connect_to_server()))

    b.route_web_socket("**/api/v4/websocket*", through)
    try:
        login(a, chinwag.url, "admin")
        login(b, chinwag.url, "bob")
        a.goto(chinwag.url + "/acme/messages/@bob")
        b.goto(chinwag.url + "/acme/channels/town-square")
        b.get_by_role("button", name="Start call").wait_for()

        # admin calls: bob's notice rings; bob declines it
        a.get_by_role("button", name="Start call").click()
        notice = b.get_by_role("alertdialog", name="Incoming call")
        notice.filter(has_text="admin is calling you").wait_for()
        notice.get_by_role("button", name="Decline").click()
        notice.wait_for(state="detached")
        a.get_by_role("button", name="Leave").click()
        a.locator("section.call-bar").wait_for(state="detached")

        # admin calls again: bob answers from the notice
        a.get_by_role("button", name="Start call").click()
        notice.filter(has_text="admin is calling you").wait_for()
        notice.get_by_role("button", name="Join").click()
        notice.wait_for(state="detached")
        b.locator("section.call-bar[data-status='connected']").wait_for()
        participant(a, bob_id).wait_for()
        for p in (a, b):
            p.get_by_role("button", name="Unmute").click()
            p.get_by_role("button", name="Mute", exact=True).wait_for()
        b.get_by_role("button", name="Call details").click()
        wait_receiving(b)

        # bob's call WebSocket (his second) drops: it comes back on its own, the session goes on
        page_side, server_side = sockets[-1]
        before = max(inbound_bytes(b))
        count = len(sockets)
        page_side.close()
        server_side.close()
        for _ in range(100):
            if len(sockets) > count:
                break
            b.wait_for_timeout(100)
        assert len(sockets) > count, "the app did not reconnect its call socket"
        b.locator("section.call-bar[data-status='connected']").wait_for()
        assert min(inbound_bytes(b)) >= before  # the same peer connection: its counters went on
        wait_receiving(b)
        participant(a, bob_id).wait_for()
        b.get_by_role("button", name="Raise hand").click()  # signalling reaches the session on the new socket
        a.locator(f".call-bar__people li[data-user-id='{bob_id}'][data-hand='true']").wait_for()
        a.get_by_role("button", name="Leave").click()
        b.get_by_role("button", name="Leave").click()
        b.locator("section.call-bar").wait_for(state="detached")
        assert a.errors == [] and b.errors == []  # type: ignore[attr-defined]
    finally:
        a.context.close()
        b.context.close()


def test_reload_puts_the_user_back_in_the_call(media_browser: Any, chinwag: ServerProcess) -> None:
    """Bob reloads the page in a call: he is back in it, unmuted with his hand up as before, and the two
    hear each other again; admin's list shows bob once throughout (his new session took the old one's
    place) and the server has one session of his."""
    with chinwag.api(chinwag.login("admin")) as c:
        admin_id = c.get("/users/me").json()["id"]
        bob_id = c.get("/users/username/bob").json()["id"]
        channel_id = c.get("/teams/name/acme/channels/name/town-square").json()["id"]

        def sessions() -> list[dict[str, Any]]:
            r = c.get(f"{chinwag.url}/plugins/{PLUGIN}/{channel_id}")
            assert r.status_code == 200, r.text
            call = r.json().get("call") or {}
            return list(call.get("sessions") or [])

        a, b = new_page(media_browser), new_page(media_browser)
        try:
            login(a, chinwag.url, "admin")
            login(b, chinwag.url, "bob")
            for p in (a, b):
                p.goto(chinwag.url + "/acme/channels/town-square")
                p.get_by_role("button", name="Start call").wait_for()
            a.get_by_role("button", name="Start call").click()
            a.locator("section.call-bar[data-status='connected']").wait_for()
            b.get_by_role("button", name="Join call").first.click()
            b.locator("section.call-bar[data-status='connected']").wait_for()
            for p in (a, b):
                p.get_by_role("button", name="Unmute").click()
                p.get_by_role("button", name="Mute", exact=True).wait_for()
            b.get_by_role("button", name="Raise hand").click()
            a.locator(f".call-bar__people li[data-user-id='{bob_id}'][data-unmuted='true'][data-hand='true']").wait_for()
            old = [s["session_id"] for s in sessions() if s["user_id"] == bob_id]
            assert len(old) == 1

            # admin's page notes whether bob ever drops out of its list
            a.evaluate("""(id) => { window.bobGone = false; new MutationObserver(() => {
                if (!document.querySelector(`.call-bar__people li[data-user-id='${id}']`)) { window.bobGone = true; }
            }).observe(document.body, {childList: true, subtree: true}); }""", bob_id)
            b.reload()
            b.locator("section.call-bar[data-status='connected']").wait_for()
            b.get_by_role("button", name="Mute", exact=True).wait_for()  # unmuted again
            b.get_by_role("button", name="Lower hand").wait_for()
            a.locator(f".call-bar__people li[data-user-id='{bob_id}'][data-unmuted='true'][data-hand='true']").wait_for()
            bobs = [s["session_id"] for s in sessions() if s["user_id"] == bob_id]
            assert len(bobs) == 1 and bobs != old  # one session, the new one
            assert {s["user_id"] for s in sessions()} == {admin_id, bob_id}
            assert participant(a, bob_id).count() == 1 and a.evaluate("window.bobGone") is False

            # the two hear each other again: bob's new voice reaches admin, admin's reaches bob's new page
            for p in (a, b):
                p.get_by_role("button", name="Call details").click()
            wait_receiving_from(a, "bob")
            wait_receiving_from(b, "admin")
            for p in (b, a):
                p.get_by_role("button", name="Leave").click()
                bar(p).wait_for(state="detached")
            assert a.errors == [] and b.errors == []  # type: ignore[attr-defined]
        finally:
            a.context.close()
            b.context.close()


def inbound_video(page: Any) -> list[dict[str, int]]:
    """Each inbound video stream's frame width and frames decoded, from getStats (the call details)."""
    return list(page.evaluate("""() => [...document.querySelectorAll(
        "table.call-details tr[data-direction='in'][data-kind='video'][data-frames-decoded]")]
        .map((r) => ({width: Number(r.dataset.frameWidth), decoded: Number(r.dataset.framesDecoded)}))"""))


def test_simulcast_camera_layer_follows_the_tile_size(media_browser: Any, chinwag: ServerProcess) -> None:
    """With simulcast on (the client config), bob's camera goes out in three encodings; the SFU forwards
    admin one of them, by the size admin's page shows bob's tile at (``video_tiles``): a large tile gets a
    large layer, a small one the low layer — the frames admin decodes get smaller, and keep coming (the
    switch is at a keyframe of the new layer, on one continuous stream). Carol, joining while the camera
    is on, decodes it too."""
    with chinwag.api(chinwag.login("admin")) as c:
        r = c.get(f"{chinwag.url}/plugins/{PLUGIN}/config")
        assert r.status_code == 200 and r.json()["EnableSimulcast"] is True
    a, b = new_page(media_browser), new_page(media_browser)
    try:
        login(a, chinwag.url, "admin")
        login(b, chinwag.url, "bob")
        for p in (a, b):
            p.goto(chinwag.url + "/acme/channels/off-topic")
            p.get_by_role("button", name="Start call").wait_for()
        a.get_by_role("button", name="Start call").click()
        a.locator("section.call-bar[data-status='connected']").wait_for()
        b.get_by_role("button", name="Join call").first.click()
        b.locator("section.call-bar[data-status='connected']").wait_for()

        # admin shows bob's tile large (as a layout with one big tile would)
        a.add_style_tag(content=".call-video video { width: 1000px !important; }")
        b.get_by_role("button", name="Start video").click()
        b.get_by_role("button", name="Stop video").wait_for()
        a.get_by_label("Camera of bob").wait_for()
        b.get_by_role("button", name="Call details").click()
        # bob sends simulcast: an outbound video stream per encoding (each with its rid)
        b.wait_for_function("""async () => [...document.querySelectorAll(
            "table.call-details tr[data-direction='out'][data-kind='video']")].length >= 2""", timeout=30000)
        a.get_by_role("button", name="Call details").click()
        # a large layer reaches admin and is decoded (the sender's bandwidth estimate allows it after a while)
        a.wait_for_function("""() => [...document.querySelectorAll(
            "table.call-details tr[data-direction='in'][data-kind='video'][data-frames-decoded]")]
            .some((r) => Number(r.dataset.frameWidth) >= 480)""", timeout=60000)
        large = max(v["width"] for v in inbound_video(a))

        # the tile shrinks: the low layer from its next keyframe, on the same inbound stream
        a.add_style_tag(content=".call-video video { width: 120px !important; }")
        a.wait_for_function("""(large) => [...document.querySelectorAll(
            "table.call-details tr[data-direction='in'][data-kind='video'][data-frames-decoded]")]
            .some((r) => Number(r.dataset.frameWidth) > 0 && Number(r.dataset.frameWidth) <= 240
                         && Number(r.dataset.frameWidth) < large)""", arg=large, timeout=30000)
        streams = inbound_video(a)
        assert len(streams) == 1, streams  # one stream: the layers are switched, not added
        decoded = streams[0]["decoded"]
        a.wait_for_function("""(before) => [...document.querySelectorAll(
            "table.call-details tr[data-direction='in'][data-kind='video'][data-frames-decoded]")]
            .some((r) => Number(r.dataset.framesDecoded) > before + 20 && Number(r.dataset.frameWidth) <= 240)""",
                            arg=decoded, timeout=30000)
        shot(a, "calls-simulcast")

        # carol joins while the camera is on: she gets it too (its m-line offered during her DTLS handshake)
        c3 = new_page(media_browser)
        try:
            login(c3, chinwag.url, "carol")
            c3.goto(chinwag.url + "/acme/channels/off-topic")
            c3.get_by_role("button", name="Join call").first.click()
            c3.locator("section.call-bar[data-status='connected']").wait_for()
            c3.get_by_role("button", name="Call details").click()
            c3.wait_for_function("""() => [...document.querySelectorAll(
                "table.call-details tr[data-direction='in'][data-kind='video'][data-frames-decoded]")]
                .some((r) => Number(r.dataset.framesDecoded) > 10)""", timeout=30000)
            c3.get_by_role("button", name="Leave").click()
            bar(c3).wait_for(state="detached")
            assert c3.errors == []  # type: ignore[attr-defined]
        finally:
            c3.context.close()
        for p in (b, a):
            p.get_by_role("button", name="Leave").click()
            bar(p).wait_for(state="detached")
        assert a.errors == [] and b.errors == []  # type: ignore[attr-defined]
    finally:
        a.context.close()
        b.context.close()

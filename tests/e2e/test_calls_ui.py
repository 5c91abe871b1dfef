"""Calls in the web UI, in Chromium with fake media devices (a beeping microphone, a fake screen): two
users start and join a call in a channel through the embedded SFU, see each other in the call bar, hear
each other (the call details' inbound audio bytes grow), raise a hand (the host lowers it from the menu beside
bob), share a screen, turn a camera on (the other sees it play) and off; the host removes bob, then leaves;
the call post turns into "Call ended"; a user who reloads the page is back in the call; four users hear each
other, a muted sender's bytes stop, a screen share reaches the three others and a leave updates the lists;
with simulcast, the camera layer admin receives follows the size of bob's tile (embedded SFU only).
Screenshot in test-artifacts/calls.png.

Every test runs twice: with the embedded SFU, and with the plugin's ``SFU: "janus"`` against Debian's
janus started in the test (tests/compat/janus_server.py; skipped only when it is not installed), where the
web UI opens a publisher and a subscriber connection to Janus's VideoRoom."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.compat.janus_server import API_SECRET, JanusServer, janus_available
from tests.e2e.calls_steps import (
    _ROWS,
    MEDIA_FLAGS,
    PLUGIN,
    bar,
    connected,
    controls,
    inbound_bytes,
    open_details,
    participant,
    ring_decline_answer,
    start_and_join,
    unmute,
    wait_receiving,
    wait_receiving_from,
    wait_video_plays,
)
from tests.e2e.conftest import CHROMIUM, shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["embedded", "janus"])
def chinwag(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """The server with the calls plugin on: its embedded SFU, or a Janus started here for the calls."""
    janus: JanusServer | None = None
    settings: dict[str, Any] = {"udpserveraddress": "127.0.0.1"}
    if request.param == "janus":
        if not janus_available():
            pytest.skip("Debian's janus package is not installed (scripts/test_system_deps.sh installs it)")
        janus = JanusServer(rtp_ports=(46000, 46999)).start()
        settings |= {"sfu": "janus", "janusurl": janus.url, "janusapisecret": API_SECRET}
    srv = ServerProcess().start()
    srv.janus = janus  # type: ignore[attr-defined]
    srv.create_user("admin")
    admin = srv.login("admin")
    with srv.api(admin) as c:
        team = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O"}).json()
        for name in ("bob", "carol", "dave"):
            srv.create_user(name)
            user = c.get(f"/users/username/{name}").json()
            r = c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": user["id"]})
            assert r.status_code == 201, r.text
        r = c.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: settings}}})
        assert r.status_code == 200, r.text
        r = c.post(f"/plugins/{PLUGIN}/enable")
        assert r.status_code == 200, r.text
    yield srv
    # shown with a failure: what the calls plugin and Janus logged
    print("\n".join(line for line in Path(srv.log_path).read_text(errors="replace").splitlines() if "calls" in line)[-6000:])
    srv.stop()
    if janus is not None:
        print(janus.log()[-4000:])
        janus.stop()


@pytest.fixture(scope="module")
def media_browser(browser: Any) -> Iterator[Any]:
    """Chromium with fake microphone/camera/screen and no permission prompts."""
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", *MEDIA_FLAGS])
    yield b
    b.close()


def test_two_users_call_in_a_channel(media_browser: Any, chinwag: ServerProcess) -> None:
    with chinwag.api(chinwag.login("admin")) as c:
        admin_id = c.get("/users/me").json()["id"]
        bob_id = c.get("/users/username/bob").json()["id"]
    a, b = new_page(media_browser), new_page(media_browser)
    try:
        login(a, chinwag.url, "admin")
        login(b, chinwag.url, "bob")

        # admin starts the call (the call bar, the call post); bob joins from his header's Join call
        start_and_join(a, b, chinwag.url)

        # each sees the other in the call
        for p in (a, b):
            participant(p, admin_id).wait_for()
            participant(p, bob_id).wait_for()
        assert participant(a, admin_id).locator(".pill", has_text="Host").count() == 1

        # both unmute; each hears the other (inbound audio bytes grow)
        unmute(a, b)
        participant(a, bob_id, unmuted=True).wait_for()
        participant(b, admin_id, unmuted=True).wait_for()
        open_details(a, b)
        for p in (a, b):
            wait_receiving(p)
        # the call details name whose voice each stream is
        a.locator("table.call-details tr[data-direction='in'][data-kind='audio']", has_text="bob").wait_for()

        # a raised hand shows at the other side
        b.get_by_role("button", name="Raise hand").click()
        participant(a, bob_id, hand=True).wait_for()
        # the host's menu beside bob lowers it (bob, not the host, has no such menu)
        a.get_by_role("button", name="Host controls for bob").click()
        a.get_by_role("menuitem", name="Lower hand").click()
        for p in (a, b):
            p.locator(f".call-bar__people li[data-user-id='{bob_id}'][data-hand='false']").wait_for()
        b.get_by_text("The host lowered your hand.").wait_for()
        b.get_by_role("button", name="Raise hand").wait_for()
        assert b.get_by_role("button", name="Host controls for admin").count() == 0

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
        wait_video_plays(a, "figure.call-video video")
        wait_receiving(a, "video")
        shot(a, "calls-video")
        b.get_by_role("button", name="Stop video").click()
        tile.wait_for(state="detached")

        # the call bar stays while admin moves to another channel
        a.locator("nav.sidebar a.sidebar__item", has_text="Off-Topic").click()
        a.wait_for_url("**/acme/channels/off-topic")
        bar(a).wait_for()

        # the host removes bob (from the menu beside him, confirmed): bob's call bar goes with a notice,
        # admin's list drops him; admin leaves: the call ends and the post says so
        a.get_by_role("button", name="Host controls for bob").click()
        a.get_by_role("menuitem", name="Remove from call").click()
        a.get_by_role("dialog").get_by_role("button", name="Remove from call").click()
        bar(b).wait_for(state="detached")
        b.get_by_text("The host removed you from the call.").wait_for()
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

        # admin calls: bob's notice rings, bob declines it; admin calls again, bob answers from the notice
        ring_decline_answer(a, b, "admin")
        participant(a, bob_id).wait_for()
        unmute(a, b)
        open_details(b)
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
        connected(b).wait_for()
        assert min(inbound_bytes(b)) >= before  # the same peer connection: its counters went on
        wait_receiving(b)
        participant(a, bob_id).wait_for()
        b.get_by_role("button", name="Raise hand").click()  # signalling reaches the session on the new socket
        participant(a, bob_id, hand=True).wait_for()
        a.get_by_role("button", name="Leave").click()
        b.get_by_role("button", name="Leave").click()
        bar(b).wait_for(state="detached")
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
            start_and_join(a, b, chinwag.url)
            unmute(a, b)
            b.get_by_role("button", name="Raise hand").click()
            participant(a, bob_id, unmuted=True, hand=True).wait_for()
            old = [s["session_id"] for s in sessions() if s["user_id"] == bob_id]
            assert len(old) == 1

            # admin's page notes whether bob ever drops out of its list
            a.evaluate("""(id) => { window.bobGone = false; new MutationObserver(() => {
                if (!document.querySelector(`.call-bar__people li[data-user-id='${id}']`)) { window.bobGone = true; }
            }).observe(document.body, {childList: true, subtree: true}); }""", bob_id)
            b.reload()
            connected(b).wait_for()
            controls(b).get_by_role("button", name="Mute", exact=True).wait_for()  # unmuted again
            b.get_by_role("button", name="Lower hand").wait_for()
            participant(a, bob_id, unmuted=True, hand=True).wait_for()
            bobs = [s["session_id"] for s in sessions() if s["user_id"] == bob_id]
            assert len(bobs) == 1 and bobs != old  # one session, the new one
            assert {s["user_id"] for s in sessions()} == {admin_id, bob_id}
            assert participant(a, bob_id).count() == 1 and a.evaluate("window.bobGone") is False

            # the two hear each other again: bob's new voice reaches admin, admin's reaches bob's new page
            open_details(a, b)
            wait_receiving_from(a, "bob")
            wait_receiving_from(b, "admin")
            for p in (b, a):
                p.get_by_role("button", name="Leave").click()
                bar(p).wait_for(state="detached")
            assert a.errors == [] and b.errors == []  # type: ignore[attr-defined]
        finally:
            a.context.close()
            b.context.close()


def test_call_survives_a_janus_restart(media_browser: Any, chinwag: ServerProcess) -> None:
    """On Janus only: Janus is stopped and started again mid-call; the plugin makes the room again and
    tells both pages ``reset``; each makes its two connections again and the two hear each other again,
    in the same sessions, with no error on either page."""
    janus: JanusServer | None = getattr(chinwag, "janus", None)
    if janus is None:
        pytest.skip("a Janus restart: on Janus only")
    log = Path(chinwag.log_path)
    a, b = new_page(media_browser), new_page(media_browser)
    console: list[str] = []
    for p, who in ((a, "admin"), (b, "bob")):
        p.on("console", lambda m, who=who: console.append(f"{who}: {m.type}: {m.text}"))
    try:
        login(a, chinwag.url, "admin")
        login(b, chinwag.url, "bob")
        start_and_join(a, b, chinwag.url)
        unmute(a, b)
        open_details(a, b)
        wait_receiving_from(a, "bob")
        wait_receiving_from(b, "admin")
        back = log.read_text(errors="replace").count("the calls are back on Janus")
        rows = f"""([kind, name]) => {_ROWS}.filter((r) => r.textContent.includes(' in ' + name))
            .map((r) => Number(r.dataset.bytes))"""
        heard = {p: max(p.evaluate(rows, ["audio", n])) for p, n in ((a, "bob"), (b, "admin"))}

        janus.restart()
        for _ in range(600):
            if log.read_text(errors="replace").count("the calls are back on Janus") > back:
                break
            a.wait_for_timeout(100)
        assert log.read_text(errors="replace").count("the calls are back on Janus") > back
        # the details show the new connections' streams (fewer bytes than the old ones had), then they grow
        for p, n in ((a, "bob"), (b, "admin")):
            p.wait_for_function(f"""([name, old]) => {{ const bytes = ({rows})(['audio', name]);
                return bytes.length > 0 && bytes.every((x) => x < old); }}""", arg=[n, heard[p]], timeout=30000)
        wait_receiving_from(a, "bob")
        wait_receiving_from(b, "admin")
        connected(a).wait_for()
        connected(b).wait_for()
        for p in (b, a):
            p.get_by_role("button", name="Leave").click()
            bar(p).wait_for(state="detached")
        assert a.errors == [] and b.errors == []  # type: ignore[attr-defined]
    except Exception as e:  # with what the pages and the plugin said
        plugin = [line for line in log.read_text(errors="replace").splitlines()
                  if "calls" in line or "rror" in line or "anus" in line]
        raise AssertionError(f"{e}\n--- pages:\n" + "\n".join(console[-40:]) + "\n--- plugin:\n"
                             + "\n".join(plugin[-40:])) from e
    finally:
        a.context.close()
        b.context.close()


def inbound_video(page: Any) -> list[dict[str, int]]:
    """Each inbound video stream's frame width and frames decoded, from getStats (the call details)."""
    return list(page.evaluate("""() => [...document.querySelectorAll(
        "table.call-details tr[data-direction='in'][data-kind='video'][data-frames-decoded]")]
        .map((r) => ({width: Number(r.dataset.frameWidth), decoded: Number(r.dataset.framesDecoded)}))"""))


def test_simulcast_camera_layer_follows_the_tile_size(media_browser: Any, chinwag: ServerProcess,
                                                       request: pytest.FixtureRequest) -> None:
    """With simulcast on (the client config), bob's camera goes out in three encodings; the SFU forwards
    admin one of them, by the size admin's page shows bob's tile at (``video_tiles``): a large tile gets a
    large layer, a small one the low layer — the frames admin decodes get smaller, and keep coming (the
    switch is at a keyframe of the new layer, on one continuous stream). Carol, joining while the camera
    is on, decodes it too. The embedded SFU's choice: Janus's VideoRoom relays the layer its subscriber
    configures, not by tile size."""
    if request.node.callspec.params.get("chinwag") == "janus":
        pytest.skip("the layer by tile size is the embedded SFU's (docs/calls.md, Simulcast)")
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


def wait_stopped_from(page: Any, name: str) -> None:
    """``name``'s inbound audio stream has stopped: its bytes stay the same for 2.5 s (the call details
    refresh every second)."""
    page.wait_for_function("""(name) => {
        const bytes = [...document.querySelectorAll("table.call-details tr[data-direction='in'][data-kind='audio']")]
            .filter((r) => r.textContent.includes(' in ' + name)).map((r) => r.dataset.bytes).join();
        const seen = (window.stillBytes ??= {});
        const now = Date.now();
        if (!bytes || seen[name]?.bytes !== bytes) {
            seen[name] = {bytes, at: now};
            return false;
        }
        return now - seen[name].at > 2500;
    }""", arg=name, polling=250, timeout=30000)


def test_four_users_hear_and_see_each_other(media_browser: Any, chinwag: ServerProcess) -> None:
    """Four in one call: each hears the three others (inbound bytes from each grow), a muted sender's bytes
    stop at the others and come back on unmute, a shared screen reaches the three others, and a leave takes
    the user out of everyone's list."""
    names = ("admin", "bob", "carol", "dave")
    with chinwag.api(chinwag.login("admin")) as c:
        ids = {n: c.get(f"/users/username/{n}").json()["id"] for n in names}
        channel_id = c.get("/teams/name/acme/channels/name/town-square").json()["id"]
    pages = {n: new_page(media_browser) for n in names}
    try:
        for n, p in pages.items():
            login(p, chinwag.url, n)
        # the call of the test before has ended (its last leave went through the SFU)
        pages["admin"].wait_for_function("""async (id) => {
            const r = await fetch(`/plugins/com.mattermost.calls/${id}`, {headers: {'X-Requested-With': 'XMLHttpRequest'}});
            return r.ok && !(await r.json()).call;
        }""", arg=channel_id, polling=250)
        for p in pages.values():
            p.goto(chinwag.url + "/acme/channels/town-square")
            p.get_by_role("button", name="Start call").wait_for()
        pages["admin"].get_by_role("button", name="Start call").click()
        pages["admin"].locator("section.call-bar[data-status='connected']").wait_for()
        for n in names[1:]:
            pages[n].get_by_role("button", name="Join call").first.click()
            pages[n].locator("section.call-bar[data-status='connected']").wait_for()
        for p in pages.values():
            for n in names:
                participant(p, ids[n]).wait_for()
            p.get_by_role("button", name="Unmute").click()
            p.get_by_role("button", name="Mute", exact=True).wait_for()
        for p in pages.values():
            p.get_by_role("button", name="Call details").click()
        for n, p in pages.items():
            for other in names:
                if other != n:
                    wait_receiving_from(p, other)

        # bob mutes: his bytes stop at the others (and the others still hear each other); unmuted, they flow
        pages["bob"].get_by_role("button", name="Mute", exact=True).click()
        pages["bob"].get_by_role("button", name="Unmute").wait_for()
        for n in ("admin", "carol", "dave"):
            pages[n].locator(f".call-bar__people li[data-user-id='{ids['bob']}'][data-unmuted='false']").wait_for()
            wait_stopped_from(pages[n], "bob")
        wait_receiving_from(pages["admin"], "carol")
        pages["bob"].get_by_role("button", name="Unmute").click()
        pages["bob"].get_by_role("button", name="Mute", exact=True).wait_for()
        wait_receiving_from(pages["dave"], "bob")

        # carol shares her screen: the three others see it and receive its video
        pages["carol"].get_by_role("button", name="Share screen").click()
        pages["carol"].get_by_role("button", name="Stop sharing").wait_for()
        for n in ("admin", "bob", "dave"):
            pages[n].locator("figure.call-screen", has_text="Screen of carol").locator("video").wait_for()
            wait_receiving(pages[n], "video")
        pages["carol"].get_by_role("button", name="Stop sharing").click()
        pages["admin"].locator("figure.call-screen").wait_for(state="detached")

        # dave leaves: the three others' lists drop him; the others go on hearing each other
        pages["dave"].get_by_role("button", name="Leave").click()
        bar(pages["dave"]).wait_for(state="detached")
        for n in ("admin", "bob", "carol"):
            participant(pages[n], ids["dave"]).wait_for(state="detached")
        wait_receiving_from(pages["carol"], "admin")
        for n in ("bob", "carol", "admin"):
            pages[n].get_by_role("button", name="Leave").click()
            bar(pages[n]).wait_for(state="detached")
        assert all(p.errors == [] for p in pages.values())  # type: ignore[attr-defined]
    finally:
        for p in pages.values():
            p.context.close()

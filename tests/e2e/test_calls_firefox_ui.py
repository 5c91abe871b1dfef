"""Calls between Firefox and Chromium through the web UI and the embedded SFU. Firefox gathers ICE
candidates only on interfaces other than loopback, so the server (and the SFU in its calls plugin) and
both browsers run in a network namespace of the test's own with a veth address from 198.18.0.0/15
(tests/e2e/netns.py); Firefox (Debian's firefox-esr, its fake microphone and camera) is driven over
WebDriver BiDi, Chromium with its fake devices as in test_calls_ui.py. Firefox is admin, Chromium bob.

- a voice call: Firefox starts it, Chromium joins; each hears the other (the call details' inbound audio
  bytes grow, named after the speaker), a mute stops that voice at the other end while the other way goes
  on, and a leave updates the other's participant list;
- cameras and screens both ways: each one's camera plays in a tile at the other's (its inbound video bytes
  grow) and stops with Stop video; a shared screen shows at the other's and stops with Stop sharing;
- an ICE restart: every datagram to and from the SFU's ports is lost (policy routing in the namespace);
  both browsers restart ICE on their peer connection, the SFU answers from new ports, and each hears the
  other again in the same sessions;
- ringing: a DM call from Chromium rings in Firefox (declined, then answered from the notice).
Screenshots in test-artifacts/calls-firefox*.png.

Skips only when firefox is not installed (scripts/test_system_deps.sh installs firefox-esr) or the
machine cannot make the network (not root, or no CAP_NET_ADMIN / CAP_SYS_ADMIN)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e import firefox_bidi_shim
from tests.e2e.calls_steps import (
    MEDIA_FLAGS,
    PLUGIN,
    bar,
    connected,
    controls,
    open_details,
    participant,
    ring_decline_answer,
    start_and_join,
    unmute,
    wait_receiving,
    wait_receiving_from,
    wait_status_was,
    wait_stopped,
    wait_video_plays,
    watch_status,
)
from tests.e2e.conftest import CHROMIUM, shot
from tests.e2e.netns import (
    BrowserServer,
    Display,
    ServerInNetwork,
    TestNetwork,
    Unavailable,
    connect_all,
    unavailable_reason,
)
from tests.e2e.test_webapp import login, new_page

pytestmark = pytest.mark.e2e

FIREFOX = os.environ.get("CHINWAG_FIREFOX") or shutil.which("firefox-esr") or shutil.which("firefox") or ""
FIREFOX_PREFS = {
    "media.navigator.streams.fake": True,  # a fake microphone (a tone) and camera
    "media.navigator.permission.disabled": True,  # no permission prompt
    "media.autoplay.default": 0,  # the others' audio plays without a click first
    "media.autoplay.blocking_policy": 0,
}
#: the SFU's UDP port range: below the ephemeral ports (32768-60999) the browsers' sockets get, so the ICE
#: restart test tells the two apart
SFU_PORTS = (20000, 20999)


@dataclass
class World:
    server: ServerInNetwork
    firefox: Any
    chromium: Any
    net: TestNetwork
    admin_id: str
    bob_id: str
    dm_id: str
    #: Firefox has a (virtual) screen to share
    screen: bool

    def sessions(self, channel_id: str) -> list[str]:
        """The session ids in the channel's call (the API's view)."""
        with self.server.api(self.server.login("admin")) as c:
            r = c.get(f"{self.server.api_url}/plugins/{PLUGIN}/{channel_id}")
            assert r.status_code == 200, r.text
            return sorted(x["session_id"] for x in (r.json().get("call") or {}).get("sessions") or [])

    def channel_id(self, name: str) -> str:
        with self.server.api(self.server.login("admin")) as c:
            return str(c.get(f"/teams/name/acme/channels/name/{name}").json()["id"])


@pytest.fixture(scope="module")
def world(playwright_session: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if not FIREFOX:
        pytest.skip("firefox is not installed (scripts/test_system_deps.sh installs Debian's firefox-esr as root)")
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    try:
        net = TestNetwork().start()
    except Unavailable as e:
        pytest.skip(str(e))
    browser_servers: dict[str, BrowserServer] = {}
    display: Display | None = None
    srv: ServerInNetwork | None = None
    browsers: dict[str, Any] = {}
    try:
        # the browsers start while the server does: Firefox over WebDriver BiDi (through the shim),
        # Chromium as in test_calls_ui.py
        firefox = firefox_bidi_shim.executable(FIREFOX, tmp_path_factory.mktemp("firefox"))
        # a virtual screen for Firefox to share, when Xvfb is there (headless Firefox has no fake screen)
        display = Display(net) if shutil.which("Xvfb") else None
        browser_servers = {
            "firefox": BrowserServer(net, "firefox", {"executablePath": firefox, "channel": "moz-firefox",
                                                      "headless": True, "firefoxUserPrefs": FIREFOX_PREFS},
                                     env={"DISPLAY": display.display} if display else None),
            "chromium": BrowserServer(net, "chromium", {"executablePath": CHROMIUM, "headless": True, "args": [
                "--no-sandbox", "--disable-background-networking", "--disable-gpu", *MEDIA_FLAGS]}),
        }
        srv = ServerInNetwork(net)
        srv.start()
        srv.create_user("admin")
        admin = srv.login("admin")
        bob = srv.create_user("bob")
        with srv.api(admin) as c:
            admin_id = c.get("/users/me").json()["id"]
            team = c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O"}).json()
            r = c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": bob["id"]})
            assert r.status_code == 201, r.text
            dm = c.post("/channels/direct", json=[admin_id, bob["id"]])
            assert dm.status_code == 201, dm.text
            # the SFU on the namespace's address, the one both browsers gather their candidates on, and on
            # ports of its own
            r = c.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
                "udpserveraddress": net.inner, "udpportmin": SFU_PORTS[0], "udpportmax": SFU_PORTS[1]}}}})
            assert r.status_code == 200, r.text
            r = c.post(f"/plugins/{PLUGIN}/enable")
            assert r.status_code == 200, r.text
        browsers = connect_all(playwright_session, browser_servers)
        yield World(srv, browsers["firefox"], browsers["chromium"], net, admin_id, bob["id"], dm.json()["id"],
                    display is not None)
    finally:
        for b in browsers.values():
            with contextlib.suppress(Exception):  # its server may have gone: stopped below either way
                b.close()
        for s in browser_servers.values():
            s.stop()
        if srv is not None:
            srv.stop()
        if display is not None:
            display.stop()
        net.close()


def pages(world: World) -> tuple[Any, Any]:
    """A signed-in page in each browser: Firefox's admin, Chromium's bob."""
    fx, cr = new_page(world.firefox, reduced_motion=False), new_page(world.chromium)
    login(fx, world.server.url, "admin", typed=True)
    login(cr, world.server.url, "bob")
    return fx, cr


def leave(*pages: Any) -> None:
    for p in pages:
        p.get_by_role("button", name="Leave").click()
        bar(p).wait_for(state="detached")


def test_firefox_and_chromium_in_one_call(world: World) -> None:
    url = world.server.url
    admin_id, bob_id = world.admin_id, world.bob_id
    fx, cr = pages(world)
    try:
        # Firefox starts the call from the header, Chromium joins it
        start_and_join(fx, cr, url)
        for p in (fx, cr):
            participant(p, admin_id).wait_for()
            participant(p, bob_id).wait_for()

        # both unmute: each receives the other's voice, named in the call details
        unmute(fx, cr)
        participant(fx, bob_id, unmuted=True).wait_for()
        participant(cr, admin_id, unmuted=True).wait_for()
        open_details(fx, cr)
        wait_receiving_from(fx, "bob")
        wait_receiving_from(cr, "admin")
        shot(fx, "calls-firefox")

        # Firefox mutes: Chromium stops receiving it, Firefox still hears Chromium
        controls(fx).get_by_role("button", name="Mute", exact=True).click()
        controls(fx).get_by_role("button", name="Unmute").wait_for()
        participant(cr, admin_id, unmuted=False).wait_for()
        wait_stopped(cr)
        wait_receiving(fx)
        # and the other way round
        controls(cr).get_by_role("button", name="Mute", exact=True).click()
        participant(fx, bob_id, unmuted=False).wait_for()
        wait_stopped(fx)

        # Chromium leaves: Firefox's list drops it; Firefox leaves: the call is over for Chromium too
        leave(cr)
        participant(fx, bob_id).wait_for(state="detached")
        leave(fx)
        cr.locator("[data-call-post='ended']", has_text="Call ended").wait_for()
        # the plugin rewrote the post (end_at, "Call ended after …"): that is no edit of admin's
        assert cr.locator(".post__message:has([data-call-post]) .post__edited").count() == 0
        fx.get_by_role("button", name="Start call").wait_for()
        assert fx.errors == [] and cr.errors == []  # type: ignore[attr-defined]
    finally:
        fx.context.close()
        cr.context.close()


def camera_on_and_off(sender: Any, receiver: Any, sender_name: str) -> None:
    """``sender`` turns its camera on: its own preview, a playing tile at ``receiver``'s whose inbound video
    bytes grow; off: the tile goes and the bytes stop."""
    controls(sender).get_by_role("button", name="Start video").click()
    controls(sender).get_by_role("button", name="Stop video").wait_for()
    sender.get_by_label("Your camera").wait_for()
    tile = receiver.get_by_label(f"Camera of {sender_name}")
    tile.wait_for()
    wait_video_plays(receiver, "figure.call-video:not(.call-video--mine) video")
    wait_receiving_from(receiver, sender_name, "video")
    shot(receiver, f"calls-firefox-camera-of-{sender_name}")
    controls(sender).get_by_role("button", name="Stop video").click()
    controls(sender).get_by_role("button", name="Start video").wait_for()
    tile.wait_for(state="detached")
    wait_stopped(receiver, "video")


def screen_shared_and_stopped(sender: Any, receiver: Any, sender_name: str) -> None:
    """``sender`` shares its screen: it shows and plays at ``receiver``'s, whose inbound video bytes grow;
    Stop sharing takes it away and the bytes stop."""
    controls(sender).get_by_role("button", name="Share screen").click()
    controls(sender).get_by_role("button", name="Stop sharing").wait_for()
    receiver.locator("figure.call-screen", has_text=f"Screen of {sender_name}").locator("video").wait_for()
    wait_video_plays(receiver, "figure.call-screen video")
    wait_receiving_from(receiver, sender_name, "video")
    shot(receiver, f"calls-firefox-screen-of-{sender_name}")
    controls(sender).get_by_role("button", name="Stop sharing").click()
    controls(sender).get_by_role("button", name="Share screen").wait_for()
    receiver.locator("figure.call-screen").wait_for(state="detached")
    wait_stopped(receiver, "video")


def test_cameras_and_a_screen_between_firefox_and_chromium(world: World) -> None:
    fx, cr = pages(world)
    try:
        start_and_join(fx, cr, world.server.url)
        open_details(fx, cr)
        camera_on_and_off(fx, cr, "admin")
        camera_on_and_off(cr, fx, "bob")
        screen_shared_and_stopped(cr, fx, "bob")
        leave(cr, fx)
        assert fx.errors == [] and cr.errors == []  # type: ignore[attr-defined]
    finally:
        fx.context.close()
        cr.context.close()


def test_firefox_shares_its_screen(world: World) -> None:
    """Firefox's screen (Xvfb's, with the permission prompt off) shows and plays at Chromium's."""
    if not world.screen:
        pytest.skip("Xvfb is not installed: headless Firefox has no screen to share (scripts/test_system_deps.sh "
                    "installs xvfb)")
    fx, cr = pages(world)
    try:
        start_and_join(fx, cr, world.server.url)
        open_details(cr)
        screen_shared_and_stopped(fx, cr, "admin")
        leave(cr, fx)
        assert fx.errors == [] and cr.errors == []  # type: ignore[attr-defined]
    finally:
        fx.context.close()
        cr.context.close()


def test_ice_restart_in_firefox_and_chromium(world: World) -> None:
    """Both browsers' network paths break for good, as when a laptop moves to another network: every
    datagram to and from their sockets is lost. Both see ICE go down (the call bar says Reconnecting…),
    restart ICE on the same peer connection (new sockets, new credentials), the SFU answers from new ports
    and each hears the other again, in the same two sessions."""
    fx, cr = pages(world)
    channel = world.channel_id("town-square")
    try:
        start_and_join(fx, cr, world.server.url)
        unmute(fx, cr)
        open_details(fx, cr)
        wait_receiving_from(fx, "bob")
        wait_receiving_from(cr, "admin")
        sessions = world.sessions(channel)
        assert len(sessions) == 2
        # the browsers' ICE sockets: the namespace's ephemeral ports (the SFU's are below them)
        lost = world.net.udp_ports(*world.net.ephemeral_ports())
        sfu_before = world.net.udp_ports(*SFU_PORTS)
        assert lost and sfu_before
        for p in (fx, cr):
            watch_status(p)
        try:
            world.net.lose_udp(lost)
            for p in (fx, cr):
                wait_status_was(p, "reconnecting")
            for p in (fx, cr):
                connected(p).wait_for(timeout=30000)
            wait_receiving_from(fx, "bob")
            wait_receiving_from(cr, "admin")
            # new sockets on both sides (the old ones' datagrams are still lost), the same sessions
            assert world.net.udp_ports(*world.net.ephemeral_ports()) - lost
            assert world.net.udp_ports(*SFU_PORTS) - sfu_before
            assert world.sessions(channel) == sessions
            participant(fx, world.bob_id, unmuted=True).wait_for()
            participant(cr, world.admin_id, unmuted=True).wait_for()
        finally:
            world.net.mend_udp()
        leave(cr, fx)
        assert fx.errors == [] and cr.errors == []  # type: ignore[attr-defined]
    finally:
        fx.context.close()
        cr.context.close()


def test_dm_call_rings_in_firefox(world: World) -> None:
    """Chromium's bob calls admin in their DM: the call rings in Firefox (a notice with Join and Decline);
    declined, it goes; the next call is answered from the notice, and the two hear each other."""
    fx, cr = pages(world)
    try:
        cr.goto(world.server.url + "/acme/messages/@admin")
        cr.get_by_role("button", name="Start call").wait_for()
        fx.goto(world.server.url + "/acme/channels/town-square")
        fx.get_by_role("button", name="Start call").wait_for()
        ring_decline_answer(cr, fx, "bob")
        assert world.sessions(world.dm_id) and len(world.sessions(world.dm_id)) == 2
        participant(cr, world.admin_id).wait_for()
        unmute(fx, cr)
        open_details(fx, cr)
        wait_receiving_from(fx, "bob")
        wait_receiving_from(cr, "admin")
        leave(fx, cr)
        assert fx.errors == [] and cr.errors == []  # type: ignore[attr-defined]
    finally:
        fx.context.close()
        cr.context.close()

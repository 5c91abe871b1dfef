"""A call between Firefox and Chromium through the web UI and the embedded SFU. Firefox gathers ICE
candidates only on interfaces other than loopback, so the server (and the SFU in its calls plugin) and
both browsers run in a network namespace of the test's own with a veth address from 198.18.0.0/15
(tests/e2e/netns.py); Firefox (Debian's firefox-esr, fake microphone) is driven over WebDriver BiDi,
Chromium with its fake devices as in test_calls_ui.py. Firefox starts the call, Chromium joins; each hears
the other (the call details' inbound audio bytes grow, named after the speaker), a mute stops that voice
at the other end while the other way goes on, and a leave updates the other's participant list.
Screenshot in test-artifacts/calls-firefox.png.

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
from tests.e2e.conftest import CHROMIUM, shot
from tests.e2e.netns import (
    BrowserServer,
    ServerInNetwork,
    TestNetwork,
    Unavailable,
    connect_all,
    unavailable_reason,
)
from tests.e2e.test_calls_ui import MEDIA_FLAGS, PLUGIN, participant, wait_receiving
from tests.e2e.test_webapp import login, new_page

pytestmark = pytest.mark.e2e

FIREFOX = os.environ.get("CHINWAG_FIREFOX") or shutil.which("firefox-esr") or shutil.which("firefox") or ""
FIREFOX_PREFS = {
    "media.navigator.streams.fake": True,  # a fake microphone (a tone) and camera
    "media.navigator.permission.disabled": True,  # no permission prompt
    "media.autoplay.default": 0,  # the others' audio plays without a click first
    "media.autoplay.blocking_policy": 0,
}


@dataclass
class World:
    server: ServerInNetwork
    firefox: Any
    chromium: Any
    admin_id: str
    bob_id: str


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
    srv: ServerInNetwork | None = None
    browsers: dict[str, Any] = {}
    try:
        # the browsers start while the server does: Firefox over WebDriver BiDi (through the shim),
        # Chromium as in test_calls_ui.py
        firefox = firefox_bidi_shim.executable(FIREFOX, tmp_path_factory.mktemp("firefox"))
        browser_servers = {
            "firefox": BrowserServer(net, "firefox", {"executablePath": firefox, "channel": "moz-firefox",
                                                      "headless": True, "firefoxUserPrefs": FIREFOX_PREFS}),
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
            # the SFU on the namespace's address, the one both browsers gather their candidates on
            r = c.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {"udpserveraddress": net.inner}}}})
            assert r.status_code == 200, r.text
            r = c.post(f"/plugins/{PLUGIN}/enable")
            assert r.status_code == 200, r.text
        browsers = connect_all(playwright_session, browser_servers)
        yield World(srv, browsers["firefox"], browsers["chromium"], admin_id, bob["id"])
    finally:
        for b in browsers.values():
            with contextlib.suppress(Exception):  # its server may have gone: stopped below either way
                b.close()
        for s in browser_servers.values():
            s.stop()
        if srv is not None:
            srv.stop()
        net.close()


def wait_stopped(page: Any, quiet_ms: int = 2500) -> None:
    """Every inbound audio stream in the call details has stopped: its bytes stay the same for
    ``quiet_ms`` (the details refresh every second; a voice sends 50 packets a second)."""
    page.evaluate("delete window.__stopped")
    page.wait_for_function("""(quiet) => {
        const rows = [...document.querySelectorAll("table.call-details tr[data-direction='in'][data-kind='audio']")];
        const key = rows.map((r) => r.dataset.bytes).join(' ');
        const w = (window.__stopped ??= {key: null, since: 0});
        const now = performance.now();
        if (w.key !== key) {
            w.key = key;
            w.since = now;
            return false;
        }
        return rows.length > 0 && now - w.since >= quiet;
    }""", arg=quiet_ms, polling=200)


def controls(page: Any) -> Any:
    """The call bar's own buttons (the host also has a Mute beside each unmuted participant)."""
    return page.get_by_role("toolbar", name="Call controls")


def test_firefox_and_chromium_in_one_call(world: World) -> None:
    url = world.server.url
    fx, cr = new_page(world.firefox, reduced_motion=False), new_page(world.chromium)
    admin_id, bob_id = world.admin_id, world.bob_id
    try:
        login(fx, url, "admin", typed=True)
        login(cr, url, "bob")
        for p in (fx, cr):
            p.goto(url + "/acme/channels/town-square")
            p.get_by_role("button", name="Start call").wait_for()

        # Firefox starts the call from the header, Chromium joins it
        fx.get_by_role("button", name="Start call").click()
        fx.locator("section.call-bar[data-status='connected']").wait_for()
        cr.get_by_role("button", name="Join call").first.click()
        cr.locator("section.call-bar[data-status='connected']").wait_for()
        for p in (fx, cr):
            participant(p, admin_id).wait_for()
            participant(p, bob_id).wait_for()

        # both unmute: each receives the other's voice, named in the call details
        for p in (fx, cr):
            controls(p).get_by_role("button", name="Unmute").click()
            controls(p).get_by_role("button", name="Mute", exact=True).wait_for()
        fx.locator(f".call-bar__people li[data-user-id='{bob_id}'][data-unmuted='true']").wait_for()
        cr.locator(f".call-bar__people li[data-user-id='{admin_id}'][data-unmuted='true']").wait_for()
        for p in (fx, cr):
            p.get_by_role("button", name="Call details").click()
            wait_receiving(p)
        fx.locator("table.call-details tr[data-direction='in'][data-kind='audio']", has_text="bob").wait_for()
        cr.locator("table.call-details tr[data-direction='in'][data-kind='audio']", has_text="admin").wait_for()
        shot(fx, "calls-firefox")

        # Firefox mutes: Chromium stops receiving it, Firefox still hears Chromium
        controls(fx).get_by_role("button", name="Mute", exact=True).click()
        controls(fx).get_by_role("button", name="Unmute").wait_for()
        cr.locator(f".call-bar__people li[data-user-id='{admin_id}'][data-unmuted='false']").wait_for()
        wait_stopped(cr)
        wait_receiving(fx)
        # and the other way round
        controls(cr).get_by_role("button", name="Mute", exact=True).click()
        fx.locator(f".call-bar__people li[data-user-id='{bob_id}'][data-unmuted='false']").wait_for()
        wait_stopped(fx)

        # Chromium leaves: Firefox's list drops it; Firefox leaves: the call is over for Chromium too
        cr.get_by_role("button", name="Leave").click()
        cr.locator("section.call-bar").wait_for(state="detached")
        participant(fx, bob_id).wait_for(state="detached")
        fx.get_by_role("button", name="Leave").click()
        fx.locator("section.call-bar").wait_for(state="detached")
        cr.locator("[data-call-post='ended']", has_text="Call ended").wait_for()
        # the plugin rewrote the post (end_at, "Call ended after …"): that is no edit of admin's
        assert cr.locator(".post__message:has([data-call-post]) .post__edited").count() == 0
        fx.get_by_role("button", name="Start call").wait_for()
        assert fx.errors == [] and cr.errors == []
    finally:
        fx.context.close()
        cr.context.close()

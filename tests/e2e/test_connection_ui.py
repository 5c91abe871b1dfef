"""A lost connection said in the user's language (issue #23): for a Russian-speaking user, the WebSocket
dropped and refused for a while shows a Russian banner until it is back, and a message sent while the
server cannot be reached says so in Russian instead of the browser's English "Failed to fetch"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import composer, new_page, team_with

pytestmark = pytest.mark.e2e

LOST = "Связь с сервером потеряна"


@pytest.fixture(scope="module")
def chinwag() -> Iterator[ServerProcess]:
    srv = ServerProcess().start()
    yield srv
    srv.stop()


def test_lost_connection_in_russian(browser: Any, chinwag: ServerProcess) -> None:
    world = team_with(chinwag, "ivan")
    ivan = chinwag.login("ivan")
    with chinwag.api(ivan) as c:
        assert c.put("/users/me/patch", json={"locale": "ru"}).status_code == 200

    page = new_page(browser)
    allow = {"socket": True}
    sockets: list[Any] = []
    hellos: list[int] = []

    def socket(ws: Any) -> None:
        # the page's WebSocket goes through here: passed on to the server while allowed, refused after
        if not allow["socket"]:
            ws.close()
            return
        server = ws.connect_to_server()

        def from_server(message: Any) -> None:
            if '"hello"' in str(message):
                hellos.append(1)
            ws.send(message)
        server.on_message(from_server)
        sockets.append(ws)

    page.route_web_socket("**/api/v4/websocket**", socket)
    page.goto(chinwag.url + "/login")
    page.locator("input[autocomplete='username']").fill("ivan")
    page.locator("input[type='password']").fill("password1")
    page.locator("button[type='submit']").click()
    page.locator("nav.sidebar").wait_for()
    page.locator("#composer textarea").wait_for()
    deadline = time.monotonic() + 15
    while not hellos:
        assert time.monotonic() < deadline, "the WebSocket never said hello"
        page.wait_for_timeout(100)
    assert page.locator(".banner--warning").count() == 0

    # the socket drops and the server refuses new ones: after a few seconds, a banner in Russian
    allow["socket"] = False
    sockets[-1].close()
    banner = page.get_by_role("status").filter(has_text=LOST)
    banner.wait_for(timeout=15000)
    assert banner.inner_text().startswith("Связь с сервером потеряна. Переподключаемся…")
    shot(page, "connection-lost-ru")

    # a message sent while the server cannot be reached: the reason in Russian, not the browser's English
    page.route("**/api/v4/posts", lambda route: route.abort("internetdisconnected"))
    composer(page).fill("привет")
    composer(page).press("Enter")
    page.get_by_text("Не удаётся связаться с сервером. Проверьте подключение к сети и попробуйте ещё раз.").wait_for()
    assert page.get_by_text("Failed to fetch").count() == 0
    page.unroute("**/api/v4/posts")

    # back: the client reconnects (it retries on its own) and the banner goes
    allow["socket"] = True
    banner.wait_for(state="detached", timeout=40000)
    assert len(sockets) >= 2  # a new socket (resumed: no second hello)
    assert world["team"]["name"] in page.url
    assert not page.errors, page.errors
    page.context.close()

"""Finding 1 of #19, cross-site WebSocket hijacking: a handshake from a foreign page (its Origin, the
victim's session cookie) is refused with 403 before the upgrade; the Site URL, AllowCorsFrom and the
server's own host are let in, and so are clients that send no Origin (bots, mmctl, the mobile app)."""

from __future__ import annotations

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.conftest import World
from tests.ws.conftest import WS, Live


async def _open(live: Live, token: str, origin: str | None) -> WS:
    headers = {"Cookie": f"MMAUTHTOKEN={token}"}
    conn = await websockets.connect(live.url, additional_headers=headers, origin=origin, max_size=None)  # type: ignore[arg-type]
    return WS(conn)


async def test_foreign_origin_refused(world: World, live: Live) -> None:
    alice = await world.user("alice")
    for origin in ("https://evil.example", "http://localhost:8065.evil.example", "null"):
        with pytest.raises(InvalidStatus) as e:
            await _open(live, alice.token, origin)
        assert e.value.response.status_code == 403
    # the Site URL (tests: http://localhost:8065), the server's own host, and no Origin at all
    for origin in ("http://localhost:8065", f"http://127.0.0.1:{live.port}", None):
        ws = await _open(live, alice.token, origin)
        assert (await ws.event("hello"))["broadcast"]["user_id"] == alice.user["id"]
        await ws.close()


async def test_allow_cors_from(world: World, live: Live) -> None:
    alice = await world.user("alice")
    settings = world.srv.config.effective.ServiceSettings
    settings.AllowCorsFrom = "https://app.example https://other.example:8443"
    for origin in ("https://app.example", "https://OTHER.example:8443", "http://localhost:8065"):
        ws = await _open(live, alice.token, origin)
        await ws.event("hello")
        await ws.close()
    with pytest.raises(InvalidStatus):
        await _open(live, alice.token, "https://evil.example")
    settings.AllowCorsFrom = "*"
    ws = await _open(live, alice.token, "https://evil.example")
    await ws.event("hello")
    await ws.close()

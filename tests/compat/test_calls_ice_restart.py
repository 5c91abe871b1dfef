"""A participant's network path breaks mid-call and it restarts ICE, as browsers do on a network change
(``createOffer({iceRestart: true})`` sent over the calls WebSocket as ``…_sdp``): the server answers with
new ICE credentials and candidates on the same peer connection, a new path is found, and the call goes on
in the same session — no leave, no join, the data channel and later renegotiations working over the new
path. aiortc peers against a real ``chinwag serve``; aiortc has no ICE restart of its own, so the peer
restarts with the same shim the SFU uses (``calls.server.ice_restart``), on the offering side."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from aiortc import RTCSessionDescription

from chinwag.plugin.bundled.calls.server import ice_restart
from tests.compat.conftest import LiveServer
from tests.compat.test_calls import DC_PING, PLUGIN, PORTS, WAIT, Participant, _setup, growing

pytestmark = pytest.mark.compat


class _Unplugged:
    """A socket's transport after the network went: what is sent is lost."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport

    def sendto(self, data: bytes, addr: Any = None) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class Roaming(Participant):
    """An app whose network changes: it loses its path, then restarts ICE."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.restart: ice_restart.IceRestart | None = None
        self.restarts: list[asyncio.Task[bool]] = []

    async def _signal(self, desc: dict[str, Any]) -> None:
        if desc["type"] == "answer" and self.restart is not None:
            await self.pc.setRemoteDescription(RTCSessionDescription(desc["sdp"], "answer"))
            ufrag, pwd = ice_restart.ice_credentials(desc["sdp"])
            self.restarts.append(asyncio.create_task(self.restart.finish(ufrag, pwd)))
            self.restart = None
            return
        await super()._signal(desc)

    def unplug(self) -> None:
        """Every datagram of the current ICE path is lost from now on, both ways."""
        ice = ice_restart.ice_transport(self.pc)
        assert ice is not None
        for protocol in ice._connection._protocols:
            protocol.datagram_received = lambda data, addr: None  # type: ignore[method-assign]
            protocol.transport = _Unplugged(protocol.transport)

    async def restart_ice(self) -> bool:
        """The browser's ICE restart: new credentials and candidates in an offer; True once a new path
        carries the connection."""
        restart = await ice_restart.begin(self.pc)
        assert restart is not None
        done = len(self.restarts)
        self.restart = restart
        await self.pc.setLocalDescription(await self.pc.createOffer())
        assert ice_restart.ice_credentials(self.pc.localDescription.sdp)[0] == restart.local_ufrag
        await self._send_sdp()
        for _ in range(int(WAIT * 20)):
            if len(self.restarts) > done and self.restarts[-1].done():
                return self.restarts[-1].result()
            await asyncio.sleep(0.05)
        raise AssertionError(f"the ICE restart did not finish: {[e for e in self.events if 'error' in e['event']]}")


def _server_ports(p: Participant) -> set[int]:
    return {int(m) for m in re.findall(r"a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host",
                                       p.pc.remoteDescription.sdp)}


async def test_ice_restart_keeps_the_session(live_server: LiveServer) -> None:
    admin, channel_id, users, _ = _setup(live_server)
    base = f"/plugins/{PLUGIN}"
    (u1, _, t1), (u2, _, t2), (u3, _, t3) = users
    p1 = Roaming(live_server, t1, u1)
    p2, p3 = Participant(live_server, t2, u2), Participant(live_server, t3, u3)
    try:
        for p in (p1, p2, p3):
            await p.connect()
        await p1.join(channel_id)
        await p2.join(channel_id)
        await growing(p1, 1)
        await growing(p2, 1)
        server_ufrag = ice_restart.ice_credentials(p1.pc.remoteDescription.sdp)[0]
        old_ports = _server_ports(p1)

        # the network under p1's path goes: nothing of it reaches either side any more
        p1.unplug()
        await growing(p1, 0)
        await growing(p2, 0)

        # p1 restarts ICE over the signalling; the server answers with a new ICE session
        assert await p1.restart_ice()
        new_ufrag = ice_restart.ice_credentials(p1.pc.remoteDescription.sdp)[0]
        assert new_ufrag and new_ufrag != server_ufrag
        new_ports = _server_ports(p1)
        assert new_ports and all(PORTS[0] <= port <= PORTS[1] for port in new_ports)
        assert not new_ports & old_ports  # new sockets: a new path
        await growing(p1, 1)
        await growing(p2, 1)
        assert p1.pc.connectionState == "connected"

        # the same session: nobody saw it leave or join again, the call has it as before
        assert not [e for e in p2.events if e["event"].endswith("_user_left")]
        assert len([e for e in p1.events if e["event"].endswith("_join")]) == 1
        async with httpx.AsyncClient(base_url=live_server.url, headers={"Authorization": f"Bearer {t1}"}) as app:
            call = (await app.get(f"{base}/{channel_id}")).json()["call"]
        assert {s["session_id"] for s in call["sessions"]} == {p1.session_id, p2.session_id}

        # the data channel (DTLS and SCTP kept across the restart) answers over the new path
        p1.dc.send(bytes([DC_PING]))
        for _ in range(int(WAIT * 20)):
            if p1.pongs == 2:
                break
            await asyncio.sleep(0.05)
        assert p1.pongs == 2

        # renegotiation goes on after it: a third participant's voice reaches p1 by the server's offer
        await p3.join(channel_id)
        await growing(p1, 2)
        await growing(p3, 2)

        # and a second restart, on a path that works, is as seamless
        assert await p1.restart_ice()
        assert ice_restart.ice_credentials(p1.pc.remoteDescription.sdp)[0] not in (server_ufrag, new_ufrag)
        await growing(p1, 2)
        await growing(p2, 2)
        assert not [e for e in p2.events if e["event"].endswith("_user_left")]
    finally:
        for p in (p1, p2, p3):
            await p.close()
        admin.post(f"/plugins/{PLUGIN}/disable")
        admin.close()

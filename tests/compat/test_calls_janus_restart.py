"""A Janus-backed call survives what breaks under it.

- A Janus restart: Debian's janus 1.1.2 started in the test is stopped and
started again mid-call; the plugin finds its session lost (the WebSocket closed), connects again, makes the
call's room again and has everyone publish and subscribe again: the two-connection participants (what
chinwag's web UI does, here aiortc peers) are told ``reset`` and make both their connections again, the
app's session (bridged) joins through the bridge again. Everyone hears everyone again.
- A network change at a two-connection participant: every datagram of both its connections' paths is lost;
  it restarts ICE on both (the publisher offers new credentials, the subscriber asks for Janus's offer with
  new ones: VideoRoom ``configure`` ``restart``) and hears and is heard again, in the same session."""

from __future__ import annotations

import pytest
from aiortc import RTCPeerConnection

from chinwag.plugin.bundled.calls.server import ice_restart
from tests.compat.conftest import LiveServer
from tests.compat.janus_server import JanusServer, janus_available
from tests.compat.test_calls import Participant
from tests.compat.test_calls_ice_restart import _Unplugged
from tests.compat.test_calls_janus_bridge import WebMember, growing_from, janus_call, janus_fixture
from tests.waiting import until

pytestmark = [pytest.mark.compat,
              pytest.mark.skipif(not janus_available(), reason="Debian's janus package is not installed "
                                 "(scripts/test_system_deps.sh installs it)")]


janus_server = janus_fixture((48000, 48999))


async def test_janus_call_survives_a_janus_restart(live_server: LiveServer, janus_server: JanusServer) -> None:
    async with janus_call(live_server, janus_server) as call:
        channel_id = call.channel_id
        (u1, _, t1), (u2, _, t2), (u3, _, t3) = call.users
        web1, web2, app = WebMember(live_server, t1, u1), WebMember(live_server, t2, u2), Participant(live_server, t3, u3)
        await call.connect(web1, web2, app)
        await web1.join(channel_id)
        await web1.event("call_start", channelID=channel_id)
        await web2.join(channel_id)
        await app.join(channel_id)
        await growing_from(web1, {web2.session_id, app.session_id})
        await growing_from(web2, {web1.session_id, app.session_id})
        await growing_from(app, {web1.session_id, web2.session_id})

        janus_server.restart()
        # the plugin connects again and tells the web members to publish and subscribe again
        await until(lambda: web1.resets >= 1 and web2.resets >= 1, timeout=60)
        assert (web1.resets, web2.resets) == (1, 1)
        await growing_from(web1, {web2.session_id, app.session_id})
        await growing_from(web2, {web1.session_id, app.session_id})
        await growing_from(app, {web1.session_id, web2.session_id})
        # still one call, with everyone in it
        assert call.session_users(t1) == {u1, u2, u3}


def unplug(pc: RTCPeerConnection) -> None:
    """Every datagram of the connection's current ICE path is lost from now on, both ways."""
    ice = ice_restart.ice_transport(pc)
    assert ice is not None
    for protocol in ice._connection._protocols:
        protocol.datagram_received = lambda data, addr: None  # type: ignore[method-assign]
        protocol.transport = _Unplugged(protocol.transport)


async def test_ice_restart_on_both_janus_connections(live_server: LiveServer, janus_server: JanusServer) -> None:
    async with janus_call(live_server, janus_server) as call:
        channel_id = call.channel_id
        (u1, _, t1), (u2, _, t2), _u3 = call.users
        roaming, web = WebMember(live_server, t1, u1), WebMember(live_server, t2, u2)
        await call.connect(roaming, web)
        await roaming.join(channel_id)
        await web.join(channel_id)
        await growing_from(roaming, {web.session_id})
        await growing_from(web, {roaming.session_id})

        unplug(roaming.pub)
        unplug(roaming.sub)
        await growing_from(web, set())
        await growing_from(roaming, set())
        assert await roaming.restart_publisher_ice()
        await growing_from(web, {roaming.session_id})
        assert await roaming.restart_subscriber_ice()
        await growing_from(roaming, {web.session_id})
        # the same two sessions, no reset
        assert roaming.resets == web.resets == 0
        assert call.session_users(t1) == {u1, u2}

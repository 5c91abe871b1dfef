"""A Janus-backed call in a two-node cluster: the plugin's ``SFU: "janus"`` against Debian's janus started in
the test. An app (one connection, bridged into the VideoRoom room by the call's host node) has its WebSocket
on node A and starts the call; a two-connection participant (the web UI's signalling: ``janus_sdp`` /
``janus_ice`` / ``janus_signal``) has its WebSocket on node B, whose plugin forwards those messages to the
host like any calls message. Each hears the other; a mute through node B stops that participant's stream;
its leave takes it out of the call on both nodes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.cluster.conftest import needs_pg_and_redis, two_nodes
from tests.cluster.test_cluster_calls import PLUGIN, PORTS, _same_on_both, _setup
from tests.compat.janus_server import API_SECRET, JanusServer, janus_available
from tests.compat.test_calls import Participant
from tests.compat.test_calls_janus_bridge import WebMember, growing_from
from tests.procs import ServerProcess

pytestmark = [needs_pg_and_redis,
              pytest.mark.skipif(not janus_available(), reason="Debian's janus package is not installed "
                                 "(scripts/test_system_deps.sh installs it)")]


@pytest.fixture
def nodes() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with two_nodes() as ab:
        yield ab


@pytest.fixture
def janus_server() -> Iterator[JanusServer]:
    server = JanusServer(rtp_ports=(47000, 47999)).start()
    yield server
    server.stop()


def _use_janus(a: ServerProcess, url: str) -> None:
    """The plugin's calls on Janus, its SFU on every interface (the bridge's connections and Janus meet on the
    machine's addresses)."""
    root = httpx.post(a.api + "/users/login", json={"login_id": "root", "password": "calls-pass"}).headers["Token"]
    r = httpx.put(a.api + "/config/patch", headers={"Authorization": f"Bearer {root}"}, json={"PluginSettings": {
        "Plugins": {PLUGIN: {"udpserveraddress": "", "udpportmin": PORTS[0], "udpportmax": PORTS[1], "sfu": "janus",
                             "janusurl": url, "janusapisecret": API_SECRET}}}})
    assert r.status_code == 200, r.text


async def test_janus_call_across_two_nodes(nodes: tuple[ServerProcess, ServerProcess],
                                           janus_server: JanusServer) -> None:
    a, b = nodes
    channel_id, ((u1, t1), (u2, t2)) = _setup(a, b)
    _use_janus(a, janus_server.url)
    app = Participant(a, t1, u1)  # type: ignore[arg-type]  # the WebSocket on node A
    web = WebMember(b, t2, u2)  # type: ignore[arg-type]  # the WebSocket on node B
    peers: list[Any] = [app, web]
    try:
        for p in peers:
            await p.connect()
        await app.join(channel_id)
        await app.event("call_start", channelID=channel_id)
        await web.join(channel_id)  # its join event says sfu "janus": node A's plugin answered through B's
        await app.event("user_joined", user_id=u2, session_id=web.session_id)
        await growing_from(app, {web.session_id})
        await growing_from(web, {app.session_id})
        state = await _same_on_both(a, b, t1, f"/{channel_id}",
                                    lambda s: len((s.get("call") or {}).get("sessions") or []) == 2)
        assert {s["user_id"] for s in state["call"]["sessions"]} == {u1, u2}

        # a mute through node B: Janus stops relaying that stream
        await web.send("mute")
        await app.event("user_muted", userID=u2, session_id=web.session_id)
        await growing_from(app, set())
        await growing_from(web, {app.session_id})

        await web.send("leave")
        await app.event("user_left", user_id=u2, session_id=web.session_id)
        await _same_on_both(a, b, t1, f"/{channel_id}",
                            lambda s: [x["user_id"] for x in (s.get("call") or {}).get("sessions") or []] == [u1])
    except AssertionError as e:
        raise AssertionError(f"{e}\n--- janus:\n{janus_server.log()[-3000:]}") from e
    finally:
        for p in peers:
            await p.close()

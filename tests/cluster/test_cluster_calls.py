"""Calls in a two-node cluster: the apps' WebSockets on different nodes join one call per channel. The node
that claimed the channel's call hosts it (its SFU carries the media); the other node forwards its clients'
calls messages to it over the cluster bus, and the host's events reach them as WebSocket events. The REST
state is the same on both nodes. When the host node dies, the other node ends the call (``call_end``, the
post updated) and a new call can start there. aiortc peers stand in for the apps (tests/compat/test_calls.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.cluster.conftest import needs_pg_and_redis, two_nodes
from tests.compat.test_calls import WAIT, Participant, growing
from tests.procs import ServerProcess

pytestmark = needs_pg_and_redis

PLUGIN = "com.mattermost.calls"
BASE = f"/plugins/{PLUGIN}"
PREFIX_EVENTS = f"custom_{PLUGIN}_"
PORTS = (43000, 43999)  # the SFUs' UDP port range here (both nodes take ports from it)


@pytest.fixture
def nodes() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with two_nodes() as ab:
        yield ab


def _login(api: str, name: str) -> tuple[str, str]:
    r = httpx.post(api + "/users/login", json={"login_id": name, "password": "calls-pass"})
    assert r.status_code == 200, r.text
    return r.json()["id"], r.headers["Token"]


def _setup(a: ServerProcess, b: ServerProcess) -> tuple[str, list[tuple[str, str]]]:
    """An admin (the first account), a channel with two members, the calls plugin on (running on both nodes)."""
    httpx.post(a.api + "/users", json={"username": "root", "email": "root@example.com", "password": "calls-pass"})
    _, root = _login(a.api, "root")
    h = {"Authorization": f"Bearer {root}"}
    with httpx.Client(base_url=a.api, headers=h, timeout=15) as admin:
        team = admin.post("/teams", json={"name": "calls", "display_name": "Calls", "type": "O"}).json()
        channel = admin.post("/channels", json={"team_id": team["id"], "name": "huddle", "display_name": "Huddle",
                                                "type": "O"}).json()
        users = []
        for i in range(2):
            u = admin.post("/users", json={"username": f"caller{i}", "email": f"caller{i}@example.com",
                                           "password": "calls-pass"}).json()
            admin.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": u["id"]})
            admin.post(f"/channels/{channel['id']}/members", json={"user_id": u["id"]})
            users.append(_login(a.api, f"caller{i}"))
        r = admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
            "udpserveraddress": "127.0.0.1", "udpportmin": PORTS[0], "udpportmax": PORTS[1]}}}})
        assert r.status_code == 200, r.text
        r = admin.post(f"/plugins/{PLUGIN}/enable")
        assert r.status_code == 200, r.text

    def running_on_both() -> bool:
        statuses = httpx.get(b.api + "/plugins/statuses", headers=h).json()
        mine = [s for s in statuses if s["plugin_id"] == PLUGIN]
        return len({s["cluster_id"] for s in mine}) == 2 and all(s["state"] == 2 for s in mine)

    _until(running_on_both, "the calls plugin to run on both nodes")
    return channel["id"], users


def _until(check: Any, what: str) -> None:
    for _ in range(int(WAIT * 10)):
        if check():
            return
        import time

        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def _state(node: ServerProcess, token: str, path: str) -> Any:
    async with httpx.AsyncClient(base_url=node.url, headers={"Authorization": f"Bearer {token}"}, timeout=15) as c:
        r = await c.get(BASE + path)
        assert r.status_code == 200, r.text
        return r.json()


async def _same_on_both(a: ServerProcess, b: ServerProcess, token: str, path: str, check: Any) -> Any:
    """Poll until node A's answer for ``path`` passes ``check`` and node B answers the same; that answer."""
    last: Any = None
    for _ in range(int(WAIT * 10)):
        on_a, on_b = await _state(a, token, path), await _state(b, token, path)
        last = (on_a, on_b)
        if on_a == on_b and check(on_a):
            return on_a
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path}: nodes disagree or check failed: {last}")


def _count(p: Participant, name: str) -> int:
    return sum(1 for e in p.events if e["event"] == PREFIX_EVENTS + name)


async def test_one_call_across_two_nodes(nodes: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = nodes
    channel_id, ((u1, t1), (u2, t2)) = _setup(a, b)
    p1 = Participant(a, t1, u1)  # type: ignore[arg-type]  # the WebSocket on node A
    p2 = Participant(b, t2, u2)  # type: ignore[arg-type]  # the WebSocket on node B
    try:
        await p1.connect()
        await p2.connect()
        # both join at once through different nodes: one of them claims the call, the other joins it
        await asyncio.gather(p1.join(channel_id), p2.join(channel_id))
        start = await p1.event("call_start", channelID=channel_id)
        assert (await p2.event("call_start", channelID=channel_id))["data"]["id"] == start["data"]["id"]
        await p1.event("user_joined", user_id=u2, session_id=p2.session_id)
        await p2.event("user_joined", user_id=u1, session_id=p1.session_id)
        assert _count(p1, "call_start") == 1 and _count(p2, "call_start") == 1

        # media flows between a client of each node (both peer connections are with the host's SFU)
        await growing(p1, 1)
        await growing(p2, 1)

        # the REST state is the same on both nodes
        state = await _same_on_both(a, b, t1, f"/{channel_id}",
                                    lambda s: len((s.get("call") or {}).get("sessions") or []) == 2)
        assert state["call"]["id"] == start["data"]["id"]
        assert {s["user_id"] for s in state["call"]["sessions"]} == {u1, u2}
        listed = await _same_on_both(a, b, t2, "/channels", lambda c: len(c) == 1)
        assert listed[0]["channel_id"] == channel_id and listed[0]["call"]["id"] == start["data"]["id"]

        # mute on either node is seen on the other and stops that sender's audio
        await p2.send("mute")
        await p1.event("user_muted", userID=u2, session_id=p2.session_id)
        await p2.event("user_muted", userID=u2, session_id=p2.session_id)
        await growing(p1, 0)
        await growing(p2, 1)
        await _same_on_both(a, b, t1, f"/{channel_id}", lambda s: not next(
            x for x in s["call"]["sessions"] if x["user_id"] == u2)["unmuted"])
        await p1.send("mute")
        await p2.event("user_muted", userID=u1, session_id=p1.session_id)
        await growing(p2, 0)
        await p2.send("unmute")
        await p1.event("user_unmuted", userID=u2, session_id=p2.session_id)
        await growing(p1, 1)
        await p2.send("raise_hand")
        await p1.event("user_raise_hand", userID=u2, session_id=p2.session_id)

        # host controls asked of either node are checked there and carried out by the host node: the hand
        # lowered through node B, the other user made host through node A (whichever node hosts the call)
        host_token, other = (t1, u2) if state["call"]["host_id"] == u1 else (t2, u1)
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {host_token}"}, timeout=15) as c:
            r = await c.post(f"{b.url}{BASE}/calls/{channel_id}/host/lower-hand", json={"session_id": p2.session_id})
            assert r.status_code == 200, r.text
            await p2.event("host_lower_hand", session_id=p2.session_id)
            await p1.event("user_unraise_hand", userID=u2, session_id=p2.session_id)
            r = await c.post(f"{a.url}{BASE}/calls/{channel_id}/host/make", json={"new_host_id": other})
            assert r.status_code == 200, r.text
        for p in (p1, p2):
            await p.event("call_host_changed", hostID=other)
        await _same_on_both(a, b, t1, f"/{channel_id}", lambda s: s["call"]["host_id"] == other)

        # the WebSockets drop and come back through the other node each (the apps' reconnect): the sessions
        # and their media go on, their messages now reach the host from the other side
        p1.server, p2.server = b, a  # type: ignore[assignment]
        await p1.reconnect(channel_id)
        await p2.reconnect(channel_id)
        await p2.send("mute")
        await p1.event("user_muted", userID=u2, session_id=p2.session_id)
        await p1.send("unmute")
        await p2.event("user_unmuted", userID=u1, session_id=p1.session_id)
        await growing(p2, 1)
        await growing(p1, 0)

        # leaving: the other node's client sees it, both nodes' state shows it; the last leave ends the call
        await p2.send("leave")
        await p1.event("user_left", user_id=u2, session_id=p2.session_id)
        await _same_on_both(a, b, t2, f"/{channel_id}",
                            lambda s: [x["user_id"] for x in s["call"]["sessions"]] == [u1])
        await p1.send("leave")
        await p2.event("call_end", channelID=channel_id, callID=start["data"]["id"])
        await p1.event("call_end", channelID=channel_id)
        await _same_on_both(a, b, t1, f"/{channel_id}", lambda s: "call" not in s)
        assert await _same_on_both(a, b, t1, "/channels", lambda c: c == []) == []
        async with httpx.AsyncClient(base_url=b.api, headers={"Authorization": f"Bearer {t2}"}) as c:
            post = (await c.get(f"/posts/{start['data']['post_id']}")).json()
        assert post["props"]["end_at"] >= post["props"]["start_at"]
        assert set(post["props"]["participants"]) == {u1, u2}
    finally:
        for p in (p1, p2):
            await p.close()


async def test_host_node_dies_the_call_ends_for_the_others(nodes: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = nodes
    channel_id, ((u1, t1), (u2, t2)) = _setup(a, b)
    p1 = Participant(a, t1, u1)  # type: ignore[arg-type]
    p2 = Participant(b, t2, u2)  # type: ignore[arg-type]
    p3 = Participant(b, t2, u2)  # type: ignore[arg-type]
    try:
        await p1.connect()
        await p2.connect()
        await p1.join(channel_id)  # node A hosts the call
        start = await p1.event("call_start", channelID=channel_id)
        await p2.join(channel_id)
        await p1.event("user_joined", user_id=u2)
        await growing(p2, 1)

        a.kill()  # node A (and with it the call's SFU) is gone, without a word
        end = await p2.event("call_end", channelID=channel_id)
        assert end["data"]["callID"] == start["data"]["id"]
        async with httpx.AsyncClient(base_url=b.url, headers={"Authorization": f"Bearer {t2}"}) as c:
            post = (await c.get(f"/api/v4/posts/{start['data']['post_id']}")).json()
            assert post["props"]["end_at"] >= post["props"]["start_at"]
            assert set(post["props"]["participants"]) == {u1, u2}
            assert "call" not in (await c.get(f"{BASE}/{channel_id}")).json()
            assert (await c.get(f"{BASE}/channels")).json() == []

        # a new call starts on the node that is left
        await p3.connect()
        await p3.join(channel_id)
        again = await p3.event("call_start", channelID=channel_id)
        assert again["data"]["id"] != start["data"]["id"]
        state = await _state(b, t2, f"/{channel_id}")
        assert [s["session_id"] for s in state["call"]["sessions"]] == [p3.session_id]
    finally:
        for p in (p1, p2, p3):
            await p.close()

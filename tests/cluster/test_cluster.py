"""Two real server processes sharing one PostgreSQL and one Redis."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from tests.cluster.conftest import needs_pg_and_redis
from tests.procs import ServerProcess, alice_and_bob
from tests.ws.conftest import WS

pytestmark = needs_pg_and_redis  # the two nodes: the ``cluster`` fixture (tests/cluster/conftest.py)


async def _post(api: str, token: str, channel: str, message: str) -> None:
    async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {token}"}) as c:
        r = await c.post("/posts", json={"channel_id": channel, "message": message})
        assert r.status_code == 201, r.text


async def test_post_on_one_node_reaches_websocket_on_the_other(cluster: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = cluster
    ids = await alice_and_bob(a.api)
    ws = await WS.connect(b.ws_url, ids["bob"])
    await ws.event("hello")
    await _post(a.api, ids["alice"], ids["channel"], "across nodes")
    e = await ws.event("posted", lambda e: json.loads(e["data"]["post"])["message"] == "across nodes")
    assert e["seq"] >= 1
    # logging out on node A is seen by node B's session cache
    async with httpx.AsyncClient(base_url=a.api, headers={"Authorization": f"Bearer {ids['bob']}"}) as c:
        assert (await c.post("/users/logout")).status_code == 200
    # node B hears of it by the cluster's event bus, a moment later
    async with httpx.AsyncClient(base_url=b.api, headers={"Authorization": f"Bearer {ids['bob']}"}) as c:
        deadline = time.monotonic() + 10
        while (status := (await c.get("/users/me")).status_code) != 401 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert status == 401
    await ws.close()


async def test_node_killed_mid_stream_client_resumes_on_other_node(
        cluster: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = cluster
    ids = await alice_and_bob(a.api)
    ws = await WS.connect(a.ws_url, ids["bob"])
    await ws.event("hello")
    total = 300

    async def poster() -> None:
        for i in range(total):
            await _post(b.api, ids["alice"], ids["channel"], f"m{i}")
            if i == 100:
                a.kill()  # node A dies while events stream in

    await poster()
    received = ws.posted()
    assert len(received) < total
    conn_id, next_seq = ws.connection_id, ws.next_seq
    ws2 = await WS.connect(b.ws_url, ids["bob"], f"connection_id={conn_id}&sequence_number={next_seq}")

    def all_in() -> bool:
        return len([e for e in ws2.events if e["event"] == "posted"]) + len(received) >= total

    await ws2.wait(all_in, timeout=20)
    assert "hello" not in ws2.names()
    resumed = ws2.posted()
    assert received + resumed == [f"m{i}" for i in range(total)]
    seqs = [e["seq"] for e in ws2.events]
    assert seqs == list(range(next_seq, next_seq + len(seqs)))
    await ws2.close()


async def test_presence_spans_nodes(cluster: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = cluster
    ids = await alice_and_bob(a.api)
    wa = await WS.connect(a.ws_url, ids["bob"])
    wb = await WS.connect(b.ws_url, ids["bob"])
    await wa.event("hello")
    await wb.event("hello")

    async def status() -> str:
        async with httpx.AsyncClient(base_url=a.api, headers={"Authorization": f"Bearer {ids['alice']}"}) as c:
            me = (await c.get("/users/username/bob")).json()
            return str((await c.get(f"/users/{me['id']}/status")).json()["status"])

    for _ in range(50):
        if await status() == "online":
            break
        await asyncio.sleep(0.1)
    assert await status() == "online"
    await wa.close()
    await asyncio.sleep(7)  # longer than the disconnect grace
    assert await status() == "online"  # still connected to node B
    await wb.close()
    for _ in range(100):
        if await status() == "offline":
            break
        await asyncio.sleep(0.1)
    assert await status() == "offline"



async def test_channel_pinned_count_follows_pins_on_the_other_node(
        cluster: tuple[ServerProcess, ServerProcess]) -> None:
    """Node B caches a channel's pinned count (GET /channels/{id}/stats without files); a pin, an unpin and a
    deletion on node A reach it through the event stream."""
    from tests.waiting import until_async

    a, b = cluster
    ids = await alice_and_bob(a.api)
    channel = ids["channel"]
    h = {"Authorization": f"Bearer {ids['alice']}"}
    async with httpx.AsyncClient(base_url=a.api, headers=h) as ca, \
            httpx.AsyncClient(base_url=b.api, headers=h) as cb:
        post = (await ca.post("/posts", json={"channel_id": channel, "message": "pin me"})).json()

        async def pinned_on_b() -> int:
            r = await cb.get(f"/channels/{channel}/stats", params={"exclude_files_count": "true"})
            return int(r.json()["pinnedpost_count"])

        for change, before, after in [
            (ca.post(f"/posts/{post['id']}/pin"), 0, 1),
            (ca.post(f"/posts/{post['id']}/unpin"), 1, 0),
            (ca.post(f"/posts/{post['id']}/pin"), 0, 1),
            (ca.delete(f"/posts/{post['id']}"), 1, 0),
        ]:
            assert await pinned_on_b() == before  # now cached on B
            r = await change
            assert r.status_code == 200, r.text

            async def moved(n: int = after) -> bool:
                return await pinned_on_b() == n

            await until_async(moved)
            assert await pinned_on_b() == after


async def test_channel_member_counts_follow_changes_on_the_other_node(
        cluster: tuple[ServerProcess, ServerProcess]) -> None:
    """Node B caches a channel's member counts (GET /channels/{id}/stats); a deactivation and a
    reactivation on node A reach it through the event stream."""
    from tests.waiting import until_async

    a, b = cluster
    ids = await alice_and_bob(a.api)
    channel = ids["channel"]
    h = {"Authorization": f"Bearer {ids['alice']}"}
    async with httpx.AsyncClient(base_url=a.api, headers=h) as ca, \
            httpx.AsyncClient(base_url=b.api, headers=h) as cb:
        bob_id = (await ca.get("/users/username/bob")).json()["id"]

        async def count_on_b() -> int:
            return int((await cb.get(f"/channels/{channel}/stats")).json()["member_count"])

        for change, before, after in [
            (ca.delete(f"/users/{bob_id}"), 2, 1),  # deactivated
            (ca.put(f"/users/{bob_id}/active", json={"active": True}), 1, 2),  # reactivated
        ]:
            assert await count_on_b() == before  # now cached on B
            r = await change
            assert r.status_code == 200, r.text

            async def moved(n: int = after) -> bool:
                return await count_on_b() == n

            await until_async(moved)
            assert await count_on_b() == after


async def test_password_change_on_one_node_drops_the_cached_user_on_the_other(
        cluster: tuple[ServerProcess, ServerProcess]) -> None:
    """Node B caches bob (10 minutes); his password changed on node A reaches B's cache through the
    stream (an internal ``_user_changed``: no client event), so B answers the new ``last_password_update``."""
    from tests.waiting import until_async

    a, b = cluster
    ids = await alice_and_bob(a.api)
    h = {"Authorization": f"Bearer {ids['bob']}"}
    async with httpx.AsyncClient(base_url=a.api, headers=h) as ca, \
            httpx.AsyncClient(base_url=b.api, headers=h) as cb:
        before = (await cb.get("/users/me")).json()["last_password_update"]  # now cached on B
        r = await ca.put("/users/me/password", json={"current_password": "password", "new_password": "password2"})
        assert r.status_code == 200, r.text
        changed = (await ca.get("/users/me")).json()["last_password_update"]
        assert changed > before

        async def seen_on_b() -> bool:
            return bool((await cb.get("/users/me")).json()["last_password_update"] == changed)

        await until_async(seen_on_b)

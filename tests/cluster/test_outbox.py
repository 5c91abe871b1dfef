"""The outbox under faults (issue 18): a node that accepted posts during a Redis outage and died before
Redis came back does not take their events with it — another node (or its own restart) relays them
from the outbox once Redis returns; a node that died after adding its events to the Redis stream but
before deleting their outbox rows does not have them delivered twice when another node relays the rows
again. Two real server processes on one PostgreSQL and a Redis of the test's own (the shared one is
never stopped)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

import httpx
import pytest
import redis

from tests.cluster.conftest import two_nodes
from tests.conftest import PG_OK
from tests.procs import ServerProcess, alice_and_bob, free_port
from tests.ws.conftest import WS

pytestmark = pytest.mark.skipif(not PG_OK, reason="needs PostgreSQL")


class PrivateRedis:
    """A redis-server on a free port that the test may kill and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                if redis.Redis(port=self.port, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Cluster(NamedTuple):
    redis: PrivateRedis
    a: ServerProcess
    b: ServerProcess
    database_url: str


@pytest.fixture
def private_redis_cluster() -> Iterator[Cluster]:
    """The shared two-node setup on a Redis of the test's own."""
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode != 0:
        pytest.skip("needs redis-server")
    r = PrivateRedis()
    r.start()
    try:
        with two_nodes({"MM_REDISSETTINGS_URL": f"redis://127.0.0.1:{r.port}/0"}) as (a, b):
            yield Cluster(r, a, b, a.env["MM_SQLSETTINGS_DATASOURCE"])
    finally:
        r.kill()


@pytest.fixture
def outage(private_redis_cluster: Cluster) -> tuple[PrivateRedis, ServerProcess, ServerProcess]:
    c = private_redis_cluster
    return c.redis, c.a, c.b


async def test_posts_accepted_during_a_redis_outage_by_a_node_that_dies_are_delivered(
        outage: tuple[PrivateRedis, ServerProcess, ServerProcess]) -> None:
    red, a, b = outage
    ids = await alice_and_bob(a.api)
    ws = await WS.connect(b.ws_url, ids["bob"])
    await ws.event("hello")
    async with httpx.AsyncClient(base_url=a.api, headers={"Authorization": f"Bearer {ids['alice']}"},
                                 timeout=30) as c:
        r = await c.post("/posts", json={"channel_id": ids["channel"], "message": "before"})
        assert r.status_code == 201, r.text
        await ws.event("posted", lambda e: json.loads(e["data"]["post"])["message"] == "before")

        red.kill()  # Redis goes away; node A keeps accepting posts (they are in the database)
        accepted: list[str] = []
        for i in range(5):
            r = await c.post("/posts", json={"channel_id": ids["channel"], "message": f"during {i}"})
            assert r.status_code == 201, r.text
            accepted.append(f"during {i}")
    a.kill()  # ... and dies before Redis returns, with the events only in its memory and the outbox
    red.start()

    def all_in(_: Any = None) -> bool:
        return all(m in ws.posted() for m in accepted)

    await ws.wait(all_in, timeout=40)  # node B relays A's outbox rows once A's hold on them is stale
    got = ws.posted()
    assert got.count("before") == 1
    assert [m for m in got if m.startswith("during")] == accepted  # in order, each once
    await ws.close()


async def test_rows_relayed_again_after_their_node_died_between_the_xadd_and_the_delete_are_delivered_once(
        private_redis_cluster: Cluster) -> None:
    import asyncpg

    cluster = private_redis_cluster
    ids = await alice_and_bob(cluster.a.api)
    ws = await WS.connect(cluster.b.ws_url, ids["bob"])
    await ws.event("hello")
    db = await asyncpg.connect(cluster.database_url.replace("postgres://", "postgresql://", 1))
    try:
        # node A's relay can add its events to the stream but not delete their outbox rows: the window
        # between the XADD and the delete, held open
        await db.execute("""
            CREATE FUNCTION keep_outbox() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'held'; END $$
            LANGUAGE plpgsql;
            CREATE TRIGGER keep_outbox BEFORE DELETE ON outbox FOR EACH ROW EXECUTE FUNCTION keep_outbox();
        """)
        sent = [f"once {i}" for i in range(3)]
        async with httpx.AsyncClient(base_url=cluster.a.api, timeout=30,
                                     headers={"Authorization": f"Bearer {ids['alice']}"}) as c:
            for m in sent:
                r = await c.post("/posts", json={"channel_id": ids["channel"], "message": m})
                assert r.status_code == 201, r.text
        await ws.wait(lambda _=None: all(m in ws.posted() for m in sent), timeout=20)  # delivered live
        assert await db.fetchval("SELECT count(*) FROM outbox") > 0  # ... and their rows still there
        cluster.a.kill()  # A dies in the window
        await db.execute("DROP TRIGGER keep_outbox ON outbox")
        # B takes the stale rows over and relays them again; wait until they are done
        end = time.monotonic() + 60
        while await db.fetchval("SELECT count(*) FROM outbox") and time.monotonic() < end:
            await asyncio.sleep(0.2)
        assert await db.fetchval("SELECT count(*) FROM outbox") == 0
    finally:
        await db.close()
    async with httpx.AsyncClient(base_url=cluster.b.api, timeout=30,
                                 headers={"Authorization": f"Bearer {ids['alice']}"}) as c:
        r = await c.post("/posts", json={"channel_id": ids["channel"], "message": "after"})
        assert r.status_code == 201, r.text
    # anything B relayed again was added to the stream before "after"
    await ws.event("posted", lambda e: json.loads(e["data"]["post"])["message"] == "after", timeout=20)
    got = ws.posted()
    assert [m for m in got if m.startswith("once")] == sent  # live: each once, in order
    # the history a resume replays from: each once too
    stream = redis.Redis(port=cluster.redis.port)
    [key] = stream.keys("chinwag:*:events")
    history = [json.loads(f[b"d"]) for _, f in stream.xrange(key)]
    replayed = [json.loads(e["data"]["post"])["message"] for e in history if e["event"] == "posted"]
    assert [m for m in replayed if m.startswith("once")] == sent
    # the guards of the rows went with the rows
    end = time.monotonic() + 10
    while stream.keys("chinwag:*:outbox:*") and time.monotonic() < end:
        await asyncio.sleep(0.1)
    assert not stream.keys("chinwag:*:outbox:*")
    await ws.close()

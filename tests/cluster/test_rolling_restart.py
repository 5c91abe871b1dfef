"""A rolling restart, as Kubernetes does one (deploy/helm: maxSurge 1, maxUnavailable 0, preStop,
SIGTERM): three `chinwag serve` processes behind a round-robin load balancer (tests/cluster/lb.py)
share PostgreSQL and Redis; 50 clients post over HTTP and listen on WebSockets through the
balancer while each process in turn is replaced — a new one joins the ring, the old one leaves
the ring, then gets SIGTERM and drains. No accepted post may be missing from any listener, no
listener may see a gap in its event sequence, and every listener must resume (no second hello)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis
import websockets

from tests.cluster.lb import LoadBalancer
from tests.conftest import PG_OK, PG_URL
from tests.procs import ServerProcess, create_pg_database, workdir


def _redis_ok() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping())
    except Exception:
        return False


pytestmark = pytest.mark.skipif(not (PG_OK and _redis_ok()), reason="needs PostgreSQL and Redis")

USERS, SESSIONS_PER_USER = 5, 10  # 50 clients (each a session of its own: an access token)
POST_INTERVAL = 1.0  # seconds between one client's posts (≈50 posts/s in all)


class Listener:
    """A WebSocket client that reconnects through the balancer and resumes, as the Mattermost
    clients do after a 1012 (service restart) close."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.connection_id = ""
        self.next_seq = 0
        self.hellos = 0
        self.closes: list[int | None] = []
        self.gaps: list[tuple[int, int]] = []
        self.posts: dict[str, str] = {}
        self.errors: list[str] = []
        self.ready = asyncio.Event()
        self.stopping = False

    async def run(self) -> None:
        while not self.stopping:
            query = (f"?connection_id={self.connection_id}&sequence_number={self.next_seq}"
                     if self.connection_id else "")
            code: int | None = None
            try:
                async with websockets.connect(self.url + query, max_size=None, open_timeout=15,
                                              additional_headers={"Authorization": f"Bearer {self.token}"},
                                              ping_interval=None) as ws:
                    try:
                        async for raw in ws:
                            self._frame(json.loads(raw))
                    finally:
                        code = ws.close_code
            except (OSError, TimeoutError, websockets.WebSocketException):
                pass
            except Exception as e:  # a frame the test did not expect: keep it for the report
                self.errors.append(repr(e))
            if self.stopping:
                return
            self.closes.append(code)
            await asyncio.sleep(random.uniform(0.05, 0.3))

    def _frame(self, frame: dict[str, Any]) -> None:
        if "seq_reply" in frame:
            return
        if frame["event"] == "hello":
            self.hellos += 1
            self.connection_id = frame["data"]["connection_id"]
            self.next_seq = 1
            self.ready.set()
            return
        if frame["seq"] != self.next_seq:
            self.gaps.append((self.next_seq, frame["seq"]))
        self.next_seq = frame["seq"] + 1
        if frame["event"] == "posted":
            post = json.loads(frame["data"]["post"])
            self.posts[post["id"]] = post["message"]


class Cluster:
    def __init__(self, lb: LoadBalancer, env: dict[str, str], wd: str) -> None:
        self.lb, self.env, self.wd = lb, env, wd
        self.nodes: dict[int, ServerProcess] = {}  # by port
        self.standby: list[asyncio.Task[ServerProcess]] = []

    async def start_node(self) -> ServerProcess:
        node = await asyncio.to_thread(ServerProcess(self.env, self.wd).start, 120)
        self.nodes[node.port] = node
        return node


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    url, drop = await asyncio.to_thread(create_pg_database, PG_URL)
    wd = workdir()
    env = {"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
           "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"), "MM_REDISSETTINGS_ENABLE": "true",
           "MM_REDISSETTINGS_URL": "redis://127.0.0.1:6379/0",
           "MM_CLUSTERSETTINGS_ENABLE": "true",
           "MM_CLUSTERSETTINGS_CLUSTERNAME": f"test-{uuid.uuid4().hex[:8]}",
           "MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS": "true",
           # four processes at once during a surge, on a PostgreSQL other suites share: a preset's
           # pool (deploy/helm/chinwag/presets.yaml), not the default 40 per process
           "MM_SQLSETTINGS_MAXOPENCONNS": "10",
           "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5",
           # as the chart runs it: JSON console lines (the default console renderer draws each
           # traceback with its locals, which takes seconds on a busy machine and stretches a drain)
           "MM_LOGSETTINGS_CONSOLEJSON": "true", "MM_LOGSETTINGS_CONSOLELEVEL": "WARN"}
    c = Cluster(await LoadBalancer().start(), env, wd)
    try:
        await c.start_node()  # migrates the new database
        for node in await asyncio.gather(c.start_node(), c.start_node()):
            c.lb.add(node.port)
        c.lb.add(next(iter(c.nodes)))
        # the three that replace them in the rolling update start meanwhile (a process start takes
        # seconds on this shared machine, and is not what is tested); they join the balancer one
        # at a time during the update
        c.standby = [asyncio.create_task(c.start_node()) for _ in range(3)]
        yield c
    finally:
        for t in c.standby:
            with contextlib.suppress(Exception):
                await t
        await c.lb.close()
        for n in c.nodes.values():
            await asyncio.to_thread(n.stop)
        await asyncio.to_thread(drop)
        r = redis.Redis()
        for key in r.scan_iter(f"chinwag:{env['MM_CLUSTERSETTINGS_CLUSTERNAME']}:*"):
            r.delete(key)


async def _setup(api: str) -> tuple[list[str], str]:
    """An admin, USERS users in one team's town square, SESSIONS_PER_USER access tokens each."""
    async with httpx.AsyncClient(base_url=api, timeout=30) as c:
        await c.post("/users", json={"username": "admin", "email": "admin@example.com", "password": "password"})
        r = await c.post("/users/login", json={"login_id": "admin", "password": "password"})
        c.headers["Authorization"] = f"Bearer {r.headers['Token']}"
        team = (await c.post("/teams", json={"name": "t1", "display_name": "T1", "type": "O"})).json()
        town = (await c.get(f"/teams/{team['id']}/channels/name/town-square")).json()
        tokens: list[str] = []
        for i in range(USERS):
            u = (await c.post("/users", json={"username": f"user{i}", "email": f"user{i}@example.com",
                                              "password": "password"})).json()
            r = await c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": u["id"]})
            assert r.status_code == 201, r.text
            r = await c.post(f"/channels/{town['id']}/members", json={"user_id": u["id"]})
            assert r.status_code == 201, r.text
            made = await asyncio.gather(*(c.post(f"/users/{u['id']}/tokens", json={"description": f"client {s}"})
                                          for s in range(SESSIONS_PER_USER)))
            assert all(r.status_code == 200 for r in made), [r.text for r in made]
            tokens += [r.json()["token"] for r in made]
        return tokens, town["id"]


async def test_rolling_restart_loses_nothing(cluster: Cluster) -> None:
    lb = cluster.lb
    api = lb.url + "/api/v4"
    phases: list[tuple[str, float]] = [("start", time.monotonic())]
    tokens, channel = await _setup(api)
    phases.append(("users", time.monotonic()))
    listeners = [Listener(f"ws://127.0.0.1:{lb.port}/api/v4/websocket", t) for t in tokens]
    listen_tasks = [asyncio.create_task(li.run()) for li in listeners]
    await asyncio.wait_for(asyncio.gather(*(li.ready.wait() for li in listeners)), 30)
    phases.append(("listeners", time.monotonic()))

    accepted: dict[str, str] = {}
    failures: list[str] = []
    stop = asyncio.Event()

    async def poster(i: int, token: str) -> None:
        async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {token}"},
                                     timeout=30) as c:
            await asyncio.sleep(random.uniform(0, POST_INTERVAL))
            n = 0
            while not stop.is_set():
                message = f"c{i}-{n}"
                for _attempt in range(5):
                    try:
                        r = await c.post("/posts", json={"channel_id": channel, "message": message})
                    except httpx.HTTPError as e:
                        failures.append(f"{message}: {e!r}")
                        await asyncio.sleep(0.2)
                        continue
                    if r.status_code == 201:
                        accepted[r.json()["id"]] = message
                        break
                    failures.append(f"{message}: {r.status_code} {r.text[:200]}")
                    await asyncio.sleep(0.2)
                n += 1
                await asyncio.sleep(POST_INTERVAL * random.uniform(0.8, 1.2))

    posters = [asyncio.create_task(poster(i, t)) for i, t in enumerate(tokens)]
    await asyncio.sleep(2)

    # the rolling update: surge one new pod, then drain one old pod, one at a time
    drains: list[float] = []
    exits: list[int | None] = []
    standby = [(await t).port for t in cluster.standby]
    phases.append(("standby", time.monotonic()))
    for port, new_port in zip(list(lb.backends), standby, strict=True):
        lb.add(new_port)  # the surge pod is ready

        lb.remove(port)
        await asyncio.sleep(0.5)  # the endpoint removal reaches every proxy (preStop sleep)
        proc = cluster.nodes[port].proc
        assert proc is not None
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.to_thread(proc.wait, 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        drains.append(time.monotonic() - t0)
        exits.append(code)
    phases.append(("rolling", time.monotonic()))
    await asyncio.sleep(1)
    stop.set()
    await asyncio.gather(*posters)

    def complete() -> bool:
        return all(set(accepted) <= set(li.posts) for li in listeners)

    deadline = time.monotonic() + 30
    while not complete() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    phases.append(("delivered", time.monotonic()))
    for li in listeners:
        li.stopping = True
    for t in listen_tasks:
        t.cancel()
    await asyncio.gather(*listen_tasks, return_exceptions=True)

    print(f"\n{len(accepted)} posts accepted, {len(failures)} failed attempts, drains "
          f"{', '.join(f'{d:.1f}s' for d in drains)}; {lb.requests} requests and {lb.websockets} "
          f"WebSocket connections through the balancer; closes seen by listeners: "
          f"{sorted({c for li in listeners for c in li.closes}, key=str)}; exit codes {exits}; "
          f"listener errors {[e for li in listeners for e in li.errors][:5]}; phases "
          f"{', '.join(f'{n} {t - phases[i][1]:.1f}s' for i, (n, t) in enumerate(phases[1:]))}")
    assert all(code in (0, -signal.SIGTERM) for code in exits), exits
    # every client got posts through during the update (50 at least; ~1 per client per second)
    assert {m.split("-")[0] for m in accepted.values()} == {f"c{i}" for i in range(len(tokens))}
    assert failures == []
    missing = {i: (len(set(accepted) - set(li.posts)), li.closes, li.hellos, li.gaps[:3], li.next_seq,
                   li.connection_id) for i, li in enumerate(listeners) if set(accepted) - set(li.posts)}
    assert missing == {}, f"listeners missing accepted posts: {missing}"
    for li in listeners:
        assert li.gaps == []
        assert li.hellos == 1, "a listener could not resume and started afresh"
        assert li.closes, "every original backend was restarted, so every listener was moved"
        assert all(code == 1012 for code in li.closes), li.closes
        assert set(li.posts.values()) >= set(accepted.values())


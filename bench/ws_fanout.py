"""WebSocket fan-out: many connected clients, a big channel, delivery latency and memory per connection.

    .venv/bin/python -m bench.ws_fanout [--clients 5000] [--members 1000] [--rate 20] [--seconds 30]
    .venv/bin/python -m bench.ws_fanout --idle 10000        # idle connections on one process

Users, sessions and memberships are written straight into PostgreSQL (so set-up takes seconds, not
bcrypt-hours); everything measured goes through the real server process: POST /posts over HTTP and
`posted` events over its WebSocket.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import random
import statistics
import threading
import time
from typing import Any
from urllib.parse import urlparse

import asyncpg
import httpx

from bench.common import make_user, start_server
from chinwag.model.ids import new_id


async def populate(dsn: str, team_id: str, channel_id: str, n: int, members: int) -> list[str]:
    conn = await asyncpg.connect(dsn.replace("postgres://", "postgresql://", 1))
    now = int(time.time() * 1000)
    users, sessions, tms, cms, tokens = [], [], [], [], []
    for i in range(n):
        uid, token = new_id(), new_id()
        users.append((uid, f"fan{i}", f"fan{i}@example.com", "system_user", now, now))
        sessions.append((new_id(), token, uid, "system_user", now, 0, now, new_id()))
        tms.append((team_id, uid, now))
        if i < members:
            cms.append((channel_id, uid))
        tokens.append(token)
    await conn.copy_records_to_table("users", records=users,
                                     columns=["id", "username", "email", "roles", "createat", "updateat"])
    await conn.copy_records_to_table("sessions", records=sessions, columns=[
        "id", "token", "userid", "roles", "createat", "expiresat", "lastactivityat", "csrftoken"])
    await conn.copy_records_to_table("teammembers", records=tms, columns=["teamid", "userid", "createat"])
    await conn.copy_records_to_table("channelmembers", records=cms, columns=["channelid", "userid"])
    await conn.close()
    return tokens


_MARK = b'\\"message\\":\\"fanout '  # in the JSON-encoded post inside the frame


class BareClient(asyncio.Protocol):
    """A minimal WebSocket client for the bench. The clients share the server's two cores, and a
    full client library (frame objects, futures, UTF-8 decoding, an async iterator per message)
    costs about as much per frame as the server's whole send path; this one parses frame headers
    in place, looks for the marker bytes, and answers pings."""

    def __init__(self, got: dict[int, float], hello: list[int], seen: list[int], done: Any) -> None:
        self.got, self.hello, self.seen, self.done = got, hello, seen, done
        self.buf = bytearray()
        self.upgraded = False
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def handshake(self, host: str, path: str, token: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write((f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                              f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                              f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n").encode())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(exc or ConnectionError("closed"))

    def _fail(self, why: str) -> None:
        if not self.done.done():
            self.done.set_exception(ConnectionError(why))
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buf[:16]:
                self._fail(bytes(buf[:16]).decode(errors="replace"))
                return
            del buf[:end + 4]
            self.upgraded = True
        pos, size = 0, len(buf)
        while size - pos >= 2:
            n, head = buf[pos + 1] & 0x7F, 2
            if n == 126:
                if size - pos < 4:
                    break
                n, head = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif n == 127:
                if size - pos < 10:
                    break
                n, head = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            if size - pos < head + n:
                break
            op, start, stop = buf[pos] & 0x0F, pos + head, pos + head + n
            if op == 1:
                at = buf.find(_MARK, start, stop)
                if at >= 0:
                    digits = at + len(_MARK)
                    end = digits
                    while 48 <= buf[end] <= 57:
                        end += 1
                    self.got[int(buf[digits:end])] = now
                elif buf.find(b'"event":"hello"', start, stop) >= 0:
                    self.hello.append(1)
                    self.seen.append(1)
            elif op == 9:  # ping: a masked pong with the same payload
                mask = os.urandom(4)
                body = bytes(b ^ mask[i % 4] for i, b in enumerate(buf[start:stop]))
                self.transport.write(bytes((0x8A, 0x80 | len(body))) + mask + body)
            elif op == 8:
                self._fail("closed by the server")
            pos = stop
        del buf[:pos]


def client_worker(url: str, tokens: list[str], ready: Any, results: Any, stop: Any) -> None:
    async def one(token: str, got: dict[int, float], hello: list[int]) -> None:
        # like the real clients: a connection that fails during the storm retries with a backoff
        for attempt in range(8):
            seen: list[int] = []
            try:
                await _one(token, got, hello, seen)
                return
            except Exception as e:
                kinds[type(e).__name__] = kinds.get(type(e).__name__, 0) + 1
                if seen:  # it was connected, then dropped: not part of the storm
                    failed.append(1)
                    return
                retries.append(1)
                await asyncio.sleep(random.uniform(1, 2 ** min(attempt + 1, 5)))
        failed.append(1)

    async def _one(token: str, got: dict[int, float], hello: list[int], seen: list[int]) -> None:
        loop = asyncio.get_running_loop()
        proto = BareClient(got, hello, seen, loop.create_future())
        u = urlparse(url)
        await asyncio.wait_for(loop.create_connection(lambda: proto, u.hostname, u.port), 60)
        proto.handshake(u.netloc, u.path, token)
        await proto.done

    failed: list[int] = []
    retries: list[int] = []
    kinds: dict[str, int] = {}

    async def main() -> None:
        hello: list[int] = []
        per_conn: list[dict[int, float]] = [{} for _ in tokens]
        tasks = []
        for i, t in enumerate(tokens):
            tasks.append(asyncio.create_task(one(t, per_conn[i], hello)))
            if i % 100 == 99:
                await asyncio.sleep(0.05)
        while len(hello) + len(failed) < len(tokens):
            await asyncio.sleep(0.1)
        ready.put((len(hello), len(retries), kinds))
        while not stop.is_set():
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        merged: dict[int, float] = {}
        counts: dict[int, int] = {}
        for d in per_conn:
            for k, v in d.items():
                merged[k] = max(merged.get(k, 0.0), v)
                counts[k] = counts.get(k, 0) + 1
        results.put((merged, counts))
        for t in tasks:
            t.cancel()

    asyncio.run(main())


def pct(xs: list[float]) -> list[float]:
    if not xs:
        return []
    xs = sorted(xs)
    return [round(statistics.median(xs), 1), round(xs[max(0, int(len(xs) * 0.99) - 1)], 1), round(xs[-1], 1)]


def probe_requests(api: str, headers: dict[str, str], stop: threading.Event, out: list[float]) -> None:
    """``GET /users/me`` every 20 ms until ``stop``: the latency of a request that arrives during fan-outs."""
    with httpx.Client(base_url=api, headers=headers, timeout=30) as c:
        while not stop.is_set():
            t = time.time()
            c.get("/users/me").raise_for_status()
            out.append((time.time() - t) * 1000)
            time.sleep(max(0.0, 0.02 - (time.time() - t)))


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (load-independent, unlike latency)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--members", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--idle", type=int, default=0, help="only connect this many idle clients and measure memory")
    args = ap.parse_args()
    n = args.idle or args.clients
    proc, drop = start_server({"MM_WEBSOCKETSETTINGS_SENDQUEUESIZE": "4096"})
    try:
        admin, _ = make_user(proc.api, "admin")
        team = admin("POST", "/teams", {"name": "fan", "display_name": "Fan", "type": "O"}, 201)
        ch = admin("POST", "/channels", {"team_id": team["id"], "name": "big", "display_name": "Big", "type": "O"},
                   201)
        tokens = asyncio.run(populate(proc.env["MM_SQLSETTINGS_DATASOURCE"], team["id"], ch["id"], n,
                                      0 if args.idle else args.members))
        assert proc.proc is not None
        time.sleep(1)
        rss_before = rss_kb(proc.proc.pid)
        ctx = mp.get_context("fork")
        ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        # members first, spread over the worker processes
        slices = [tokens[i::args.procs] for i in range(args.procs)]
        workers = [ctx.Process(target=client_worker, args=(proc.ws_url, s, ready, results, stop)) for s in slices]
        t0 = time.time()
        for w in workers:
            w.start()
        got = [ready.get(timeout=900) for _ in workers]
        connected, retried = sum(g[0] for g in got), sum(g[1] for g in got)
        errors: dict[str, int] = {}
        for g in got:
            for k, v in g[2].items():
                errors[k] = errors.get(k, 0) + v
        connect_s = time.time() - t0
        time.sleep(2)
        rss_after = rss_kb(proc.proc.pid)
        out: dict[str, Any] = {"connections": connected, "connect_retries": retried, "connect_errors": errors,
                               "connect_seconds": round(connect_s, 1),
                               "server_rss_mb_before": round(rss_before / 1024, 1),
                               "server_rss_mb_after": round(rss_after / 1024, 1),
                               "kb_per_idle_connection": round((rss_after - rss_before) / max(connected, 1), 1)}
        sent: dict[int, float] = {}
        post_ms: list[float] = []
        probe_ms: list[float] = []
        if not args.idle:
            probe_stop = threading.Event()
            probe = threading.Thread(target=probe_requests, args=(proc.api, dict(admin.c.headers), probe_stop, probe_ms))
            probe.start()
            cpu_before = cpu_seconds(proc.proc.pid)
            with httpx.Client(base_url=proc.api, headers=admin.c.headers, timeout=30) as c:
                total = int(args.rate * args.seconds)
                start = time.time()
                for i in range(total):
                    target = start + i / args.rate
                    delay = target - time.time()
                    if delay > 0:
                        time.sleep(delay)
                    sent[i] = time.time()
                    r = c.post("/posts", json={"channel_id": ch["id"], "message": f"fanout {i}"})
                    post_ms.append((time.time() - sent[i]) * 1000)
                    assert r.status_code == 201, r.text
            time.sleep(3)
            cpu_used = cpu_seconds(proc.proc.pid) - cpu_before
            probe_stop.set()
            probe.join()
            out["server_cpu_ms_per_post"] = round(cpu_used * 1000 / max(len(sent), 1), 1)
            # the fan-out dominates a post's CPU here: per frame, the post's own work included
            out["server_cpu_us_per_frame"] = round(cpu_used * 1e6 / max(len(sent) * args.members, 1), 2)
            out["post_ms_p50_p99_max"] = pct(post_ms)
            # a cheap request every 20 ms beside the posts: how long one waits behind a fan-out
            out["probe_ms_p50_p99_max"] = pct(probe_ms)
        stop.set()
        merged: dict[int, float] = {}
        counts: dict[int, int] = {}
        for _ in workers:
            m, cnt = results.get(timeout=120)
            for k, v in m.items():
                merged[k] = max(merged.get(k, 0.0), v)
            for k, v in cnt.items():
                counts[k] = counts.get(k, 0) + v
        for w in workers:
            w.join(30)
        if sent:
            lat = sorted((merged[i] - sent[i]) * 1000 for i in sent if i in merged)
            complete = sum(1 for i in sent if counts.get(i, 0) == args.members)
            out.update({
                "posts": len(sent), "posts_delivered_to_all_members": complete,
                "last_member_latency_ms_p50": round(statistics.median(lat), 1),
                "last_member_latency_ms_p99": round(lat[max(0, int(len(lat) * 0.99) - 1)], 1),
                "last_member_latency_ms_max": round(lat[-1], 1),
                "server_rss_mb_end": round(rss_kb(proc.proc.pid) / 1024, 1),
            })
        print(json.dumps(out, indent=2))
    finally:
        proc.stop()
        drop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()

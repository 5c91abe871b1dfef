"""Server memory while clients resume after missing many events.

    .venv/bin/python -m bench.ws_resume_memory [--clients 20] [--missed 100000] [--posts 0]

20 clients connect (hello), leave cleanly, then miss ``--missed`` `posted` events in their channel
and resume all at once with their connection id and sequence number. The server's RSS is sampled
every 50 ms from before the resume until every client has every event; the peak above the idle RSS
is the cost of the replay.

The missed events are real `posted` events: one post is made over HTTP and its event row in the
history (``wsevents``) is cloned with new ids and messages, written with COPY after the server's
last position (``--posts N`` makes N real posts over HTTP first instead, slower). The server takes
positions after them for its next events. One `chinwag serve` on PostgreSQL, embedded event stream.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from typing import Any
from urllib.parse import urlparse

import asyncpg
import httpx
import websockets

from bench.common import make_user, start_server
from bench.ws_fanout import BareClient, populate, rss_kb
from chinwag.model.ids import new_id


async def first_connect(url: str, token: str) -> tuple[str, int]:
    """Connect, take the hello, leave cleanly: (connection id, next sequence number)."""
    async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        hello = json.loads(await ws.recv())
        conn_id, next_seq = hello["data"]["connection_id"], 1
        try:
            while True:
                ev = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
                if "seq" in ev:
                    next_seq = ev["seq"] + 1
        except TimeoutError:
            pass
    return conn_id, next_seq


async def inject(dsn: str, missed: int) -> None:
    """Clone the newest `posted` event row ``missed`` times after the newest position (leaving room
    for what the server writes meanwhile: it takes positions after these when it reaches them)."""
    conn = await asyncpg.connect(dsn.replace("postgres://", "postgresql://", 1))
    try:
        row = await conn.fetchrow("SELECT pos, createat, data FROM wsevents WHERE data LIKE '{\"event\":\"posted\"%' "
                                  "ORDER BY pos DESC LIMIT 1")
        newest = await conn.fetchval("SELECT max(pos) FROM wsevents")
        event = json.loads(row["data"])
        post = json.loads(event["data"]["post"])
        rows = []
        for i in range(missed):
            p = dict(post, id=new_id(), message=f"fanout {i}", create_at=post["create_at"] + i,
                     update_at=post["create_at"] + i)
            ev = dict(event, data=dict(event["data"], post=json.dumps(p, separators=(",", ":"))))
            rows.append((newest + 1000 + i, row["createat"], json.dumps(ev, separators=(",", ":"))))
        await conn.copy_records_to_table("wsevents", records=rows, columns=["pos", "createat", "data"])
    finally:
        await conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--missed", type=int, default=100_000)
    ap.add_argument("--posts", type=int, default=0, help="make this many real posts instead of cloning events")
    args = ap.parse_args()
    proc, drop = start_server()
    try:
        admin, _ = make_user(proc.api, "admin")
        team = admin("POST", "/teams", {"name": "res", "display_name": "Res", "type": "O"}, 201)
        ch = admin("POST", "/channels", {"team_id": team["id"], "name": "res", "display_name": "Res", "type": "O"},
                   201)
        dsn = proc.env["MM_SQLSETTINGS_DATASOURCE"]
        tokens = asyncio.run(populate(dsn, team["id"], ch["id"], args.clients, args.clients))
        assert proc.proc is not None
        pid = proc.proc.pid
        async def connect_all() -> list[tuple[str, int]]:
            return list(await asyncio.wait_for(asyncio.gather(*(first_connect(proc.ws_url, t) for t in tokens)), 120))

        states = asyncio.run(connect_all())
        time.sleep(1.0)
        missed = args.posts or args.missed
        with httpx.Client(base_url=proc.api, headers=admin.c.headers, timeout=60) as c:
            for i in (range(args.posts) if args.posts else [missed - 1]):
                r = c.post("/posts", json={"channel_id": ch["id"], "message": f"fanout {i}"})
                assert r.status_code == 201, r.text
        if not args.posts:
            time.sleep(0.5)
            asyncio.run(inject(dsn, missed - 1))  # with the real one: ``missed`` posted events
        time.sleep(2.0)
        idle = [rss_kb(pid) for _ in range(5) if time.sleep(0.2) is None]
        idle_mb = sum(idle) / len(idle) / 1024
        peak = [0]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak[0] = max(peak[0], rss_kb(pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        t0 = time.time()
        got, hellos = asyncio.run(resume_all(proc.ws_url, tokens, states, missed))
        took = time.time() - t0
        sampling.set()
        sampler.join()
        after_mb = rss_kb(pid) / 1024
        print(json.dumps({
            "clients": args.clients, "missed_events_per_client": missed,
            "history": "real posts" if args.posts else "cloned posted events",
            "clients_with_every_event": sum(1 for g in got if len(g) == missed), "hellos": hellos,
            "replay_seconds": round(took, 1), "server_rss_idle_mb": round(idle_mb, 1),
            "server_rss_peak_mb": round(peak[0] / 1024, 1),
            "peak_above_idle_mb": round(peak[0] / 1024 - idle_mb, 1),
            "server_rss_after_mb": round(after_mb, 1)}, indent=2))
    finally:
        proc.stop()
        drop()


async def resume_all(url: str, tokens: list[str], states: list[tuple[str, int]],
                     missed: int) -> tuple[list[dict[int, float]], int]:
    loop = asyncio.get_running_loop()
    u = urlparse(url)
    got: list[dict[int, float]] = [{} for _ in tokens]
    hello: list[int] = []
    protos: list[Any] = []
    for i, (token, (conn_id, next_seq)) in enumerate(zip(tokens, states, strict=True)):
        proto = BareClient(got[i], hello, [], loop.create_future())
        proto.done.add_done_callback(lambda f: f.cancelled() or f.exception())  # closed by us at the end
        await loop.create_connection(lambda p=proto: p, u.hostname, u.port)
        proto.handshake(u.netloc, f"{u.path}?connection_id={conn_id}&sequence_number={next_seq}", token)
        protos.append(proto)
    deadline = loop.time() + 1800
    while loop.time() < deadline and any(len(g) < missed for g in got) and not hello:
        await asyncio.sleep(0.2)
    for p in protos:
        p.transport.close()
    return got, len(hello)


if __name__ == "__main__":
    main()

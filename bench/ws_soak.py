"""WebSocket soak: ~200 clients in one channel, posts at a steady rate, every client dropping its
connection every 10–60 s (half a clean close, half a torn-down TCP connection) and resuming with its
connection id and sequence number. Prints the server's RSS every minute; at the end, per client,
every accepted post must have arrived exactly once with no gap in ``seq``.

    .venv/bin/python -m bench.ws_soak [--clients 200] [--rate 10] [--minutes 60] [--procs 2]
                                      [--drop-min 10] [--drop-max 60]
                                      [--probe DIR [--probe-from 5] [--probe-every 5] [--probe-frames 0]]

One `chinwag serve` on PostgreSQL with the embedded event stream (no Redis). The halves apart: posts
without reconnects (``--drop-min 1e9 --drop-max 1e9``), reconnects without posts (``--rate 0``).
``--probe DIR``: the server writes heap reports there (``chinwag.platform.memprobe``), one at minute
``--probe-from`` and every ``--probe-every`` minutes after, each right after that minute's RSS is read;
with ``--probe-frames N`` the first one starts tracemalloc (N frames) and the later ones add snapshots.
Compare two with ``python -m bench.memprobe_diff``."""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import signal
import time
from typing import Any

import httpx
import websockets

from bench.common import make_user, start_server
from bench.ws_fanout import populate, rss_kb

MARK = "soak "


class Client:
    def __init__(self, url: str, token: str, rng: random.Random, drop: tuple[float, float] = (10, 60)) -> None:
        self.url = url
        self.drop = drop
        self.token = token
        self.rng = rng
        self.conn_id = ""
        self.next_seq = 0
        self.got = bytearray()  # got[i]: how many times post i arrived
        self.stats = {"connects": 0, "resumed": 0, "hello_after_resume": 0, "seq_gaps": 0, "connect_errors": 0,
                      "closed_by_server": 0, "frames": 0}

    def _frame(self, raw: str | bytes) -> None:
        ev = json.loads(raw)
        if "seq_reply" in ev:
            return
        self.stats["frames"] += 1
        if ev["event"] == "hello":
            if self.conn_id:
                self.stats["hello_after_resume"] += 1
            self.conn_id = ev["data"]["connection_id"]
            self.next_seq = 1
            return
        if ev["seq"] != self.next_seq:
            self.stats["seq_gaps"] += 1
        self.next_seq = ev["seq"] + 1
        if ev["event"] == "posted":
            message = json.loads(ev["data"]["post"])["message"]
            if message.startswith(MARK):
                i = int(message[len(MARK):])
                if i >= len(self.got):
                    self.got.extend(bytes(i + 1024 - len(self.got)))
                self.got[i] = min(self.got[i] + 1, 255)

    async def run(self, stop: Any, settle: Any) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            query = f"?connection_id={self.conn_id}&sequence_number={self.next_seq}" if self.conn_id else ""
            try:
                ws = await websockets.connect(self.url + query, max_size=None, open_timeout=60,
                                              additional_headers={"Authorization": f"Bearer {self.token}"})
            except Exception:
                self.stats["connect_errors"] += 1
                await asyncio.sleep(self.rng.uniform(0.5, 3))
                continue
            self.stats["connects"] += 1
            if self.conn_id:
                self.stats["resumed"] += 1
            deadline = loop.time() + self.rng.uniform(*self.drop)
            try:
                while not stop.is_set() and (settle.is_set() or loop.time() < deadline):
                    try:
                        raw = await asyncio.wait_for(ws.recv(), 1.0)
                    except TimeoutError:
                        continue
                    self._frame(raw)
            except websockets.ConnectionClosed:
                self.stats["closed_by_server"] += 1
            if self.rng.random() < 0.5:
                transport = getattr(ws, "transport", None)
                if transport is not None:
                    transport.abort()  # the network goes away: no close frame
            else:
                await ws.close()


def worker(url: str, tokens: list[str], seed: int, stop: Any, settle: Any, results: Any,
           drop: tuple[float, float] = (10, 60)) -> None:
    async def main() -> None:
        rng = random.Random(seed)
        clients = [Client(url, t, random.Random(rng.random()), drop) for t in tokens]
        tasks = [asyncio.create_task(c.run(stop, settle)) for c in clients]
        while not stop.is_set():
            await asyncio.sleep(0.5)
        await asyncio.gather(*tasks, return_exceptions=True)
        results.put([(bytes(c.got), c.stats) for c in clients])

    asyncio.run(main())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--rate", type=float, default=10.0, help="posts per second")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--drop-min", type=float, default=10, help="shortest a connection lives, seconds")
    ap.add_argument("--drop-max", type=float, default=60, help="longest a connection lives, seconds")
    ap.add_argument("--probe", default="", help="directory for the server's heap reports (memprobe)")
    ap.add_argument("--probe-from", type=int, default=5, help="minute of the first heap report")
    ap.add_argument("--probe-every", type=int, default=5, help="minutes between heap reports")
    ap.add_argument("--probe-frames", type=int, default=0, help="tracemalloc frames (0: no tracemalloc)")
    args = ap.parse_args()
    env = {"MM_WEBSOCKETSETTINGS_SENDQUEUESIZE": "4096"}
    if args.probe:
        env |= {"CHINWAG_MEMPROBE_DIR": os.path.abspath(args.probe), "CHINWAG_MEMPROBE_FRAMES": str(args.probe_frames)}
    proc, drop = start_server(env)
    try:
        admin, _ = make_user(proc.api, "admin")
        team = admin("POST", "/teams", {"name": "soak", "display_name": "Soak", "type": "O"}, 201)
        ch = admin("POST", "/channels", {"team_id": team["id"], "name": "soak", "display_name": "Soak",
                                         "type": "O"}, 201)
        tokens = asyncio.run(populate(proc.env["MM_SQLSETTINGS_DATASOURCE"], team["id"], ch["id"], args.clients,
                                      args.clients))
        assert proc.proc is not None
        pid = proc.proc.pid
        ctx = mp.get_context("fork")
        stop, settle, results = ctx.Event(), ctx.Event(), ctx.Queue()
        workers = [ctx.Process(target=worker, args=(proc.ws_url, tokens[i::args.procs], i, stop, settle, results,
                                                     (args.drop_min, args.drop_max)),
                               daemon=True) for i in range(args.procs)]
        for w in workers:
            w.start()
        time.sleep(5)
        print(f"minute  server RSS MB  posts accepted  failed  load avg   (rate {args.rate}/s, {args.clients} clients)",
              flush=True)
        print(f"{0:6}  {rss_kb(pid) / 1024:13.1f}  {0:14}  {0:6}  {os.getloadavg()[0]:8.1f}", flush=True)
        accepted: list[int] = []
        failed = 0
        start = time.time()
        end = start + args.minutes * 60
        next_report = start + 60
        i = 0
        with httpx.Client(base_url=proc.api, headers=admin.c.headers, timeout=30) as c:
            while time.time() < end:
                if args.rate > 0:
                    target = start + i / args.rate
                    delay = target - time.time()
                    if delay > 0:
                        time.sleep(delay)
                    try:
                        r = c.post("/posts", json={"channel_id": ch["id"], "message": f"{MARK}{i}"})
                        ok = r.status_code == 201
                    except httpx.HTTPError:
                        ok = False
                    if ok:
                        accepted.append(i)
                    else:
                        failed += 1
                    i += 1
                else:  # reconnects only
                    time.sleep(max(0.0, min(next_report, end) - time.time()))
                if time.time() >= next_report:
                    minute = round((time.time() - start) / 60)
                    print(f"{minute:6}  {rss_kb(pid) / 1024:13.1f}  {len(accepted):14}  {failed:6}  "
                          f"{os.getloadavg()[0]:8.1f}", flush=True)
                    if args.probe and minute >= args.probe_from and (minute - args.probe_from) % args.probe_every == 0:
                        os.kill(pid, signal.SIGUSR2)
                    next_report += 60
        settle.set()  # no more forced drops: let everyone catch up
        time.sleep(20)
        rss_end = rss_kb(pid) / 1024
        stop.set()
        per_client: list[tuple[bytes, dict[str, int]]] = []
        for _ in workers:
            per_client += results.get(timeout=300)
        for w in workers:
            w.join(60)
        totals: dict[str, int] = {}
        # a client that was given a fresh hello instead of its resume was told it may have missed events
        # (a Mattermost client then reloads what it shows): what it lacks is counted apart, as signalled —
        # "missing" is what a client lacks with no fresh hello to say so, a silent loss
        missing = signalled = duplicated = 0
        for got, stats in per_client:
            for k, v in stats.items():
                totals[k] = totals.get(k, 0) + v
            for p in accepted:
                n = got[p] if p < len(got) else 0
                if n == 0 and stats["hello_after_resume"]:
                    signalled += 1
                else:
                    missing += n == 0
                duplicated += n > 1
        print(json.dumps({"minutes": args.minutes, "clients": args.clients, "posts_accepted": len(accepted),
                          "posts_failed": failed, "events_expected": len(accepted) * len(per_client),
                          "missing": missing, "missing_after_fresh_hello": signalled, "duplicated": duplicated,
                          **totals,
                          "server_rss_mb_end": round(rss_end, 1)}, indent=2), flush=True)
    finally:
        proc.stop()
        drop()


if __name__ == "__main__":
    main()

"""POST /posts throughput and latency with 32 concurrent posters, and GET /channels/{id}/posts
latency on a channel of 100,000 posts — against a real server process on PostgreSQL.

    .venv/bin/python bench/posts.py [--seconds 15] [--history 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import asyncpg

from bench.common import Api, make_user, start_server, wrk


def fill_history(dsn: str, channel_id: str, user_id: str, n: int) -> None:
    """Insert n posts directly (the bench measures reads, not the loader)."""
    import asyncio

    from chinwag.model.ids import new_id

    async def run() -> None:
        conn = await asyncpg.connect(dsn.replace("postgres://", "postgresql://", 1))
        base = int(time.time() * 1000) - n * 10
        rows = [(new_id(), base + i * 10, base + i * 10, user_id, channel_id, f"history message {i}")
                for i in range(n)]
        await conn.copy_records_to_table(
            "posts", records=rows, columns=["id", "createat", "updateat", "userid", "channelid", "message"])
        await conn.execute("UPDATE channels SET totalmsgcount = totalmsgcount + $1, "
                           "totalmsgcountroot = totalmsgcountroot + $1 WHERE id = $2", n, channel_id)
        await conn.execute("ANALYZE posts")
        await conn.close()

    asyncio.run(run())


def read_latency(api: Api, channel_id: str, samples: int) -> dict[str, float]:
    times = []
    for i in range(samples):
        t = time.perf_counter()
        r = api.c.get(f"/channels/{channel_id}/posts", params={"page": i % 50, "per_page": 60})
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200 and len(r.json()["order"]) == 60
    times.sort()
    return {"p50_ms": statistics.median(times), "p99_ms": times[int(len(times) * 0.99) - 1],
            "max_ms": times[-1]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--history", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (>1 uses Redis)")
    args = ap.parse_args()
    env = {}
    if args.workers > 1:
        env = {"MM_SERVICESETTINGS_WORKERCOUNT": str(args.workers), "MM_REDISSETTINGS_ENABLE": "true",
               "MM_CLUSTERSETTINGS_CLUSTERNAME": f"bench{os.getpid()}"}
    proc, drop = start_server(env)
    try:
        admin, _ = make_user(proc.api, "admin")
        team = admin("POST", "/teams", {"name": "bench", "display_name": "Bench", "type": "O"}, 201)
        busy = admin("POST", "/channels", {"team_id": team["id"], "name": "busy", "display_name": "Busy",
                                            "type": "O"}, 201)
        results: dict[str, object] = {}
        body = {"channel_id": busy["id"], "message": "hello everyone, this is a benchmark message " * 2}
        wrk(proc.api + "/posts", admin.c.headers["Authorization"].split()[1], body, 8, 3)  # warm up
        results["post_one_channel"] = wrk(proc.api + "/posts", admin.c.headers["Authorization"].split()[1], body,
                                          args.connections, args.seconds)
        hist = admin("POST", "/channels", {"team_id": team["id"], "name": "history", "display_name": "History",
                                            "type": "O"}, 201)
        me = admin("GET", "/users/me")
        fill_history(proc.env["MM_SQLSETTINGS_DATASOURCE"], hist["id"], me["id"], args.history)
        read_latency(admin, hist["id"], 50)  # warm up
        results["get_page_60_of_100k"] = read_latency(admin, hist["id"], args.samples)
        print(json.dumps(results, indent=2))
    finally:
        proc.stop()
        drop()


if __name__ == "__main__":
    main()

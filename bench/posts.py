"""POST /posts throughput and latency with 32 concurrent posters, and GET /channels/{id}/posts
latency on a channel of 100,000 posts — against a real server process on PostgreSQL, or with
``--db mysql`` on MySQL/MariaDB (``CHINWAG_TEST_MYSQL``'s server, default mysql://root@127.0.0.1:3306).

    .venv/bin/python -m bench.posts [--seconds 15] [--history 100000] [--db postgres|mysql]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import asyncpg

from bench.common import Api, make_user, start_server, wrk


def fill_history(dsn: str, channel_id: str, user_id: str, n: int, db: str = "postgres") -> None:
    """Insert n posts directly (the bench measures reads, not the loader)."""
    import asyncio

    from chinwag.model.ids import new_id

    if db == "mysql":
        asyncio.run(_fill_mysql(dsn, channel_id, user_id, n))
        return

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


async def _fill_mysql(dsn: str, channel_id: str, user_id: str, n: int) -> None:
    import asyncmy
    from tests.conftest import _mysql_admin_args

    from chinwag.model.ids import new_id

    name = dsn.split(")/", 1)[1].split("?", 1)[0]  # Mattermost's user:pass@tcp(host:port)/name?…
    conn = await asyncmy.connect(**_mysql_admin_args(), db=name)
    base = int(time.time() * 1000) - n * 10
    async with conn.cursor() as cur:
        for start in range(0, n, 5000):
            rows = [(new_id(), base + i * 10, base + i * 10, user_id, channel_id, f"history message {i}")
                    for i in range(start, min(n, start + 5000))]
            await cur.executemany("INSERT INTO posts (id, createat, updateat, userid, channelid, message) "
                                  "VALUES (%s, %s, %s, %s, %s, %s)", rows)
        await cur.execute("UPDATE channels SET totalmsgcount = totalmsgcount + %s, "
                          "totalmsgcountroot = totalmsgcountroot + %s WHERE id = %s", (n, n, channel_id))
        await cur.execute("ANALYZE TABLE posts")
    await conn.commit()
    conn.close()


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): a measure that other load on the
    machine disturbs far less than latency."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--history", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (>1 uses Redis)")
    ap.add_argument("--db", choices=("postgres", "mysql"), default="postgres")
    args = ap.parse_args()
    env = {}
    if args.workers > 1:
        env = {"MM_SERVICESETTINGS_WORKERCOUNT": str(args.workers), "MM_REDISSETTINGS_ENABLE": "true",
               "MM_CLUSTERSETTINGS_CLUSTERNAME": f"bench{os.getpid()}"}
    proc, drop = start_server(env, args.db)
    try:
        admin, _ = make_user(proc.api, "admin")
        team = admin("POST", "/teams", {"name": "bench", "display_name": "Bench", "type": "O"}, 201)
        busy = admin("POST", "/channels", {"team_id": team["id"], "name": "busy", "display_name": "Busy",
                                            "type": "O"}, 201)
        results: dict[str, object] = {}
        body = {"channel_id": busy["id"], "message": "hello everyone, this is a benchmark message " * 2}
        wrk(proc.api + "/posts", admin.c.headers["Authorization"].split()[1], body, 8, 3)  # warm up
        assert proc.proc is not None
        pid = proc.proc.pid
        cpu = cpu_seconds(pid)
        posted = wrk(proc.api + "/posts", admin.c.headers["Authorization"].split()[1], body,
                     args.connections, args.seconds)
        if args.workers == 1:  # one process: its own CPU time is the server's
            posted["server_cpu_ms_per_post"] = round((cpu_seconds(pid) - cpu) * 1000 / max(1, posted["requests"]), 3)
        results["post_one_channel"] = posted
        hist = admin("POST", "/channels", {"team_id": team["id"], "name": "history", "display_name": "History",
                                            "type": "O"}, 201)
        me = admin("GET", "/users/me")
        fill_history(proc.env["MM_SQLSETTINGS_DATASOURCE"], hist["id"], me["id"], args.history, args.db)
        read_latency(admin, hist["id"], 50)  # warm up
        cpu = cpu_seconds(pid)
        page = read_latency(admin, hist["id"], args.samples)
        if args.workers == 1:
            page["server_cpu_ms_per_page"] = round((cpu_seconds(pid) - cpu) * 1000 / args.samples, 3)
        results["get_page_60_of_100k"] = page
        print(json.dumps(results, indent=2))
    finally:
        proc.stop()
        drop()


if __name__ == "__main__":
    main()

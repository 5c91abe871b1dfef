"""The System Console's user list over many users, on PostgreSQL: what one page of the list, its total,
a search by email and the site statistics cost once the users table is large.

    .venv/bin/python -m bench.console_users [--users 10000] [--samples 30]

Users are written straight into the database (one multi-row insert per 1,000, then ANALYZE); a real
server process answers the requests the console makes, one at a time, from a Python client.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from typing import Any

import sqlalchemy as sa

from bench.common import PG_URL, Api, make_user, start_server
from chinwag.model.ids import new_id, now_ms
from chinwag.model.user import User
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import users
from chinwag.store.sql.user_store import user_values


def add_users(url: str, count: int) -> None:
    async def run() -> None:
        db = Database("postgres", url)
        now = now_ms()
        try:
            for start in range(0, count, 1000):
                rows = []
                for i in range(start, min(count, start + 1000)):
                    u = User(id=new_id(), username=f"user{i:06d}", email=f"user{i:06d}@corp.example",
                             first_name="Test", last_name=f"Person {i}", roles="system_user",
                             create_at=now + i, update_at=now + i, delete_at=now if i % 20 == 0 else 0)
                    rows.append({**user_values(u), "password": ""})
                async with db.write() as conn:
                    await conn.execute(sa.insert(users), rows)
            async with db.engine.connect() as conn:
                await conn.execute(sa.text("ANALYZE users"))
                await conn.commit()
        finally:
            await db.close()

    asyncio.run(run())


def measure(api: Api, method: str, path_of: Any, body_of: Any, samples: int) -> tuple[float, float]:
    times = []
    for i in range(samples):
        t0 = time.perf_counter()
        api(method, path_of(i), body_of(i), expect=200)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--samples", type=int, default=30)
    args = ap.parse_args()
    srv, drop = start_server()
    try:
        admin, _ = make_user(srv.api, "admin")
        add_users(srv.env["MM_SQLSETTINGS_DATASOURCE"], args.users)
        rng = random.Random(7)
        pages = args.users // 50
        cases = [
            ("GET /users page (random, 50)", "GET",
             lambda i: f"/users?page={rng.randrange(pages)}&per_page=50", lambda i: None),
            ("GET /users inactive page", "GET", lambda i: "/users?inactive=true&page=0&per_page=50", lambda i: None),
            ("GET /users/stats/filtered (all)", "GET",
             lambda i: "/users/stats/filtered?include_deleted=true&include_bots=true", lambda i: None),
            ("GET /users/stats/filtered (active admins)", "GET",
             lambda i: "/users/stats/filtered?roles=system_admin", lambda i: None),
            ("POST /users/search by email", "POST", lambda i: "/users/search",
             lambda i: {"term": f"user{rng.randrange(args.users):06d}@corp.example", "allow_inactive": True,
                        "limit": 100}),
            ("GET /analytics/old standard", "GET", lambda i: "/analytics/old?name=standard", lambda i: None),
            ("GET /analytics/old extra_counts", "GET", lambda i: "/analytics/old?name=extra_counts", lambda i: None),
        ]
        print(f"{args.users:,} users, {args.samples} samples each (ms)")
        print(f"{'request':45s} {'p50':>8s} {'p99':>8s}")
        for name, method, path_of, body_of in cases:
            api = admin
            measure(api, method, path_of, body_of, 3)  # warm-up
            p50, p99 = measure(api, method, path_of, body_of, args.samples)
            print(f"{name:45s} {p50:8.1f} {p99:8.1f}")
    finally:
        srv.stop()
        drop()


if __name__ == "__main__":
    assert PG_URL
    main()

"""Post search on MySQL/MariaDB (LIKE over the binary-collated ``posts.searchtext``), engine level: load
n generated posts (the same generator as bench/search.py) into a fresh database through the posts
table (the driver's multi-row INSERTs, as the importer does), then time queries through
``SqlSearchEngine`` directly (no HTTP) — the numbers sit next to bench/search_sqlite.py's.

    .venv/bin/python -m bench.search_mysql [--posts 100000] [--server mysql://root@127.0.0.1:3306] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid

import sqlalchemy as sa

from bench.search import message
from bench.search_sqlite import QUERIES
from chinwag.model.ids import new_id
from chinwag.model.search_query import parse
from chinwag.model.search_text import index_text
from chinwag.search.base import PostSearch
from chinwag.search.sql import SqlSearchEngine
from chinwag.store.sql import migrate
from chinwag.store.sql.engine import Database, null_pool_engine


async def main(n: int, server: str, keep: bool = False) -> None:
    name = f"chinwag_bench_{uuid.uuid4().hex[:8]}"
    admin = null_pool_engine("mysql", f"{server}/mysql")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    db = Database("mysql", f"{server}/{name}")
    try:
        await migrate.upgrade(db.engine)
        rng = random.Random(1)
        chans = [new_id() for _ in range(50)]
        now = int(time.time() * 1000)
        msgs = [message(rng) for _ in range(n)]
        t = time.perf_counter()
        rows = [{"id": new_id(), "createat": now - (n - i) * 1000, "channelid": chans[i % 50], "message": m,
                 "searchtext": index_text(m)} for i, m in enumerate(msgs)]
        for i in range(0, n, 5000):
            async with db.write() as conn:
                await conn.execute(sa.text("INSERT INTO posts (id, createat, userid, channelid, message, searchtext) "
                                           "VALUES (:id, :createat, 'u', :channelid, :message, :searchtext)"),
                                   rows[i:i + 5000])
        took = time.perf_counter() - t
        print(f"insert {n} posts: {took / n * 1000:.3f} ms/post (index_text included)")
        engine = SqlSearchEngine(db)
        for term in QUERIES:
            q = parse(term)
            times = []
            hits = []
            for _ in range(7):
                t = time.perf_counter()
                hits = await engine.search_posts(PostSearch(terms=q.terms, channel_ids=chans, limit=300))
                times.append((time.perf_counter() - t) * 1000)
            print(f"{term:16s} p50 {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms  "
                  f"candidates {len(hits)}")
    finally:
        await db.close()
        if keep:
            print(f"kept database {name}")
        else:
            async with admin.connect() as conn:
                await conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        await admin.dispose()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--server", default="mysql://root@127.0.0.1:3306")
    ap.add_argument("--keep", action="store_true", help="keep the database (for EXPLAIN)")
    args = ap.parse_args()
    asyncio.run(main(args.posts, args.server, args.keep))

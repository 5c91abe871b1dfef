"""Post search on SQLite (FTS5 trigram), engine level: load n generated posts (the same generator as
bench/search.py) through the posts table with and without the FTS triggers, then time queries
through ``SqlSearchEngine`` directly (no HTTP).

    .venv/bin/python -m bench.search_sqlite [--posts 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time

import sqlalchemy as sa

from bench.search import message
from chinwag.model.ids import new_id
from chinwag.model.search_query import parse
from chinwag.model.search_text import index_text
from chinwag.search.base import PostSearch
from chinwag.search.sql import SqlSearchEngine
from chinwag.store.sql import migrate
from chinwag.store.sql.engine import Database

QUERIES = ["deploy", "database", "kubernetes", "resume", "atabas", "migra*", "数据", "数据库", '"code review"',
           "session.cache"]


async def load(n: int, fts: bool) -> tuple[Database, list[str], float]:
    db = Database("sqlite", os.path.join(tempfile.mkdtemp(prefix="chinwag-bench-"), "s.db"))
    await migrate.upgrade(db.engine)
    if not fts:
        async with db.write() as conn:
            for trigger in ("posts_fts_ai", "posts_fts_ad", "posts_fts_au"):
                await conn.execute(sa.text(f"DROP TRIGGER {trigger}"))
    rng = random.Random(1)
    chans = [new_id() for _ in range(50)]
    now = int(time.time() * 1000)
    msgs = [message(rng) for _ in range(n)]
    t = time.perf_counter()
    rows = [{"id": new_id(), "createat": now - (n - i) * 1000, "channelid": chans[i % 50], "message": m,
             "searchtext": index_text(m)} for i, m in enumerate(msgs)]
    async with db.write() as conn:
        await conn.execute(sa.text("INSERT INTO posts (id, createat, userid, channelid, message, searchtext) "
                                   "VALUES (:id, :createat, 'u', :channelid, :message, :searchtext)"), rows)
    return db, chans, time.perf_counter() - t


async def main(n: int) -> None:
    plain, _, t_plain = await load(n // 5, fts=False)
    await plain.close()
    db, chans, t_fts = await load(n // 5, fts=True)
    await db.close()
    print(f"insert {n // 5} posts: {t_plain / (n // 5) * 1000:.2f} ms/post without the FTS triggers, "
          f"{t_fts / (n // 5) * 1000:.2f} with (index_text included in both)")
    db, chans, _ = await load(n, fts=True)
    engine = SqlSearchEngine(db)
    for term in QUERIES:
        q = parse(term)
        times = []
        for _ in range(7):
            t = time.perf_counter()
            hits = await engine.search_posts(PostSearch(terms=q.terms, channel_ids=chans, limit=300))
            times.append((time.perf_counter() - t) * 1000)
        print(f"{term:16s} p50 {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms  candidates {len(hits)}")
    await db.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=100_000)
    asyncio.run(main(ap.parse_args().posts))

"""Post search on PostgreSQL: a generated corpus (English, code, Chinese/Japanese) over 500 channels,
p50/p99 of typical queries through a real server process, and what indexing adds per post.

    .venv/bin/python -m bench.search [--posts 1000000] [--samples 30] [--fresh]

The corpus is loaded with COPY into a database that is kept between runs
(``chinwag_bench_search``; ``--fresh`` rebuilds it). The searcher is a member of all 500 channels,
so every query runs over the whole corpus.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from typing import Any
from urllib.parse import urlparse, urlunparse

import asyncpg

from bench.common import PG_URL, Api, ServerProcess, make_user
from chinwag.model.ids import new_id
from chinwag.model.search_text import index_text

DB_NAME = "chinwag_bench_search"
CHANNELS = 500
USERS = 20

EN = ("the a to and of in is it for on that this we with be have are you can will not at from by please "
      "team meeting deploy server release database query review code build test failed fixed issue "
      "customer report update change branch merge pipeline production staging rollback backup monitor "
      "alert latency memory cpu disk network cluster node service endpoint request response error "
      "timeout config migration schema index cache session token login password user account email "
      "invoice payment order shipping tomorrow today yesterday friday monday morning afternoon lunch "
      "coffee agenda notes draft design mockup feedback approve ticket sprint roadmap quarter goal "
      "metrics dashboard graph spike incident postmortem oncall pager handoff docs readme wiki").split()
RARE = ("kubernetes terraform ansible grafana prometheus elasticsearch kafka zookeeper nginx haproxy "
        "letsencrypt wireguard tailscale redis memcached postgres sqlite clickhouse snowflake airflow "
        "résumé café naïve façade jalapeño über coöperate déjà").split()
CODE = ["def {f}({a}):\n    return {a}.{g}()", "if err != nil {{ return {f}({a}) }}", "const {a} = await {f}({g});",
        "SELECT {a} FROM {g} WHERE id = $1", "{f}_{g}({a}, timeout=30)", "git checkout -b {f}/{g}",
        "kubectl rollout restart deployment/{f}", "{a}.{g}.{f} is undefined"]
IDENT = "user order invoice fetch parse render load save handler client session cache worker queue".split()
ZH = ("我们明天讨论数据库迁移的问题服务器部署已经完成请大家检查一下代码审查会议改到下午三点测试环境出现错误需要回滚"
      "客户反馈这个功能很好用搜索中文内容应该没有问题发布计划在下周一上线监控告警配置文件更新了")
JA = ("東京でミーティングがありますサーバーのデプロイが完了しましたデータベースの移行について相談しましょう"
      "明日の会議は午後三時からですコードレビューをお願いします")


def message(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.70:
        n = rng.randint(4, 24)
        words = [rng.choice(RARE) if rng.random() < 0.01 else EN[min(int(rng.paretovariate(1.2)) - 1, len(EN) - 1)
                 if rng.random() < 0.5 else rng.randrange(len(EN))] for _ in range(n)]
        return " ".join(words).capitalize()
    if kind < 0.85:
        return rng.choice(CODE).format(f=rng.choice(IDENT), g=rng.choice(IDENT), a=rng.choice(IDENT))
    text = ZH if kind < 0.95 else JA
    start = rng.randrange(len(text) - 30)
    return text[start : start + rng.randint(8, 30)]


def admin_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def db_url(name: str) -> str:
    u = urlparse(PG_URL)
    return urlunparse((u.scheme, u.netloc, "/" + name, "", "", ""))


async def database_has_posts(url: str) -> int:
    try:
        conn = await asyncpg.connect(admin_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        return -1
    try:
        return int(await conn.fetchval("SELECT count(*) FROM posts"))
    except asyncpg.UndefinedTableError:
        return -1
    finally:
        await conn.close()


async def recreate(name: str) -> None:
    conn = await asyncpg.connect(admin_dsn(PG_URL))
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()


async def load_corpus(url: str, channel_ids: list[str], user_ids: list[str], n: int) -> dict[str, float]:
    """COPY n posts in (the trigram index dropped first and built after), then ANALYZE."""
    rng = random.Random(7)
    now = int(time.time() * 1000)
    span = 365 * 86_400_000
    conn = await asyncpg.connect(admin_dsn(url))
    await conn.execute("DROP INDEX IF EXISTS idx_posts_searchtext_trgm")
    t_text = t_copy = 0.0
    batch = 50_000
    for start in range(0, n, batch):
        msgs = [message(rng) for _ in range(min(batch, n - start))]
        t = time.perf_counter()
        texts = [index_text(m) for m in msgs]
        t_text += time.perf_counter() - t
        rows = []
        for i, (m, st) in enumerate(zip(msgs, texts, strict=True)):
            at = now - span + (start + i) * span // n
            rows.append((new_id(), at, at, rng.choice(user_ids), channel_ids[(start + i) * 7919 % len(channel_ids)],
                         m, st))
        t = time.perf_counter()
        await conn.copy_records_to_table(
            "posts", records=rows,
            columns=["id", "createat", "updateat", "userid", "channelid", "message", "searchtext"])
        t_copy += time.perf_counter() - t
        print(f"\r{start + len(rows)} posts", end="", flush=True)
    print()
    t = time.perf_counter()
    await conn.execute("CREATE INDEX idx_posts_searchtext_trgm ON posts USING gin (searchtext gin_trgm_ops)")
    t_index = time.perf_counter() - t
    await conn.execute("ANALYZE")
    await conn.close()
    return {"posts": n, "index_text_us_per_post": t_text / n * 1e6, "copy_s": t_copy,
            "gin_build_s": t_index, "gin_build_us_per_post": t_index / n * 1e6}


async def insert_cost(url: str, channel_id: str, user_id: str, rounds: int = 40, size: int = 50) -> dict[str, float]:
    """What indexing adds to the post write path: multi-row INSERTs of ``size`` posts (the group
    commit's shape) with real searchtext vs. an empty one (no trigrams for the GIN index), plus the
    Python cost of index_text. Rows are deleted afterwards."""
    rng = random.Random(11)
    conn = await asyncpg.connect(admin_dsn(url))
    sql = ("INSERT INTO posts (id, createat, updateat, userid, channelid, message, searchtext) "
           "VALUES ($1, $2, $2, $3, $4, $5, $6)")
    timings: dict[str, list[float]] = {"empty": [], "indexed": []}
    py = 0.0
    made: list[str] = []
    for r in range(rounds):
        for mode in ("empty", "indexed") if r % 2 == 0 else ("indexed", "empty"):
            msgs = [message(rng) for _ in range(size)]
            t = time.perf_counter()
            texts = [index_text(m) if mode == "indexed" else "" for m in msgs]
            if mode == "indexed":
                py += time.perf_counter() - t
            rows = [(new_id(), int(time.time() * 1000), user_id, channel_id, m, st) for m, st in zip(msgs, texts, strict=True)]
            made += [row[0] for row in rows]
            t = time.perf_counter()
            async with conn.transaction():
                await conn.executemany(sql, rows)
            timings[mode].append(time.perf_counter() - t)
    await conn.execute("DELETE FROM posts WHERE id = ANY($1::text[])", made)
    await conn.close()
    per = {k: statistics.median(v) / size * 1000 for k, v in timings.items()}
    return {"insert_ms_per_post_no_index_work": per["empty"], "insert_ms_per_post_indexed": per["indexed"],
            "gin_ms_per_post": per["indexed"] - per["empty"], "index_text_ms_per_post": py / (rounds * size) * 1000}


def queries(rng: random.Random, channels: list[dict[str, Any]], users: list[str]) -> dict[str, list[str]]:
    ch = [c["name"] for c in channels]
    return {
        "word: deploy": ["deploy"],
        "word: database": ["database"],
        "word (rare): kubernetes": ["kubernetes"],
        "accent-folded: resume": ["resume"],
        "two words: deploy server": ["deploy server"],
        "phrase: \"code review\"": ['"code review"'],
        "phrase: \"rollback the\"": ['"rollback the"'],
        "substring: atabas": ["atabas"],
        "substring: ploy": ["ploy"],
        "prefix: migra*": ["migra*"],
        "code: session.cache": ["session.cache"],
        "CJK 2 chars: 数据": ["数据"],
        "CJK 2 chars: 会议": ["会议"],
        "CJK 3 chars: 数据库": ["数据库"],
        "Japanese: デプロイ": ["デプロイ"],
        "from: + in:": [f"from:{rng.choice(users)} in:{rng.choice(ch)} deploy" for _ in range(5)],
        "in: + word": [f"in:{rng.choice(ch)} database" for _ in range(5)],
        "from: only": [f"from:{rng.choice(users)}" for _ in range(5)],
        "OR: kubernetes terraform": ["kubernetes terraform"],
        "exclusion: deploy -server": ["deploy -server"],
    }


def measure(api: Api, team_id: str, terms: list[str], samples: int, is_or: bool) -> dict[str, Any]:
    times = []
    hits = 0
    for i in range(samples):
        body = {"terms": terms[i % len(terms)], "is_or_search": is_or, "page": 0, "per_page": 20}
        t = time.perf_counter()
        r = api.c.post(f"/teams/{team_id}/posts/search", json=body)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
        hits = max(hits, len(r.json()["order"]))
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1), "max_results": hits}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--fresh", action="store_true")
    args = ap.parse_args()
    url = db_url(DB_NAME)
    existing = asyncio.run(database_has_posts(url))
    fresh = args.fresh or existing < args.posts
    if fresh:
        asyncio.run(recreate(DB_NAME))
    wd = tempfile.mkdtemp(prefix="chinwag-bench-")
    env = {"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
           "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"), "MM_LOGSETTINGS_CONSOLELEVEL": "WARN",
           "MM_TEAMSETTINGS_ENABLEOPENSERVER": "true", "MM_TEAMSETTINGS_MAXCHANNELSPERTEAM": "100000",
           "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}
    proc = ServerProcess(env, wd).start(timeout=120)
    results: dict[str, Any] = {}
    try:
        if fresh:
            admin, _ = make_user(proc.api, "admin")
            team = admin("POST", "/teams", {"name": "bench", "display_name": "Bench", "type": "O"}, 201)
            users = [make_user(proc.api, f"user{i}", admin)[1]["id"] for i in range(USERS)]
            channels = [admin("POST", "/channels", {"team_id": team["id"], "name": f"channel-{i}",
                                                    "display_name": f"Channel {i}", "type": "O"}, 201)
                        for i in range(CHANNELS)]
            results["load"] = asyncio.run(load_corpus(url, [c["id"] for c in channels], users, args.posts))
        else:
            r = Api(proc.api)
            login = r.c.post("/users/login", json={"login_id": "admin", "password": "password1"})
            admin = Api(proc.api, login.headers["Token"])
            team = admin("GET", "/teams/name/bench", expect=200)
        channels = admin("GET", f"/users/me/teams/{team['id']}/channels", expect=200)
        channels = [c for c in channels if c["name"].startswith("channel-")]
        me = admin("GET", "/users/me")
        rng = random.Random(3)
        qs = queries(rng, channels, [f"user{i}" for i in range(USERS)])
        for name, terms in qs.items():  # warm-up
            measure(admin, team["id"], terms, 2, name.startswith("OR"))
        results["queries"] = {name: measure(admin, team["id"], terms, args.samples, name.startswith("OR"))
                              for name, terms in qs.items()}
        results["indexing"] = asyncio.run(insert_cost(url, channels[0]["id"], me["id"]))
        print(json.dumps(results, indent=2, ensure_ascii=False))
    finally:
        proc.stop()


if __name__ == "__main__":
    main()

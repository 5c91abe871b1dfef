"""The load test: simulated users against a Mattermost-API server, and the "supported users" search.

    # supported users per core: a fresh chinwag on PostgreSQL pinned to CPU 0, the generators on CPU 1
    .venv/bin/python -m bench.loadtest search --dataset-users 6000 --posts 100000 --json /tmp/lt.json
    # a fixed number of users for a while, same set-up
    .venv/bin/python -m bench.loadtest run --users 200 --seconds 60
    # the same users on two server processes sharing events through Redis (db 11), both on CPU 0
    .venv/bin/python -m bench.loadtest run --users 200 --seconds 60 --workers 2 --server-cpus 0
    # given levels in order, each from a clean state (20 → 80 → 20: the two 20s must agree)
    .venv/bin/python -m bench.loadtest levels --levels 20,80,20 --hold 40
    # any Mattermost-API server: a file with one login per line (password bench.loadtest.dataset.PASSWORD)
    .venv/bin/python -m bench.loadtest run --url http://host:8065 --logins logins.txt --users 100

See bench/loadtest/__init__.py for what it simulates and bench/README.md for results.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

from bench.loadtest import dataset
from bench.loadtest.driver import (
    CPU_PCT,
    ERROR_PCT,
    GEN_CORE_PCT,
    GEN_CPU_PCT,
    GEN_LAG_MS,
    MEAN_MS,
    P99_MS,
    RAMP_PER_S,
    Fleet,
    GenConfig,
    Limits,
    level_line,
    measure,
    reference_pace,
    run_levels,
    search,
)
from bench.loadtest.smtp_sink import SmtpSink


def kept_database(base_url: str, name: str) -> tuple[str, bool]:
    """A PostgreSQL database kept between runs (``--keep``): (url, whether it already existed)."""
    import asyncio
    from urllib.parse import urlparse, urlunparse

    import asyncpg

    async def ensure() -> bool:
        conn = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
        try:
            if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                return True
            await conn.execute(f'CREATE DATABASE "{name}"')
            return False
        finally:
            await conn.close()

    existed = asyncio.run(ensure())
    u = urlparse(base_url)
    return urlunparse((u.scheme, u.netloc, "/" + name, "", "", "")), existed


#: the Redis database of the load test's clusters (``--workers``): flushed at each start, so nothing of a
#: previous run is left and the tests' database 0 is never touched
REDIS_DB = 11


def cluster_env(workers: int, redis_db: int = REDIS_DB, redis_on: bool = False) -> dict[str, str]:
    """``chinwag serve`` with ``workers`` processes sharing events through Redis (database ``redis_db``,
    flushed here first); nothing for one process unless ``redis_on`` (one process on the Redis stream,
    presence and rate store: Redis mode without a second process)."""
    if workers <= 1 and not redis_on:
        return {}
    import redis

    url = f"redis://127.0.0.1:6379/{redis_db}"
    r = redis.Redis.from_url(url)
    try:
        r.flushdb()
    finally:
        r.close()
    return {"MM_SERVICESETTINGS_WORKERCOUNT": str(workers), "MM_REDISSETTINGS_ENABLE": "true",
            "MM_REDISSETTINGS_URL": url, "MM_CLUSTERSETTINGS_CLUSTERNAME": "loadtest"}


def pin_server(pid: int, cpus: list[int] | None) -> None:
    """The server's processes (the workers and the supervisor: ``-a`` takes every thread; workers started
    later inherit it) on these CPUs."""
    from bench.loadtest.ports import children

    if cpus is None:
        return
    for p in [pid, *children(pid)]:
        subprocess.run(["taskset", "-a", "-pc", ",".join(map(str, cpus)), str(p)], check=True, capture_output=True)


def server_workers(pid: int, workers: int, timeout_s: float = 60) -> list[int]:
    """The worker processes of ``chinwag serve --workers N`` (uvicorn's children that listen; a
    multiprocessing resource tracker is not one), once all ``workers`` are there."""
    from bench.loadtest.ports import children

    if workers <= 1:
        return []
    end = time.monotonic() + timeout_s
    while True:
        found = []
        for c in children(pid):
            try:
                with open(f"/proc/{c}/cmdline", "rb") as f:
                    cmd = f.read()
            except FileNotFoundError:
                continue
            if b"resource_tracker" not in cmd:
                found.append(c)
        if len(found) >= workers or time.monotonic() > end:
            return found
        time.sleep(0.2)


def start_chinwag(db: str, workdir: str, pin: list[int] | None, keep: str = "",
                  workers: int = 1, redis_on: bool = False,
                  extra_env: dict[str, str] | None = None) -> tuple[Any, Any, dict[str, str], str, bool]:
    """A chinwag server (PostgreSQL or SQLite; ``workers`` processes sharing events through Redis when
    more than one) on a fresh database, or on the kept one named ``keep``; returns (server, drop, env, dsn,
    whether the data set is already there)."""
    from tests.procs import ServerProcess, create_pg_database, sqlite_env

    env = {"MM_LOGSETTINGS_CONSOLELEVEL": "ERROR", "MM_TEAMSETTINGS_MAXUSERSPERTEAM": "1000000",
           "MM_SERVICESETTINGS_ENABLECUSTOMEMOJI": "true", **cluster_env(workers, redis_on=redis_on),
           **(extra_env or {})}
    dsn, drop, loaded = "", None, False
    base = os.environ.get("CHINWAG_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
    if db == "postgres":
        if keep:
            dsn, loaded = kept_database(base, keep)
        else:
            dsn, drop = create_pg_database(base)
        env |= {"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": dsn,
                "MM_FILESETTINGS_DIRECTORY": os.path.join(workdir, "files")}
    else:
        env |= sqlite_env(workdir)
    srv = ServerProcess(env, workdir).start()
    assert srv.proc is not None
    pin_server(srv.proc.pid, pin)
    return srv, drop, srv.env, dsn, loaded


def set_passwords_api(api: str, admin_token: str, logins: list[str]) -> None:
    """Any Mattermost-API server: an admin sets each simulated user's password (bcrypt at the server's cost)."""
    h = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=api, headers=h, timeout=60) as c:
        r = c.post("/users/usernames", json=logins)
        r.raise_for_status()
        for u in r.json():
            c.put(f"/users/{u['id']}/password", json={"new_password": dataset.PASSWORD}).raise_for_status()


def prepare(ns: argparse.Namespace, log: Any, extra_env: dict[str, str] | None = None,
            ) -> tuple[Any, Any, list[str], dict[str, Any]]:
    """Start a server (``extra_env`` added to its environment), load the data set; returns (server, drop,
    logins, data-set summary)."""
    wd = tempfile.mkdtemp(prefix="chinwag-loadtest-")
    pin = None if ns.no_pin else parse_cpus(ns.server_cpus)
    keep = f"chinwag_loadtest_{ns.dataset_users}_{ns.posts}_{ns.public_channels}" if ns.keep else ""
    srv, drop, env, dsn, loaded = start_chinwag(ns.db, wd, pin, keep, ns.workers, ns.redis, extra_env)
    if loaded:
        log(f"data set: kept database {keep}")
        return srv, drop, [dataset.username(i) for i in range(ns.dataset_users)], {"kept_database": keep}
    admin_token = ""
    if ns.db != "postgres":  # first user = system admin, who sets the passwords over the API
        httpx.post(srv.api + "/users", json={"username": "ltadmin", "email": "ltadmin@loadtest.example.com",
                                             "password": dataset.PASSWORD}).raise_for_status()
        admin_token = httpx.post(srv.api + "/users/login", json={"login_id": "ltadmin",
                                                                  "password": dataset.PASSWORD}).headers["Token"]
    shape = dataset.Shape(users=ns.dataset_users, posts=ns.posts, public_per_team=ns.public_channels,
                          private_per_team=max(1, ns.public_channels * 3 // 10),
                          public_per_user=min(12, ns.public_channels), private_per_user=min(2, ns.public_channels))
    log(f"data set: {shape}")
    path = os.path.join(wd, "loadtest-data.jsonl")
    t = time.monotonic()
    summary = dataset.write_jsonl(__import__("pathlib").Path(path), shape)
    summary["generate_s"] = round(time.monotonic() - t, 1)
    summary["import_s"] = round(dataset.import_file(__import__("pathlib").Path(path), env), 1)
    os.unlink(path)
    logins = [dataset.username(i) for i in range(shape.users)]
    if dsn:
        summary["passwords_set"] = dataset.set_passwords_pg(dsn)
    else:
        set_passwords_api(srv.api, admin_token, logins)
    # restart so the server's caches start from the loaded data, as after a real import + deploy
    srv.stop()
    srv.start()
    pin_server(srv.proc.pid, pin)
    log(f"loaded: {summary}")
    return srv, drop, logins, summary


def print_table(m: dict[str, Any], out: Any = sys.stdout) -> None:
    print(f"{'endpoint':<62} {'count':>6} {'/s':>6} {'mean':>7} {'p50':>7} {'p99':>7} {'max':>7} {'5xx':>4} {'4xx':>4}",
          file=out)
    for r in m["endpoints"]:
        def f(x: Any) -> str:
            return "-" if x is None else f"{x:.1f}"
        print(f"{r['endpoint'][:62]:<62} {r['count']:>6} {r['per_s']:>6.2f} {f(r['mean_ms']):>7} {f(r['p50_ms']):>7} "
              f"{f(r['p99_ms']):>7} {f(r['max_ms']):>7} {r['errors']:>4} {r['client_errors']:>4}", file=out)


def print_cluster(m: dict[str, Any], out: Any = sys.stdout) -> None:
    """The events' path and, with several server processes, each one's share and Redis's."""
    print("events:", json.dumps({"echo": m["echo"], "by_kind": dict(list(m["ws_events_by_kind"].items())[:8])}),
          file=out)
    if "server_processes" in m:
        print("server processes:", json.dumps(m["server_processes"]), file=out)
    if "redis" in m:
        print("redis:", json.dumps(m["redis"]), file=out)


def parse_cpus(text: str) -> list[int]:
    """"1-3,5" → [1, 2, 3, 5]."""
    out: set[int] = set()
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("search", "run", "levels"))
    ap.add_argument("--url", help="an existing server (skip start-up and data set); needs --logins")
    ap.add_argument("--logins", help="file with one login per line (with --url)")
    ap.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    ap.add_argument("--dataset-users", type=int, default=5000)
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--keep", action="store_true",
                    help="PostgreSQL: keep the loaded database (chinwag_loadtest_<users>_<posts>_<channels>) and "
                         "reuse it next time instead of loading the data set again")
    ap.add_argument("--public-channels", type=int, default=100, help="public channels per team")
    ap.add_argument("--users", type=int, default=100, help="run: users to hold")
    ap.add_argument("--seconds", type=float, default=60, help="run: the measured window")
    ap.add_argument("--levels", default="20,80,20", help="levels: comma-separated user counts, run in order")
    ap.add_argument("--start", type=int, default=500, help="search: first level")
    ap.add_argument("--resolution", type=float, default=0.1, help="search: stop bisecting within this fraction")
    ap.add_argument("--hold", type=float, default=60, help="search: seconds measured per level")
    ap.add_argument("--settle", type=float, default=15, help="seconds after the ramp before measuring")
    ap.add_argument("--ramp", type=float, default=RAMP_PER_S,
                    help="users added per second (default: load-test-ng's coordinator, 8 users per 1 s tick)")
    ap.add_argument("--startup-idle", choices=("ltng", "none"), default="ltng",
                    help="ltng: a user idles PickIdleTimeMs(min, avg) before logging in and again before its "
                         "reload, as load-test-ng's SimulController.Run; none: it starts at once")
    ap.add_argument("--processes", type=int, default=3, help="generator processes")
    ap.add_argument("--avg-idle-ms", type=int, default=20000, help="load-test-ng's AvgIdleTimeMs")
    ap.add_argument("--min-idle-ms", type=int, default=1000, help="load-test-ng's MinIdleTimeMs")
    ap.add_argument("--rates", choices=("default", "sample"), default="default",
                    help="users' pace: load-test-ng's default (all at rate 1) or its sample distribution")
    ap.add_argument("--pictures", choices=("ltng", "browser"), default="ltng",
                    help="profile pictures: as load-test-ng (every poster of every fetched batch, with its ETag) "
                         "or as a browser's cache (once a session)")
    ap.add_argument("--workers", type=int, default=1,
                    help="server processes: more than one runs `chinwag serve --workers N` with Redis (database "
                         f"{REDIS_DB}, flushed at the start); their CPU is summed (the supervisor listed apart)")
    ap.add_argument("--redis", action="store_true",
                    help="with one server process: run it on Redis all the same (database as --workers), to tell "
                         "Redis mode's cost from a second process's")
    ap.add_argument("--server-cpus", default="0",
                    help="CPUs for the server's processes, e.g. 0 or 0-1 (default 0: every worker on one core)")
    ap.add_argument("--no-pin", action="store_true", help="do not pin the server to CPU 0 and generators to CPU 1")
    ap.add_argument("--generator-cpus", default="",
                    help="CPUs for the generator processes, e.g. 1-3 or 1,2 (default: every CPU but 0)")
    ap.add_argument("--max-cpu", type=float, default=CPU_PCT, help="server CPU threshold, %% of its core (0: off)")
    ap.add_argument("--max-mean-ms", type=float, default=MEAN_MS)
    ap.add_argument("--max-p99-ms", type=float, default=P99_MS)
    ap.add_argument("--max-error-pct", type=float, default=ERROR_PCT)
    ap.add_argument("--max-generator-cpu", type=float, default=GEN_CPU_PCT,
                    help="a level is void (generator-bound) when a generator process, or all together per core, "
                         "use this %% of a core")
    ap.add_argument("--max-generator-core-busy", type=float, default=GEN_CORE_PCT,
                    help="… or the generators' pinned cores are this %% busy with anything")
    ap.add_argument("--max-generator-lag-ms", type=float, default=GEN_LAG_MS,
                    help="… or a generator's event loop lags this much (p99)")
    ap.add_argument("--reference", type=int, default=0,
                    help="levels/search: first a small level (this many users) the generators carry with ease; a "
                         "later level where they were strained still counts if every server threshold held and the "
                         "users kept ≥ 95%% of the reference's actions per user (0: no reference, strained = void)")
    ap.add_argument("--json", help="write the result here as JSON")
    ap.add_argument("--no-smtp-sink", action="store_true",
                    help="no SMTP sink for the server's email (by default one counts what the server sends, as "
                         "load-test-ng's Inbucket does; without it the server's mails are refused and retried)")
    ns = ap.parse_args()

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server and drop the database on kill
    limits = Limits(ns.max_error_pct, ns.max_mean_ms, ns.max_p99_ms, ns.max_cpu,
                    generator_cpu_pct=ns.max_generator_cpu, generator_core_pct=ns.max_generator_core_busy,
                    generator_lag_ms=ns.max_generator_lag_ms)
    srv = drop = None
    sink: SmtpSink | None = None
    srv_dsn = ""
    summary: dict[str, Any] = {}
    if ns.url:
        if not ns.logins:
            ap.error("--url needs --logins")
        with open(ns.logins) as f:
            logins = [x.strip() for x in f if x.strip()]
        api, ws_url, pid = ns.url.rstrip("/") + "/api/v4", ns.url.rstrip("/").replace("http", "ws", 1) + \
            "/api/v4/websocket", None
    else:
        if not ns.no_smtp_sink:
            sink = SmtpSink().start()
            log(f"SMTP sink: {sink.host}:{sink.port} (pid {sink.pid})")
        srv, drop, logins, summary = prepare(ns, log, sink.env() if sink is not None else None)
        api, ws_url, pid = srv.api, srv.ws_url, srv.proc.pid
        srv_dsn = srv.env.get("MM_SQLSETTINGS_DATASOURCE", "") if ns.db == "postgres" else ""
    workers = server_workers(pid, ns.workers) if pid else []
    if ns.workers <= 1 and pid:
        log(f"server: pid {pid}")
    if ns.workers > 1 and pid:
        pin_server(pid, None if ns.no_pin else parse_cpus(ns.server_cpus))
        log(f"server: supervisor {pid}, workers {workers}")
        if len(workers) < ns.workers:
            raise SystemExit(f"only {len(workers)} of {ns.workers} worker processes started")
    cfg = GenConfig(api, ws_url, logins, ramp_per_s=ns.ramp, min_idle_ms=ns.min_idle_ms, avg_idle_ms=ns.avg_idle_ms,
                    rates=ns.rates, pictures=ns.pictures, startup_idle=ns.startup_idle, server_pids=workers,
                    server_port=srv.port if srv is not None else 0)
    server_cpus = parse_cpus(ns.server_cpus)
    gen_cpus = None if ns.no_pin or ns.url else \
        (parse_cpus(ns.generator_cpus) if ns.generator_cpus else
         sorted(os.sched_getaffinity(0) - set(server_cpus)) or server_cpus)
    fleet = Fleet(cfg, ns.processes, cpus=gen_cpus)
    fleet.pg_dsn = srv_dsn
    fleet.server_workers = workers
    fleet.smtp_counts = sink.counts if sink is not None else None
    fleet.redis_url = srv.env.get("MM_REDISSETTINGS_URL", "") if srv is not None and (ns.workers > 1 or ns.redis) else ""
    conditions = {"cpus": os.cpu_count(), "server_pinned_cpu": None if ns.no_pin or ns.url else server_cpus,
                  "server_workers": ns.workers, "redis": ns.workers > 1 or ns.redis,
                  "generator_cpus": gen_cpus, "generator_processes": ns.processes,
                  "db": ns.db if not ns.url else "external", "load_before": os.getloadavg(),
                  "avg_idle_ms": ns.avg_idle_ms, "rates": ns.rates, "pictures": ns.pictures, "min_idle_ms": ns.min_idle_ms,
                  "ramp_per_s": ns.ramp, "startup_idle": ns.startup_idle,
                  "smtp_sink": None if sink is None else f"{sink.host}:{sink.port}",
                  "thresholds": limits.__dict__, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    try:
        ref = reference_pace(fleet, ns.reference, ns.settle, ns.hold, pid, limits, log) \
            if ns.reference and ns.mode != "run" else None
        conditions["reference"] = None if ref is None else {
            k: ref[k] for k in ("users", "actions_per_user_s", "requests_per_user_s", "mean_ms", "p99_ms",
                                "server_cpu_pct")}
        if ns.mode == "levels":
            ms = run_levels(fleet, [int(x) for x in ns.levels.split(",")], ns.settle, ns.hold, pid, limits, log)
            result = {"conditions": conditions, "dataset": summary, "levels": ms}
            for m in ms:
                print(f"\n{level_line(m).strip()}")
                print("cost:", json.dumps(m["cost"]))
                print_cluster(m)
                print_table(m)
            print(json.dumps([{k: m[k] for k in ("users", "ok", "generator_bound", "requests_per_s",
                                                 "requests_per_user_s", "mean_ms", "p99_ms", "errors",
                                                 "server_cpu_pct")} for m in ms]))
        elif ns.mode == "run":
            m = measure(fleet, min(ns.users, len(logins)), ns.settle, ns.seconds, pid, limits, log)
            result = {"conditions": conditions, "dataset": summary, **m}
            print_table(m)
            print(level_line(m).strip())
            print("cost:", json.dumps(m["cost"]))
            print_cluster(m)
            shown = {k: m[k] for k in ("users", "connected", "ok", "broken", "generator_bound", "requests_per_s", "errors",
                                       "client_errors", "mean_ms", "p99_ms", "server_cpu_pct", "server_rss_mb",
                                       "server_cpu_ms_per_request", "users_per_core_at_cpu_limit")}
            print(json.dumps(shown))
        else:
            r = search(fleet, ns.start, min(len(logins), ns.dataset_users), ns.resolution, ns.settle, ns.hold, pid,
                       limits, log)
            result = {"conditions": conditions, "dataset": summary, **r}
            print(f"\nsupported users: {r['supported_users']}"
                  + (" (the data set's limit; add users)" if r["limited_by_data_set"] else "")
                  + (f" — a LOWER BOUND: the generators were the bottleneck at {r['generator_bound_at']} users; "
                     "give them more cores (--generator-cpus, --processes)" if r["generator_limited"] else ""))
            if r["at_supported"]:
                a = r["at_supported"]
                print(f"at {a['users']} users: {a['requests_per_s']} req/s, mean {a['mean_ms']} ms, p99 {a['p99_ms']} ms, "
                      f"errors {a['errors']} ({a['error_pct']}%), server CPU {a['server_cpu_pct']}%, "
                      f"RSS {a['server_rss_mb']} MB; CPU projection {a['users_per_core_at_cpu_limit']} users per core")
                print_table(a)
            print(json.dumps({"supported_users": r["supported_users"],
                              "generator_bound_at": r["generator_bound_at"],
                              "levels": [{k: lv[k] for k in ("users", "ok", "generator_bound", "requests_per_s",
                                                             "requests_per_user_s", "mean_ms", "p99_ms",
                                                             "errors", "server_cpu_pct", "server_rss_mb",
                                                             "users_per_core_at_cpu_limit")}
                                         for lv in r["levels"]]}))
        conditions["load_after"] = os.getloadavg()
        if sink is not None:
            result["emails_received_total"] = sink.counts()
            print("SMTP sink, whole run:", json.dumps(result["emails_received_total"]))
        if ns.json:
            with open(ns.json, "w") as f:
                json.dump(result, f, indent=1)
    finally:
        fleet.stop()
        if srv is not None:
            srv.stop()
        if drop is not None:
            drop()
        if sink is not None:
            sink.stop()


if __name__ == "__main__":
    main()

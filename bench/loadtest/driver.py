"""Generator processes and the measurement: N processes, each an asyncio loop of simulated users (one
shared aiohttp pool per process, one WebSocket per user); the parent tells them how many users to hold
and collects a window's latencies, errors and the server's CPU and RSS."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing as mp
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from bench.loadtest.ports import PortMap
from bench.loadtest.sim import ECHO_TIMEOUT_S, Env, Http, Recorder, SimUser

#: load-test-ng's alert thresholds (coordinator MonitorConfig): 5xx and timeouts < 0.025 % of requests,
#: mean request time < 100 ms, p99 < 2 s (applied here to every endpoint), app CPU < 85 %.
ERROR_PCT = 0.025
MEAN_MS = 100.0
P99_MS = 2000.0
CPU_PCT = 85.0
#: the generators are the bottleneck (the level is void) when one of their processes uses this much of a
#: core, or all of them this much of their cores; or the cores they are pinned to are this busy with
#: anything (the database may share them); or an event loop wakes this late from a 50 ms sleep (p99)
GEN_CPU_PCT = 70.0
GEN_CORE_PCT = 90.0
GEN_LAG_MS = 50.0
#: a level where the generators were strained still counts when every server threshold held and the users
#: kept their pace: at least this share of the actions per user per second of the reference level (a small
#: level the generators carry with ease). Actions, not requests: what a user does is paced by its idle times
#: (load-test-ng's controller), while the requests per user grow with the users online (more events to
#: follow). Strained generators only add to the latencies they measure (the verdict is conservative) and, by
#: waking late, slow their users down — which the pace check catches.
PACE_SHARE = 0.95
#: before a level the server must be under this CPU (% of a core) for two consecutive seconds
IDLE_PCT = 5.0
#: load-test-ng's coordinator: NumUsersInc (default 8) users per feedback-loop iteration, one iteration per
#: performance-monitor tick (1 s, UpdateIntervalMs fixed since MM-61922)
RAMP_PER_S = 8.0


@dataclass
class GenConfig:
    api: str
    ws_url: str
    logins: list[str]
    #: users added per second: load-test-ng's coordinator adds NumUsersInc (8) users at each tick of its
    #: performance monitor (1 s) while no alert holds it back (bench/README.md)
    ramp_per_s: float = RAMP_PER_S
    min_idle_ms: int = 1000
    avg_idle_ms: int = 20000
    http_connections: int = 256
    timeout_s: float = 30.0
    seed: int = 1
    rates: str = "default"
    pictures: str = "ltng"
    startup_idle: str = "ltng"
    #: several server processes (a cluster on this machine): their pids and port, to tell which one serves
    #: each connection (``ports.PortMap``); empty: one process, nothing to tell apart
    server_pids: list[int] = field(default_factory=list)
    server_port: int = 0


def _worker(conn: Connection, cfg: GenConfig, cpus: list[int] | None) -> None:
    # a session of its own, hence a scheduling group of its own (Linux's autogroup, on by default): in the
    # parent's session the generators shared one group's weight with the server — its share on their core
    # shrank to the server's CPU elsewhere — and, woken by a frame or a timer, waited in the run queue
    # behind the database's group although they use a few per cent of a core (bench/README.md)
    try:
        os.setsid()
    except OSError:
        pass
    if cpus:
        os.sched_setaffinity(0, set(cpus))
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_worker_main(conn, cfg))


def _new_http(cfg: GenConfig) -> Http:
    return Http(cfg.timeout_s, cfg.http_connections)


async def _stop_users(users: list[tuple[SimUser, asyncio.Task[None]]]) -> None:
    """Stop these users at once: their tasks are cancelled (a request in flight is abandoned, its socket
    closed by the pool) and awaited, so each one's WebSocket is closed and its periodic task gone."""
    for u, task in users:
        u.stop.set()
        task.cancel()
    await asyncio.gather(*(t for _, t in users), return_exceptions=True)


def thread_schedstat() -> tuple[int, int] | None:
    """This thread's (on-CPU ns, run-queue wait ns) from ``/proc/thread-self/schedstat``: the time it ran and
    the time it was runnable but another task had its core (None where the kernel has no schedstats)."""
    try:
        with open("/proc/thread-self/schedstat", "rb") as f:
            run_ns, wait_ns, _ = f.read().split()
        return int(run_ns), int(wait_ns)
    except (OSError, ValueError):
        return None


@dataclass
class LagSample:
    """One wake-up of the lag probe: how late it woke (ms) and, over that sleep, how long the loop's thread
    ran (``cpu_ms``) and waited for its core while runnable (``wait_ms``)."""
    lag_ms: float
    cpu_ms: float = 0.0
    wait_ms: float = 0.0


LAG_TRACE_ENV = "CHINWAG_LOADTEST_LAG_TRACE"


def lag_summary(samples: list[LagSample], wall_s: float) -> dict[str, float]:
    """A window's lag: its p99 and max, and the p99 of each sample's lateness split in two — the part the
    loop's thread may have spent runnable but off its core (``lag_wait``: at most the run-queue wait over
    that sleep; the other processes on the core — sibling generators, the database — had it) and the rest
    (``lag_own``: the loop running its own callbacks past the deadline); ``wait_pct``, the thread's
    run-queue wait over the window as a share of it. A wait counts as lateness only up to the lateness: a
    wait before the deadline delayed nothing."""
    if not samples:
        return {"lag_p99_ms": 0.0, "lag_max_ms": 0.0, "lag_wait_p99_ms": 0.0, "lag_own_p99_ms": 0.0,
                "wait_pct": 0.0}
    lag = sorted(s.lag_ms for s in samples)
    waited = sorted(min(max(s.lag_ms, 0.0), s.wait_ms) for s in samples)
    own = sorted(max(0.0, s.lag_ms - s.wait_ms) for s in samples)
    return {"lag_p99_ms": pct(lag, 99), "lag_max_ms": lag[-1], "lag_wait_p99_ms": pct(waited, 99),
            "lag_own_p99_ms": pct(own, 99),
            "wait_pct": sum(s.wait_ms for s in samples) / 10 / wall_s if wall_s > 0 else 0.0}


async def _lag_probe(lags: list[LagSample], trace: Any = None) -> None:
    """The event loop's lag: how late a 50 ms sleep wakes up. A loop busy with its users (a saturated
    generator) delays every response it reads, which the latencies would count as the server's."""
    loop = asyncio.get_running_loop()
    while True:
        t = loop.time()
        s0 = thread_schedstat()
        await asyncio.sleep(0.05)
        lag = (loop.time() - t - 0.05) * 1000
        s1 = thread_schedstat()
        if s0 is None or s1 is None:
            lags.append(LagSample(lag))
        else:
            lags.append(LagSample(lag, (s1[0] - s0[0]) / 1e6, (s1[1] - s0[1]) / 1e6))
        if trace is not None:
            trace(lags[-1])


class GcPauses:
    """The collector's pauses in this process (``gc.callbacks``): each collection's time and generation, so a
    late loop can be told apart from a busy one (a full collection of a generator's heap — a thousand users'
    state — stops the loop for hundreds of milliseconds at a few per cent of CPU)."""

    def __init__(self) -> None:
        self.t0 = 0.0
        self.pauses: list[tuple[float, int]] = []

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.t0 = time.perf_counter()
        else:
            self.pauses.append(((time.perf_counter() - self.t0) * 1000, int(info["generation"])))

    def take(self) -> dict[str, Any]:
        p, self.pauses = self.pauses, []
        return {"gc_ms": round(sum(ms for ms, _ in p), 1), "gc_max_ms": round(max((ms for ms, _ in p), default=0.0), 1),
                "gc_full": sum(1 for _, g in p if g == 2)}


FREEZE_EVERY_S = 5.0


async def _freezer() -> None:
    """What the users hold now leaves the collector's view every few seconds (``gc.freeze``): a level's
    long-lived state (sessions, channels, remembered posts, sockets) is never scanned again, so a collection
    only walks what was made since — no full collection over the whole heap in a window. The server sees the
    same requests; only the generator's pauses go (their loop lag counted against the level otherwise). A
    new level unfreezes and collects first (``reset``), outside any window."""
    while True:
        await asyncio.sleep(FREEZE_EVERY_S)
        gc.freeze()


def classify_echoes(ports: PortMap, todo: list[tuple[int, int]]) -> tuple[int, int, int]:
    """(same process, across processes, unknown) for echoed posts' (request port, WebSocket port)."""
    ports.refresh()
    same = cross = unknown = 0
    for http_port, ws_port in todo:
        a, b = ports.pid_of(http_port), ports.pid_of(ws_port)
        if a is None or b is None:
            unknown += 1
        elif a == b:
            same += 1
        else:
            cross += 1
    return same, cross, unknown


async def _classify(env: Env) -> None:
    """Several server processes: once a second, which process served each echoed post's request and the
    poster's WebSocket (one read of /proc for all the echoes of that second, in a thread: at 3,000 users
    the tables and descriptors are thousands of lines, which held the generator's loop for tens of ms)."""
    rec = env.rec
    while True:
        await asyncio.sleep(1.0)
        if not env.to_classify:
            continue
        todo, env.to_classify = env.to_classify, []
        level = rec.level
        mine = [(h, w) for lv, h, w in todo if lv == level]
        if not mine:
            continue
        same, cross, unknown = await asyncio.to_thread(classify_echoes, env.ports, mine)
        if rec.level == level:
            rec.echo_same += same
            rec.echo_cross += cross
            rec.echo_unknown += unknown


async def _worker_main(conn: Connection, cfg: GenConfig) -> None:
    loop = asyncio.get_running_loop()
    rec = Recorder()
    http = _new_http(cfg)
    env = Env(cfg.api, cfg.ws_url, http, rec, asyncio.Event(), cfg.min_idle_ms, cfg.avg_idle_ms, rates=cfg.rates,
              pictures=cfg.pictures, startup_idle=cfg.startup_idle)
    if len(cfg.server_pids) > 1:
        env.ports = PortMap(cfg.server_port, cfg.server_pids)
    classifier = asyncio.create_task(_classify(env)) if env.ports is not None else None
    users: list[tuple[SimUser, asyncio.Task[None]]] = []
    target = 0
    lags: list[LagSample] = []
    cpu_mark, wall_mark = time.process_time(), time.monotonic()
    trace = None
    if os.environ.get(LAG_TRACE_ENV):
        # diagnostics: every probe sample with what the process was doing (frames and requests so far)
        out_f = open(os.path.join(os.environ[LAG_TRACE_ENV], f"lag-{os.getpid()}.tsv"), "w", buffering=1)  # noqa: ASYNC230

        def trace(s: LagSample) -> None:
            out_f.write(f"{time.time():.3f}\t{s.lag_ms:.1f}\t{s.cpu_ms:.2f}\t{s.wait_ms:.2f}\t{rec.ws_events}\t"
                        f"{sum(len(v) for v in rec.lat.values())}\t{len(users)}\n")
    probe = asyncio.create_task(_lag_probe(lags, trace))
    pauses = GcPauses()
    gc.callbacks.append(pauses)
    freezer = asyncio.create_task(_freezer())

    async def ramp() -> None:
        gap = 1 / cfg.ramp_per_s if cfg.ramp_per_s > 0 else 0
        while True:
            if len(users) > target:
                excess = users[target:]
                del users[target:]
                await _stop_users(excess)
            if len(users) < target and len(users) < len(cfg.logins):
                i = len(users)
                u = SimUser(env, cfg.logins[i], cfg.seed * 1_000_003 + i)
                users.append((u, asyncio.create_task(u.run())))
                await asyncio.sleep(gap)
            else:
                await asyncio.sleep(0.1)

    ramper = asyncio.create_task(ramp())
    while True:
        cmd, arg = await loop.run_in_executor(None, conn.recv)
        if cmd == "users":
            target = int(arg)
        elif cmd == "reset":
            # a new level starts from nothing: no user, no task of a user, no pooled socket, a new level
            # number (a straggling request of the old level is never recorded)
            ramper.cancel()
            await asyncio.gather(ramper, return_exceptions=True)
            target = 0
            old, users[:] = list(users), []
            await _stop_users(old)
            await env.http.aclose()
            env.http = _new_http(cfg)
            gc.unfreeze()  # the old level's state, frozen as it went, is garbage now
            gc.collect()
            rec.level += 1
            rec.reset()
            lags.clear()
            pauses.take()
            cpu_mark, wall_mark = time.process_time(), time.monotonic()
            ramper = asyncio.create_task(ramp())
            env.to_classify.clear()
            left = [t for t in asyncio.all_tasks()
                    if t not in (asyncio.current_task(), ramper, probe, classifier, freezer)]
            conn.send({"users": len(users), "tasks_left": len(left)})
        elif cmd == "take":
            now = time.perf_counter()
            for u, _ in users:
                u.overdue_echoes(now)
            out = rec.take()
            out["active"] = len(users)
            out["connected"] = sum(1 for u, _ in users if u.connected)
            out["started"] = sum(1 for u, _ in users if u.started)
            out["gave_up"] = sum(1 for u, t in users if t.done() and not u.started)  # start-up failed 5 times
            cpu, wall = time.process_time(), time.monotonic()
            out["cpu_s"], out["wall_s"] = cpu - cpu_mark, wall - wall_mark
            cpu_mark, wall_mark = cpu, wall
            out |= lag_summary(lags, out["wall_s"])
            lags.clear()
            out |= pauses.take()
            out["pid"] = os.getpid()
            conn.send(out)
        elif cmd == "stop":
            ramper.cancel()
            probe.cancel()
            freezer.cancel()
            if classifier is not None:
                classifier.cancel()
            await _stop_users(users)
            await env.http.aclose()
            conn.send("stopped")
            return


class Fleet:
    """The generator processes (pinned to ``cpus`` when given); users are split evenly between them."""

    def __init__(self, cfg: GenConfig, processes: int, cpus: list[int] | None = None) -> None:
        self.cpus = list(cpus) if cpus else None
        ctx = mp.get_context("fork")
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        per = [cfg.logins[i::processes] for i in range(processes)]
        for i in range(processes):
            parent, child = ctx.Pipe()
            sub = GenConfig(**{**cfg.__dict__, "logins": per[i], "ramp_per_s": cfg.ramp_per_s / processes,
                               "seed": cfg.seed * 100 + i})
            p = ctx.Process(target=_worker, args=(child, sub, self.cpus), daemon=True)
            p.start()
            self.conns.append(parent)
            self.procs.append(p)
        self.users = 0
        #: the server's PostgreSQL database (a URL): its backends' CPU is measured per window
        self.pg_dsn = ""
        #: several server processes: the workers' pids (the server pid given to ``measure`` is their
        #: supervisor) and the Redis they share (its CPU and calls measured per window)
        self.server_workers: list[int] = []
        self.redis_url = ""
        #: the load test's SMTP sink: what it has received so far (None: no sink)
        self.smtp_counts: Callable[[], dict[str, int]] | None = None

    def reset(self) -> dict[str, int]:
        """Every process drops all its users (tasks cancelled and awaited, WebSockets closed, the HTTP pool
        closed and replaced) and starts a new level; returns what is left (0 users, 0 tasks)."""
        for c in self.conns:
            c.send(("reset", None))
        left = {"users": 0, "tasks_left": 0}
        for c in self.conns:
            if not c.poll(120):
                raise RuntimeError("a generator process did not drop its users within 120 s")
            r = c.recv()
            left = {k: left[k] + r[k] for k in left}
        self.users = 0
        return left

    def set_users(self, n: int) -> None:
        k = len(self.conns)
        for i, c in enumerate(self.conns):
            c.send(("users", n // k + (1 if i < n % k else 0)))
        self.users = n

    def take(self) -> Window:
        for c in self.conns:
            c.send(("take", None))
        return Window.merge([c.recv() for c in self.conns])

    def stop(self) -> None:
        for c in self.conns:
            c.send(("stop", None))
        for c in self.conns:
            if c.poll(20):
                c.recv()
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.kill()


@dataclass
class Window:
    lat: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    client_errors: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    ws_connects: int = 0
    ws_errors: int = 0
    ws_events: int = 0
    ws_kinds: dict[str, int] = field(default_factory=dict)
    echo: dict[str, Any] = field(default_factory=lambda: {"expected": 0, "echoed": 0, "missing": 0, "ms": [],
                                                          "cross_process": 0, "same_process": 0,
                                                          "process_unknown": 0})
    active: int = 0
    connected: int = 0
    started: int = 0
    gave_up: int = 0
    #: per generator process: CPU seconds and wall seconds since the previous take, event-loop lag
    procs: list[dict[str, float]] = field(default_factory=list)

    @classmethod
    def merge(cls, parts: list[dict[str, Any]]) -> Window:
        w = cls()
        for p in parts:
            for k, v in p["lat"].items():
                w.lat.setdefault(k, []).extend(v)
            for name in ("errors", "client_errors", "actions", "ws_kinds"):
                d = getattr(w, name)
                for k, n in p[name].items():
                    d[k] = d.get(k, 0) + n
            for k, s in p["samples"].items():
                w.samples.setdefault(k, s)
            for k, v in p.get("echo", {}).items():
                w.echo[k] = w.echo[k] + v
            for name in ("unanswered", "ws_connects", "ws_errors", "ws_events", "active", "connected", "started",
                         "gave_up"):
                setattr(w, name, getattr(w, name) + p[name])
            w.procs.append({k: p[k] for k in ("pid", "cpu_s", "wall_s", "lag_p99_ms", "lag_max_ms", "lag_wait_p99_ms",
                                              "lag_own_p99_ms", "wait_pct", "gc_ms", "gc_max_ms", "gc_full")})
        return w

    def table(self, seconds: float) -> list[dict[str, Any]]:
        rows = []
        for name in sorted(set(self.lat) | set(self.errors) | set(self.client_errors)):
            v = sorted(self.lat.get(name, []))
            rows.append({"endpoint": name, "count": len(v), "per_s": round(len(v) / seconds, 2),
                         "mean_ms": round(statistics.fmean(v), 1) if v else None,
                         "p50_ms": round(pct(v, 50), 1) if v else None, "p99_ms": round(pct(v, 99), 1) if v else None,
                         "max_ms": round(v[-1], 1) if v else None, "errors": self.errors.get(name, 0),
                         "client_errors": self.client_errors.get(name, 0)})
        return sorted(rows, key=lambda r: -r["count"])


def pct(sorted_v: list[float], p: float) -> float:
    if not sorted_v:
        return 0.0
    k = max(0, min(len(sorted_v) - 1, round(p / 100 * len(sorted_v) + 0.5) - 1))
    return sorted_v[k]


def proc_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_backend_pids(dsn: str) -> list[int]:
    """The PostgreSQL backends connected to this URL's database (the server's pool), this probe's own left out."""
    import asyncio as aio

    import asyncpg

    async def q() -> list[int]:
        conn = await asyncpg.connect(dsn.replace("postgres://", "postgresql://", 1))
        try:
            rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND pid <> pg_backend_pid()")
            return [r["pid"] for r in rows]
        finally:
            await conn.close()

    return aio.run(q())


def pids_cpu_s(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each of these processes that is still there (the database on this machine)."""
    out = {}
    for pid in pids:
        try:
            out[pid] = proc_cpu_s(pid)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return out


def proc_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpus_busy_ticks(cpus: list[int]) -> tuple[int, int]:
    """(busy, total) jiffies of these CPUs from /proc/stat: whatever runs there (the generators, and the
    database when the scheduler puts it there) counts as busy."""
    busy = total = 0
    with open("/proc/stat") as f:
        for line in f:
            name, *vals = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
                v = [int(x) for x in vals[:8]]
                total += sum(v)
                busy += sum(v) - v[3] - v[4]  # all but idle and iowait
    return busy, total


@dataclass
class Limits:
    """A level breaks on server-side signals only: errors, the mean and every endpoint's p99 latency, the
    server's CPU. A level where the generators were the bottleneck is void, not broken (``generator_*``)."""
    error_pct: float = ERROR_PCT
    mean_ms: float = MEAN_MS
    p99_ms: float = P99_MS
    cpu_pct: float = CPU_PCT
    p99_min_samples: int = 1
    generator_cpu_pct: float = GEN_CPU_PCT
    generator_core_pct: float = GEN_CORE_PCT
    generator_lag_ms: float = GEN_LAG_MS
    #: actions per user per second at the reference level (None: no reference, strained levels are void)
    reference_pace: float | None = None
    pace_share: float = PACE_SHARE


def app_cpu_s(pids: list[int]) -> float:
    """CPU seconds of the server's processes together (a process gone counts 0)."""
    return sum(pids_cpu_s(pids).values())


def redis_stats(url: str) -> dict[str, Any]:
    """Redis's own CPU seconds (``INFO cpu``: the server's main process, user + system) and its calls per
    command (``INFO commandstats``). The Redis may be shared with other work on the machine."""
    import redis

    r = redis.Redis.from_url(url, socket_timeout=5)
    try:
        cpu = r.info("cpu")
        stats = r.info("commandstats")
    finally:
        r.close()
    return {"cpu_s": float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]),
            "calls": {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}}


def wait_server_idle(server_pid: int | None, idle_pct: float, timeout_s: float, log: Any,
                     workers: list[int] | None = None) -> dict[str, Any]:
    """Before a level: wait until the server's CPU (all its processes: ``workers`` too) stays under
    ``idle_pct`` % of a core for two consecutive seconds (what the previous level left queued has
    drained), at most ``timeout_s``."""
    if not server_pid:
        return {"idle": None, "idle_wait_s": 0.0, "idle_cpu_pct": None}
    pids = [server_pid, *(workers or [])]
    t0 = time.monotonic()
    quiet = 0
    pct_ = 100.0
    while time.monotonic() - t0 < timeout_s:
        c0, w0 = app_cpu_s(pids), time.monotonic()
        time.sleep(1.0)
        pct_ = (app_cpu_s(pids) - c0) / (time.monotonic() - w0) * 100
        quiet = quiet + 1 if pct_ < idle_pct else 0
        if quiet >= 2:
            return {"idle": True, "idle_wait_s": round(time.monotonic() - t0, 1), "idle_cpu_pct": round(pct_, 1)}
    log(f"  the server did not go idle within {timeout_s:.0f} s (CPU {pct_:.0f}%)")
    return {"idle": False, "idle_wait_s": round(time.monotonic() - t0, 1), "idle_cpu_pct": round(pct_, 1)}


def measure(fleet: Fleet, users: int, settle_s: float, hold_s: float, server_pid: int | None,
            limits: Limits, log: Any = print, ramp_timeout_s: float = 900, idle_pct: float = IDLE_PCT,
            idle_timeout_s: float = 120) -> dict[str, Any]:
    """One level from a clean state: drop every user of the previous level (tasks, sockets, HTTP pool), wait
    until the server is idle, sign `users` users in (ramp) and wait until all are through their start-up,
    let them settle, then measure a window of `hold_s` seconds."""
    left = fleet.reset()
    workers: list[int] = list(getattr(fleet, "server_workers", []))
    redis_url: str = getattr(fleet, "redis_url", "")
    idle = wait_server_idle(server_pid, idle_pct, idle_timeout_s, log, workers)
    fleet.set_users(users)
    t0 = time.monotonic()
    while True:
        w = fleet.take()
        if (w.started + w.gave_up >= users and w.connected >= (users - w.gave_up) * 0.98) \
                or time.monotonic() - t0 > ramp_timeout_s:
            break
        log(f"  ramping: {w.started}/{users} users started, {w.connected} connected "
            f"({sum(len(v) for v in w.lat.values())} requests, {sum(w.errors.values()) + w.ws_errors} errors)")
        time.sleep(2)
    ramp_s = time.monotonic() - t0
    time.sleep(settle_s)
    fleet.take()
    cpu0 = proc_cpu_s(server_pid) if server_pid else 0.0
    workers0 = pids_cpu_s(workers)
    redis0 = redis_stats(redis_url) if redis_url else None
    gen0 = cpus_busy_ticks(fleet.cpus) if fleet.cpus else (0, 0)
    smtp_counts = getattr(fleet, "smtp_counts", None)
    mail0 = smtp_counts() if smtp_counts else None
    # the database's backends (the server's pool): CPU at the window's start, and of each backend that
    # appears during it (a new one counts from 0: its life is within the window)
    pg_dsn = getattr(fleet, "pg_dsn", "")
    pg0 = pids_cpu_s(pg_backend_pids(pg_dsn)) if pg_dsn else {}
    pg_last = dict(pg0)
    t1 = time.monotonic()
    rss_peak = parent_rss = 0.0
    while time.monotonic() - t1 < hold_s:
        time.sleep(min(5.0, hold_s - (time.monotonic() - t1)) if hold_s > 0 else 0)
        if server_pid:
            rss_peak = max(rss_peak, proc_rss_mb(server_pid) + sum(proc_rss_mb(p) for p in workers))
            parent_rss = proc_rss_mb(server_pid)
        if pg_dsn:
            pg_last.update(pids_cpu_s(pg_backend_pids(pg_dsn)))
    w = fleet.take()
    seconds = time.monotonic() - t1
    if pg_dsn:
        pg_last.update(pids_cpu_s(list(pg_last)))
    pg_cpu_s = sum(v - pg0.get(pid, 0.0) for pid, v in pg_last.items()) if pg_dsn else None
    parent_cpu_pct = (proc_cpu_s(server_pid) - cpu0) / seconds * 100 if server_pid else None
    workers1 = pids_cpu_s(workers)
    worker_pcts = {pid: round((workers1.get(pid, workers0[pid]) - workers0[pid]) / seconds * 100, 1)
                   for pid in workers0}
    # the app's CPU: every process of it (the supervisor too), summed
    cpu_pct = parent_cpu_pct + sum(worker_pcts.values()) if parent_cpu_pct is not None else None
    redis1 = redis_stats(redis_url) if redis_url else None
    core_pct = None
    if fleet.cpus:
        gen1 = cpus_busy_ticks(fleet.cpus)
        core_pct = (gen1[0] - gen0[0]) / max(1, gen1[1] - gen0[1]) * 100
    m = evaluate(w, seconds, users, cpu_pct, rss_peak if server_pid else None, limits, ramp_s, core_pct,
                 len(fleet.cpus) if fleet.cpus else len(fleet.procs))
    m["clean_start"] = {**left, **idle}
    if mail0 is not None and smtp_counts:
        # the emails the server handed to the SMTP sink during the window (mention notifications, mostly)
        mail1 = smtp_counts()
        m["emails"] = {k: mail1[k] - mail0[k] for k in mail1} | {
            "per_s": round((mail1["messages"] - mail0["messages"]) / seconds, 2)}
    if workers:
        m["server_processes"] = {"supervisor_pid": server_pid, "supervisor_cpu_pct": round(parent_cpu_pct or 0, 1),
                                 "supervisor_rss_mb": round(parent_rss, 1), "workers_cpu_pct": worker_pcts,
                                 "workers_rss_mb": {p: round(proc_rss_mb(p), 1) for p in workers}}
    if redis0 is not None and redis1 is not None:
        n = max(1, m["requests"])
        calls = {k: v - redis0["calls"].get(k, 0) for k, v in redis1["calls"].items()}
        top = sorted(((k, v) for k, v in calls.items() if v > 0), key=lambda kv: -kv[1])[:12]
        m["redis"] = {"cpu_pct": round((redis1["cpu_s"] - redis0["cpu_s"]) / seconds * 100, 1),
                      "cpu_ms_per_request": round((redis1["cpu_s"] - redis0["cpu_s"]) * 1000 / n, 3),
                      "calls_per_request": round(sum(calls.values()) / n, 2),
                      "top_calls_per_request": {k: round(v / n, 3) for k, v in top}}
    actions = sum(w.actions.values())
    gen_cpu_s = sum(p["cpu_s"] for p in w.procs)
    # what each simulated user's action costs on the generators' side of the machine: the generators' own
    # CPU and the database's (its backends serving the server), per 1,000 actions and per 1,000 requests
    m["cost"] = {"actions": actions, "generator_cpu_s": round(gen_cpu_s, 2),
                 "generator_cpu_s_per_1000_actions": round(gen_cpu_s * 1000 / actions, 2) if actions else None,
                 "generator_cpu_ms_per_request": round(gen_cpu_s * 1000 / m["requests"], 3) if m["requests"] else None,
                 "db_cpu_s": None if pg_cpu_s is None else round(pg_cpu_s, 2),
                 "db_cpu_pct": None if pg_cpu_s is None else round(pg_cpu_s / seconds * 100, 1),
                 "db_cpu_s_per_1000_actions": round(pg_cpu_s * 1000 / actions, 2) if pg_cpu_s is not None and actions
                 else None,
                 "db_cpu_ms_per_request": round(pg_cpu_s * 1000 / m["requests"], 3) if pg_cpu_s is not None and
                 m["requests"] else None}
    return m


def generator_load(w: Window, limits: Limits, core_pct: float | None, cores: int) -> dict[str, Any]:
    """The generators' own load over the window and whether they were the bottleneck."""
    procs = [{"pid": p["pid"], "cpu_pct": round(p["cpu_s"] / max(p["wall_s"], 1e-9) * 100, 1),
              "lag_p99_ms": round(p["lag_p99_ms"], 1), "lag_max_ms": round(p["lag_max_ms"], 1),
              "lag_wait_p99_ms": round(p.get("lag_wait_p99_ms", 0.0), 1),
              "lag_own_p99_ms": round(p.get("lag_own_p99_ms", 0.0), 1), "wait_pct": round(p.get("wait_pct", 0.0), 1),
              "gc_ms": p.get("gc_ms", 0.0), "gc_max_ms": p.get("gc_max_ms", 0.0), "gc_full": p.get("gc_full", 0)}
             for p in w.procs]
    total = sum(p["cpu_pct"] for p in procs)
    why = []
    top = max(procs, key=lambda p: p["cpu_pct"], default=None)
    if top and top["cpu_pct"] >= limits.generator_cpu_pct:
        why.append(f"generator process {top['pid']} at {top['cpu_pct']:.0f}% of a core")
    if total / max(1, cores) >= limits.generator_cpu_pct:
        why.append(f"generators at {total:.0f}% of their {cores} core(s)")
    if core_pct is not None and core_pct >= limits.generator_core_pct:
        why.append(f"the generators' core(s) {core_pct:.0f}% busy (generators and whatever else runs there)")
    lag = max((p["lag_p99_ms"] for p in procs), default=0.0)
    if lag >= limits.generator_lag_ms:
        why.append(f"generator event-loop lag p99 {lag:.0f} ms")
    return {"processes": procs, "cpu_pct_total": round(total, 1), "cores": cores,
            "cores_busy_pct": None if core_pct is None else round(core_pct, 1), "bound": why}


def evaluate(w: Window, seconds: float, users: int, cpu_pct: float | None, rss_mb: float | None,
             limits: Limits, ramp_s: float = 0.0, gen_core_pct: float | None = None,
             gen_cores: int = 1) -> dict[str, Any]:
    table = w.table(seconds)
    ok_lat = [x for v in w.lat.values() for x in v]  # every answered request, 5xx included
    n_req = len(ok_lat) + w.unanswered
    errors = sum(w.errors.values()) + w.ws_errors
    err_pct = errors / max(1, n_req) * 100
    mean = statistics.fmean(ok_lat) if ok_lat else 0.0
    broken = []
    if err_pct >= limits.error_pct:
        broken.append(f"errors {err_pct:.3f}% ≥ {limits.error_pct}%")
    if mean >= limits.mean_ms:
        broken.append(f"mean {mean:.0f} ms ≥ {limits.mean_ms:.0f} ms")
    for r in table:
        if r["p99_ms"] is not None and r["count"] >= limits.p99_min_samples and r["p99_ms"] >= limits.p99_ms:
            broken.append(f"p99 {r['endpoint']} {r['p99_ms']:.0f} ms ≥ {limits.p99_ms:.0f} ms")
    if cpu_pct is not None and limits.cpu_pct and cpu_pct >= limits.cpu_pct:
        broken.append(f"server CPU {cpu_pct:.0f}% ≥ {limits.cpu_pct:.0f}%")
    if w.connected < users * 0.98:
        broken.append(f"only {w.connected} of {users} users connected")
    echo = w.echo
    if echo["missing"]:
        # every event goes through the event stream (Redis in a cluster): a user that does not get its own
        # post's `posted` event back means events are lost or late — the level cannot count as good
        broken.append(f"{echo['missing']} of {echo['expected']} own posts' `posted` events not received "
                      f"within {ECHO_TIMEOUT_S:.0f} s")
    echo_ms = sorted(echo["ms"])
    gen = generator_load(w, limits, gen_core_pct, gen_cores)
    every = sorted(ok_lat)
    pace = sum(w.actions.values()) / seconds / max(1, users)
    # strained generators, but the server held every threshold and the users kept their pace: the level
    # counts (the strain only made the measured latencies worse); a broken one stays void
    gen["pace_held"] = bool(gen["bound"] and not broken and limits.reference_pace
                            and pace >= limits.pace_share * limits.reference_pace)
    bound = bool(gen["bound"]) and not gen["pace_held"]
    return {"users": users, "connected": w.connected,
            # a generator-bound level says nothing about the server: neither ok nor broken
            "ok": not broken and not bound, "broken": broken, "generator_bound": bound,
            "reference_pace": limits.reference_pace, "actions_per_user_s": round(pace, 4),
            "seconds": round(seconds, 1), "ramp_s": round(ramp_s, 1), "requests": n_req,
            "requests_per_s": round(n_req / seconds, 1),
            "requests_per_user_s": round(n_req / seconds / max(1, users), 3),
            "errors": errors, "error_pct": round(err_pct, 4),
            "client_errors": sum(w.client_errors.values()), "mean_ms": round(mean, 1),
            "p99_ms": round(pct(every, 99), 1), "server_cpu_pct": None if cpu_pct is None else round(cpu_pct, 1),
            "server_rss_mb": None if rss_mb is None else round(rss_mb, 1),
            # the server's CPU per user, projected to the CPU threshold of one core: the figure the
            # machine's other load disturbs least (it still stretches CPU time somewhat)
            "server_cpu_ms_per_request": round(cpu_pct * 10 * seconds / n_req, 3) if cpu_pct and n_req else None,
            "users_per_core_at_cpu_limit": round(users * (limits.cpu_pct or 100) / cpu_pct) if cpu_pct else None,
            "generators": gen, "ws_events": w.ws_events,
            "ws_events_by_kind": dict(sorted(w.ws_kinds.items(), key=lambda kv: -kv[1])),
            # own posts' `posted` events (request start → the event on the poster's WebSocket); with several
            # server processes, whether the request and the WebSocket were on different ones
            "echo": {**{k: v for k, v in echo.items() if k != "ms"},
                     "p50_ms": round(pct(echo_ms, 50), 1) if echo_ms else None,
                     "p99_ms": round(pct(echo_ms, 99), 1) if echo_ms else None},
            "ws_connects": w.ws_connects, "actions": dict(sorted(w.actions.items(), key=lambda kv: -kv[1])),
            "error_samples": w.samples, "endpoints": table}


def level_line(m: dict[str, Any]) -> str:
    state = "GENERATOR-BOUND" if m["generator_bound"] else "ok" if m["ok"] else "BROKEN"
    if m["generators"].get("pace_held"):
        state += (f" (generators strained, users' pace held: {m['actions_per_user_s']} actions/user/s vs "
                  f"{m['reference_pace']:.4f} at the reference level)")
    g = m["generators"]
    why = m["generators"]["bound"] if m["generator_bound"] else m["broken"]
    return (f"  {m['users']} users: {state}; {m['requests_per_s']} req/s ({m['requests_per_user_s']}/user), "
            f"mean {m['mean_ms']} ms, p99 {m['p99_ms']} ms, errors {m['errors']}, server CPU {m['server_cpu_pct']}%, "
            f"RSS {m['server_rss_mb']} MB; generators {g['cpu_pct_total']}% CPU "
            f"({', '.join(str(p['cpu_pct']) for p in g['processes'])}), core busy {g['cores_busy_pct']}%, "
            f"loop lag p99 {max((p['lag_p99_ms'] for p in g['processes']), default=0)} ms "
            f"(max {max((p['lag_max_ms'] for p in g['processes']), default=0)}; of it waiting for the core "
            f"≤ {max((p.get('lag_wait_p99_ms', 0) for p in g['processes']), default=0)} ms, own callbacks "
            f"{max((p.get('lag_own_p99_ms', 0) for p in g['processes']), default=0)} ms; run-queue wait "
            f"{max((p.get('wait_pct', 0) for p in g['processes']), default=0)}% of the time; longest GC pause "
            f"{max((p['gc_max_ms'] for p in g['processes']), default=0)} ms); "
            f"clean start: {m['clean_start']}; {echo_line(m)}" + (f" — {'; '.join(why)}" if why else ""))


def echo_line(m: dict[str, Any]) -> str:
    e = m.get("echo") or {}
    line = (f"own posts' events: {e.get('echoed', 0)}/{e.get('expected', 0)} back (missing {e.get('missing', 0)}, "
            f"p50 {e.get('p50_ms')} ms, p99 {e.get('p99_ms')} ms)")
    if e.get("cross_process") or e.get("same_process") or e.get("process_unknown"):
        line += (f", {e['cross_process']} across processes, {e['same_process']} within one, "
                 f"{e['process_unknown']} untold")
    return line


def reference_pace(fleet: Fleet, users: int, settle_s: float, hold_s: float, server_pid: int | None,
                   limits: Limits, log: Any = print) -> dict[str, Any]:
    """The users' pace where the generators have it easy: a small level whose requests per user per second
    is what strained levels are held to (``PACE_SHARE``). It must itself be neither broken nor strained."""
    log(f"reference level {users} users …")
    m = measure(fleet, users, settle_s, hold_s, server_pid, limits, log)
    log(level_line(m))
    if m["generators"]["bound"] or not m["ok"]:
        raise SystemExit(f"the reference level of {users} users was not clean: {m['generators']['bound'] or m['broken']}")
    limits.reference_pace = m["actions_per_user_s"]
    return m


def run_levels(fleet: Fleet, levels: list[int], settle_s: float, hold_s: float, server_pid: int | None,
               limits: Limits, log: Any = print) -> list[dict[str, Any]]:
    """The given levels in order, each from a clean state (what shows that the levels are independent)."""
    out = []
    for users in levels:
        log(f"level {users} users …")
        m = measure(fleet, users, settle_s, hold_s, server_pid, limits, log)
        log(level_line(m))
        out.append(m)
    return out


def search(fleet: Fleet, start: int, max_users: int, resolution: float, settle_s: float, hold_s: float,
           server_pid: int | None, limits: Limits, log: Any = print) -> dict[str, Any]:
    """Double the users until a threshold breaks (or the data set runs out), then bisect between the last
    good and the first bad level until they are within `resolution` (a fraction) of each other. Every level
    starts from a clean state. A generator-bound level (void: it says nothing about the server) bounds the
    bisection from above like a broken one; if it comes before any broken level, the figure found is only
    a lower bound (``generator_limited``): measure again with more generator cores."""
    levels: list[dict[str, Any]] = []
    good: dict[str, Any] | None = None
    bad: int | None = None
    gen_bound: int | None = None
    users = start
    while True:
        log(f"level {users} users …")
        m = measure(fleet, users, settle_s, hold_s, server_pid, limits, log)
        levels.append({k: v for k, v in m.items() if k != "endpoints"})
        log(level_line(m))
        if m["generator_bound"]:
            gen_bound = users if gen_bound is None else min(gen_bound, users)
        elif m["ok"]:
            good = m
        else:
            bad = users
        lo = good["users"] if good else 0
        hi = min(x for x in (bad, gen_bound) if x is not None) if bad or gen_bound else None
        if hi is None:
            if users >= max_users:
                break
            users = min(max_users, users * 2)
            continue
        if hi - lo <= max(1, int(resolution * max(lo, 1))):
            break
        users = (lo + hi) // 2
        if users <= 0:
            break
    # generator-bound below the first broken level (or with none broken): the server's figure is higher
    # than what these generators can show — a lower bound only
    gen_limited = gen_bound is not None and (bad is None or gen_bound <= bad)
    return {"supported_users": good["users"] if good else 0,
            "limited_by_data_set": bad is None and gen_bound is None, "generator_limited": gen_limited,
            "generator_bound_at": gen_bound, "levels": levels, "at_supported": good}

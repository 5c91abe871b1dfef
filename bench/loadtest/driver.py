"""Generator processes and the measurement: N processes, each an asyncio loop of simulated users (one
shared httpx pool per process, one WebSocket per user); the parent tells them how many users to hold
and collects a window's latencies, errors and the server's CPU and RSS."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import statistics
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import httpx

from bench.loadtest.sim import Env, Recorder, SimUser

#: load-test-ng's alert thresholds (coordinator MonitorConfig): 5xx and timeouts < 0.025 % of requests,
#: mean request time < 100 ms, p99 < 2 s (applied here to every endpoint), app CPU < 85 %.
ERROR_PCT = 0.025
MEAN_MS = 100.0
P99_MS = 2000.0
CPU_PCT = 85.0


@dataclass
class GenConfig:
    api: str
    ws_url: str
    logins: list[str]
    ramp_per_s: float = 10.0
    min_idle_ms: int = 1000
    avg_idle_ms: int = 20000
    http_connections: int = 256
    timeout_s: float = 30.0
    seed: int = 1
    rates: str = "default"


def _worker(conn: Connection, cfg: GenConfig, cpu: int | None) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_worker_main(conn, cfg))


async def _worker_main(conn: Connection, cfg: GenConfig) -> None:
    loop = asyncio.get_running_loop()
    rec = Recorder()
    http = httpx.AsyncClient(timeout=cfg.timeout_s, limits=httpx.Limits(max_connections=cfg.http_connections,
                                                                        max_keepalive_connections=cfg.http_connections))
    env = Env(cfg.api, cfg.ws_url, http, rec, asyncio.Event(), cfg.min_idle_ms, cfg.avg_idle_ms, rates=cfg.rates)
    users: list[tuple[SimUser, asyncio.Task[None]]] = []
    target = 0

    async def ramp() -> None:
        gap = 1 / cfg.ramp_per_s if cfg.ramp_per_s > 0 else 0
        while True:
            while len(users) > target:
                u, task = users.pop()
                await u.shutdown()
                try:
                    await asyncio.wait_for(task, 10)
                except (TimeoutError, asyncio.CancelledError, Exception):
                    task.cancel()
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
        elif cmd == "take":
            out = rec.take()
            out["active"] = len(users)
            out["connected"] = sum(1 for u, _ in users if u.connected)
            conn.send(out)
        elif cmd == "stop":
            ramper.cancel()
            for u, _ in users:
                u.stop.set()
            tasks = [t for _, t in users]
            if tasks:
                _done, late = await asyncio.wait(tasks, timeout=5)  # users mid-request are cut off
                for t in late:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            await http.aclose()
            conn.send("stopped")
            return


class Fleet:
    """The generator processes; users are split evenly between them."""

    def __init__(self, cfg: GenConfig, processes: int, cpu: int | None = None) -> None:
        ctx = mp.get_context("fork")
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        per = [cfg.logins[i::processes] for i in range(processes)]
        for i in range(processes):
            parent, child = ctx.Pipe()
            sub = GenConfig(**{**cfg.__dict__, "logins": per[i], "ramp_per_s": cfg.ramp_per_s / processes,
                               "seed": cfg.seed * 100 + i})
            p = ctx.Process(target=_worker, args=(child, sub, cpu), daemon=True)
            p.start()
            self.conns.append(parent)
            self.procs.append(p)
        self.users = 0

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
    active: int = 0
    connected: int = 0

    @classmethod
    def merge(cls, parts: list[dict[str, Any]]) -> Window:
        w = cls()
        for p in parts:
            for k, v in p["lat"].items():
                w.lat.setdefault(k, []).extend(v)
            for name in ("errors", "client_errors", "actions"):
                d = getattr(w, name)
                for k, n in p[name].items():
                    d[k] = d.get(k, 0) + n
            for k, s in p["samples"].items():
                w.samples.setdefault(k, s)
            for name in ("unanswered", "ws_connects", "ws_errors", "ws_events", "active", "connected"):
                setattr(w, name, getattr(w, name) + p[name])
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


def proc_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Limits:
    error_pct: float = ERROR_PCT
    mean_ms: float = MEAN_MS
    p99_ms: float = P99_MS
    cpu_pct: float = CPU_PCT
    p99_min_samples: int = 1


def measure(fleet: Fleet, users: int, settle_s: float, hold_s: float, server_pid: int | None,
            limits: Limits, log: Any = print, ramp_timeout_s: float = 900) -> dict[str, Any]:
    """Hold `users` users: wait for them to be signed in (ramp), let them settle, then measure a window."""
    fleet.set_users(users)
    t0 = time.monotonic()
    while True:
        w = fleet.take()
        if w.connected >= users * 0.98 or time.monotonic() - t0 > ramp_timeout_s:
            break
        log(f"  ramping: {w.connected}/{users} users connected ({sum(len(v) for v in w.lat.values())} requests, "
            f"{sum(w.errors.values()) + w.ws_errors} errors)")
        time.sleep(5)
    ramp_s = time.monotonic() - t0
    time.sleep(settle_s)
    fleet.take()
    cpu0 = proc_cpu_s(server_pid) if server_pid else 0.0
    t1 = time.monotonic()
    rss_peak = 0.0
    while time.monotonic() - t1 < hold_s:
        time.sleep(min(5.0, hold_s - (time.monotonic() - t1)) if hold_s > 0 else 0)
        if server_pid:
            rss_peak = max(rss_peak, proc_rss_mb(server_pid))
    w = fleet.take()
    seconds = time.monotonic() - t1
    cpu_pct = (proc_cpu_s(server_pid) - cpu0) / seconds * 100 if server_pid else None
    return evaluate(w, seconds, users, cpu_pct, rss_peak if server_pid else None, limits, ramp_s)


def evaluate(w: Window, seconds: float, users: int, cpu_pct: float | None, rss_mb: float | None,
             limits: Limits, ramp_s: float = 0.0) -> dict[str, Any]:
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
    every = sorted(ok_lat)
    return {"users": users, "connected": w.connected, "ok": not broken, "broken": broken,
            "seconds": round(seconds, 1), "ramp_s": round(ramp_s, 1), "requests": n_req,
            "requests_per_s": round(n_req / seconds, 1), "errors": errors, "error_pct": round(err_pct, 4),
            "client_errors": sum(w.client_errors.values()), "mean_ms": round(mean, 1),
            "p99_ms": round(pct(every, 99), 1), "server_cpu_pct": None if cpu_pct is None else round(cpu_pct, 1),
            "server_rss_mb": None if rss_mb is None else round(rss_mb, 1),
            # the server's CPU per user, projected to the CPU threshold of one core: the figure the
            # machine's other load disturbs least (it still stretches CPU time somewhat)
            "server_cpu_ms_per_request": round(cpu_pct * 10 * seconds / n_req, 3) if cpu_pct and n_req else None,
            "users_per_core_at_cpu_limit": round(users * (limits.cpu_pct or 100) / cpu_pct) if cpu_pct else None,
            "ws_events": w.ws_events,
            "ws_connects": w.ws_connects, "actions": dict(sorted(w.actions.items(), key=lambda kv: -kv[1])),
            "error_samples": w.samples, "endpoints": table}


def search(fleet: Fleet, start: int, max_users: int, resolution: float, settle_s: float, hold_s: float,
           server_pid: int | None, limits: Limits, log: Any = print) -> dict[str, Any]:
    """Double the users until a threshold breaks (or the data set runs out), then bisect between the last
    good and the first bad level until they are within `resolution` (a fraction) of each other."""
    levels: list[dict[str, Any]] = []
    good: dict[str, Any] | None = None
    bad: int | None = None
    users = start
    while True:
        log(f"level {users} users …")
        m = measure(fleet, users, settle_s, hold_s, server_pid, limits, log)
        levels.append({k: v for k, v in m.items() if k != "endpoints"})
        log(f"  {users} users: {'ok' if m['ok'] else 'BROKEN'}; {m['requests_per_s']} req/s, mean {m['mean_ms']} ms, "
            f"p99 {m['p99_ms']} ms, errors {m['errors']}, CPU {m['server_cpu_pct']}%, RSS {m['server_rss_mb']} MB, "
            f"projection {m['users_per_core_at_cpu_limit']} users/core"
            + ("" if m["ok"] else f" — {'; '.join(m['broken'])}"))
        if m["ok"]:
            good = m
        else:
            bad = users
        lo = good["users"] if good else 0
        if bad is None:
            if users >= max_users:
                break
            users = min(max_users, users * 2)
            continue
        if bad - lo <= max(1, int(resolution * max(lo, 1))):
            break
        users = (lo + bad) // 2
        if users <= 0:
            break
    return {"supported_users": good["users"] if good else 0, "limited_by_data_set": bad is None,
            "levels": levels, "at_supported": good}

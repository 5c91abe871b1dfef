"""Shared bench helpers: a real server process on PostgreSQL, API set-up, wrk runs, a measured child
process (wall time, peak RSS, CPU, and the CPU of the PostgreSQL backends it used)."""

from __future__ import annotations

import glob
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.procs import ServerProcess, create_pg_database  # noqa: E402

PG_URL = os.environ.get("CHINWAG_BENCH_POSTGRES") or os.environ.get(
    "CHINWAG_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")


def start_server(extra_env: dict[str, str] | None = None, db: str = "postgres") -> tuple[ServerProcess, Any]:
    """A server process on a fresh database: PostgreSQL (``CHINWAG_BENCH_POSTGRES``), or with ``db="mysql"``
    MySQL/MariaDB (``CHINWAG_TEST_MYSQL``'s server, the DataSource in Mattermost's DSN form)."""
    wd = tempfile.mkdtemp(prefix="chinwag-bench-")
    if db == "mysql":
        from tests.procs import mysql_env

        env, drop = mysql_env(wd)
    else:
        url, drop = create_pg_database(PG_URL)
        env = {"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
               "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files")}
    env = {**env, "MM_LOGSETTINGS_CONSOLELEVEL": "WARN", "MM_TEAMSETTINGS_ENABLEOPENSERVER": "true",
           **(extra_env or {})}
    return ServerProcess(env, wd).start(), drop


class Api:
    def __init__(self, base: str, token: str = "") -> None:
        self.c = httpx.Client(base_url=base, timeout=60,
                              headers={"Authorization": f"Bearer {token}"} if token else {})

    def __call__(self, method: str, path: str, body: Any = None, expect: int | None = None) -> Any:
        r = self.c.request(method, path, json=body)
        if expect is not None and r.status_code != expect:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
        return r.json() if r.headers.get("content-type") == "application/json" else r.text


def make_user(api_base: str, name: str, admin: Api | None = None) -> tuple[Api, dict[str, Any]]:
    creator = admin or Api(api_base)
    creator("POST", "/users", {"username": name, "email": f"{name}@example.com", "password": "password1"})
    r = httpx.post(api_base + "/users/login", json={"login_id": name, "password": "password1"})
    return Api(api_base, r.headers["Token"]), r.json()


def wrk(url: str, token: str, body: dict[str, Any], connections: int, seconds: int, threads: int = 2,
        method: str = "POST") -> dict[str, Any]:
    """Run wrk with a Lua script; returns requests/s, latency percentiles (ms) and status counts."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(f"""
wrk.method = "{method}"
wrk.body = [[{json.dumps(body)}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local codes = {{}}
response = function(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
done = function(summary, latency, requests)
  io.write(string.format("P50 %f\\nP90 %f\\nP99 %f\\nMAX %f\\n", latency:percentile(50)/1000,
    latency:percentile(90)/1000, latency:percentile(99)/1000, latency.max/1000))
  io.write(string.format("REQS %d\\nERRS %d\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
""")
    script.close()
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                          "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    vals = dict(re.findall(r"^(P50|P90|P99|MAX|REQS|ERRS) ([\d.]+)$", out, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50_ms": float(vals["P50"]), "p90_ms": float(vals["P90"]),
            "p99_ms": float(vals["P99"]), "max_ms": float(vals["MAX"]), "requests": int(vals["REQS"]),
            "errors": int(vals["ERRS"])}


def pg_database(prefix: str) -> tuple[str, str, Any]:
    """A fresh PostgreSQL database on ``PG_URL``'s server: (name, url, drop function)."""
    url, drop = create_pg_database(PG_URL, prefix)
    return urlparse(url).path.lstrip("/"), url, drop


class BackendCpu(threading.Thread):
    """CPU seconds of the PostgreSQL backends serving one database (a local server: read from /proc), the
    steady number on a shared machine where wall time swings with other load."""

    def __init__(self, dbname: str) -> None:
        super().__init__(daemon=True)
        self.dbname = dbname.encode()
        self.seen: dict[str, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self.done.is_set():
            for d in glob.glob("/proc/[0-9]*"):
                try:
                    with open(d + "/cmdline", "rb") as fh:
                        if self.dbname not in fh.read():
                            continue
                    with open(d + "/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    self.seen[d] = (int(fields[11]) + int(fields[12])) / tick
                except OSError:
                    continue
            self.done.wait(0.3)

    def stop(self) -> None:
        self.done.set()
        self.join()

    def seconds(self) -> float:
        return sum(self.seen.values())


@dataclass
class ChildRun:
    """What one measured child process did: its output, wall seconds, peak RSS (MB), CPU seconds, and the CPU
    seconds of the PostgreSQL backends of each watched database."""

    done: subprocess.CompletedProcess[str]
    seconds: float
    peak_rss_mb: float
    cpu_s: float
    backend_cpu_s: dict[str, float]


def run_measured(cmd: list[str], env: dict[str, str], databases: list[str]) -> ChildRun:
    """Run ``cmd`` (the only child process of the bench, so getrusage of the children is its own) while
    sampling the CPU of the PostgreSQL backends of ``databases``; a failed run prints its stderr and exits."""
    samplers = {name: BackendCpu(name) for name in databases}
    for s in samplers.values():
        s.start()
    t0 = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    for s in samplers.values():
        s.stop()
    if done.returncode:
        print(done.stderr)
        raise SystemExit(1)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ChildRun(done, seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime,
                    {name: s.seconds() for name, s in samplers.items()})

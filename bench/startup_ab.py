"""A simulated user's start-up (``bench.loadtest``'s sign-in: login, client config and licence, teams,
team members, preferences, WebSocket; then the web app's reload: users page, preferences, config, me, roles,
plugins, teams, the team's unreads, threads, channels, members, categories, status, and a first channel
view) on two ``chinwag serve`` processes side by side — one on a git ref's code, one on the working
tree's — in alternating batches, so both sides see the same machine load at the same moments.

    CHINWAG_BENCH_POSTGRES=… .venv/bin/python -m bench.startup_ab main [--batches 8] [--batch 20] [--users 600]

Each side gets its own fresh PostgreSQL database with the same ``bench.loadtest`` data set (``--users``
users, passwords of bcrypt cost 4 as the load test's loader writes them), imported with its own code. Then
``--batches`` times: ``--batch`` users start up concurrently on one side, then the same users on the other
(the side going first alternates); each side's CPU (all threads, from schedstat) is summed over its
batches and printed per start-up in ms with the ratio tree / ref, and the same for the database's
backends. ``ref`` = ``HEAD`` with a clean tree gives the A/A spread. ``--profile SECONDS`` instead runs
start-ups on the tree's side only, under ``py-spy record`` for that long (collapsed stacks in /tmp)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.compare import ref_worktree  # noqa: E402
from bench.hot import _server_cpu  # noqa: E402
from bench.loadtest import dataset  # noqa: E402
from bench.loadtest.driver import pg_backend_pids, pids_cpu_s  # noqa: E402
from bench.loadtest.sim import Env, Http, Recorder, SimUser  # noqa: E402


def _side(src: Path, base: str, users: int) -> tuple[Any, Any, str]:
    from tests.procs import ServerProcess, create_pg_database

    wd = tempfile.mkdtemp(prefix="chinwag-bench-startup-")
    url, drop = create_pg_database(base, "chinwag_bench_startup")
    env = {"PYTHONPATH": str(src), "MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
           "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"), "MM_LOGSETTINGS_CONSOLELEVEL": "ERROR",
           "MM_TEAMSETTINGS_MAXUSERSPERTEAM": "1000000", "MM_SERVICESETTINGS_ENABLECUSTOMEMOJI": "true"}
    try:
        proc = ServerProcess(env, wd).start()
        shape = dataset.Shape(users=users, posts=users * 12, public_per_team=40, private_per_team=12,
                              public_per_user=12, private_per_user=2)
        path = Path(wd) / "data.jsonl"
        dataset.write_jsonl(path, shape)
        dataset.import_file(path, proc.env)
        dataset.set_passwords_pg(url)
        proc.stop()  # the caches start from the loaded data, as in the load test
        proc.start()
    except BaseException:
        drop()
        raise
    return proc, drop, url


async def _startups(api: str, ws: str, logins: list[str], seed: int) -> Recorder:
    rec = Recorder()
    async with Http(30) as http:
        env = Env(api, ws, http, rec, asyncio.Event())
        users = [SimUser(env, login, seed + i) for i, login in enumerate(logins)]

        async def one(u: SimUser) -> None:
            await u.login()
            await u.reload()

        await asyncio.gather(*(one(u) for u in users))
        for u in users:
            await u.close_ws()
    errors = {**rec.errors, **rec.client_errors}
    if errors or rec.ws_errors:
        raise SystemExit(f"start-up errors: {errors} {rec.ws_errors} {rec.samples}")
    return rec


def _run(ref_src: Path | None, batches: int, batch: int, users: int, profile_s: float) -> dict[str, Any]:
    base = os.environ.get("CHINWAG_BENCH_POSTGRES") or os.environ.get(
        "CHINWAG_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
    logins = [dataset.username(i) for i in range(users)]
    sides: dict[str, Any] = {}
    try:
        for name, src in (("tree", ROOT / "src"),) + ((("ref", ref_src),) if ref_src else ()):
            sides[name] = _side(src, base, users)
        if profile_s:
            proc = sides["tree"][0]
            out = f"/tmp/startup-profile-{os.getpid()}.txt"
            spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-p",
                                    str(proc.proc.pid), "-d", str(int(profile_s)), "-o", out, "-f", "raw", "-r", "200",
                                    "--nonblocking"])
            t0, i = time.monotonic(), 0
            while time.monotonic() - t0 < profile_s:
                chunk = [logins[(i + k) % users] for k in range(batch)]
                asyncio.run(_startups(proc.api, proc.ws_url, chunk, i))
                i += batch
            spy.wait()
            return {"profile": out, "startups": i}
        per: dict[str, dict[str, float]] = {n: {"server_s": 0.0, "db_s": 0.0, "requests": 0.0} for n in sides}
        n_startups = 0
        for b in range(-1, batches):  # batch -1 warms both sides, not counted
            chunk = [logins[((b + 1) * batch + k) % users] for k in range(batch)]
            for name in (("ref", "tree") if b % 2 == 0 else ("tree", "ref")):
                proc, _drop, url = sides[name]
                pg0 = pids_cpu_s(pg_backend_pids(url))
                t0 = _server_cpu(proc.proc.pid)
                rec = asyncio.run(_startups(proc.api, proc.ws_url, chunk, b * 1000))
                srv = _server_cpu(proc.proc.pid) - t0
                pg1 = pids_cpu_s(pg_backend_pids(url))
                if b >= 0:
                    per[name]["server_s"] += srv
                    per[name]["db_s"] += sum(v - pg0.get(p, 0.0) for p, v in pg1.items())
                    per[name]["requests"] += sum(len(v) for v in rec.lat.values())
            if b >= 0:
                n_startups += batch
        out: dict[str, Any] = {"batches": batches, "batch": batch, "startups_per_side": n_startups}
        for name, v in per.items():
            out[name] = {"server_ms_per_startup": round(v["server_s"] / n_startups * 1000, 2),
                         "db_ms_per_startup": round(v["db_s"] / n_startups * 1000, 2),
                         "requests_per_startup": round(v["requests"] / n_startups, 1)}
        out["ratio_server"] = round(out["tree"]["server_ms_per_startup"] / out["ref"]["server_ms_per_startup"], 3)
        out["ratio_db"] = round(out["tree"]["db_ms_per_startup"] / max(out["ref"]["db_ms_per_startup"], 1e-9), 3)
        return out
    finally:
        for proc, drop, _url in sides.values():
            proc.stop()
            drop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref", help="git ref for the other server (the working tree is the second)")
    ap.add_argument("--batches", type=int, default=8)
    ap.add_argument("--batch", type=int, default=20, help="users starting up concurrently per batch")
    ap.add_argument("--users", type=int, default=600, help="users in the data set")
    ap.add_argument("--profile", type=float, default=0, help="seconds of py-spy on the tree's side only")
    ns = ap.parse_args()
    if ns.profile:
        result = _run(None, 0, ns.batch, ns.users, ns.profile)
        print(json.dumps(result | {"load": os.getloadavg()}, indent=2))
        return
    with ref_worktree(ns.ref, prefix="chinwag-startup-ref-") as (sha, wt):
        result = _run(wt / "src", ns.batches, ns.batch, ns.users, 0)
    result |= {"ref_commit": sha, "load_after": os.getloadavg()}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

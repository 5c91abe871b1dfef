"""Two `chinwag serve` processes side by side — one on a git ref's code, one on the working tree's —
and the hot requests of ``bench/hot.py --http`` sent to them in alternating short batches, so both
sides see the same machine load at the same moments (``bench.compare`` alternates whole runs of a
minute or more, and on a shared machine the load moves more than the differences looked for).

    CHINWAG_BENCH_POSTGRES=… .venv/bin/python -m bench.hot_ab main [--batches 10] [--batch 150] [--posters 30]

Each server gets its own fresh PostgreSQL database and the same data (``bench.hot``'s set-up); then for
every kind, ``--batches`` times: a batch of ``--batch`` requests to one side, then to the other (the side
going first alternates). Each side's CPU (all threads, from schedstat) is summed over its batches and
printed per request in µs with the ratio tree / ref. ``ref`` = ``tree`` (the same code both sides) gives
the A/A spread."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.compare import ref_worktree  # noqa: E402
from bench.hot import JS, _Http, _server_cpu, _setup  # noqa: E402


async def _side(src: Path, base: str) -> tuple[Any, Any, _Http, list[tuple[bytes, bytes]], dict[str, Any]]:
    from tests.procs import ServerProcess, create_pg_database

    wd = tempfile.mkdtemp(prefix="chinwag-bench-ab-")
    url, drop = await asyncio.to_thread(create_pg_database, base, "chinwag_bench_ab")
    env = {"PYTHONPATH": str(src), "MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
           "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"), "MM_LOGSETTINGS_CONSOLELEVEL": "WARN",
           "MM_TEAMSETTINGS_ENABLEOPENSERVER": "true", "MM_LOGSETTINGS_ENABLECONSOLE": "false",
           "MM_SERVICESETTINGS_COLLAPSEDTHREADS": "default_on"}
    try:
        proc = await asyncio.to_thread(ServerProcess(env, wd).start)
    except BaseException:
        await asyncio.to_thread(drop)
        raise
    http = _Http(proc.port)
    return proc, drop, http, *(await _setup(http, 30))


def _kinds(ids: dict[str, Any], etags: dict[str, bytes]) -> dict[str, tuple[str, Any, bytes, bytes, Any]]:
    me, ch, users = ids["me"], ids["channel"], ids["users"]
    crt = b"skipFetchThreads=false&collapsedThreads=true&collapsedThreadsExtended=false"
    pictures = [f"/api/v4/users/{u}/image" for u in users]
    return {
        "image_etag": ("GET", lambda i: pictures[i % len(pictures)], b"", b"_=0",
                       lambda i: [(b"if-none-match", etags[pictures[i % len(pictures)]])]),
        "status_ids": ("POST", "/api/v4/users/status/ids", json.dumps(users[:25]).encode(), b"", JS),
        "users_ids": ("POST", "/api/v4/users/ids", json.dumps(users[:25]).encode(), b"", JS),
        "posts_before": ("GET", f"/api/v4/channels/{ch}/posts", b"",
                         f"before={ids['middle']}&page=0&per_page=30&".encode() + crt, []),
        "posts_unread": ("GET", f"/api/v4/users/{me}/channels/{ch}/posts/unread", b"",
                         b"limit_before=30&limit_after=30&" + crt, []),
        "view": ("POST", "/api/v4/channels/members/me/view",
                 json.dumps({"channel_id": ch, "prev_channel_id": ids["other"]}).encode(), b"", JS),
        "stats": ("GET", f"/api/v4/channels/{ch}/stats", b"", b"exclude_files_count=true", []),
        "posts_page": ("GET", f"/api/v4/channels/{ch}/posts", b"", b"page=0&per_page=60&" + crt, []),
    }


async def _run(ref_src: Path, batches: int, batch: int, only: set[str]) -> dict[str, Any]:
    base = os.environ.get("CHINWAG_BENCH_POSTGRES") or os.environ.get(
        "CHINWAG_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
    sides: dict[str, Any] = {}
    try:
        for name, src in (("ref", ref_src), ("tree", ROOT / "src")):
            sides[name] = await _side(src, base)
        plans: dict[str, Any] = {}
        for name, (_proc, _drop, http, auth, ids) in sides.items():
            etags: dict[str, bytes] = {}
            for u in ids["users"]:
                pic = f"/api/v4/users/{u}/image"
                _s, _r, hdrs = await http.request("GET", pic, auth, query=b"_=0")
                etags[pic] = dict(hdrs).get(b"etag", b"") or b"0"
            plans[name] = _kinds(ids, etags)
        out: dict[str, Any] = {"batches": batches, "batch": batch, "cpu_us_per_request": {}}
        for kind in plans["ref"]:
            if only and kind not in only:
                continue
            cpu = {"ref": 0.0, "tree": 0.0}
            for b in range(-1, batches):  # batch -1 warms both sides, not counted
                for name in (("ref", "tree") if b % 2 == 0 else ("tree", "ref")):
                    proc, _drop, http, auth, _ids = sides[name]
                    method, path, body, qs, extra = plans[name][kind]
                    t0 = _server_cpu(proc.proc.pid)
                    for i in range(batch):
                        p = path(i) if callable(path) else path
                        h = auth + (extra(i) if callable(extra) else extra)
                        await http.request(method, p, h, body, qs)
                    if b >= 0:
                        cpu[name] += _server_cpu(proc.proc.pid) - t0
            n = batches * batch
            ref_us, tree_us = cpu["ref"] / n * 1e6, cpu["tree"] / n * 1e6
            out["cpu_us_per_request"][kind] = {"ref": round(ref_us, 1), "tree": round(tree_us, 1),
                                               "ratio": round(tree_us / ref_us, 3)}
            print(kind, out["cpu_us_per_request"][kind], file=sys.stderr, flush=True)
        return out
    finally:
        for proc, drop, http, *_rest in sides.values():
            http.close()
            await asyncio.to_thread(proc.stop)
            await asyncio.to_thread(drop)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref", help="git ref for the other server (the working tree is the second)")
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--batch", type=int, default=150)
    ap.add_argument("--kinds", default="", help="comma-separated kinds (default all)")
    ns = ap.parse_args()
    with ref_worktree(ns.ref, prefix="chinwag-ab-ref-") as (sha, wt):
        result = asyncio.run(_run(wt / "src", ns.batches, ns.batch, {k for k in ns.kinds.split(",") if k}))
    result |= {"ref": sha, "load": os.getloadavg()}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

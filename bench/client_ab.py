"""The load test generators' HTTP client, old (aiohttp's ClientSession, as bench/loadtest/sim.py used it
until issue 27's generator work) against new (bench/loadtest/client.py): requests per generator CPU-second.

    .venv/bin/python -m bench.client_ab [--rounds 3] [--seconds 8] [--concurrency 50]

One ``chinwag serve`` (SQLite, pinned to CPU 0) with one user; each round runs one generator process per
client (pinned to CPU 1, uvloop, the side going first alternating) for ``--seconds``: ``--concurrency``
tasks, each looping over the load test's two commonest requests — the user's profile picture revalidated
with its ETag (a 304, two requests in three) and ``GET /users/me`` (JSON, decoded) — with the users'
headers (Bearer token, X-Requested-With). Prints each round's requests per CPU-second and the new/old
ratio of their sums."""

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


class _AiohttpHttp:
    """The previous client: aiohttp's ClientSession with the same connector settings the generators had."""

    def __init__(self, timeout_s: float = 30.0, connections: int = 100) -> None:
        import aiohttp
        import msgspec

        self._aiohttp = aiohttp
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections, limit_per_host=connections, ttl_dns_cache=None,
                                           keepalive_timeout=50.0),
            timeout=aiohttp.ClientTimeout(total=timeout_s),
            json_serialize=lambda o: msgspec.json.encode(o).decode())

    async def request(self, method: str, url: str, *, headers: dict[str, str] | None = None) -> Any:
        from bench.loadtest.client import Headers, HTTPError, Resp

        try:
            async with self.session.request(method, url, headers=headers) as r:
                return Resp(r.status, Headers((k.lower(), v) for k, v in r.headers.items()), await r.read())
        except (self._aiohttp.ClientError, TimeoutError) as e:
            raise HTTPError(str(e)) from e

    async def aclose(self) -> None:
        await self.session.close()


async def _worker(side: str, api: str, token: str, uid: str, etag: str, seconds: float, conc: int) -> dict[str, Any]:
    from bench.loadtest.client import Client

    http: Any = Client(30, 100) if side == "new" else _AiohttpHttp(30, 100)
    auth = {"Authorization": f"Bearer {token}", "X-Requested-With": "XMLHttpRequest"}
    counts = {"304": 0, "json": 0}
    stop = time.monotonic() + seconds

    async def one() -> None:
        i = 0
        while time.monotonic() < stop:
            i += 1
            if i % 3:
                r = await http.request("GET", f"{api}/users/{uid}/image", headers={**auth, "If-None-Match": etag})
                assert r.status_code == 304, r.status_code
                counts["304"] += 1
            else:
                r = await http.request("GET", f"{api}/users/me", headers=auth)
                assert r.status_code == 200 and r.json()["id"] == uid
                counts["json"] += 1

    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.gather(*(one() for _ in range(conc)))
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    await http.aclose()
    n = counts["304"] + counts["json"]
    return {"side": side, "requests": n, **counts, "cpu_s": round(cpu, 3), "wall_s": round(wall, 2),
            "per_cpu_s": round(n / cpu), "us_per_request": round(cpu / n * 1e6, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--worker", nargs=5, metavar=("SIDE", "API", "TOKEN", "UID", "ETAG"))
    a = ap.parse_args()
    if a.worker:
        import uvloop

        os.sched_setaffinity(0, {1})
        side, api, token, uid, etag = a.worker
        print(json.dumps(uvloop.run(_worker(side, api, token, uid, etag, a.seconds, a.concurrency))))
        return

    import httpx
    from tests.procs import ServerProcess, sqlite_env

    wd = tempfile.mkdtemp(prefix="chinwag-bench-client-")
    srv = ServerProcess({**sqlite_env(wd), "MM_LOGSETTINGS_CONSOLELEVEL": "ERROR"}, wd).start()
    try:
        assert srv.proc is not None
        os.sched_setaffinity(srv.proc.pid, {0})
        user = {"username": "clientab", "email": "clientab@example.com", "password": "Passw0rd!ok"}
        httpx.post(srv.api + "/users", json=user).raise_for_status()
        r = httpx.post(srv.api + "/users/login", json={"login_id": "clientab", "password": user["password"]})
        token, uid = r.headers["Token"], r.json()["id"]
        etag = httpx.get(f"{srv.api}/users/{uid}/image", headers={"Authorization": f"Bearer {token}"}).headers["etag"]
        sums = {"new": [0, 0.0], "old": [0, 0.0]}
        print(f"load average before: {os.getloadavg()}")
        for rnd in range(a.rounds):
            for side in (("new", "old") if rnd % 2 == 0 else ("old", "new")):
                out = subprocess.run([sys.executable, "-m", "bench.client_ab", "--seconds", str(a.seconds),
                                      "--concurrency", str(a.concurrency), "--worker", side, srv.api, token, uid,
                                      etag], cwd=ROOT, capture_output=True, text=True, check=True).stdout
                res = json.loads(out.strip().splitlines()[-1])
                sums[side][0] += res["requests"]
                sums[side][1] += res["cpu_s"]
                print(f"round {rnd + 1} {side}: {res}", flush=True)
        new, old = (sums[s][0] / sums[s][1] for s in ("new", "old"))
        print(f"requests per generator CPU-second: new {new:.0f}, old {old:.0f}, new/old {new / old:.2f}; "
              f"CPU per request: new {1e6 / new:.0f} µs, old {1e6 / old:.0f} µs; load average after: {os.getloadavg()}")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()

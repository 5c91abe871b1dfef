"""CPU per request of the HTTP pipeline: simple authenticated GETs driven straight into the server's
ASGI application (everything from the metrics wrapper down to the route handler and the JSON answer;
uvicorn's HTTP parsing is left out, it is the same on both sides of a comparison).

    .venv/bin/python -m bench.middleware [--requests 4000] [--profile]
    .venv/bin/python -m bench.compare --rounds 3 main middleware

One server (``chinwag.server.build``) on a fresh SQLite database in a temporary directory; a user signs
in, makes a team and a channel; then each request kind runs ``--requests`` times in one task and the
process's CPU time (``time.process_time``) per request is printed. The routes are chosen so that, warm,
they issue no SQL (``/users/me``, ``/system/ping``, a 404 under /api/v4) or one statement
(``/channels/{id}``, ``/users/me/teams``), so what is measured is mostly the request pipeline; one more,
``posts_unread``, is the channel switch's ``/users/me/channels/{id}/posts/unread`` (30 + 30 of 40 posts,
collapsed threads). ``--profile [KIND]`` prints
the cProfile of one kind's loop (cumulative, top 40)."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Asgi:
    """A minimal ASGI client: one request, the answer's status and body."""

    def __init__(self, asgi: Any) -> None:
        self.asgi = asgi

    async def request(self, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"",
                      query: bytes = b"") -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": query, "root_path": "", "headers": [(b"host", b"localhost:8065"), *headers],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8065),
        }
        sent = False
        status = 0
        chunks: list[bytes] = []
        out_headers: list[tuple[bytes, bytes]] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.asgi(scope, receive, send)
        return status, b"".join(chunks), out_headers


async def _setup(asgi: _Asgi) -> tuple[list[tuple[bytes, bytes]], dict[str, str]]:
    js = [(b"content-type", b"application/json")]

    async def call(method: str, path: str, body: Any, auth: list[tuple[bytes, bytes]], expect: int) -> Any:
        status, raw, headers = await asgi.request(method, "/api/v4" + path, js + auth, json.dumps(body).encode())
        if status != expect:
            raise SystemExit(f"{method} {path}: {status} {raw[:300]!r}")
        return json.loads(raw) if raw else None, dict(headers)

    await call("POST", "/users", {"username": "bench", "email": "bench@example.com", "password": "password1"},
               [], 201)
    _me, headers = await call("POST", "/users/login", {"login_id": "bench", "password": "password1"}, [], 200)
    auth = [(b"authorization", b"Bearer " + headers[b"token"])]
    team, _ = await call("POST", "/teams", {"name": "bench", "display_name": "Bench", "type": "O"}, auth, 201)
    channel, _ = await call("POST", "/channels", {"team_id": team["id"], "name": "bench", "display_name": "Bench",
                                                  "type": "O"}, auth, 201)
    for i in range(40):
        await call("POST", "/posts", {"channel_id": channel["id"], "message": f"hello {i}"}, auth, 201)
    return auth, {"team": team["id"], "channel": channel["id"], "user": _me["id"]}


async def _run(n: int, profile: str) -> dict[str, Any]:
    from chinwag.config import ConfigStore
    from chinwag.server import build, migrate_database

    wd = tempfile.mkdtemp(prefix="chinwag-bench-mw-")
    env = {
        "MM_SQLSETTINGS_DRIVERNAME": "sqlite", "MM_SQLSETTINGS_DATASOURCE": os.path.join(wd, "chinwag.db"),
        "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"), "MM_SERVICESETTINGS_SITEURL": "http://localhost:8065",
        "MM_LOGSETTINGS_CONSOLELEVEL": "WARN", "MM_TEAMSETTINGS_ENABLEOPENSERVER": "true",
        "MM_LOGSETTINGS_ENABLECONSOLE": "false",
    }
    cfg = ConfigStore(os.path.join(wd, "config.json"), environ=env, read_only=True)
    cfg.load()
    srv = build(cfg)
    await migrate_database(srv.db)
    await srv.start()
    try:
        asgi = _Asgi(srv.asgi)
        auth, ids = await _setup(asgi)
        kinds: dict[str, tuple[str, list[tuple[bytes, bytes]], int, bytes]] = {
            "users_me": ("/api/v4/users/me", auth, 200, b""),
            "channel": (f"/api/v4/channels/{ids['channel']}", auth, 200, b""),
            "my_teams": ("/api/v4/users/me/teams", auth, 200, b""),
            "ping": ("/api/v4/system/ping", [], 200, b""),
            # the channel switch's posts (issue 27: 7 SQL statements before, 1 now)
            "posts_unread": (f"/api/v4/users/me/channels/{ids['channel']}/posts/unread", auth, 200,
                             b"limit_before=30&limit_after=30&collapsedThreads=true"),
            "not_found": ("/api/v4/no/such/route", auth, 404, b""),
        }
        out: dict[str, Any] = {"requests": n, "cpu_us_per_request": {}}
        for name, (path, headers, expect, qs) in kinds.items():
            for _ in range(50):  # warm: caches filled, code paths compiled
                status, raw, _h = await asgi.request("GET", path, headers, query=qs)
                if status != expect:
                    raise SystemExit(f"GET {path}: {status} {raw[:300]!r}")
            prof = cProfile.Profile() if profile == name else None
            if prof:
                prof.enable()
            t0 = time.process_time()
            for _ in range(n):
                await asgi.request("GET", path, headers, query=qs)
            cpu = time.process_time() - t0
            if prof:
                prof.disable()
                pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            out["cpu_us_per_request"][name] = round(cpu / n * 1e6, 1)
        return out
    finally:
        await srv.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=4000, help="requests per kind")
    ap.add_argument("--profile", nargs="?", const="users_me", default="",
                    help="cProfile one kind's loop (default users_me; to stderr)")
    ns = ap.parse_args()
    result = asyncio.run(_run(ns.requests, ns.profile))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

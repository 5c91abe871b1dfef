"""Server CPU per request of the load test's most frequent requests (issue 27), on PostgreSQL.

    .venv/bin/python -m bench.hot [--requests 1000] [--posters 60] [--kinds K1,K2] [--profile KIND] [--sqlite]
    .venv/bin/python -m bench.compare --rounds 3 main hot --requests 600

One server (``chinwag.server.build``) in this process on a fresh PostgreSQL database
(``CHINWAG_BENCH_POSTGRES``, else ``CHINWAG_TEST_POSTGRES``; ``--sqlite`` for a temporary SQLite file);
``--posters`` users join a team and a channel and post 2 posts each, a fifth of them with a reply. Then
each request kind below is sent ``--requests`` times, one after the other, straight into the server's ASGI
application (uvicorn's HTTP parsing is left out — it is the same on both sides of a comparison), and the
process's CPU time per request (``time.process_time``: the event loop, the driver and any worker thread;
not PostgreSQL's) is printed in µs. The kinds are what load-test-ng's users ask most (bench/README.md,
"Load test of real user behaviour"): profile pictures (generated, cached; with and without the ETag the
load test revalidates with — each picture's own; and with the poster's entry expired from the users' cache), the channel view (``posts/unread``, ``posts?since``, ``posts?before``,
``members/me/view``, ``stats``), the posters' profiles and statuses by ids, the team's unreads, the
threads list, one post's thread, and a new post (which fans out to the channel's members' WebSockets —
none connected here). ``--profile KIND`` prints the cProfile of that kind's loop (cumulative, top 50)
to stderr."""

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

from bench.middleware import _Asgi  # noqa: E402


class _Http:
    """The same interface as ``_Asgi`` over one keep-alive HTTP/1.1 connection to a ``chinwag serve``
    process (``--http``): what is measured then includes uvicorn's parsing and its transport writes."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"",
                      query: bytes = b"") -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        target = path.encode() + (b"?" + query if query else b"")
        head = [method.encode() + b" " + target + b" HTTP/1.1", b"host: 127.0.0.1",
                b"content-length: " + str(len(body)).encode()]
        head += [k + b": " + v for k, v in headers]
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            assert self.reader is not None
            self.writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
            try:
                raw = await self.reader.readuntil(b"\r\n\r\n")
                break
            except (asyncio.IncompleteReadError, ConnectionResetError):
                # the server closed the idle connection (its keep-alive timeout): once more on a new one
                self.writer.close()
                self.writer = None
                if attempt:
                    raise
        lines = raw[:-4].split(b"\r\n")
        status = int(lines[0].split()[1])
        out: list[tuple[bytes, bytes]] = []
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            out.append((k.strip().lower(), v.strip()))
        hd = dict(out)
        if b"content-length" in hd:
            data = await self.reader.readexactly(int(hd[b"content-length"]))
        elif hd.get(b"transfer-encoding") == b"chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n"))[:-2], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            data = b"".join(p[:-2] for p in parts)
        else:
            data = b""
        if hd.get(b"connection") == b"close":
            self.writer.close()
            self.writer = None
        return status, data, out

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _server_cpu(pid: int) -> float:
    """CPU seconds of every thread of a process so far (schedstat: nanoseconds)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # a thread that ended
    return total / 1e9

JS = [(b"content-type", b"application/json")]


async def _call(asgi: _Asgi, method: str, path: str, body: Any, auth: list[tuple[bytes, bytes]],
                expect: int) -> tuple[Any, dict[bytes, bytes]]:
    status, raw, headers = await asgi.request(method, "/api/v4" + path, JS + auth,
                                              json.dumps(body).encode() if body is not None else b"")
    if status != expect:
        raise SystemExit(f"{method} {path}: {status} {raw[:300]!r}")
    return (json.loads(raw) if raw else None), dict(headers)


async def _setup(asgi: _Asgi, posters: int) -> tuple[list[tuple[bytes, bytes]], dict[str, Any]]:
    async def login(name: str) -> tuple[list[tuple[bytes, bytes]], dict[str, Any]]:
        await _call(asgi, "POST", "/users", {"username": name, "email": f"{name}@example.com",
                                             "password": "password1", "first_name": name.title(),
                                             "last_name": "Bench"}, [], 201)
        me, headers = await _call(asgi, "POST", "/users/login", {"login_id": name, "password": "password1"}, [], 200)
        return [(b"authorization", b"Bearer " + headers[b"token"])], me

    auth, me = await login("bench")
    team, _ = await _call(asgi, "POST", "/teams", {"name": "bench", "display_name": "Bench", "type": "O"}, auth, 201)
    channel, _ = await _call(asgi, "POST", "/channels", {"team_id": team["id"], "name": "bench",
                                                         "display_name": "Bench", "type": "O"}, auth, 201)
    other, _ = await _call(asgi, "POST", "/channels", {"team_id": team["id"], "name": "other",
                                                       "display_name": "Other", "type": "O"}, auth, 201)
    user_ids: list[str] = []
    roots: list[str] = []
    for i in range(posters):
        uauth, u = await login(f"poster{i}")
        user_ids.append(u["id"])
        await _call(asgi, "POST", f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": u["id"]},
                    auth, 201)
        await _call(asgi, "POST", f"/channels/{channel['id']}/members", {"user_id": u["id"]}, auth, 201)
        for j in range(2):
            p, _ = await _call(asgi, "POST", "/posts", {"channel_id": channel["id"], "message": f"hello {i}.{j}"},
                               uauth, 201)
            roots.append(p["id"])
        if i % 5 == 0:
            # a reply by the watching user to this poster's post, so the user follows threads
            await _call(asgi, "POST", "/posts", {"channel_id": channel["id"], "message": f"re {i}",
                                                 "root_id": roots[-1]}, auth, 201)
    # the user has read half the channel: the unread view has both sides
    return auth, {"team": team["id"], "channel": channel["id"], "other": other["id"], "me": me["id"],
                  "users": user_ids, "root": roots[0], "middle": roots[len(roots) // 2]}


async def _run(n: int, posters: int, profile: str, sqlite: bool, only: set[str], http: bool = False) -> dict[str, Any]:
    from chinwag.config import ConfigStore
    from chinwag.server import build, migrate_database

    wd = tempfile.mkdtemp(prefix="chinwag-bench-hot-")
    env = {
        "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"), "MM_SERVICESETTINGS_SITEURL": "http://localhost:8065",
        "MM_LOGSETTINGS_CONSOLELEVEL": "WARN", "MM_TEAMSETTINGS_ENABLEOPENSERVER": "true",
        "MM_LOGSETTINGS_ENABLECONSOLE": "false", "MM_SERVICESETTINGS_COLLAPSEDTHREADS": "default_on",
    }
    drop = None
    if sqlite:
        env |= {"MM_SQLSETTINGS_DRIVERNAME": "sqlite", "MM_SQLSETTINGS_DATASOURCE": os.path.join(wd, "chinwag.db")}
    else:
        from tests.procs import create_pg_database

        base = os.environ.get("CHINWAG_BENCH_POSTGRES") or os.environ.get(
            "CHINWAG_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
        url, drop = await asyncio.to_thread(create_pg_database, base, "chinwag_bench_hot")
        env |= {"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url}
    proc = None
    srv: Any = None
    if http:
        from tests.procs import ServerProcess

        env.pop("MM_SERVICESETTINGS_SITEURL")
        proc = await asyncio.to_thread(ServerProcess(env, wd).start)
        assert proc.proc is not None
        pid = proc.proc.pid
        cpu_now = lambda: _server_cpu(pid)  # noqa: E731
    else:
        cfg = ConfigStore(os.path.join(wd, "config.json"), environ=env, read_only=True)
        cfg.load()
        srv = build(cfg)
        await migrate_database(srv.db)
        await srv.start()
        cpu_now = time.process_time
    try:
        asgi: Any = _Http(proc.port) if proc is not None else _Asgi(srv.asgi)
        auth, ids = await _setup(asgi, posters)
        me, team, ch, users = ids["me"], ids["team"], ids["channel"], ids["users"]
        since = int(time.time() * 1000) - 1000
        crt = b"skipFetchThreads=false&collapsedThreads=true&collapsedThreadsExtended=false"
        # (method, path or a function of the request's index, body, query, extra headers, expected status)
        pictures = [f"/api/v4/users/{u}/image" for u in users]
        # each picture's ETag as its first answer gave it (none: "0", what a client without one sends)
        etags: dict[str, bytes] = {}
        for pic in pictures:
            _status, _raw, hdrs = await asgi.request("GET", pic, auth, query=b"_=0")
            etags[pic] = dict(hdrs).get(b"etag", b"") or b"0"
        kinds: dict[str, tuple[str, Any, bytes, bytes, Any, tuple[int, ...]]] = {
            "image": ("GET", lambda i: pictures[i % len(pictures)], b"", b"_=0", [], (200,)),
            # the poster's entry in the users' cache has expired (its TTL is 60 s; a new session asks for
            # pictures of posters nobody asked for in the last minute)
            "image_expired": ("GET", lambda i: pictures[i % len(pictures)], b"", b"_=0", [], (200,)),
            # revalidated with the picture's own ETag, as load-test-ng does
            "image_etag": ("GET", lambda i: pictures[i % len(pictures)], b"", b"_=0",
                           lambda i: [(b"if-none-match", etags[pictures[i % len(pictures)]])], (200, 304)),
            "posts_unread": ("GET", f"/api/v4/users/{me}/channels/{ch}/posts/unread", b"",
                             b"limit_before=30&limit_after=30&" + crt, [], (200,)),
            "posts_since": ("GET", f"/api/v4/channels/{ch}/posts", b"", f"since={since}&".encode() + crt, [], (200,)),
            "posts_before": ("GET", f"/api/v4/channels/{ch}/posts", b"",
                             f"before={ids['middle']}&page=0&per_page=30&".encode() + crt, [], (200,)),
            "view": ("POST", "/api/v4/channels/members/me/view",
                     json.dumps({"channel_id": ch, "prev_channel_id": ids["other"]}).encode(), b"", JS, (200,)),
            "stats": ("GET", f"/api/v4/channels/{ch}/stats", b"", b"exclude_files_count=true", [], (200,)),
            "users_ids": ("POST", "/api/v4/users/ids", json.dumps(users[:25]).encode(), b"", JS, (200,)),
            "status_ids": ("POST", "/api/v4/users/status/ids", json.dumps(users[:25]).encode(), b"", JS, (200,)),
            "teams_unread": ("GET", "/api/v4/users/me/teams/unread", b"",
                             b"include_collapsed_threads=true", [], (200,)),
            "threads": ("GET", f"/api/v4/users/{me}/teams/{team}/threads", b"", b"pageSize=25&extended=true", [],
                        (200,)),
            "thread": ("GET", f"/api/v4/posts/{ids['root']}/thread", b"", crt, [], (200,)),
            "create_post": ("POST", "/api/v4/posts", json.dumps({"channel_id": ch, "message": "bench"}).encode(),
                            b"", JS, (201,)),
        }
        out: dict[str, Any] = {"requests": n, "posters": posters, "db": "sqlite" if sqlite else "postgres",
                               "cpu_us_per_request": {}}
        for name, (method, path, body, qs, extra, expect) in kinds.items():
            if only and name not in only:
                continue
            if srv is None and name == "image_expired":
                continue  # needs the server's users cache in this process
            def at(i: int, path: Any = path) -> str:
                return path(i) if callable(path) else path

            def headers_at(i: int, extra: Any = extra) -> list[tuple[bytes, bytes]]:
                return auth + (extra(i) if callable(extra) else extra)

            users_cache = srv.app.core.caches.users if srv is not None else None
            expire = name == "image_expired"
            for i in range(30):  # warm: caches filled, code paths compiled
                if expire:
                    users_cache.clear()
                status, raw, _h = await asgi.request(method, at(i), headers_at(i), body, qs)
                if status not in expect:
                    raise SystemExit(f"{method} {at(i)}: {status} {raw[:300]!r}")
            prof = cProfile.Profile(time.process_time) if profile == name else None
            if prof:
                prof.enable()
            t0 = cpu_now()
            for i in range(n):
                if expire:
                    users_cache.clear()
                await asgi.request(method, at(i), headers_at(i), body, qs)
            cpu = cpu_now() - t0
            if prof:
                prof.disable()
                pstats.Stats(prof, stream=sys.stderr).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(60)
            out["cpu_us_per_request"][name] = round(cpu / n * 1e6, 1)
        return out
    finally:
        if srv is not None:
            await srv.close()
        if proc is not None:
            asgi.close()
            await asyncio.to_thread(proc.stop)
        if drop is not None:
            await asyncio.to_thread(drop)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1000, help="requests per kind")
    ap.add_argument("--posters", type=int, default=60, help="users who posted in the channel")
    ap.add_argument("--profile", default="", help="cProfile one kind's loop (to stderr)")
    ap.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    ap.add_argument("--kinds", default="", help="comma-separated kinds to run (default all)")
    ap.add_argument("--http", action="store_true",
                    help="a `chinwag serve` process over one keep-alive connection; its CPU (all threads)")
    ns = ap.parse_args()
    only = {k for k in ns.kinds.split(",") if k}
    result = asyncio.run(_run(ns.requests, ns.posters, ns.profile, ns.sqlite, only, ns.http))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

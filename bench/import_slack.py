"""`chinwag import slack` speed and memory: a generated export of N messages imported into a fresh
PostgreSQL database by a real `chinwag import slack` process.

    .venv/bin/python -m bench.import_slack --messages 1000000

Prints messages/s, the import process's peak RSS and CPU seconds (getrusage of the child), and the CPU
seconds of the PostgreSQL backend (from /proc, when PostgreSQL runs on this machine)."""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from urllib.parse import urlparse, urlunparse

PG_URL = os.environ.get("CHINWAG_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")


def generate(path: str, messages: int, channels: int = 20, users: int = 200, seed: int = 1) -> None:
    """Day files of 500 messages; a tenth of messages are replies, a twentieth carry a reaction."""
    rnd = random.Random(seed)
    uids = [f"U{i:06d}" for i in range(users)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("users.json", json.dumps([{"id": u, "name": f"user{i}", "profile": {
            "email": f"user{i}@example.com", "real_name": f"User {i}"}} for i, u in enumerate(uids)]))
        chans = [{"id": f"C{i:05d}", "name": f"channel-{i}", "members": uids, "created": 1600000000}
                 for i in range(channels)]
        zf.writestr("channels.json", json.dumps(chans))
        per_channel = messages // channels
        for c in chans:
            ts = 1600000000.0
            roots: list[str] = []
            day = 0
            left = per_channel
            while left > 0:
                batch = []
                for _ in range(min(500, left)):
                    ts += rnd.random() * 10
                    t = f"{ts:.6f}"
                    m = {"type": "message", "user": rnd.choice(uids), "ts": t,
                         "text": f"message {t} with *bold* and <@{rnd.choice(uids)}> " + "lorem ipsum " * 5}
                    if roots and rnd.random() < 0.1:
                        m["thread_ts"] = rnd.choice(roots[-50:])
                    elif rnd.random() < 0.2:
                        m["thread_ts"] = t
                        roots.append(t)
                    if rnd.random() < 0.05:
                        m["reactions"] = [{"name": "+1", "users": [rnd.choice(uids)], "count": 1}]
                    batch.append(m)
                left -= len(batch)
                name = f"{2000 + day // 336}-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}"
                zf.writestr(f"{c['name']}/{name}.json", json.dumps(batch))
                day += 1


async def create_db() -> tuple[str, str]:
    import asyncpg

    name = f"chinwag_bench_import_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    u = urlparse(PG_URL)
    return name, urlunparse((u.scheme, u.netloc, "/" + name, "", u.query, ""))


async def drop_db(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--channels", type=int, default=20)
    ap.add_argument("--users", type=int, default=200)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="chinwag-bench-import-")
    path = os.path.join(tmp, "export.zip")
    t0 = time.monotonic()
    generate(path, args.messages, args.channels, args.users)
    print(f"generated {args.messages} messages in {time.monotonic() - t0:.1f} s "
          f"({os.path.getsize(path) / 1e6:.1f} MB zip)")
    name, url = asyncio.run(create_db())
    try:
        env = {**os.environ, "MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
               "MM_FILESETTINGS_DIRECTORY": os.path.join(tmp, "files"), "MM_CONFIG": os.path.join(tmp, "c.json"),
               "MM_TEAMSETTINGS_MAXUSERSPERTEAM": "100000"}
        sampler = BackendCpu(name)
        sampler.start()
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "chinwag.cli.main", "import", "slack", path, "--team",
                               "bench"], env=env, capture_output=True, text=True)
        seconds = time.monotonic() - t0
        sampler.stop()
        if done.returncode:
            print(done.stderr)
            raise SystemExit(1)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        rss = usage.ru_maxrss / 1024
        print(done.stderr.replace("\r", "\n").strip().splitlines()[-8:])
        print(done.stdout)
        print(f"imported {args.messages} messages in {seconds:.1f} s: {args.messages / seconds:,.0f} messages/s, "
              f"peak RSS {rss:.0f} MB; CPU: import process {usage.ru_utime + usage.ru_stime:.1f} s, "
              f"PostgreSQL backend {sampler.seconds():.1f} s (load average {os.getloadavg()[0]:.1f})")
        # the same as one JSON object, for bench/compare.py
        print(json.dumps({"messages_per_s": round(args.messages / seconds), "seconds": round(seconds, 1),
                          "peak_rss_mb": round(rss), "import_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                          "postgres_cpu_s": round(sampler.seconds(), 1)}))
    finally:
        asyncio.run(drop_db(name))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

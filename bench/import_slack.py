"""`chinwag import slack` speed and memory: a generated export of N messages imported into a fresh
PostgreSQL database by a real `chinwag import slack` process.

    .venv/bin/python -m bench.import_slack --messages 1000000

Prints messages/s, the import process's peak RSS and CPU seconds (getrusage of the child), and the CPU
seconds of the PostgreSQL backend (from /proc, when PostgreSQL runs on this machine)."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import zipfile

from bench.common import pg_database, run_measured


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
    name, url, drop = pg_database("chinwag_bench_import")
    try:
        env = {**os.environ, "MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
               "MM_FILESETTINGS_DIRECTORY": os.path.join(tmp, "files"), "MM_CONFIG": os.path.join(tmp, "c.json"),
               "MM_TEAMSETTINGS_MAXUSERSPERTEAM": "100000"}
        run = run_measured([sys.executable, "-m", "chinwag.cli.main", "import", "slack", path, "--team", "bench"],
                           env, [name])
        seconds, rss, cpu, pg_cpu = run.seconds, run.peak_rss_mb, run.cpu_s, run.backend_cpu_s[name]
        print(run.done.stderr.replace("\r", "\n").strip().splitlines()[-8:])
        print(run.done.stdout)
        print(f"imported {args.messages} messages in {seconds:.1f} s: {args.messages / seconds:,.0f} messages/s, "
              f"peak RSS {rss:.0f} MB; CPU: import process {cpu:.1f} s, "
              f"PostgreSQL backend {pg_cpu:.1f} s (load average {os.getloadavg()[0]:.1f})")
        # the same as one JSON object, for bench/compare.py
        print(json.dumps({"messages_per_s": round(args.messages / seconds), "seconds": round(seconds, 1),
                          "peak_rss_mb": round(rss), "import_cpu_s": round(cpu, 1),
                          "postgres_cpu_s": round(pg_cpu, 1)}))
    finally:
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

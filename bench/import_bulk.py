"""`chinwag import bulk` speed and memory: a generated Mattermost bulk-import JSONL (a team, its channels,
users who are members of every channel, posts with replies and reactions, flags and followers, direct and
group messages) imported into a fresh PostgreSQL database by a real `chinwag import bulk` process.

    .venv/bin/python -m bench.import_bulk --posts 20000

Prints posts/s (root posts and replies), the import process's peak RSS and CPU seconds (getrusage of the
child), and the CPU seconds of the PostgreSQL backend (from /proc, when PostgreSQL runs on this machine);
the last line is one JSON object, for bench/compare.py."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time

from bench.common import pg_database, run_measured

TEAM = "bench"


def generate(path: str, posts: int, channels: int = 10, users: int = 100, seed: int = 1) -> int:
    """Write the JSONL; a fifth of the posts are replies (in the root's line), a tenth of the roots carry
    a reaction, a twentieth are flagged and have a thread follower; a tenth of the posts are direct or
    group messages. Returns the number of posts (roots and replies) written."""
    rnd = random.Random(seed)
    names = [f"user{i}" for i in range(users)]
    chans = [f"channel-{i}" for i in range(channels)]
    written = 0
    at = 1_600_000_000_000
    with open(path, "w") as out:
        def line(kind: str, data: dict[str, object]) -> None:
            out.write(json.dumps({"type": kind, kind: data}) + "\n")

        out.write(json.dumps({"type": "version", "version": 1}) + "\n")
        line("team", {"name": TEAM, "display_name": "Bench", "type": "O"})
        for c in chans:
            line("channel", {"team": TEAM, "name": c, "display_name": c.title(), "type": "O"})
        for n in names:
            line("user", {"username": n, "email": f"{n}@example.com", "teams": [
                {"name": TEAM, "roles": "team_user", "channels": [{"name": c} for c in chans]}]})
        pairs = [(names[i], names[i + 1]) for i in range(0, min(users, 20) - 1, 2)]
        for a, b in pairs:
            line("direct_channel", {"members": [a, b]})
        group = names[:3]
        line("direct_channel", {"members": group})
        while written < posts:
            at += rnd.randint(1, 5000)
            text = f"message {written} with *bold* and @{rnd.choice(names)} " + "lorem ipsum " * 5
            if rnd.random() < 0.1:
                members = list(rnd.choice(pairs)) if rnd.random() < 0.8 else group
                line("direct_post", {"channel_members": members, "user": rnd.choice(members), "message": text,
                                     "create_at": at})
                written += 1
                continue
            post: dict[str, object] = {"team": TEAM, "channel": rnd.choice(chans), "user": rnd.choice(names),
                                       "message": text, "create_at": at}
            replies = []
            for _ in range(rnd.choice((0, 0, 0, 1, 2))):
                at += rnd.randint(1, 500)
                replies.append({"user": rnd.choice(names), "message": f"reply {at}", "create_at": at})
            if replies:
                post["replies"] = replies
            if rnd.random() < 0.1:
                post["reactions"] = [{"user": rnd.choice(names), "emoji_name": "+1", "create_at": at}]
            if rnd.random() < 0.05:
                post["flagged_by"] = [rnd.choice(names)]
                post["thread_followers"] = [{"user": rnd.choice(names), "last_viewed": at}]
            line("post", post)
            written += 1 + len(replies)
    return written


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--channels", type=int, default=10)
    ap.add_argument("--users", type=int, default=100)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="chinwag-bench-bulk-")
    path = os.path.join(tmp, "import.jsonl")
    t0 = time.monotonic()
    posts = generate(path, args.posts, args.channels, args.users)
    print(f"generated {posts} posts in {time.monotonic() - t0:.1f} s ({os.path.getsize(path) / 1e6:.1f} MB)")
    name, url, drop = pg_database("chinwag_bench_bulk")
    try:
        env = {**os.environ, "MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
               "MM_FILESETTINGS_DIRECTORY": os.path.join(tmp, "files"), "MM_CONFIG": os.path.join(tmp, "c.json"),
               "MM_TEAMSETTINGS_MAXUSERSPERTEAM": "100000"}
        run = run_measured([sys.executable, "-m", "chinwag.cli.main", "import", "bulk", path], env, [name])
        seconds, rss, cpu, pg_cpu = run.seconds, run.peak_rss_mb, run.cpu_s, run.backend_cpu_s[name]
        print(run.done.stderr.replace("\r", "\n").strip().splitlines()[-8:])
        print(run.done.stdout)
        print(f"imported {posts} posts in {seconds:.1f} s: {posts / seconds:,.0f} posts/s, peak RSS {rss:.0f} MB; "
              f"CPU: import process {cpu:.1f} s, PostgreSQL backend {pg_cpu:.1f} s "
              f"(load average {os.getloadavg()[0]:.1f})")
        print(json.dumps({"posts_per_s": round(posts / seconds), "seconds": round(seconds, 1),
                          "peak_rss_mb": round(rss), "import_cpu_s": round(cpu, 1),
                          "postgres_cpu_s": round(pg_cpu, 1)}))
    finally:
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""`chinwag import mattermost` speed and memory: a generated Mattermost database (PostgreSQL, the test
fixture's schema) of N posts migrated into a fresh PostgreSQL chinwag by a real `chinwag import
mattermost` process.

    .venv/bin/python -m bench.import_mattermost --posts 200000

Prints posts/s (the whole run, and the posts stage alone), the import process's peak RSS and CPU seconds
(getrusage of the child), the CPU seconds of both PostgreSQL backends, and the same as one JSON object
for bench/compare.py."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from typing import Any

from tests.importers.mm_fixture import SCHEMA, bcrypt_hash

from bench.common import pg_database, run_measured
from chinwag.model.ids import new_id

T0 = 1_600_000_000_000


async def generate(url: str, posts: int, channels: int, users: int, seed: int = 1) -> None:
    """Every user in every channel; a fifth of the posts are thread roots, a tenth replies (with CRT thread
    rows and a follower each), a twentieth carry a reaction; counters as Mattermost keeps them."""
    import asyncpg

    rnd = random.Random(seed)
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    await conn.execute(SCHEMA)
    pw = bcrypt_hash("bench-password")
    uids = [new_id() for _ in range(users)]
    team = new_id()
    await conn.copy_records_to_table("users", columns=["id", "createat", "updateat", "deleteat", "username",
                                                       "password", "email", "roles", "notifyprops", "locale"],
                                     records=[(u, T0, T0, 0, f"user{i}", pw, f"user{i}@example.com", "system_user",
                                               '{"desktop": "mention"}', "en") for i, u in enumerate(uids)])
    await conn.execute("INSERT INTO teams (id, createat, updateat, deleteat, name, displayname, type) "
                       "VALUES ($1, $2, $2, 0, 'bench', 'Bench', 'O')", team, T0)
    await conn.copy_records_to_table("teammembers", columns=["teamid", "userid", "roles", "deleteat"],
                                     records=[(team, u, "", 0) for u in uids])
    per = posts // channels
    for c in range(channels):
        cid = new_id()
        t = T0
        roots: list[list[Any]] = []
        rows: list[tuple[Any, ...]] = []
        reactions: list[tuple[Any, ...]] = []
        for _ in range(per):
            t += rnd.randint(1, 10_000)
            pid, user = new_id(), rnd.choice(uids)
            root = ""
            if roots and rnd.random() < 0.1:
                r = rnd.choice(roots[-50:])
                root, r[1], r[2] = r[0], r[1] + 1, t
                r[3].add(user)
            elif rnd.random() < 0.2:
                roots.append([pid, 0, 0, {user}])
            rows.append((pid, t, t, 0, user, cid, root, "", f"message {t} for @user{rnd.randrange(users)} "
                         + "lorem ipsum " * 5, "", "{}", "", "[]", False, 0, False))
            if rnd.random() < 0.05:
                reactions.append((rnd.choice(uids), pid, "+1", t, t, 0, cid))
            if len(rows) >= 20_000:
                await _posts(conn, rows)
                rows = []
        await _posts(conn, rows)
        await conn.copy_records_to_table("reactions", columns=["userid", "postid", "emojiname", "createat",
                                                               "updateat", "deleteat", "channelid"], records=reactions)
        threads = [r for r in roots if r[1]]
        await conn.copy_records_to_table(
            "threads", columns=["postid", "replycount", "lastreplyat", "participants", "channelid", "threaddeleteat",
                                "threadteamid"],
            records=[(r[0], r[1], r[2], json.dumps(sorted(r[3])), cid, 0, team) for r in threads])
        await conn.copy_records_to_table(
            "threadmemberships", columns=["postid", "userid", "following", "lastviewed", "lastupdated",
                                          "unreadmentions"],
            records=[(r[0], u, True, r[2], r[2], 0) for r in threads for u in sorted(r[3])])
        await conn.execute("INSERT INTO channels (id, createat, updateat, deleteat, teamid, type, displayname, name, "
                           "lastpostat, totalmsgcount, totalmsgcountroot) VALUES ($1, $2, $2, 0, $3, 'O', $4, $4, "
                           "$5, $6, $6)", cid, T0, team, f"channel-{c}", t, per)
        await conn.copy_records_to_table(
            "channelmembers", columns=["channelid", "userid", "roles", "lastviewedat", "msgcount", "mentioncount",
                                       "notifyprops", "lastupdateat", "msgcountroot", "mentioncountroot"],
            records=[(cid, u, "", t, per, 0, '{"desktop": "default"}', t, per, 0) for u in uids])
    # a real Mattermost database is not freshly written: vacuumed, its rows' hint bits set (else reading
    # them the first time costs its backend several times the CPU of reading them later)
    await conn.execute("VACUUM ANALYZE")
    await conn.close()


async def _posts(conn: Any, rows: list[tuple[Any, ...]]) -> None:
    await conn.copy_records_to_table("posts", columns=[
        "id", "createat", "updateat", "deleteat", "userid", "channelid", "rootid", "originalid", "message", "type",
        "props", "hashtags", "fileids", "hasreactions", "editat", "ispinned"], records=rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--channels", type=int, default=20)
    ap.add_argument("--users", type=int, default=200)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="chinwag-bench-mm-")
    src_name, src, drop_src = pg_database("mmsrc_bench")
    name, url, drop = pg_database("chinwag_bench_mm")
    try:
        t0 = time.monotonic()
        asyncio.run(generate(src, args.posts, args.channels, args.users))
        print(f"generated a Mattermost database of {args.posts} posts in {time.monotonic() - t0:.1f} s")
        env = {**os.environ, "MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
               "MM_FILESETTINGS_DIRECTORY": os.path.join(tmp, "files"), "MM_CONFIG": os.path.join(tmp, "c.json")}
        time.sleep(1)  # the generator's backend has exited: its CPU is not counted as the migration's
        run = run_measured([sys.executable, "-m", "chinwag.cli.main", "import", "mattermost", "--from", src,
                            "--report", os.path.join(tmp, "report.json")], env, [name, src_name])
        seconds, rss, cpu = run.seconds, run.peak_rss_mb, run.cpu_s
        with open(os.path.join(tmp, "report.json")) as fh:
            report = json.load(fh)
        stage = report["stage_seconds"].get("posts") or seconds
        print(run.done.stdout)
        print(f"migrated {args.posts} posts in {seconds:.1f} s: {args.posts / seconds:,.0f} posts/s (posts stage "
              f"{stage:.1f} s: {args.posts / stage:,.0f} posts/s), peak RSS {rss:.0f} MB; CPU: import process "
              f"{cpu:.1f} s, chinwag's PostgreSQL backend {run.backend_cpu_s[name]:.1f} s, "
              f"Mattermost's {run.backend_cpu_s[src_name]:.1f} s (load average {os.getloadavg()[0]:.1f})")
        print(json.dumps({"posts_per_s": round(args.posts / seconds), "posts_stage_per_s": round(args.posts / stage),
                          "seconds": round(seconds, 1), "peak_rss_mb": round(rss),
                          "import_cpu_s": round(cpu, 1),
                          "postgres_cpu_s": round(run.backend_cpu_s[name], 1)}))
    finally:
        drop()
        drop_src()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

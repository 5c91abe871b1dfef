"""The cost notifications add to POST /posts: p50/p99 of posting "@channel" in a channel of 1,000
members (every post mentions 999 people: mention counts in the post's transaction, then email queue
rows and push work in the background), against a plain post in the same channel — a real server
process on PostgreSQL, email batching on with an SMTP sink, posts one after another.

    .venv/bin/python -m bench.notify [--members 1000] [--samples 300] [--gap-ms 0]

With ``--gap-ms`` the posts are spaced out, so the background work of one post is done before the
next: the request's own cost, rather than back-to-back posting competing with the fan-out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import asyncpg

from bench.common import Api, make_user, start_server
from chinwag.model.ids import new_id
from chinwag.model.user import default_notify_props


def add_members(dsn: str, team_id: str, channel_id: str, n: int) -> None:
    """n users in the team and the channel, inserted directly (the bench measures posting)."""

    async def run() -> None:
        conn = await asyncpg.connect(dsn.replace("postgres://", "postgresql://", 1))
        now = int(time.time() * 1000)
        users = [(new_id(), now, now, f"member{i}", f"member{i}@example.com", "system_user",
                  json.dumps(default_notify_props(f"member{i}"))) for i in range(n)]
        await conn.copy_records_to_table(
            "users", records=users, columns=["id", "createat", "updateat", "username", "email", "roles",
                                             "notifyprops"])
        await conn.copy_records_to_table(
            "teammembers", records=[(team_id, u[0], "team_user") for u in users],
            columns=["teamid", "userid", "roles"])
        props = json.dumps({"desktop": "default", "email": "default", "push": "default", "mark_unread": "all",
                            "ignore_channel_mentions": "default"})
        await conn.copy_records_to_table(
            "channelmembers", records=[(channel_id, u[0], "channel_user", props, now) for u in users],
            columns=["channelid", "userid", "roles", "notifyprops", "lastupdateat"])
        await conn.execute("ANALYZE")
        await conn.close()

    asyncio.run(run())


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the process has used, in milliseconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def post_latency(api: Api, channel_id: str, message: str, samples: int, gap_ms: int = 0,
                 pid: int = 0) -> dict[str, float]:
    """Latency percentiles, and the server's CPU per post (background work included: measured
    once the server has gone quiet after the last post)."""
    cpu_before = cpu_ms(pid) if pid else 0.0
    times = []
    for i in range(samples):
        if gap_ms:
            time.sleep(gap_ms / 1000)
        t = time.perf_counter()
        r = api.c.post("/posts", json={"channel_id": channel_id, "message": f"{message} {i}"})
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 201, r.text
    times.sort()
    out = {"p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
           "max_ms": round(times[-1], 2)}
    if pid:
        last = cpu_ms(pid)
        while True:  # until the background work of the last posts is done
            time.sleep(0.5)
            now = cpu_ms(pid)
            if now - last < 5:
                break
            last = now
        out["server_cpu_ms_per_post"] = round((last - cpu_before) / samples, 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--gap-ms", type=int, default=0)
    args = ap.parse_args()
    from tests.smtp import SmtpServer  # after bench.common put the project root on the path

    smtp = SmtpServer(Path(tempfile.mkdtemp(prefix="chinwag-bench-smtp-"))).start()
    env = {"MM_EMAILSETTINGS_SMTPSERVER": "127.0.0.1", "MM_EMAILSETTINGS_SMTPPORT": str(smtp.port),
           "MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS": "true", "MM_EMAILSETTINGS_ENABLEEMAILBATCHING": "true"}
    proc, drop = start_server(env)
    try:
        admin, _ = make_user(proc.api, "admin")
        team = admin("POST", "/teams", {"name": "bench", "display_name": "Bench", "type": "O"}, 201)
        crowd = admin("POST", "/channels", {"team_id": team["id"], "name": "crowd", "display_name": "Crowd",
                                             "type": "O"}, 201)
        add_members(proc.env["MM_SQLSETTINGS_DATASOURCE"], team["id"], crowd["id"], args.members - 1)
        post_latency(admin, crowd["id"], "warm up", 30)
        assert proc.proc is not None
        pid = proc.proc.pid
        results = {
            "members": args.members,
            "gap_ms": args.gap_ms,
            "plain_post": post_latency(admin, crowd["id"], "just a message", args.samples, args.gap_ms, pid),
            "at_channel_post": post_latency(admin, crowd["id"], "@channel please read", args.samples, args.gap_ms,
                                            pid),
        }
        print(json.dumps(results, indent=2))
    finally:
        proc.stop()
        drop()
        smtp.stop()


if __name__ == "__main__":
    main()

"""Incoming webhook throughput: POST /hooks/{id} with 32 concurrent senders (wrk), a plain-text payload
and a Slack attachment payload, next to POST /posts on the same server for comparison — against a
real server process on PostgreSQL. Every accepted request must have created exactly one post.

    .venv/bin/python -m bench.webhooks [--seconds 15] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

import asyncpg

from bench.common import make_user, start_server, wrk

TEXT = {"text": "Build #1234 of main passed in 3m12s — https://ci.example.com/builds/1234", "username": "ci"}
ATTACHMENT = {
    "username": "alerts",
    "attachments": [{
        "fallback": "CPU high on web-3", "color": "#d00000", "title": "CPU high on web-3",
        "title_link": "https://monitoring.example.com/alerts/77", "text": "CPU above 90% for 5 minutes",
        "fields": [{"title": "Host", "value": "web-3", "short": True}, {"title": "Value", "value": 93.5,
                                                                        "short": True}],
        "footer": "monitoring", "ts": 1700000000,
    }],
}


def count_posts(dsn: str, channel_id: str) -> int:
    async def run() -> int:
        conn = await asyncpg.connect(dsn.replace("postgres://", "postgresql://", 1))
        n = await conn.fetchval("SELECT count(*) FROM posts WHERE channelid = $1 AND type NOT LIKE 'system_%'",
                                channel_id)
        await conn.close()
        return int(n)

    return asyncio.run(run())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    proc, drop = start_server({"MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE": "true"})
    results: dict[str, Any] = {}
    try:
        admin, _ = make_user(proc.api, "admin")
        token = admin.c.headers["Authorization"].split()[1]
        team = admin("POST", "/teams", {"name": "bench", "display_name": "Bench", "type": "O"}, 201)
        dsn = proc.env["MM_SQLSETTINGS_DATASOURCE"]
        ch = admin("POST", "/channels", {"team_id": team["id"], "name": "plain", "display_name": "Plain",
                                         "type": "O"}, 201)
        body = {"channel_id": ch["id"], "message": TEXT["text"]}
        wrk(proc.api + "/posts", token, body, 8, 3)  # warm up
        results["post_api_baseline"] = wrk(proc.api + "/posts", token, body, args.connections, args.seconds)
        for name, payload in (("webhook_text", TEXT), ("webhook_attachment", ATTACHMENT)):
            ch = admin("POST", "/channels", {"team_id": team["id"], "name": name.replace("_", "-"),
                                             "display_name": name, "type": "O"}, 201)
            hook = admin("POST", "/hooks/incoming", {"channel_id": ch["id"], "display_name": name}, 201)
            url = f"{proc.url}/hooks/{hook['id']}"
            wrk(url, "", payload, 8, 3)  # warm up
            before = count_posts(dsn, ch["id"])
            res = wrk(url, "", payload, args.connections, args.seconds)
            created = count_posts(dsn, ch["id"]) - before
            res["posts_created"] = created
            res["posts_per_s"] = round(created / args.seconds, 1)
            results[name] = res
        print(json.dumps(results, indent=2))
    finally:
        proc.stop()
        drop()


if __name__ == "__main__":
    main()

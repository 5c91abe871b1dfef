"""The load test's data set: teams, channels of skewed sizes, users with their memberships, direct and
group messages and a history of posts with threads, written as a Mattermost bulk-import file and loaded
with `chinwag import bulk`; then the users get a password so the simulation can sign them in.

Shape (defaults; every number is an option): 2 teams; every user in the first team, 30 % also in the
second; per team 100 public channels and 30 private ones whose membership follows a Zipf-like curve (a
few channels with most people, a long tail of small ones); every user in town-square and off-topic plus
12 public and 2 private channels of their team; 4 direct channels and a third of a group channel per
user; posts spread over the last 30 days, a fifth of them replies in threads.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PASSWORD = "Loadtest-pw1"
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu deploy review release build "
         "meeting lunch coffee ticket incident rollout backend frontend database cache metrics dashboard "
         "customer support sprint planning retro design draft budget report launch migrate").split()


@dataclass
class Shape:
    users: int = 5000
    teams: int = 2
    public_per_team: int = 100
    private_per_team: int = 30
    public_per_user: int = 12
    private_per_user: int = 2
    dms_per_user: int = 4
    posts: int = 100_000
    reply_share: float = 0.2
    seed: int = 27


def username(i: int) -> str:
    return f"lt{i:06d}"


def sentence(rnd: random.Random, n: int | None = None) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n or rnd.randint(3, 18)))


def _zipf_pick(rnd: random.Random, names: list[str], k: int, weights: list[float]) -> list[str]:
    chosen: set[str] = set()
    while len(chosen) < min(k, len(names)):
        chosen.add(rnd.choices(names, weights)[0])
    return sorted(chosen)


def write_jsonl(path: Path, shape: Shape) -> dict[str, Any]:
    """The bulk-import file; returns a summary (counts) for the report."""
    rnd = random.Random(shape.seed)
    teams = [f"lt-team-{t}" for t in range(shape.teams)]
    pub = {t: ["town-square", "off-topic"] + [f"pub-{i:03d}" for i in range(shape.public_per_team)] for t in teams}
    priv = {t: [f"priv-{i:03d}" for i in range(shape.private_per_team)] for t in teams}
    wpub = [1 / (i + 1) ** 0.9 for i in range(shape.public_per_team)]
    wpriv = [1 / (i + 1) ** 0.9 for i in range(shape.private_per_team)]
    members: dict[tuple[str, str], list[str]] = {}
    n_lines = 0
    with path.open("w") as f:
        def w(obj: dict[str, Any]) -> None:
            nonlocal n_lines
            f.write(json.dumps(obj, separators=(",", ":")) + "\n")
            n_lines += 1

        w({"type": "version", "version": 1})
        for t in teams:
            w({"type": "team", "team": {"name": t, "display_name": t.replace("-", " ").title(), "type": "O",
                                         "allow_open_invite": True}})
            for c in pub[t]:
                w({"type": "channel", "channel": {"team": t, "name": c, "display_name": c.replace("-", " "),
                                                   "type": "O", "purpose": sentence(rnd, 6)}})
            for c in priv[t]:
                w({"type": "channel", "channel": {"team": t, "name": c, "display_name": c.replace("-", " "),
                                                   "type": "P"}})
        for i in range(shape.users):
            name = username(i)
            my_teams = [teams[0]] + ([t for t in teams[1:] if rnd.random() < 0.3])
            tlist = []
            for t in my_teams:
                chans = ["town-square", "off-topic", *_zipf_pick(rnd, pub[t][2:], shape.public_per_user, wpub), *_zipf_pick(rnd, priv[t], shape.private_per_user, wpriv)]
                for c in chans:
                    members.setdefault((t, c), []).append(name)
                tlist.append({"name": t, "roles": "team_user", "channels": [{"name": c, "roles": "channel_user"}
                                                                             for c in chans]})
            w({"type": "user", "user": {"username": name, "email": f"{name}@loadtest.example.com",
                                         "first_name": "Load", "last_name": f"Tester {i}", "teams": tlist}})
        dms: set[tuple[str, ...]] = set()
        for i in range(shape.users):
            for _ in range(shape.dms_per_user // 2):
                j = rnd.randrange(shape.users)
                if j != i:
                    dms.add(tuple(sorted((username(i), username(j)))))
            if rnd.random() < 1 / 3 and shape.users >= 3:
                others = rnd.sample(range(shape.users), 2)
                if i not in others:
                    dms.add(tuple(sorted([username(i)] + [username(o) for o in others])))
        for m in sorted(dms):
            w({"type": "direct_channel", "direct_channel": {"members": list(m)}})
        # posts: channels weighted by their size; a fifth of posts are replies to a recent root
        now = int(time.time() * 1000)
        start = now - 30 * 86_400_000
        chans = sorted(members)
        sizes = [len(members[c]) for c in chans]
        dm_list = sorted(dms)
        n_dm = shape.posts // 10
        n_ch = shape.posts - n_dm
        n_roots = int(n_ch * (1 - shape.reply_share))
        per_chan: dict[tuple[str, str], int] = {}
        for c in rnd.choices(chans, sizes, k=n_roots):
            per_chan[c] = per_chan.get(c, 0) + 1
        replies_left = n_ch - n_roots
        for c in chans:
            n = per_chan.get(c, 0)
            if not n:
                continue
            times = sorted(rnd.randrange(start, now - 60_000) for _ in range(n))
            who = members[c]
            for k, at in enumerate(times):
                post: dict[str, Any] = {"team": c[0], "channel": c[1], "user": rnd.choice(who),
                                        "message": sentence(rnd), "create_at": at + k}
                if replies_left and rnd.random() < shape.reply_share / (1 - shape.reply_share):
                    nrep = min(replies_left, rnd.randint(1, 6))
                    replies_left -= nrep
                    post["replies"] = [{"user": rnd.choice(who), "message": sentence(rnd),
                                        "create_at": at + k + 1000 * (r + 1)} for r in range(nrep)]
                w({"type": "post", "post": post})
        if dm_list:
            for _ in range(n_dm):
                m = rnd.choice(dm_list)
                w({"type": "direct_post", "direct_post": {"channel_members": list(m), "user": rnd.choice(m),
                                                          "message": sentence(rnd),
                                                          "create_at": rnd.randrange(start, now - 60_000)}})
    return {"users": shape.users, "teams": shape.teams, "channels": sum(len(pub[t]) + len(priv[t]) for t in teams),
            "direct_and_group_channels": len(dms), "posts": shape.posts, "lines": n_lines,
            "largest_channel_members": max(sizes) if sizes else 0,
            "median_channel_members": sorted(sizes)[len(sizes) // 2] if sizes else 0}


def import_file(path: Path, env: dict[str, str]) -> float:
    """`chinwag import bulk` against the server's database (same MM_* environment); seconds taken."""
    chinwag = str(Path(sys.executable).parent / "chinwag")
    t = time.monotonic()
    proc = subprocess.run([chinwag, "import", "bulk", str(path)], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"bulk import failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.monotonic() - t


def set_passwords_pg(dsn: str, cost: int = 4) -> int:
    """Give every imported user the same password. Bulk import creates users without one (as Mattermost's
    does without `password`); hashing 10,000 passwords at the server's cost (bcrypt 10, ≈60 ms each) would
    take longer than the run, so the loader writes one bcrypt hash of a lower cost for all of them. A
    login still runs bcrypt; it is cheaper than a production login (see bench/README.md)."""
    import asyncpg
    import bcrypt

    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(cost)).decode()

    async def run() -> int:
        conn = await asyncpg.connect(dsn.replace("postgres://", "postgresql://", 1))
        try:
            res = await conn.execute("UPDATE users SET password = $1 WHERE username LIKE 'lt%'", hashed)
            await conn.execute("ANALYZE")
            return int(res.split()[-1])
        finally:
            await conn.close()

    return asyncio.run(run())


def build(workdir: str, shape: Shape, env: dict[str, str], dsn: str) -> dict[str, Any]:
    path = Path(workdir) / "loadtest-data.jsonl"
    t = time.monotonic()
    summary = write_jsonl(path, shape)
    summary["generate_s"] = round(time.monotonic() - t, 1)
    summary["import_s"] = round(import_file(path, env), 1)
    summary["passwords_set"] = set_passwords_pg(dsn)
    os.unlink(path)
    return summary

"""`chinwag sampledata`: a realistic demo workspace made through the API — teams, public and private
channels, users with names, a few thousand posts spread over past weeks, threads and reactions.
Deterministic for a given --seed. In local mode posts are written as their authors and backdated;
with stored credentials every sample user logs in and posts as themselves (timestamps are now)."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import typer

from chinwag.cli.mmctl.client import Client, Ctx, die, error_text

FIRST = ("Ada Alan Grace Linus Margaret Ken Barbara Dennis Frances Edsger Radia Tim Hedy Guido Katherine "
         "Donald Sophie John Annie Claude Mary Niklaus Joan Bjarne Lynn Yukihiro Shafi Leslie Ruth Rob").split()
LAST = ("Lovelace Turing Hopper Torvalds Hamilton Thompson Liskov Ritchie Allen Dijkstra Perlman Berners-Lee "
        "Lamarr Rossum Johnson Knuth Wilson McCarthy Easley Shannon Kenneth Wirth Clarke Stroustrup Conway "
        "Matsumoto Goldwasser Lamport Teitelbaum Pike").split()
TEAMS = [("engineering", "Engineering"), ("marketing", "Marketing"), ("support", "Customer Support"),
         ("design", "Design"), ("operations", "Operations"), ("sales", "Sales")]
CHANNELS = ["releases", "random", "standup", "incidents", "roadmap", "code-review", "watercooler", "hiring",
            "customers", "docs", "infra", "security", "design-crit", "planning", "announcements", "help",
            "analytics", "qa", "mobile", "frontend", "backend", "data", "events", "feedback"]
OPENERS = ["Heads up:", "Quick question:", "FYI", "Good news!", "Reminder:", "Does anyone know", "Update:",
           "I think", "Looks like", "Thanks everyone,", "Can someone review", "Just shipped", "Status:"]
WORDS = ("the deploy build pipeline release meeting customer ticket dashboard latency database migration "
         "backup cache cluster config review branch tests docs design mockup roadmap sprint budget invoice "
         "metrics alert rollback feature flag onboarding retro agenda draft launch survey api endpoint "
         "webhook bot search index queue worker timeout retry patch hotfix staging production users").split()
ENDINGS = [".", "!", "?", " :tada:", " :eyes:", " — thoughts?", ". Will follow up tomorrow.", " :+1:"]
EMOJI = ["+1", "heart", "tada", "eyes", "rocket", "smile", "white_check_mark", "laughing", "thinking", "fire"]
DAY_MS = 86_400_000


def sentence(rng: random.Random) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 16)))
    return f"{rng.choice(OPENERS)} {words}{rng.choice(ENDINGS)}"


class Sampler:
    def __init__(self, c: Client, rng: random.Random, workers: int) -> None:
        self.c = c
        self.rng = rng
        self.workers = workers
        self.tokens: dict[str, str] = {}  # user id → session token (remote mode)

    def as_user(self, method: str, path: str, user_id: str, body: dict[str, Any]) -> Any:
        if self.c.local:
            r = self.c.http.request(method, "/api/v4" + path, json=body)
        else:
            r = self.c.http.request(method, "/api/v4" + path, json=body,
                                    headers={"Authorization": f"Bearer {self.tokens[user_id]}"})
        if r.status_code not in (200, 201):
            die(f"{method} {path}: {error_text(r)}")
        return r.json()

    def login(self, username: str, password: str) -> str:
        r = self.c.http.post("/api/v4/users/login", json={"login_id": username, "password": password},
                             headers={"Authorization": ""})
        if r.status_code != 200:
            die(f"cannot log in as sample user {username}: {error_text(r)}")
        return r.headers["Token"]


def _users(s: Sampler, count: int, password: str) -> list[dict[str, Any]]:
    users = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        username = f"{first}.{last}".lower().replace("-", "")
        if i >= len(FIRST):
            username += str(i // len(FIRST))
        body = {"username": username, "email": f"{username}@sample.chinwag.test", "password": password,
                "first_name": first, "last_name": last, "nickname": first,
                "position": s.rng.choice(["Engineer", "Designer", "Manager", "Support", "Analyst", ""])}
        r = s.c.http.post("/api/v4/users", json=body)
        if r.status_code == 201:
            user = r.json()
        elif r.status_code == 400:  # already there from an earlier run with this seed
            user = s.c.get(f"/users/username/{username}")
        else:
            die(f"creating user {username}: {error_text(r)}")
        if not s.c.local:
            s.tokens[user["id"]] = s.login(username, password)
        users.append(user)
    return users


def _team(s: Sampler, name: str, display: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    r = s.c.http.get(f"/api/v4/teams/name/{name}")
    team = r.json() if r.status_code == 200 else s.c.post("/teams", {"name": name, "display_name": display,
                                                                     "type": "O"})
    ids = [u["id"] for u in members]
    for i in range(0, len(ids), 100):
        s.c.post(f"/teams/{team['id']}/members/batch", [{"team_id": team["id"], "user_id": u} for u in ids[i:i + 100]])
    return dict(team)


def _channel(s: Sampler, team: dict[str, Any], name: str, private: bool, members: list[dict[str, Any]]
             ) -> dict[str, Any]:
    r = s.c.http.get(f"/api/v4/teams/{team['id']}/channels/name/{name}")
    if r.status_code == 200:
        ch = r.json()
    else:
        ch = s.c.post("/channels", {"team_id": team["id"], "name": name, "type": "P" if private else "O",
                                    "display_name": name.replace("-", " ").title(),
                                    "purpose": f"Talk about {name.replace('-', ' ')}"})
    for u in members:
        s.c.request("POST", f"/channels/{ch['id']}/members", json_body={"user_id": u["id"]}, ok=(200, 201))
    return dict(ch)


def _posts(s: Sampler, ch: dict[str, Any], members: list[dict[str, Any]], count: int, replies: int,
           days: int) -> tuple[int, int]:
    """Roots first (spread over the past ``days``), then threaded replies after their roots, then
    reactions; requests run in parallel, order comes from create_at."""
    now = int(time.time() * 1000)
    start = now - days * DAY_MS
    rng = s.rng
    roots = [(rng.choice(members)["id"], start + (now - start) * i // max(count, 1), sentence(rng))
             for i in range(count)]

    def create(author: str, at: int, message: str, root_id: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"channel_id": ch["id"], "message": message, "root_id": root_id}
        if s.c.local:
            body.update(user_id=author, create_at=at)
        return dict(s.as_user("POST", "/posts", author, body))

    with ThreadPoolExecutor(s.workers) as pool:
        made = list(pool.map(lambda r: create(*r), roots))
        threads = rng.sample(made, k=min(len(made), max(1, count // 8))) if made else []
        reply_jobs = []
        for root in threads:
            for k in range(rng.randint(1, replies)):
                at = root["create_at"] + (k + 1) * rng.randint(60_000, 3_600_000)
                reply_jobs.append((rng.choice(members)["id"], min(at, now), sentence(rng), root["id"]))
        list(pool.map(lambda r: create(*r), reply_jobs))
        reactions = []
        for p in rng.sample(made, k=len(made) // 4):
            for u in rng.sample(members, k=min(len(members), rng.randint(1, 3))):
                reactions.append((u["id"], p["id"], rng.choice(EMOJI)))
        list(pool.map(lambda r: s.as_user("POST", "/reactions", r[0],
                                          {"user_id": r[0], "post_id": r[1], "emoji_name": r[2]}), reactions))
    return len(made) + len(reply_jobs), len(reactions)


def sampledata(c: Ctx, seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same data)."),
               teams: int = typer.Option(2, "--teams", help="Number of teams."),
               channels_per_team: int = typer.Option(8, "--channels-per-team", help="Channels in each team."),
               users: int = typer.Option(20, "--users", help="Number of users."),
               posts_per_channel: int = typer.Option(150, "--posts-per-channel", help="Root posts per channel."),
               replies: int = typer.Option(6, "--replies", help="Most replies in one thread."),
               days: int = typer.Option(30, "--days", help="Spread the posts over this many past days."),
               password: str = typer.Option("SampleUser-1", "--password", help="Password of every sample user."),
               workers: int = typer.Option(8, "--workers", help="Requests in parallel.")) -> None:
    """Create a realistic demo workspace: teams, channels, users, a few thousand posts with threads
    and reactions (run it on an empty server; --local backdates posts over the past --days)."""
    if not 1 <= teams <= len(TEAMS):
        die(f"--teams must be between 1 and {len(TEAMS)}")
    if not 1 <= channels_per_team <= len(CHANNELS):
        die(f"--channels-per-team must be between 1 and {len(CHANNELS)}")
    if users < 2 or posts_per_channel < 0 or replies < 1 or days < 1 or workers < 1:
        die("--users must be at least 2; --posts-per-channel, --replies, --days and --workers positive")
    s = Sampler(c.client, random.Random(seed), workers)
    people = _users(s, users, password)
    totals = {"teams": 0, "channels": 0, "users": len(people), "posts": 0, "reactions": 0}
    for name, display in TEAMS[:teams]:
        team = _team(s, name, display, people)
        totals["teams"] += 1
        for cname in s.rng.sample(CHANNELS, k=channels_per_team):
            private = s.rng.random() < 0.2
            members = s.rng.sample(people, k=max(2, len(people) * s.rng.randint(4, 10) // 10))
            ch = _channel(s, team, cname, private, members)
            posts, reactions = _posts(s, ch, members, posts_per_channel, replies, days)
            totals["channels"] += 1
            totals["posts"] += posts
            totals["reactions"] += reactions
    c.out.item(totals, "Sample data: {teams} teams, {channels} channels, {users} users, {posts} posts, "
                       "{reactions} reactions (user password: {pw})".format(**totals, pw=password))


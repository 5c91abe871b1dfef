"""`chinwag sampledata`: a realistic demo workspace — teams, public and private channels, users (guests and
deactivated ones too) with team and channel memberships, posts spread over past weeks with threads and
reactions, direct and group messages. Deterministic for a given --seed. mmctl's flags; made through the
API (in local mode posts are written as their authors and backdated; with stored credentials every sample
user logs in and posts as themselves), or written as a Mattermost bulk import file with --bulk."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

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


@dataclass
class Person:
    username: str
    email: str
    first: str
    last: str
    position: str
    kind: str = "user"  # user, guest or deactivated
    teams: dict[str, list[str]] = field(default_factory=dict)  # team name → channel names
    image: str = ""
    id: str = ""


@dataclass
class Thread:
    author: str
    at: int
    message: str
    replies: list[tuple[str, int, str]] = field(default_factory=list)
    reactions: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Plan:
    people: list[Person]
    teams: list[tuple[str, str]]
    channels: dict[str, list[tuple[str, bool]]]  # team → (channel, private)
    posts: dict[tuple[str, str], list[Thread]]
    directs: list[tuple[list[str], list[tuple[str, int, str]]]]  # members, posts
    password: str


def _person(i: int, kind: str, rng: random.Random) -> Person:
    first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
    username = f"{first}.{last}".lower().replace("-", "")
    if i >= len(FIRST):
        username += str(i // len(FIRST))
    if kind != "user":
        username = f"{kind}.{username}"
    return Person(username, f"{username}@sample.chinwag.test", first, last,
                  rng.choice(["Engineer", "Designer", "Manager", "Support", "Analyst", ""]), kind)


def _messages(rng: random.Random, authors: list[str], count: int, start: int, now: int) -> list[tuple[str, int, str]]:
    return [(rng.choice(authors), start + (now - start) * i // max(count, 1), sentence(rng)) for i in range(count)]


def make_plan(rng: random.Random, *, teams: int, channels_per_team: int, users: int, guests: int,
              deactivated: int, team_memberships: int, channel_memberships: int, posts_per_channel: int,
              replies: int, days: int, direct_channels: int, posts_per_direct: int, group_channels: int,
              posts_per_group: int, images: list[str], password: str) -> Plan:
    now = int(time.time() * 1000)
    start = now - days * DAY_MS
    people = ([_person(i, "user", rng) for i in range(users)] + [_person(i, "guest", rng) for i in range(guests)]
              + [_person(i, "deactivated", rng) for i in range(deactivated)])
    team_list = TEAMS[:teams]
    channels = {name: [(c, rng.random() < 0.2) for c in rng.sample(CHANNELS, k=channels_per_team)]
                for name, _ in team_list}
    for p in people:
        if images:
            p.image = rng.choice(images)
        for tname, _ in rng.sample(team_list, k=team_memberships):
            p.teams[tname] = [c for c, _ in rng.sample(channels[tname], k=channel_memberships)]
    posts: dict[tuple[str, str], list[Thread]] = {}
    for tname, chans in channels.items():
        for cname, _ in chans:
            authors = [p.username for p in people if p.kind != "deactivated" and cname in p.teams.get(tname, [])]
            if not authors:
                continue
            threads = [Thread(a, at, m) for a, at, m in _messages(rng, authors, posts_per_channel, start, now)]
            for t in rng.sample(threads, k=min(len(threads), max(1, len(threads) // 8))) if threads else []:
                for k in range(rng.randint(1, replies)):
                    at = min(now, t.at + (k + 1) * rng.randint(60_000, 3_600_000))
                    t.replies.append((rng.choice(authors), at, sentence(rng)))
            for t in rng.sample(threads, k=len(threads) // 4):
                for u in rng.sample(authors, k=min(len(authors), rng.randint(1, 3))):
                    t.reactions.append((u, rng.choice(EMOJI)))
            posts[(tname, cname)] = threads
    active = [p.username for p in people if p.kind == "user"]  # guests may only message their channels' members
    directs: list[tuple[list[str], list[tuple[str, int, str]]]] = []
    seen: set[tuple[str, ...]] = set()
    for size, count, per in ((2, direct_channels, posts_per_direct), (0, group_channels, posts_per_group)):
        for _ in range(count * 4):
            if sum(1 for m, _ in directs if (len(m) == 2) == (size == 2)) >= count or len(active) < 2:
                break
            k = 2 if size == 2 else rng.randint(3, min(8, len(active)))
            if k > len(active):
                break
            members = sorted(rng.sample(active, k=k))
            if tuple(members) in seen:
                continue
            seen.add(tuple(members))
            directs.append((members, _messages(rng, members, per, start, now)))
    return Plan(people, team_list, channels, posts, directs, password)


# the bulk import file ------------------------------------------------------------------------------


def write_bulk(plan: Plan, out: IO[str]) -> None:
    """The plan as a Mattermost bulk import file (JSON lines), as mmctl's --bulk writes it."""
    def line(kind: str, data: Any) -> None:
        out.write(json.dumps({"type": kind, kind: data} if kind != "version" else {"type": "version",
                                                                                    "version": 1}) + "\n")

    line("version", None)
    for name, display in plan.teams:
        line("team", {"name": name, "display_name": display, "type": "O", "allow_open_invite": True,
                      "description": f"The {display} team"})
    for tname, chans in plan.channels.items():
        for cname, private in chans:
            line("channel", {"team": tname, "name": cname, "display_name": cname.replace("-", " ").title(),
                             "type": "P" if private else "O", "purpose": f"Talk about {cname.replace('-', ' ')}"})
    for p in plan.people:
        user: dict[str, Any] = {
            "username": p.username, "email": p.email, "password": plan.password, "first_name": p.first,
            "last_name": p.last, "nickname": p.first, "position": p.position,
            "roles": "system_guest" if p.kind == "guest" else "system_user",
            "teams": [{"name": t, "roles": "team_guest" if p.kind == "guest" else "team_user",
                       "channels": [{"name": c, "roles": "channel_guest" if p.kind == "guest" else "channel_user"}
                                    for c in chans]} for t, chans in p.teams.items()]}
        if p.kind == "deactivated":
            user["delete_at"] = int(time.time() * 1000)
        if p.image:
            user["profile_image"] = p.image
        line("user", user)
    for (tname, cname), threads in plan.posts.items():
        for t in threads:
            post: dict[str, Any] = {"team": tname, "channel": cname, "user": t.author, "message": t.message,
                                    "create_at": t.at}
            if t.replies:
                post["replies"] = [{"user": u, "message": m, "create_at": at} for u, at, m in t.replies]
            if t.reactions:
                post["reactions"] = [{"user": u, "emoji_name": e, "create_at": t.at + 1} for u, e in t.reactions]
            line("post", post)
    for members, messages in plan.directs:
        line("direct_channel", {"members": members})
        for u, at, m in messages:
            line("direct_post", {"channel_members": members, "user": u, "message": m, "create_at": at})


# through the API ------------------------------------------------------------------------------------


def _users(s: Sampler, plan: Plan) -> None:
    for p in plan.people:
        body = {"username": p.username, "email": p.email, "password": plan.password, "first_name": p.first,
                "last_name": p.last, "nickname": p.first, "position": p.position}
        r = s.c.http.post("/api/v4/users", json=body)
        if r.status_code == 201:
            user = r.json()
        elif r.status_code == 400:  # already there from an earlier run with this seed
            user = s.c.get(f"/users/username/{p.username}")
        else:
            die(f"creating user {p.username}: {error_text(r)}")
        p.id = user["id"]
        if p.kind == "guest":
            r = s.c.http.post(f"/api/v4/users/{p.id}/demote")
            if r.status_code != 200:
                die(f"making {p.username} a guest: {error_text(r)} (set GuestAccountsSettings.Enable, or --guests 0)")
        if p.image:
            with open(p.image, "rb") as fh:
                r = s.c.http.post(f"/api/v4/users/{p.id}/image", files={"image": (os.path.basename(p.image), fh)})
            if r.status_code != 200:
                die(f"setting the profile image of {p.username}: {error_text(r)}")
        if not s.c.local and p.kind != "deactivated":
            s.tokens[p.id] = s.login(p.username, plan.password)


def _team(s: Sampler, name: str, display: str, members: list[str]) -> dict[str, Any]:
    r = s.c.http.get(f"/api/v4/teams/name/{name}")
    team = r.json() if r.status_code == 200 else s.c.post("/teams", {"name": name, "display_name": display,
                                                                     "type": "O", "allow_open_invite": True})
    for i in range(0, len(members), 100):
        s.c.post(f"/teams/{team['id']}/members/batch",
                 [{"team_id": team["id"], "user_id": u} for u in members[i:i + 100]])
    return dict(team)


def _channel(s: Sampler, team: dict[str, Any], name: str, private: bool, members: list[str]) -> dict[str, Any]:
    r = s.c.http.get(f"/api/v4/teams/{team['id']}/channels/name/{name}")
    if r.status_code == 200:
        ch = r.json()
    else:
        ch = s.c.post("/channels", {"team_id": team["id"], "name": name, "type": "P" if private else "O",
                                    "display_name": name.replace("-", " ").title(),
                                    "purpose": f"Talk about {name.replace('-', ' ')}"})
    for u in members:
        s.c.request("POST", f"/channels/{ch['id']}/members", json_body={"user_id": u}, ok=(200, 201))
    return dict(ch)


def _posts(s: Sampler, channel_id: str, threads: list[Thread], ids: dict[str, str]) -> tuple[int, int]:
    """Roots first, then threaded replies after their roots, then reactions; requests run in parallel,
    order comes from create_at."""
    def create(author: str, at: int, message: str, root_id: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"channel_id": channel_id, "message": message, "root_id": root_id}
        if s.c.local:
            body.update(user_id=ids[author], create_at=at)
        return dict(s.as_user("POST", "/posts", ids[author], body))

    with ThreadPoolExecutor(s.workers) as pool:
        made = list(pool.map(lambda t: create(t.author, t.at, t.message), threads))
        jobs = [(u, at, m, p["id"]) for t, p in zip(threads, made, strict=True) for u, at, m in t.replies]
        list(pool.map(lambda r: create(*r), jobs))
        reactions = [(ids[u], p["id"], e) for t, p in zip(threads, made, strict=True) for u, e in t.reactions]
        list(pool.map(lambda r: s.as_user("POST", "/reactions", r[0],
                                          {"user_id": r[0], "post_id": r[1], "emoji_name": r[2]}), reactions))
    return len(made) + len(jobs), len(reactions)


def sampledata(c: Ctx, seed: int = typer.Option(1, "--seed", "-s", help="Seed used for generating the random data "
                                                "(Different seeds generate different data)."),
               bulk: str = typer.Option("", "--bulk", "-b", help="Optional. Path to write a JSONL bulk file "
                                        "instead of creating the data on the server (- for stdout)."),
               teams: int = typer.Option(2, "--teams", "-t", help="The number of sample teams."),
               channels_per_team: int = typer.Option(10, "--channels-per-team", help="The number of sample "
                                                     "channels per team."),
               users: int = typer.Option(15, "--users", "-u", help="The number of sample users."),
               guests: int = typer.Option(1, "--guests", "-g", help="The number of sample guests (needs "
                                          "GuestAccountsSettings.Enable unless --bulk)."),
               deactivated_users: int = typer.Option(0, "--deactivated-users", help="The number of deactivated "
                                                     "users."),
               team_memberships: int = typer.Option(2, "--team-memberships", help="The number of sample team "
                                                    "memberships per user."),
               channel_memberships: int = typer.Option(5, "--channel-memberships", help="The number of sample "
                                                       "channel memberships per user in a team."),
               posts_per_channel: int = typer.Option(100, "--posts-per-channel", help="The number of sample post "
                                                     "per channel."),
               direct_channels: int = typer.Option(30, "--direct-channels", help="The number of sample direct "
                                                   "message channels."),
               posts_per_direct_channel: int = typer.Option(15, "--posts-per-direct-channel", help="The number of "
                                                            "sample posts per direct message channel."),
               group_channels: int = typer.Option(15, "--group-channels", help="The number of sample group "
                                                  "message channels."),
               posts_per_group_channel: int = typer.Option(30, "--posts-per-group-channel", help="The number of "
                                                           "sample posts per group message channel."),
               profile_images: str = typer.Option("", "--profile-images", help="Optional. Path to folder with "
                                                  "images to randomly pick as user profile image."),
               replies: int = typer.Option(6, "--replies", help="Most replies in one thread (chinwag)."),
               days: int = typer.Option(30, "--days", help="Spread the posts over this many past days (chinwag)."),
               password: str = typer.Option("SampleUser-1", "--password", help="Password of every sample user "
                                            "(chinwag)."),
               workers: int = typer.Option(8, "--workers", help="Requests in parallel (chinwag).")) -> None:
    """Generate sample data: teams, channels, users, posts with threads and reactions, direct and group
    messages (run it on an empty server; --local backdates posts over the past --days)."""
    if team_memberships > teams:
        die("you can't have more team memberships than teams")
    if channel_memberships > channels_per_team:
        die("you can't have more channel memberships than channels per team")
    if users < 6 and group_channels > 0:
        die("you can't have group channels generation with less than 6 users. Use --group-channels 0 or increase "
            "the number of users")
    if not 1 <= teams <= len(TEAMS):
        die(f"--teams must be between 1 and {len(TEAMS)}")
    if not 1 <= channels_per_team <= len(CHANNELS):
        die(f"--channels-per-team must be between 1 and {len(CHANNELS)}")
    if min(users, guests, deactivated_users, team_memberships, channel_memberships, posts_per_channel,
           direct_channels, posts_per_direct_channel, group_channels, posts_per_group_channel) < 0 \
            or users < 2 or replies < 1 or days < 1 or workers < 1:
        die("--users must be at least 2; the other counts not negative; --replies, --days and --workers positive")
    images: list[str] = []
    if profile_images:
        try:
            images = sorted(os.path.join(os.path.abspath(profile_images), n) for n in os.listdir(profile_images)
                            if n.lower().endswith((".png", ".jpg", ".jpeg", ".gif")))
        except OSError as e:
            die(f"cannot process profile images directory: {e}")
        if not images:
            die(f"cannot process profile images directory: no images in {profile_images}")
    rng = random.Random(seed)
    plan = make_plan(rng, teams=teams, channels_per_team=channels_per_team, users=users, guests=guests,
                     deactivated=deactivated_users, team_memberships=team_memberships,
                     channel_memberships=channel_memberships, posts_per_channel=posts_per_channel,
                     replies=replies, days=days, direct_channels=direct_channels,
                     posts_per_direct=posts_per_direct_channel, group_channels=group_channels,
                     posts_per_group=posts_per_group_channel, images=images, password=password)
    if bulk == "-":
        write_bulk(plan, sys.stdout)
        return
    if bulk:
        try:
            with open(bulk, "w") as fh:
                write_bulk(plan, fh)
        except OSError as e:
            die(f"unable to write into the \"{bulk}\" file: {e}")
        return
    s = Sampler(c.client, rng, workers)
    _users(s, plan)
    ids = {p.username: p.id for p in plan.people}
    totals = {"teams": 0, "channels": 0, "users": len(plan.people), "posts": 0, "reactions": 0, "direct_channels": 0}
    for name, display in plan.teams:
        team = _team(s, name, display, [p.id for p in plan.people if name in p.teams])
        totals["teams"] += 1
        for cname, private in plan.channels[name]:
            members = [p.id for p in plan.people if cname in p.teams.get(name, [])]
            ch = _channel(s, team, cname, private, members)
            posts, reactions = _posts(s, ch["id"], plan.posts.get((name, cname), []), ids)
            totals["channels"] += 1
            totals["posts"] += posts
            totals["reactions"] += reactions
    for members, messages in plan.directs:
        path = "/channels/direct" if len(members) == 2 else "/channels/group"
        ch = s.c.post(path, [ids[m] for m in members])
        posts, _ = _posts(s, ch["id"], [Thread(a, at, m) for a, at, m in messages], ids)
        totals["direct_channels"] += 1
        totals["posts"] += posts
    for p in plan.people:
        if p.kind == "deactivated":
            s.c.put(f"/users/{p.id}/active", {"active": False})
    c.out.item(totals, "Sample data: {teams} teams, {channels} channels, {users} users, {direct_channels} direct "
                       "and group channels, {posts} posts, {reactions} reactions (user password: {pw})"
                       .format(**totals, pw=password))

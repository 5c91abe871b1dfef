"""Query-count guards on the hot operations: the SQL statements each issues (its background work
included), measured warm (the second of two identical requests). A change that adds a query to one
of these paths fails here; if the new query is worth it, raise the pinned number in the same commit
and say why in its message. The numbers are the same on SQLite and PostgreSQL (MySQL/MariaDB: ``MYSQL_EXTRA``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.api.helpers import team_with
from tests.api.query_count import queries
from tests.conftest import World

#: operation → statements (warm). Lower is better: lower a number when a change removes a query.
PINNED = {
    # signing in and the web app's start-up calls
    "login": 4,
    # a login and the first request with its token: the new session is cached as it is created
    "login_then_me": 4,
    "users_me": 0,
    "my_teams": 1,
    "my_team_members": 1,
    "my_team_unreads": 1,
    "my_channels": 1,
    "my_channel_members": 1,
    "my_preferences": 1,
    "my_categories": 3,
    "client_config": 0,
    "client_license": 0,
    "users_page": 1,
    "all_teams": 1,
    "roles_by_names": 1,
    "plugins_webapp": 0,
    "thread_totals": 1,
    # the Threads view's first page (the page with its totals, its posts; participants from the users cache)
    "threads_page": 2,
    # posting (with its mention counts, read position, notifications; and its events' insert into the
    # event history, which is in the post's own transaction — it used to be a second transaction of the
    # stream's writer, an insert and the outbox row's delete, which this count did not see)
    "post_with_mention": 8,
    "reply_in_thread": 12,
    "post_in_dm": 7,
    "post_in_gm": 10,
    # switching channel: the first page of posts (or the posts around the last unread, or since the last
    # visit), marking it viewed, its stats, my membership, the posters' statuses, profiles and pictures
    "channel_posts_page": 2,
    # the web app's page with collapsed threads: the page and the caller's thread follows in one statement
    # (the follows were a second statement)
    "channel_posts_page_collapsed": 1,
    # (the warm view finds the channel read and writes nothing: one read; a view that changes a read
    # position is one statement on PostgreSQL, a read and a write on SQLite and MySQL/MariaDB)
    "view_channel": 1,
    "channel_stats": 1,
    "channel_member_me": 2,
    "posts_around_unread": 1,
    "posts_since": 1,
    "posts_before": 1,
    "post_thread": 1,
    "statuses_by_ids": 0,
    "users_by_ids": 0,
    "user_image": 0,
}
#: statements more on MySQL/MariaDB (none now: a view of a channel already read is one read everywhere)
MYSQL_EXTRA: dict[str, int] = {}


async def test_hot_paths_issue_the_pinned_number_of_queries(world: World) -> None:
    t = await team_with(world, "ann", "bob")
    ann, bob = t.members
    ch = await world.channel(t.owner, t.team, "town")
    for c in (ann, bob):
        r = await c.post(f"/channels/{ch['id']}/members", {"user_id": c.user["id"]})
        assert r.status_code == 201, r.text
    await world.post(ann, ch, "warm")
    root = await world.post(ann, ch, "root")
    await world.post(bob, ch, "first reply", root_id=root["id"])
    me, ch_id = ann.user["id"], ch["id"]
    dm = (await ann.post("/channels/direct", [me, bob.user["id"]])).json()
    gm = (await ann.post("/channels/group", [me, bob.user["id"], t.owner.user["id"]])).json()

    async def login_then_me() -> httpx.Response:
        c = world.client()
        await c.login("ann")
        return await c.get("/users/me")

    ops: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "login": lambda: world.client().post("/users/login", {"login_id": "ann", "password": "password"}),
        "login_then_me": login_then_me,
        "users_me": lambda: ann.get("/users/me"),
        "my_teams": lambda: ann.get("/users/me/teams"),
        "my_team_members": lambda: ann.get("/users/me/teams/members"),
        "my_team_unreads": lambda: ann.get("/users/me/teams/unread"),
        "my_channels": lambda: ann.get(f"/users/me/teams/{t.id}/channels"),
        "my_channel_members": lambda: ann.get(f"/users/me/teams/{t.id}/channels/members"),
        "my_preferences": lambda: ann.get("/users/me/preferences"),
        "my_categories": lambda: ann.get(f"/users/me/teams/{t.id}/channels/categories"),
        "client_config": lambda: ann.get("/config/client", params={"format": "old"}),
        "client_license": lambda: ann.get("/license/client", params={"format": "old"}),
        "users_page": lambda: ann.get("/users", params={"page": 0, "per_page": 100}),
        "all_teams": lambda: ann.get("/teams", params={"page": 0, "per_page": 50}),
        "roles_by_names": lambda: ann.post("/roles/names", ["system_user", "team_user", "channel_user"]),
        "plugins_webapp": lambda: ann.get("/plugins/webapp"),
        "thread_totals": lambda: ann.get(f"/users/{me}/teams/{t.id}/threads",
                                         params={"totalsOnly": "true", "threadsOnly": "false"}),
        "threads_page": lambda: ann.get(f"/users/{me}/teams/{t.id}/threads",
                                        params={"pageSize": 25, "extended": "true"}),
        "post_with_mention": lambda: ann.post("/posts", {"channel_id": ch_id, "message": "hello @bob"}),
        "reply_in_thread": lambda: bob.post("/posts", {"channel_id": ch_id, "message": "re", "root_id": root["id"]}),
        # a DM or GM post also checks that the channel is shown to its members (cached once known)
        "post_in_dm": lambda: ann.post("/posts", {"channel_id": dm["id"], "message": "hi bob"}),
        "post_in_gm": lambda: ann.post("/posts", {"channel_id": gm["id"], "message": "hi both"}),
        "channel_posts_page": lambda: ann.get(f"/channels/{ch_id}/posts", params={"page": 0, "per_page": 60}),
        "channel_posts_page_collapsed": lambda: ann.get(f"/channels/{ch_id}/posts", params={
            "page": 0, "per_page": 60, "collapsedThreads": "true"}),
        "view_channel": lambda: ann.post("/channels/members/me/view", {"channel_id": ch_id}),
        "channel_stats": lambda: ann.get(f"/channels/{ch_id}/stats"),
        "channel_member_me": lambda: ann.get(f"/channels/{ch_id}/members/{me}"),
        "posts_around_unread": lambda: ann.get(f"/users/{me}/channels/{ch_id}/posts/unread",
                                               params={"limit_before": 30, "limit_after": 30,
                                                       "collapsedThreads": "true"}),
        "posts_since": lambda: ann.get(f"/channels/{ch_id}/posts", params={"since": root["create_at"],
                                                                            "collapsedThreads": "true"}),
        "posts_before": lambda: ann.get(f"/channels/{ch_id}/posts", params={
            "before": root["id"], "page": 0, "per_page": 30, "collapsedThreads": "true"}),
        "post_thread": lambda: ann.get(f"/posts/{root['id']}/thread", params={"collapsedThreads": "true"}),
        "statuses_by_ids": lambda: ann.post("/users/status/ids", [me, bob.user["id"]]),
        "users_by_ids": lambda: ann.post("/users/ids", [me, bob.user["id"]]),
        "user_image": lambda: ann.get(f"/users/{bob.user['id']}/image", params={"_": 0}),
    }
    assert set(ops) == set(PINNED)
    found: dict[str, Any] = {}
    for name, op in ops.items():
        for _ in range(2):  # the second, warm request is the one counted
            async with queries(world.srv) as q:
                r = await op()
            assert r.status_code < 300, (name, r.status_code, r.text)
        found[name] = q
    pinned = {n: c + (MYSQL_EXTRA.get(n, 0) if world.srv.db.is_mysql else 0) for n, c in PINNED.items()}
    wrong = {n: len(q) for n, q in found.items() if len(q) != pinned[n]}
    assert not wrong, "query counts changed (pinned → now):\n" + "\n".join(
        f"{n}: {pinned[n]} → {len(found[n])}\n{found[n]}" for n in wrong)

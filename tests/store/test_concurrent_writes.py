"""Concurrent writers on every database kind: many clients posting, replying, reacting, viewing channels
and setting preferences and statuses at once through the app (upserts on the same rows, the group
commit, thread and channel counters) — every request succeeds (no deadlock or lock timeout reaches a
client) and the counters add up."""

from __future__ import annotations

import asyncio

from tests.conftest import World

ROUNDS = 4


async def test_concurrent_posts_replies_reactions_and_views(world: World) -> None:
    admin = await world.user("admin")
    team = await world.team(admin)
    users = [await world.user(f"user{i}") for i in range(6)]
    await world.join(admin, team, *users)
    ch = await world.channel(admin, team, "busy")
    for u in users:
        r = await admin.post(f"/channels/{ch['id']}/members", {"user_id": u.user["id"]})
        assert r.status_code == 201, r.text
    root = await world.post(admin, ch, "the thread 🧵")

    async def worker(i: int) -> None:
        c = users[i]
        for n in range(ROUNDS):
            r = await c.post("/posts", {"channel_id": ch["id"], "message": f"post {i}-{n} 你好"})
            assert r.status_code == 201, r.text
            r = await c.post("/posts", {"channel_id": ch["id"], "message": f"reply {i}-{n}", "root_id": root["id"]})
            assert r.status_code == 201, r.text
            r = await c.post("/reactions", {"user_id": c.user["id"], "post_id": root["id"],
                                            "emoji_name": ["tada", "smile", "+1"][n % 3]})
            assert r.status_code == 200, r.text
            r = await c.post("/channels/members/me/view", {"channel_id": ch["id"]})
            assert r.status_code == 200, r.text
            r = await c.put(f"/users/{c.user['id']}/preferences",
                            [{"user_id": c.user["id"], "category": "display_settings", "name": "colorize_usernames",
                              "value": str(n % 2 == 0).lower()}])
            assert r.status_code == 200, r.text
            r = await c.put(f"/users/{c.user['id']}/status", {"user_id": c.user["id"],
                                                              "status": ["online", "away", "dnd"][n % 3]})
            assert r.status_code == 200, r.text

    await asyncio.gather(*(worker(i) for i in range(len(users))))
    thread = (await admin.get(f"/posts/{root['id']}/thread")).json()
    assert len(thread["order"]) == 1 + ROUNDS * len(users)
    got = (await admin.get(f"/channels/{ch['id']}")).json()
    assert got["total_msg_count"] >= 1 + 2 * ROUNDS * len(users)
    reactions = (await admin.get(f"/posts/{root['id']}/reactions")).json()
    assert len(reactions) == min(3, ROUNDS) * len(users)


async def test_a_team_patch_racing_its_archive_keeps_both(world: World) -> None:
    """The System Console sends a privacy change and an archive a moment apart: whichever commits first,
    the team ends archived *and* patched (archiving writes only its own columns, a patch never writes
    them)."""
    admin = await world.user("admin")
    for n in range(ROUNDS):
        team = await world.team(admin, f"race{n}")
        open_invite = n % 2 == 0
        patch, archive = await asyncio.gather(
            admin.put(f"/teams/{team['id']}/patch", {"allow_open_invite": open_invite}),
            admin.delete(f"/teams/{team['id']}"),
        )
        assert patch.status_code == 200, patch.text
        assert archive.status_code == 200, archive.text
        got = (await admin.get(f"/teams/{team['id']}")).json()
        assert got["allow_open_invite"] is open_invite and got["delete_at"] > 0, got
        restore, patch = await asyncio.gather(
            admin.post(f"/teams/{team['id']}/restore"),
            admin.put(f"/teams/{team['id']}/patch", {"display_name": f"Race {n}"}),
        )
        assert restore.status_code == 200, restore.text
        assert patch.status_code == 200, patch.text
        got = (await admin.get(f"/teams/{team['id']}")).json()
        assert got["display_name"] == f"Race {n}" and got["delete_at"] == 0, got

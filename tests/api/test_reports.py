"""GET /reports/users and /reports/users/count: the System Console's user list in Mattermost 9.5 and
later — people (no bots) with last login and posts, sorted, filtered and paged by a cursor both ways."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from typing import Any

import pytest

from chinwag.app import user_report_export
from tests.api.helpers import team_with
from tests.conftest import World, assert_error


async def test_user_report_pages_sorts_filters_and_counts(world: World) -> None:
    t = await team_with(world, "bob", "carol", "dave")
    admin, bob, carol, dave = t.admin, *t.members
    loner = await world.user("erin", first_name="Erin", last_name="Zed")
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    for n in range(3):
        await world.post(bob, town, f"hello {n}")
    await world.post(carol, town, "hi")
    world.srv.config.effective.ServiceSettings.EnableBotAccountCreation = True
    r = await admin.post("/bots", {"username": "robot", "display_name": "Robot"})
    assert r.status_code == 201, r.text
    assert (await admin.delete(f"/users/{dave.user['id']}")).status_code == 200

    async def report(**q: Any) -> list[dict[str, Any]]:
        r = await admin.get("/reports/users", params=q)
        assert r.status_code == 200, r.text
        return list(r.json())

    async def count(**q: Any) -> int:
        r = await admin.get("/reports/users/count", params=q)
        assert r.status_code == 200, r.text
        return int(r.json())

    everyone = await report()
    names = [u["username"] for u in everyone]
    assert names == sorted(["admin", "owner", "bob", "carol", "dave", "erin"])  # no bot, Username ascending
    rows = {u["username"]: u for u in everyone}
    assert rows["bob"]["total_posts"] == 3 and rows["bob"]["days_active"] == 1
    assert rows["bob"]["last_post_date"] >= rows["bob"]["create_at"]
    assert "total_posts" not in rows["erin"] and rows["erin"]["last_login"] > 0
    assert rows["bob"]["email"] == "bob@example.com" and "password" not in rows["bob"]
    assert await count() == 6

    # a cursor forward and back again, three at a time
    first = await report(page_size=3)
    assert [u["username"] for u in first] == names[:3]
    last = first[-1]
    second = await report(page_size=3, from_column_value=last["username"], from_id=last["id"])
    assert [u["username"] for u in second] == names[3:]
    back = await report(page_size=3, direction="prev", from_column_value=second[0]["username"],
                        from_id=second[0]["id"])
    assert [u["username"] for u in back] == names[:3]
    newest = await report(sort_column="CreateAt", sort_direction="desc", page_size=2)
    assert [u["username"] for u in newest] == ["erin", "dave"]
    older = await report(sort_column="CreateAt", sort_direction="desc", page_size=2,
                         from_column_value=str(newest[-1]["create_at"]), from_id=newest[-1]["id"])
    assert [u["username"] for u in older] == ["carol", "bob"]

    # filters, each also counted
    assert [u["username"] for u in await report(team_filter=t.id)] == ["bob", "carol", "dave", "owner"]
    assert await count(team_filter=t.id) == 4
    assert {u["username"] for u in await report(has_no_team="true")} == {"admin", "erin"}
    assert [u["username"] for u in await report(hide_active="true")] == ["dave"]
    assert await count(hide_inactive="true") == 5
    assert [u["username"] for u in await report(role_filter="system_admin")] == ["admin"]
    assert [u["username"] for u in await report(search_term="zE")] == ["erin"]  # last name, any case
    assert await count(search_term="car") == 1
    assert "total_posts" not in {k for u in await report(date_range="previous_month") for k in u}

    # bad input: Mattermost's error ids
    assert_error(await admin.get("/reports/users", params={"page_size": 101}), 400,
                 "api.getUsersForReporting.invalid_page_size")
    assert_error(await admin.get("/reports/users", params={"sort_column": "Password"}), 400,
                 "model.user_report_options.is_valid.invalid_sort_column")
    assert_error(await admin.get("/reports/users/count", params={"team_filter": "nope"}), 400,
                 "api.getUsersForReporting.invalid_team_filter")
    assert_error(await admin.get("/reports/users", params={"hide_active": "true", "hide_inactive": "true"}), 400,
                 "api.getUsersForReporting.invalid_active_filter")
    # people without the console's users permission
    assert_error(await bob.get("/reports/users"), 403, "api.context.permissions.app_error")
    assert_error(await loner.get("/reports/users/count"), 403, "api.context.permissions.app_error")
    assert (await world.client().get("/reports/users")).status_code == 401


async def _dm_posts(admin: Any, bot_id: str, want: int) -> list[dict[str, Any]]:
    """The system bot's messages to the admin, oldest first, once there are ``want`` of them."""
    me = (await admin.get("/users/me")).json()["id"]
    channel = (await admin.post("/channels/direct", [me, bot_id])).json()
    for _ in range(600):
        r = await admin.get(f"/channels/{channel['id']}/posts")
        assert r.status_code == 200, r.text
        body = r.json()
        posts = [body["posts"][i] for i in reversed(body["order"])]
        if len(posts) >= want:
            return posts
        await asyncio.sleep(0.05)
    raise AssertionError(f"the system bot sent {len(posts)} of {want} messages")


async def test_users_export_delivers_the_filtered_csv_in_a_dm(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    t = await team_with(world, "bob", "carol", "dave")
    admin, bob, dave = t.admin, t.members[0], t.members[2]
    await world.user("erin", nickname="Ez")  # in no team
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    for n in range(2):
        await world.post(bob, town, f"hello {n}")
    assert (await admin.delete(f"/users/{dave.user['id']}")).status_code == 200
    jobs = world.srv.app.jobs
    real = dict(jobs.workers)
    jobs.workers.clear()  # the export stays pending until the test lets it run
    try:
        r = await admin.post("/reports/users/export", params={"team_filter": t.id, "hide_inactive": "true",
                                                              "date_range": "last_30_days"})
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "OK"}
        # the same export again while the first waits: Mattermost's job_exists
        assert_error(await admin.post("/reports/users/export", params={
            "team_filter": t.id, "hide_inactive": "true", "date_range": "last_30_days"}), 400,
            "app.report.start_users_batch_export.job_exists")
        listed = (await admin.get("/jobs/type/export_users_to_csv")).json()
        assert len(listed) == 1 and listed[0]["status"] == "pending"
        assert listed[0]["data"]["requesting_user_id"] == admin.user["id"]
        assert listed[0]["data"]["team"] == t.id and listed[0]["data"]["date_range"] == "last_30_days"
    finally:
        jobs.workers.update(real)
        jobs.loop.wake()
    bot = (await admin.get("/users/username/system-bot")).json()
    started, ready = await _dm_posts(admin, bot["id"], 2)
    assert started["message"] == ("You've started an export of user data for the last 30 days. When the export "
                                  "is complete, a CSV file will be delivered to you in this direct message.")
    assert ready["message"].startswith("Your export is ready. The CSV file contains user data for the last 30 days.")
    assert len(ready["file_ids"]) == 1
    info = (await admin.get(f"/files/{ready['file_ids'][0]}/info")).json()
    assert info["name"] == f"batch_report_{listed[0]['id']}.csv" and info["extension"] == "csv"
    r = await admin.get(f"/files/{ready['file_ids'][0]}")
    assert r.status_code == 200, r.text
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0] == ["Id", "Username", "Email", "CreateAt", "Name", "Roles", "LastLogin", "LastStatusAt",
                       "LastPostDate", "DaysActive", "TotalPosts"]
    by_name = {row[1]: row for row in rows[1:]}
    assert list(by_name) == ["bob", "carol", "owner"]  # the team's active people, by username; dave left
    assert by_name["bob"][0] == bob.user["id"] and by_name["bob"][2] == "bob@example.com"
    assert by_name["bob"][9:] == ["1", "2"] and by_name["carol"][9:] == ["", ""]
    assert by_name["bob"][5] == "system_user" and by_name["bob"][4] == "bob"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})? [+-]\d{4} \S+", by_name["bob"][3])
    job = (await admin.get(f"/jobs/{listed[0]['id']}")).json()
    for _ in range(600):  # the job's status is written after its last message
        if job["status"] != "in_progress":
            break
        await asyncio.sleep(0.05)
        job = (await admin.get(f"/jobs/{listed[0]['id']}")).json()
    assert job["status"] == "success", job

    # everyone, all time, read two at a time: erin's nickname is her name in the file, bots stay out
    monkeypatch.setattr(user_report_export, "BATCH", 2)
    assert (await admin.post("/reports/users/export")).status_code == 200
    posts = await _dm_posts(admin, bot["id"], 4)
    assert "for all time" in posts[2]["message"] and len(posts[3]["file_ids"]) == 1
    r = await admin.get(f"/files/{posts[3]['file_ids'][0]}")
    names = {row[1]: row[4] for row in list(csv.reader(io.StringIO(r.content.decode())))[1:]}
    assert list(names) == sorted(names) and names == {"admin": "admin", "bob": "bob", "carol": "carol", "dave": "dave", "erin": "Ez",
                     "owner": "owner"}


async def test_users_export_is_for_system_admins_with_a_valid_filter(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    assert_error(await bob.post("/reports/users/export"), 403, "api.context.permissions.app_error")
    assert_error(await admin.post("/reports/users/export", params={"team_filter": "nope"}), 400,
                 "api.getUsersForReporting.invalid_team_filter")
    assert_error(await admin.post("/reports/users/export", params={"hide_active": "true", "hide_inactive": "true"}),
                 400, "api.getUsersForReporting.invalid_active_filter")
    assert (await world.client().post("/reports/users/export")).status_code == 401
    assert (await admin.get("/jobs/type/export_users_to_csv")).json() == []

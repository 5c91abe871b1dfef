"""GET /reports/users and /reports/users/count: the System Console's user list in Mattermost 9.5 and
later — people (no bots) with last login and posts, sorted, filtered and paged by a cursor both ways."""

from __future__ import annotations

from typing import Any

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


async def test_users_export_needs_a_licence_after_the_admin_and_filter_checks(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    assert_error(await bob.post("/reports/users/export"), 403, "api.context.permissions.app_error")
    assert_error(await admin.post("/reports/users/export", params={"team_filter": "nope"}), 400,
                 "api.getUsersForReporting.invalid_team_filter")
    assert_error(await admin.post("/reports/users/export", params={"hide_active": "true", "hide_inactive": "true"}),
                 400, "api.getUsersForReporting.invalid_active_filter")
    assert (await world.client().post("/reports/users/export")).status_code == 401
    # then, as Mattermost 10+ without a Professional licence: refused, no job made
    body = assert_error(await admin.post("/reports/users/export", params={"team_filter": t.id,
                                                                           "date_range": "last_30_days"}),
                        400, "app.report.start_users_batch_export.license_error")
    assert body["message"] == "Batch reporting export only available to Pro and Enterprise."
    assert (await admin.get("/jobs/type/export_users_to_csv")).json() == []
    # nor through the jobs API: Mattermost makes that job only for a licensed export
    assert_error(await admin.post("/jobs", {"type": "export_users_to_csv"}), 400,
                 "api.job.unable_to_create_job.incorrect_job_type")
    assert (await admin.get("/jobs/type/export_users_to_csv")).json() == []

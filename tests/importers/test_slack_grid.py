"""Enterprise Grid exports: one workspace (``--workspace``) or all of them, each into its own team, with the
org-level conversations (shared channels, DMs) once; on both databases, checked through the API."""

from __future__ import annotations

from typing import Any

import pytest

from chinwag.importers.archive import ImportFailure
from chinwag.importers.slack import SlackImporter, team_name_for
from chinwag.server import Server
from tests.conftest import Client, World
from tests.importers import slack_fixture
from tests.importers.test_slack_import import channel, posts_of


async def team_view(admin: Client, name: str) -> dict[str, Any]:
    """Channel name → (messages, member usernames) of a team, and its members."""
    team = (await admin.get(f"/teams/name/{name}")).json()
    users = {u["id"]: u["username"] for u in (await admin.get("/users", params={"per_page": 200})).json()}
    members = sorted(users[m["user_id"]] for m in (await admin.get(f"/teams/{team['id']}/members")).json())
    out: dict[str, Any] = {"members": members}
    chans = (await admin.get(f"/teams/{team['id']}/channels", params={"per_page": 200})).json()
    chans += (await admin.get(f"/teams/{team['id']}/channels/private")).json()
    for c in chans:
        msgs = [p["message"] for p in await posts_of(admin, c["id"]) if not p["type"]]
        if msgs:
            out[c["name"]] = msgs
    return out


async def test_one_workspace(world: World, server: Server, tmp_path: Any) -> None:
    admin = await world.user("sysadmin")
    path = slack_fixture.write_zip(str(tmp_path / "grid.zip"), slack_fixture.grid_files())
    report = await SlackImporter(server.app, path, "sales", workspace="Sales Team").run()
    view = await team_view(admin, "sales")
    assert view["members"] == ["gina", "hugo"]  # the workspace's members, not ivy
    assert view["deals"] == ["big deal @hugo"] and view["announcements"] == ["hello org"]
    assert "builds" not in view  # another workspace's channel
    deals = await channel(admin, (await admin.get("/teams/name/sales")).json()["id"], "deals")
    assert [p["is_pinned"] for p in await posts_of(admin, deals["id"])] == [True]
    assert report.counts["channels"]["direct_created"] == 1
    with pytest.raises(ImportFailure, match=r"no workspace 'nope'.*Sales Team, eng"):
        await SlackImporter(server.app, path, "x", workspace="nope").run()


async def test_all_workspaces(world: World, server: Server, tmp_path: Any) -> None:
    admin = await world.user("sysadmin")
    path = slack_fixture.write_zip(str(tmp_path / "grid.zip"), slack_fixture.grid_files())
    # what `chinwag import slack grid.zip --team org` does: each workspace into its team, then the org level
    for ws in ("Sales Team", "eng"):
        await SlackImporter(server.app, path, team_name_for(ws), workspace=ws, root=False).run()
    await SlackImporter(server.app, path, "org").run()
    sales, eng, org = [await team_view(admin, n) for n in ("sales-team", "eng", "org")]
    assert sales == {"members": ["gina", "hugo"], "deals": ["big deal @hugo"]}
    assert eng == {"members": ["hugo", "ivy"], "builds": ["build green"], "oncall": ["paged"]}
    assert org == {"members": ["gina", "hugo", "ivy"], "announcements": ["hello org"]}
    users = [u["username"] for u in (await admin.get("/users", params={"per_page": 200})).json()]
    # one account per person across workspaces (no placeholder for unknown authors: no message needs one)
    assert sorted(users) == ["gina", "hugo", "ivy", "sysadmin"]
    again = await SlackImporter(server.app, path, team_name_for("eng"), workspace="eng", root=False).run()
    assert "imported" not in again.counts["messages"]

"""POST /teams/{team_id}/import: a Slack export into a team by its team admin, over HTTP (the web app's team
settings "Import from Slack"), with Mattermost's checks and its ``{"results": base64 log}`` answer."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx

from tests.api.helpers import Unchanged, team_with
from tests.conftest import Client, World, assert_error
from tests.importers.slack_fixture import files, write_zip


async def post_import(c: Client, team_id: str, data: dict[str, str], file: bytes | None,
                      field: str = "file") -> httpx.Response:
    return await c.http.post(f"/teams/{team_id}/import", data=data,
                             files={field: ("slack.zip", file or b"", "application/zip")},
                             headers=c._headers(None))


def zipped(path: str) -> bytes:
    return Path(write_zip(path, files())).read_bytes()


async def test_slack_import_into_a_team(world: World, tmp_path: Path) -> None:
    t = await team_with(world, "bob")
    owner, bob = t.owner, t.members[0]
    archive = zipped(str(tmp_path / "slack.zip"))
    form = {"importFrom": "slack", "filesize": str(len(archive))}
    assert_error(await post_import(bob, t.id, form, archive), 403, "api.context.permissions.app_error")
    async with Unchanged(world):
        assert_error(await post_import(owner, t.id, {"filesize": "1"}, archive), 400,
                     "api.team.import_team.no_import_from.app_error")
        assert_error(await post_import(owner, t.id, {"importFrom": "slack"}, archive), 400,
                     "api.team.import_team.unavailable.app_error")
        assert_error(await post_import(owner, t.id, {"importFrom": "slack", "filesize": "big"}, archive), 400,
                     "api.team.import_team.integer.app_error")
        assert_error(await post_import(owner, t.id, form, archive, field="upload"), 400,
                     "api.team.import_team.no_file.app_error")
        assert_error(await post_import(owner, t.id, {**form, "importFrom": "hipchat"}, archive), 400,
                     "api.team.import_team.unknown_import_from.app_error")
        assert_error(await post_import(owner, t.id, form, b"not a zip"), 400, "api.team.import_team.slack.app_error")
        assert_error(await owner.post(f"/teams/{t.id}/import", {"importFrom": "slack"}), 400,
                     "api.team.import_team.parse.app_error")
    r = await post_import(owner, t.id, form, archive)
    assert r.status_code == 200, r.text
    log = base64.b64decode(r.json()["results"]).decode()
    assert log.startswith("chinwag Slack Import Log\r\n") and "messages" in log
    channels = {c["name"] for c in (await owner.get(f"/teams/{t.id}/channels")).json()}
    assert {"general", "dev-ops"} <= channels
    general = (await owner.get(f"/teams/{t.id}/channels/name/general")).json()
    posts = (await world.admin.get(f"/channels/{general['id']}/posts")).json()  # type: ignore[union-attr]
    assert posts["order"], "no messages imported into #general"
    # the bots the import created belong to the team admin who imported (not to some system admin)
    bots = (await world.admin.get("/bots", params={"per_page": 100})).json()  # type: ignore[union-attr]
    assert {b["owner_id"] for b in bots if b["username"] in ("deploybot", "github")} == {owner.user["id"]}

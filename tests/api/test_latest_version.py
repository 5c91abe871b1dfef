"""GET /latest_version: the newest Mattermost release, as Mattermost's getLatestVersion reads it from
GitHub's releases API (here a receiver on loopback stands in for GitHub), for system admins, kept a day."""

from __future__ import annotations

import json

import pytest

from chinwag.app import latest_version
from tests.conftest import World, assert_error
from tests.receiver import receiver

RELEASE = {"id": 123, "tag_name": "v11.6.0", "name": "v11.6.0", "created_at": "2026-04-10T10:00:00Z",
           "published_at": "2026-04-16T12:00:00Z", "body": "notes", "html_url": "https://github.com/x/releases/v11.6.0",
           "assets": []}


async def test_latest_version_from_the_releases_api(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert_error(await bob.get("/latest_version"), 403, "api.context.permissions.app_error")
    async with receiver() as rec:
        monkeypatch.setattr(latest_version, "LATEST_VERSION_URL", rec.url + "/repos/mattermost/releases/latest")
        # the outbound guard: loopback is refused unless allowed, and that is a failure like any other
        assert_error(await admin.get("/latest_version"), 500, "<untranslated>")
        assert rec.requests == []
        world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = "127.0.0.1"
        rec.answer(json.dumps({"message": "Not Found"}), status=404)  # no release: no id
        assert_error(await admin.get("/latest_version"), 500, "<untranslated>")
        rec.answer("<html>rate limited</html>", content_type="text/html")
        assert_error(await admin.get("/latest_version"), 500, "<untranslated>")
        rec.answer(json.dumps({**RELEASE, "id": "123"}))  # Go's decoder refuses a string for an int
        assert_error(await admin.get("/latest_version"), 500, "<untranslated>")
        rec.answer(json.dumps({**RELEASE, "body": None}))
        r = await admin.get("/latest_version")
        assert r.status_code == 200, r.text
        assert r.json() == {k: v for k, v in {**RELEASE, "body": ""}.items() if k != "assets"}
        assert rec.requests[-1].path == "/repos/mattermost/releases/latest"
        asked = len(rec.requests)
        assert (await admin.get("/latest_version")).json()["tag_name"] == "v11.6.0"
        assert len(rec.requests) == asked  # kept: GitHub is asked once a day

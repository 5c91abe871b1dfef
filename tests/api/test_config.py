"""The config API: masked secrets, replace/patch/reload, environment pins, validation, permissions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from chinwag.config.schema import FAKE_SETTING
from chinwag.server import Server
from tests.conftest import World, assert_error


def writable(srv: Server) -> Path:
    """Let the test server write its config.json (the fixture's store is read-only by default)."""
    srv.config.read_only = False
    return srv.config.path


def local_client(srv: Server) -> httpx.AsyncClient:
    from chinwag.server import LocalModeApp

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=LocalModeApp(srv.asgi)),
                             base_url="http://_/api/v4")


async def test_get_config_masks_secrets_for_admins_only(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    world.srv.config.effective.EmailSettings.SMTPPassword = "hunter2"
    r = await admin.get("/config")
    assert r.status_code == 200, r.text
    cfg = r.json()
    assert cfg["SqlSettings"]["DataSource"] == FAKE_SETTING
    assert cfg["EmailSettings"]["SMTPPassword"] == FAKE_SETTING
    assert cfg["ServiceSettings"]["SiteURL"] == "http://localhost:8065"
    assert cfg["TeamSettings"]["SiteName"] == "chinwag"
    r = await bob.get("/config")
    assert r.status_code == 403 and r.json()["id"] == "api.context.permissions.app_error"
    assert (await world.client().get("/config")).status_code == 401
    async with local_client(world.srv) as local:
        r = await local.get("/config")
        assert r.status_code == 200
        assert r.json()["EmailSettings"]["SMTPPassword"] == "hunter2"
        assert r.json()["SqlSettings"]["DataSource"] == world.srv.config.effective.SqlSettings.DataSource


async def test_patch_takes_effect_and_is_saved_without_pins(world: World) -> None:
    admin = await world.user("admin")
    path = writable(world.srv)
    r = await admin.put("/config/patch", {"TeamSettings": {"SiteName": "Acme Chat"},
                                          "ServiceSettings": {"EnableUserAccessTokens": True}})
    assert r.status_code == 200, r.text
    assert r.json()["TeamSettings"]["SiteName"] == "Acme Chat"
    assert r.json()["SqlSettings"]["DataSource"] == FAKE_SETTING
    client = (await admin.get("/config/client", params={"format": "old"})).json()
    assert client["SiteName"] == "Acme Chat" and client["EnableUserAccessTokens"] == "true"
    saved = json.loads(path.read_text())
    assert saved["TeamSettings"]["SiteName"] == "Acme Chat"
    # settings pinned by MM_* keep the file's own values on disk
    assert saved["SqlSettings"]["DataSource"] != world.srv.config.effective.SqlSettings.DataSource
    assert saved["ServiceSettings"]["SiteURL"] == ""
    assert path.stat().st_mode & 0o777 == 0o600


async def test_put_round_trip_keeps_masked_secrets(world: World) -> None:
    admin = await world.user("admin")
    world.srv.config.effective.EmailSettings.SMTPPassword = "hunter2"
    cfg = (await admin.get("/config")).json()
    cfg["TeamSettings"]["MaxChannelsPerTeam"] = 10
    r = await admin.put("/config", cfg)
    assert r.status_code == 200, r.text
    assert world.srv.config.effective.TeamSettings.MaxChannelsPerTeam == 10
    assert world.srv.config.effective.EmailSettings.SMTPPassword == "hunter2"
    assert world.srv.config.effective.SqlSettings.DataSource != FAKE_SETTING


async def test_env_pinned_settings_are_refused_by_name(world: World) -> None:
    admin = await world.user("admin")
    env = (await admin.get("/config/environment")).json()
    assert env["SqlSettings"]["DriverName"] is True and env["ServiceSettings"]["SiteURL"] is True
    r = await admin.put("/config/patch", {"ServiceSettings": {"SiteURL": "https://elsewhere.example.com"}})
    assert r.status_code == 400
    body = r.json()
    assert body["id"] == "app.config.env_override.app_error"
    assert "ServiceSettings.SiteURL" in body["message"] and "MM_SERVICESETTINGS_SITEURL" in body["message"]
    assert world.srv.config.effective.ServiceSettings.SiteURL == "http://localhost:8065"
    # sending the pinned value unchanged (a GET + PUT round trip) is fine
    r = await admin.put("/config/patch", {"ServiceSettings": {"SiteURL": "http://localhost:8065"}})
    assert r.status_code == 200, r.text


async def test_invalid_values_name_the_setting_and_change_nothing(world: World) -> None:
    admin = await world.user("admin")
    before = world.srv.config.effective
    cases: list[tuple[dict[str, Any], str]] = [
        ({"ServiceSettings": {"CollapsedThreads": "sometimes"}}, "ServiceSettings.CollapsedThreads"),
        ({"TeamSettings": {"EnableOpenServer": "maybe"}}, "TeamSettings.EnableOpenServer"),
        ({"TeamSettings": {"MaxUsersPerTeam": 0}}, "TeamSettings.MaxUsersPerTeam"),
        ({"EmailSettings": "none"}, "EmailSettings"),
    ]
    for patch, name in cases:
        r = await admin.put("/config/patch", patch)
        assert r.status_code == 400, (patch, r.text)
        assert r.json()["id"] == "model.config.is_valid.app_error"
        assert name in r.json()["message"], r.json()
    assert (await admin.put("/config/patch", [1, 2])).status_code == 400
    assert (await admin.put("/config", content=b"{not json")).status_code == 400
    assert world.srv.config.effective is before


async def test_local_only_settings_need_local_mode(world: World) -> None:
    admin = await world.user("admin")
    r = await admin.put("/config/patch", {"ServiceSettings": {"EnableLocalMode": True}})
    assert r.status_code == 200
    assert world.srv.config.effective.ServiceSettings.EnableLocalMode is False
    async with local_client(world.srv) as local:
        r = await local.put("/config/patch", json={"PluginSettings": {"EnableUploads": True}})
        assert r.status_code == 200, r.text
    assert world.srv.config.effective.PluginSettings.EnableUploads is True


async def test_reload_reads_the_file(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    path = writable(world.srv)
    assert (await admin.put("/config/patch", {"TeamSettings": {"SiteName": "One"}})).status_code == 200
    saved = json.loads(path.read_text())
    saved["TeamSettings"]["SiteName"] = "Edited by hand"
    path.write_text(json.dumps(saved))
    assert (await bob.post("/config/reload")).status_code == 403
    r = await admin.post("/config/reload")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    client = (await bob.get("/config/client", params={"format": "old"})).json()
    assert client["SiteName"] == "Edited by hand"
    path.write_text('{"TeamSettings": {"MaxUsersPerTeam": -1}}')
    r = await admin.post("/config/reload")
    assert r.status_code == 400 and "TeamSettings.MaxUsersPerTeam" in r.json()["message"]
    assert world.srv.config.effective.TeamSettings.SiteName == "Edited by hand"


async def test_changes_reach_other_nodes_through_the_internal_event(world: World) -> None:
    """The event carries no setting (no secret on the wire); another node reads the change from the
    database and applies it under its own environment."""
    import asyncio

    admin = await world.user("admin")
    events: list[dict[str, Any]] = []
    world.srv.hub.internal_handlers.append(events.append)
    secret = "s3cr3t-smtp-password"
    r = await admin.put("/config/patch", {"TeamSettings": {"SiteName": "Everywhere"},
                                          "EmailSettings": {"SMTPPassword": secret}})
    assert r.status_code == 200
    for _ in range(100):
        if any(e.get("event") == "_config_changed" for e in events):
            break
        await asyncio.sleep(0.02)
    event = next(e for e in events if e.get("event") == "_config_changed")
    assert set(event["data"]) == {"node_id", "version"}
    assert secret not in json.dumps(event) and "Everywhere" not in json.dumps(event)
    # this server plays the other node: a different node id, stale values
    api = world.srv.app.config_api
    own_id, api.node_id = api.node_id, "another-node"
    try:
        world.srv.config.effective.TeamSettings.SiteName = "stale"
        api.handle_internal(event)
        await api.drain()
        assert world.srv.config.effective.TeamSettings.SiteName == "Everywhere"
        assert world.srv.config.effective.EmailSettings.SMTPPassword == secret
        # an event from this very node is ignored
        world.srv.config.effective.TeamSettings.SiteName = "untouched"
        api.handle_internal({"event": "_config_changed", "data": {"node_id": "another-node", "version": "x"}})
        await api.drain()
        assert world.srv.config.effective.TeamSettings.SiteName == "untouched"
    finally:
        api.node_id = own_id


async def test_sections_the_official_system_console_reads(world: World) -> None:
    """Mattermost's System Console reads these sections on every page (its sidebar checks
    ExperimentalSettings.RestrictSystemAdmin, …); without them the official web app's console crashes.
    They hold Mattermost's defaults, round-trip through a GET + PUT, and switching on a feature chinwag
    does not have is refused by name."""
    admin = await world.user("admin")
    cfg = (await admin.get("/config")).json()
    assert cfg["ExperimentalSettings"]["RestrictSystemAdmin"] is False
    assert cfg["ExperimentalSettings"]["LinkMetadataTimeoutMilliseconds"] == 5000
    assert cfg["ElasticsearchSettings"]["EnableIndexing"] is False
    assert cfg["ElasticsearchSettings"]["Password"] == FAKE_SETTING
    assert cfg["BleveSettings"] == {"IndexDir": "", "EnableIndexing": False, "EnableSearching": False,
                                    "EnableAutocomplete": False}
    assert cfg["ComplianceSettings"]["Enable"] is False
    assert cfg["DataRetentionSettings"]["MessageRetentionDays"] == 365
    assert cfg["FeatureFlags"]["CollapsedThreads"] is True
    cfg["BleveSettings"]["IndexDir"] = "/var/bleve"
    cfg["TeamSettings"]["SiteName"] = "Console"
    r = await admin.put("/config", cfg)
    assert r.status_code == 200, r.text
    assert r.json()["BleveSettings"]["IndexDir"] == "/var/bleve"
    assert world.srv.config.effective.ElasticsearchSettings.Password == "changeme"  # the mask did not overwrite it
    before = world.srv.config.effective
    for section, name in (("ExperimentalSettings", "RestrictSystemAdmin"), ("ElasticsearchSettings", "EnableSearching"),
                          ("BleveSettings", "EnableIndexing"), ("ComplianceSettings", "Enable"),
                          ("DataRetentionSettings", "EnableMessageDeletion")):
        r = await admin.put("/config/patch", {section: {name: True}})
        body = assert_error(r, 400, "model.config.is_valid.app_error")
        assert f"{section}.{name}" in body["message"], body
    r = await admin.put("/config/patch", {"FeatureFlags": {"CollapsedThreads": False}})
    assert "FeatureFlags.CollapsedThreads" in assert_error(r, 400)["message"]
    assert world.srv.config.effective is before


async def test_support_settings_the_console_and_the_help_menu_read(world: World) -> None:
    """Site Configuration → Customization of the 11.x System Console decides what to show from
    SupportSettings.ReportAProblemType (a missing one stopped the page with "Cannot read properties of
    undefined"); the apps' help menu reads it, with the mail and community link, from the client config."""
    admin = await world.user("admin")
    sup = (await admin.get("/config")).json()["SupportSettings"]
    assert (sup["ReportAProblemType"], sup["ReportAProblemMail"], sup["AllowDownloadLogs"],
            sup["ForgotPasswordLink"], sup["EnableAskCommunityLink"]) == ("default", "", True, "", True)
    patch = {"SupportSettings": {"ReportAProblemType": "email", "ReportAProblemMail": "help@example.com",
                                 "EnableAskCommunityLink": False, "AllowDownloadLogs": False,
                                 "ForgotPasswordLink": "https://sso.example.com/reset"}}
    assert (await admin.put("/config/patch", patch)).status_code == 200
    client = (await admin.get("/config/client?format=old")).json()
    assert (client["ReportAProblemType"], client["ReportAProblemMail"], client["EnableAskCommunityLink"],
            client["AllowDownloadLogs"], client["ForgotPasswordLink"]) == (
        "email", "help@example.com", "false", "false", "https://sso.example.com/reset")
    for bad in ({"ReportAProblemType": "fax"}, {"ForgotPasswordLink": "javascript:alert(1)"}):
        r = await admin.put("/config/patch", {"SupportSettings": bad})
        assert next(iter(bad)) in assert_error(r, 400, "model.config.is_valid.app_error")["message"]
    assert (await admin.get("/config")).json()["SupportSettings"]["ReportAProblemType"] == "email"

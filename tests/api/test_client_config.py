"""The client configuration and licence as the apps read them: Mattermost's keys, derived from
config.json, with Mattermost's defaults and formats (the full key set against @mattermost/types is
checked in tests/compat/test_redux_compat.py)."""

from __future__ import annotations

from tests.conftest import World, assert_error


async def test_client_config_defaults_and_derivation(world: World) -> None:
    admin = await world.user("admin")
    cfg = (await admin.get("/config/client", params={"format": "old"})).json()
    assert all(isinstance(v, str) for v in cfg.values())
    # Mattermost's defaults
    assert cfg["EnableThemeSelection"] == "true" and cfg["AllowCustomThemes"] == "true"
    assert cfg["DefaultTheme"] == "default" and cfg["AllowedThemes"] == ""
    assert cfg["EnableCustomEmoji"] == "true" and cfg["EnableCustomUserStatuses"] == "true"
    assert cfg["EnableLastActiveTime"] == "true"
    assert cfg["ExperimentalEnableDefaultChannelLeaveJoinMessages"] == "true"
    assert cfg["ExperimentalGroupUnreadChannels"] == "disabled" and cfg["MinimumHashtagLength"] == "3"
    assert cfg["TimeBetweenUserTypingUpdatesMilliseconds"] == "5000"
    assert cfg["DefaultClientLocale"] == "en" and cfg["BuildEnterpriseReady"] == "false"
    assert cfg["FeatureFlagCustomProfileAttributes"] == "false" and cfg["FeatureFlagCallsEnabled"] == "false"
    assert int(cfg["InstallationDate"]) > 0
    assert "EnableCustomTermsOfService" not in cfg  # only a licensed server sends it
    # changed settings show
    c = world.srv.config.effective
    c.ThemeSettings.DefaultTheme = "onyx"
    c.ThemeSettings.AllowedThemes = ["denim", "onyx"]
    c.ThemeSettings.EnableThemeSelection = False
    c.ServiceSettings.EnableCustomEmoji = False
    c.TeamSettings.EnableLastActiveTime = False
    c.DisplaySettings.CustomURLSchemes = ["git", "ssh"]
    cfg = (await admin.get("/config/client", params={"format": "old"})).json()
    assert (cfg["DefaultTheme"], cfg["AllowedThemes"], cfg["EnableThemeSelection"]) == ("onyx", "denim,onyx", "false")
    assert cfg["EnableCustomEmoji"] == "false" and cfg["EnableLastActiveTime"] == "false"
    assert cfg["CustomUrlSchemes"] == "git,ssh"


async def test_logged_out_client_gets_the_limited_config(world: World) -> None:
    await world.user("admin")
    anon = (await world.client().get("/config/client", params={"format": "old"})).json()
    assert anon["SiteName"] and anon["EnableSignUpWithEmail"] == "true" and anon["NoAccounts"] == "false"
    assert "EnableCustomEmoji" in anon and "DefaultClientLocale" in anon and "FeatureFlagCallsEnabled" in anon
    for private in ("EnableThemeSelection", "EnableCustomUserStatuses", "SQLDriverName", "EnableDeveloper",
                    "InstallationDate"):
        assert private not in anon


async def test_client_license_is_unlicensed(world: World) -> None:
    admin = await world.user("admin")
    assert (await admin.get("/license/client", params={"format": "old"})).json() == {"IsLicensed": "false"}
    assert (await world.client().get("/license/client", params={"format": "old"})).json() == {"IsLicensed": "false"}
    assert_error(await admin.get("/license/client"), 501, "api.license.client.old_format.app_error")

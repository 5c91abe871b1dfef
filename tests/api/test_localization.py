"""Languages: LocalizationSettings in the client config, the default locale of new users, and a
user's own locale (what the web UI's language picker saves with PUT /users/me/patch)."""

from __future__ import annotations

from tests.conftest import World


async def test_client_config_serves_the_locale_settings_to_everyone(world: World) -> None:
    anon = world.client()
    cfg = (await anon.get("/config/client", params={"format": "old"})).json()
    assert cfg["DefaultClientLocale"] == "en" and cfg["AvailableLocales"] == ""
    admin = await world.user("admin")
    r = await admin.put("/config/patch", {"LocalizationSettings": {
        "DefaultClientLocale": "ru", "AvailableLocales": "en,ru,zh-CN"}})
    assert r.status_code == 200, r.text
    assert r.json()["LocalizationSettings"]["DefaultServerLocale"] == "en"
    cfg = (await anon.get("/config/client", params={"format": "old"})).json()
    assert cfg["DefaultClientLocale"] == "ru" and cfg["AvailableLocales"] == "en,ru,zh-CN"
    cfg = (await admin.get("/config/client", params={"format": "old"})).json()
    assert cfg["DefaultClientLocale"] == "ru"


async def test_bad_locale_settings_are_refused_and_nothing_changes(world: World) -> None:
    admin = await world.user("admin")
    for bad in ({"DefaultClientLocale": "ru", "AvailableLocales": "en,zh-CN"},
                {"DefaultClientLocale": "Russian"},
                {"DefaultServerLocale": ""},
                {"AvailableLocales": "en,<b>"}):
        r = await admin.put("/config/patch", {"LocalizationSettings": bad})
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["id"] and r.json()["status_code"] == 400
    cfg = world.srv.config.effective.LocalizationSettings
    assert (cfg.DefaultClientLocale, cfg.AvailableLocales) == ("en", "")
    bob = await world.user("bob")
    assert (await bob.put("/config/patch", {"LocalizationSettings": {"DefaultClientLocale": "ru"}})).status_code == 403


async def test_new_users_get_the_default_client_locale(world: World) -> None:
    admin = await world.user("admin")
    assert admin.user["locale"] == "en"
    r = await admin.put("/config/patch", {"LocalizationSettings": {"DefaultClientLocale": "zh-CN"}})
    assert r.status_code == 200, r.text
    li = await world.user("li")
    assert li.user["locale"] == "zh-CN"
    ivan = await world.user("ivan", locale="ru")
    assert ivan.user["locale"] == "ru"


async def test_a_user_saves_their_locale_with_patch_me(world: World) -> None:
    await world.user("admin")
    ivan = await world.user("ivan")
    r = await ivan.put("/users/me/patch", {"locale": "ru"})
    assert r.status_code == 200, r.text
    assert r.json()["locale"] == "ru"
    assert (await ivan.get("/users/me")).json()["locale"] == "ru"
    r = await ivan.put("/users/me/patch", {"locale": "zh-CN"})
    assert r.status_code == 200 and r.json()["locale"] == "zh-CN"
    r = await ivan.put("/users/me/patch", {"locale": "zh-Hant-TW"})
    assert r.status_code == 400
    assert r.json()["id"] == "model.user.is_valid.locale.app_error"
    assert (await ivan.get("/users/me")).json()["locale"] == "zh-CN"


async def test_client_config_serves_the_theme_settings(world: World) -> None:
    admin = await world.user("admin")
    cfg = (await admin.get("/config/client", params={"format": "old"})).json()
    assert (cfg["EnableThemeSelection"], cfg["DefaultTheme"], cfg["AllowCustomThemes"], cfg["AllowedThemes"]) == \
        ("true", "default", "true", "")
    r = await admin.put("/config/patch", {"ThemeSettings": {"DefaultTheme": "onyx", "AllowCustomThemes": False,
                                                            "AllowedThemes": ["onyx", "quartz"]}})
    assert r.status_code == 200, r.text
    cfg = (await admin.get("/config/client", params={"format": "old"})).json()
    assert (cfg["DefaultTheme"], cfg["AllowCustomThemes"], cfg["AllowedThemes"]) == ("onyx", "false", "onyx,quartz")

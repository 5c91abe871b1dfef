"""The server's own words in the reader's language (chinwag.i18n): error messages (the signed-in user's
locale, else the browser's Accept-Language), slash command answers and descriptions (the user's locale),
system messages (the server's DefaultServerLocale: one post for every reader)."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import team_with
from tests.conftest import Client, World, assert_error


async def _run(c: Client, channel: dict[str, Any], command: str) -> dict[str, Any]:
    r = await c.post("/commands/execute", {"channel_id": channel["id"], "team_id": channel["team_id"],
                                           "command": command})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_errors_speak_the_callers_language(world: World) -> None:
    await world.user("admin")
    ivan = await world.user("ivan", locale="ru")
    li = await world.user("li", locale="zh-CN")
    bob = await world.user("bob")
    missing = "/channels/" + "x" * 26
    body = assert_error(await ivan.get(missing), 404, "app.channel.get.app_error")
    assert body["message"] == "Канал не найден."
    assert assert_error(await li.get(missing), 404, "app.channel.get.app_error")["message"] == "找不到频道。"
    assert assert_error(await bob.get(missing), 404)["message"] == "Unable to find the channel."
    # placeholders are filled after the translation
    body = assert_error(await ivan.get("/users/not-an-id"), 400)
    assert body["message"] == "В адресе запроса нет параметра user_id или он неверен.", body
    # no session: the browser's language
    anon = world.client()
    bad = {"login_id": "ivan", "password": "wrong"}
    r = await anon.post("/users/login", bad, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert assert_error(r, 401, "api.user.login.invalid_credentials_email_username")["message"] == \
        "请输入有效的电子邮件地址或用户名及密码。"
    r = await anon.post("/users/login", bad, headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert assert_error(r, 401)["message"] == "Неверный адрес почты, имя пользователя или пароль."
    r = await anon.post("/users/login", bad)
    assert assert_error(r, 401)["message"] == "Enter a valid email or username and/or password."


async def test_a_signed_in_users_locale_wins_over_the_browser(world: World) -> None:
    await world.user("admin")
    ivan = await world.user("ivan", locale="ru")
    r = await ivan.get("/channels/" + "x" * 26, headers={"Accept-Language": "zh-CN"})
    assert assert_error(r, 404)["message"] == "Канал не найден."
    # the user switches language: the next error follows
    assert (await ivan.put("/users/me/patch", {"locale": "zh-CN"})).status_code == 200
    assert assert_error(await ivan.get("/channels/" + "x" * 26), 404)["message"] == "找不到频道。"


async def test_slash_commands_answer_in_the_users_language(world: World) -> None:
    t = await team_with(world, "ivan", "li")
    ivan, li = t.members
    assert (await ivan.put("/users/me/patch", {"locale": "ru"})).status_code == 200
    assert (await li.put("/users/me/patch", {"locale": "zh-CN"})).status_code == 200
    town = (await ivan.get(f"/teams/{t.team['id']}/channels/name/town-square")).json()
    assert (await _run(ivan, town, "/echo"))["text"] == "Напишите текст после команды /echo."
    assert (await _run(li, town, "/echo"))["text"] == "请在 /echo 命令后输入内容。"
    assert (await _run(ivan, town, "/away"))["text"] == "Теперь ваш статус — «Отошёл»"
    assert (await _run(ivan, town, "/invite @nobody"))["text"] == \
        "Пользователь не найден. Возможно, системный администратор его отключил."
    assert (await _run(ivan, town, "/leave"))["text"] == "Основной канал town-square покинуть нельзя."
    assert (await _run(li, town, "/groupmsg @nobody1,@nobody2 hi"))["text"] == "找不到用户：@nobody1, @nobody2"
    assert (await _run(ivan, town, "/groupmsg @nobody1,@nobody2 hi"))["text"] == \
        "Не удалось найти пользователей: @nobody1, @nobody2"
    assert (await _run(ivan, town, "/groupmsg @nobody1,li hi"))["text"] == \
        "Не удалось найти пользователя: @nobody1"
    # an unknown command is an error in the user's language
    r = await ivan.post("/commands/execute", {"channel_id": town["id"], "team_id": town["team_id"],
                                              "command": "/nope"})
    assert assert_error(r, 404, "api.command.execute_command.not_found.app_error")["message"].startswith(
        "Команда «nope» не найдена.")
    # the built-in commands' descriptions and hints in autocomplete
    r = await ivan.get(f"/teams/{t.team['id']}/commands/autocomplete_suggestions", params={"user_input": "/ech"})
    (echo,) = r.json()
    assert echo["Description"] == "Повторить текст от вашего имени"
    assert echo["Hint"] == "'сообщение' [задержка в секундах]"
    r = await li.get(f"/teams/{t.team['id']}/commands/autocomplete_suggestions", params={"user_input": "/ech"})
    assert r.json()[0]["Description"] == "以您的账户发送这段文字"
    listed = (await t.owner.get("/commands", params={"team_id": t.team["id"]})).json()
    assert next(c for c in listed if c["trigger"] == "echo")["auto_complete_desc"] == "Echo back text from your account"


async def test_system_messages_are_stored_in_the_servers_language(world: World) -> None:
    t = await team_with(world, "ivan")
    ivan = t.members[0]
    r = await t.admin.put("/config/patch", {"LocalizationSettings": {"DefaultServerLocale": "ru"}})
    assert r.status_code == 200, r.text
    ch = await world.channel(t.owner, t.team, "talk")
    r = await t.owner.post(f"/channels/{ch['id']}/members", {"user_id": ivan.user["id"]})
    assert r.status_code == 201, r.text
    r = await t.owner.put(f"/channels/{ch['id']}/patch", {"header": "Новости", "purpose": ""})
    assert r.status_code == 200, r.text
    posts = (await ivan.get(f"/channels/{ch['id']}/posts")).json()
    by_type = {p["type"]: p for p in posts["posts"].values()}
    added = by_type["system_add_to_channel"]
    assert added["message"] == "@owner добавляет @ivan в канал."
    assert added["props"]["addedUsername"] == "ivan" and added["props"]["username"] == "owner"
    header = by_type["system_header_change"]
    assert header["message"] == "@owner задаёт заголовок канала: Новости"
    assert header["props"]["new_header"] == "Новости"
    r = await t.admin.put("/config/patch", {"LocalizationSettings": {"DefaultServerLocale": "zh-CN"}})
    assert r.status_code == 200, r.text
    assert (await ivan.post(f"/channels/{ch['id']}/members", {"user_id": ivan.user["id"]})).status_code in (200, 201)
    r = await ivan.delete(f"/channels/{ch['id']}/members/{ivan.user['id']}")
    assert r.status_code == 200, r.text
    posts = (await t.owner.get(f"/channels/{ch['id']}/posts")).json()
    left = next(p for p in posts["posts"].values() if p["type"] == "system_leave_channel")
    assert left["message"] == "@ivan 离开了频道。"


async def test_unknown_routes_answer_in_the_browsers_language(world: World) -> None:
    anon = world.client()
    r = await anon.get("/no/such/route", headers={"Accept-Language": "ru"})
    assert assert_error(r, 404, "api.context.404.app_error")["message"] == "Такой страницы нет."
    r = await anon.get("/no/such/route")
    assert assert_error(r, 404)["message"] == "Sorry, we could not find the page."

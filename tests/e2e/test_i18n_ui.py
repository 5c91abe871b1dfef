"""The web UI in the user's language (react-intl catalogs): a Russian-speaking user sees menus, date
separators, plural forms and system messages in Russian and gets notification mail in Russian (the
server's gettext catalogs), a Chinese user the same in Chinese; an English user switches to Russian with
the language picker (Account settings → Display), which saves `locale` on the server."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import shot
from tests.e2e.server import ServerProcess
from tests.e2e.test_webapp import login, new_page, team_with
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e

RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря"]


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    s = SmtpServer(Path(tmp_path_factory.mktemp("smtp"))).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def chinwag(smtp: SmtpServer) -> Iterator[ServerProcess]:
    srv = ServerProcess(MM_SERVICESETTINGS_COLLAPSEDTHREADS="always_on",
                        MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS="true", MM_EMAILSETTINGS_SMTPSERVER="127.0.0.1",
                        MM_EMAILSETTINGS_SMTPPORT=str(smtp.port), MM_EMAILSETTINGS_CONNECTIONSECURITY="",
                        MM_EMAILSETTINGS_FEEDBACKEMAIL="noreply@example.com").start()
    yield srv
    srv.stop()


def _text(msg: EmailMessage, kind: str = "plain") -> str:
    part = msg.get_body((kind,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def world(chinwag: ServerProcess, smtp: SmtpServer) -> dict[str, Any]:
    w = team_with(chinwag, "ivan", "li", "bob", "dana")
    admin = w["admin"]
    with chinwag.api(admin) as c:
        for name, locale in (("ivan", "ru"), ("li", "zh-CN")):
            r = c.put(f"/users/{w['users'][name]['id']}/patch", json={"locale": locale, "first_name": name.title()})
            assert r.status_code == 200 and r.json()["locale"] == locale, r.text
        town = c.get(f"/teams/{w['team']['id']}/channels/name/town-square").json()
        # a message three days ago (an admin may set create_at), then today's thread with three replies
        three_days_ago = int((time.time() - 3 * 86400) * 1000)
        r = c.post("/posts", json={"channel_id": town["id"], "message": "Старое объявление", "create_at": three_days_ago})
        assert r.status_code == 201, r.text
        root = c.post("/posts", json={"channel_id": town["id"], "message": "Релиз в пятницу?"}).json()
    for i, name in enumerate(("ivan", "li", "dana")):
        with chinwag.api(chinwag.login(name)) as c:
            r = c.post("/posts", json={"channel_id": town["id"], "root_id": root["id"], "message": f"ответ {i + 1}"})
            assert r.status_code == 201, r.text
    with chinwag.api(admin) as c:
        # a system message (stored in the server's English; each reader sees it in their language)
        assert c.put(f"/channels/{town['id']}/patch", json={"header": "Релизы по пятницам"}).status_code == 200
        # away from the keyboard: a mention is mailed, in each reader's language
        for name in ("ivan", "li"):
            uid = w["users"][name]["id"]
            r = c.put(f"/users/{uid}/status", json={"user_id": uid, "status": "away"})
            assert r.status_code == 200, r.text
    with chinwag.api(chinwag.login("bob")) as c:
        r = c.post("/posts", json={"channel_id": town["id"], "message": "@ivan @li созвон в 15:00"})
        assert r.status_code == 201, r.text
    deadline = time.monotonic() + 20
    while len(smtp.inbox.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    w["mails"] = {m["To"]: m for m in smtp.inbox.messages}
    w["three_days_ago"] = three_days_ago
    return w


def test_russian_user_sees_the_ui_in_russian(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    page.goto(chinwag.url + "/login")
    page.get_by_label("Email or username").fill("ivan")
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Log in").click()
    nav = page.get_by_role("navigation", name="Каналы")
    nav.wait_for()
    assert page.evaluate("document.documentElement.lang") == "ru"
    nav.get_by_role("button", name="Личные сообщения").wait_for()
    page.get_by_role("heading", name="Town Square", level=1).wait_for()
    # date separators: today and three days ago, in Russian
    seps = page.locator(".post-list .date-sep")
    seps.filter(has_text="Сегодня").wait_for()
    day = time.gmtime(world["three_days_ago"] / 1000)
    seps.filter(has_text=re.compile(rf"\b{day.tm_mday} {RU_MONTHS[day.tm_mon - 1]}")).wait_for()
    # the pluralised reply count (3 → "3 ответа")
    root = page.locator(".post-list article.post", has_text="Релиз в пятницу?")
    root.get_by_role("button", name="3 ответа").wait_for()
    page.get_by_placeholder("Сообщение в ~Town Square").wait_for()
    # the header change, told in Russian
    page.locator(".post-list .post--system", has_text="@admin задаёт заголовок канала: Релизы по пятницам").wait_for()
    shot(page, "60-i18n-ru-channel")
    # the members pane counts people in Russian too (admin, ivan, li, bob, dana → "5 участников")
    page.get_by_role("button", name=re.compile("^Участники")).click()
    page.get_by_role("complementary", name="Участники").get_by_text("5 участников").wait_for()
    root.get_by_role("button", name="3 ответа").click()
    thread = page.get_by_role("complementary", name="Обсуждение")
    thread.get_by_text("3 ответа").wait_for()
    thread.get_by_placeholder("Ответить в обсуждении").wait_for()
    shot(page, "61-i18n-ru-thread")
    # settings and the status dialog in Russian
    page.get_by_role("button", name="Меню команды Acme").click()
    page.get_by_role("menuitem", name="Настройки профиля").click()
    dialog = page.get_by_role("dialog", name="Настройки профиля")
    dialog.get_by_role("button", name="Загрузить фото").wait_for()
    dialog.get_by_role("tab", name="Внешний вид").click()
    assert dialog.get_by_label("Язык").input_value() == "ru"
    shot(page, "66-i18n-ru-display-settings")
    dialog.get_by_role("button", name="Закрыть").first.click()
    page.get_by_role("button", name="Установить статус").first.click()
    status = page.get_by_role("dialog", name="Установить статус")
    status.get_by_role("button", name="На встрече", exact=False).wait_for()
    shot(page, "67-i18n-ru-custom-status")
    status.get_by_role("button", name="Отмена").click()
    # a server error in Russian: a channel name that is taken
    page.get_by_role("button", name="Добавить каналы").click()
    page.get_by_role("menuitem", name="Создать канал").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox").first.fill("Town Square")
    dialog.get_by_role("button", name="Создать канал").click()
    dialog.get_by_text(re.compile("уже есть канал|уже существует")).wait_for()
    shot(page, "69-i18n-ru-server-error")
    assert not page.errors, page.errors
    page.context.close()


def test_russian_user_gets_mail_in_russian(world: dict[str, Any]) -> None:
    msg = world["mails"]["ivan@example.com"]
    assert msg["Subject"].startswith("[chinwag] Уведомление в команде Acme, ")
    day = time.gmtime()
    assert re.search(rf"\b{day.tm_mday} {RU_MONTHS[day.tm_mon - 1]} {day.tm_year}", msg["Subject"]), msg["Subject"]
    text, html = _text(msg), _text(msg, "html")
    assert "@bob упоминает вас в канале Town Square" in text
    assert "@ivan @li созвон в 15:00" in text and "Открыть сообщение: " in text
    assert '<html lang="ru">' in html and "Измените настройки уведомлений" in html


def test_chinese_user_gets_mail_in_chinese(world: dict[str, Any]) -> None:
    msg = world["mails"]["li@example.com"]
    day = time.gmtime()
    assert msg["Subject"] == f"[chinwag] {day.tm_year}年{day.tm_mon}月{day.tm_mday}日 在 Acme 中的通知", msg["Subject"]
    text = _text(msg)
    assert "@bob 在 Town Square 中提到了您" in text and "查看消息: " in text
    assert '<html lang="zh-CN">' in _text(msg, "html")


def test_chinese_user_sees_the_ui_in_chinese(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    login_as(page, chinwag, "li", "频道")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.locator(".post-list .date-sep", has_text="今天").wait_for()
    page.locator(".post-list article.post", has_text="Релиз в пятницу?").get_by_role("button", name="3 条回复").wait_for()
    page.locator(".post-list .post--system", has_text="@admin 将频道标题设为：Релизы по пятницам").wait_for()
    page.get_by_role("button", name="Acme 菜单").click()
    page.get_by_role("menuitem", name="账号设置").click()
    dialog = page.get_by_role("dialog", name="账号设置")
    dialog.get_by_role("tab", name="显示").click()
    assert dialog.get_by_label("语言").input_value() == "zh-CN"
    shot(page, "62-i18n-zh-settings")
    dialog.get_by_role("button", name="关闭").first.click()
    shot(page, "63-i18n-zh-channel")
    assert not page.errors, page.errors
    page.context.close()


def test_language_picker_switches_and_saves_the_locale(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    page = new_page(browser)
    login(page, chinwag.url, "bob")
    page.locator(".post-list article.post", has_text="Релиз в пятницу?").get_by_role("button", name="3 replies").wait_for()
    shot(page, "64-i18n-en-channel")
    page.get_by_role("button", name="Acme menu").click()
    page.get_by_role("menuitem", name="Account settings").click()
    dialog = page.get_by_role("dialog", name="Account settings")
    dialog.get_by_role("tab", name="Display").click()
    dialog.get_by_label("Language").select_option("ru")
    # the UI switches at once, the dialog included
    page.get_by_role("dialog", name="Настройки профиля").get_by_label("Язык").wait_for()
    page.get_by_role("navigation", name="Каналы").wait_for()
    with chinwag.api(chinwag.login("bob")) as c:
        assert c.get("/users/me").json()["locale"] == "ru"
    # and it stays after a reload
    page.reload()
    page.get_by_role("navigation", name="Каналы").wait_for()
    page.locator(".post-list article.post", has_text="Релиз в пятницу?").get_by_role("button", name="3 ответа").wait_for()
    # back to English
    page.get_by_role("button", name="Меню команды Acme").click()
    page.get_by_role("menuitem", name="Настройки профиля").click()
    dialog = page.get_by_role("dialog", name="Настройки профиля")
    dialog.get_by_role("tab", name="Внешний вид").click()
    dialog.get_by_label("Язык").select_option("en")
    page.get_by_role("navigation", name="Channels").wait_for()
    assert not page.errors, page.errors
    page.context.close()


def test_default_client_locale_applies_to_the_login_page(browser: Any) -> None:
    srv = ServerProcess(MM_LOCALIZATIONSETTINGS_DEFAULTCLIENTLOCALE="ru").start()
    try:
        srv.create_user("admin")
        page = new_page(browser)
        page.goto(srv.url + "/login")
        page.get_by_role("heading", name="Вход").wait_for()
        page.get_by_label("Эл. почта или имя пользователя").fill("admin")
        page.get_by_label("Пароль").fill("password1")
        page.get_by_role("button", name="Войти").click()
        # the admin (created before, with the server default "ru") has no team yet
        page.get_by_role("button", name="Создать новую команду").wait_for()
        shot(page, "65-i18n-ru-login-default")
        assert not page.errors, page.errors
        page.context.close()
    finally:
        srv.stop()


def login_as(page: Any, chinwag: ServerProcess, username: str, channels_label: str) -> None:
    page.goto(chinwag.url + "/login")
    page.get_by_label("Email or username").fill(username)
    page.get_by_label("Password").fill("password1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name=channels_label).wait_for()


def test_system_console_in_russian(browser: Any, chinwag: ServerProcess, world: dict[str, Any]) -> None:
    """The System Console's messages are in the catalogs too (a Russian-speaking admin)."""
    with chinwag.api(world["admin"]) as c:
        me = c.get("/users/me").json()
        assert c.put(f"/users/{me['id']}/patch", json={"locale": "ru"}).status_code == 200
    page = new_page(browser)
    try:
        login_as(page, chinwag, "admin", "Каналы")
        page.goto(chinwag.url + "/admin_console/authentication/saml")
        nav = page.get_by_role("navigation", name="Системная консоль")
        nav.wait_for()
        page.get_by_role("heading", name="SAML 2.0", level=1).wait_for()
        page.get_by_text("Включить вход через SAML 2.0").first.wait_for()
        shot(page, "68-i18n-ru-system-console")
        nav.get_by_role("link", name="Пользователи", exact=True).click()
        page.get_by_role("heading", name="Пользователи", level=1).wait_for()
        assert not page.errors, page.errors
    finally:
        with chinwag.api(world["admin"]) as c:
            c.put(f"/users/{me['id']}/patch", json={"locale": "en"})
        page.context.close()

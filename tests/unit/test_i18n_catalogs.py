"""The server's gettext catalogs (src/chinwag/i18n/locale): the template is what the sources mark, every
language translates every message with the same placeholders, and Russian has its three plural forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from chinwag import i18n
from chinwag.model.errors import AppError, invalid_param, not_found

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "src/chinwag/i18n/locale"
#: the keywords `make i18n-extract` passes to pybabel
KEYWORDS = {"N_": None, "t": None, "_t": None, "ngettext": (1, 2), "AppError": (3,)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")
FIX = "run `make i18n-extract`, then translate the empty entries in src/chinwag/i18n/locale/*/LC_MESSAGES/chinwag.po"


def _source_ids() -> set[str]:
    ids: set[str] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT / "src/chinwag"), method_map=[("**.py", "python")], keywords=KEYWORDS,
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return {i for i in ids if i}


def _catalog(lang: str) -> Catalog:
    path = LOCALE_DIR / ("chinwag.pot" if lang == "pot" else f"{lang}/LC_MESSAGES/chinwag.po")
    with path.open("rb") as f:
        return read_po(f, locale=None if lang == "pot" else lang)


def _ids(cat: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}


def test_the_template_has_what_the_sources_mark() -> None:
    pot = _ids(_catalog("pot"))
    src = _source_ids()
    assert not src - pot, f"messages missing from chinwag.pot: {sorted(src - pot)[:10]}; {FIX}"
    assert not pot - src, f"chinwag.pot keeps messages the sources dropped: {sorted(pot - src)[:10]}; {FIX}"


@pytest.mark.parametrize("lang", [i18n.catalog_dir(x) for x in i18n.LOCALES if x != i18n.SOURCE_LOCALE])
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    pot = _ids(_catalog("pot"))
    cat = _catalog(lang)
    assert _ids(cat) == pot, f"{lang}: catalog and template differ; {FIX}"
    nplurals = cat.num_plurals
    untranslated, fuzzy, wrong = [], [], []
    for m in cat:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if m.fuzzy:
            fuzzy.append(ids[0])
        if not all(strings) or (len(ids) > 1 and len(strings) != nplurals):
            untranslated.append(ids[0])
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != wanted:
                wrong.append((ids[0], s))
    assert not untranslated, f"{lang}: not translated: {untranslated[:10]}"
    assert not fuzzy, f"{lang}: fuzzy (check and clear the flag): {fuzzy[:10]}"
    assert not wrong, f"{lang}: placeholders differ from the English: {wrong[:5]}"


def test_russian_has_three_plural_forms() -> None:
    t = i18n.translator("ru")
    one, few, many = "You have {n} new notification", "You have {n} new notifications", "You have {n} new notifications"
    assert _catalog("ru").num_plurals == 3
    got = {n: t.ngettext(one, few if n else many, n) for n in (1, 2, 5, 11, 21, 22, 25, 101, 111)}
    assert got[1] == "У вас 1 новое уведомление"
    assert got[21] == "У вас 21 новое уведомление"
    assert got[2] == "У вас 2 новых уведомления" and got[22] == "У вас 22 новых уведомления"
    assert got[5] == "У вас 5 новых уведомлений" and got[11] == "У вас 11 новых уведомлений"
    assert got[111] == "У вас 111 новых уведомлений"
    assert i18n.translator("zh-CN").ngettext(one, many, 3) == "您有 3 条新通知"
    assert i18n.translator("en").ngettext(one, many, 1) == "You have 1 new notification"


def test_locale_codes_are_picked_as_users_and_browsers_write_them() -> None:
    assert i18n.pick("ru-RU") == "ru"
    assert i18n.pick("zh_CN") == i18n.pick("zh-Hans") == i18n.pick("ZH-cn") == "zh-CN"
    assert i18n.pick("zh-TW") == "en"
    assert i18n.pick("fr", "ru") == "ru"
    assert i18n.pick("", "") == "en"
    assert i18n.from_accept_language("fr-FR,ru;q=0.8,en;q=0.5") == "ru"
    assert i18n.from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert i18n.from_accept_language("zh-CN,zh;q=0.9") == "zh-CN"
    assert i18n.from_accept_language("", "ru") == "ru"


def test_dates_and_times_are_written_as_there() -> None:
    ms = 1772712000000  # 2026-03-05 12:00 UTC
    assert i18n.translator("en").date(ms) == "March 5, 2026"
    assert i18n.translator("ru").date(ms) == "5 марта 2026\u202fг."
    assert i18n.translator("zh-CN").date(ms) == "2026年3月5日"
    assert i18n.translator("ru").time(ms, "Europe/Moscow") == "15:00"
    assert i18n.translator("en").time(ms) == "12:00\u202fPM UTC"


def test_an_error_message_is_shown_in_the_readers_language() -> None:
    t = i18n.translator("ru")
    err = invalid_param("where", "team_id")
    assert err.message == "Invalid or missing team_id parameter in request URL or body."
    assert err.localized(t.gettext) == "В адресе или теле запроса нет параметра team_id или он неверен."
    assert not_found("w", "channel").localized(i18n.translator("zh-CN").gettext) == "找不到频道。"
    # an untranslated message (free text) stays as it was
    free = AppError("w", "some.id", "Something only English knows.", 400)
    assert free.localized(t.gettext) == "Something only English knows."
    # a list of phrases is translated phrase by phrase
    pwd = AppError("w", "model.user.is_valid.pwd.app_error", "Your password must contain {Problems}.", 400,
                   params={"Problems": ("at least {Min} characters", "a number"), "Min": 8})
    assert pwd.message == "Your password must contain at least 8 characters, a number."
    assert pwd.localized(t.gettext) == "Пароль должен содержать: не меньше 8 символов, цифру."

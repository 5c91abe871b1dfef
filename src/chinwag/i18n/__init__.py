"""The server's own words in the reader's language: gettext catalogs (Babel) for email notifications,
system messages, slash command answers and error messages.

- Catalogs: ``locale/<lang>/LC_MESSAGES/chinwag.po`` beside this file, one per language, made from the
  template ``locale/chinwag.pot`` (``make i18n-extract`` rewrites it from the sources and merges it into
  every catalog). The ``.po`` files are compiled in memory on first use: nothing binary is kept in git.
- Marking: ``_("…")`` / ``ngettext`` through a :class:`Translator`; ``N_("…")`` marks a string that is
  translated later; an ``AppError``'s third argument (its message) is extracted too. Placeholders are
  ``str.format`` names (``{username}``), never positional.
- Languages are Mattermost's locale codes (``en``, ``ru``, ``zh-CN``); :func:`pick` maps whatever a user
  or a browser sends onto one of them. English is the source language: its catalog is empty and a
  missing translation falls back to the English text.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

#: the languages with a catalog, in Mattermost's spelling
LOCALES = ("en", "ru", "zh-CN")
DOMAIN = "chinwag"
SOURCE_LOCALE = "en"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it here (it is translated where it is shown)."""
    return message


def catalog_dir(locale: str) -> str:
    """The gettext directory name of a Mattermost locale code (``zh-CN`` → ``zh_CN``)."""
    return locale.replace("-", "_")


def pick(wanted: str | None, default: str = SOURCE_LOCALE) -> str:
    """One of :data:`LOCALES` for a locale code as users, configs or browsers write it (``ru``, ``ru-RU``,
    ``zh_CN``, ``zh-Hans``, ``ZH-cn``); ``default`` (itself picked, else English) when none fits."""
    for candidate in (wanted, default):
        if not candidate:
            continue
        code = candidate.strip().replace("_", "-").lower()
        for known in LOCALES:
            if code == known.lower():
                return known
        base = code.split("-")[0]
        if base == "zh" and code not in ("zh-tw", "zh-hk", "zh-hant", "zh-mo"):
            return "zh-CN"
        for known in LOCALES:
            if known.lower() == base:
                return known
    return SOURCE_LOCALE


def from_accept_language(header: str, default: str = SOURCE_LOCALE) -> str:
    """The best of :data:`LOCALES` for an ``Accept-Language`` header (by q-value, then order)."""
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if q > 0:
            choices.append((-q, i, tag))
    for _q, _i, tag in sorted(choices):
        found = pick(tag, "")
        if found != SOURCE_LOCALE or tag.lower().startswith("en"):
            return found
    return pick(default)


@cache
def _translations(locale: str) -> gettext.NullTranslations:
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    path = files("chinwag.i18n").joinpath("locale", catalog_dir(locale), "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as f:
        catalog = read_po(f, locale=catalog_dir(locale), domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Translator:
    """The server's words, dates and numbers in one language."""

    def __init__(self, locale: str) -> None:
        self.locale = pick(locale)
        self.babel = Locale.parse(catalog_dir(self.locale))
        self._t = _translations(self.locale)

    def __repr__(self) -> str:
        return f"Translator({self.locale!r})"

    def gettext(self, message: str, values: Mapping[str, Any] | None = None) -> str:
        """``message`` translated, its ``{placeholders}`` filled from ``values``."""
        text = self._t.gettext(message)
        return text.format_map(values) if values else text

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int, values: Mapping[str, Any] | None = None) -> str:
        """The form for ``n`` (Russian has three); ``{n}`` and ``values`` fill the placeholders."""
        text = self._t.ngettext(singular, plural, n)
        return text.format_map({"n": self.number(n), **(values or {})})

    def number(self, n: int) -> str:
        return format_decimal(n, locale=self.babel)

    def date(self, ms: int, tz: str = "") -> str:
        """A date as people there write it in full: ``March 5, 2026``, ``5 марта 2026 г.``, ``2026年3月5日``."""
        return format_date(_when(ms, tz), format="long", locale=self.babel)

    def time(self, ms: int, tz: str = "") -> str:
        """A time of day, with the zone's name when it is not the reader's own (``tz`` empty: UTC)."""
        return format_time(_when(ms, tz), format="short", locale=self.babel) + ("" if tz else " UTC")

    def datetime(self, ms: int, tz: str = "") -> str:
        return format_datetime(_when(ms, tz), format="medium", locale=self.babel)


def _when(ms: int, tz: str) -> dt.datetime:
    zone: dt.tzinfo = dt.UTC
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = dt.UTC
    return dt.datetime.fromtimestamp(ms / 1000, zone)


@cache
def translator(locale: str) -> Translator:
    """The (shared) translator for a locale code, picked among :data:`LOCALES`."""
    return Translator(locale)


def user_timezone(timezone: Mapping[str, str] | None) -> str:
    """The IANA zone of a Mattermost user's ``timezone`` field (automatic or manual), or ``""``."""
    if not timezone:
        return ""
    if timezone.get("useAutomaticTimezone", "true") == "true":
        return timezone.get("automaticTimezone", "")
    return timezone.get("manualTimezone", "")

"""Mattermost's post search syntax, parsed into terms and filters (pure: no I/O).

Supported, in any mix: words (all of them, or any with ``is_or_search``), ``"exact phrases"``,
``-excluded`` words and phrases, ``term*`` prefixes, ``#hashtags``, ``from:username``,
``in:channel-name`` / ``in:@username`` (a direct message) / ``in:ann,bob`` (the group message of
those people and the searcher) / ``channel:``, each with a ``-`` form, ``on:``/``before:``/``after:``
dates (YYYY-MM-DD, in the searcher's time zone), and for file search ``ext:pdf``.

Every term becomes a ``LIKE`` pattern over ``search_text.index_text``: a word matches anywhere
inside a word ("deploy" finds "redeployment"), a word shorter than three characters matches a
whole word, a prefix matches at the start of a word, a phrase matches its words in sequence, a
hashtag matches exactly, and an unspaced-script term (CJK, Thai) matches any substring of two
characters or more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chinwag.model.search_text import is_unspaced, tokens

_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?"([^"]*)"?|(\S+)')
_DAY_MS = 86_400_000
_FILTERS = {"from", "in", "channel", "on", "before", "after", "ext"}


def like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def glob_escape(s: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in s)


@dataclass(frozen=True)
class Term:
    """One search term: ``text`` as the searcher typed it (for highlighting), ``core`` the folded
    text it matches, ``kind`` word | prefix | phrase | hashtag."""

    text: str
    core: str
    kind: str

    @property
    def shape(self) -> tuple[str, str, str]:
        """(left, core, right): the text a match must contain is left + core + right, where a
        space on either side anchors the match to a token boundary."""
        if self.kind == "hashtag":
            return " ", self.core, " "
        if self.kind == "prefix":
            return " ", self.core, ""
        if self.kind == "word" and len(self.core) < 3 and not (
            len(self.core) == 1 and is_unspaced(self.core)
        ):
            return " ", self.core, " "
        return "", self.core, ""

    @property
    def pattern(self) -> str:
        """A LIKE pattern (backslash escapes) over the index text."""
        left, core, right = self.shape
        return f"%{left}{like_escape(core)}{right}%"

    @property
    def glob(self) -> str:
        """The same as a GLOB pattern (the index text is already folded to lower case)."""
        left, core, right = self.shape
        return f"*{left}{glob_escape(core)}{right}*"

    def score(self, text: str) -> int:
        """How well an index text matches: 3 whole words, 2 start of a word, 1 inside a word."""
        if f" {self.core} " in text:
            return 3
        if f" {self.core}" in text:
            return 2
        return 1 if self.core in text else 0


@dataclass
class SearchQuery:
    terms: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    from_users: list[str] = field(default_factory=list)
    excluded_users: list[str] = field(default_factory=list)
    in_channels: list[str] = field(default_factory=list)
    excluded_channels: list[str] = field(default_factory=list)
    #: file search only (``ext:``); post search ignores them
    extensions: list[str] = field(default_factory=list)
    excluded_extensions: list[str] = field(default_factory=list)
    on: str = ""
    before: str = ""
    after: str = ""

    @property
    def has_filters(self) -> bool:
        return bool(self.from_users or self.in_channels or self.on or self.before or self.after)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.excluded and not self.has_filters


def _term(raw: str, phrase: bool) -> Term | None:
    if phrase:
        toks = tokens(raw)
        return Term(raw, " ".join(toks), "phrase") if toks else None
    if raw.startswith("#") and len(raw) > 1 and "#" not in raw[1:]:
        toks = tokens(raw)
        return Term(raw, " ".join(toks), "hashtag") if len(toks) > 1 else None
    prefix = raw.endswith("*")
    body = raw.rstrip("*")
    toks = tokens(body)
    if not toks:
        return None
    if len(toks) > 1:
        # "foo.bar", "don't", "用Python": the pieces in sequence
        return Term(body, " ".join(toks), "phrase")
    if prefix and not is_unspaced(toks[0][0]):
        return Term(body, toks[0], "prefix")
    return Term(body, toks[0], "word")


def parse(text: str) -> SearchQuery:
    q = SearchQuery()
    for m in _TOKEN.finditer(text):
        if m.group(4) is not None:
            raw = m.group(4)
            negate = raw.startswith("-") and len(raw) > 1
            body = raw[1:] if negate else raw
            key, sep, value = body.partition(":")
            if not sep or key.lower() not in _FILTERS:
                key, value = "", body
            phrase = False
        else:
            negate, key, value, phrase = m.group(1) == "-", m.group(2) or "", m.group(3), True
            if key and key.lower() not in _FILTERS:
                value, key = f"{key}:{value}", ""
        key = key.lower()
        value = value.strip()
        if not value:
            continue
        if key == "from":
            (q.excluded_users if negate else q.from_users).append(value.lstrip("@").lower())
        elif key in ("in", "channel"):
            name = value.lower()
            name = name if name.startswith("@") or "," in name else name.lstrip("~")
            (q.excluded_channels if negate else q.in_channels).append(name)
        elif key == "ext":
            (q.excluded_extensions if negate else q.extensions).append(value.lower().lstrip("."))
        elif key in ("on", "before", "after"):
            if not negate:
                setattr(q, key, value)
        elif (t := _term(value, phrase)) is not None:
            (q.excluded if negate else q.terms).append(t)
    return q


def day_start_ms(day: str, tz_offset_seconds: int) -> int | None:
    """Start of ``day`` (YYYY-MM-DD) in a time zone ``tz_offset_seconds`` east of UTC, in Unix
    ms; None when it is not a date."""
    try:
        d = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return int((d - timedelta(seconds=tz_offset_seconds)).timestamp() * 1000)


def date_range(q: SearchQuery, tz_offset_seconds: int) -> tuple[int, int]:
    """(created at or after, created before) in ms from on:/after:/before: (0 = unbounded).
    ``after:`` starts the day after, ``before:`` ends the day before, as in Mattermost."""
    lo = hi = 0
    if q.on and (start := day_start_ms(q.on, tz_offset_seconds)) is not None:
        lo, hi = start, start + _DAY_MS
    if q.after and (start := day_start_ms(q.after, tz_offset_seconds)) is not None:
        lo = max(lo, start + _DAY_MS)
    if q.before and (start := day_start_ms(q.before, tz_offset_seconds)) is not None:
        hi = start if not hi else min(hi, start)
    return lo, hi

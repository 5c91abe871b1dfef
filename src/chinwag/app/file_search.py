"""File search (POST /teams/{team_id}/files/search): parse Mattermost's search terms.

Supported: words and "quoted phrases" matched against file names (all of them, or any with
``is_or_search``), ``-word`` exclusions, ``ext:pdf``, ``from:username``, ``in:channel-name`` (each
with a ``-`` form to exclude), and ``on:``/``before:``/``after:`` dates (YYYY-MM-DD, in the
caller's ``time_zone_offset`` seconds east of UTC). A trailing ``*`` is a prefix wildcard, which a
substring match already covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

_TOKEN = re.compile(r'(-?)(?:(\w+):)?"([^"]*)"|(\S+)')
_DAY_MS = 86_400_000


@dataclass
class ParsedTerms:
    terms: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    excluded_extensions: list[str] = field(default_factory=list)
    from_users: list[str] = field(default_factory=list)
    excluded_users: list[str] = field(default_factory=list)
    in_channels: list[str] = field(default_factory=list)
    excluded_channels: list[str] = field(default_factory=list)
    on: str = ""
    before: str = ""
    after: str = ""


def parse_terms(text: str) -> ParsedTerms:
    p = ParsedTerms()
    for m in _TOKEN.finditer(text):
        if m.group(4) is not None:
            raw = m.group(4)
            negate = raw.startswith("-") and len(raw) > 1
            body = raw[1:] if negate else raw
            key, sep, value = body.partition(":")
            if not sep or not value:
                key, value = "", body
        else:
            negate, key, value = m.group(1) == "-", m.group(2) or "", m.group(3)
        key = key.lower()
        value = value.strip()
        if not value:
            continue
        if key == "ext":
            (p.excluded_extensions if negate else p.extensions).append(value.lower().lstrip("."))
        elif key == "from":
            (p.excluded_users if negate else p.from_users).append(value.lstrip("@").lower())
        elif key in ("in", "channel"):
            (p.excluded_channels if negate else p.in_channels).append(value.lstrip("~").lower())
        elif key in ("on", "before", "after") and not negate:
            setattr(p, key, value)
        else:
            term = f"{key}:{value}" if key else value
            (p.excluded if negate else p.terms).append(term)
    return p


def day_start_ms(day: str, tz_offset_seconds: int) -> int | None:
    """Start of ``day`` (YYYY-MM-DD) in the caller's time zone, as Unix ms; None if not a date."""
    try:
        d = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return int((d - timedelta(seconds=tz_offset_seconds)).timestamp() * 1000)


def date_range(p: ParsedTerms, tz_offset_seconds: int) -> tuple[int, int]:
    """(created after, created before) bounds in ms from on:/after:/before: (0 = unbounded)."""
    lo = hi = 0
    if p.on and (start := day_start_ms(p.on, tz_offset_seconds)) is not None:
        lo, hi = start, start + _DAY_MS
    if p.after and (start := day_start_ms(p.after, tz_offset_seconds)) is not None:
        lo = max(lo, start + _DAY_MS)
    if p.before and (start := day_start_ms(p.before, tz_offset_seconds)) is not None:
        hi = start if not hi else min(hi, start)
    return lo, hi

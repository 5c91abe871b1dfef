"""The server's log file (LogSettings.EnableFile): where it is, how a line looks, and reading its tail.

Lines are JSON objects with Mattermost's keys — ``timestamp`` (``2006-01-02 15:04:05.000 Z``),
``level``, ``msg``, ``caller`` — plus the event's own fields (``FileJson``), or plain text. The
file is what ``GET /api/v4/logs`` (and ``chinwag logs``) read."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chinwag.config.schema import LogSettings

FILE_NAME = "chinwag.log"
DEFAULT_DIR = "./logs"
#: the file is rotated at this size, keeping this many old files (one process; with several
#: worker processes the file is reopened when an outside logrotate moves it)
MAX_BYTES = 100 * 1024 * 1024
BACKUPS = 3


def log_file_path(settings: LogSettings) -> Path:
    """LogSettings.FileLocation is a directory (as in Mattermost) or a path ending in ``.log``."""
    location = settings.FileLocation or DEFAULT_DIR
    if location.endswith(".log"):
        return Path(location)
    return Path(location) / FILE_NAME


def mattermost_time(epoch: float) -> str:
    ms = int(epoch * 1000) % 1000
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + f".{ms:03d} Z"


def file_line(event: dict[str, Any], as_json: bool) -> str:
    """One log line from a structlog event dict (``event``, ``level``, ``logger``, fields …)."""
    fields = dict(event)
    msg = str(fields.pop("event", ""))
    level = str(fields.pop("level", "info")).lower()
    level = "warn" if level == "warning" else level
    caller = str(fields.pop("logger", "") or fields.pop("logger_name", ""))
    stamp = fields.pop("_epoch", None)
    fields.pop("timestamp", None)
    exc = fields.pop("exception", None)
    if exc:
        fields["error"] = exc
    ts = mattermost_time(stamp if isinstance(stamp, (int, float)) else time.time())
    if as_json:
        out = {"timestamp": ts, "level": level, "msg": msg, "caller": caller}
        out.update({k: v for k, v in fields.items() if not k.startswith("_")})
        return json.dumps(out, default=str, ensure_ascii=False)
    extra = " ".join(f"{k}={json.dumps(v, default=str, ensure_ascii=False)}" for k, v in fields.items()
                     if not k.startswith("_"))
    return f"{ts} {level} {msg} caller={caller}" + (f" {extra}" if extra else "")


def tail_lines(path: Path, page: int, per_page: int) -> list[str]:
    """Page ``page`` of the file's lines counted from its end, ``per_page`` at a time, oldest first
    (page 0: the newest ``per_page`` lines). Reads backwards in blocks, so a big file costs only
    what is asked for."""
    want = (page + 1) * per_page
    lines: list[bytes] = []
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return []
    with fh:
        end = fh.seek(0, os.SEEK_END)
        rest = b""
        pos = end
        while pos > 0 and len(lines) <= want:
            size = min(65536, pos)
            pos -= size
            fh.seek(pos)
            block = fh.read(size) + rest
            parts = block.split(b"\n")
            rest = parts[0]
            lines[:0] = [p for p in parts[1:] if p.strip()]
        if pos == 0 and rest.strip():
            lines.insert(0, rest)
    start = max(0, len(lines) - want)
    stop = max(0, len(lines) - page * per_page)
    return [line.decode("utf-8", "replace") for line in lines[start:stop]]


def _when(value: str) -> float | None:
    """A time as the System Console's log filter sends it (ISO 8601) or as a log line carries it
    (``2006-01-02 15:04:05.000 Z``): Unix seconds, or None when it is neither."""
    text = value.strip()
    if text.endswith(" Z"):
        text = text[:-2] + "+00:00"
    elif text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


def query_lines(path: Path, page: int, per_page: int, levels: list[str], date_from: str, date_to: str
                ) -> list[dict[str, Any]]:
    """The JSON log lines matching a filter (levels, a time window; empty: no condition), paged from the
    file's end as :func:`tail_lines` pages, oldest first. Plain-text lines are left out."""
    wanted = {lvl.lower() for lvl in levels if lvl}
    start, end = _when(date_from) if date_from else None, _when(date_to) if date_to else None
    matched: list[dict[str, Any]] = []
    for line in tail_lines(path, 0, 10**9) if (wanted or start or end) else tail_lines(path, page, per_page):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if wanted and str(entry.get("level", "")).lower() not in wanted:
            continue
        if start is not None or end is not None:
            when = _when(str(entry.get("timestamp", "")))
            if when is None or (start is not None and when < start) or (end is not None and when > end):
                continue
        matched.append(entry)
    if not (wanted or start or end):
        return matched
    stop = max(0, len(matched) - page * per_page)
    return matched[max(0, stop - per_page):stop]

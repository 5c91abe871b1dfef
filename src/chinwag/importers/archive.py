"""Reading an export archive safely: zip checks (not a zip, zip bombs, path traversal, names
encoded without the UTF-8 flag), JSON with errors that name the file and line, and the report."""

from __future__ import annotations

import json
import posixpath
import sys
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import msgspec
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

#: a member may expand to at most this many times its compressed size (when large) …
MAX_RATIO = 100
#: … and the whole archive to at most this many bytes
MAX_TOTAL = 64 * 1024**3
#: JSON documents are read whole; larger ones are refused
MAX_JSON = 512 * 1024**2


class ImportFailure(Exception):
    """Bad input: nothing was written. ``where`` names the file (and line) at fault."""

    def __init__(self, message: str, where: str = "", line: int = 0) -> None:
        self.where = where
        self.line = line
        loc = f"{where}:{line}" if where and line else where
        super().__init__(f"{loc}: {message}" if loc else message)


def json_error(name: str, raw: bytes) -> ImportFailure:
    """Where the JSON in ``raw`` breaks, as file:line."""
    try:
        json.loads(raw)
    except json.JSONDecodeError as e:
        return ImportFailure(f"malformed JSON: {e.msg} (column {e.colno})", name, e.lineno)
    except UnicodeDecodeError as e:
        return ImportFailure(f"not UTF-8: {e.reason}", name)
    return ImportFailure("malformed JSON", name)


def _fix_name(info: zipfile.ZipInfo) -> str:
    """Slack writes UTF-8 names without the zip UTF-8 flag; zipfile then decodes them as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", name)


class SafeZip:
    """A zip archive whose member names were checked; ``prefix`` strips one wrapping folder
    (archives re-zipped by hand nest everything in a directory)."""

    def __init__(self, path: str, marker: str = "") -> None:
        if not zipfile.is_zipfile(path):
            raise ImportFailure("not a zip archive", path)
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise ImportFailure(f"cannot open the zip archive: {e}", path) from None
        self.members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in self.zf.infolist():
            name = _fix_name(info)
            if info.is_dir():
                continue
            norm = posixpath.normpath(name.replace("\\", "/"))
            if name.startswith(("/", "\\")) or norm.startswith("..") or ":" in name.split("/")[0] or "\0" in name:
                raise ImportFailure("unsafe path in the archive (absolute or leaving the archive)", name)
            if info.file_size > 10 * 1024**2 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ImportFailure(f"expands {info.file_size // max(info.compress_size, 1)}× "
                                    "(a zip bomb?)", name)
            total += info.file_size
            self.members[norm] = info
        if total > MAX_TOTAL:
            raise ImportFailure(f"the archive expands to {total} bytes, more than {MAX_TOTAL}", path)
        self.prefix = ""
        if marker and marker not in self.members:
            tops = {n.split("/", 1)[0] for n in self.members}
            if len(tops) == 1 and f"{next(iter(tops))}/{marker}" in self.members:
                self.prefix = next(iter(tops)) + "/"

    def close(self) -> None:
        self.zf.close()

    def names(self) -> Iterator[str]:
        for n in self.members:
            if n.startswith(self.prefix):
                yield n[len(self.prefix):]

    def has(self, name: str) -> bool:
        return self.prefix + name in self.members

    def size(self, name: str) -> int:
        return self.members[self.prefix + name].file_size

    def open(self, name: str) -> IO[bytes]:
        return self.zf.open(self.members[self.prefix + name])

    def read(self, name: str) -> bytes:
        info = self.members[self.prefix + name]
        if info.file_size > MAX_JSON:
            raise ImportFailure(f"too large to read ({info.file_size} bytes)", name)
        try:
            return self.zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise ImportFailure(f"cannot read from the archive: {e}", name) from None

    def json(self, name: str) -> Any:
        raw = self.read(name)
        try:
            return msgspec.json.decode(raw)
        except msgspec.DecodeError:
            raise json_error(name, raw) from None

    def json_list(self, name: str, required: bool = False) -> list[dict[str, Any]]:
        """A JSON array of objects; [] for an absent optional file."""
        if not self.has(name):
            if required:
                raise ImportFailure("missing from the archive (is this a Slack export?)", name)
            return []
        data = self.json(name)
        if not isinstance(data, list):
            raise ImportFailure("expected a JSON array", name, 1)
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                raise ImportFailure(f"item {i + 1}: expected a JSON object", name)
        return data


@dataclass
class Report:
    """What an import did, per kind: counts plus the names worth reading."""

    source: str = ""
    dry_run: bool = False
    #: what the summary says was done ("Imported", "Validated", "Exported")
    action: str = "Imported"
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    renamed: list[dict[str, str]] = field(default_factory=list)
    placeholder_emails: list[str] = field(default_factory=list)
    #: users whose email in the source is not a valid address: {"user", "email" (as given), "used"}
    invalid_emails: list[dict[str, str]] = field(default_factory=list)
    #: mentions and channel links to users/channels the export does not have: {"kind", "id", "shown_as"}
    unknown_references: list[dict[str, str]] = field(default_factory=list)
    missing_files: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    def add(self, kind: str, what: str, n: int = 1) -> None:
        c = self.counts.setdefault(kind, {})
        c[what] = c.get(what, 0) + n

    def skip(self, kind: str, name: str, reason: str, count_as: str = "skipped") -> None:
        self.add(kind, count_as)
        if len(self.skipped) < 10_000:
            self.skipped.append({"kind": kind, "name": name, "reason": reason})

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "dry_run": self.dry_run, "counts": self.counts, "renamed": self.renamed,
                "placeholder_emails": self.placeholder_emails, "invalid_emails": self.invalid_emails,
                "unknown_references": self.unknown_references, "missing_files": self.missing_files,
                "skipped": self.skipped, "warnings": self.warnings, "seconds": round(self.seconds, 2),
                "stage_seconds": self.stages}

    def summary(self) -> str:
        lines = [f"{'Dry run of' if self.dry_run and self.action == 'Imported' else self.action} {self.source} "
                 f"in {self.seconds:.1f} s"]
        if self.stages:
            lines.append("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.stages.items()))
        for kind in sorted(self.counts):
            parts = ", ".join(f"{v} {k}" for k, v in sorted(self.counts[kind].items()))
            lines.append(f"  {kind}: {parts}")
        if self.renamed:
            lines.append(f"  renamed: {len(self.renamed)} (see the JSON report)")
        if self.placeholder_emails:
            lines.append(f"  users without an email (placeholder given): {', '.join(self.placeholder_emails[:20])}"
                         + (" …" if len(self.placeholder_emails) > 20 else ""))
        if self.invalid_emails:
            lines.append("  invalid emails replaced: " + ", ".join(
                f"{e['user']} ({e['email']!r} → {e['used']})" for e in self.invalid_emails[:20])
                + (" …" if len(self.invalid_emails) > 20 else ""))
        if self.unknown_references:
            lines.append(f"  mentions of users/channels not in the export: {len(self.unknown_references)} "
                         "(shown as plain text; see the JSON report)")
        skipped_kinds: dict[str, int] = {}
        for s in self.skipped:
            skipped_kinds[s["kind"]] = skipped_kinds.get(s["kind"], 0) + 1
        if skipped_kinds:
            lines.append("  skipped (with reasons in the JSON report): " + ", ".join(
                f"{n} {k}" for k, n in sorted(skipped_kinds.items())))
        if self.missing_files:
            lines.append(f"  files not in the archive: {len(self.missing_files)}")
        lines += [f"  warning: {w}" for w in self.warnings[:20]]
        return "\n".join(lines)


class _Rate(ProgressColumn):
    """Items per second over the stage so far."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        rate = task.completed / elapsed if elapsed else 0.0
        return Text(f"{rate:,.0f}/s", style="progress.data.speed")


class Progress:
    """One progress bar per stage on stderr (``rich``: done/total, rate, elapsed time and time left),
    redrawn at most 5 times a second on a terminal; elsewhere (a log, a pipe) each stage's final line
    only. ``seconds`` keeps each stage's duration for the report."""

    def __init__(self, stream: Any = None, enabled: bool = True) -> None:
        self.enabled = enabled
        self.stage = ""
        self.total = 0
        self.done = 0
        self.started = 0.0
        self.seconds: dict[str, float] = {}
        self._console = Console(file=stream if stream is not None else sys.stderr, highlight=False)
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def begin(self, stage: str, total: int) -> None:
        self.end()
        self.stage, self.total, self.done = stage, total, 0
        self.started = time.monotonic()
        if self.enabled:
            self._bar = RichProgress(
                TextColumn("{task.description:<10}"), BarColumn(bar_width=30), MofNCompleteColumn(), _Rate(),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=self._console, refresh_per_second=5)
            self._bar.start()
            self._task = self._bar.add_task(stage, total=total)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, n)

    def end(self) -> None:
        if self.stage:
            if self._bar is not None and self._task is not None:
                # a stage may do more than it announced (or less): the last line shows what it did
                self._bar.update(self._task, total=max(self.total, self.done), completed=self.done)
                self._bar.stop()
            self._bar = self._task = None
            self.seconds[self.stage] = round(time.monotonic() - self.started, 2)
            self.stage = ""

"""mmctl's printer: a command adds results one by one; at the end they are written out, in plain text one
per line, or as JSON — a list, or the one object for commands mmctl marks "single" — indented as Go's
json.MarshalIndent does (two spaces, HTML characters escaped, other characters as they are). Errors
collected on the way follow on stderr; list commands say "There are N <things> on <server>" on stderr."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value: Any) -> str:
    """json.MarshalIndent(value, "", "  ") for the JSON types."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    if any(ch in text for ch in _GO_ESCAPES):
        text = "".join(_GO_ESCAPES.get(ch, ch) for ch in text)
    return text


def go_value(v: Any) -> str:
    """How a Go template prints a field's value (`{{.Field}}`)."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + " ".join(go_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_value(v[k])}" for k in sorted(v)) + "]"
    return str(v)


class Printer:
    def __init__(self) -> None:
        self.format = "plain"
        self.quiet = False
        self.single = False
        self.no_newline = False
        self.pager = True
        self.lines: list[Any] = []
        self.errors: list[str] = []
        self.server_addr = ""
        self.stat_entity = ""  # set for list commands: "There are N <entity>s …"
        self.no_stat = False
        self.short_stat = False

    def print_t(self, template: str | Callable[[Any], str], value: Any) -> None:
        """One result: ``template(value)`` (or the literal text) in plain output, ``value`` in JSON."""
        if self.quiet:
            return
        if self.format == "json":
            self.lines.append(value)
        else:
            self.lines.append(template(value) if callable(template) else template)

    def print(self, value: Any) -> None:
        """printer.Print: the value itself (a message string in plain output and in JSON)."""
        self.print_t(go_value(value) if not isinstance(value, str) else value, value)

    def error(self, message: str) -> None:
        self.errors.append(message)

    def warning(self, message: str) -> None:
        if not self.quiet:
            print(f"WARNING: {message}", file=sys.stderr)

    def _bytes(self) -> str:
        if self.stat_entity and self.short_stat:
            return ""
        if self.format == "json":
            if self.single and not self.lines:
                return ""
            if self.single and len(self.lines) == 1:
                return go_json(self.lines[0]) + "\n"
            return go_json(self.lines if self.lines else None) + "\n"
        nl = "" if self.no_newline else "\n"
        return "".join(f"{line}{nl}" for line in self.lines)

    def flush(self, failed: bool = False) -> None:
        """Write the results, then the errors collected; after a failure, only what there is (no JSON
        ``null`` for a command that printed nothing, no "There are N …")."""
        if self.quiet:
            return
        if failed:
            self.stat_entity = ""
        text = self._bytes() if self.lines or not failed else ""
        pager = os.environ.get("PAGER", "")
        tty = sys.stdout.isatty()
        use_pager = False
        if tty and pager and self.pager:
            rows = shutil.get_terminal_size().lines
            use_pager = text.count("\n") > rows
        if use_pager:
            subprocess.run([pager], input=text.encode(), check=False)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        for e in self.errors:
            print(e, file=sys.stderr)
        if self.stat_entity and not self.no_stat and (self.lines or not self.short_stat):
            if tty and not use_pager and not self.short_stat:
                print("", file=sys.stderr)
            where = self.server_addr.removesuffix("api/v4")
            where = f" on {where}" if where else ""
            print(f"There are {len(self.lines)} {self.stat_entity}s{where}", file=sys.stderr)
        self.lines = []
        self.errors = []


PRINTER = Printer()


def go_quote(s: str) -> str:
    """Go's %q for a string."""
    return go_json(s).replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")

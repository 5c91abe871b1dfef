"""The log file's tail, page by page from the end (what GET /api/v4/logs answers), and its line format."""

from __future__ import annotations

import json
from pathlib import Path

from chinwag.config.logfile import file_line, log_file_path, tail_lines
from chinwag.config.schema import LogSettings


def test_pages_from_the_end_oldest_first(tmp_path: Path) -> None:
    path = tmp_path / "chinwag.log"
    # long lines so pages cross the 64 KiB read blocks
    lines = [f"line {i} " + "x" * (i % 3000) for i in range(500)]
    path.write_text("\n".join(lines) + "\n")
    assert tail_lines(path, 0, 10) == lines[-10:]
    assert tail_lines(path, 1, 10) == lines[-20:-10]
    assert tail_lines(path, 0, 1000) == lines
    assert tail_lines(path, 49, 10) == lines[:10]
    assert tail_lines(path, 50, 10) == []
    assert tail_lines(path, 0, 0) == []
    assert tail_lines(tmp_path / "missing.log", 0, 10) == []
    path.write_text("only line, no newline")
    assert tail_lines(path, 0, 5) == ["only line, no newline"]


def test_line_format_and_location() -> None:
    line = json.loads(file_line({"event": "hello", "level": "warning", "logger": "chinwag.x", "_epoch": 0.5,
                                 "user_id": "u1"}, as_json=True))
    assert line == {"timestamp": "1970-01-01 00:00:00.500 Z", "level": "warn", "msg": "hello",
                    "caller": "chinwag.x", "user_id": "u1"}
    text = file_line({"event": "hello", "level": "info", "logger": "a", "_epoch": 0, "n": 2}, as_json=False)
    assert text == "1970-01-01 00:00:00.000 Z info hello caller=a n=2"
    assert log_file_path(LogSettings()) == Path("./logs/chinwag.log")
    assert log_file_path(LogSettings(FileLocation="/var/log/chinwag")) == Path("/var/log/chinwag/chinwag.log")
    assert log_file_path(LogSettings(FileLocation="/tmp/x.log")) == Path("/tmp/x.log")

"""The importers' progress display (``importers/archive.py:Progress``, drawn by ``rich``): one line per
stage with done/total, rate, elapsed time and time left; nothing when disabled."""

from __future__ import annotations

import io

from chinwag.importers.archive import Progress


def test_one_line_per_stage_with_counts_rate_and_eta() -> None:
    out = io.StringIO()
    p = Progress(stream=out)
    p.begin("users", 3)
    p.advance()
    p.advance(2)
    p.begin("messages", 10)  # begins ends the stage before
    p.advance(4)
    p.end()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("users ") and " 3/3 " in lines[0] and "/s" in lines[0] and "ETA" in lines[0]
    assert lines[1].startswith("messages ") and " 4/10 " in lines[1]
    assert set(p.seconds) == {"users", "messages"} and p.stage == ""


def test_a_stage_that_did_more_than_announced_shows_what_it_did() -> None:
    out = io.StringIO()
    p = Progress(stream=out)
    p.begin("posts", 2)
    p.advance(5)
    p.end()
    assert " 5/5 " in out.getvalue()


def test_disabled_draws_nothing_but_times_the_stages() -> None:
    out = io.StringIO()
    p = Progress(stream=out, enabled=False)
    p.begin("users", 1)
    p.advance()
    p.end()
    assert out.getvalue() == "" and list(p.seconds) == ["users"]

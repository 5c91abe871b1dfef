"""A short run of ``bench/middleware.py`` (CPU per request through the HTTP pipeline) so the bench keeps
working; it prints numbers, none are asserted (bench/README.md)."""

from __future__ import annotations

from bench.middleware import _run


async def test_a_short_run_reports_every_kind() -> None:
    out = await _run(20, "")
    assert out["requests"] == 20
    assert set(out["cpu_us_per_request"]) == {"users_me", "channel", "my_teams", "ping", "posts_unread", "not_found"}

"""The calls plugin's ``GET /stats`` numbers (Mattermost's ``CallsStats``) from the ended calls' summaries
and the ongoing calls' records."""

from __future__ import annotations

from datetime import UTC, datetime

from chinwag.plugin.bundled.calls.server.stats import calls_stats, summary, usage_seconds

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def test_usage_counts_cameras_still_on() -> None:
    assert usage_seconds({"video_ms": 4000, "video_since": {"a": 10_000, "b": 12_000}}, 15_000) == 4 + 5 + 3
    assert usage_seconds({}, 15_000) == 0


def test_calls_stats() -> None:
    day = _ms(datetime(2026, 3, 4, 10, 0, tzinfo=UTC))
    long_ago = _ms(datetime(2025, 1, 10, tzinfo=UTC))
    ended = [
        summary({"id": "c1", "channel_id": "x", "start_at": day}, {"video_ms": 30_000, "video": True}, 3, "O",
                day + 60_000),
        summary({"id": "c2", "channel_id": "y", "start_at": day}, {"screen": True}, 2, "D", day + 120_000),
        summary({"id": "c3", "channel_id": "y", "start_at": long_ago}, {}, 4, "D", long_ago + 30_000),
    ]
    active = [{"call": {"sessions": [{}, {}]}, "usage": {"video": True}}]
    s = calls_stats(ended, active, NOW)
    assert (s["total_calls"], s["total_active_calls"], s["total_active_sessions"]) == (3, 1, 2)
    assert s["calls_by_channel_type"] == {"O": 1, "D": 2}
    assert s["avg_duration"] == 70 and s["avg_participants"] == 3
    assert (s["total_video_duration"], s["avg_video_duration"]) == (30, 10)
    assert (s["total_video_calls"], s["total_screen_share_calls"]) == (2, 1)
    # every one of the last 30 days and 12 months, 0 when no call; a call older than that in none
    assert len(s["calls_by_day"]) == 30 and s["calls_by_day"]["2026-03-04"] == 2
    assert sum(s["calls_by_day"].values()) == 2 and "2026-03-05" in s["calls_by_day"]
    assert list(s["calls_by_month"])[:3] == ["2026-03", "2026-02", "2026-01"] and len(s["calls_by_month"]) == 12
    assert s["calls_by_month"]["2026-03"] == 2 and "2025-04" in s["calls_by_month"] and "2025-03" not in s["calls_by_month"]
    assert sum(s["calls_by_month"].values()) == 2
    assert set(s["recording_jobs_by_day"].values()) == {0} and len(s["recording_jobs_by_month"]) == 12


def test_no_calls() -> None:
    s = calls_stats([], [], NOW)
    assert s["total_calls"] == 0 and s["avg_duration"] == 0 and s["calls_by_channel_type"] == {}

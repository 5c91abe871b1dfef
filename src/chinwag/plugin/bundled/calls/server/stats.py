"""The calls' statistics (``GET /stats``, system admins; the calls plugin's ``CallsStats``): counted from a
summary the plugin keeps of every ended call (``stats:<call id>`` in its key/value store) and from the calls
going on now (their shared records)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

#: the key/value key of an ended call's summary
PREFIX = "stats:"


def usage_seconds(usage: dict[str, Any], now_ms: int) -> int:
    """A call's camera use in participant-seconds: what ended, and what is on until ``now_ms``."""
    on = usage.get("video_since") or {}
    total = int(usage.get("video_ms") or 0) + sum(max(0, now_ms - int(t)) for t in on.values())
    return round(total / 1000)


def summary(call: dict[str, Any], usage: dict[str, Any], participants: int, channel_type: str,
            end_at: int) -> dict[str, Any]:
    """What is kept of an ended call (``call``: as its record shows it)."""
    return {"call_id": call.get("id", ""), "channel_id": call.get("channel_id", ""), "channel_type": channel_type,
            "start_at": int(call.get("start_at") or end_at), "end_at": end_at, "participants": participants,
            "video_duration": usage_seconds(usage, end_at), "has_used_video": bool(usage.get("video")),
            "has_used_screen_share": bool(usage.get("screen"))}


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


def _month(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m")


def _last_days(now: datetime) -> dict[str, int]:
    return {(now - timedelta(days=i)).strftime("%Y-%m-%d"): 0 for i in range(30)}


def _last_months(now: datetime) -> dict[str, int]:
    out: dict[str, int] = {}
    year, month = now.year, now.month
    for _ in range(12):
        out[f"{year:04d}-{month:02d}"] = 0
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def calls_stats(ended: list[dict[str, Any]], active: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Mattermost's ``CallsStats`` from the ended calls' summaries and the ongoing calls' records (each
    ``{"call": …, "usage": …}``): totals and averages over ended calls (rounded), calls by day for the last
    30 days and by month for the last 12 (every day and month present, 0 when none), the calls that used
    video or screen sharing (ongoing ones too). No recordings here: those counts are all 0."""
    days, months = _last_days(now), _last_months(now)
    since_day = (now - timedelta(days=30)).timestamp() * 1000
    since_month = (now - timedelta(days=366)).timestamp() * 1000
    by_type: dict[str, int] = {}
    for s in ended:
        start = int(s["start_at"])
        if start >= since_day and _day(start) in days:
            days[_day(start)] += 1
        if start >= since_month and _month(start) in months:
            months[_month(start)] += 1
        by_type[s["channel_type"]] = by_type.get(s["channel_type"], 0) + 1
    n = len(ended)
    video = sum(int(s["video_duration"]) for s in ended)
    used = [rec.get("usage") or {} for rec in active] + [
        {"video": s["has_used_video"], "screen": s["has_used_screen_share"]} for s in ended]
    return {
        "total_calls": n,
        "total_active_calls": len(active),
        "total_active_sessions": sum(len((rec.get("call") or {}).get("sessions") or []) for rec in active),
        "calls_by_day": days,
        "calls_by_month": months,
        "calls_by_channel_type": by_type,
        "avg_duration": round(sum((int(s["end_at"]) - int(s["start_at"])) / 1000 for s in ended) / n) if n else 0,
        "avg_participants": round(sum(int(s["participants"]) for s in ended) / n) if n else 0,
        "avg_video_duration": round(video / n) if n else 0,
        "total_video_duration": video,
        "total_video_calls": sum(1 for u in used if u.get("video")),
        "total_screen_share_calls": sum(1 for u in used if u.get("screen")),
        "recording_jobs_by_day": _last_days(now),
        "recording_jobs_by_month": _last_months(now),
    }

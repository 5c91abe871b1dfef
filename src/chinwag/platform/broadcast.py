"""Who receives an event: the broadcast rules, and membership changes an event carries.

The same rules decide live delivery and replay on resume, so a resumed connection receives
exactly the events it would have received had it stayed connected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

INTERNAL_PREFIX = "_"  # events for servers only (cache invalidation); never sent to clients


def is_internal(event: dict[str, Any]) -> bool:
    return str(event.get("event", "")).startswith(INTERNAL_PREFIX)


def should_send(event: dict[str, Any], user_id: str, connection_id: str,
                in_channel: Callable[[str], bool], in_team: Callable[[str], bool]) -> bool:
    if is_internal(event):
        return False
    b = event.get("broadcast") or {}
    if b.get("connection_id") and b["connection_id"] != connection_id:
        return False
    if b.get("omit_connection_id") and b["omit_connection_id"] == connection_id:
        return False
    omit = b.get("omit_users") or {}
    if omit.get(user_id):
        return False
    extra = b.get("user_ids") or []
    if user_id in extra:
        return True
    if b.get("user_id"):
        return bool(b["user_id"] == user_id)
    if b.get("channel_id"):
        return in_channel(b["channel_id"])
    if b.get("team_id"):
        return in_team(b["team_id"])
    return not extra


def membership_change(event: dict[str, Any], user_id: str) -> tuple[str, str, bool] | None:
    """If ``event`` adds or removes ``user_id`` to/from a channel or team, return
    (kind "channel"|"team", id, added)."""
    name = event.get("event")
    data = event.get("data") or {}
    b = event.get("broadcast") or {}
    if name == "user_added" and data.get("user_id") == user_id and b.get("channel_id"):
        return ("channel", b["channel_id"], True)
    if name == "user_removed":
        if b.get("channel_id") and data.get("user_id") == user_id:
            return ("channel", b["channel_id"], False)
        return None
    if name == "channel_created" and b.get("user_id") == user_id:
        return ("channel", str(data.get("channel_id", "")), True)
    if name == "direct_added" and user_id in (data.get("creator_id"), data.get("teammate_id")):
        return ("channel", b.get("channel_id", ""), True)
    if name == "group_added":
        try:
            ids = json.loads(data.get("teammate_ids") or "[]")
        except ValueError:
            ids = []
        if user_id in ids:
            return ("channel", b.get("channel_id", ""), True)
        return None
    if name == "added_to_team" and data.get("user_id") == user_id:
        return ("team", str(data.get("team_id", "")), True)
    if name == "leave_team" and data.get("user_id") == user_id:
        return ("team", str(data.get("team_id", "")), False)
    return None


def changes_membership_of(event: dict[str, Any]) -> tuple[str, str] | None:
    """Which cached member set an event invalidates: ("channel"|"team", id)."""
    name = event.get("event")
    b = event.get("broadcast") or {}
    data = event.get("data") or {}
    if name in ("user_added", "user_removed", "direct_added", "group_added") and b.get("channel_id"):
        return ("channel", b["channel_id"])
    if name == "channel_created":
        return ("channel", str(data.get("channel_id", "")))
    if name in ("added_to_team", "leave_team"):
        return ("team", str(data.get("team_id", "")))
    return None


class ReplayMembership:
    """A user's channel and team memberships along a stretch of history, rebuilt from the
    memberships they have now and the membership changes in the events."""

    def __init__(self, user_id: str, channels_now: set[str], teams_now: set[str],
                 events: list[tuple[int, dict[str, Any]]]) -> None:
        self.user_id = user_id
        self.channels = set(channels_now)
        self.teams = set(teams_now)
        for _pos, ev in reversed(events):
            change = membership_change(ev, user_id)
            if change:
                self._apply(change, undo=True)

    def _apply(self, change: tuple[str, str, bool], undo: bool = False) -> None:
        kind, key, added = change
        target = self.channels if kind == "channel" else self.teams
        if added != undo:
            target.add(key)
        else:
            target.discard(key)

    def advance(self, event: dict[str, Any]) -> None:
        change = membership_change(event, self.user_id)
        if change:
            self._apply(change)

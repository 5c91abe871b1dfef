"""Who receives an event: the broadcast rules, and membership changes an event carries.

The same rules decide live delivery and replay on resume, so a resumed connection receives
exactly the events it would have received had it stayed connected.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any, Protocol, TypeVar

INTERNAL_PREFIX = "_"  # events for servers only (cache invalidation); never sent to clients


def is_internal(event: dict[str, Any]) -> bool:
    return str(event.get("event", "")).startswith(INTERNAL_PREFIX)


class Members(Protocol):
    """Who is in a channel or team (the live cache, or a user's memberships rebuilt for a replay)."""

    async def channel_members(self, channel_id: str) -> frozenset[str]: ...

    async def team_members(self, team_id: str) -> frozenset[str]: ...


class Addressable(Protocol):
    @property
    def id(self) -> str: ...


C = TypeVar("C", bound=Addressable)


async def recipients(event: dict[str, Any], connected: Mapping[str, Collection[C]], members: Members) -> list[C]:
    """The connections among ``connected`` (user id → that user's connections) that receive
    ``event``. The one rule for live delivery (every connection of the node, the membership cache)
    and for replay (one connection, its user's memberships as they were at that point)."""
    if is_internal(event):
        return []
    b = event.get("broadcast") or {}
    users: Collection[str]
    extra = set(b.get("user_ids") or ())
    if b.get("user_id"):
        users = {b["user_id"]} | extra
    elif b.get("channel_id"):  # the cached set itself when nothing is added (a channel of thousands, not copied)
        users = await members.channel_members(b["channel_id"])
        users = users | extra if extra else users
    elif b.get("team_id"):
        users = await members.team_members(b["team_id"])
        users = users | extra if extra else users
    elif extra:
        users = extra
    else:
        users = connected.keys()
    omit = b.get("omit_users") or {}
    only_conn = b.get("connection_id") or ""
    omit_conn = b.get("omit_connection_id") or ""
    if len(users) > len(connected):
        candidates = [u for u in connected if u in users]
    else:
        candidates = [u for u in users if u in connected]
    out: list[C] = []
    for uid in candidates:
        if omit.get(uid):
            continue
        for conn in connected.get(uid, ()):
            if only_conn and conn.id != only_conn:
                continue
            if omit_conn and conn.id == omit_conn:
                continue
            out.append(conn)
    return out


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
    """One user's channel and team memberships along a stretch of history: built from the
    memberships they have now, taken back to the start of the stretch (``undo`` each of its
    membership changes, newest first), then moved forward event by event (``advance``)."""

    def __init__(self, user_id: str, channels_now: set[str], teams_now: set[str]) -> None:
        self.user_id = user_id
        self.channels = set(channels_now)
        self.teams = set(teams_now)

    def _apply(self, change: tuple[str, str, bool], undo: bool = False) -> None:
        kind, key, added = change
        target = self.channels if kind == "channel" else self.teams
        if added != undo:
            target.add(key)
        else:
            target.discard(key)

    def undo(self, change: tuple[str, str, bool]) -> None:
        self._apply(change, undo=True)

    def advance(self, event: dict[str, Any]) -> None:
        change = membership_change(event, self.user_id)
        if change:
            self._apply(change)

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        return frozenset((self.user_id,)) if channel_id in self.channels else frozenset()

    async def team_members(self, team_id: str) -> frozenset[str]:
        return frozenset((self.user_id,)) if team_id in self.teams else frozenset()

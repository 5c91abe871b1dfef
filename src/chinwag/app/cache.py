"""Small in-process caches for hot lookups (channel facts, memberships, users), invalidated by
the events that change them — at once on this node, and on every other node as the event
arrives through the shared stream — with a TTL bounding staleness."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, Generic, TypeVar

from chinwag.app.mention_index import MentionIndex
from chinwag.model.channel import Channel
from chinwag.model.user import Status, User

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    def __init__(self, ttl: float, max_entries: int) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._data: OrderedDict[K, tuple[V, float]] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._data.get(key)
        if found is None:
            return None
        if found[1] < time.monotonic():
            self._data.pop(key, None)
            return None
        return found[0]

    def put(self, key: K, value: V) -> None:
        self._data[key] = (value, time.monotonic() + self.ttl)
        if len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def drop(self, key: K) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()


class AppCaches:
    def __init__(self, ttl: float = 60.0) -> None:
        self.channels: TTLCache[str, Channel] = TTLCache(ttl, 20000)
        self.channel_roles: TTLCache[tuple[str, str], frozenset[str]] = TTLCache(ttl, 200000)
        self.team_roles: TTLCache[tuple[str, str], frozenset[str]] = TTLCache(ttl, 100000)
        self.users: TTLCache[str, User] = TTLCache(ttl, 50000)
        self.statuses: TTLCache[str, Status] = TTLCache(ttl, 100000)
        self.mention_keys = MentionIndex()

    def observe(self, event: dict[str, Any]) -> None:
        name = event.get("event")
        data = event.get("data") or {}
        b = event.get("broadcast") or {}
        if name in ("user_added", "user_removed"):
            cid = b.get("channel_id") or data.get("channel_id", "")
            uid = data.get("user_id") or b.get("user_id", "")
            self.channel_roles.drop((cid, uid))
        elif name == "channel_member_updated":
            member = _loads(data.get("channelMember"))
            self.channel_roles.drop((member.get("channel_id", ""), member.get("user_id", "")))
        elif name in ("added_to_team", "leave_team"):
            self.team_roles.drop((data.get("team_id", ""), data.get("user_id", "")))
        elif name == "memberrole_updated":
            member = _loads(data.get("member"))
            self.team_roles.drop((member.get("team_id", ""), member.get("user_id", "")))
        elif name in ("channel_updated", "channel_deleted", "channel_restored", "channel_converted"):
            channel = _loads(data.get("channel")) if "channel" in data else {}
            self.channels.drop(channel.get("id") or data.get("channel_id") or b.get("channel_id", ""))
        elif name == "status_change":
            self.statuses.drop(data.get("user_id", ""))
        elif name == "user_updated":
            uid = (data.get("user") or {}).get("id", "")
            self.users.drop(uid)
            self.mention_keys.mark_dirty(uid)
        elif name == "new_user":
            self.mention_keys.mark_dirty(data.get("user_id", ""))
        elif name == "_caches_flush":
            self.clear()

    def clear(self) -> None:
        for c in (self.channels, self.channel_roles, self.team_roles, self.users, self.statuses):
            c.clear()
        self.mention_keys.clear()


def _loads(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}

"""Small in-process caches for hot lookups (channel facts, memberships, users), invalidated by
the events that change them — at once on this node, and on every other node as the event
arrives through the shared stream — with a TTL bounding staleness (``cachetools.TTLCache``: the
least recently used entry goes when one is full)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

import cachetools

from chinwag.app.mention_index import MentionIndex
from chinwag.model.channel import Channel
from chinwag.model.user import Status, User
from chinwag.platform.events import Event


def member_counts_flush() -> Event:
    """Every node drops its cached channel member counts: an account's activity or guest state changed
    (in channels this node does not know)."""
    return Event("_member_counts_flush")


def user_changed(user_id: str) -> Event:
    """Every node drops its cached user: a change that tells no client (a password, MFA, an import's
    settings), as Mattermost's cluster-wide ``InvalidateCacheForUser``. Changes clients see go as
    ``user_updated``, which drops it the same way."""
    return Event("_user_changed", {"user_id": user_id})


K = TypeVar("K")
V = TypeVar("V")


class TTLCache(cachetools.TTLCache[K, V]):
    """``cachetools.TTLCache`` with a one-step read: ``Mapping.get`` on it checks membership and then
    reads (two expiry checks under a frozen timer), ten times the cost of a dict lookup on a path every
    post takes."""

    def lookup(self, key: K) -> V | None:
        """The entry, or None when missing or expired."""
        try:
            return self[key]
        except KeyError:
            return None

    def split(self, keys: Iterable[K]) -> tuple[dict[K, V], list[K]]:
        """The entries found among ``keys`` (each once, in order) and the keys missing or expired."""
        found: dict[K, V] = {}
        missing: list[K] = []
        for key in dict.fromkeys(keys):
            value = self.lookup(key)
            if value is None:
                missing.append(key)
            else:
                found[key] = value
        return found, missing


class DropLog:
    """When each key was last dropped from a cache, on a counter: a read that began before a key's drop
    does not fill the cache with what it read for that key (it may be the old value), while reads of
    other keys still do. (One counter for the whole cache, as before, refused almost every fill under
    load: some status changes on every node all the time — sign-ins, disconnects, activity.)"""

    def __init__(self, maxsize: int = 100_000) -> None:
        self.clock = 0
        self.floor = 0  # reads begun before this are refused for every key (a flush, or a full log)
        self.maxsize = maxsize
        self.at: dict[str, int] = {}

    def mark(self) -> int:
        """Taken before a read."""
        return self.clock

    def drop(self, key: str) -> None:
        self.clock += 1
        if len(self.at) >= self.maxsize:
            self.drop_all()
        else:
            self.at[key] = self.clock

    def drop_all(self) -> None:
        self.clock += 1
        self.at.clear()
        self.floor = self.clock

    def fresh(self, key: str, mark: int) -> bool:
        """Nothing dropped ``key`` since ``mark``: what the read found may be cached."""
        return self.floor <= mark and self.at.get(key, 0) <= mark


class AppCaches:
    def __init__(self, ttl: float = 60.0, picture_ttl: float = 600.0) -> None:
        self.channels: TTLCache[str, Channel] = TTLCache(maxsize=20000, ttl=ttl)
        self.channel_roles: TTLCache[tuple[str, str], frozenset[str]] = TTLCache(maxsize=200000, ttl=ttl)
        self.team_roles: TTLCache[tuple[str, str], frozenset[str]] = TTLCache(maxsize=100000, ttl=ttl)
        self.users: TTLCache[str, User] = TTLCache(maxsize=50000, ttl=max(ttl, picture_ttl))
        #: kept as long as ``picture_users``: every status write goes through ``StatusService.save`` /
        #: ``set_online_many``, whose ``status_change`` drops or replaces it on every node (the posters'
        #: statuses of every channel view were the second most frequent database read of the load test)
        self.statuses: TTLCache[str, Status] = TTLCache(maxsize=100000, ttl=max(ttl, picture_ttl))
        #: users as their profile pictures need them (name, username, last_picture_update): invalidated with
        #: ``users`` but kept longer — nine tenths of a new session's requests are posters' pictures, and a
        #: poster is asked for again and again over the minutes (Mattermost keeps profiles 30 min)
        self.picture_users: TTLCache[str, User] = TTLCache(maxsize=50000, ttl=max(ttl, picture_ttl))
        #: when a user or a status was last dropped: a read that began before its drop does not fill the
        #: cache with what it read for it (it could be the old value)
        self.user_drops = DropLog()
        self.status_drops = DropLog()
        #: channel → (active members, active guests), as ``GET /channels/{id}/stats`` answers them (every
        #: channel switch; a ``count(*)`` over town-square's every member otherwise), as Mattermost's
        #: ``channelMemberCountsCache``. Dropped per channel on ``user_added``/``user_removed``/
        #: ``channel_member_updated`` (a guest flag) and the channel's deletion or restoration; all of them on
        #: ``_member_counts_flush``, which the app publishes when an account's activity or guest state changes
        #: (deactivation, reactivation, a bot disabled or enabled, promotion, demotion, permanent deletion:
        #: counted only while active, in channels not known here). Events reach every node of a cluster. Kept
        #: as long as the statuses (every change above drops it; the TTL only bounds what a writer outside the
        #: server leaves): with 60 s every channel's count was read again each minute — a town-square miss is
        #: a pass over its every member, the load test's costliest statement once the posts pages were fixed
        self.member_counts: TTLCache[str, tuple[int, int]] = TTLCache(maxsize=20000, ttl=max(ttl, picture_ttl))
        self.member_count_drops = DropLog()
        #: channel → pinned posts not deleted, the other count of every ``GET /channels/{id}/stats`` (its files
        #: count is asked only with ``exclude_files_count=false`` and is not cached). Dropped per channel on
        #: ``post_edited`` (pin, unpin, a patch of ``is_pinned``), ``post_deleted`` (with its replies),
        #: ``posted`` of a pinned post, the channel's deletion or restoration; all of them on
        #: ``_caches_flush`` (purges, imports through the server). Events reach every node of a cluster.
        self.pinned_counts: TTLCache[str, int] = TTLCache(maxsize=20000, ttl=max(ttl, picture_ttl))
        self.pinned_drops = DropLog()
        self.mention_keys = MentionIndex()
        #: (user_id, category, name) of ``direct_channel_show``/``group_channel_show`` preferences known to
        #: be ``"true"`` (a DM or GM post checks them for every member)
        self.shown: TTLCache[tuple[str, str, str], bool] = TTLCache(maxsize=100000, ttl=ttl)

    def observe(self, event: dict[str, Any]) -> None:
        name = event.get("event")
        data = event.get("data") or {}
        b = event.get("broadcast") or {}
        if name in ("user_added", "user_removed"):
            cid = b.get("channel_id") or data.get("channel_id", "")
            uid = data.get("user_id") or b.get("user_id", "")
            self.channel_roles.pop((cid, uid), None)
            self.forget_member_count(cid)
        elif name == "channel_member_updated":
            member = _loads(data.get("channelMember"))
            self.channel_roles.pop((member.get("channel_id", ""), member.get("user_id", "")), None)
            self.forget_member_count(member.get("channel_id", ""))
        elif name in ("post_edited", "post_deleted"):
            self.forget_pinned_count(b.get("channel_id", ""))
        elif name == "posted":
            raw = data.get("post")
            # a new post changes the count only when pinned (an unpinned post's JSON has no "is_pinned":true of
            # its own; one embedding a pinned post drops the entry for nothing)
            if not isinstance(raw, str) or '"is_pinned":true' in raw:
                self.forget_pinned_count(b.get("channel_id", ""))
        elif name == "_member_counts_flush":
            self.member_count_drops.drop_all()
            self.member_counts.clear()
        elif name in ("added_to_team", "leave_team"):
            self.team_roles.pop((data.get("team_id", ""), data.get("user_id", "")), None)
        elif name == "memberrole_updated":
            member = _loads(data.get("member"))
            self.team_roles.pop((member.get("team_id", ""), member.get("user_id", "")), None)
        elif name in ("channel_updated", "channel_deleted", "channel_restored", "channel_converted"):
            channel = _loads(data.get("channel")) if "channel" in data else {}
            cid = channel.get("id") or data.get("channel_id") or b.get("channel_id", "")
            self.channels.pop(cid, None)
            if name in ("channel_deleted", "channel_restored"):
                self.forget_member_count(cid)
                self.forget_pinned_count(cid)
        elif name == "status_change":
            self.forget_status(data.get("user_id", ""))
        elif name in ("user_updated", "_user_changed"):  # the client event carries the user, ours its id
            uid = (data.get("user") or {}).get("id", "") if name == "user_updated" else data.get("user_id", "")
            self.forget_user(uid)
            self.mention_keys.mark_dirty(uid)
        elif name == "new_user":
            self.mention_keys.mark_dirty(data.get("user_id", ""))
        elif name in ("preferences_changed", "preferences_deleted"):
            uid = b.get("user_id", "")
            prefs = data.get("preferences")
            try:
                items = json.loads(prefs) if isinstance(prefs, str) else prefs
            except ValueError:
                items = None
            if isinstance(items, list):
                for p in items:
                    if isinstance(p, dict):
                        self.shown.pop((p.get("user_id") or uid, p.get("category", ""), p.get("name", "")), None)
            else:
                self.shown.clear()
        elif name == "_caches_flush":
            self.clear()

    def forget_user(self, user_id: str) -> None:
        """The user changed: drop it from the caches that hold it."""
        self.user_drops.drop(user_id)
        self.users.pop(user_id, None)
        self.picture_users.pop(user_id, None)

    def forget_status(self, user_id: str) -> None:
        self.status_drops.drop(user_id)
        self.statuses.pop(user_id, None)

    def forget_member_count(self, channel_id: str) -> None:
        self.member_count_drops.drop(channel_id)
        self.member_counts.pop(channel_id, None)

    def forget_pinned_count(self, channel_id: str) -> None:
        self.pinned_drops.drop(channel_id)
        self.pinned_counts.pop(channel_id, None)

    def clear(self) -> None:
        self.pinned_drops.drop_all()
        self.pinned_counts.clear()
        self.user_drops.drop_all()
        self.status_drops.drop_all()
        self.member_count_drops.drop_all()
        self.member_counts.clear()
        self.channels.clear()
        self.channel_roles.clear()
        self.team_roles.clear()
        self.users.clear()
        self.picture_users.clear()
        self.statuses.clear()
        self.mention_keys.clear()
        self.shown.clear()


def _loads(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}

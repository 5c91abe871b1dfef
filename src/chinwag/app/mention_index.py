"""Which users a word mentions: every active user's mention keys (``@username``, custom
``mention_keys``, the first name when turned on), indexed in memory so that finding the users a
post mentions costs no query; and who turned channel-wide mentions off on their account
(``notify_props.channel`` "false"), so @channel in a large channel reads no user rows. Loaded once, then kept current by the ``new_user`` and
``user_updated`` events (from every node, through the shared stream): a changed user is marked
stale and read again before the next lookup. A full reload every hour bounds any drift."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Protocol

from chinwag.app.mentions import UserKeys, user_keys

_RELOAD_SECONDS = 3600.0


class KeyRows(Protocol):
    async def mention_key_rows(
        self, user_ids: list[str] | None = None
    ) -> list[tuple[str, str, str, dict[str, str]]]: ...


class MentionIndex:
    def __init__(self) -> None:
        self._by_key: dict[str, set[str]] = {}
        self._by_first: dict[str, set[str]] = {}
        self._keys: dict[str, UserKeys] = {}
        self._channel_off: set[str] = set()
        self._loaded_at = 0.0
        self._dirty: set[str] = set()
        self._lock = asyncio.Lock()

    def mark_dirty(self, user_id: str) -> None:
        if user_id:
            self._dirty.add(user_id)

    def clear(self) -> None:
        self._loaded_at = 0.0

    def _remove(self, user_id: str) -> None:
        self._channel_off.discard(user_id)
        old = self._keys.pop(user_id, None)
        if old is None:
            return
        for k in old.keys:
            ids = self._by_key.get(k)
            if ids is not None:
                ids.discard(user_id)
                if not ids:
                    del self._by_key[k]
        if old.first_name:
            ids = self._by_first.get(old.first_name)
            if ids is not None:
                ids.discard(user_id)
                if not ids:
                    del self._by_first[old.first_name]

    def _add(self, user_id: str, keys: UserKeys, props: dict[str, str]) -> None:
        self._keys[user_id] = keys
        if props.get("channel") == "false":
            self._channel_off.add(user_id)
        for k in keys.keys:
            self._by_key.setdefault(k, set()).add(user_id)
        if keys.first_name:
            self._by_first.setdefault(keys.first_name, set()).add(user_id)

    async def _refresh(self, store: KeyRows) -> None:
        if self._loaded_at and not self._dirty and time.monotonic() - self._loaded_at < _RELOAD_SECONDS:
            return
        async with self._lock:
            if not self._loaded_at or time.monotonic() - self._loaded_at >= _RELOAD_SECONDS:
                self._dirty.clear()
                rows = await store.mention_key_rows()
                self._by_key, self._by_first, self._keys, self._channel_off = {}, {}, {}, set()
                for uid, username, first, props in rows:
                    self._add(uid, user_keys(username, first, props), props)
                self._loaded_at = time.monotonic()
            elif self._dirty:
                stale, self._dirty = sorted(self._dirty), set()
                rows = await store.mention_key_rows(stale)
                for uid in stale:
                    self._remove(uid)
                for uid, username, first, props in rows:
                    self._add(uid, user_keys(username, first, props), props)

    async def match(self, store: KeyRows, words: Iterable[str]) -> set[str]:
        """Users whose keys appear among ``words`` (see mentions.message_words)."""
        await self._refresh(store)
        found: set[str] = set()
        for w in words:
            found |= self._by_first.get(w, set())
            found |= self._by_key.get(w.lower(), set())
        return found

    async def channel_mentions_off(self, store: KeyRows, user_ids: Iterable[str]) -> set[str]:
        """Those of ``user_ids`` whose account ignores @channel/@all/@here (``channel`` "false")."""
        await self._refresh(store)
        return self._channel_off.intersection(user_ids)

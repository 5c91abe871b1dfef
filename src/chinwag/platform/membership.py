"""Channel and team member sets for the hub, cached and invalidated by membership events."""

from __future__ import annotations

from collections import OrderedDict

from chinwag.store.sql.store import SqlStore


class MembershipCache:
    def __init__(self, store: SqlStore, max_entries: int = 20000) -> None:
        self.store = store
        self.max_entries = max_entries
        self._channels: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._teams: OrderedDict[str, frozenset[str]] = OrderedDict()

    def invalidate(self, kind: str, key: str) -> None:
        (self._channels if kind == "channel" else self._teams).pop(key, None)

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        found = self._channels.get(channel_id)
        if found is None:
            found = frozenset(await self.store.channels.member_ids(channel_id))
            self._put(self._channels, channel_id, found)
        return found

    async def team_members(self, team_id: str) -> frozenset[str]:
        found = self._teams.get(team_id)
        if found is None:
            members = await self.store.teams.get_members(team_id, page=0, per_page=10_000_000)
            found = frozenset(m.user_id for m in members)
            self._put(self._teams, team_id, found)
        return found

    async def user_channels(self, user_id: str) -> set[str]:
        return set(await self.store.channels.channel_ids_for_user(user_id))

    async def user_teams(self, user_id: str) -> set[str]:
        return {m.team_id for m in await self.store.teams.get_members_for_user(user_id)}

    def _put(self, cache: OrderedDict[str, frozenset[str]], key: str, value: frozenset[str]) -> None:
        cache[key] = value
        if len(cache) > self.max_entries:
            cache.popitem(last=False)

"""Directory: lookups of channels, users, teams and posts by id, with Mattermost's not-found errors
and the in-process caches for the hot ones. It sits on the lowest service floor so that everything
above (permissions, posts, channels, teams, users) reads the same way without reaching sideways."""

from __future__ import annotations

import msgspec

from chinwag.app.core import AppCore, service, store_error
from chinwag.model.channel import Channel
from chinwag.model.post import Post
from chinwag.model.team import Team
from chinwag.model.user import User
from chinwag.store.errors import NotFound, StoreError


@service
class Directory:
    core: AppCore

    async def channel(self, channel_id: str, where: str = "GetChannel") -> Channel:
        try:
            return await self.core.store.channels.get(channel_id)
        except StoreError as e:
            raise store_error(where, e, "channel") from None

    async def cached_channel(self, channel_id: str) -> Channel | None:
        """The channel's stable facts (type, team, name, deletion) from the cache; counters may be stale."""
        cache = self.core.caches.channels
        found = cache.lookup(channel_id)
        if found is None:
            try:
                found = await self.core.store.channels.get(channel_id)
            except NotFound:
                return None
            cache[channel_id] = found
        return found

    async def user(self, user_id: str, where: str = "GetUser") -> User:
        """A copy of the user (cached): callers may change it."""
        cache = self.core.caches.users
        found = cache.lookup(user_id)
        if found is not None:
            return msgspec.structs.replace(found)
        mark = self.core.caches.user_drops.mark()
        try:
            user = await self.core.store.users.get(user_id)
        except StoreError as e:
            raise store_error(where, e, "user") from None
        if self.core.caches.user_drops.fresh(user_id, mark):  # not changed while it was read
            cache[user_id] = msgspec.structs.replace(user)
        return user

    async def users(self, user_ids: list[str]) -> list[User]:
        """Copies of the users that exist among ``user_ids`` (each once), from the users cache where it has
        them; the others in one read, then cached (unless a user was dropped from the cache meanwhile)."""
        caches = self.core.caches
        cache = caches.users
        found, missing = cache.split(user_ids)
        out = [msgspec.structs.replace(u) for u in found.values()]
        if missing:
            mark = caches.user_drops.mark()
            read = await self.core.store.users.get_many(missing)
            for u in read:
                if caches.user_drops.fresh(u.id, mark):
                    cache[u.id] = msgspec.structs.replace(u)
            out.extend(read)
        return out

    async def team(self, team_id: str, where: str = "GetTeam") -> Team:
        try:
            return await self.core.store.teams.get(team_id)
        except StoreError as e:
            raise store_error(where, e, "team") from None

    async def post(self, post_id: str, where: str = "GetPost", include_deleted: bool = False) -> Post:
        try:
            return await self.core.store.posts.get(post_id, include_deleted)
        except StoreError as e:
            raise store_error(where, e, "post") from None

"""What the importers and the bulk exporter read (``importers/``): users, teams, channels and
memberships by name or id as they are stored (no permission check, no cache: an import is an
administrator's command), the ``importmappings`` ledger that makes a re-run add only what is missing,
and the export's table reads. The writes are the services' bulk entry points
(``users.import_many``, ``teams.add_members_bulk``, ``channels.import_conversation`` …), which publish
the events the app publishes; importers only translate, and never touch the store
(import-linter's "importers go through the app" contract).

A conversation's history is written through a :class:`HistoryWriter`, the part of the store's fast
import writer (COPY on PostgreSQL, derived ids) that ``ChannelService.import_conversation`` lends to
the importer inside its unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from chinwag.app.core import AppCore, service
from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.emoji import Emoji
from chinwag.model.post import Post
from chinwag.model.team import Team
from chinwag.model.user import SYSTEM_ADMIN_ROLE, Preference, User
from chinwag.store.errors import NotFound


class HistoryWriter(Protocol):
    """What an importer may do inside ``ChannelService.import_conversation``'s unit of work."""

    source: str

    async def lookup(self, kind: str, ids: Sequence[str]) -> dict[str, str]: ...

    async def lookup_range(self, kind: str, low: str, high: str) -> dict[str, str]: ...

    async def existing_posts(self, ids: Sequence[str]) -> set[str]: ...

    async def insert_posts(self, batch: Sequence[Post]) -> None: ...

    async def insert_reactions(self, rows: Sequence[dict[str, Any]]) -> None: ...

    async def attach_files(self, pairs: Sequence[tuple[str, str]]) -> None: ...

    async def unattached(self, file_ids: Sequence[str]) -> set[str]: ...

    async def post_file_ids(self, post_id: str) -> list[str]: ...

    async def update_post_files(self, post_id: str, file_ids: list[str]) -> None: ...


@service
class ImportService:
    core: AppCore

    # the ledger (importmappings) ----------------------------------------------------------------

    async def mapped(self, source: str, kind: str, source_ids: Sequence[str]) -> dict[str, str]:
        """Source id → row id of those of ``source_ids`` an earlier run imported."""
        return await self.core.store.imports.lookup(source, kind, source_ids)

    async def all_mapped(self, source: str, kind: str) -> dict[str, str]:
        return await self.core.store.imports.all_of_kind(source, kind)

    # users, teams, channels -------------------------------------------------------------------------

    async def existing_users(self, usernames: Sequence[str], emails: Sequence[str]) -> tuple[set[str], dict[str, str]]:
        """Which of ``usernames`` are taken, and the user id of each of ``emails`` (lowercased) that has one."""
        return await self.core.store.imports.existing_users(usernames, emails)

    async def known_names(self) -> tuple[set[str], set[str], set[tuple[str, str]]]:
        """Usernames, team names and (team name, channel name) pairs already in the database."""
        return await self.core.store.imports.known_names()

    async def user(self, user_id: str) -> User | None:
        try:
            return await self.core.store.users.get(user_id)
        except NotFound:
            return None

    async def user_by_username(self, username: str) -> User | None:
        try:
            return await self.core.store.users.get_by_username(username)
        except NotFound:
            return None

    async def users(self, user_ids: Sequence[str]) -> list[User]:
        return await self.core.store.users.get_many(user_ids)

    async def first_active_admin(self) -> User | None:
        """The first active system admin (who owns what an import makes when nobody is named)."""
        admins = await self.core.store.users.list_users(role=SYSTEM_ADMIN_ROLE, page=0, per_page=1, active=True)
        return admins[0] if admins else None

    async def team_by_name(self, name: str) -> Team | None:
        try:
            return await self.core.store.teams.get_by_name(name)
        except NotFound:
            return None

    async def channel(self, channel_id: str) -> Channel | None:
        try:
            return await self.core.store.channels.get(channel_id)
        except NotFound:
            return None

    async def channel_by_name(self, team_id: str, name: str) -> Channel | None:
        """A team's channel (archived ones too), or with ``team_id`` "" a direct or group channel."""
        try:
            return await self.core.store.channels.get_by_name(team_id, name)
        except NotFound:
            return None

    async def channel_member(self, channel_id: str, user_id: str) -> ChannelMember | None:
        try:
            return await self.core.store.channels.get_member(channel_id, user_id)
        except NotFound:
            return None

    async def preferences(self, user_id: str, category: str) -> list[Preference]:
        return await self.core.store.preferences.get_all(user_id, category)

    # the bulk export -----------------------------------------------------------------------------------

    async def rows(self, table: str, order: Sequence[str] = (), **match: Any) -> list[dict[str, Any]]:
        """The rows of a small table (teams, channels, users, members, bots, preferences) as dicts, those
        whose columns have the values of ``match`` (a list: one of them), ordered by ``order``."""
        return await self.core.store.imports.rows(table, order, match)

    async def roots_page(self, channel_id: str, after: tuple[int, str], limit: int) -> list[Any]:
        """Live root posts of a channel in (create_at, id) order after a cursor."""
        return await self.core.store.imports.roots_page(channel_id, after, limit)

    async def replies_of(self, root_ids: Sequence[str]) -> list[Any]:
        return await self.core.store.imports.replies_of(root_ids)

    async def reactions_of(self, post_ids: Sequence[str]) -> list[Any]:
        return await self.core.store.imports.reactions_of(post_ids)

    async def files_of(self, post_ids: Sequence[str]) -> list[Any]:
        return await self.core.store.imports.files_of(post_ids)

    async def live_emoji(self) -> list[Emoji]:
        return await self.core.store.emoji.all_live()

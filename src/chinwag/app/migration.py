"""Bulk entry points of a migration from Mattermost (``chinwag import mattermost``): whole rows of
Mattermost's tables — chinwag's tables mirror them — written with their own ids, so every link,
permalink, webhook URL, slash command token and personal access token keeps working.

A batch is one unit of work: the rows not in chinwag yet are added, and rows chinwag has from an
earlier run are updated when the source's copy is newer (``store.sql.import_store.MIGRATED`` names the
columns that tell), so a migration resumes where it stopped and a second run (after the source got
more messages) brings only the difference. New users publish ``new_user`` and new team members
``added_to_team``, as creating them through the app does; imported history publishes no ``posted``
events (like every importer). Files are copied byte for byte to the same path in chinwag's file store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chinwag.app.core import AppCore
from chinwag.app.file import FileService
from chinwag.filestore.base import FileBackend, FileNotFound
from chinwag.model.search_text import index_text
from chinwag.platform.events import Broadcast, Event
from chinwag.store.sql.import_store import MIGRATED, migrated_columns

#: unique columns (besides the id) a source row may collide on with a different chinwag row
UNIQUE: dict[str, list[tuple[str, ...]]] = {
    "users": [("username",), ("email",)], "teams": [("name",)], "channels": [("teamid", "name")],
    "emoji": [("name", "deleteat")],
}


@dataclass
class Written:
    added: int
    updated: int


def _post_search(row: dict[str, Any]) -> dict[str, Any]:
    return {"searchtext": index_text(row.get("message") or "", row.get("hashtags") or "")}


class MigrationService:
    def __init__(self, core: AppCore, files: FileService) -> None:
        self.core = core
        self.files = files

    @staticmethod
    def tables() -> list[str]:
        return list(MIGRATED)

    @staticmethod
    def columns(table: str) -> list[str]:
        """The columns chinwag keeps of a migrated table (the source's others are left behind)."""
        return migrated_columns(table)

    async def write(self, table: str, rows: Sequence[dict[str, Any]], fresh: bool = False) -> Written:
        """One batch of source rows of one table (keys: chinwag's column names). ``fresh``: the caller knows
        none of them is in chinwag (posts, whose random ids nothing else creates, into an empty table)."""
        if table not in MIGRATED:
            raise ValueError(f"not a migrated table: {table}")
        async with self.core.unit_of_work() as uow:
            w = self.core.store.imports.rows_writer(uow.conn)
            added, updated = await w.merge(table, rows, _post_search if table == "posts" else None, fresh)
            if table == "users":
                for r in added:
                    uow.publish(Event("new_user", {"user_id": r["id"]}))
            elif table == "teammembers":
                for r in added:
                    if not r.get("deleteat"):
                        uow.publish(Event("added_to_team", {"team_id": r["teamid"], "user_id": r["userid"]},
                                          Broadcast(user_id=r["userid"])))
        return Written(len(added), updated)

    async def empty(self, table: str) -> bool:
        """chinwag has no row in the table yet."""
        return not await self.core.store.imports.any_row(table)

    async def present(self, table: str, keys: Sequence[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
        """Which of these primary keys chinwag has."""
        return await self.core.store.imports.present(table, keys)

    async def collisions(self, table: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        """Source rows whose unique names (username, email, team name) chinwag already gives to a row with
        another id: migrating them would make two accounts of one person (or fail), so the migration
        refuses to start until they are renamed or removed on one side."""
        out: list[str] = []
        for cols in UNIQUE.get(table, []):
            live = [r for r in rows if "deleteat" not in cols or not r.get("deleteat")]
            taken = await self.core.store.imports.taken(table, cols, [tuple(r[c] for c in cols) for r in live])
            for r in live:
                other = taken.get(tuple(r[c] for c in cols))
                if other is not None and other != r["id"]:
                    what = "/".join(str(r[c]) for c in cols)
                    out.append(f"{table} {r['id']}: {'/'.join(cols)} {what!r} is taken by chinwag's {other}")
        return out

    async def copy_file(self, source: FileBackend, path: str) -> int:
        """A file of the source's store copied to the same path in chinwag's (kept when already there);
        its size, or -1 when the source has no such file."""
        target = self.files.backend("MigrateFile")
        if await target.exists(path):
            return 0
        try:
            stream = await source.open_read(path)
        except FileNotFound:
            return -1
        writer = await target.open_write(path)
        try:
            async for chunk in stream:
                await writer.write(chunk)
        except BaseException:
            await writer.abort()
            raise
        finally:
            await stream.aclose()
        return await writer.commit()

"""`chinwag import mattermost --from postgres://…|mysql://…`: a running Mattermost's database read
directly (read-only, one consistent snapshot) into chinwag, keeping every id.

chinwag's tables mirror Mattermost's, so the migration copies rows table by table (the columns both
have; Mattermost's others are left behind) through the app's migration entry points
(``app/migration.py``): users with their password hashes, MFA secrets and SSO auth data, sessions (the
apps stay signed in), bots, teams, channels, memberships with read state, posts (edits, deletions,
pins), reactions, CRT threads and followers, preferences (flags, favorites, settings), sidebar
categories, custom emoji, file infos with their files (from the data directory or its S3 bucket),
incoming/outgoing webhooks and slash commands with their ids and tokens, and personal access tokens.
Rows are added when chinwag lacks them and updated when the source's copy is newer, so a run resumes
where an interrupted one stopped, and a second run before switching over brings only what changed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any
from urllib.parse import urlparse

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chinwag.app.app import App
from chinwag.filestore.base import FileBackend
from chinwag.importers.archive import ImportFailure, Progress, Report
from chinwag.store.sql.engine import sqlalchemy_url

#: chinwag's table → Mattermost's (as named on MySQL; lower-cased on PostgreSQL), in the order they are
#: copied (users before what they own, posts before their reactions and threads)
TABLES: dict[str, str] = {
    "users": "Users", "bots": "Bots", "sessions": "Sessions", "useraccesstokens": "UserAccessTokens",
    "teams": "Teams", "teammembers": "TeamMembers", "channels": "Channels", "channelmembers": "ChannelMembers",
    "posts": "Posts", "reactions": "Reactions", "threads": "Threads", "threadmemberships": "ThreadMemberships",
    "fileinfo": "FileInfo", "emoji": "Emoji", "preferences": "Preferences", "postreminders": "PostReminders",
    "sidebarcategories": "SidebarCategories", "sidebarchannels": "SidebarChannels",
    "incominghooks": "IncomingWebhooks", "outgoinghooks": "OutgoingWebhooks", "commands": "Commands",
}
#: tables checked for names chinwag already gives to other rows before anything is written
CHECKED = ("users", "teams", "channels", "emoji")
BATCH = 5000
FILE_COPIES = 8


def source_url(url: str) -> tuple[str, str]:
    """(driver, data source) for chinwag's engine from ``postgres://…``, ``postgresql://…``, ``mysql://…``
    or Mattermost's own MySQL DSN (``user:pass@tcp(host:3306)/db?…``)."""
    scheme = urlparse(url).scheme
    if scheme in ("postgres", "postgresql"):
        return "postgres", url
    if scheme in ("mysql", "mariadb") or "@tcp(" in url:
        return "mysql", url
    raise ImportFailure("--from must be a postgres:// or mysql:// URL of Mattermost's database", url)


class MattermostSource:
    """Mattermost's database, read-only, in one repeatable-read transaction (one snapshot of a server
    that keeps running). PostgreSQL is read with asyncpg's cursors directly (a third of the time of
    SQLAlchemy's streaming results), MySQL/MariaDB through SQLAlchemy's server-side cursors."""

    def __init__(self, url: str) -> None:
        self.driver, datasource = source_url(url)
        self.pg = self.driver == "postgres"
        self.url = url
        self.raw: Any = None  # asyncpg connection (PostgreSQL)
        self.tx: Any = None
        self.engine: AsyncEngine | None = None
        self.conn: AsyncConnection | None = None
        if not self.pg:
            sa_url, connect_args = sqlalchemy_url(self.driver, datasource)
            self.engine = create_async_engine(sa_url, connect_args=connect_args, poolclass=NullPool)

    async def open(self) -> None:
        try:
            if self.pg:
                import asyncpg

                self.raw = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))
                self.tx = self.raw.transaction(isolation="repeatable_read", readonly=True)
                await self.tx.start()
            else:
                assert self.engine is not None
                self.conn = await self.engine.connect()
                await self.conn.exec_driver_sql("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                await self.conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
                await self.conn.commit()
                await self.conn.exec_driver_sql("SELECT 1")
        except Exception as e:
            raise ImportFailure(f"cannot read Mattermost's database: {e}", _safe(self.url)) from None

    async def close(self) -> None:
        if self.raw is not None:
            if self.tx is not None:
                await self.tx.rollback()
            await self.raw.close()
        if self.conn is not None:
            await self.conn.close()
        if self.engine is not None:
            await self.engine.dispose()

    def _q(self, name: str) -> str:
        return f'"{name.lower()}"' if self.pg else f"`{name}`"

    def table(self, table: str) -> str:
        return TABLES[table].lower() if self.pg else TABLES[table]

    async def _all(self, sql: str, *args: Any) -> list[Any]:
        if self.pg:
            return list(await self.raw.fetch(sql.replace("?", "$1"), *args))
        assert self.conn is not None
        return list(await self.conn.exec_driver_sql(sql.replace("?", "%s"), tuple(args)))

    async def columns(self, table: str) -> set[str]:
        """The table's columns (lower-cased), empty when the source has no such table."""
        schema = "current_schema()" if self.pg else "DATABASE()"
        rows = await self._all("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                               f"{schema} AND table_name = ?", self.table(table))
        return {r[0].lower() for r in rows}

    async def count(self, table: str) -> int:
        return int((await self._all(f"SELECT count(*) FROM {self._q(self.table(table))}"))[0][0] or 0)

    async def batches(self, table: str, columns: list[str], size: int = BATCH) -> AsyncIterator[list[dict[str, Any]]]:
        """The table's rows (keys: ``columns``), streamed by a server-side cursor in batches."""
        sql = f"SELECT {', '.join(self._q(c) for c in columns)} FROM {self._q(self.table(table))}"
        if self.pg:
            cursor = await self.raw.cursor(sql)
            while rows := await cursor.fetch(size):
                yield [dict(zip(columns, r, strict=True)) for r in rows]
            return
        assert self.conn is not None
        result = await self.conn.stream(sa.text(sql).execution_options(yield_per=size))
        async for part in result.partitions(size):
            yield [dict(zip(columns, r, strict=True)) for r in part]


def _safe(url: str) -> str:
    u = urlparse(url)
    if u.password:
        return url.replace(f":{u.password}@", ":***@")
    return url


def _json(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        try:
            return msgspec.json.decode(value) if value else None
        except msgspec.DecodeError:
            return None
    return value


#: the files in the store that belong to a row, by table (Mattermost's paths, which chinwag uses too)
def _files_of(table: str, r: dict[str, Any]) -> list[str]:
    if table == "fileinfo":
        return [p for p in (r.get("path"), r.get("thumbnailpath"), r.get("previewpath")) if p]
    if table == "emoji" and not r.get("deleteat"):
        return [f"emoji/{r['id']}/image"]
    if table == "users" and r.get("lastpictureupdate"):
        return [f"users/{r['id']}/profile.png"]
    if table == "teams" and r.get("lastteamiconupdate"):
        return [f"teams/{r['id']}/teamIcon.png"]
    if table == "bots" and r.get("lasticonupdate"):
        return [f"bots/{r['userid']}/icon.svg"]
    return []


class MattermostImporter:
    def __init__(self, app: App, url: str, *, files: FileBackend | None = None, dry_run: bool = False,
                 progress: Progress | None = None, batch: int = BATCH) -> None:
        self.app = app
        self.source = MattermostSource(url)
        self.files = files
        self.dry_run = dry_run
        self.batch = batch
        self.progress = progress or Progress(enabled=False)
        self.report = Report(source=_safe(url), dry_run=dry_run)
        self.now = app.core.now()
        self.collisions: list[str] = []
        #: bot user id → description: Mattermost knows its bots by their Bots row, chinwag's users say it too
        self.bots: dict[str, str] = {}
        self.fresh = False

    async def run(self) -> Report:
        started = time.monotonic()
        await self.source.open()
        try:
            plan = await self._plan()
            await self._check(plan)
            if self.files is None:
                self.report.warnings.append("no --data-dir (or Mattermost config with its FileSettings) given: "
                                            "file infos, emoji, profile pictures and icons are imported without "
                                            "their files")
            for table, columns in plan:
                await self._copy(table, columns)
            self.progress.end()
        finally:
            await self.source.close()
        self.report.stages = dict(self.progress.seconds)
        self.report.seconds = time.monotonic() - started
        return self.report

    async def _plan(self) -> list[tuple[str, list[str]]]:
        """Each table the source has, with the columns both sides have."""
        plan = []
        for table in TABLES:
            have = await self.source.columns(table)
            if not have:
                self.report.warnings.append(f"Mattermost's database has no {TABLES[table]} table (an older "
                                            "version): nothing of it imported")
                continue
            want = self.app.migration.columns(table)
            if table == "sessions":
                have.add("csrftoken")  # from the session's props
            plan.append((table, [c for c in want if c in have]))
        if await self.source.columns("bots"):
            async for rows in self.source.batches("bots", ["userid", "description"], self.batch):
                self.bots.update({r["userid"]: r["description"] or "" for r in rows})
        if not any(t == "users" for t, _ in plan):
            raise ImportFailure("not a Mattermost database (no Users table)", self.report.source)
        return plan

    async def _check(self, plan: list[tuple[str, list[str]]]) -> None:
        """Names chinwag already gives to rows with other ids (its own admin account, a team of the same
        name): refused before anything is written."""
        checked = [t for t, _ in plan if t in CHECKED]
        self.progress.begin("check", sum([await self.source.count(t) for t in checked]))
        for table in checked:
            cols = {"users": ["id", "username", "email"], "teams": ["id", "name"],
                    "channels": ["id", "teamid", "name"], "emoji": ["id", "name", "deleteat"]}[table]
            async for rows in self.source.batches(table, cols, self.batch):
                self.collisions += await self.app.migration.collisions(table, rows)
                self.progress.advance(len(rows))
        self.progress.end()
        if self.collisions:
            self.report.warnings += self.collisions[:100]
            if not self.dry_run:
                more = f" (and {len(self.collisions) - 5} more)" if len(self.collisions) > 5 else ""
                raise ImportFailure("names already used by other rows in chinwag: " + "; ".join(self.collisions[:5])
                                    + more + ". Migrate into an empty chinwag, or rename or remove them on one side",
                                    self.report.source)

    def _rows(self, table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What chinwag keeps differently: bots marked on their users, removed reactions and expired sessions
        left behind, a session's CSRF token from its props."""
        if table == "users":
            for r in rows:
                r["isbot"] = r["id"] in self.bots
                r["botdescription"] = self.bots.get(r["id"], "")[:1024]
            return rows
        if table == "reactions":  # chinwag deletes a removed reaction; Mattermost keeps it marked deleted
            out = [r for r in rows if not r.get("deleteat")]
            if len(out) < len(rows):
                self.report.add("reactions", "removed ones (left behind)", len(rows) - len(out))
            return out
        if table == "sessions":
            out = []
            for r in rows:
                if r.get("expiresat") and r["expiresat"] < self.now:
                    continue
                props = _json(r.get("props")) or {}
                r["props"] = props
                r["csrftoken"] = str(props.get("csrf", "")) if isinstance(props, dict) else ""
                out.append(r)
            if len(out) < len(rows):
                self.report.add("sessions", "expired (left behind)", len(rows) - len(out))
            return out
        return rows

    async def _copy(self, table: str, columns: list[str]) -> None:
        total = await self.source.count(table)
        self.progress.begin(table, total)
        select = [c for c in columns if c not in ("csrftoken", "isbot", "botdescription")]
        # the first run's posts go into an empty table: no per-batch lookups (a re-run, or the rest of an
        # interrupted run, finds posts there and looks each batch up)
        self.fresh = table == "posts" and not self.dry_run and await self.app.migration.empty("posts")
        queue: asyncio.Queue[list[dict[str, Any]] | None] = asyncio.Queue(maxsize=2)

        async def read() -> None:
            try:
                async for rows in self.source.batches(table, select, self.batch):
                    await queue.put(rows)
            finally:
                await queue.put(None)

        reader = asyncio.create_task(read())
        # posts (disjoint ids in every batch) are written two batches at a time: Python builds one while
        # the database takes the other (on SQLite the write lock takes them one after the other)
        width = 2 if table == "posts" and not self.dry_run else 1
        writing: set[asyncio.Task[None]] = set()

        async def one(rows: list[dict[str, Any]], n: int) -> None:
            await (self._dry if self.dry_run else self._write)(table, rows)
            self.progress.advance(n)

        async def settle(all_of_them: bool = False) -> None:
            while writing and (all_of_them or len(writing) >= width):
                done, _ = await asyncio.wait(writing, return_when=asyncio.FIRST_COMPLETED)
                writing.difference_update(done)
                for t in done:
                    t.result()

        try:
            while (rows := await queue.get()) is not None:
                await settle()
                writing.add(asyncio.create_task(one(self._rows(table, rows), len(rows))))
            await settle(all_of_them=True)
            await reader
        finally:
            for t in [reader, *writing]:
                if not t.done():
                    t.cancel()

    def _keys(self, table: str, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        pk = {"bots": ("userid",), "teammembers": ("teamid", "userid"), "channelmembers": ("channelid", "userid"),
              "reactions": ("userid", "postid", "emojiname"), "threads": ("postid",),
              "threadmemberships": ("postid", "userid"), "preferences": ("userid", "category", "name"),
              "sidebarchannels": ("channelid", "userid", "categoryid"), "postreminders": ("postid", "userid")}.get(table, ("id",))
        return [tuple(r[c] for c in pk) for r in rows]

    async def _new(self, table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = self._keys(table, rows)
        present = await self.app.migration.present(table, keys)
        return [r for r, k in zip(rows, keys, strict=True) if k not in present]

    async def _dry(self, table: str, rows: list[dict[str, Any]]) -> None:
        new = await self._new(table, rows)
        self.report.add(table, "to add", len(new))
        if len(rows) > len(new):
            self.report.add(table, "in chinwag already", len(rows) - len(new))
        if self.files is not None:
            for r in new:
                for path in _files_of(table, r):
                    if not await self.files.exists(path):
                        self._missing(table, r, path)

    async def _write(self, table: str, rows: list[dict[str, Any]]) -> None:
        if self.files is not None and table in ("fileinfo", "emoji", "users", "teams", "bots"):
            await self._copy_files(table, await self._new(table, rows))
        written = await self.app.migration.write(table, rows, self.fresh)
        self.report.add(table, "added", written.added)
        if written.updated:
            self.report.add(table, "updated", written.updated)
        if len(rows) - written.added - written.updated:
            self.report.add(table, "unchanged", len(rows) - written.added - written.updated)

    async def _copy_files(self, table: str, rows: list[dict[str, Any]]) -> None:
        """The files of these rows copied before the rows are written (a row in chinwag means its files are)."""
        if self.files is None:
            return
        source = self.files
        gate = asyncio.Semaphore(FILE_COPIES)

        async def one(r: dict[str, Any], path: str) -> None:
            async with gate:
                size = await self.app.migration.copy_file(source, path)
            if size < 0:
                self._missing(table, r, path)
            elif size > 0:
                self.report.add("files", "copied")

        await _gather([one(r, p) for r in rows for p in _files_of(table, r)])

    def _missing(self, table: str, r: dict[str, Any], path: str) -> None:
        # thumbnails and previews are made by Mattermost for images only; an image's missing ones are
        # worth naming, the optional profile pictures are not
        optional = table in ("users", "teams", "bots")
        self.report.add("files", "not in the source (optional)" if optional else "not in the source")
        if not optional and len(self.report.missing_files) < 10_000:
            self.report.missing_files.append({"kind": table, "id": str(r.get("id", "")), "path": path})


async def _gather(jobs: list[Awaitable[None]]) -> None:
    if jobs:
        await asyncio.gather(*jobs)


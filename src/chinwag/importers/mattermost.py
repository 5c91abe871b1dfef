"""`chinwag import mattermost --from postgres://…|mysql://…`: a running Mattermost's database read
directly (read-only, one consistent snapshot) into chinwag, keeping every id.

chinwag's tables mirror Mattermost's, so the migration copies rows table by table (the columns both
have; Mattermost's others are left behind) through the app's migration entry points
(``app/migration.py``): users with their password hashes, MFA secrets and SSO auth data, sessions (the
apps stay signed in), bots, teams, channels, memberships with read state, posts (edits, deletions,
pins), reactions, CRT threads and followers, preferences (flags, favorites, settings), sidebar
categories, custom emoji, file infos with their files (from the data directory or its S3 bucket),
incoming/outgoing webhooks and slash commands with their ids and tokens, personal access tokens, user
statuses set by hand (DND with its end time), OAuth apps with the access their users granted, the
permissions of the built-in roles, server-side drafts, the GitLab plugin's channel subscriptions and connected accounts. What
chinwag has no place for (permission schemes, other plugins' data) is counted in the report.
Rows are added when chinwag lacks them and updated when the source's copy is newer, so a run resumes
where an interrupted one stopped, and a second run before switching over brings only what changed —
including what the source deleted since (posts deleted, members removed, channels archived) — and
removes what an interrupted run left pointing at nothing."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any
from urllib.parse import urlparse

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chinwag.app.app import App
from chinwag.app.migration import GITLAB_PLUGIN, KEYED, MIRRORED, source_database_url
from chinwag.filestore.base import FileBackend
from chinwag.importers import mattermost_gitlab as mmgitlab
from chinwag.importers.archive import ImportFailure, Progress, Report
from chinwag.model import permissions

#: chinwag's table → Mattermost's (as named on MySQL; lower-cased on PostgreSQL), in the order they are
#: copied (users before what they own, posts before their reactions and threads)
TABLES: dict[str, str] = {
    "users": "Users", "bots": "Bots", "sessions": "Sessions", "useraccesstokens": "UserAccessTokens",
    "status": "Status", "teams": "Teams", "teammembers": "TeamMembers", "channels": "Channels", "channelmembers": "ChannelMembers",
    "posts": "Posts", "reactions": "Reactions", "threads": "Threads", "threadmemberships": "ThreadMemberships",
    "fileinfo": "FileInfo", "emoji": "Emoji", "preferences": "Preferences", "postreminders": "PostReminders",
    "sidebarcategories": "SidebarCategories", "sidebarchannels": "SidebarChannels",
    "incominghooks": "IncomingWebhooks", "outgoinghooks": "OutgoingWebhooks", "commands": "Commands",
    "oauthapps": "OAuthApps", "oauthaccessdata": "OAuthAccessData", "oauthauthdata": "OAuthAuthData",
    "drafts": "Drafts",
}
#: the source's tables that are read but not copied row for row (chinwag keeps them differently, or not)
OTHER: dict[str, str] = {"roles": "Roles", "schemes": "Schemes", "pluginkeyvaluestore": "PluginKeyValueStore",
                         "configurations": "Configurations"}
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
            sa_url, connect_args = source_database_url(self.driver, datasource)
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
        name = TABLES.get(table) or OTHER[table]
        return name.lower() if self.pg else name

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

    async def counts_by_channel(self, table: str) -> dict[str, int]:
        """Rows of posts or channel members per channel."""
        rows = await self._all(f"SELECT {self._q('channelid')}, count(*) FROM {self._q(self.table(table))} "
                               f"GROUP BY {self._q('channelid')}")
        return {r[0]: int(r[1]) for r in rows}

    async def channel_keys(self, table: str, channel_id: str) -> set[str]:
        """The ids of a channel's posts, or the user ids of its members."""
        key = self._q("id" if table == "posts" else "userid")
        rows = await self._all(f"SELECT {key} FROM {self._q(self.table(table))} WHERE {self._q('channelid')} = ?",
                               channel_id)
        return {r[0] for r in rows}

    async def select(self, table: str, columns: list[str], where: str = "") -> list[dict[str, Any]]:
        """All rows of a small table (``where``: SQL over lower-case column names)."""
        out: list[dict[str, Any]] = []
        sql = f"SELECT {', '.join(self._q(c) for c in columns)} FROM {self._q(self.table(table))}"
        for r in await self._all(sql + (f" WHERE {where}" if where else "")):
            out.append(dict(zip(columns, r, strict=True)))
        return out

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
                 progress: Progress | None = None, batch: int = BATCH, config: dict[str, Any] | None = None) -> None:
        self.app = app
        #: Mattermost's config.json (``--mattermost-config``); without it the ``Configurations`` table is read
        self.config = config
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
        #: the source named without credentials (the host, port and database), hashed: the key of this
        #: migration's first-run time and of its ledger of rows later runs brought
        where = url.split("?", 1)[0].rsplit("@", 1)[-1].split("://", 1)[-1]
        self.key = hashlib.sha1(where.encode()).hexdigest()[:20]
        self.ledger_source = "mattermost:" + self.key
        self.first: int | None = None
        self.plan: list[tuple[str, list[str]]] = []

    async def run(self) -> Report:
        started = time.monotonic()
        await self.source.open()
        try:
            plan = self.plan = await self._plan()
            await self._check(plan)
            if self.files is None:
                self.report.warnings.append("no --data-dir (or Mattermost config with its FileSettings) given: "
                                            "file infos, emoji, profile pictures and icons are imported without "
                                            "their files")
            self.first = await self.app.migration.first_run(self.key, start=not self.dry_run)
            for table, columns in plan:
                await self._copy(table, columns)
            await self._others()
            await self._mirror()
            if not self.dry_run:
                if "posts" in {t for t, _ in plan}:
                    self.progress.begin("threads without a row", 1)
                    if n := await self.app.migration.missing_threads():
                        self.report.add("threads", "made for replies without one (Mattermost before 5.29 kept none)",
                                        n)
                    self.progress.advance(1)
                for what, n in (await self.app.migration.repair_orphans()).items():
                    self.report.add("orphans", f"{what} removed", n)
                self.app.migration.flush_caches()
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
        if table in ("teams", "channels"):  # chinwag has no permission schemes (named in the warnings)
            for r in rows:
                if "schemeid" in r:
                    r["schemeid"] = None
            return rows
        if table == "status":  # online/away from activity there: offline here until they connect
            for r in rows:
                if not r.get("manual"):
                    r["status"], r["prevstatus"], r["dndendtime"] = "offline", "", 0
            return rows
        if table == "oauthauthdata":  # codes between consent and token exchange: minutes long
            out = [r for r in rows if (r.get("createat") or 0) + (r.get("expiresin") or 0) * 1000 >= self.now]
            if len(out) < len(rows):
                self.report.add("oauthauthdata", "expired (left behind)", len(rows) - len(out))
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

    async def _others(self) -> None:
        """The source's tables chinwag keeps differently or not at all: the built-in roles' permissions
        taken, the GitLab plugin's subscriptions added; permission schemes and other plugin data counted as
        left behind."""
        src, report = self.source, self.report
        #: role name → its permissions in the source (the built-in roles and the schemes' roles)
        role_perms: dict[str, set[str]] = {}
        if await src.columns("roles"):
            rows = await src.select("roles", ["name", "permissions", "updateat", "deleteat"])
            role_perms = {r["name"]: set((r["permissions"] or "").split()) for r in rows if not r["deleteat"]}
            ours = [r for r in rows if r["name"] in permissions.BUILTIN_ROLES and not r["deleteat"]]
            others = [r for r in rows if r["name"] not in permissions.BUILTIN_ROLES and not r["deleteat"]]
            if self.dry_run:
                report.add("roles", "to compare", len(ours))
            else:
                applied = await self.app.migration.apply_roles(ours)
                report.add("roles", "updated", len(applied.updated))
                if len(ours) > len(applied.updated):
                    report.add("roles", "unchanged", len(ours) - len(applied.updated))
                for name, unknown in sorted(applied.unknown.items()):
                    report.warnings.append(f"role {name}: {len(unknown)} permission(s) chinwag does not have left "
                                           f"out: {', '.join(unknown[:10])}")
            if others:
                report.add("roles", "left behind (scheme and custom roles)", len(others))
        if await src.columns("schemes"):
            await self._schemes(role_perms)
        if await src.columns("pluginkeyvaluestore"):
            await self._plugin_data()

    async def _schemes(self, role_perms: dict[str, set[str]]) -> None:
        """Permission schemes are left behind: chinwag answers as Mattermost without a licence, where team
        override schemes and channel moderation (which Mattermost keeps as channel schemes) are licensed
        features with no unlicensed equivalent, so a scheme's effect has no place to go. Counted, and each team
        and channel that used one is named with what its scheme's roles allowed or denied beyond the built-in
        roles, which its members now have."""
        src, report = self.source, self.report
        have = await src.columns("schemes")
        cols = ["id", "displayname", "scope"] + [f"default{k.replace('_', '')}role" for k in SCHEME_ROLES]
        schemes = {r["id"]: r for r in await src.select("schemes", [c for c in cols if c in have], "deleteat = 0")}
        if schemes:
            report.add("schemes", "left behind (chinwag has no permission schemes)", len(schemes))
        for table in ("teams", "channels"):
            if "schemeid" not in await src.columns(table):
                continue
            for r in await src.select(table, ["name", "schemeid"], "schemeid IS NOT NULL AND schemeid <> ''"):
                scheme = schemes.get(r["schemeid"])
                what = (f"permission scheme {scheme.get('displayname') or r['schemeid']!r} ({r['schemeid']})"
                        if scheme else f"permission scheme {r['schemeid']} (deleted)")
                diffs = _scheme_differences(scheme, role_perms) if scheme else []
                report.warnings.append(
                    f"{table[:-1]} {r['name']} used {what}: in chinwag its members have the system-wide roles' "
                    "permissions" + (" — there, " + "; ".join(diffs) if diffs else
                                     " (the scheme's roles allowed the same)"))

    async def _source_config(self) -> dict[str, Any]:
        """Mattermost's configuration: the config.json given, else the active row of its ``Configurations``
        table (a configuration kept in the database); empty when there is neither."""
        if self.config is not None:
            return self.config
        if "value" not in await self.source.columns("configurations"):
            return {}
        rows = await self.source.select("configurations", ["value"], "active = TRUE")
        value = _json(rows[0]["value"]) if rows else None
        return value if isinstance(value, dict) else {}

    async def _plugin_data(self) -> None:
        """The GitLab plugin's channel subscriptions and connected accounts into the bundled plugin's; other
        plugins' keys counted as left behind."""
        src, report = self.source, self.report
        kv = await src.select("pluginkeyvaluestore", ["pluginid", "pkey"])
        per: dict[str, int] = {}
        for r in kv:
            per[r["pluginid"]] = per.get(r["pluginid"], 0) + 1
        if any(r["pluginid"] == GITLAB_PLUGIN and r["pkey"] == "subscriptions" for r in kv):
            per[GITLAB_PLUGIN] -= 1
            value = (await src.select("pluginkeyvaluestore", ["pvalue"],
                                      f"pluginid = '{GITLAB_PLUGIN}' AND pkey = 'subscriptions'"))[0]["pvalue"]
            raw = bytes(value) if value is not None else b""
            if self.dry_run:
                subs = _json(raw) or {}
                n = sum(len(v or []) for v in (subs.get("Repositories") or {}).values()) \
                    if isinstance(subs, dict) else 0
                report.add("plugin data", "GitLab channel subscriptions to add", n)
            else:
                report.add("plugin data", "GitLab channel subscriptions added",
                           await self.app.migration.gitlab_subscriptions(raw))
        if per.get(GITLAB_PLUGIN):
            per[GITLAB_PLUGIN] -= await self._gitlab_accounts()
        for plugin, n in sorted(per.items()):
            if n:
                report.add("plugin data", f"{plugin}: keys left behind", n)
        if any(n for p, n in per.items() if p != GITLAB_PLUGIN):
            report.warnings.append("other plugins' own data is not moved (its shape is each plugin's own)")

    async def _gitlab_accounts(self) -> int:
        """The accounts connected in the GitLab plugin, decrypted with the plugin's EncryptionKey from the
        source's configuration and stored as the bundled plugin keeps them; how many of the plugin's keys
        they were. Without the key (or with another one) they are left behind and counted."""
        report = self.report
        rows = await self.source.select("pluginkeyvaluestore", ["pkey", "pvalue"], f"pluginid = '{GITLAB_PLUGIN}'")
        kv = {r["pkey"]: bytes(r["pvalue"]) for r in rows if r["pvalue"] is not None and r["pkey"] != "subscriptions"}
        settings = mmgitlab.plugin_settings(await self._source_config())
        found = mmgitlab.accounts(kv, str(settings.get("encryptionkey") or ""))
        if not found.found and not found.unreadable:
            return 0
        if found.unreadable:
            report.add("plugin data", "GitLab accounts left behind (not decrypted)", len(found.unreadable))
            reasons = sorted({why for _, why in found.unreadable})
            report.warnings.append(
                f"{len(found.unreadable)} GitLab account(s) connected in Mattermost not moved ({'; '.join(reasons)}): "
                "give Mattermost's config.json with --mattermost-config (the GitLab plugin's EncryptionKey), or "
                "these users run /gitlab connect again")
        if self.dry_run:
            if found.found:
                report.add("plugin data", "GitLab accounts to connect", len(found.found))
        elif found.found:
            added = await self.app.migration.gitlab_accounts(found.found, str(settings.get("gitlaburl") or ""))
            for what, n in (("GitLab accounts connected", added.added),
                            ("GitLab accounts connected in chinwag already (kept)", added.kept),
                            ("GitLab accounts of another chinwag user (left behind)", added.taken),
                            ("GitLab accounts of users not in chinwag (left behind)", added.no_user)):
                if n:
                    report.add("plugin data", what, n)
        # the accounts' keys and their lookups are moved (or counted above as accounts left behind)
        return found.keys

    async def _mirror(self) -> None:
        """What the source deleted since an earlier run: channels gone from it archived, posts gone from
        it deleted, members gone from a channel removed. Only rows that came from the source are touched:
        those older than the first run, or in the ledger of what later runs brought (rows made in chinwag
        itself are in neither)."""
        done = {t for t, _ in self.plan}
        if self.first is None or "channels" not in done:
            return  # a dry run before any run: nothing in chinwag came from this source yet
        mig, src, verb = self.app.migration, self.source, "to remove" if self.dry_run else "removed"
        self.progress.begin("deletions", 7)
        for table in ("sessions", "useraccesstokens", "drafts"):
            if table in done:
                cols = list(KEYED[table])
                keep = {"|".join(r[c] or "" for c in cols) for r in await src.select(table, cols)}
                ids = await self._ours(table, [x for x in await mig.table_keys(table) if x[0] not in keep], "")
                n = len(ids) if self.dry_run else await mig.delete_rows(table, ids) if ids else 0
                if n:
                    self.report.add(table, f"gone from the source ({verb})", n)
            self.progress.advance(1)
        if "teams" in done:  # deleted for good there (Mattermost keeps an archived one): archived here
            teams = {r["id"] for r in await src.select("teams", ["id"])}
            gone = [(tid, created) for tid, created, deleted in await mig.all_teams() if tid not in teams and not deleted]
            ids = await self._ours("teams", gone, "")
            n = len(ids) if self.dry_run else await mig.archive_teams(ids)
            if n:
                self.report.add("teams", f"gone from the source ({'to archive' if self.dry_run else 'archived'})", n)
        self.progress.advance(1)
        channels = {r["id"] for r in await src.select("channels", ["id"])}
        gone = [(cid, created) for cid, created, deleted in await mig.all_channels()
                if cid not in channels and not deleted]
        ids = await self._ours("channels", gone, "")
        n = len(ids) if self.dry_run else await mig.archive_channels(ids)
        if n:
            self.report.add("channels", f"gone from the source ({'to archive' if self.dry_run else 'archived'})", n)
        self.progress.advance(1)
        for table in ("posts", "channelmembers"):
            if table not in done:
                continue
            theirs = await src.counts_by_channel(table)
            for cid, count in sorted((await mig.counts_by_channel(table)).items()):
                # after the copy chinwag has every row the source has: more means some are gone there (a dry
                # run copied nothing, so equal counts may hide as many gone as new: it lists every channel)
                if cid not in channels or (count == theirs.get(cid, 0) and not self.dry_run):
                    continue
                keep = await src.channel_keys(table, cid)
                extra = [(k, t) for k, t in await mig.channel_keys(table, cid) if k not in keep]
                ids = await self._ours(table, extra, cid)
                if not ids:
                    continue
                if self.dry_run:
                    n = len(ids)
                elif table == "posts":
                    n = await mig.delete_posts(ids)
                else:
                    n = await mig.remove_members(cid, ids)
                if n:
                    self.report.add(table, f"gone from the source ({verb})", n)
            self.progress.advance(1)

    async def _ours(self, table: str, items: list[tuple[str, int]], channel_id: str) -> list[str]:
        """Of these (key, time) rows of chinwag, those that came from the source."""
        assert self.first is not None
        timed = bool(MIRRORED[table])  # access tokens have no time: the ledger says
        out = [k for k, t in items if timed and t < self.first]
        newer = [k for k, t in items if not timed or t >= self.first]
        if newer:
            keys = [f"{channel_id}|{k}" if table == "channelmembers" else k for k in newer]
            found = await self.app.migration.in_ledger(self.ledger_source, table, keys)
            out += [k for k, lk in zip(newer, keys, strict=True) if lk in found]
        return out

    def _keys(self, table: str, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        pk = {"bots": ("userid",), "teammembers": ("teamid", "userid"), "channelmembers": ("channelid", "userid"),
              "reactions": ("userid", "postid", "emojiname"), "threads": ("postid",),
              "threadmemberships": ("postid", "userid"), "preferences": ("userid", "category", "name"),
              "sidebarchannels": ("channelid", "userid", "categoryid"), "postreminders": ("postid", "userid"),
              "status": ("userid",), "oauthaccessdata": ("token",), "oauthauthdata": ("code",),
              "drafts": KEYED["drafts"]}.get(table, ("id",))
        return [tuple(r[c] for c in pk) for r in rows]

    async def _new(self, table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = self._keys(table, rows)
        present = await self.app.migration.present(table, keys)
        return [r for r, k in zip(rows, keys, strict=True) if k not in present]

    async def _dry(self, table: str, rows: list[dict[str, Any]]) -> None:
        if table == "reactions":  # chinwag deletes a removed reaction; Mattermost keeps it marked deleted
            live = [r for r in rows if not r.get("deleteat")]
            if len(live) < len(rows):
                self.report.add("reactions", "removed ones (to remove if here)", len(rows) - len(live))
            rows = live
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
        if not rows:
            return
        if self.files is not None and table in ("fileinfo", "emoji", "users", "teams", "bots"):
            await self._copy_files(table, await self._new(table, rows))
        ledger = (self.ledger_source, self.first) if self.first is not None else None
        written = await self.app.migration.write(table, rows, self.fresh, ledger)
        self.report.add(table, "added", written.added)
        if written.updated:
            self.report.add(table, "updated", written.updated)
        # reactions: Mattermost keeps a removed one marked deleted, chinwag deletes it
        gone = sum(1 for r in rows if r.get("deleteat")) if table == "reactions" else 0
        if written.removed:
            self.report.add(table, "removed", written.removed)
        if gone - written.removed:
            self.report.add(table, "removed ones (left behind)", gone - written.removed)
        if len(rows) - gone - written.added - written.updated:
            self.report.add(table, "unchanged", len(rows) - gone - written.added - written.updated)

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


#: the built-in roles a scheme gives its own copy of (Schemes' ``Default<Role>Role`` columns)
SCHEME_ROLES = ("team_admin", "team_user", "team_guest", "channel_admin", "channel_user", "channel_guest")


def _scheme_differences(scheme: dict[str, Any], role_perms: dict[str, set[str]]) -> list[str]:
    """What a scheme's roles allowed or denied compared with the built-in roles (the source's, as chinwag
    took them; chinwag's defaults when the source has no Roles row)."""
    out = []
    for base in SCHEME_ROLES:
        name = scheme.get(f"default{base.replace('_', '')}role")
        if not name or name not in role_perms:
            continue
        builtin = role_perms.get(base)
        if builtin is None:
            builtin = set(permissions.BUILTIN_ROLES[base].permissions) if base in permissions.BUILTIN_ROLES else set()
        denied, allowed = sorted(builtin - role_perms[name]), sorted(role_perms[name] - builtin)
        parts = ([f"without {', '.join(denied[:10])}" + (" …" if len(denied) > 10 else "")] if denied else []) + \
                ([f"also {', '.join(allowed[:10])}" + (" …" if len(allowed) > 10 else "")] if allowed else [])
        if parts:
            out.append(f"{base} {' and '.join(parts)}")
    return out


async def _gather(jobs: list[Awaitable[None]]) -> None:
    if jobs:
        await asyncio.gather(*jobs)


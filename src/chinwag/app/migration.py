"""Bulk entry points of a migration from Mattermost (``chinwag import mattermost``): whole rows of
Mattermost's tables — chinwag's tables mirror them — written with their own ids, so every link,
permalink, webhook URL, slash command token and personal access token keeps working.

A batch is one unit of work: the rows not in chinwag yet are added, and rows chinwag has from an
earlier run are updated when the source's copy is newer (``store.sql.import_store.MIGRATED`` names the
columns that tell), so a migration resumes where it stopped and a second run (after the source got
more messages) brings only the difference, and mirrors what the source deleted since (``MIRRORED``:
posts deleted, members removed, channels archived; orphans of an interrupted run removed).

Live clients see the result: new users publish ``new_user`` and changed ones ``user_updated``, new
team members ``added_to_team`` and those who left ``leave_team``, changed teams ``update_team``, new
channel members ``user_added`` and removed ones ``user_removed``, archived channels ``channel_deleted``,
changed channels ``channel_updated``, statuses ``status_change`` and roles ``role_updated``, as the app's
own changes do; a run that changed anything ends with ``_caches_flush`` (every server drops its cached
users, channels, roles of members, statuses and sessions). Imported history publishes no ``posted``
events (like every importer). Files are copied byte for byte to the same path in chinwag's file store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chinwag.app.core import AppCore
from chinwag.app.file import FileService
from chinwag.app.roles import NOT_ALLOWED_PERMISSIONS, ROLE_UPDATED
from chinwag.filestore.base import FileBackend, FileNotFound
from chinwag.model import permissions
from chinwag.model.search_text import index_text
from chinwag.platform.events import Broadcast, Event
from chinwag.plugin.bundled.gitlab.server import tokens
from chinwag.store.sql.engine import sqlalchemy_url
from chinwag.store.sql.import_store import KEYED as KEYED  # the importer's too: the tables' keys
from chinwag.store.sql.import_store import MIGRATED, migrated_columns
from chinwag.store.sql.import_store import MIRRORED as MIRRORED  # the importer's too: what a re-run mirrors

#: unique columns (besides the id) a source row may collide on with a different chinwag row
UNIQUE: dict[str, list[tuple[str, ...]]] = {
    "users": [("username",), ("email",)], "teams": [("name",)], "channels": [("teamid", "name")],
    "emoji": [("name", "deleteat")],
}


def source_database_url(driver: str, datasource: str) -> tuple[str, dict[str, Any]]:
    """The SQLAlchemy URL and connect arguments of the Mattermost database to migrate from (its
    ``SqlSettings.DriverName`` and ``DataSource``)."""
    return sqlalchemy_url(driver, datasource)


#: the bundled GitLab plugin's id (Mattermost's GitLab plugin's)
GITLAB_PLUGIN = "com.github.manland.mattermost-plugin-gitlab"
#: a connection's settings until its user changes them (the bundled plugin's ``DEFAULT_SETTINGS``)
GITLAB_DEFAULT_SETTINGS = {"notifications": True, "daily_reminder": True}


@dataclass
class GitLabAccount:
    """An account connected in Mattermost's GitLab plugin, its tokens decrypted."""

    user_id: str
    gitlab_user_id: int
    gitlab_username: str
    access_token: str
    refresh_token: str = ""
    #: when the access token expires (ms; 0: not said)
    expiry: int = 0
    last_todo_post_at: int = 0
    settings: dict[str, bool] = field(default_factory=dict)


@dataclass
class GitLabAdded:
    added: int = 0
    #: connected in chinwag already (that connection stays)
    kept: int = 0
    #: the GitLab account is connected to another chinwag user
    taken: int = 0
    #: the user is not in chinwag
    no_user: int = 0


@dataclass
class Written:
    added: int
    updated: int
    #: rows the source marks removed that chinwag deleted (reactions)
    removed: int = 0


@dataclass
class RolesApplied:
    """What the source's roles changed: the built-in roles whose permissions now are the source's, and the
    permissions chinwag does not have (left out), per role."""

    updated: list[str] = field(default_factory=list)
    unknown: dict[str, list[str]] = field(default_factory=dict)


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

    async def write(self, table: str, rows: Sequence[dict[str, Any]], fresh: bool = False,
                    ledger: tuple[str, int] | None = None) -> Written:
        """One batch of source rows of one table (keys: chinwag's column names). ``fresh``: the caller knows
        none of them is in chinwag (posts, whose random ids nothing else creates, into an empty table).
        ``ledger`` (source key, first run's start): rows of a ``MIRRORED`` table newer than the first run
        are written in the ledger, so a later run knows they came from the source. Reactions the source
        marks removed are deleted from chinwag (unless chinwag's copy is newer)."""
        if table not in MIGRATED:
            raise ValueError(f"not a migrated table: {table}")
        removed_rows: list[dict[str, Any]] = []
        if table == "reactions":
            removed_rows = [r for r in rows if r.get("deleteat")]
            rows = [r for r in rows if not r.get("deleteat")]
        async with self.core.unit_of_work() as uow:
            w = self.core.store.imports.rows_writer(uow.conn)
            added, changed = await w.merge(table, rows, _post_search if table == "posts" else None, fresh)
            removed = await w.delete_reactions(removed_rows) if removed_rows else 0
            if ledger is not None and table in MIRRORED:
                since, col = ledger[1], MIRRORED[table]
                key = ("channelid", "userid") if table == "channelmembers" else KEYED.get(table, ("id",))
                keys = [tuple(r[c] for c in key) for r in (*added, *changed)
                        if not col or (r.get(col) or 0) >= since]
                if keys:
                    await w.ledger(ledger[0], table, keys, self.core.now())
            await self._events(uow, table, added, changed)
        if changed and table in ("users", "teams", "channels"):
            await self._changed(table, [r["id"] for r in changed])
        return Written(len(added), len(changed), removed)

    async def _changed(self, table: str, ids: list[str]) -> None:
        """``user_updated``, ``update_team`` (``delete_team`` for one archived since), ``channel_updated`` (and
        ``channel_deleted`` for one archived since) for rows a batch changed, read as committed."""
        if table == "users":
            privacy = self.core.cfg.PrivacySettings
            for u in await self.core.store.users.get_many(ids):
                public = u.sanitized_for(False, False, privacy.ShowEmailAddress, privacy.ShowFullName)
                self.core.publish(Event("user_updated", {"user": public.to_dict()}))
        elif table == "teams":  # one archived there since: delete_team, as the app's team deletion
            for t in await self.core.store.teams.get_many(ids):
                self.core.publish(Event("delete_team" if t.delete_at else "update_team",
                                        {"team": json.dumps(t.to_dict())}, Broadcast(team_id=t.id)))
        else:
            for ch in await self.core.store.channels.get_many(ids):
                if ch.delete_at:
                    self.core.publish(Event("channel_deleted", {"channel_id": ch.id, "delete_at": ch.delete_at},
                                            Broadcast(channel_id=ch.id, team_id="")))
                self.core.publish(Event("channel_updated", {"channel": json.dumps(ch.to_dict())},
                                        Broadcast(channel_id=ch.id)))

    async def _events(self, uow: Any, table: str, added: list[dict[str, Any]], changed: list[dict[str, Any]]
                      ) -> None:
        """What the app publishes for the same change made through it."""
        if table == "users":
            for r in added:
                uow.publish(Event("new_user", {"user_id": r["id"]}))
        elif table == "teammembers":
            for r in added:
                if not r.get("deleteat"):
                    uow.publish(Event("added_to_team", {"team_id": r["teamid"], "user_id": r["userid"]},
                                      Broadcast(user_id=r["userid"])))
            for r in changed:  # left the team there (Mattermost keeps the member marked deleted)
                if r.get("deleteat"):
                    uow.publish(Event("leave_team", {"team_id": r["teamid"], "user_id": r["userid"]},
                                      Broadcast(team_id=r["teamid"], user_ids=[r["userid"]])))
        elif table == "channelmembers":
            teams = {c.id: c.team_id for c in await self.core.store.channels.get_many(
                list({r["channelid"] for r in added}))} if added else {}
            for r in added:
                uow.publish(Event("user_added", {"user_id": r["userid"], "team_id": teams.get(r["channelid"], "")},
                                  Broadcast(channel_id=r["channelid"])))
        elif table == "status":
            for r in (*added, *changed):
                data: dict[str, Any] = {"status": r["status"], "user_id": r["userid"]}
                uow.publish(Event("status_change", data, Broadcast(user_id=r["userid"])))

    # what the source's other tables change ----------------------------------------------------------

    async def apply_roles(self, rows: Sequence[dict[str, Any]]) -> RolesApplied:
        """The source's built-in roles (``name``, ``permissions`` space-separated, ``updateat``, ``deleteat``):
        a role whose permissions differ from chinwag's takes the source's when chinwag's copy was never
        changed or changed before the source's (a permission chinwag does not have is left out; one no one
        may add or remove keeps chinwag's setting). Scheme roles, custom roles and deleted ones are not chinwag's: left to
        the caller to report. Each role changed publishes ``role_updated``."""
        out = RolesApplied()
        stored = {r.name: r for r in await self.core.store.roles.get_all()}
        known = permissions.ALL_PERMISSIONS.union(permissions.DEPRECATED_PERMISSIONS, *(r.permissions for r in permissions.BUILTIN_ROLES.values()))
        fixed = NOT_ALLOWED_PERMISSIONS
        for src in rows:
            role = stored.get(src["name"])
            if role is None or src.get("deleteat") or src["name"] not in permissions.BUILTIN_ROLES:
                continue
            wanted = [p for p in dict.fromkeys((src.get("permissions") or "").split()) if p]
            unknown = [p for p in wanted if p not in known]
            if unknown:
                out.unknown[role.name] = unknown
            have = set(role.permissions)
            perms = [p for p in wanted if p in known and p not in fixed] + sorted(have & fixed)
            if set(perms) == have:
                continue
            if role.update_at != role.create_at and (src.get("updateat") or 0) <= role.update_at:
                continue  # changed in chinwag after the source's last change: chinwag's stays
            async with self.core.unit_of_work() as uow:
                new = await self.core.store.roles.update_permissions(role.id, perms, self.core.now(), uow.conn)
                uow.publish(Event(ROLE_UPDATED, {"role": json.dumps(new.to_dict())}, Broadcast()))
            out.updated.append(role.name)
        return out

    async def gitlab_subscriptions(self, raw: bytes) -> int:
        """The channel subscriptions of Mattermost's GitLab plugin (its ``subscriptions`` key: ``{"Repositories":
        {path: [{"ChannelID", "CreatorID", "Features", "Repository"}]}}``) added to the bundled plugin's (the
        same under snake_case keys); a channel's own subscription in chinwag stays. How many were added."""
        try:
            source = json.loads(raw or b"{}")
        except ValueError:
            return 0
        repos_in = (source.get("Repositories") or {}) if isinstance(source, dict) else {}
        for _ in range(5):
            now = self.core.now()
            old = await self.core.store.plugins.get(GITLAB_PLUGIN, "subscriptions", now)
            mine = json.loads(old) if old else {}
            repos: dict[str, list[dict[str, str]]] = dict(mine.get("repositories") or {})
            added = 0
            for path, subs in repos_in.items():
                have = repos.setdefault(path, [])
                for sub in subs or []:
                    if not isinstance(sub, dict) or any(x["channel_id"] == sub.get("ChannelID") for x in have):
                        continue
                    have.append({"channel_id": str(sub.get("ChannelID", "")), "creator_id": str(sub.get("CreatorID", "")),
                                 "features": str(sub.get("Features", "")), "repository": str(sub.get("Repository") or path)})
                    added += 1
            if not added:
                return 0
            new = json.dumps({"repositories": repos}, sort_keys=True).encode()
            if await self.core.store.plugins.compare_and_set(GITLAB_PLUGIN, "subscriptions", old, new, now):
                return added
        return 0

    async def gitlab_accounts(self, accounts: Sequence[GitLabAccount], source_gitlab_url: str = "") -> GitLabAdded:
        """The GitLab accounts people connected in Mattermost's GitLab plugin stored as the bundled plugin keeps
        a connection (``<user id>_gitlabtoken``, the tokens sealed under chinwag's own ``EncryptionKey`` of
        the plugin, and the ``<gitlab username>_gitlabusername`` lookup), so they need no ``/gitlab connect``.
        A user connected in chinwag already keeps that connection, and a GitLab account connected to another
        chinwag user stays theirs."""
        out = GitLabAdded()
        if not accounts:
            return out
        settings = {str(k).lower(): v for k, v in (self.core.cfg.PluginSettings.Plugins.get(GITLAB_PLUGIN) or {}).items()}
        key = str(settings.get("encryptionkey") or "")
        base = str(settings.get("gitlaburl") or source_gitlab_url or "https://gitlab.com").rstrip("/")
        present = {u.id for u in await self.core.store.users.get_many([a.user_id for a in accounts])}
        store = self.core.store.plugins
        for a in accounts:
            if a.user_id not in present:
                out.no_user += 1
                continue
            now = self.core.now()
            lookup = f"{a.gitlab_username.lower()}_gitlabusername"
            owner = await store.get(GITLAB_PLUGIN, lookup, now)
            if owner is not None and owner.decode() != a.user_id:
                out.taken += 1
                continue
            conn = {"user_id": a.user_id, "gitlab_user_id": a.gitlab_user_id, "gitlab_username": a.gitlab_username,
                    "web_url": f"{base}/{a.gitlab_username}", "avatar_url": "",
                    "token": tokens.seal(key, a.access_token), "refresh_token": tokens.seal(key, a.refresh_token),
                    "expiry": a.expiry, "settings": {**GITLAB_DEFAULT_SETTINGS, **a.settings},
                    "last_todo_post_at": a.last_todo_post_at}
            if await store.compare_and_set(GITLAB_PLUGIN, f"{a.user_id}_gitlabtoken", None,
                                           json.dumps(conn).encode(), now):
                out.added += 1
            else:
                raw = await store.get(GITLAB_PLUGIN, f"{a.user_id}_gitlabtoken", now)
                mine = json.loads(raw) if raw else {}
                out.kept += 1
                if str(mine.get("gitlab_username", "")).lower() != a.gitlab_username.lower():
                    continue  # connected in chinwag to another GitLab account: that one stays
            if owner is None:  # the lookup (also when an earlier run stopped between the two writes)
                await store.compare_and_set(GITLAB_PLUGIN, lookup, None, a.user_id.encode(), now)
        return out

    # a re-run: what the source deleted since ----------------------------------------------------------

    async def first_run(self, source_key: str, start: bool = True) -> int | None:
        """When the migration from this source first ran (now, for the first run; ``start`` false: None
        when it never ran)."""
        name = "MigrationFirstRun:" + source_key
        if not start:
            value = await self.core.store.system.get(name)
            return int(value) if value else None
        return int(await self.core.store.system.set_if_absent(name, str(self.core.now())))

    async def counts_by_channel(self, table: str) -> dict[str, int]:
        return await self.core.store.imports.counts_by_channel(table)

    async def channel_keys(self, table: str, channel_id: str) -> list[tuple[str, int]]:
        return await self.core.store.imports.channel_keys(table, channel_id)

    async def table_keys(self, table: str) -> list[tuple[str, int]]:
        return await self.core.store.imports.table_keys(table)

    async def delete_rows(self, table: str, ids: Sequence[str]) -> int:
        """Sessions the source signed out, access tokens it revoked, drafts gone there (sent): deleted (servers
        drop their cached sessions with the ``_caches_flush`` that ends the run)."""
        if table not in KEYED:
            raise ValueError(f"not a table whose rows a migration deletes: {table}")
        async with self.core.unit_of_work() as uow:
            return await self.core.store.imports.rows_writer(uow.conn).delete_rows(table, ids)

    async def all_teams(self) -> list[tuple[str, int, int]]:
        return await self.core.store.imports.all_teams()

    async def all_channels(self) -> list[tuple[str, int, int]]:
        return await self.core.store.imports.all_channels()

    async def in_ledger(self, source_key: str, table: str, keys: Sequence[str]) -> set[str]:
        return await self.core.store.imports.in_ledger(source_key, table, keys)

    async def delete_posts(self, ids: Sequence[str]) -> int:
        """Posts the source no longer has (deleted for good there): deleted in chinwag (``delete_at``)."""
        async with self.core.unit_of_work() as uow:
            return await self.core.store.imports.rows_writer(uow.conn).mark_posts_deleted(ids, self.core.now())

    async def remove_members(self, channel_id: str, user_ids: Sequence[str]) -> int:
        """Members who left the channel in the source: removed, with the events of a removal."""
        async with self.core.unit_of_work() as uow:
            removed = await self.core.store.imports.rows_writer(uow.conn).remove_members(channel_id, user_ids)
            for u in removed:
                uow.publish(Event("user_removed", {"user_id": u, "remover_id": ""}, Broadcast(channel_id=channel_id)))
                uow.publish(Event("user_removed", {"channel_id": channel_id, "remover_id": ""},
                                  Broadcast(user_id=u)))
        return len(removed)

    async def archive_teams(self, ids: Sequence[str]) -> int:
        """Teams the source no longer has (deleted for good there): archived, with ``delete_team`` (as the
        app's team deletion); their channels are archived as channels gone from the source."""
        now = self.core.now()
        async with self.core.unit_of_work() as uow:
            done = await self.core.store.imports.rows_writer(uow.conn).archive_teams(ids, now)
        for t in await self.core.store.teams.get_many(done):
            self.core.publish(Event("delete_team", {"team": json.dumps(t.to_dict())}, Broadcast(team_id=t.id)))
        return len(done)

    async def archive_channels(self, ids: Sequence[str]) -> int:
        """Channels the source no longer has: archived, with ``channel_deleted``."""
        now = self.core.now()
        async with self.core.unit_of_work() as uow:
            done = await self.core.store.imports.rows_writer(uow.conn).archive_channels(ids, now)
            for cid in done:
                uow.publish(Event("channel_deleted", {"channel_id": cid, "delete_at": now},
                                  Broadcast(channel_id=cid, team_id="")))
        return len(done)

    async def missing_threads(self) -> int:
        """Thread rows made for roots with replies but none (Mattermost before 5.29 kept none)."""
        async with self.core.unit_of_work() as uow:
            return await self.core.store.imports.rows_writer(uow.conn).missing_threads()

    async def repair_orphans(self) -> dict[str, int]:
        async with self.core.unit_of_work() as uow:
            return await self.core.store.imports.rows_writer(uow.conn).repair_orphans()

    def flush_caches(self) -> None:
        """Every server drops its cached users, channels, member roles, statuses and sessions."""
        self.core.publish(Event("_caches_flush"))

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

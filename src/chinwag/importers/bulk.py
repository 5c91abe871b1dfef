"""`chinwag import bulk`: Mattermost's bulk import JSONL (a .jsonl file, or a .zip with one .jsonl at
its root and attachments under data/).

Every line is validated first (Mattermost's rules, errors reported with their line numbers; a
reference must point at an earlier line or at something already in the database); only a file
without errors is applied. Lines: version, team, channel, user, bot, post, direct_channel,
direct_post, emoji (custom emoji, image under data/). role and scheme lines are validated by
Mattermost's rules and reported as not applied: chinwag's roles are its fixed defaults and it has no
permission schemes. Re-runs add
only what is missing: teams, channels and users are matched by name, posts by
(channel, create_at, message) through ``importmappings``."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

import msgspec

from chinwag.app.app import App
from chinwag.app.context import Ctx
from chinwag.app.integration import user_ctx
from chinwag.app.mentions import parse_hashtags
from chinwag.app.validate import (
    EMOJI_NAME_RE,
    is_valid_channel_name,
    is_valid_email,
    is_valid_team_name,
    is_valid_username,
)
from chinwag.importers import bulk_prefs
from chinwag.importers.archive import ImportFailure, Progress, Report, SafeZip
from chinwag.model.channel import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    Channel,
    direct_channel_name,
    group_channel_name,
)
from chinwag.model.emoji import emoji_name_error
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.model.integration import Bot
from chinwag.model.permissions import ALL_PERMISSIONS, DEFAULT_ROLES
from chinwag.model.post import MAX_FILE_IDS, POST_MESSAGE_MAX_RUNES, POST_PROPS_MAX_RUNES, Post
from chinwag.model.team import TeamCreate, TeamMember
from chinwag.model.user import SYSTEM_USER_ROLE, Preference, User, default_notify_props

KINDS = ("version", "role", "scheme", "emoji", "team", "channel", "user", "bot", "post", "direct_channel", "direct_post")
MAX_LINE = 16 * 1024 * 1024
ROLE_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
SOURCE = "bulk"


@dataclass
class LineError:
    line: int
    field: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "error": self.error}


@dataclass
class Parsed:
    lines: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    teams: set[str] = field(default_factory=set)
    channels: set[tuple[str, str]] = field(default_factory=set)
    users: set[str] = field(default_factory=set)
    schemes: set[str] = field(default_factory=set)


def _str(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    return v if isinstance(v, str) else ""


class Validator:
    """Mattermost's per-line rules plus references to earlier lines (or to ``known`` database names)."""

    def __init__(self, known_users: set[str], known_teams: set[str], known_channels: set[tuple[str, str]],
                 files: set[str] | None) -> None:
        self.p = Parsed()
        self.known_users = known_users
        self.known_teams = known_teams
        self.known_channels = known_channels
        self.files = files  # attachment paths in the archive; None: a bare .jsonl (paths not checked)

    def err(self, line: int, fld: str, msg: str) -> None:
        self.p.errors.append(LineError(line, fld, msg))

    def feed(self, n: int, raw: bytes) -> None:
        if not raw.strip():
            return
        if len(raw) > MAX_LINE:
            return self.err(n, "", "line longer than 16 MiB")
        try:
            obj = msgspec.json.decode(raw)
        except msgspec.DecodeError as e:
            return self.err(n, "", f"malformed JSON: {e}")
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            return self.err(n, "type", "a line is a JSON object with a type")
        kind = obj["type"]
        if kind not in KINDS:
            return self.err(n, "type", f"unknown line type {kind!r}")
        if not self.p.lines and kind != "version":
            return self.err(n, "type", "the first line must be the version line")
        if kind == "version":
            if self.p.lines:
                return self.err(n, "type", "only the first line may be a version line")
            if obj.get("version") != 1:
                return self.err(n, "version", "version must be 1")
            self.p.lines.append((n, kind, obj))
            return
        data = obj.get(kind)
        if not isinstance(data, dict):
            return self.err(n, kind, f"missing {kind} object")
        before = len(self.p.errors)
        getattr(self, f"_{kind}")(n, data)
        if len(self.p.errors) == before:
            self.p.lines.append((n, kind, data))

    def _team(self, n: int, d: dict[str, Any]) -> None:
        name = _str(d, "name")
        if not is_valid_team_name(name):
            self.err(n, "team.name", "invalid team name")
        if not 1 <= len(_str(d, "display_name")) <= 64:
            self.err(n, "team.display_name", "1 to 64 characters")
        if d.get("type") not in ("O", "I"):
            self.err(n, "team.type", "must be O or I")
        if len(_str(d, "description")) > 255:
            self.err(n, "team.description", "at most 255 characters")
        self._scheme_ref(n, "team.scheme", d.get("scheme"))
        self.p.teams.add(name)

    def _scheme_ref(self, n: int, fld: str, name: Any) -> None:
        if name is not None and name not in self.p.schemes:
            self.err(n, fld, f"unknown scheme {name!r} (not defined on an earlier line)")

    def _team_ref(self, n: int, fld: str, name: str) -> None:
        if name not in self.p.teams and name not in self.known_teams:
            self.err(n, fld, f"unknown team {name!r} (not defined on an earlier line or in the database)")

    def _channel(self, n: int, d: dict[str, Any]) -> None:
        team, name = _str(d, "team"), _str(d, "name")
        self._team_ref(n, "channel.team", team)
        if not is_valid_channel_name(name):
            self.err(n, "channel.name", "invalid channel name")
        if d.get("type") not in ("O", "P"):
            self.err(n, "channel.type", "must be O or P")
        if len(_str(d, "display_name")) > 64:
            self.err(n, "channel.display_name", "at most 64 characters")
        if len(_str(d, "header")) > 1024:
            self.err(n, "channel.header", "at most 1024 characters")
        if len(_str(d, "purpose")) > 250:
            self.err(n, "channel.purpose", "at most 250 characters")
        self._scheme_ref(n, "channel.scheme", d.get("scheme"))
        self.p.channels.add((team, name))

    def _user(self, n: int, d: dict[str, Any]) -> None:
        username = _str(d, "username").lower()
        if not is_valid_username(username):
            self.err(n, "user.username", "invalid username")
        email = _str(d, "email")
        if not is_valid_email(email.lower()):  # what Mattermost's user.IsValid requires when it saves the user
            self.err(n, "user.email", "a valid email is required (one address, at most 128 characters)")
        for key, limit in (("nickname", 64), ("first_name", 64), ("last_name", 64), ("position", 128)):
            if len(_str(d, key)) > limit:
                self.err(n, f"user.{key}", f"at most {limit} characters")
        if bool(d.get("auth_service")) != bool(d.get("auth_data")):
            self.err(n, "user.auth_service", "auth_service and auth_data go together")
        for fld, problem in bulk_prefs.invalid_user_fields(d):
            self.err(n, fld, problem)
        for i, t in enumerate(d.get("teams") or []):
            if not isinstance(t, dict):
                self.err(n, f"user.teams[{i}]", "expected an object")
                continue
            self._team_ref(n, f"user.teams[{i}].name", _str(t, "name"))
            for j, c in enumerate(t.get("channels") or []):
                ref = (_str(t, "name"), _str(c, "name") if isinstance(c, dict) else "")
                if ref not in self.p.channels and ref not in self.known_channels:
                    self.err(n, f"user.teams[{i}].channels[{j}].name", f"unknown channel {ref[1]!r}")
                if isinstance(c, dict):
                    for fld, problem in bulk_prefs.invalid_channel_fields(f"user.teams[{i}].channels[{j}]", c):
                        self.err(n, fld, problem)
        self.p.users.add(username)

    def _bot(self, n: int, d: dict[str, Any]) -> None:
        if not is_valid_username(_str(d, "username").lower()):
            self.err(n, "bot.username", "invalid username")
        if _str(d, "owner").lower() != _str(d, "username").lower():  # a bot may own itself
            self._user_ref(n, "bot.owner", _str(d, "owner"))
        if len(_str(d, "display_name")) > 64:
            self.err(n, "bot.display_name", "at most 64 characters")
        self.p.users.add(_str(d, "username").lower())

    def _user_ref(self, n: int, fld: str, name: str) -> None:
        if name.lower() not in self.p.users and name.lower() not in self.known_users:
            self.err(n, fld, f"unknown user {name!r} (not defined on an earlier line or in the database)")

    def _post_body(self, n: int, prefix: str, d: dict[str, Any], parent_at: int = 0) -> None:
        self._user_ref(n, f"{prefix}.user", _str(d, "user"))
        message = d.get("message")
        if not isinstance(message, str):
            self.err(n, f"{prefix}.message", "required")
        elif len(message) > POST_MESSAGE_MAX_RUNES:
            self.err(n, f"{prefix}.message", f"longer than {POST_MESSAGE_MAX_RUNES} characters")
        at = d.get("create_at")
        if not isinstance(at, int) or isinstance(at, bool) or at <= 0:
            self.err(n, f"{prefix}.create_at", "required, milliseconds > 0")
            at = 0
        props = d.get("props")
        if props is not None and (not isinstance(props, dict) or
                                  len(msgspec.json.encode(props)) > POST_PROPS_MAX_RUNES):
            self.err(n, f"{prefix}.props", "an object of at most 800000 characters")
        for i, r in enumerate(d.get("reactions") or []):
            rat = r.get("create_at") if isinstance(r, dict) else None
            if not isinstance(r, dict) or not EMOJI_NAME_RE.match(_str(r, "emoji_name")) or \
                    len(_str(r, "emoji_name")) > 64:
                self.err(n, f"{prefix}.reactions[{i}].emoji_name", "invalid emoji name")
                continue
            self._user_ref(n, f"{prefix}.reactions[{i}].user", _str(r, "user"))
            if not isinstance(rat, int) or rat < at:
                self.err(n, f"{prefix}.reactions[{i}].create_at", "required, not before the post")
        for i, a in enumerate(d.get("attachments") or []):
            path = _str(a, "path") if isinstance(a, dict) else ""
            norm = posixpath.normpath(path)
            if not path or path.startswith("/") or norm.startswith(".."):
                self.err(n, f"{prefix}.attachments[{i}].path", "a path inside data/")
            elif self.files is not None and "data/" + norm not in self.files:
                self.err(n, f"{prefix}.attachments[{i}].path", f"data/{norm} is not in the archive")
        flagged = d.get("flagged_by")
        if flagged is not None and not isinstance(flagged, list):
            self.err(n, f"{prefix}.flagged_by", "a list of usernames")
        for i, u in enumerate(flagged or []):
            self._user_ref(n, f"{prefix}.flagged_by[{i}]", u if isinstance(u, str) else "")
        for i, f in enumerate(d.get("thread_followers") or []):
            if not isinstance(f, dict):
                self.err(n, f"{prefix}.thread_followers[{i}]", "expected an object")
                continue
            self._user_ref(n, f"{prefix}.thread_followers[{i}].user", _str(f, "user"))
            for key in ("last_viewed", "unread_mentions"):
                if key in f and (not isinstance(f[key], int) or isinstance(f[key], bool) or f[key] < 0):
                    self.err(n, f"{prefix}.thread_followers[{i}].{key}", "a number ≥ 0")
        for i, reply in enumerate(d.get("replies") or []):
            if not isinstance(reply, dict):
                self.err(n, f"{prefix}.replies[{i}]", "expected an object")
            else:
                self._post_body(n, f"{prefix}.replies[{i}]", reply, at)

    def _post(self, n: int, d: dict[str, Any]) -> None:
        key = (_str(d, "team"), _str(d, "channel"))
        if key not in self.p.channels and key not in self.known_channels:
            self.err(n, "post.channel", f"unknown channel {key[1]!r} in team {key[0]!r}")
        self._post_body(n, "post", d)

    def _members(self, n: int, fld: str, members: Any) -> None:
        if not isinstance(members, list) or not 2 <= len(members) <= 8:
            self.err(n, fld, "2 to 8 usernames")
            return
        for m in members:
            self._user_ref(n, fld, m if isinstance(m, str) else "")

    def _direct_channel(self, n: int, d: dict[str, Any]) -> None:
        members = d.get("members") or [p.get("username") for p in d.get("participants") or []
                                       if isinstance(p, dict)]
        self._members(n, "direct_channel.members", members)
        d["members"] = members
        favorited = d.get("favorited_by") or []
        if not isinstance(favorited, list) or not all(isinstance(u, str) and u in members for u in favorited):
            self.err(n, "direct_channel.favorited_by", "usernames among the members")
        if len(_str(d, "header")) > 1024:
            self.err(n, "direct_channel.header", "at most 1024 characters")

    def _direct_post(self, n: int, d: dict[str, Any]) -> None:
        self._members(n, "direct_post.channel_members", d.get("channel_members"))
        self._post_body(n, "direct_post", d)

    def _emoji(self, n: int, d: dict[str, Any]) -> None:
        problem = emoji_name_error(_str(d, "name"))
        if problem:
            self.err(n, "emoji.name", f"invalid emoji name: {problem}")
        self._path(n, "emoji.image", d.get("image"))

    def _path(self, n: int, fld: str, path: Any) -> None:
        """A file under data/ that the archive has (not checked for a bare .jsonl)."""
        if not isinstance(path, str) or not path:
            return self.err(n, fld, "a path under data/ is required")
        norm = posixpath.normpath(path)
        if path.startswith("/") or norm.startswith(".."):
            return self.err(n, fld, "the path must stay inside data/")
        if self.files is None:
            self.err(n, fld, f"data/{norm}: a bare .jsonl carries no files (import a .zip with a data/ folder)")
        elif "data/" + norm not in self.files:
            self.err(n, fld, f"data/{norm} is not in the archive")

    def _role_data(self, n: int, fld: str, d: Any) -> None:
        if not isinstance(d, dict):
            return self.err(n, fld, "expected a role object")
        if not ROLE_NAME.match(_str(d, "name")):
            self.err(n, f"{fld}.name", "a role name is 1 to 64 of a-z, 0-9 and _")
        if "display_name" in d and not 1 <= len(_str(d, "display_name")) <= 128:
            self.err(n, f"{fld}.display_name", "1 to 128 characters")
        if len(_str(d, "description")) > 1024:
            self.err(n, f"{fld}.description", "at most 1024 characters")
        perms = d.get("permissions")
        if perms is not None and (not isinstance(perms, list) or not all(isinstance(x, str) for x in perms)):
            self.err(n, f"{fld}.permissions", "a list of permission names")

    def _role(self, n: int, d: dict[str, Any]) -> None:
        self._role_data(n, "role", {**d, "name": _str(d, "name")})

    def _scheme(self, n: int, d: dict[str, Any]) -> None:
        if not ROLE_NAME.match(_str(d, "name")):
            self.err(n, "scheme.name", "a scheme name is 1 to 64 of a-z, 0-9 and _")
        if not 1 <= len(_str(d, "display_name")) <= 128:
            self.err(n, "scheme.display_name", "1 to 128 characters")
        if len(_str(d, "description")) > 1024:
            self.err(n, "scheme.description", "at most 1024 characters")
        scope = d.get("scope")
        if scope not in ("team", "channel"):
            return self.err(n, "scheme.scope", "must be team or channel")
        needed = ["default_channel_admin_role", "default_channel_user_role"]
        if scope == "team":
            needed += ["default_team_admin_role", "default_team_user_role"]
        for key in needed:
            if key not in d:
                self.err(n, f"scheme.{key}", f"required for a {scope} scheme")
        for key in ("default_team_admin_role", "default_team_user_role", "default_team_guest_role",
                    "default_channel_admin_role", "default_channel_user_role", "default_channel_guest_role"):
            if key in d:
                self._role_data(n, f"scheme.{key}", d[key])
        self.p.schemes.add(_str(d, "name"))


def _jsonl_of(path: str) -> tuple[SafeZip | None, IO[bytes]]:
    if path.lower().endswith(".zip"):
        zf = SafeZip(path)
        names = sorted(n for n in zf.names() if n.endswith(".jsonl") and "/" not in n)
        if not names:
            zf.close()
            raise ImportFailure("no .jsonl file at the root of the archive", path)
        return zf, zf.open(names[0])
    try:
        return None, open(path, "rb")
    except OSError as e:
        raise ImportFailure(f"cannot read: {e.strerror}", path) from None


async def validate_file(path: str, known: tuple[set[str], set[str], set[tuple[str, str]]], progress: Progress,
                        report: Report) -> tuple[SafeZip | None, Parsed]:
    """Every line of the file checked (``known``: usernames, team names and (team, channel) names already in
    the database); the archive stays open for the import (the caller closes it)."""
    zf, fh = _jsonl_of(path)
    try:
        files = {n for n in zf.names() if n.startswith("data/")} if zf else None
        v = Validator(*known, files)
        progress.begin("validate", 0)
        for n, raw in enumerate(fh, 1):
            v.feed(n, raw)
            progress.advance()
        progress.end()
    except BaseException:
        if zf:
            zf.close()
        raise
    finally:
        fh.close()
    if not v.p.lines:
        v.err(1, "type", "empty file: the first line must be the version line")
    for kind in KINDS:
        count = sum(1 for _, k, _ in v.p.lines if k == kind)
        if count:
            report.add(kind, "lines", count)
    return zf, v.p


def validation_failure(path: str, errors: list[LineError]) -> ImportFailure:
    first = errors[0]
    return ImportFailure(f"{first.field}: {first.error} ({len(errors)} error(s))", path.rsplit("/", 1)[-1], first.line)


class BulkImporter:
    def __init__(self, app: App, path: str, *, validate_only: bool = False, progress: Progress | None = None
                 ) -> None:
        self.app = app
        self.imports = app.imports  # what the import reads; its writes are the services' bulk entry points
        self.path = path
        self.validate_only = validate_only
        self.progress = progress or Progress(enabled=False)
        self.report = Report(source=path, dry_run=validate_only, action="Validated" if validate_only else "Imported")
        self.errors: list[LineError] = []
        self.users: dict[str, str] = {}  # username → id
        self.teams: dict[str, str] = {}
        self.channels: dict[tuple[str, str], Channel] = {}
        self.touched: dict[str, Channel] = {}
        #: flagged posts and thread followers of the posts being written, saved after each batch
        self.flags: list[Preference] = []
        self.followers: list[tuple[str, str, int, int]] = []
        # memberships of consecutive user lines, added together (see _flush_members)
        self.pending_team: defaultdict[str, list[TeamMember]] = defaultdict(list)
        self.pending_channel: defaultdict[tuple[str, bool], list[str]] = defaultdict(list)
        self.pending_channels: dict[str, Channel] = {}
        self.pending_users = 0
        self.zf: SafeZip | None = None

    async def run(self) -> Report:
        import time

        started = time.monotonic()
        self.zf, parsed = await validate_file(self.path, await self.imports.known_names(), self.progress,
                                              self.report)
        try:
            self.errors = parsed.errors
            if self.errors:
                raise validation_failure(self.path, self.errors)
            if not self.validate_only:
                self.progress.begin("apply", len(parsed.lines))
                await self._apply(parsed.lines)
                self.progress.end()
        finally:
            if self.zf:
                self.zf.close()
        self.report.seconds = time.monotonic() - started
        return self.report

    # applying ------------------------------------------------------------------------------------

    async def _apply(self, lines: list[tuple[int, str, dict[str, Any]]]) -> None:
        batch: list[tuple[str, dict[str, Any]]] = []
        for _n, kind, d in lines:
            if kind in ("post", "direct_post"):
                if self.pending_users:
                    await self._flush_members()
                batch.append((kind, d))
                if len(batch) >= 500:
                    await self._posts(batch)
                    batch = []
            else:
                if batch:
                    await self._posts(batch)
                    batch = []
                if kind != "user" or self.pending_users >= 500:
                    await self._flush_members()
                if kind != "version":
                    await getattr(self, f"_{kind}")(d)
            self.progress.advance()
        await self._flush_members()
        if batch:
            await self._posts(batch)
        for ch in self.touched.values():
            await self.app.channels.finish_imported(SOURCE, ch)

    async def _emoji(self, d: dict[str, Any]) -> None:
        name = _str(d, "name")
        path = "data/" + posixpath.normpath(_str(d, "image"))
        if self.zf is None or not self.zf.has(path):
            self.report.skip("emoji", name, f"{path} is not in the archive (a bare .jsonl has no images)")
            return
        try:
            made = await self.app.emoji.import_emoji(name, self.zf.read(path))
        except AppError as e:
            self.report.skip("emoji", name, e.message)
            return
        self.report.add("emoji", "created" if made is not None else "existing")

    async def _role(self, d: dict[str, Any]) -> None:
        name = _str(d, "name")
        perms = set(d.get("permissions") or [])
        unknown = sorted(perms - ALL_PERMISSIONS)
        if name in DEFAULT_ROLES:
            same = perms & ALL_PERMISSIONS == DEFAULT_ROLES[name] or "permissions" not in d
            reason = ("the same as chinwag's built-in role" if same else
                      "chinwag's built-in roles are fixed; its permissions were not changed")
        else:
            reason = "chinwag has no custom roles"
        if unknown:
            reason += f" ({len(unknown)} permission(s) chinwag does not have: {', '.join(unknown[:5])}" + (
                ", …)" if len(unknown) > 5 else ")")
        self.report.skip("role", name, f"not applied: {reason}")

    async def _scheme(self, d: dict[str, Any]) -> None:
        self.report.skip("scheme", _str(d, "name"), "not applied: chinwag has no permission schemes (teams and "
                         "channels use the default roles)")

    def _scheme_not_applied(self, what: str, d: dict[str, Any]) -> None:
        if d.get("scheme"):
            self.report.warnings.append(f"{what} {_str(d, 'name')}: scheme {d['scheme']!r} not applied (chinwag has "
                                        "no permission schemes)")

    async def _team(self, d: dict[str, Any]) -> None:
        name = _str(d, "name")
        self._scheme_not_applied("team", d)
        team = await self.imports.team_by_name(name)
        if team is not None:
            self.report.add("team", "existing")
        else:
            team = await self.app.teams.create(Ctx(local=True), TeamCreate(
                name=name, display_name=_str(d, "display_name"), type=_str(d, "type") or "O",
                description=_str(d, "description"), allow_open_invite=bool(d.get("allow_open_invite"))))
            self.report.add("team", "created")
        self.teams[name] = team.id

    async def _team_id(self, name: str) -> str:
        if name not in self.teams:
            team = await self.imports.team_by_name(name)
            if team is None:  # validation checked that it is in the file or the database
                raise ImportFailure(f"team {name!r} not found", self.path)
            self.teams[name] = team.id
        return self.teams[name]

    async def _channel(self, d: dict[str, Any]) -> None:
        self._scheme_not_applied("channel", d)
        team_id = await self._team_id(_str(d, "team"))
        name = _str(d, "name")
        create = False
        found = await self.imports.channel_by_name(team_id, name)
        if found is not None:
            ch = found
            self.report.add("channel", "existing")
        else:
            now = self.app.core.now()
            ch = Channel(id=new_id(), create_at=now, update_at=now, team_id=team_id, type=_str(d, "type"),
                         name=name, display_name=_str(d, "display_name") or name, header=_str(d, "header"),
                         purpose=_str(d, "purpose"))
            create = True
            self.report.add("channel", "created")
        deleted = d.get("deleted_at")
        archived_at = deleted if isinstance(deleted, int) and deleted else 0
        if create or (archived_at and not ch.delete_at):
            await self.app.channels.import_channel(SOURCE, ch, create=create, archived_at=archived_at)
        self.channels[(_str(d, "team"), name)] = ch

    async def _channel_of(self, team: str, name: str) -> Channel:
        key = (team, name)
        if key not in self.channels:
            ch = await self.imports.channel_by_name(await self._team_id(team), name)
            if ch is None:
                raise ImportFailure(f"channel {team}/{name} not found", self.path)
            self.channels[key] = ch
        return self.channels[key]

    async def _user_id(self, username: str) -> str:
        username = username.lower()
        if username not in self.users:
            user = await self.imports.user_by_username(username)
            if user is None:
                raise ImportFailure(f"user {username!r} not found", self.path)
            self.users[username] = user.id
        return self.users[username]

    async def _new_user(self, d: dict[str, Any], is_bot: bool = False) -> tuple[str, bool]:
        username = _str(d, "username").lower()
        existing = await self.imports.user_by_username(username)
        if existing is not None:
            self.users[username] = existing.id
            self.report.add("bot" if is_bot else "user", "existing")
            return existing.id, False
        now = self.app.core.now()
        delete_at = d.get("delete_at") if isinstance(d.get("delete_at"), int) else 0
        user = User(id=new_id(), create_at=now, update_at=now, delete_at=delete_at or 0, username=username,
                    email=(_str(d, "email") or f"{username}@localhost").lower(), email_verified=True,
                    nickname=_str(d, "nickname"), first_name=_str(d, "first_name") or _str(d, "display_name"),
                    last_name=_str(d, "last_name"), position=_str(d, "position"),
                    roles=_str(d, "roles") or SYSTEM_USER_ROLE, locale=_str(d, "locale") or "en",
                    notify_props=default_notify_props(username), is_bot=is_bot,
                    auth_service=_str(d, "auth_service"), auth_data=_str(d, "auth_data") or None)
        bot: Bot | None = None
        if is_bot:
            owner = user.id if _str(d, "owner").lower() == username else await self._user_id(_str(d, "owner"))
            bot = Bot(user_id=user.id, username=username, display_name=_str(d, "display_name"),
                      description=_str(d, "description"), owner_id=owner, create_at=now, update_at=now,
                      delete_at=user.delete_at)
        await self.app.users.import_many(SOURCE, [(user, bot)], {})  # no usable password: reset or SSO
        self.users[username] = user.id
        self.report.add("bot" if is_bot else "user", "created")
        return user.id, True

    async def _user(self, d: dict[str, Any]) -> None:
        uid, _ = await self._new_user(d)
        prefs = bulk_prefs.user_preferences(d, uid)
        changed: User | None = None
        favorites: dict[str, bool] | None = None  # channel id → favourite now (read when a line says false)
        if isinstance(d.get("notify_props"), dict):
            user = await self.imports.user(uid)
            if user is None:
                raise ImportFailure(f"user {d.get('username')!r} not found", self.path)
            props = bulk_prefs.merged_notify_props(user.notify_props, d["notify_props"], bulk_prefs.USER_NOTIFY)
            if props != user.notify_props:
                user.notify_props = props
                changed = user
        self.pending_users += 1
        for t in d.get("teams") or []:
            team_id = await self._team_id(_str(t, "name"))
            admin = "team_admin" in _str(t, "roles").split()
            self.pending_team[team_id].append(TeamMember(team_id=team_id, user_id=uid, scheme_admin=admin,
                                                         create_at=self.app.core.now()))
            if _str(t, "theme"):
                prefs.append(Preference(user_id=uid, category="theme", name=team_id, value=_str(t, "theme")))
            for c in t.get("channels") or []:
                ch = await self._channel_of(_str(t, "name"), _str(c, "name"))
                admin_c = "channel_admin" in _str(c, "roles").split()
                counters = {bulk_prefs.CHANNEL_COUNTERS[k]: v for k, v in c.items() if k in bulk_prefs.CHANNEL_COUNTERS}
                if not (isinstance(c.get("notify_props"), dict) or counters):
                    # a plain membership waits to be added with the other users' of the same channel
                    # (one unit of work per channel and run of user lines instead of one per membership)
                    self.pending_channel[(ch.id, admin_c)].append(uid)
                    self.pending_channels[ch.id] = ch
                else:
                    await self._flush_members()
                    await self._add_members(ch, [uid], admin_c)
                    m = await self.imports.channel_member(ch.id, uid)
                    if m is None:
                        raise ImportFailure(f"{d.get('username')!r} is not a member of {ch.name}", self.path)
                    props = bulk_prefs.merged_notify_props(m.notify_props, c.get("notify_props"), bulk_prefs.CHANNEL_NOTIFY)
                    if props != m.notify_props or any(getattr(m, f) != v for f, v in counters.items()):
                        m.notify_props = props
                        for f, v in counters.items():
                            setattr(m, f, v)
                        await self.app.channel_members.import_member(m)
                if c.get("favorite") is True:
                    prefs.append(Preference(user_id=uid, category=bulk_prefs.FAVORITE, name=ch.id, value="true"))
                elif c.get("favorite") is False:  # no longer a favourite (absent: left as it is)
                    if favorites is None:
                        favorites = {p.name: p.value == "true" for p in
                                     await self.imports.preferences(uid, bulk_prefs.FAVORITE)}
                    if favorites.get(ch.id):
                        prefs.append(Preference(user_id=uid, category=bulk_prefs.FAVORITE, name=ch.id, value="false"))
        await self.app.users.import_settings(changed, prefs)
        if prefs:
            self.report.add("preferences", "imported", len(prefs))

    async def _flush_members(self) -> None:
        """Add the memberships deferred by a run of user lines: team members first, then each channel's."""
        for members in self.pending_team.values():
            await self.app.teams.import_members(SOURCE, list({m.user_id: m for m in members}.values()))
        for (channel_id, admin), user_ids in self.pending_channel.items():
            await self._add_members(self.pending_channels[channel_id], list(dict.fromkeys(user_ids)), admin)
        self.pending_team.clear()
        self.pending_channel.clear()
        self.pending_channels.clear()
        self.pending_users = 0

    async def _add_members(self, ch: Channel, user_ids: list[str], admin: bool = False) -> None:
        added = await self.app.channels.import_members(SOURCE, ch, user_ids, admin)
        self.report.add("channel_members", "added", len(added))

    async def _bot(self, d: dict[str, Any]) -> None:
        await self._new_user(d, is_bot=True)

    async def _direct(self, usernames: list[str]) -> Channel:
        ids = list(dict.fromkeys([await self._user_id(u) for u in usernames]))
        key = ("", "\0".join(sorted(ids)))
        if key in self.channels:
            return self.channels[key]
        name = direct_channel_name(ids[0], ids[-1]) if len(ids) <= 2 else group_channel_name(ids)
        ch = await self.imports.channel_by_name("", name)
        if ch is None:
            now = self.app.core.now()
            found = await self.imports.users(ids)
            ch = Channel(id=new_id(), create_at=now, update_at=now, team_id="", name=name,
                         type=CHANNEL_DIRECT if len(ids) <= 2 else CHANNEL_GROUP,
                         display_name="" if len(ids) <= 2 else ", ".join(sorted(u.username for u in found))[:64])
            await self.app.channels.import_direct(SOURCE, ch, ids)
            self.report.add("direct_channel", "created")
        self.channels[key] = ch
        return ch

    async def _direct_channel(self, d: dict[str, Any]) -> None:
        ch = await self._direct([m for m in d["members"] if isinstance(m, str)])
        favorites = [Preference(user_id=await self._user_id(u), category=bulk_prefs.FAVORITE, name=ch.id, value="true")
                     for u in dict.fromkeys(d.get("favorited_by") or [])]
        await self.app.preferences.import_many(favorites)
        if _str(d, "header") and not ch.header:
            ch.header = _str(d, "header")
            await self.app.channels.import_update(ch)  # ``ch`` (the importer's cached channel) has the header

    async def _posts(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        built: list[tuple[Channel, str, dict[str, Any]]] = []
        for kind, d in batch:
            if kind == "post":
                ch = await self._channel_of(_str(d, "team"), _str(d, "channel"))
            else:
                ch = await self._direct([m for m in d["channel_members"] if isinstance(m, str)])
            self.touched[ch.id] = ch
            built.append((ch, _key(ch.id, d), d))
        now = self.app.core.now()
        existing = await self.imports.mapped(SOURCE, "post", [k for _, k, _ in built])
        posts: list[Post] = []
        reactions: list[dict[str, Any]] = []
        mapping: dict[str, str] = {}
        files: list[tuple[str, str]] = []
        for ch, key, d in built:
            if key in existing:
                self.report.add("post", "existing")
                continue
            root = await self._post(ch, d, "", posts, reactions, files)
            mapping[key] = root.id
            for r in d.get("replies") or []:
                await self._post(ch, r, root.id, posts, reactions, files)
        await self.app.channels.import_posts(SOURCE, now, posts, files, reactions, mapping)
        if self.flags:
            await self.app.preferences.import_many(self.flags)
            self.report.add("flagged_posts", "imported", len(self.flags))
            self.flags = []
        await self.app.threads.import_followers(self.followers, now)
        if self.followers:
            self.report.add("thread_followers", "imported", len(self.followers))
            self.followers = []
        self.report.add("post", "created", len(posts))
        self.report.add("reactions", "imported", len(reactions))

    async def _post(self, ch: Channel, d: dict[str, Any], root_id: str, out: list[Post],
                    reactions: list[dict[str, Any]], files: list[tuple[str, str]]) -> Post:
        uid = await self._user_id(_str(d, "user"))
        at = int(d["create_at"])
        file_ids = []
        for a in (d.get("attachments") or [])[:MAX_FILE_IDS]:
            fid = await self._attachment(ch, uid, _str(a, "path"))
            if fid:
                file_ids.append(fid)
        message = _str(d, "message")
        edit_at = d.get("edit_at") if isinstance(d.get("edit_at"), int) else 0
        p = Post(id=new_id(), create_at=at, update_at=max(at, edit_at or 0), edit_at=edit_at or 0, user_id=uid,
                 channel_id=ch.id, root_id=root_id, message=message, type=_str(d, "type"),
                 props=d.get("props") or {}, hashtags=parse_hashtags(message) if "#" in message else "",
                 file_ids=file_ids, is_pinned=bool(d.get("is_pinned")), has_reactions=bool(d.get("reactions")))
        out.append(p)
        files += [(f, p.id) for f in file_ids]
        for u in dict.fromkeys(x for x in d.get("flagged_by") or [] if isinstance(x, str)):
            self.flags.append(Preference(user_id=await self._user_id(u), category=bulk_prefs.FLAGGED, name=p.id,
                                         value="true"))
        for f in d.get("thread_followers") or []:
            self.followers.append((await self._user_id(_str(f, "user")), p.id, int(f.get("last_viewed") or 0),
                                   int(f.get("unread_mentions") or 0)))
        seen: set[tuple[str, str]] = set()
        for r in d.get("reactions") or []:
            ru = await self._user_id(_str(r, "user"))
            if (ru, r["emoji_name"]) not in seen:
                seen.add((ru, r["emoji_name"]))
                reactions.append({"userid": ru, "postid": p.id, "emojiname": r["emoji_name"],
                                  "createat": r["create_at"], "channelid": ch.id})
        return p

    async def _attachment(self, ch: Channel, uid: str, path: str) -> str:
        name = "data/" + posixpath.normpath(path)
        if self.zf is None or not self.zf.has(name):
            self.report.add("files", "missing")
            self.report.missing_files.append({"path": path})
            return ""

        async def chunks() -> Any:
            assert self.zf is not None
            with self.zf.open(name) as fh:
                while chunk := fh.read(1024 * 1024):
                    yield chunk

        info = await self.app.files.upload(user_ctx(uid, SYSTEM_USER_ROLE), ch, name.rsplit("/", 1)[-1], chunks(),
                                           content_length=self.zf.size(name))
        self.report.add("files", "stored")
        return info.id


def _key(channel_id: str, d: dict[str, Any]) -> str:
    digest = hashlib.sha1(_str(d, "message").encode()).hexdigest()[:16]
    return f"{channel_id}/{d.get('create_at')}/{digest}"

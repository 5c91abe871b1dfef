"""Reading a Slack export: its users and conversations, a validating scan of every day file, and
the names things get in Mattermost (sanitised, collisions resolved deterministically)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from chinwag.app.validate import RESTRICTED_USERNAMES, is_valid_channel_name, is_valid_email
from chinwag.importers.archive import ImportFailure, Report, SafeZip

#: subtypes that are not messages worth keeping (Mattermost's importer and mmetl skip them too)
NOISE = frozenset({
    "pinned_item", "unpinned_item", "channel_archive", "channel_unarchive", "group_archive", "group_unarchive",
    "bot_add", "bot_remove", "bot_enable", "bot_disable", "tombstone", "huddle_thread", "reminder_add",
    "reminder_delete", "sh_room_created", "sh_room_shared", "channel_convert_to_private",
    "channel_convert_to_public", "app_conversation_join", "joiner_notification", "slackbot_response",
    "channel_posting_permissions", "ekm_access_denied", "reply_broadcast",
})
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
UNKNOWN_USER = "U_UNKNOWN"
#: the key under which ``Export.messages`` leaves a message's parsed ts (Unix ns) in the message
TS_NS = "\x00ts_ns"
CANVAS_MIME = "application/vnd.slack-docs"


_TS = re.compile(r"(\d{1,12})(?:\.(\d{1,9}))?")


def ts_ns(ts: Any) -> int:
    """Slack ``ts`` ("1516457078.123456") → Unix nanoseconds (the order of messages in a day file)."""
    if isinstance(ts, str) and (m := _TS.fullmatch(ts)):  # the usual form, without Decimal
        return int(m.group(1)) * 1_000_000_000 + int((m.group(2) or "").ljust(9, "0"))
    try:
        return int(Decimal(str(ts)) * 1_000_000_000)
    except (InvalidOperation, ValueError, OverflowError):
        raise ValueError(f"bad ts {ts!r}") from None


def ts_ms(ts: Any) -> int:
    """Slack ``ts`` ("1516457078.123456") → Unix milliseconds (sub-millisecond digits dropped)."""
    return ts_ns(ts) // 1_000_000

def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def sanitize_username(handle: str, slack_id: str) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", _ascii(handle).lower()).strip("-._")
    if name and not name[0].isalpha():
        name = "u" + name
    name = name[:64].rstrip("-._")
    if not name:
        name = "user-" + slack_id.lower()
    if name in RESTRICTED_USERNAMES:
        name += "-slack"
    return name


def sanitize_channel(name: str, slack_id: str) -> str:
    out = re.sub(r"[^a-z0-9_-]+", "-", _ascii(name).lower()).strip("-_")
    out = re.sub(r"__+", "_", out)[:64].strip("-_")
    if not out or not is_valid_channel_name(out):
        out = slack_id.lower()
    return out


def numbered(base: str, n: int, limit: int = 64) -> str:
    suffix = f"-{n}"
    return base[:limit - len(suffix)].rstrip("-._") + suffix


@dataclass
class SlackUser:
    id: str
    handle: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    nickname: str = ""
    position: str = ""
    deleted: bool = False
    is_bot: bool = False
    is_admin: bool = False
    placeholder: bool = False  # not in users.json, referenced by messages
    #: the email users.json gives when it is not a valid address (the user gets a generated one)
    invalid_email: str = ""


@dataclass
class Conversation:
    id: str
    kind: str  # public, private, mpim, dm
    folder: str
    name: str = ""
    members: list[str] = field(default_factory=list)
    topic: str = ""
    purpose: str = ""
    archived: bool = False
    creator: str = ""
    days: list[str] = field(default_factory=list)
    messages: int = 0
    files: int = 0
    #: thread_ts values replies point at, and the ts of messages that are thread roots
    pins: set[str] = field(default_factory=set)  # ts of pinned messages (the conversation's "pins")
    reply_roots: dict[str, int] = field(default_factory=dict)  # thread_ts → when its last reply was (ms)
    roots: set[str] = field(default_factory=set)
    #: messages with nothing to show: no text, and their only files are not in the export (skipped, reported)
    empty: dict[str, str] = field(default_factory=dict)  # ts → names of the missing files


def _s(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    return v if isinstance(v, str) else ""


def parse_user(u: dict[str, Any], where: str) -> SlackUser:
    uid = _s(u, "id")
    if not uid:
        raise ImportFailure(f"a user without an id ({u.get('name')!r})", where)
    p = u.get("profile") if isinstance(u.get("profile"), dict) else {}
    assert isinstance(p, dict)
    real = _s(p, "real_name") or _s(u, "real_name")
    first, last = _s(p, "first_name"), _s(p, "last_name")
    if not first and not last and real:
        first, _, last = real.partition(" ")
    given = _s(p, "email").strip()
    email = given.lower()
    invalid = ""
    if email and not is_valid_email(email):
        email, invalid = "", given
    return SlackUser(id=uid, handle=_s(u, "name") or uid, email=email, invalid_email=invalid,
                     first_name=first[:64], last_name=last[:64], nickname=_s(p, "display_name")[:64],
                     position=_s(p, "title")[:128], deleted=bool(u.get("deleted")),
                     is_bot=bool(u.get("is_bot")) and uid != "USLACKBOT",
                     is_admin=bool(u.get("is_admin") or u.get("is_owner")))


def parse_conversation(c: dict[str, Any], kind: str, where: str) -> Conversation:
    cid = _s(c, "id")
    if not cid:
        raise ImportFailure(f"a conversation without an id ({c.get('name')!r})", where)
    members = [m for m in c.get("members") or [] if isinstance(m, str)]
    if kind == "dm" and not members and isinstance(c.get("user"), str):
        members = [c["user"]]
    name = _s(c, "name")
    topic = c.get("topic") if isinstance(c.get("topic"), dict) else {}
    purpose = c.get("purpose") if isinstance(c.get("purpose"), dict) else {}
    assert isinstance(topic, dict) and isinstance(purpose, dict)
    folder = cid if kind == "dm" else (name or cid)
    pins = {str(p["id"]) for p in c.get("pins") or [] if isinstance(p, dict) and isinstance(p.get("id"), str)}
    return Conversation(id=cid, kind=kind, folder=folder, name=name, members=members,
                        topic=_s(topic, "value"), purpose=_s(purpose, "value"),
                        archived=bool(c.get("is_archived")), creator=_s(c, "creator"), pins=pins)


class Export:
    """The export's users and conversations, and what a scan of the day files found."""

    def __init__(self, zf: SafeZip, report: Report, workspace: str | None = None, root: bool = True) -> None:
        self.zf = zf
        self.report = report
        self.users: dict[str, SlackUser] = {}
        self.bot_users: dict[str, str] = {}  # Slack bot id (B…) → user id of its bot user
        self.unknown_bots: dict[str, str] = {}  # bot id ("" for none) → display name seen
        #: messages no user or bot can be the author of (they go to the slack-unknown-user placeholder)
        self.unknown_authored = 0
        self.uploads: dict[str, str] = {}  # Slack file id → its __uploads/<id>/<name> member
        self._named_by_profile: set[str] = set()
        self.conversations: list[Conversation] = []
        self.workspace = ""
        #: Enterprise Grid: the workspace folder (teams/<name>/) whose conversations to read, and whether
        #: the org-level ones at the root (shared channels, DMs, group DMs) are read too
        self.base = f"teams/{workspace}/" if workspace else ""
        self.root = root
        #: Slack ids of the workspace's members (its teams/<name>/users.json); None: everyone
        self.team_members: set[str] | None = None

    def _in_scope(self, folder: str) -> bool:
        if self.root and "/" not in folder:
            return True
        return bool(self.base) and folder.startswith(self.base) and "/" not in folder[len(self.base):]

    def load(self) -> None:
        self.uploads = uploads(self.zf)
        grid = bool(grid_workspaces(self.zf))
        name = "users.json" if self.zf.has("users.json") or not self.zf.has("org_users.json") else "org_users.json"
        users = self.zf.json_list(name, required=True)
        for u in users:
            su = parse_user(u, name)
            self.users[su.id] = su
            if not self.workspace and isinstance(u.get("team_id"), str):
                self.workspace = u["team_id"]
            p = u.get("profile")
            if su.is_bot and isinstance(p, dict) and isinstance(p.get("bot_id"), str):
                self.bot_users[p["bot_id"]] = su.id
        if self.base and self.zf.has(self.base + "users.json"):
            self.team_members = {_s(u, "id") for u in self.zf.json_list(self.base + "users.json")}
            for u in self.zf.json_list(self.base + "users.json"):  # members the org list lacks
                if _s(u, "id") and _s(u, "id") not in self.users:
                    self.users[_s(u, "id")] = parse_user(u, self.base + "users.json")
        if not grid:
            self.zf.json_list("channels.json", required=True)
        seen: set[str] = set()
        prefixes = ([""] if self.root else []) + ([self.base] if self.base else [])
        for prefix in prefixes:
            for fname, kind in (("channels.json", "public"), ("groups.json", "private"), ("mpims.json", "mpim"),
                                ("dms.json", "dm")):
                for c in self.zf.json_list(prefix + fname):
                    conv = parse_conversation(c, kind, prefix + fname)
                    if conv.id in seen:
                        continue
                    seen.add(conv.id)
                    conv.folder = prefix + conv.folder
                    self.conversations.append(conv)
        by_folder = {c.folder: c for c in self.conversations}
        for name in sorted(self.zf.names()):
            folder, _, base = name.rpartition("/")
            if not folder or folder == "__uploads" or not DAY_FILE.match(base) or not self._in_scope(folder):
                continue
            found = by_folder.get(folder)
            if found is None:
                self.report.skip("folder", folder, "no conversation with this name in the export's lists")
                by_folder[folder] = Conversation(id="", kind="", folder=folder)  # report once
                continue
            if found.id:
                found.days.append(name)

    def messages(self, name: str) -> list[dict[str, Any]]:
        data = self.zf.json(name)
        if not isinstance(data, list):
            raise ImportFailure("expected a JSON array of messages", name, 1)
        out: list[dict[str, Any]] = []
        keys: list[int] = []
        for i, m in enumerate(data):
            if not isinstance(m, dict):
                raise ImportFailure(f"message {i + 1}: expected a JSON object", name)
            ts = m.get("ts")
            if not isinstance(ts, str | int | float):
                raise ImportFailure(f"message {i + 1}: no ts", name)
            try:
                m[TS_NS] = ns = ts_ns(ts)
            except ValueError as e:
                raise ImportFailure(f"message {i + 1}: {e}", name) from None
            keys.append(ns)
            out.append(m)
        order = sorted(range(len(out)), key=keys.__getitem__)
        return [out[i] for i in order]

    def scan(self, progress: Any) -> int:
        """Parse every day file once (nothing is written if one is bad); note thread roots, files,
        and users and bots that messages mention but users.json lacks."""
        total = 0
        for conv in self.conversations:
            for day in conv.days:
                for m in self.messages(day):
                    conv.messages += 1
                    self._note(conv, m)
                progress.advance()
            total += conv.messages
        for conv in self.conversations:
            for uid in conv.members:
                self._ref(uid)
        return total

    def _note(self, conv: Conversation, m: dict[str, Any]) -> None:
        sub = _s(m, "subtype")
        if sub in NOISE:  # skipped when written: never a thread root (its replies become top-level posts)
            return
        ts, thread = str(m["ts"]), m.get("thread_ts")
        files = files_of(m)
        conv.files += len(files)
        missing = self._only_missing_files(m, sub, files)
        if missing:  # skipped when written, like noise (and reported with the files' names)
            conv.empty[ts] = missing
            return
        if isinstance(thread, str | int | float):
            if str(thread) == ts:
                conv.roots.add(ts)
            else:
                t = str(thread)
                conv.reply_roots[t] = max(conv.reply_roots.get(t, 0), m[TS_NS] // 1_000_000)
        user = m.get("user") if isinstance(m.get("user"), str) else ""
        comment = m.get("comment") if isinstance(m.get("comment"), dict) else {}
        assert isinstance(comment, dict) and isinstance(user, str)
        bot = sub == "bot_message" or m.get("bot_id") is not None
        if bot:
            self._note_bot(m, user)
        if not user and not bot and not (sub == "file_comment" and _s(comment, "user")):
            self.unknown_authored += 1
        for uid in (user, comment.get("user")):
            if isinstance(uid, str):
                self._ref(uid)
        for r in m.get("reactions") or []:
            if isinstance(r, dict):
                for uid in r.get("users") or []:
                    if isinstance(uid, str):
                        self._ref(uid)

    def _only_missing_files(self, m: dict[str, Any], sub: str, files: list[dict[str, Any]]) -> str:
        """The names of a message's files when they are all it has and none is in the export ("" otherwise):
        such a message would be an empty post."""
        if not files or sub not in ("", "file_share", "thread_broadcast", "bot_message") or m.get("attachments") \
                or _s(m, "text").strip():
            return ""
        for f in files:
            if f.get("id") in self.uploads or f.get("is_external") or f.get("mode") == "external":
                return ""
        return ", ".join(_s(f, "name") or _s(f, "title") or _s(f, "id") or "?" for f in files)

    def _note_bot(self, m: dict[str, Any], user: str) -> None:
        """An integration's message: the bot keeps its Slack name (``bot_profile.name``, else the message's
        ``username``); a bot user users.json lacks is created from its ``bot_profile``."""
        bid = _s(m, "bot_id")
        bp = m.get("bot_profile") if isinstance(m.get("bot_profile"), dict) else {}
        assert isinstance(bp, dict)
        name = _s(bp, "name").strip()
        if user:
            if user not in self.users and name:
                self.users[user] = SlackUser(id=user, handle=name, first_name=name[:64], is_bot=True,
                                             deleted=bool(bp.get("deleted")))
                self.report.add("users", "bots_from_bot_profile")
            if bid and bid not in self.bot_users and self.users.get(user, SlackUser(id="", handle="")).is_bot:
                self.bot_users[bid] = user
            return
        if bid in self.bot_users:
            return
        if name:  # the app's own name wins over per-message usernames
            if bid not in self._named_by_profile:
                self.unknown_bots[bid] = name
                self._named_by_profile.add(bid)
            return
        fallback = f"slack-bot-{bid.lower()}" if bid else "slack-bot"
        username = _s(m, "username").strip()
        if self.unknown_bots.get(bid, fallback) == fallback:
            self.unknown_bots[bid] = username or fallback

    def _ref(self, uid: str) -> None:
        if uid and uid not in self.users:
            self.users[uid] = SlackUser(id=uid, handle=uid.lower(), deleted=True, placeholder=True,
                                        first_name="Deleted", last_name="User")
            self.report.add("users", "unknown_referenced")
            self.report.warnings.append(f"user {uid} is referenced by messages but not in users.json: "
                                        "imported as a deactivated placeholder")


def grid_workspaces(zf: SafeZip) -> list[str]:
    """The workspaces of an Enterprise Grid export (folders teams/<name>/ with a channels.json); [] for a
    workspace export."""
    out = set()
    for name in zf.names():
        parts = name.split("/")
        if len(parts) == 3 and parts[0] == "teams" and parts[2] in ("channels.json", "groups.json"):
            out.add(parts[1])
    return sorted(out)


def uploads(zf: SafeZip) -> dict[str, str]:
    """Slack file id → the file under ``__uploads/<file id>/<name>`` (slack-advanced-exporter, slackdump)."""
    out: dict[str, str] = {}
    for name in zf.names():
        parts = name.split("/")
        if len(parts) == 3 and parts[0] == "__uploads":
            out.setdefault(parts[1], name)
    return out


def files_of(m: dict[str, Any]) -> list[dict[str, Any]]:
    files = [f for f in m.get("files") or [] if isinstance(f, dict)]
    if isinstance(m.get("file"), dict):
        files.append(m["file"])
    return files


def file_skip_reason(f: dict[str, Any]) -> str:
    if f.get("mode") in ("tombstone", "hidden_by_limit"):
        return f"deleted in Slack ({f.get('mode')})"
    if f.get("file_access") not in (None, "visible"):
        return f"not exported ({f.get('file_access')})"
    if f.get("mimetype") == CANVAS_MIME or f.get("filetype") in ("quip", "canvas"):
        return "Slack canvas"
    if f.get("is_external") or f.get("mode") == "external":
        return "external file (kept as a link)"
    if not f.get("name") and not f.get("title"):
        return "no name"
    return ""

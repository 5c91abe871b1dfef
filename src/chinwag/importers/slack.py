"""`chinwag import slack`: a Slack workspace export into one team.

Stages: open and check the archive → read users and conversations → scan every day file (bad
input stops here, before anything is written) → users → conversations, each one in its own
transaction (channel, members, posts, reactions, file attachments, threads and counters) after its
files were stored → report. Source ids are kept in ``importmappings``, so a second run adds only
what is missing. Membership changes publish the same events the app services publish."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from chinwag.app.app import App
from chinwag.app.context import Ctx
from chinwag.app.imports import HistoryWriter
from chinwag.app.integration import user_ctx
from chinwag.app.validate import is_valid_email, is_valid_team_name, is_valid_username
from chinwag.importers.archive import ImportFailure, Progress, Report, SafeZip
from chinwag.importers.slack_markup import Converter
from chinwag.importers.slack_plan import (
    NOISE,
    UNKNOWN_USER,
    Conversation,
    Export,
    SlackUser,
    file_skip_reason,
    files_of,
    grid_workspaces,
    numbered,
    sanitize_channel,
    sanitize_username,
)
from chinwag.importers.slack_posts import PostWriter
from chinwag.model.channel import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    CHANNEL_OPEN,
    CHANNEL_PRIVATE,
    GROUP_MAX_USERS,
    Channel,
    direct_channel_name,
    group_channel_name,
)
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.model.integration import Bot
from chinwag.model.team import RESERVED_TEAM_NAMES, Team, TeamCreate
from chinwag.model.user import SYSTEM_USER_ROLE, User, default_notify_props


@dataclass
class Target:
    conv: Conversation
    channel: Channel
    members: list[str]  # user ids
    new: bool
    #: the conversation was imported before (its channel mapping exists): its messages are checked
    imported_before: bool = False


class SlackImporter:
    def __init__(self, app: App, path: str, team_name: str, *, dry_run: bool = False,
                 progress: Progress | None = None, workspace: str | None = None, root: bool = True,
                 bot_owner: str = "") -> None:
        self.app = app
        self.imports = app.imports  # what the import reads; its writes are the services' bulk entry points
        self.path = path
        self.team_name = team_name.strip().lower()
        self.dry_run = dry_run
        self.progress = progress or Progress(enabled=False)
        self.report = Report(source=path, dry_run=dry_run)
        self.user_ids: dict[str, str] = {}  # Slack user id → user id
        self.usernames: dict[str, str] = {}  # Slack user id → username
        self.bot_ids: dict[str, str] = {}  # Slack bot id ("" = none) → user id
        self.channel_names: dict[str, str] = {}  # Slack conversation id → channel name
        self.team: Team | None = None
        self.source = ""
        self.admin_id = ""
        self.planned: dict[str, Channel] = {}
        self.workspace = workspace  # Enterprise Grid: teams/<workspace>/ (None: a workspace export, or the root)
        self.root = root  # the org-level conversations at the root of the export
        self.emoji_list: tuple[str, dict[str, Any]] | None = None
        self._by_email: dict[str, str] = {}  # lowercased email → user id (in the database or created here)
        #: who owns the bots the import creates: a username or user id (the importing admin, or --bot-owner);
        #: "" for the first active system admin
        self.bot_owner = bot_owner

    # the run -----------------------------------------------------------------------------------

    async def run(self) -> Report:
        started = time.monotonic()
        zf = SafeZip(self.path, marker="channels.json")
        try:
            workspaces = grid_workspaces(zf)
            if self.workspace is not None and self.workspace not in workspaces:
                raise ImportFailure(f"no workspace {self.workspace!r} in this export (it has: "
                                    f"{', '.join(workspaces) or 'none, it is not an Enterprise Grid export'})",
                                    self.path)
            ex = Export(zf, self.report, self.workspace, self.root)
            ex.load()
            self.progress.begin("validate", sum(len(c.days) for c in ex.conversations))
            total = ex.scan(self.progress)
            self.progress.end()
            self.report.add("messages", "in_export", total)
            self.emoji_list = _emoji_list(zf)  # checked before anything is written
            if self.emoji_list is not None:
                self.report.add("emoji", "in_export", len(self.emoji_list[1]))
            self.source = f"slack:{ex.workspace or 'workspace'}"
            if self.dry_run:
                await self._plan_only(ex)
            else:
                await self._write(ex, total)
        finally:
            zf.close()
            self.progress.end()
        self.report.seconds = time.monotonic() - started
        self.report.stages = dict(self.progress.seconds)
        return self.report

    async def _plan_only(self, ex: Export) -> None:
        try:
            await self._bot_owner()
        except ImportFailure:
            raise
        except Exception:  # a database not migrated yet: no users to own anything
            pass
        try:
            mapped = await self.imports.mapped(self.source, "user", list(ex.users))
        except Exception:  # a database not migrated yet: nothing was imported before
            mapped = {}
        for u in ex.users.values():
            self.report.add("users", "existing" if u.id in mapped else "to_create")
            if u.invalid_email and u.id not in mapped:
                self.report.invalid_emails.append({"user": sanitize_username(u.handle, u.id), "email": u.invalid_email,
                                                   "used": f"{u.id.lower()}@slack-import.invalid"})
            elif not u.email and u.id not in mapped and not u.placeholder and not u.is_bot:
                self.report.placeholder_emails.append(sanitize_username(u.handle, u.id))
        if ex.unknown_authored:
            self.report.add("users", "unknown_user_to_create" if UNKNOWN_USER not in mapped else "existing")
            self.report.add("messages", "by_unknown_user", ex.unknown_authored)
        for conv in ex.conversations:
            self.report.add("channels", f"{conv.kind}_in_export")

    async def _write(self, ex: Export, total: int) -> None:
        self.admin_id = await self._bot_owner()  # checked before anything is written
        self.team = await self._team()
        self.channel_source = f"{self.source}:{self.team.id}"
        self.progress.begin("users", len(ex.users) + len(ex.unknown_bots))
        await self._users(ex)
        self.progress.end()
        targets = []
        self.progress.begin("channels", len(ex.conversations))
        for conv in ex.conversations:
            t = await self._target(conv)
            if t is not None:
                targets.append(t)
            self.progress.advance()
        self.progress.end()
        await self._emoji(ex)
        self.convert = self._converter()
        self.progress.begin("messages", total)
        for t in targets:
            await self._conversation(ex, t)
        self.progress.end()

    # team and users ------------------------------------------------------------------------------

    async def _team(self) -> Team:
        team = await self.imports.team_by_name(self.team_name)
        if team is not None:
            self.report.add("team", "existing")
            return team
        team = await self.app.teams.create(Ctx(local=True), TeamCreate(
            name=self.team_name, display_name=self.team_name.replace("-", " ").title()[:64], type="O"))
        self.report.add("team", "created")
        return team

    async def _free_username(self, base: str, taken: set[str], known_free: set[str]) -> str:
        """``base``, or ``base-2``, ``base-3``, … : the first name valid, not given out in this run and not
        in the database (``known_free``: names already checked to be free there)."""
        name, n = base, 1
        while True:
            if name not in taken and is_valid_username(name) and (
                    name in known_free or not await self._username_taken(name)):
                taken.add(name)
                return name
            n += 1
            name = numbered(base, n)

    async def _username_taken(self, name: str) -> bool:
        return await self.imports.user_by_username(name) is not None

    async def _users(self, ex: Export) -> None:
        """Users, bots and placeholders: checked against the database in a few queries, then written in one
        transaction with their mappings."""
        assert self.team is not None
        mapped = await self.imports.all_mapped(self.source, "user")
        users = sorted(ex.users.values(), key=lambda u: (u.is_bot, u.placeholder, u.id))
        # the placeholder author of messages nobody can be the author of: only when a message needs it
        unknown = UNKNOWN_USER not in ex.users and ex.unknown_authored > 0
        if unknown:
            ex.users[UNKNOWN_USER] = SlackUser(id=UNKNOWN_USER, handle="slack-unknown-user", deleted=True,
                                               placeholder=True, first_name="Unknown", last_name="User")
        bots = {f"bot:{bid}": display for bid, display in sorted(ex.unknown_bots.items())}
        todo = [su for su in users if su.id not in mapped]
        names = [sanitize_username(su.handle, su.id) for su in todo]
        names += [sanitize_username(d, k) for k, d in bots.items() if k not in mapped]
        names.append("slack-unknown-user")
        in_db, self._by_email = await self.imports.existing_users(
            names, [su.email for su in todo if su.email and not su.placeholder])
        known_free = set(names) - in_db
        taken: set[str] = set()
        new: list[tuple[User, Bot | None]] = []
        pairs: dict[str, str] = {}
        for su in users:
            if su.id in mapped:
                self.report.add("users", "already_imported")
            uid = mapped.get(su.id) or await self._new_user(su, taken, known_free, new, pairs)
            self.user_ids[su.id] = uid
            self.progress.advance()
        for key, display in bots.items():
            uid = mapped.get(key) or await self._new_user(
                SlackUser(id=key, handle=display, first_name=display[:64], is_bot=True), taken, known_free, new, pairs)
            self.bot_ids[key[len("bot:"):]] = uid
            self.progress.advance()
        if unknown:
            self.user_ids[UNKNOWN_USER] = mapped.get(UNKNOWN_USER) or await self._new_user(
                ex.users[UNKNOWN_USER], taken, known_free, new, pairs, quiet=True)
            self.report.add("users", "already_imported" if UNKNOWN_USER in mapped else "unknown_user_created")
            self.report.add("messages", "by_unknown_user", ex.unknown_authored)
        self_owned = [b.username for _, b in new if b is not None and b.owner_id == b.user_id]
        if self_owned:
            self.report.warnings.append(
                f"no system admin yet: the bots {', '.join(self_owned[:20])} own themselves until one is given "
                "an owner (mmctl bot assign BOT USER); import as an admin, or pass --bot-owner, to avoid this")
        await self.app.users.import_many(self.source, new, pairs)
        await self._join_team([self.user_ids[su.id] for su in users
                                if not su.deleted and not su.placeholder and not su.is_bot
                                and (ex.team_members is None or su.id in ex.team_members)])
        found = await self.imports.users(list(set(self.user_ids.values())))
        await self._repair_emails(ex, mapped, found)
        by_id = {u.id: u.username for u in found}
        self.usernames = {sid: by_id.get(uid, "") for sid, uid in self.user_ids.items()}
        for bid, uid in ex.bot_users.items():
            self.bot_ids[bid] = self.user_ids[uid]

    async def _repair_emails(self, ex: Export, mapped: dict[str, str], found: list[User]) -> None:
        """Users an earlier import stored with the export's invalid email as is get the generated address now
        (a server that has them cannot import its own bulk export)."""
        by_id = {u.id: u for u in found}
        for su in ex.users.values():
            user = by_id.get(mapped.get(su.id, ""))
            if user is None or not su.invalid_email or is_valid_email(user.email):
                continue
            given, user.email = user.email, f"{su.id.lower()}@slack-import.invalid"
            user.email_verified = False
            user.update_at = self.app.core.now()
            await self.app.users.save_changed(user)
            self.report.invalid_emails.append({"user": user.username, "email": given, "used": user.email})
            self.report.add("users", "invalid_email_repaired")

    async def _new_user(self, su: SlackUser, taken: set[str], known_free: set[str],
                        new: list[tuple[User, Bot | None]], pairs: dict[str, str], quiet: bool = False) -> str:
        """The user (or bot) to create for ``su`` — or an existing user with its email — added to ``new``."""
        if su.email and not su.placeholder and su.email.lower() in self._by_email:
            pairs[su.id] = self._by_email[su.email.lower()]
            self.report.add("users", "merged_by_email")
            return pairs[su.id]
        username = await self._free_username(sanitize_username(su.handle, su.id), taken, known_free)
        if username != su.handle:
            self.report.renamed.append({"kind": "user", "from": su.handle, "to": username})
        email = su.email
        if not email or len(email) > 128:
            email = f"{su.id.lower()}@slack-import.invalid"
            if su.invalid_email or len(su.email) > 128:
                self.report.invalid_emails.append({"user": username, "email": su.invalid_email or su.email,
                                                   "used": email})
            elif not su.placeholder and not su.is_bot:
                self.report.placeholder_emails.append(username)
        now = self.app.core.now()
        user = User(id=new_id(), create_at=now, update_at=now, delete_at=now if su.deleted else 0,
                    username=username, email=email, email_verified=bool(su.email), nickname=su.nickname,
                    first_name=su.first_name, last_name=su.last_name, position=su.position,
                    roles=SYSTEM_USER_ROLE, notify_props=default_notify_props(username, su.first_name),
                    is_bot=su.is_bot)
        bot: Bot | None = None
        if su.is_bot:  # a bot's name is one display name (Mattermost keeps it in first_name)
            user.first_name, user.last_name = f"{su.first_name} {su.last_name}".strip()[:64], ""
            bot = Bot(user_id=user.id, username=username, display_name=user.first_name or username,
                      description="Imported from Slack", owner_id=self.admin_id or user.id, create_at=now,
                      update_at=now, delete_at=user.delete_at)
            user.email = f"{username}@localhost"
        new.append((user, bot))
        pairs[su.id] = user.id
        if su.email and not su.placeholder:
            self._by_email.setdefault(su.email.lower(), user.id)  # a second user with this email merges
        if not quiet:
            self.report.add("users", "bots_created" if su.is_bot else
                            ("deactivated_created" if su.deleted else "created"))
        return user.id

    async def _join_team(self, user_ids: list[str]) -> None:
        """Team membership and the team's default channels, in one transaction; the same events as
        joining a team through the app (no "joined the team" posts for imported history)."""
        assert self.team is not None
        joined = await self.app.teams.add_members_bulk(self.source, self.team.id, user_ids)
        self.report.add("team_members", "added", len(joined))

    # conversations -------------------------------------------------------------------------------

    async def _target(self, conv: Conversation) -> Target | None:
        """Where a conversation goes (an existing channel on a re-run) and who is in it."""
        assert self.team is not None
        members = list(dict.fromkeys(self.user_ids[m] for m in conv.members if m in self.user_ids))
        mapped = await self.imports.mapped(self.channel_source, "channel", [conv.id])
        existing = await self.imports.channel(mapped[conv.id]) if conv.id in mapped else None
        now = self.app.core.now()
        kind = conv.kind
        if kind in ("dm", "mpim") and len(members) <= 1 and len(set(conv.members)) > 1:
            self.report.skip("channels", conv.folder, "fewer than two known members")
            return None
        if kind == "dm" or (kind == "mpim" and len(members) == 2):
            a, b = (members + members)[:2] if members else ("", "")
            if not a:
                self.report.skip("channels", conv.folder, "no members")
                return None
            name = direct_channel_name(a, b)
            ch = existing or await self._by_name("", name) or Channel(
                id=new_id(), create_at=now, update_at=now, team_id="", type=CHANNEL_DIRECT, name=name)
        elif kind == "mpim" and len(members) <= GROUP_MAX_USERS:
            name = group_channel_name(members)
            found = existing or await self._by_name("", name)
            users = await self.imports.users(members)
            ch = found or Channel(id=new_id(), create_at=now, update_at=now, team_id="", type=CHANNEL_GROUP,
                                  name=name, display_name=", ".join(sorted(u.username for u in users))[:64])
        else:
            ch = existing or await self._new_team_channel(conv, now)
        self.channel_names[conv.id] = ch.name
        if ch.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
            ch = self.planned.setdefault(ch.name, ch)  # duplicate member sets merge into one channel
        return Target(conv=conv, channel=ch, members=members, new=False, imported_before=conv.id in mapped)

    async def _by_name(self, team_id: str, name: str) -> Channel | None:
        return await self.imports.channel_by_name(team_id, name)

    async def _new_team_channel(self, conv: Conversation, now: int) -> Channel:
        assert self.team is not None
        original = conv.name or conv.id
        base = sanitize_channel(original, conv.id)
        name, n = base, 1
        while await self._by_name(self.team.id, name) is not None or name in self.channel_names.values():
            n += 1
            name = numbered(base, n)
        if name != original:
            self.report.renamed.append({"kind": "channel", "from": original, "to": name})
        header = self.convert_text(conv.topic)
        if len(header) > 1024 or len(conv.purpose) > 250:
            self.report.warnings.append(f"channel {original}: header/purpose cut to 1024/250 characters")
        ctype = CHANNEL_OPEN if conv.kind == "public" else CHANNEL_PRIVATE
        return Channel(id=new_id(), create_at=now, update_at=now, team_id=self.team.id, type=ctype, name=name,
                       display_name=(original.strip() or name)[:64], header=header[:1024],
                       purpose=conv.purpose[:250], creator_id=self.user_ids.get(conv.creator, ""))

    def _converter(self) -> Converter:
        seen: set[tuple[str, str]] = set()

        def unknown(kind: str, ident: str, shown: str) -> None:
            if (kind, ident) in seen:
                return
            seen.add((kind, ident))
            self.report.add("references", f"unknown_{kind}s")
            if len(self.report.unknown_references) < 10_000:
                self.report.unknown_references.append({"kind": kind, "id": ident, "shown_as": shown})

        return Converter(lambda sid: self.usernames.get(sid), lambda cid: self.channel_names.get(cid), unknown)

    def convert_text(self, text: str) -> str:
        if getattr(self, "convert", None) is None:
            self.convert = self._converter()
        return self.convert.convert(text)

    async def _conversation(self, ex: Export, t: Target) -> None:
        conv, ch = t.conv, t.channel
        file_ids = await self._store_files(ex, t) if conv.files else {}

        async def history(w: HistoryWriter) -> None:
            await PostWriter(self, ex, t, w, file_ids).run()

        done = await self.app.channels.import_conversation(
            self.channel_source, conv.id, ch, t.members, history, archive=conv.archived)
        t.new = done.created
        self.report.add("channels", {CHANNEL_OPEN: "public_created", CHANNEL_PRIVATE: "private_created",
                                     CHANNEL_DIRECT: "direct_created", CHANNEL_GROUP: "group_created"
                                     }[ch.type] if t.new else "existing")
        self.report.add("channel_members", "added", len(done.added))
        if done.archived:
            self.report.add("channels", "archived")

    # custom emoji ----------------------------------------------------------------------------------

    async def _emoji(self, ex: Export) -> None:
        """Custom emoji from the list an export tool wrote next to the export (Slack's emoji.list answer,
        name → URL, or slackdump's name → {url, user_id, …}) with the images beside it."""
        listed = self.emoji_list
        if listed is None:
            return
        index, entries = listed
        folder = index.rpartition("/")[0]
        images: dict[str, str] = {}
        for name in ex.zf.names():
            head, _, base = name.rpartition("/")
            if head in {folder + "/emojis" if folder else "emojis", folder or "emojis", "__emoji", "emoji"} \
                    and "." in base and name != index:
                images.setdefault(base.rsplit(".", 1)[0], name)
        self.progress.begin("emoji", len(entries))
        for name, meta in sorted(entries.items()):
            self.progress.advance()
            url = meta.get("url") if isinstance(meta, dict) else meta
            if isinstance(url, str) and url.startswith("alias:"):
                self.report.skip("emoji", name, f"an alias of {url[len('alias:'):]}")
                continue
            path = images.get(name)
            if path is None:
                self.report.add("emoji", "missing")
                self.report.skip("emoji", name, "no image for it in the export")
                continue
            creator = self.user_ids.get(meta.get("user_id", "")) if isinstance(meta, dict) else None
            try:
                made = await self.app.emoji.import_emoji(name, ex.zf.read(path), creator or "")
            except AppError as e:
                self.report.skip("emoji", name, e.message)
                continue
            self.report.add("emoji", "created" if made is not None else "existing")
        self.progress.end()

    # files -----------------------------------------------------------------------------------------

    async def _store_files(self, ex: Export, t: Target) -> dict[str, str]:
        """Slack file id → file id for every file of the conversation found under __uploads/."""
        wanted: dict[str, tuple[dict[str, Any], str]] = {}
        for day in t.conv.days:
            for m in ex.messages(day):
                if m.get("subtype") in NOISE or str(m["ts"]) in t.conv.empty:
                    continue
                author = self._author(m)
                for f in files_of(m):
                    if isinstance(f.get("id"), str):
                        wanted.setdefault(f["id"], (f, author))
        done = await self.imports.mapped(self.source, "file", list(wanted))
        uploads = ex.uploads
        for fid, (f, author) in wanted.items():
            if fid in done or file_skip_reason(f):
                continue
            path = uploads.get(fid)
            if path is None:
                continue
            try:
                info = await self.app.files.upload(user_ctx(author, SYSTEM_USER_ROLE), t.channel, path.rsplit("/", 1)[-1],
                                                   _chunks(ex.zf, path), content_length=ex.zf.size(path),
                                                   imported=(self.source, fid))
            except AppError as e:
                self.report.skip("files", path, e.message)
                continue
            done[fid] = info.id
            self.report.add("files", "stored")
        return done

    def _author(self, m: dict[str, Any]) -> str:
        if m.get("subtype") == "file_comment" and isinstance(m.get("comment"), dict):
            uid = m["comment"].get("user")
            if isinstance(uid, str) and uid in self.user_ids:
                return self.user_ids[uid]
        user = m.get("user")
        if isinstance(user, str) and user in self.user_ids and not (
                m.get("subtype") == "bot_message" and not user):
            return self.user_ids[user]
        if m.get("subtype") == "bot_message" or m.get("bot_id") is not None:
            bid = m.get("bot_id") if isinstance(m.get("bot_id"), str) else ""
            if bid in self.bot_ids:
                return self.bot_ids[bid]
        return self.user_ids.get(UNKNOWN_USER, "")

    async def _bot_owner(self) -> str:
        """The user who owns the bots this import creates: the importing admin (``bot_owner``: the user who
        called ``POST /teams/{team_id}/import``, or ``--bot-owner``), else the first active system admin (as
        Mattermost picks its system bot's owner). "" when there is none yet: the bots then own themselves."""
        if self.bot_owner:
            owner = await self.imports.user(self.bot_owner) or \
                await self.imports.user_by_username(self.bot_owner.strip().lower())
            if owner is None:
                raise ImportFailure(f"the bot owner {self.bot_owner!r} is not a user of this server")
            if owner.delete_at or owner.is_bot:
                raise ImportFailure(f"the bot owner {owner.username!r} is deactivated or a bot")
            return owner.id
        admin = await self.imports.first_active_admin()
        return admin.id if admin is not None else ""


_EMOJI_LISTS = ("emoji.json", "custom_emoji.json", "emojis.json", "emojis/index.json", "__emoji/index.json",
                "emoji/index.json")


def _emoji_list(zf: SafeZip) -> tuple[str, dict[str, Any]] | None:
    """The emoji list file and its entries (name → URL or → object), if the export has one."""
    for name in _EMOJI_LISTS:
        if zf.has(name):
            data = zf.json(name)
            if isinstance(data, dict) and isinstance(data.get("emoji"), dict):  # {"ok": true, "emoji": {…}}
                data = data["emoji"]
            if not isinstance(data, dict):
                raise ImportFailure("expected a JSON object of emoji names", name, 1)
            return name, {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str | dict)}
    return None


def team_name_for(workspace: str) -> str:
    """The team an Enterprise Grid workspace folder is imported into: its name by the channel name rules."""
    name = re.sub(r"[^a-z0-9]+", "-", sanitize_channel(
        workspace, "workspace-" + hashlib.sha1(workspace.encode()).hexdigest()[:8])).strip("-")[:64].strip("-")
    if not is_valid_team_name(name) or name in RESERVED_TEAM_NAMES:
        name = f"slack-{name}"[:64].strip("-")
    return name


async def _chunks(zf: SafeZip, name: str) -> AsyncIterator[bytes]:
    with zf.open(name) as fh:
        while True:
            chunk = fh.read(1024 * 1024)
            if not chunk:
                return
            yield chunk

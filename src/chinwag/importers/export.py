"""`chinwag export bulk OUT.zip`: the whole server in Mattermost's bulk format — `import.jsonl` plus
attachments under `data/<file store path>` — in the order Mattermost writes it (version, team,
channel, user, bot, post, emoji, direct_channel, direct_post). Posts stream channel by channel, so memory
stays bounded."""

from __future__ import annotations

import tempfile
import time
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import msgspec

from chinwag import __version__
from chinwag.app.app import App
from chinwag.importers import bulk_prefs
from chinwag.importers.archive import Progress, Report
from chinwag.model.emoji import emoji_image_path

_enc = msgspec.json.Encoder()
PAGE = 1000


class BulkExporter:
    def __init__(self, app: App, out: str, progress: Progress | None = None, include_attachments: bool = True
                 ) -> None:
        self.app = app
        self.include_attachments = include_attachments
        self.imports = app.imports
        self.out = out
        self.progress = progress or Progress(enabled=False)
        self.report = Report(source=out, action="Exported")
        self.usernames: dict[str, str] = {}
        #: post id → usernames who flagged it; (user id, channel id) of favourite channels
        self.flagged: dict[str, list[str]] = {}
        self.favorites: set[tuple[str, str]] = set()

    async def run(self) -> Report:
        started = time.monotonic()
        # the JSONL goes to a temporary file while attachments go into the zip (one open member at a time)
        with zipfile.ZipFile(self.out, "w", zipfile.ZIP_DEFLATED) as zf, \
                tempfile.NamedTemporaryFile(suffix=".jsonl") as out:
            def line(kind: str, data: dict[str, Any]) -> None:
                out.write(_enc.encode({"type": kind, kind: data}) + b"\n")
                self.report.add(kind, "exported")

            out.write(_enc.encode({"type": "version", "version": 1, "info": {
                "generator": "chinwag", "version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ")}})
                + b"\n")
            users = await self.imports.rows("users", order=["username"])
            self.usernames = {u["id"]: u["username"] for u in users}
            prefs = await self.imports.rows("preferences", order=["userid", "category", "name"])
            for p in prefs:
                if p["category"] == bulk_prefs.FLAGGED and p["value"] == "true" and p["userid"] in self.usernames:
                    self.flagged.setdefault(p["name"], []).append(self.usernames[p["userid"]])
                elif p["category"] == bulk_prefs.FAVORITE and p["value"] == "true":
                    self.favorites.add((p["userid"], p["name"]))
            teams = {t["id"]: t for t in await self.imports.rows("teams", ["name"], deleteat=0)}
            for t in teams.values():
                line("team", {"name": t["name"], "display_name": t["displayname"], "type": t["type"],
                              "description": t["description"], "allow_open_invite": t["allowopeninvite"]})
            channels = await self.imports.rows("channels", order=["name"])
            team_channels = [c for c in channels if c["teamid"] in teams]
            for c in team_channels:
                data = {"team": teams[c["teamid"]]["name"], "name": c["name"], "display_name": c["displayname"],
                        "type": c["type"], "header": c["header"], "purpose": c["purpose"]}
                if c["deleteat"]:
                    data["deleted_at"] = c["deleteat"]
                line("channel", data)
            await self._users(users, teams, {c["id"]: c for c in team_channels}, line, prefs)
            self.progress.begin("posts", len(channels))
            direct = [c for c in channels if c["type"] in ("D", "G")]
            for c in team_channels:
                async for root in self._threads(zf, c["id"]):
                    line("post", {"team": teams[c["teamid"]]["name"], "channel": c["name"], **root})
                self.progress.advance()
            for e in await self.imports.live_emoji():  # after posts, as Mattermost writes them
                path = emoji_image_path(e.id)
                if await self._copy_file(zf, path):
                    line("emoji", {"name": e.name, "image": path})
            for c in direct:
                members = sorted(self.usernames[m["userid"]] for m in await self.imports.rows(
                    "channelmembers", ["userid"], channelid=c["id"]))
                if c["type"] == "D" and len(members) == 1:
                    members = members * 2  # a self-DM
                c["members"] = members
                if len(members) >= 2:
                    data = {"members": members, "header": c["header"]}
                    favorited = sorted({self.usernames[u] for u, cid in self.favorites if cid == c["id"]
                                        and self.usernames.get(u) in members})
                    if favorited:
                        data["favorited_by"] = favorited
                    line("direct_channel", data)
            for c in direct:
                if len(c["members"]) < 2:
                    continue
                async for root in self._threads(zf, c["id"]):
                    line("direct_post", {"channel_members": c["members"], **root})
                self.progress.advance()
            self.progress.end()
            out.flush()
            zf.write(out.name, "import.jsonl")
        self.report.seconds = time.monotonic() - started
        return self.report

    async def _users(self, users: list[Any], teams: dict[str, Any], channels: dict[str, Any], line: Any,
                     prefs: list[dict[str, Any]]) -> None:
        prefs_of: dict[str, list[dict[str, Any]]] = {}
        for p in prefs:
            prefs_of.setdefault(p["userid"], []).append(p)
        themes = {(p["userid"], p["name"]): p["value"] for p in prefs if p["category"] == "theme" and p["name"]}
        team_members = await self.imports.rows("teammembers", deleteat=0)
        channel_members = await self.imports.rows("channelmembers")
        bots = {b["userid"]: b for b in await self.imports.rows("bots")}
        by_user: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for cm in channel_members:
            ch = channels.get(cm["channelid"])
            if ch is not None:
                roles = "channel_user channel_admin" if cm["schemeadmin"] else "channel_user"
                entry: dict[str, Any] = {"name": ch["name"], "roles": roles}
                notify = bulk_prefs.export_notify_props(cm["notifyprops"] or {}, bulk_prefs.CHANNEL_NOTIFY)
                if notify:
                    entry["notify_props"] = notify
                # written either way, as Mattermost's export does (an import then clears a stale favourite)
                entry["favorite"] = (cm["userid"], ch["id"]) in self.favorites
                for key, col in (("last_viewed_at", "lastviewedat"), ("msg_count", "msgcount"),
                                 ("msg_count_root", "msgcountroot"), ("mention_count", "mentioncount"),
                                 ("mention_count_root", "mentioncountroot"),
                                 ("urgend_mention_count", "urgentmentioncount")):
                    if cm[col]:
                        entry[key] = cm[col]
                by_user.setdefault(cm["userid"], {}).setdefault(ch["teamid"], []).append(entry)
        memberships: dict[str, list[dict[str, Any]]] = {}
        for tm in team_members:
            if tm["teamid"] in teams:
                team_entry = {
                    "name": teams[tm["teamid"]]["name"],
                    "roles": "team_admin team_user" if tm["schemeadmin"] else "team_user",
                    "channels": by_user.get(tm["userid"], {}).get(tm["teamid"], [])}
                if (tm["userid"], tm["teamid"]) in themes:
                    team_entry["theme"] = themes[(tm["userid"], tm["teamid"])]
                memberships.setdefault(tm["userid"], []).append(team_entry)
        for u in users:
            if u["isbot"]:
                continue
            data = {"username": u["username"], "email": u["email"], "nickname": u["nickname"],
                    "first_name": u["firstname"], "last_name": u["lastname"], "position": u["position"],
                    "roles": u["roles"], "locale": u["locale"], "teams": memberships.get(u["id"], [])}
            data.update(bulk_prefs.export_user_preferences(prefs_of.get(u["id"], []), u["id"]))
            notify = bulk_prefs.export_notify_props(u["notifyprops"] or {}, bulk_prefs.USER_NOTIFY)
            if notify:
                data["notify_props"] = notify
            if u["deleteat"]:
                data["delete_at"] = u["deleteat"]
            if u["authservice"]:
                data["auth_service"], data["auth_data"] = u["authservice"], u["authdata"]
            line("user", data)
        people = {u["id"] for u in users if not u["isbot"]}
        admin = next((u["username"] for u in users if not u["isbot"] and not u["deleteat"]
                      and "system_admin" in u["roles"].split()), "")
        for u in users:
            b = bots.get(u["id"])
            if u["isbot"] and b is not None:
                # its owner; a bot owned by another bot, a plugin or itself goes to the first system admin
                # (none: it owns itself, which the import accepts)
                owner = self.usernames[b["ownerid"]] if b["ownerid"] in people else (admin or u["username"])
                data = {"username": u["username"], "owner": owner,
                        "display_name": u["firstname"], "description": b["description"]}
                if u["deleteat"]:
                    data["delete_at"] = u["deleteat"]
                line("bot", data)

    async def _threads(self, zf: zipfile.ZipFile, channel_id: str) -> AsyncIterator[dict[str, Any]]:
        """Root posts a page at a time, each with its replies nested."""
        cursor: tuple[int, str] = (-1, "")
        while True:
            page = await self.imports.roots_page(channel_id, cursor, PAGE)
            if not page:
                return
            cursor = (page[-1]["createat"], page[-1]["id"])
            replies = await self.imports.replies_of([p["id"] for p in page])
            ids = [p["id"] for p in page] + [r["id"] for r in replies]
            reactions: dict[str, list[dict[str, Any]]] = {}
            for r in await self.imports.reactions_of(ids):
                reactions.setdefault(r["postid"], []).append({
                    "user": self.usernames.get(r["userid"], ""), "emoji_name": r["emojiname"],
                    "create_at": r["createat"]})
            followers: dict[str, list[dict[str, Any]]] = {}
            for m in await self.imports.rows("threadmemberships", ["postid", "userid"], postid=list(ids)):
                if m["following"] and m["userid"] in self.usernames:
                    followers.setdefault(m["postid"], []).append({
                        "user": self.usernames[m["userid"]], "last_viewed": m["lastviewed"],
                        "unread_mentions": m["unreadmentions"]})
            files: dict[str, list[dict[str, str]]] = {}
            for f in await self.imports.files_of(ids) if self.include_attachments else []:
                files.setdefault(f["postid"], []).append({"path": f["path"]})
                await self._copy_file(zf, f["path"])

            def item(p: Any, reactions: dict[str, Any] = reactions, files: dict[str, Any] = files,
                     followers: dict[str, Any] = followers) -> dict[str, Any]:
                out: dict[str, Any] = {"user": self.usernames.get(p["userid"], ""), "message": p["message"],
                                       "create_at": p["createat"]}
                for key, col in (("type", "type"), ("props", "props"), ("edit_at", "editat"),
                                 ("is_pinned", "ispinned")):
                    if p[col]:
                        out[key] = p[col]
                if p["id"] in reactions:
                    out["reactions"] = reactions[p["id"]]
                if p["id"] in files:
                    out["attachments"] = files[p["id"]]
                if p["id"] in self.flagged:
                    out["flagged_by"] = sorted(self.flagged[p["id"]])
                if p["id"] in followers:
                    out["thread_followers"] = sorted(followers[p["id"]], key=lambda x: str(x["user"]))
                return out

            nested: dict[str, list[dict[str, Any]]] = {}
            for r in replies:
                nested.setdefault(r["rootid"], []).append(item(r))
            for p in page:
                root = item(p)
                if p["id"] in nested:
                    root["replies"] = nested[p["id"]]
                yield root

    async def _copy_file(self, zf: zipfile.ZipFile, path: str) -> bool:
        backend = self.app.files.backend()
        try:
            stream = await backend.open_read(path)
        except Exception as e:
            self.report.add("files", "missing")
            self.report.warnings.append(f"{path}: {e}")
            return False
        with zf.open("data/" + path, "w", force_zip64=True) as out:
            async for chunk in stream:
                out.write(chunk)
        await stream.aclose()
        self.report.add("files", "exported")
        return True

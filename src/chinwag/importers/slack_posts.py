"""One Slack conversation's messages → posts, inside the conversation's import transaction:
streamed day by day in batches, threads joined across day files, milliseconds kept apart,
system messages typed, bot messages with their attachments, reactions, files."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chinwag.app.imports import HistoryWriter
from chinwag.app.mentions import parse_hashtags
from chinwag.app.validate import EMOJI_NAME_RE
from chinwag.importers.slack_markup import split_message
from chinwag.importers.slack_plan import NOISE, TS_NS, Export, file_skip_reason, files_of, ts_ms
from chinwag.model import slack
from chinwag.model.ids import derived_id
from chinwag.model.post import (
    MAX_FILE_IDS,
    POST_MESSAGE_MAX_RUNES,
    POST_TYPE_DISPLAYNAME_CHANGE,
    POST_TYPE_HEADER_CHANGE,
    POST_TYPE_JOIN_CHANNEL,
    POST_TYPE_LEAVE_CHANNEL,
    POST_TYPE_ME,
    POST_TYPE_PURPOSE_CHANGE,
    POST_TYPE_SLACK_ATTACHMENT,
    Post,
)

if TYPE_CHECKING:
    from chinwag.importers.slack import SlackImporter, Target

BATCH = 1000
YIELD_EVERY = 50
JOIN = ("channel_join", "group_join")
LEAVE = ("channel_leave", "group_leave")
TOPIC = ("channel_topic", "group_topic")
PURPOSE = ("channel_purpose", "group_purpose")
RENAME = ("channel_name", "group_name")


@dataclass
class Built:
    """One batch of messages, ready to write."""

    posts: list[Post] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    attach: list[tuple[str, str]] = field(default_factory=list)


def _s(m: dict[str, Any], key: str) -> str:
    v = m.get(key)
    return v if isinstance(v, str) else ""


def _bot_props(m: dict[str, Any]) -> dict[str, str]:
    """An integration's post as Mattermost shows a webhook's: ``from_bot``, the name it posted under
    (``override_username``) and its icon (``override_icon_url`` from the message's ``icons`` or the app's
    ``bot_profile.icons``, or ``override_icon_emoji``)."""
    props = {"from_bot": "true"}
    if _s(m, "username"):
        props["override_username"] = _s(m, "username")
    bp = m.get("bot_profile") if isinstance(m.get("bot_profile"), dict) else {}
    for icons in (m.get("icons"), bp.get("icons") if isinstance(bp, dict) else None):
        if not isinstance(icons, dict):
            continue
        url = next((icons[k] for k in ("image_72", "image_64", "image_48", "image_36", "image_original")
                    if isinstance(icons.get(k), str) and icons[k].startswith(("https://", "http://"))), "")
        if url:
            props["override_icon_url"] = url
            break
        if isinstance(icons.get("emoji"), str) and icons["emoji"].strip(":"):
            props["override_icon_emoji"] = icons["emoji"]
            break
    return props


class PostWriter:
    def __init__(self, imp: SlackImporter, ex: Export, t: Target, w: HistoryWriter, files: dict[str, str]) -> None:
        self.imp = imp
        self.report = imp.report
        self.ex = ex
        self.t = t
        self.w = w
        self.files = files
        self.channel_id = t.channel.id
        self.last = 0
        self.root_ids: dict[str, str] = {}

    def pid(self, key: str) -> str:
        """The post id of a message (or of a part of it): derived from where it comes from, so a re-run
        finds it without a mapping row per post."""
        return derived_id(f"{self.w.source}\x00{key}")

    def key(self, ts: str) -> str:
        return f"{self.t.conv.id}/{ts}"

    def alloc(self, ms: int) -> int:
        """Milliseconds in message order, never two posts of the channel in the same one."""
        self.last = max(ms, self.last + 1)
        return self.last

    async def run(self) -> None:
        conv = self.t.conv
        # a conversation never imported before (the usual first run) needs no per-batch re-run checks,
        # so its batches are written while the next one is built
        self.fresh = not self.t.imported_before
        wanted = {self.key(ts): ts for ts in sorted(conv.reply_roots.keys() & conv.roots)}
        # (imports before post ids were derived kept a mapping row per post)
        found = {} if self.fresh else await self.w.lookup("post", list(wanted))
        self.root_ids = {ts: found.get(k) or self.pid(k) for k, ts in wanted.items()}
        self.pending: asyncio.Task[None] | None = None
        try:
            batch: list[dict[str, Any]] = []
            for day in conv.days:
                for m in self.ex.messages(day):
                    batch.append(m)
                    if len(batch) >= BATCH:
                        await self.flush(batch)
                        batch = []
            await self.flush(batch)
            await self._wait()
        except BaseException:
            # the transaction rolls back; the connection must be idle first
            with contextlib.suppress(BaseException):
                await self._wait()
            raise

    async def _wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            await pending

    async def flush(self, batch: list[dict[str, Any]]) -> None:
        keys = [self.key(str(m["ts"])) for m in batch]
        if self.fresh:
            built = await self.build_batch(batch, keys, {})
            await self._wait()  # the previous batch is written: the connection is free
            self.pending = asyncio.ensure_future(self.write(built))
            await asyncio.sleep(0)  # let the write start sending before the next batch is built
            return
        # posts of an earlier run: their derived ids, and mapping rows of imports from before those
        # (Slack ts strings have 10 integer digits, so key order is time order: one range scan)
        ids = {self.pid(k): k for k in keys}
        existing = {ids[i]: i for i in await self.w.existing_posts(list(ids))}
        if keys:
            existing.update(await self.w.lookup_range("post", min(keys), max(keys) + "#~"))
        await self.write(await self.build_batch(batch, keys, existing))

    async def build_batch(self, batch: list[dict[str, Any]], keys: list[str], existing: dict[str, str]) -> Built:
        out = Built()
        for i, (m, key) in enumerate(zip(batch, keys, strict=True)):
            if i % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)  # a write in flight keeps going
            ms = self.alloc(m[TS_NS] // 1_000_000)
            sub = _s(m, "subtype")
            if sub in NOISE:
                self.report.add("messages", f"skipped_{sub}")
                continue
            if key in existing:
                self.report.add("messages", "already_imported")
                await self._fill_files(m, existing[key])
                continue
            ts = str(m["ts"])
            if ts in self.t.conv.empty:
                self._file_ids(m)  # listed as missing files
                self.report.skip("messages", f"{self.t.channel.name or self.t.conv.folder} {ts}",
                                 f"its only content is files not in the export ({self.t.conv.empty[ts]})",
                                 count_as="skipped_only_missing_files")
                continue
            author = self.imp._author(m)
            if not author:  # (the scan creates slack-unknown-user for messages without one)
                self.report.skip("messages", f"{self.t.conv.folder} {ts}", "no author", count_as="skipped_no_author")
                continue
            built = self.build(m, ms, key, author)
            for _, p in built:
                out.posts.append(p)
                out.attach += [(f, p.id) for f in p.file_ids]
            out.reactions += self._reactions(m, built[0][1])
            self.report.add("messages", "imported")
        self.imp.progress.advance(len(batch))
        return out

    async def write(self, b: Built) -> None:
        await self.w.insert_posts(b.posts)
        await self.w.attach_files(b.attach)
        await self.w.insert_reactions(b.reactions)
        self.report.add("posts", "created", len(b.posts))
        self.report.add("reactions", "imported", len(b.reactions))

    async def _fill_files(self, m: dict[str, Any], post_id: str) -> None:
        """A re-run: files that were missing before and are now stored join their post."""
        ids = [self.files[f["id"]] for f in files_of(m) if f.get("id") in self.files]
        if not ids:
            return
        free = await self.w.unattached(ids)
        if not free:
            return
        current = await self.w.post_file_ids(post_id)
        keep = [i for i in ids if i in free][:max(0, MAX_FILE_IDS - len(current))]
        await self.w.attach_files([(f, post_id) for f in keep])
        await self.w.update_post_files(post_id, current + keep)
        self.report.add("files", "attached_on_rerun", len(keep))

    def build(self, m: dict[str, Any], ms: int, key: str, author: str) -> list[tuple[str, Post]]:
        sub = _s(m, "subtype")
        ts = str(m["ts"])
        name = self.imp.usernames.get(_s(m, "user"), "") or "someone"
        text = _s(m, "text")
        if sub == "file_comment" and isinstance(m.get("comment"), dict):
            text = _s(m["comment"], "comment")
        props: dict[str, Any] = {}
        ptype = ""
        convert = self.imp.convert.convert
        if sub in JOIN:
            ptype, message, props = POST_TYPE_JOIN_CHANNEL, f"@{name} joined the channel.", {"username": name}
        elif sub in LEAVE:
            ptype, message, props = POST_TYPE_LEAVE_CHANNEL, f"@{name} left the channel.", {"username": name}
        elif sub in TOPIC:
            topic = convert(_s(m, "topic"))
            ptype, message = POST_TYPE_HEADER_CHANGE, f"@{name} updated the channel header to: {topic}"
            props = {"username": name, "old_header": "", "new_header": topic}
        elif sub in PURPOSE:
            purpose = convert(_s(m, "purpose"))
            ptype, message = POST_TYPE_PURPOSE_CHANGE, f"@{name} updated the channel purpose to: {purpose}"
            props = {"username": name, "old_purpose": "", "new_purpose": purpose}
        elif sub in RENAME:
            old, new = _s(m, "old_name"), _s(m, "name")
            ptype = POST_TYPE_DISPLAYNAME_CHANGE
            message = f"@{name} updated the channel display name from: {old} to: {new}"
            props = {"username": name, "old_displayname": old, "new_displayname": new}
        else:
            message = convert(text)
            if sub == "me_message":
                ptype, message = POST_TYPE_ME, f"*{message}*" if message else message
            if sub == "bot_message" or m.get("bot_id") is not None:
                props.update(_bot_props(m))
            atts = self._attachments(m)
            if atts:
                props["attachments"] = atts
                ptype = ptype or POST_TYPE_SLACK_ATTACHMENT
            message += self._external_links(m)
        file_ids = self._file_ids(m)
        edited = m.get("edited")
        edit_at = 0
        if isinstance(edited, dict) and edited.get("ts") is not None:
            try:
                edit_at = max(ts_ms(edited["ts"]), ms)
            except ValueError:
                edit_at = ms
        thread = m.get("thread_ts")
        root = ""
        if thread is not None and str(thread) != ts:
            root = self.root_ids.get(str(thread), "")
            if not root:
                self.report.add("messages", "orphan_replies_kept_as_posts")
        pid = self.root_ids.get(ts) or self.pid(key)
        parts = split_message(message, POST_MESSAGE_MAX_RUNES)
        if len(parts) > 1:
            self.report.add("messages", "split")
        chunks = [file_ids[i:i + MAX_FILE_IDS] for i in range(0, len(file_ids), MAX_FILE_IDS)] or [[]]

        def post(post_id: str, at: int, text: str, files: list[str], root_id: str, **kw: Any) -> Post:
            return Post(id=post_id, create_at=at, update_at=max(at, kw.get("edit_at", 0)), user_id=author,
                        channel_id=self.channel_id, root_id=root_id, message=text,
                        hashtags=parse_hashtags(text) if "#" in text else "", file_ids=files, **kw)

        pinned_to = m.get("pinned_to")
        pinned = ts in self.t.conv.pins or (isinstance(pinned_to, list) and self.t.conv.id in pinned_to)
        if pinned:
            self.report.add("messages", "pinned")
        out = [(key, post(pid, ms, parts[0], chunks[0], root, type=ptype, props=props, edit_at=edit_at,
                          has_reactions=bool(self._reaction_pairs(m)), is_pinned=pinned))]
        if ts in self.root_ids:  # a thread root is as new as its last reply (finish_channel corrects ±1 ms)
            out[0][1].update_at = max(out[0][1].update_at, self.t.conv.reply_roots.get(ts, 0))
        for i, part in enumerate(parts[1:], 1):
            out.append((f"{key}#{i}", post(self.pid(f"{key}#{i}"), self.alloc(ms), part, [], root, type=ptype)))
        for j, chunk in enumerate(chunks[1:], 1):
            out.append((f"{key}#f{j}", post(self.pid(f"{key}#f{j}"), self.alloc(ms), "", chunk, root or pid)))
        return out

    def _attachments(self, m: dict[str, Any]) -> list[dict[str, Any]]:
        raw = m.get("attachments")
        if not raw:
            return []
        try:
            atts = slack.normalize_attachments(raw) or []
        except slack.PayloadError as e:
            self.report.warnings.append(f"message {m.get('ts')}: attachments dropped ({e})")
            return []
        slack.map_attachment_text(atts, self.imp.convert.convert, ("pretext", "text"))
        return atts

    def _external_links(self, m: dict[str, Any]) -> str:
        links = []
        for f in files_of(m):
            if f.get("is_external") or f.get("mode") == "external":
                url = _s(f, "url_private") or _s(f, "permalink") or _s(f, "external_url")
                if url:
                    links.append(f"[{_s(f, 'title') or _s(f, 'name') or url}]({url})")
        return ("\n" + "\n".join(links)) if links else ""

    def _file_ids(self, m: dict[str, Any]) -> list[str]:
        out = []
        for f in files_of(m):
            fid, name = _s(f, "id"), _s(f, "name") or _s(f, "title")
            if fid in self.files:
                out.append(self.files[fid])
                continue
            reason = file_skip_reason(f)
            if reason:
                self.report.skip("files", name or fid, reason)
            else:
                self.report.add("files", "missing")
                if len(self.report.missing_files) < 10_000:
                    self.report.missing_files.append({"id": fid, "name": name, "channel": self.t.channel.name,
                                                      "ts": str(m.get("ts"))})
        return out

    def _reaction_pairs(self, m: dict[str, Any], report: bool = False) -> list[tuple[str, str]]:
        pairs: dict[tuple[str, str], None] = {}
        for r in m.get("reactions") or []:
            if not isinstance(r, dict):
                continue
            emoji = _s(r, "name").split("::", 1)[0].lower()
            if not emoji or len(emoji) > 64 or not EMOJI_NAME_RE.match(emoji):
                if report:
                    self.report.skip("reactions", _s(r, "name") or "?", "not a valid emoji name in Mattermost",
                                     count_as="skipped_invalid_name")
                continue
            for uid in r.get("users") or []:
                user = self.imp.user_ids.get(uid) if isinstance(uid, str) else None
                if user:
                    pairs[(user, emoji)] = None
        return list(pairs)

    def _reactions(self, m: dict[str, Any], p: Post) -> list[dict[str, Any]]:
        return [{"userid": u, "postid": p.id, "emojiname": e, "createat": p.create_at, "channelid": p.channel_id}
                for u, e in self._reaction_pairs(m, report=True)]

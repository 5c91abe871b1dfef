"""Slack markup (mrkdwn) in exported messages → Mattermost Markdown, never inside code.

Builds on ``chinwag.model.slack`` (what incoming webhooks use): specials such as ``<!channel>`` and
labelled ``<!subteam^…|@team>`` go through its ``expand_announcements``, long text through its
``split_runes`` when there is no better place to cut."""

from __future__ import annotations

import re
from collections.abc import Callable

from chinwag.model import slack

_CODE = re.compile(r"(```[\s\S]*?```|`[^`\n]+`)")
_TOKEN = re.compile(r"<([^<>\n]+)>")
# an opener at the start or after a space or .,;:([ — or inside another style's marks, as in ~*_x_*~ —
# (the pattern starts with the literal so the regex engine can search for it instead of trying every position)
_BOLD = re.compile(r"\*(?<![^\s.,;:(\[~_]\*)([^*\n]+?)\*(?=$|[\s.,;:!?)\]~_])", re.M)
_STRIKE = re.compile(r"~(?<![^\s.,;:(\[*_]~)([^~\n]+?)~(?=$|[\s.,;:!?)\]*_])", re.M)
# inside code Slack's own link markup (it links URLs typed in code too) goes back to what was typed
_CODE_LINK = re.compile(r"<((?:[a-z][a-z0-9+.-]*://|mailto:)[^<>|\n]*)(?:\|([^<>\n]*))?>", re.I)
_HOLD = re.compile("\x00(\\d+)\x00")


class Converter:
    """Converts one workspace's messages: ``users`` maps Slack user ids to usernames and
    ``channels`` maps Slack channel ids to channel names. A mention of a user or a link to a channel the
    export does not have becomes readable text (the name Slack wrote beside it, or "unknown user"/"unknown
    channel"), never a reference to an account or channel that does not exist; ``unknown(kind, id, shown)``
    hears of each one (once per distinct token)."""

    def __init__(self, users: Callable[[str], str | None], channels: Callable[[str], str | None],
                 unknown: Callable[[str, str, str], None] | None = None) -> None:
        self.users = users
        self.channels = channels
        self.unknown = unknown
        self._tokens: dict[str, str] = {}  # the same mentions and links come back again and again

    def convert(self, text: str) -> str:
        if not text:
            return ""
        if "`" not in text:
            return self._prose(text)
        out = []
        for i, part in enumerate(_CODE.split(text)):
            out.append(_code(part) if i % 2 else self._prose(part))
        return "".join(out)

    def _prose(self, text: str) -> str:
        held: list[str] = []

        def hold(s: str) -> str:
            held.append(s)
            return f"\x00{len(held) - 1}\x00"

        if "<" in text:
            text = _TOKEN.sub(lambda m: hold(self._cached(m.group(1))), text)
        if "*" in text:
            text = _BOLD.sub(r"**\1**", text)
        if "~" in text:
            text = _STRIKE.sub(r"~~\1~~", text)
        if "&gt;" in text:
            text = _quotes(text)
        text = _unescape(text)
        return _HOLD.sub(lambda m: held[int(m.group(1))], text) if held else text

    def _cached(self, body: str) -> str:
        out = self._tokens.get(body)
        if out is None:
            if len(self._tokens) >= 100_000:
                self._tokens.clear()
            out = self._tokens[body] = self._token(body)
        return out

    def _token(self, body: str) -> str:
        target, _, label = body.partition("|")
        if target.startswith("@") and target[1:2] in ("U", "W", "B"):
            name = self.users(target[1:])
            if name:
                return f"@{name}"
            return self._unknown("user", target[1:], _unescape(label).lstrip("@") or "unknown user")
        if target.startswith("@") and target[1:] in ("here", "channel", "everyone"):
            return slack.expand_announcements(f"<!{target[1:]}>")
        if target.startswith("#"):
            name = self.channels(target[1:])
            if name:
                return f"~{name}"
            return self._unknown("channel", target[1:], f"#{_unescape(label)}" if label else "unknown channel")
        if target.startswith("!"):
            done = slack.expand_announcements(f"<{body}>")
            if done != f"<{body}>":
                return done
            return _unescape(label) if label else ""
        if target.startswith("mailto:"):
            return _unescape(label or target[len("mailto:"):])
        if re.match(r"^[a-z][a-z0-9+.-]*://", target, re.I):
            url = _unescape(target)
            return f"[{_unescape(label)}]({url})" if label and label != target else url
        return _unescape(f"<{body}>")


    def _unknown(self, kind: str, ident: str, shown: str) -> str:
        if self.unknown is not None:
            self.unknown(kind, ident, shown)
        return shown


def _code(text: str) -> str:
    if "<" in text:
        text = _CODE_LINK.sub(lambda m: m.group(2) if m.group(2) else m.group(1), text)
    return _unescape(text)


def _quotes(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("&gt;&gt;&gt;"):
            rest = [line[len("&gt;&gt;&gt;"):].lstrip(), *lines[i + 1:]]
            return "\n".join(lines[:i] + ["> " + r if r else ">" for r in rest])
        if line.startswith("&gt;"):
            lines[i] = ">" + line[len("&gt;"):]
    return "\n".join(lines)


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_message(text: str, limit: int) -> list[str]:
    """Text over ``limit`` characters cut into pieces, at a newline or space where one is near."""
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", limit // 2, limit), text.rfind(" ", limit // 2, limit))
        if cut <= 0:
            head, text = slack.split_runes(text, limit)[0], text[limit:]
            parts.append(head)
            continue
        parts.append(text[:cut])
        text = text[cut + 1:]
    parts.append(text)
    return parts

"""Finding who a message mentions: @username, @channel/@all/@here, outside code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_MENTION = re.compile(r"(?<![\w@])@([a-z0-9.\-_]+)", re.I)
_HASHTAG = re.compile(r"(?<![\w#])#([A-Za-z][\w.\-]{1,49})")


def strip_code(message: str) -> str:
    return _CODE_SPAN.sub(" ", _CODE_BLOCK.sub(" ", message))


@dataclass
class MentionResult:
    usernames: set[str] = field(default_factory=set)
    channel: bool = False  # @channel or @all
    here: bool = False


def parse_mentions(message: str) -> MentionResult:
    text = strip_code(message)
    result = MentionResult()
    for m in _MENTION.finditer(text):
        word = m.group(1).lower()
        # trailing punctuation is not part of a username ("@bob." / "@bob-")
        candidates = {word, word.rstrip(".-_")}
        for w in candidates:
            if w in ("channel", "all"):
                result.channel = True
            elif w == "here":
                result.here = True
            elif w:
                result.usernames.add(w)
    return result


def parse_hashtags(message: str) -> str:
    tags: list[str] = []
    for m in _HASHTAG.finditer(strip_code(message)):
        tag = "#" + m.group(1).rstrip(".-_")
        if len(tag) >= 4 and tag not in tags:
            tags.append(tag)
    out = " ".join(tags)
    return out[:1000].rsplit(" ", 1)[0] if len(out) > 1000 else out


def mentions_user(
    message: str, props: dict[str, object], username: str, ignore_channel_mentions: bool
) -> bool:
    """Whether a (non-system) message by someone else mentions ``username``: @username, or
    @channel/@all/@here unless channel mentions are ignored (@here counts as if online)."""
    found = parse_mentions(message)
    if username.lower() in found.usernames:
        return True
    wide = found.channel or found.here
    return wide and not ignore_channel_mentions and not props.get("mentionHighlightDisabled")


def ignores_channel_mentions(member_props: dict[str, str], user_props: dict[str, str]) -> bool:
    """@channel/@all/@here are ignored when the channel says so ("on"), or when the channel
    follows the account ("default") and the account turned channel mentions off."""
    setting = member_props.get("ignore_channel_mentions", "default") or "default"
    if setting == "default":
        return user_props.get("channel") == "false"
    return setting == "on"

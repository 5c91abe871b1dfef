"""Finding who a message mentions: @username, @channel/@all/@here, the first name and custom
mention keys from a user's notify_props, outside code spans and blocks."""

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


#: a word as mention keys see it: letters, digits, _ . - and an apostrophe, maybe after an @
_WORD = re.compile(r"(?<![\w@])@?\w[\w.'\-]*")
_TRAIL = ".-_'"


def message_words(message: str) -> set[str]:
    """The words of ``message`` (code excluded) that a mention key can match, each also without
    trailing punctuation ("@bob." → "@bob", "alice's" → "alice's" and "alice"). Case kept."""
    out: set[str] = set()
    for w in _WORD.findall(strip_code(message)):
        out.add(w)
        trimmed = w.rstrip(_TRAIL)
        if trimmed.endswith("'s"):
            out.add(trimmed[:-2])
        if trimmed and trimmed != "@":
            out.add(trimmed)
    return out


@dataclass(frozen=True)
class UserKeys:
    """What mentions one user: keys matched whatever their case (``@username`` always, plus the
    notify_props ``mention_keys``), and the first name, matched case-sensitively, when the user
    turned ``first_name`` on (Mattermost's rules)."""

    keys: frozenset[str]
    first_name: str = ""


def user_keys(username: str, first_name: str, notify_props: dict[str, str]) -> UserKeys:
    keys = {f"@{username.lower()}"} if username else set()
    for k in (notify_props.get("mention_keys") or "").split(","):
        k = k.strip().lower()
        if k:
            keys.add(k)
    first = first_name.strip() if notify_props.get("first_name") == "true" else ""
    return UserKeys(frozenset(keys), first)


def keys_match(words: set[str], keys: UserKeys) -> bool:
    if keys.first_name and keys.first_name in words:
        return True
    return any(w.lower() in keys.keys for w in words)


def mentions_user(
    message: str, props: dict[str, object], keys: UserKeys, ignore_channel_mentions: bool
) -> bool:
    """Whether a (non-system) message by someone else mentions the user with ``keys``: one of their
    keys, or @channel/@all/@here unless channel mentions are ignored (@here counts as if online)."""
    if keys_match(message_words(message), keys):
        return True
    found = parse_mentions(message)
    wide = found.channel or found.here
    return wide and not ignore_channel_mentions and not props.get("mentionHighlightDisabled")


def ignores_channel_mentions(member_props: dict[str, str], user_props: dict[str, str]) -> bool:
    """@channel/@all/@here are ignored when the channel says so ("on"), or when the channel
    follows the account ("default") and the account turned channel mentions off."""
    setting = member_props.get("ignore_channel_mentions", "default") or "default"
    if setting == "default":
        return user_props.get("channel") == "false"
    return setting == "on"

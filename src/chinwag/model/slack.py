"""Slack-compatible payloads: incoming webhook requests, message attachments and Slack markup.

Decoding follows Mattermost's rules: unknown keys are ignored, a value of the wrong type is a parse
error, attachment field values of any JSON type become strings, ``short`` accepts true/false or
"true"/"false", and a body with raw control characters inside strings is retried with them escaped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec

POST_PROPS_MAX_USER_RUNES = 400_000


class PayloadError(ValueError):
    """The payload is not what a Slack-compatible integration may send."""


@dataclass
class IncomingRequest:
    text: str = ""
    username: str = ""
    icon_url: str = ""
    icon_emoji: str = ""
    channel: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    #: None when the payload had no attachments (Mattermost tells "absent" from an empty list)
    attachments: list[dict[str, Any]] | None = None
    type: str = ""
    priority: dict[str, Any] | None = None


# decoding ---------------------------------------------------------------------------------------


def decode_json_lenient(raw: bytes) -> Any:
    """JSON, retried with raw control characters inside strings escaped (Slack clients send them)."""
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as first:
        try:
            return msgspec.json.decode(escape_control_chars(raw))
        except msgspec.DecodeError:
            raise PayloadError(str(first)) from None


def escape_control_chars(raw: bytes) -> bytes:
    out = bytearray()
    in_string = False
    escaped = False
    for b in raw:
        if in_string:
            if escaped:
                escaped = False
            elif b == 0x5C:  # backslash
                escaped = True
            elif b == 0x22:
                in_string = False
            elif b < 0x20:
                out += b"\\u%04x" % b
                continue
        elif b == 0x22:
            in_string = True
        out.append(b)
    return bytes(out)


def _str(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise PayloadError(f"{key}: expected a string")
    return v


def _dict(d: dict[str, Any], key: str) -> dict[str, Any] | None:
    v = d.get(key)
    if v is None:
        return None
    if not isinstance(v, dict):
        raise PayloadError(f"{key}: expected an object")
    return v


def parse_incoming(data: Any) -> IncomingRequest:
    """An incoming webhook request from decoded JSON."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PayloadError("expected a JSON object")
    req = IncomingRequest(
        text=_str(data, "text"),
        username=_str(data, "username"),
        icon_url=_str(data, "icon_url"),
        icon_emoji=_str(data, "icon_emoji"),
        channel=_str(data, "channel"),
        props=dict(_dict(data, "props") or {}),
        attachments=normalize_attachments(data.get("attachments"), "attachments"),
        type=_str(data, "type"),
        priority=_priority(data.get("priority")),
    )
    return req


def _priority(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise PayloadError("priority: expected an object")
    out: dict[str, Any] = {}
    p = v.get("priority")
    if p is not None:
        if not isinstance(p, str):
            raise PayloadError("priority.priority: expected a string")
        out["priority"] = p
    for key in ("requested_ack", "persistent_notifications"):
        b = v.get(key)
        if b is not None:
            if not isinstance(b, bool):
                raise PayloadError(f"priority.{key}: expected a boolean")
            out[key] = b
    return out


# attachments ------------------------------------------------------------------------------------

_ATTACHMENT_STRINGS = ("fallback", "color", "pretext", "author_name", "author_link", "author_icon", "title",
                       "title_link", "text")
_ATTACHMENT_TAIL = ("image_url", "thumb_url", "footer", "footer_icon")


def normalize_attachments(value: Any, where: str = "attachments") -> list[dict[str, Any]] | None:
    """Mattermost's SlackAttachment shape for each attachment (null entries dropped)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise PayloadError(f"{where}: expected an array")
    return [_attachment(a, f"{where}[{i}]") for i, a in enumerate(value) if a is not None]


def _attachment(a: Any, where: str) -> dict[str, Any]:
    if not isinstance(a, dict):
        raise PayloadError(f"{where}: expected an object")
    aid = a.get("id")
    if aid is None:
        aid = 0
    if isinstance(aid, bool) or not isinstance(aid, int):
        raise PayloadError(f"{where}.id: expected an integer")
    out: dict[str, Any] = {"id": aid}
    for key in _ATTACHMENT_STRINGS:
        out[key] = _str(a, key)
    fields = a.get("fields")
    if fields is None:
        out["fields"] = None
    else:
        if not isinstance(fields, list):
            raise PayloadError(f"{where}.fields: expected an array")
        out["fields"] = [_field(f, f"{where}.fields[{i}]") for i, f in enumerate(fields) if f is not None]
    for key in _ATTACHMENT_TAIL:
        out[key] = _str(a, key)
    out["ts"] = a.get("ts")
    actions = a.get("actions")
    if actions is not None:
        if not isinstance(actions, list) or not all(isinstance(x, dict) for x in actions if x is not None):
            raise PayloadError(f"{where}.actions: expected an array of objects")
        kept = [x for x in actions if x is not None]
        if kept:
            out["actions"] = kept
    return out


def _field(f: Any, where: str) -> dict[str, Any]:
    if not isinstance(f, dict):
        raise PayloadError(f"{where}: expected an object")
    short = f.get("short", False)
    if isinstance(short, str) and short.lower() in ("true", "false"):
        short = short.lower() == "true"
    elif short is None:
        short = False
    if not isinstance(short, bool):
        raise PayloadError(f"{where}.short: expected true or false")
    value = f.get("value")
    return {"title": _str(f, "title"), "value": None if value is None else go_value_string(value),
            "short": short}


def go_value_string(v: Any) -> str:
    """How Go's fmt ``%v`` prints a decoded JSON value (Mattermost stringifies field values so)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return _go_float(float(v))
    if isinstance(v, list):
        return "[" + " ".join(go_value_string(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_value_string(v[k])}" for k in sorted(v)) + "]"
    return "<nil>" if v is None else str(v)


def _go_float(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    t = Decimal(repr(abs(v))).normalize().as_tuple()
    digits = "".join(map(str, t.digits))
    exp10 = len(digits) + int(t.exponent) - 1
    if exp10 < -4 or exp10 >= 6:  # Go: %e when the exponent is < -4 or >= 6 for the shortest form
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'+' if exp10 >= 0 else '-'}{abs(exp10):02d}"
    point = exp10 + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


# Slack markup ------------------------------------------------------------------------------------

LINK_WITH_TEXT = re.compile(r"<([^\n<|>]+)\|([^|\n>]+)>")
_SPECIAL = re.compile(r"<!(channel|here|everyone|all)(?:\|[^>\n]*)?>")
_SPECIAL_LABEL = re.compile(r"<!(?:subteam\^[A-Za-z0-9]+|date\^[^|>\n]*)\|([^>\n]+)>")
_CHANNEL_REF = re.compile(r"<#[A-Za-z0-9]+\|([a-z0-9._\-]+)>")
USER_REF = re.compile(r"<@([A-Za-z0-9._\-]+)(?:\|[^>\n]*)?>")
_ANNOUNCE = {"channel": "@channel", "here": "@here", "everyone": "@all", "all": "@all"}


def expand_announcements(text: str) -> str:
    """``<!channel>`` → ``@channel``, ``<!here>`` → ``@here``, ``<!everyone>``/``<!all>`` → ``@all``;
    labelled specials (``<!subteam^ID|@team>``, ``<!date^…|fallback>``) become their label and
    ``<#C123|general>`` becomes ``~general``."""
    if "<" not in text:
        return text
    text = _SPECIAL.sub(lambda m: _ANNOUNCE[m.group(1)], text)
    text = _SPECIAL_LABEL.sub(lambda m: m.group(1), text)
    return _CHANNEL_REF.sub(lambda m: "~" + m.group(1), text)


def user_refs(text: str) -> set[str]:
    """The ids or usernames in ``<@…>`` references."""
    return set(USER_REF.findall(text)) if "<@" in text else set()


def replace_user_refs(text: str, usernames: dict[str, str]) -> str:
    """``<@id>`` / ``<@username>`` → ``@username`` where ``usernames`` knows the reference."""
    if "<@" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        name = usernames.get(m.group(1)) or usernames.get(m.group(1).lower())
        return f"@{name}" if name else m.group(0)

    return USER_REF.sub(sub, text)


def links_to_markdown(text: str) -> str:
    """``<https://x|label>`` → ``[label](https://x)``."""
    return LINK_WITH_TEXT.sub(r"[\2](\1)", text) if "|" in text else text


def attachment_texts(attachments: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for a in attachments:
        out += [a.get("pretext", ""), a.get("text", ""), a.get("title", "")]
        out += [f.get("value") or "" for f in a.get("fields") or []]
    return out


def map_attachment_text(attachments: list[dict[str, Any]], fn: Any, keys: tuple[str, ...]) -> None:
    """Apply ``fn`` to the given keys of every attachment and to every field value, in place."""
    for a in attachments:
        for key in keys:
            if a.get(key):
                a[key] = fn(a[key])
        for f in a.get("fields") or []:
            if isinstance(f.get("value"), str):
                f["value"] = fn(f["value"])


def split_runes(text: str, size: int) -> list[str]:
    """Text cut into pieces of at most ``size`` characters (Unicode code points, Go's runes)."""
    if len(text) <= size:
        return [text]
    return [text[i:i + size] for i in range(0, len(text), size)]

"""Mattermost's bulk format ↔ chinwag's per-user settings: a user line's display/notification
preferences and ``notify_props``, a membership's channel ``notify_props`` and ``favorite``, a team
membership's ``theme`` — one table of names, read by the importer and written by the exporter, so a
Mattermost server's users keep their settings when they move (and back)."""

from __future__ import annotations

from typing import Any

from chinwag.model.user import Preference

#: user-line field → (preference category, name); "" for tutorial_step means the user's id
USER_PREFS: dict[str, tuple[str, str]] = {
    "theme": ("theme", ""),
    "military_time": ("display_settings", "use_military_time"),
    "link_previews": ("display_settings", "collapse_previews"),
    "message_display": ("display_settings", "message_display"),
    "collapse_consecutive_messages": ("display_settings", "collapse_consecutive_messages"),
    "colorize_usernames": ("display_settings", "colorize_usernames"),
    "channel_display_mode": ("display_settings", "channel_display_mode"),
    "name_format": ("display_settings", "name_format"),
    "feature_enabled_markdown_preview": ("advanced_settings", "feature_enabled_markdown_preview"),
    "formatting": ("advanced_settings", "formatting"),
    "send_on_ctrl_enter": ("advanced_settings", "send_on_ctrl_enter"),
    "code_block_ctrl_enter": ("advanced_settings", "code_block_ctrl_enter"),
    "show_join_leave": ("advanced_settings", "join_leave"),
    "show_unread_scroll_position": ("advanced_settings", "unread_scroll_position"),
    "sync_drafts": ("advanced_settings", "sync_drafts"),
    "show_unread_section": ("sidebar_settings", "show_unread_section"),
    "limit_visible_dms_gms": ("sidebar_settings", "limit_visible_dms_gms"),
    "email_interval": ("notifications", "email_interval"),
    "tutorial_step": ("tutorial_step", ""),
}
#: the bulk format's words for email_interval and the preference values (seconds) they stand for
EMAIL_INTERVALS = {"immediately": "30", "fifteen": "900", "hour": "3600"}
#: user-line notify_props key → the user's notify_props key
USER_NOTIFY = {"desktop": "desktop", "desktop_sound": "desktop_sound", "email": "email", "mobile": "push",
               "mobile_push_status": "push_status", "channel": "channel", "comments": "comments",
               "mention_keys": "mention_keys", "highlight_keys": "highlight_keys"}
#: channel membership notify_props key → the member's notify_props key
CHANNEL_NOTIFY = {"desktop": "desktop", "mobile": "push", "mark_unread": "mark_unread"}
#: channel membership counters: bulk key → ChannelMember field (Mattermost spells one "urgend_…")
CHANNEL_COUNTERS = {"last_viewed_at": "last_viewed_at", "msg_count": "msg_count", "msg_count_root": "msg_count_root",
                    "mention_count": "mention_count", "mention_count_root": "mention_count_root",
                    "urgend_mention_count": "urgent_mention_count", "urgent_mention_count": "urgent_mention_count"}
FAVORITE = "favorite_channel"
FLAGGED = "flagged_post"


def invalid_user_fields(d: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, problem) for the settings of a user line that are not what Mattermost accepts."""
    bad: list[tuple[str, str]] = []
    for key in USER_PREFS:
        if key in d and not isinstance(d[key], str):
            bad.append((f"user.{key}", "a string"))
    interval = d.get("email_interval")
    if isinstance(interval, str) and interval not in EMAIL_INTERVALS and interval not in EMAIL_INTERVALS.values():
        bad.append(("user.email_interval", "immediately, fifteen or hour"))
    bad += _notify_problems("user.notify_props", d.get("notify_props"), USER_NOTIFY)
    return bad


def invalid_channel_fields(fld: str, c: dict[str, Any]) -> list[tuple[str, str]]:
    bad = _notify_problems(f"{fld}.notify_props", c.get("notify_props"), CHANNEL_NOTIFY)
    if "favorite" in c and not isinstance(c["favorite"], bool):
        bad.append((f"{fld}.favorite", "true or false"))
    for key in CHANNEL_COUNTERS:
        v = c.get(key)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            bad.append((f"{fld}.{key}", "a number ≥ 0"))
    return bad


def _notify_problems(fld: str, props: Any, known: dict[str, str]) -> list[tuple[str, str]]:
    if props is None:
        return []
    if not isinstance(props, dict):
        return [(fld, "an object")]
    return [(f"{fld}.{k}", "a string") for k, v in props.items() if k in known and not isinstance(v, str)]


def user_preferences(d: dict[str, Any], user_id: str) -> list[Preference]:
    """The preferences a user line sets (absent fields leave the stored ones alone)."""
    out = []
    for key, (category, name) in USER_PREFS.items():
        value = d.get(key)
        if not isinstance(value, str) or not value:
            continue
        if key == "email_interval":
            value = EMAIL_INTERVALS.get(value, value)
        out.append(Preference(user_id=user_id, category=category, name=name or (user_id if key == "tutorial_step"
                                                                                 else ""), value=value))
    return out


def merged_notify_props(current: dict[str, str], given: Any, known: dict[str, str]) -> dict[str, str]:
    """``current`` with the bulk keys ``given`` sets (mapped to chinwag's names)."""
    out = dict(current)
    if isinstance(given, dict):
        for k, v in given.items():
            if k in known and isinstance(v, str):
                out[known[k]] = v
    return out


def export_notify_props(props: dict[str, Any], known: dict[str, str]) -> dict[str, str]:
    return {bulk: str(props[ours]) for bulk, ours in known.items() if props.get(ours) not in (None, "")}


def export_user_preferences(prefs: list[dict[str, Any]], user_id: str) -> dict[str, str]:
    """The user-line fields for a user's stored preferences (rows of the preferences table)."""
    by_key = {(p["category"], p["name"]): p["value"] for p in prefs}
    out: dict[str, str] = {}
    for key, (category, name) in USER_PREFS.items():
        value = by_key.get((category, user_id if key == "tutorial_step" else name))
        if value is None:
            continue
        if key == "email_interval":
            value = {v: k for k, v in EMAIL_INTERVALS.items()}.get(value, value)
        out[key] = value
    return out

"""The call post's words, and the push that rings the other members' phones when a call starts in a DM or group message, as the calls
plugin sends it (``type`` "message", ``sub_type`` "calls": the mobile app shows its incoming-call screen for
it): one per member but the caller, in the receiver's language, with as much as the server's
``PushNotificationContents`` lets a push say. Mattermost's plugin sends it to every device of the member
whatever their notification settings (its SendPushNotification does not look at them); so does this one.
"""

from __future__ import annotations

from typing import Any

from chinwag.i18n import N_, translator
from chinwag.plugin import Channel, User

#: the server's ``PushNotificationContents`` values
ID_LOADED, GENERIC_NO_CHANNEL, FULL = "id_loaded", "generic_no_channel", "full"
#: how many members the plugin looks at (a group message has at most 8)
MAX_MEMBERS = 8

STARTED = N_("{username} started a call")
STARTED_FULL_NAME = N_("{first_name} {last_name} started a call")
ENDED = N_("Call ended")
GENERIC = N_("You've been invited to a call")
INVITING = N_("{sender_name} is inviting you to a call")


def _server_locale(config: dict[str, Any]) -> str:
    return str((config.get("LocalizationSettings") or {}).get("DefaultServerLocale") or "en")


def started_message(user: User, config: dict[str, Any]) -> str:
    """The call post's text, in the server's language: who started the call (their full name when both
    names are set and full names may be shown)."""
    t = translator(_server_locale(config))
    if user.first_name and user.last_name and (config.get("PrivacySettings") or {}).get("ShowFullName"):
        return t(STARTED_FULL_NAME, {"first_name": user.first_name, "last_name": user.last_name})
    return t(STARTED, {"username": user.username})


def ended_message(config: dict[str, Any]) -> str:
    return translator(_server_locale(config))(ENDED)


def attachment(text: str) -> list[dict[str, str]]:
    """The call post's message attachment (what an app without the calls post renderer shows)."""
    return [{"fallback": text, "title": text, "text": text}]


def full_name(user: User) -> str:
    return " ".join(n for n in (user.first_name, user.last_name) if n)


def display_name(user: User, name_format: str) -> str:
    """Mattermost's User.GetDisplayName: the nickname, the full name or the username as the format says,
    the username when the wanted one is empty."""
    if name_format == "nickname_full_name":
        return user.nickname or full_name(user) or user.username
    if name_format == "full_name":
        return full_name(user) or user.username
    return user.username


def name_format(config: dict[str, Any]) -> str:
    """The name format of pushes: usernames unless full names may be shown, then the teammate name display
    (Mattermost reads the receiver's own display preference first; chinwag's plugin API has none)."""
    if not (config.get("PrivacySettings") or {}).get("ShowFullName"):
        return "username"
    return str((config.get("TeamSettings") or {}).get("TeammateNameDisplay") or "username")


def channel_name(channel: Channel, sender: User, users: list[User], fmt: str, receiver_id: str) -> str:
    """The name a push shows for the channel: the caller's name in a DM ("@" before a username), the other
    members' names (sorted, comma separated) in a group message."""
    if channel.type == "D":
        name = display_name(sender, fmt)
        return "@" + name if name == sender.username else name
    if channel.type == "G":
        return ", ".join(sorted(display_name(u, fmt) for u in users if u.id != receiver_id))
    return channel.display_name


def generic_message(receiver: User) -> str:
    return translator(receiver.locale)(GENERIC)


def inviting_message(sender: User, receiver: User, config: dict[str, Any]) -> str:
    """"<caller> is inviting you to a call" in the receiver's language (behind a zero-width space, as the
    plugin's)."""
    return "\u200b" + translator(receiver.locale)(INVITING, {"sender_name": display_name(sender, name_format(config))})


def ring_push(channel: Channel, post_id: str, thread_id: str, sender: User, receiver: User, users: list[User],
              config: dict[str, Any]) -> dict[str, Any]:
    """The push for one receiver (the fields as the push proxy takes them)."""
    t = translator(receiver.locale)
    msg: dict[str, Any] = {"version": "v2", "type": "message", "sub_type": "calls", "team_id": channel.team_id,
                           "channel_id": channel.id, "post_id": post_id, "root_id": thread_id,
                           "sender_id": sender.id, "message": t(GENERIC)}
    contents = str((config.get("EmailSettings") or {}).get("PushNotificationContents") or FULL)
    if contents == ID_LOADED:
        msg["is_id_loaded"] = True
        return msg
    fmt = name_format(config)
    sender_name = display_name(sender, fmt)
    msg["sender_name"] = sender_name
    msg["channel_name"] = channel_name(channel, sender, users, fmt, receiver.id)
    if contents == GENERIC_NO_CHANNEL and channel.type != "D":
        msg["channel_name"] = ""
    if contents == FULL:
        msg["message"] = inviting_message(sender, receiver, config)
    return msg

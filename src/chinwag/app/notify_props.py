"""Who is told about a post, and how: Mattermost's rules over the account's ``notify_props`` and the
channel member's overrides (pure functions, no I/O).

Account props: ``desktop``/``push`` all|mention|none, ``email`` true|false, ``push_status``
online|away|offline (push only while the user is at most that present), ``comments``
never|root|any (replies count as mentions without CRT), ``desktop_threads``/``push_threads``/
``email_threads`` all|mention (followed threads with CRT), ``channel`` (channel-wide mentions).
Channel member props: ``desktop``/``push``/``email`` default|all|mention|none (``email`` also
true|false), ``mark_unread`` all|mention (mention = muted), ``ignore_channel_mentions``,
``desktop_threads``/``push_threads`` default|all|mention."""

from __future__ import annotations

from chinwag.model.post import Post
from chinwag.model.user import STATUS_AWAY, STATUS_DND, STATUS_OFFLINE, STATUS_ONLINE, Status

ALL = "all"
MENTION = "mention"
NONE = "none"
DEFAULT = "default"
#: a status older than this no longer counts as looking at the channel (Mattermost: 5 minutes)
CHANNEL_ACTIVE_MS = 5 * 60 * 1000


def muted(member_props: dict[str, str]) -> bool:
    return member_props.get("mark_unread") == MENTION


def level(kind: str, user_props: dict[str, str], member_props: dict[str, str], is_gm: bool = False) -> str:
    """The effective ``desktop``/``push`` level: the channel's override unless it is "default";
    a group message counts as "all" for someone whose account says "mention"."""
    channel = member_props.get(kind) or DEFAULT
    if channel != DEFAULT:
        return channel
    account = user_props.get(kind) or (MENTION if kind != "email" else "true")
    if is_gm and account == MENTION:
        return ALL
    return account


def thread_level(kind: str, user_props: dict[str, str], member_props: dict[str, str]) -> str:
    """``desktop_threads``/``push_threads``/``email_threads``: how followed threads notify (CRT)."""
    channel = member_props.get(kind) or DEFAULT
    if channel != DEFAULT:
        return channel
    return user_props.get(kind) or ALL


def email_wanted(user_props: dict[str, str], member_props: dict[str, str]) -> bool:
    """Whether email notifications are on for this user in this channel (muting turns them off)."""
    allowed = user_props.get("email", "true") not in ("false", NONE)
    channel = member_props.get("email") or DEFAULT
    if channel != DEFAULT:
        allowed = channel not in ("false", NONE)
    return allowed and not muted(member_props)


def email_status_allows(status: Status) -> bool:
    """Email goes to people who are not online (away, offline, do not disturb)."""
    return status.status != STATUS_ONLINE


def push_wanted(
    user_id: str,
    user_props: dict[str, str],
    member_props: dict[str, str],
    post: Post,
    mentioned: bool,
    is_gm: bool,
) -> bool:
    """Mattermost's DoesNotifyPropsAllowPushNotification."""
    if post.is_system_message():
        return False
    notify = level("push", user_props, member_props, is_gm)
    if notify == NONE:
        return False
    if notify == MENTION and not mentioned:
        return False
    if notify == ALL and post.user_id == user_id and post.props.get("from_webhook") != "true":
        return False
    return not (muted(member_props) and not mentioned)


def push_status_allows(user_props: dict[str, str], status: Status, channel_id: str, now: int,
                       active_channel: str = "") -> bool:
    """Mattermost's DoesStatusAllowPushNotification: never while do-not-disturb; with
    ``push_status`` "online" always unless looking at this very channel; "away" when away or
    offline; "offline" only when offline."""
    if status.status == STATUS_DND:
        return False
    wanted = user_props.get("push_status") or STATUS_ONLINE
    if wanted == STATUS_ONLINE:
        looking = active_channel == channel_id and now - status.last_activity_at < CHANNEL_ACTIVE_MS
        return not looking
    if wanted == STATUS_AWAY:
        return status.status in (STATUS_AWAY, STATUS_OFFLINE)
    if wanted == STATUS_OFFLINE:
        return status.status == STATUS_OFFLINE
    return False


def comment_mention(user_props: dict[str, str], is_root_author: bool, participated: bool) -> bool:
    """Without CRT, a reply mentions the root's author (``comments`` root or any) and everyone who
    took part in the thread (``comments`` any)."""
    comments = user_props.get("comments") or "never"
    if comments == "any":
        return is_root_author or participated
    return comments == "root" and is_root_author

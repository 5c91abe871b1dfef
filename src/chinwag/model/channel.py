"""Channel and ChannelMember wire structs; the names of direct and group channels."""

from __future__ import annotations

import hashlib
from typing import ClassVar

import msgspec

from chinwag.model.team import _role_order
from chinwag.model.wire import Wire

CHANNEL_OPEN = "O"
CHANNEL_PRIVATE = "P"
CHANNEL_DIRECT = "D"
CHANNEL_GROUP = "G"

CHANNEL_USER_ROLE = "channel_user"
CHANNEL_ADMIN_ROLE = "channel_admin"
CHANNEL_GUEST_ROLE = "channel_guest"

DEFAULT_CHANNEL = "town-square"
OFF_TOPIC_CHANNEL = "off-topic"

CHANNEL_NAME_MAX = 64
CHANNEL_DISPLAY_NAME_MAX = 64
CHANNEL_HEADER_MAX = 1024
CHANNEL_PURPOSE_MAX = 250
GROUP_MIN_USERS = 3
GROUP_MAX_USERS = 8


def default_channel_notify_props() -> dict[str, str]:
    return {
        "desktop": "default",
        "email": "default",
        "push": "default",
        "mark_unread": "all",
        "ignore_channel_mentions": "default",
        "channel_auto_follow_threads": "off",
        "desktop_threads": "default",
        "push_threads": "default",
    }


class Channel(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset(
        {"props", "policy_id", "last_root_post_at", "extra_update_at"}
    )

    id: str
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    team_id: str = ""
    type: str = CHANNEL_OPEN
    display_name: str = ""
    name: str = ""
    header: str = ""
    purpose: str = ""
    last_post_at: int = 0
    total_msg_count: int = 0
    extra_update_at: int = 0
    creator_id: str = ""
    scheme_id: str | None = None
    props: dict[str, object] | None = None
    group_constrained: bool | None = None
    shared: bool | None = None
    total_msg_count_root: int = 0
    policy_id: str | None = None
    last_root_post_at: int = 0

    def is_group_or_direct(self) -> bool:
        return self.type in (CHANNEL_DIRECT, CHANNEL_GROUP)


class ChannelCreate(msgspec.Struct, kw_only=True):
    team_id: str = ""
    name: str = ""
    display_name: str = ""
    type: str = CHANNEL_OPEN
    purpose: str = ""
    header: str = ""


class ChannelPatch(msgspec.Struct, kw_only=True):
    name: str | msgspec.UnsetType = msgspec.UNSET
    display_name: str | msgspec.UnsetType = msgspec.UNSET
    header: str | msgspec.UnsetType = msgspec.UNSET
    purpose: str | msgspec.UnsetType = msgspec.UNSET
    group_constrained: bool | msgspec.UnsetType | None = msgspec.UNSET


class ChannelMember(Wire, kw_only=True):
    channel_id: str
    user_id: str
    roles: str = ""
    last_viewed_at: int = 0
    msg_count: int = 0
    mention_count: int = 0
    mention_count_root: int = 0
    urgent_mention_count: int = 0
    msg_count_root: int = 0
    notify_props: dict[str, str] = msgspec.field(default_factory=default_channel_notify_props)
    last_update_at: int = 0
    scheme_guest: bool = False
    scheme_user: bool = True
    scheme_admin: bool = False
    explicit_roles: str = ""

    def role_set(self) -> set[str]:
        roles = set(self.explicit_roles.split())
        if self.scheme_guest:
            roles.add(CHANNEL_GUEST_ROLE)
        if self.scheme_user:
            roles.add(CHANNEL_USER_ROLE)
        if self.scheme_admin:
            roles.add(CHANNEL_ADMIN_ROLE)
        return roles

    def to_dict(self) -> dict[str, object]:
        d = super().to_dict()
        d["roles"] = " ".join(sorted(self.role_set(), key=_role_order))
        return d


class ChannelUnread(Wire, kw_only=True):
    team_id: str
    channel_id: str
    msg_count: int = 0
    mention_count: int = 0
    mention_count_root: int = 0
    urgent_mention_count: int = 0
    msg_count_root: int = 0
    notify_props: dict[str, str] = msgspec.field(default_factory=dict)


class ChannelUnreadAt(Wire, kw_only=True):
    """What marking a channel unread from a post answers (Mattermost's ChannelUnreadAt)."""

    team_id: str
    user_id: str
    channel_id: str
    msg_count: int = 0
    mention_count: int = 0
    mention_count_root: int = 0
    urgent_mention_count: int = 0
    msg_count_root: int = 0
    last_viewed_at: int = 0
    notify_props: dict[str, str] = msgspec.field(default_factory=dict)


def direct_channel_name(a: str, b: str) -> str:
    return "__".join(sorted((a, b)))


def group_channel_name(user_ids: list[str]) -> str:
    """Mattermost's GetGroupNameFromUserIds: sha1 of the sorted ids, concatenated."""
    return hashlib.sha1("".join(sorted(user_ids)).encode()).hexdigest()


def new_member(channel_id: str, user_id: str, now: int, *, admin: bool = False, guest: bool = False) -> ChannelMember:
    """A fresh membership: a member (or guest), admin when asked (never a guest), nothing viewed yet."""
    return ChannelMember(
        channel_id=channel_id,
        user_id=user_id,
        scheme_user=not guest,
        scheme_admin=admin and not guest,
        scheme_guest=guest,
        last_viewed_at=0,
        last_update_at=now,
    )

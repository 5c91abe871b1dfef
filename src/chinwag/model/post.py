"""Post, PostList, Reaction and thread wire structs."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from chinwag.model.integration_action import strip_action_integrations
from chinwag.model.wire import Wire

POST_MESSAGE_MAX_RUNES = 16383
POST_PROPS_MAX_RUNES = 800000
POST_HASHTAGS_MAX = 1000
MAX_FILE_IDS = 10
EMOJI_NAME_MAX = 64

# System post types (Mattermost's names)
POST_TYPE_JOIN_CHANNEL = "system_join_channel"
POST_TYPE_LEAVE_CHANNEL = "system_leave_channel"
POST_TYPE_ADD_TO_CHANNEL = "system_add_to_channel"
POST_TYPE_REMOVE_FROM_CHANNEL = "system_remove_from_channel"
POST_TYPE_JOIN_TEAM = "system_join_team"
POST_TYPE_LEAVE_TEAM = "system_leave_team"
POST_TYPE_HEADER_CHANGE = "system_header_change"
POST_TYPE_PURPOSE_CHANGE = "system_purpose_change"
POST_TYPE_DISPLAYNAME_CHANGE = "system_displayname_change"
POST_TYPE_CHANNEL_DELETED = "system_channel_deleted"
POST_TYPE_CHANNEL_RESTORED = "system_channel_restored"
POST_TYPE_EPHEMERAL = "system_ephemeral"
POST_TYPE_ME = "me"
POST_TYPE_SLACK_ATTACHMENT = "slack_attachment"

USER_SETTABLE_POST_TYPES = frozenset({"", POST_TYPE_ME, POST_TYPE_SLACK_ATTACHMENT})

#: Mattermost's Post.IsJoinLeaveMessage: these never count as unread messages.
JOIN_LEAVE_POST_TYPES = frozenset(
    {
        "system_join_leave",
        "system_add_remove",
        POST_TYPE_JOIN_CHANNEL,
        POST_TYPE_LEAVE_CHANNEL,
        POST_TYPE_JOIN_TEAM,
        POST_TYPE_LEAVE_TEAM,
        POST_TYPE_ADD_TO_CHANNEL,
        POST_TYPE_REMOVE_FROM_CHANNEL,
        "system_add_to_team",
        "system_remove_from_team",
    }
)


#: a post prop the server sets (POST /notifications/test): its push goes out whatever the recipient's
#: notification settings and status (Mattermost's PostPropsForceNotification)
FORCE_NOTIFICATION = "force_notification"

class Post(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"message_source", "has_reactions"})
    OMITNIL: ClassVar[frozenset[str]] = frozenset({"remote_id", "is_following"})

    id: str
    create_at: int = 0
    update_at: int = 0
    edit_at: int = 0
    delete_at: int = 0
    is_pinned: bool = False
    user_id: str = ""
    channel_id: str = ""
    root_id: str = ""
    original_id: str = ""
    message: str = ""
    message_source: str = ""
    type: str = ""
    props: dict[str, Any] = msgspec.field(default_factory=dict)
    hashtags: str = ""
    file_ids: list[str] = msgspec.field(default_factory=list)
    pending_post_id: str = ""
    has_reactions: bool = False
    remote_id: str | None = None
    reply_count: int = 0
    last_reply_at: int = 0
    participants: list[dict[str, Any]] | None = None
    is_following: bool | None = None
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)

    def is_system_message(self) -> bool:
        return self.type.startswith("system_")

    def to_dict(self) -> dict[str, Any]:
        """The post as clients see it: interactive actions without their ``integration`` (URL and private
        context stay on the server, as Mattermost's Post.ToJSON strips them)."""
        d = super().to_dict()
        if "attachments" in self.props:
            d["props"] = strip_action_integrations(d["props"])
        return d

    def wire_dict(self) -> dict[str, Any]:
        d = self._shallow_dict()
        if "attachments" in self.props:
            d["props"] = strip_action_integrations(d["props"])  # a copy when it strips: the post stays whole
        return d

    def is_join_leave_message(self) -> bool:
        return self.type in JOIN_LEAVE_POST_TYPES


class PostCreate(msgspec.Struct, kw_only=True):
    channel_id: str = ""
    message: str = ""
    root_id: str = ""
    file_ids: list[str] | None = None
    props: dict[str, Any] | None = None
    type: str = ""
    pending_post_id: str = ""
    metadata: dict[str, Any] | None = None
    user_id: str = ""
    create_at: int = 0
    id: str = ""
    hashtags: str = ""


class PostPatch(msgspec.Struct, kw_only=True):
    message: str | msgspec.UnsetType = msgspec.UNSET
    is_pinned: bool | msgspec.UnsetType = msgspec.UNSET
    props: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    file_ids: list[str] | msgspec.UnsetType = msgspec.UNSET
    has_reactions: bool | msgspec.UnsetType = msgspec.UNSET


class PostList(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"matches"})

    order: list[str] = msgspec.field(default_factory=list)
    posts: dict[str, Post] = msgspec.field(default_factory=dict)
    next_post_id: str = ""
    prev_post_id: str = ""
    has_next: bool = False
    first_inaccessible_post_time: int = 0
    matches: dict[str, list[str]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return self._dict({k: p.to_dict() for k, p in self.posts.items()})

    def wire_dict(self) -> dict[str, Any]:
        return self._dict({k: p.wire_dict() for k, p in self.posts.items()})

    def _dict(self, posts: dict[str, Any]) -> dict[str, Any]:
        d: dict[str, Any] = {
            "order": self.order,
            "posts": posts,
            "next_post_id": self.next_post_id,
            "prev_post_id": self.prev_post_id,
            "has_next": self.has_next,
            "first_inaccessible_post_time": self.first_inaccessible_post_time,
        }
        if self.matches is not None:
            d["matches"] = self.matches
        return d


class Reaction(Wire, kw_only=True):
    user_id: str
    post_id: str
    emoji_name: str
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    remote_id: str = ""
    channel_id: str = ""


class ReactionCreate(msgspec.Struct, kw_only=True):
    user_id: str = ""
    post_id: str = ""
    emoji_name: str = ""
    create_at: int = 0


class ThreadResponse(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"props"})

    id: str
    reply_count: int = 0
    last_reply_at: int = 0
    last_viewed_at: int = 0
    participants: list[dict[str, Any]] = msgspec.field(default_factory=list)
    post: Post | None = None
    unread_replies: int = 0
    unread_mentions: int = 0
    is_urgent: bool = False
    delete_at: int = 0
    props: dict[str, Any] | None = None

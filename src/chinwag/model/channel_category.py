"""Sidebar categories (Mattermost's model.SidebarCategoryWithChannels and OrderedSidebarCategories)."""

from __future__ import annotations

import re

import msgspec

from chinwag.model.ids import is_valid_id

FAVORITES = "favorites"
CHANNELS = "channels"
DIRECT_MESSAGES = "direct_messages"
CUSTOM = "custom"
TYPES = frozenset({FAVORITES, CHANNELS, DIRECT_MESSAGES, CUSTOM})

SORT_DEFAULT = ""
SORT_MANUAL = "manual"
SORT_RECENT = "recent"
SORT_ALPHABETICAL = "alpha"
SORTINGS = frozenset({SORT_DEFAULT, SORT_MANUAL, SORT_RECENT, SORT_ALPHABETICAL})

#: the step between sort orders (model.MinimalSidebarSortDistance)
SORT_DISTANCE = 10
#: the default categories: type → (sort order, sorting, display name the clients translate)
DEFAULTS: dict[str, tuple[int, str, str]] = {
    FAVORITES: (0, SORT_DEFAULT, "Favorites"),
    CHANNELS: (SORT_DISTANCE, SORT_DEFAULT, "Channels"),
    DIRECT_MESSAGES: (2 * SORT_DISTANCE, SORT_RECENT, "Direct Messages"),
}
DISPLAY_NAME_MAX = 64
#: the preference category whose "true" values are the Favorites (kept in step with the category)
FAVORITE_CHANNEL = "favorite_channel"

_DEFAULT_ID = re.compile(r"(favorites|channels|direct_messages)_[a-z0-9]{26}_[a-z0-9]{26}")


def default_category_id(kind: str, user_id: str, team_id: str) -> str:
    """Default categories have deterministic ids, so a race cannot make two of them."""
    return f"{kind}_{user_id}_{team_id}"


def is_valid_category_id(value: str) -> bool:
    return is_valid_id(value) or _DEFAULT_ID.search(value) is not None


class SidebarCategory(msgspec.Struct, kw_only=True):
    """A category with its channel ids, as the API sends and takes it."""

    id: str = ""
    user_id: str = ""
    team_id: str = ""
    sort_order: int = 0
    sorting: str = SORT_DEFAULT
    type: str = ""
    display_name: str = ""
    muted: bool = False
    collapsed: bool = False
    channel_ids: list[str] = msgspec.field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]


class OrderedSidebarCategories(msgspec.Struct, kw_only=True):
    categories: list[SidebarCategory] = msgspec.field(default_factory=list)
    order: list[str] = msgspec.field(default_factory=list)

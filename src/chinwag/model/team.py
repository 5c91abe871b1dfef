"""Team and TeamMember wire structs."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from chinwag.model.wire import Wire

TEAM_OPEN = "O"
TEAM_INVITE = "I"

TEAM_USER_ROLE = "team_user"
TEAM_ADMIN_ROLE = "team_admin"
TEAM_GUEST_ROLE = "team_guest"

RESERVED_TEAM_NAMES = frozenset(
    {
        "admin",
        "api",
        "channel",
        "claim",
        "error",
        "files",
        "help",
        "landing",
        "login",
        "mfa",
        "oauth",
        "plug",
        "plugins",
        "post",
        "signup",
        "boards",
        "playbooks",
    }
)


class Team(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"policy_id", "cloud_limits_archived"})

    id: str
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    display_name: str = ""
    name: str = ""
    description: str = ""
    email: str = ""
    type: str = TEAM_OPEN
    company_name: str = ""
    allowed_domains: str = ""
    invite_id: str = ""
    allow_open_invite: bool = False
    last_team_icon_update: int = 0
    scheme_id: str | None = None
    group_constrained: bool | None = None
    policy_id: str | None = None
    cloud_limits_archived: bool = False


class TeamCreate(msgspec.Struct, kw_only=True):
    name: str = ""
    display_name: str = ""
    type: str = TEAM_OPEN
    description: str = ""
    company_name: str = ""
    allowed_domains: str = ""
    allow_open_invite: bool | None = None
    email: str = ""


class TeamPatch(msgspec.Struct, kw_only=True):
    display_name: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    company_name: str | msgspec.UnsetType = msgspec.UNSET
    allowed_domains: str | msgspec.UnsetType = msgspec.UNSET
    allow_open_invite: bool | msgspec.UnsetType = msgspec.UNSET
    group_constrained: bool | msgspec.UnsetType | None = msgspec.UNSET


class TeamMember(Wire, kw_only=True):
    team_id: str
    user_id: str
    roles: str = ""
    delete_at: int = 0
    scheme_guest: bool = False
    scheme_user: bool = True
    scheme_admin: bool = False
    explicit_roles: str = ""
    create_at: int = 0

    def role_set(self) -> set[str]:
        roles = set(self.explicit_roles.split())
        if self.scheme_guest:
            roles.add(TEAM_GUEST_ROLE)
        if self.scheme_user:
            roles.add(TEAM_USER_ROLE)
        if self.scheme_admin:
            roles.add(TEAM_ADMIN_ROLE)
        return roles

    def to_dict(self) -> dict[str, object]:
        d = super().to_dict()
        d["roles"] = " ".join(sorted(self.role_set(), key=_role_order))
        return d


def _role_order(role: str) -> tuple[int, str]:
    order = {
        "team_guest": 0,
        "team_user": 1,
        "team_admin": 2,
        "channel_guest": 0,
        "channel_user": 1,
        "channel_admin": 2,
    }
    return (order.get(role, 3), role)


class TeamUnread(Wire, kw_only=True):
    team_id: str
    msg_count: int = 0
    mention_count: int = 0
    mention_count_root: int = 0
    msg_count_root: int = 0
    thread_count: int = 0
    thread_mention_count: int = 0
    thread_urgent_mention_count: int = 0


class SchemeRoles(msgspec.Struct, kw_only=True):
    """The body of PUT …/members/{user_id}/schemeRoles (Mattermost's model.SchemeRoles)."""

    scheme_admin: bool = False
    scheme_user: bool = False
    scheme_guest: bool = False

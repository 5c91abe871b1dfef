"""User, Session, Status, Preference and related wire structs."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from chinwag.model.wire import Wire

SYSTEM_ADMIN_ROLE = "system_admin"
SYSTEM_USER_ROLE = "system_user"
SYSTEM_GUEST_ROLE = "system_guest"

STATUS_ONLINE = "online"
STATUS_AWAY = "away"
STATUS_OFFLINE = "offline"
STATUS_DND = "dnd"

DEFAULT_LOCALE = "en"


def default_notify_props(username: str = "", first_name: str = "") -> dict[str, str]:
    keys = f"{username},@{username}" if username else ""
    return {
        "email": "true",
        "push": "mention",
        "desktop": "mention",
        "desktop_sound": "true",
        "mention_keys": keys,
        "channel": "true",
        "first_name": "false",
        "push_status": "online",
        "comments": "never",
        "auto_responder_active": "false",
        "auto_responder_message": "",
        "desktop_threads": "all",
        "push_threads": "all",
        "email_threads": "all",
    }


def default_timezone() -> dict[str, str]:
    return {"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"}


class User(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset(
        {
            "create_at",
            "update_at",
            "auth_data",
            "email_verified",
            "allow_marketing",
            "props",
            "notify_props",
            "last_password_update",
            "last_picture_update",
            "mfa_active",
            "remote_id",
            "last_activity_at",
            "is_bot",
            "bot_description",
            "bot_last_icon_update",
            "terms_of_service_id",
            "terms_of_service_create_at",
        }
    )

    id: str
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    username: str = ""
    auth_data: str | None = None
    auth_service: str = ""
    email: str = ""
    email_verified: bool = False
    nickname: str = ""
    first_name: str = ""
    last_name: str = ""
    position: str = ""
    roles: str = SYSTEM_USER_ROLE
    allow_marketing: bool = False
    props: dict[str, str] = msgspec.field(default_factory=dict)
    notify_props: dict[str, str] = msgspec.field(default_factory=dict)
    last_password_update: int = 0
    last_picture_update: int = 0
    locale: str = DEFAULT_LOCALE
    timezone: dict[str, str] = msgspec.field(default_factory=default_timezone)
    mfa_active: bool = False
    remote_id: str | None = None
    last_activity_at: int = 0
    is_bot: bool = False
    bot_description: str = ""
    bot_last_icon_update: int = 0
    terms_of_service_id: str = ""
    terms_of_service_create_at: int = 0
    disable_welcome_email: bool = False

    def role_set(self) -> set[str]:
        return set(self.roles.split())

    def is_system_admin(self) -> bool:
        return SYSTEM_ADMIN_ROLE in self.role_set()

    def is_guest(self) -> bool:
        return SYSTEM_GUEST_ROLE in self.role_set()

    def sanitized_for(
        self, viewer_is_self: bool, viewer_is_admin: bool, show_email: bool, show_full_name: bool
    ) -> User:
        """Mattermost's SanitizeProfile: what another user may see of this one."""
        if viewer_is_self:
            return self
        u = msgspec.structs.replace(self)
        if not viewer_is_admin:
            u.auth_data = None
            u.notify_props = {}
            u.last_password_update = 0
            u.mfa_active = False
            u.email_verified = False
            u.allow_marketing = False
            if not show_email:
                u.email = ""
            if not show_full_name:
                u.first_name = ""
                u.last_name = ""
        return u


class UserCreate(msgspec.Struct, kw_only=True):
    username: str = ""
    email: str = ""
    password: str = ""
    nickname: str = ""
    first_name: str = ""
    last_name: str = ""
    position: str = ""
    locale: str = ""
    props: dict[str, str] | None = None
    notify_props: dict[str, str] | None = None
    timezone: dict[str, str] | None = None
    auth_service: str = ""
    auth_data: str | None = None
    email_verified: bool = False


class UserPatch(msgspec.Struct, kw_only=True, omit_defaults=True):
    username: str | msgspec.UnsetType = msgspec.UNSET
    email: str | msgspec.UnsetType = msgspec.UNSET
    nickname: str | msgspec.UnsetType = msgspec.UNSET
    first_name: str | msgspec.UnsetType = msgspec.UNSET
    last_name: str | msgspec.UnsetType = msgspec.UNSET
    position: str | msgspec.UnsetType = msgspec.UNSET
    locale: str | msgspec.UnsetType = msgspec.UNSET
    props: dict[str, str] | msgspec.UnsetType = msgspec.UNSET
    notify_props: dict[str, str] | msgspec.UnsetType = msgspec.UNSET
    timezone: dict[str, str] | msgspec.UnsetType = msgspec.UNSET
    password: str | msgspec.UnsetType = msgspec.UNSET


class Session(Wire, kw_only=True):
    id: str
    token: str
    create_at: int
    expires_at: int
    last_activity_at: int
    user_id: str
    device_id: str = ""
    roles: str = ""
    is_oauth: bool = False
    expired_notify: bool = False
    props: dict[str, str] = msgspec.field(default_factory=dict)
    team_members: list[dict[str, object]] = msgspec.field(default_factory=list)
    local: bool = False
    csrf_token: str = ""

    def is_expired(self, now: int) -> bool:
        return self.expires_at > 0 and now > self.expires_at

    def to_dict(self) -> dict[str, object]:
        d = super().to_dict()
        d.pop("csrf_token", None)
        return d

    def wire_dict(self) -> dict[str, Any]:
        d = self._shallow_dict()
        d.pop("csrf_token", None)
        return d


class Status(Wire, kw_only=True):
    user_id: str
    status: str = STATUS_OFFLINE
    manual: bool = False
    last_activity_at: int = 0
    active_channel: str = ""
    dnd_end_time: int = 0

    def to_dict(self) -> dict[str, object]:
        d = super().to_dict()
        d.pop("active_channel", None)
        return d

    def wire_dict(self) -> dict[str, Any]:
        d = self._shallow_dict()  # every field a scalar: the shallow dict is the deep one
        del d["active_channel"]
        return d


class Preference(Wire, kw_only=True):
    user_id: str
    category: str
    name: str
    value: str


class Audit(Wire, kw_only=True):
    """One audit record (Mattermost's model.Audit): a sign-in, its failure, a security change."""

    id: str
    create_at: int = 0
    user_id: str = ""
    action: str = ""
    extra_info: str = ""
    ip_address: str = ""
    session_id: str = ""

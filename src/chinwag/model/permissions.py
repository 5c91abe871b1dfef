"""Roles and permissions as data, with Mattermost's role and permission names.

A permission check gathers the caller's system roles, their team-member roles (for a team or a
channel in a team) and channel-member roles (for a channel), and passes if any role grants it —
the same rule as Mattermost's ``SessionHasPermissionTo{Team,Channel}``.
"""

from __future__ import annotations

from collections.abc import Iterable

# Permission names -----------------------------------------------------------------------------
MANAGE_SYSTEM = "manage_system"
EDIT_OTHER_USERS = "edit_other_users"
CREATE_USER = "create_user"  # not a Mattermost name; admins may always create users
LIST_USERS_WITHOUT_TEAM = "list_users_without_team"
VIEW_MEMBERS = "view_members"
CREATE_TEAM = "create_team"
LIST_PUBLIC_TEAMS = "list_public_teams"
JOIN_PUBLIC_TEAMS = "join_public_teams"
LIST_PRIVATE_TEAMS = "list_private_teams"
JOIN_PRIVATE_TEAMS = "join_private_teams"
MANAGE_TEAM = "manage_team"
VIEW_TEAM = "view_team"
ADD_USER_TO_TEAM = "add_user_to_team"
REMOVE_USER_FROM_TEAM = "remove_user_from_team"
MANAGE_TEAM_ROLES = "manage_team_roles"
INVITE_USER = "invite_user"
LIST_TEAM_CHANNELS = "list_team_channels"
JOIN_PUBLIC_CHANNELS = "join_public_channels"
READ_PUBLIC_CHANNEL = "read_public_channel"
CREATE_PUBLIC_CHANNEL = "create_public_channel"
CREATE_PRIVATE_CHANNEL = "create_private_channel"
CREATE_DIRECT_CHANNEL = "create_direct_channel"
CREATE_GROUP_CHANNEL = "create_group_channel"
MANAGE_PUBLIC_CHANNEL_PROPERTIES = "manage_public_channel_properties"
MANAGE_PRIVATE_CHANNEL_PROPERTIES = "manage_private_channel_properties"
MANAGE_PUBLIC_CHANNEL_MEMBERS = "manage_public_channel_members"
MANAGE_PRIVATE_CHANNEL_MEMBERS = "manage_private_channel_members"
DELETE_PUBLIC_CHANNEL = "delete_public_channel"
DELETE_PRIVATE_CHANNEL = "delete_private_channel"
CONVERT_PUBLIC_CHANNEL_TO_PRIVATE = "convert_public_channel_to_private"
CONVERT_PRIVATE_CHANNEL_TO_PUBLIC = "convert_private_channel_to_public"
MANAGE_CHANNEL_ROLES = "manage_channel_roles"
READ_CHANNEL = "read_channel"
READ_CHANNEL_CONTENT = "read_channel_content"
CREATE_POST = "create_post"
CREATE_POST_PUBLIC = "create_post_public"
CREATE_POST_EPHEMERAL = "create_post_ephemeral"
EDIT_POST = "edit_post"
EDIT_OTHERS_POSTS = "edit_others_posts"
DELETE_POST = "delete_post"
DELETE_OTHERS_POSTS = "delete_others_posts"
USE_CHANNEL_MENTIONS = "use_channel_mentions"
ADD_REACTION = "add_reaction"
REMOVE_REACTION = "remove_reaction"
REMOVE_OTHERS_REACTIONS = "remove_others_reactions"
UPLOAD_FILE = "upload_file"
GET_PUBLIC_LINK = "get_public_link"
USE_SLASH_COMMANDS = "use_slash_commands"
MANAGE_INCOMING_WEBHOOKS = "manage_incoming_webhooks"
MANAGE_OUTGOING_WEBHOOKS = "manage_outgoing_webhooks"
MANAGE_OTHERS_INCOMING_WEBHOOKS = "manage_others_incoming_webhooks"
MANAGE_OTHERS_OUTGOING_WEBHOOKS = "manage_others_outgoing_webhooks"
MANAGE_SLASH_COMMANDS = "manage_slash_commands"
MANAGE_OTHERS_SLASH_COMMANDS = "manage_others_slash_commands"
CREATE_USER_ACCESS_TOKEN = "create_user_access_token"
READ_USER_ACCESS_TOKEN = "read_user_access_token"
REVOKE_USER_ACCESS_TOKEN = "revoke_user_access_token"
CREATE_BOT = "create_bot"
READ_BOTS = "read_bots"
MANAGE_BOTS = "manage_bots"
READ_OTHERS_BOTS = "read_others_bots"
MANAGE_OTHERS_BOTS = "manage_others_bots"
CREATE_EMOJIS = "create_emojis"
DELETE_EMOJIS = "delete_emojis"
DELETE_OTHERS_EMOJIS = "delete_others_emojis"
MANAGE_ROLES = "manage_roles"
MANAGE_JOBS = "manage_jobs"

_CHANNEL_USER = frozenset(
    {
        READ_CHANNEL,
        READ_CHANNEL_CONTENT,
        ADD_REACTION,
        REMOVE_REACTION,
        MANAGE_PUBLIC_CHANNEL_MEMBERS,
        UPLOAD_FILE,
        GET_PUBLIC_LINK,
        CREATE_POST,
        USE_CHANNEL_MENTIONS,
        MANAGE_PUBLIC_CHANNEL_PROPERTIES,
        DELETE_PUBLIC_CHANNEL,
        MANAGE_PRIVATE_CHANNEL_PROPERTIES,
        DELETE_PRIVATE_CHANNEL,
        MANAGE_PRIVATE_CHANNEL_MEMBERS,
        DELETE_POST,
        EDIT_POST,
        USE_SLASH_COMMANDS,
    }
)
_CHANNEL_ADMIN = _CHANNEL_USER | {MANAGE_CHANNEL_ROLES, REMOVE_OTHERS_REACTIONS}
_CHANNEL_GUEST = frozenset(
    {
        READ_CHANNEL,
        READ_CHANNEL_CONTENT,
        ADD_REACTION,
        REMOVE_REACTION,
        UPLOAD_FILE,
        CREATE_POST,
        EDIT_POST,
        USE_CHANNEL_MENTIONS,
        USE_SLASH_COMMANDS,
    }
)
_TEAM_USER = frozenset(
    {
        LIST_TEAM_CHANNELS,
        JOIN_PUBLIC_CHANNELS,
        READ_PUBLIC_CHANNEL,
        VIEW_TEAM,
        CREATE_PUBLIC_CHANNEL,
        CREATE_PRIVATE_CHANNEL,
        INVITE_USER,
        ADD_USER_TO_TEAM,
        MANAGE_INCOMING_WEBHOOKS,
        MANAGE_OUTGOING_WEBHOOKS,
        MANAGE_SLASH_COMMANDS,
    }
)
_TEAM_ADMIN = _TEAM_USER | {
    REMOVE_USER_FROM_TEAM,
    MANAGE_TEAM,
    MANAGE_TEAM_ROLES,
    MANAGE_CHANNEL_ROLES,
    MANAGE_OTHERS_INCOMING_WEBHOOKS,
    MANAGE_OTHERS_OUTGOING_WEBHOOKS,
    MANAGE_OTHERS_SLASH_COMMANDS,
    DELETE_POST,
    DELETE_OTHERS_POSTS,
    CONVERT_PUBLIC_CHANNEL_TO_PRIVATE,
    CONVERT_PRIVATE_CHANNEL_TO_PUBLIC,
    MANAGE_PUBLIC_CHANNEL_MEMBERS,
    MANAGE_PRIVATE_CHANNEL_MEMBERS,
    MANAGE_PUBLIC_CHANNEL_PROPERTIES,
    MANAGE_PRIVATE_CHANNEL_PROPERTIES,
    DELETE_PUBLIC_CHANNEL,
    DELETE_PRIVATE_CHANNEL,
}
_TEAM_GUEST = frozenset({VIEW_TEAM})
_SYSTEM_USER = frozenset(
    {
        CREATE_DIRECT_CHANNEL,
        CREATE_GROUP_CHANNEL,
        VIEW_MEMBERS,
        CREATE_TEAM,
        LIST_PUBLIC_TEAMS,
        JOIN_PUBLIC_TEAMS,
        CREATE_EMOJIS,
        DELETE_EMOJIS,
        CREATE_BOT,
        READ_BOTS,
        MANAGE_BOTS,
    }
)
_SYSTEM_GUEST = frozenset({CREATE_DIRECT_CHANNEL, CREATE_GROUP_CHANNEL})
_SYSTEM_USER_ACCESS_TOKEN = frozenset(
    {CREATE_USER_ACCESS_TOKEN, READ_USER_ACCESS_TOKEN, REVOKE_USER_ACCESS_TOKEN}
)

ALL_PERMISSIONS: frozenset[str] = frozenset(
    v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str) and not k.startswith("_")
)

_SYSTEM_ADMIN = ALL_PERMISSIONS

#: role name → permissions it grants (Mattermost's default roles).
DEFAULT_ROLES: dict[str, frozenset[str]] = {
    "system_admin": _SYSTEM_ADMIN,
    "system_user": _SYSTEM_USER,
    "system_guest": _SYSTEM_GUEST,
    "system_user_access_token": _SYSTEM_USER_ACCESS_TOKEN,
    "team_admin": _TEAM_ADMIN,
    "team_user": _TEAM_USER,
    "team_guest": _TEAM_GUEST,
    "channel_admin": _CHANNEL_ADMIN,
    "channel_user": _CHANNEL_USER,
    "channel_guest": _CHANNEL_GUEST,
}

SCHEME_MANAGED = frozenset(DEFAULT_ROLES) - {"system_user_access_token"}


def roles_grant(
    roles: Iterable[str], permission: str, table: dict[str, frozenset[str]] = DEFAULT_ROLES
) -> bool:
    return any(permission in table.get(r, frozenset()) for r in roles)

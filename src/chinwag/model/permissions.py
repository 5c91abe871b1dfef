"""Roles and permissions as data, with Mattermost's role and permission names.

A permission check gathers the caller's system roles, their team-member roles (for a team or a
channel in a team) and channel-member roles (for a channel), and passes if any role grants it —
the same rule as Mattermost's ``SessionHasPermissionTo{Team,Channel}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Permission names -----------------------------------------------------------------------------
MANAGE_SYSTEM = "manage_system"
MANAGE_OAUTH = "manage_oauth"
MANAGE_SYSTEM_WIDE_OAUTH = "manage_system_wide_oauth"
EDIT_OTHER_USERS = "edit_other_users"
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
IMPORT_TEAM = "import_team"
INVALIDATE_EMAIL_INVITE = "invalidate_email_invite"
READ_AUDITS = "read_audits"
INVALIDATE_CACHES = "invalidate_caches"
RECYCLE_DATABASE_CONNECTIONS = "recycle_database_connections"
TEST_SITE_URL = "test_site_url"
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
MANAGE_INCOMING_WEBHOOKS = "manage_own_incoming_webhooks"
MANAGE_OUTGOING_WEBHOOKS = "manage_own_outgoing_webhooks"
MANAGE_OTHERS_INCOMING_WEBHOOKS = "manage_others_incoming_webhooks"
MANAGE_OTHERS_OUTGOING_WEBHOOKS = "manage_others_outgoing_webhooks"
MANAGE_SLASH_COMMANDS = "manage_own_slash_commands"
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
RELOAD_CONFIG = "reload_config"
READ_OTHER_USERS_TEAMS = "read_other_users_teams"
SYSCONSOLE_READ_USERS = "sysconsole_read_user_management_users"
SYSCONSOLE_WRITE_USERS = "sysconsole_write_user_management_users"
SYSCONSOLE_READ_TEAMS = "sysconsole_read_user_management_teams"
SYSCONSOLE_READ_CHANNELS = "sysconsole_read_user_management_channels"
SYSCONSOLE_READ_GROUPS = "sysconsole_read_user_management_groups"
SYSCONSOLE_READ_HIGH_AVAILABILITY = "sysconsole_read_environment_high_availability"
GET_LOGS = "get_logs"
GET_ANALYTICS = "get_analytics"
TEST_EMAIL = "test_email"
TEST_S3 = "test_s3"
TEST_LDAP = "test_ldap"
CREATE_LDAP_SYNC_JOB = "create_ldap_sync_job"

# Roles and their permissions are data (roles_default.json), transcribed from Mattermost's server:
# MakeDefaultRoles plus the permission migrations a fresh install applies. They seed the roles table;
# the stored roles (PATCH /roles/{id}/patch) are what permission checks read.
_DATA = json.loads((Path(__file__).parent / "roles_default.json").read_text())

#: every permission Mattermost knows (the system admin role has them all)
ALL_PERMISSIONS: frozenset[str] = frozenset(_DATA["all_permissions"])
#: the System Console's read and write permissions (Mattermost's Sysconsole{Read,Write}Permissions)
SYSCONSOLE_READ: tuple[str, ...] = tuple(sorted(p for p in ALL_PERMISSIONS if p.startswith("sysconsole_read_")))
SYSCONSOLE_WRITE: tuple[str, ...] = tuple(sorted(p for p in ALL_PERMISSIONS if p.startswith("sysconsole_write_")))
#: no longer granted by the built-in roles, still accepted in a role's permission list
DEPRECATED_PERMISSIONS: frozenset[str] = frozenset(_DATA["deprecated_permissions"])


#: System Console subsection permission → the permissions its pages also need (Mattermost's
#: SysconsoleAncillaryPermissions)
SYSCONSOLE_ANCILLARY: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _DATA["sysconsole_ancillary_permissions"].items()
}


def add_ancillary(permissions: Iterable[str]) -> list[str]:
    """The permissions with the ancillary ones of each System Console subsection among them."""
    out = list(dict.fromkeys(permissions))
    for p in list(out):
        out.extend(a for a in SYSCONSOLE_ANCILLARY.get(p, ()) if a not in out)
    return out


@dataclass(frozen=True)
class BuiltinRole:
    name: str
    display_name: str
    description: str
    permissions: tuple[str, ...]
    scheme_managed: bool


BUILTIN_ROLES: dict[str, BuiltinRole] = {
    name: BuiltinRole(name, r["display_name"], r["description"], tuple(r["permissions"]), r["scheme_managed"])
    for name, r in _DATA["roles"].items()
}

#: role name → permissions it grants (Mattermost's default roles).
DEFAULT_ROLES: dict[str, frozenset[str]] = {n: frozenset(r.permissions) for n, r in BUILTIN_ROLES.items()}

SCHEME_MANAGED = frozenset(n for n, r in BUILTIN_ROLES.items() if r.scheme_managed)

#: the roles the System Console's permission pages load besides a user's own
SYSTEM_CONSOLE_ROLES = (
    "system_admin", "system_user", "system_guest", "team_admin", "team_user", "team_guest", "channel_admin",
    "channel_user", "channel_guest", "playbook_admin", "playbook_member", "run_admin", "run_member",
    "system_user_manager", "system_manager", "system_read_only_admin", "system_custom_group_admin",
    "system_shared_channel_manager", "system_secure_connection_manager", "shared_channel_manager",
    "secure_connection_manager", "system_post_all",
    "system_post_all_public", "system_user_access_token", "team_post_all", "team_post_all_public",
)


def is_valid_role_name(name: str) -> bool:
    """Mattermost's IsValidRoleName: 1-64 of a-z, 0-9 and _."""
    return 0 < len(name) <= 64 and all(c in _ROLE_NAME_CHARS for c in name)


_ROLE_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def roles_grant(
    roles: Iterable[str], permission: str, table: Mapping[str, frozenset[str]] = DEFAULT_ROLES
) -> bool:
    return any(permission in table.get(r, frozenset()) for r in roles)

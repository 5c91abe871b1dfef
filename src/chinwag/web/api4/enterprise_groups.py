"""More operations an unlicensed Mattermost refuses, answered as it does (see enterprise.py): user groups
(AD/LDAP-synced and custom), LDAP group links, channel scheme and member counts by group, shared
channels and secure connections, and the cloud-only sign-in and webhook.

Mattermost's group handlers (api4/group.go) all start with ``requireLicense``: without a licence every
group route is a 501 ``api.license_error`` before any parameter is looked at. Custom groups are a
Professional feature, LDAP-synced groups an Enterprise one; chinwag offers neither, so a Team Edition
client never sees a group. What Team Edition does serve around them (a team's or channel's members
minus some groups' members, a scheme by id) is served at the end."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from chinwag.model.errors import AppError
from chinwag.model.ids import is_valid_id
from chinwag.web.api4 import api
from chinwag.web.api4.enterprise import Check, Refusal, _ids, _perm, refuse
from chinwag.web.handler import JSON_ERRORS, HandlerContext

LICENSE = Refusal("", "api.license_error", 501, "api endpoint requires a license")
LDAP_GROUPS = Refusal("Api4.getLdapGroups", "api.ldap_groups.license_error", 501,
                      "your license does not support ldap groups")
MEMBER_COUNTS_BY_GROUP = Refusal("Api4.channelMemberCountsByGroup",
                                 "api.channel.channel_member_counts_by_group.license.error", 403,
                                 "Your license does not support groups")
CHANNEL_SCHEME = Refusal("Api4.UpdateChannelScheme", "api.channel.update_channel_scheme.license.error", 403,
                         "Your license does not support updating a channel's scheme")
#: GetRemoteClusterService: the shared channels service runs only with a licence that has it
REMOTE_CLUSTER = Refusal("GetRemoteClusterService", "api.remote_cluster.service_not_enabled.app_error", 501,
                         "The remote cluster service is not enabled.")
#: Context.CloudKeyRequired: only Mattermost's Customer Web Server, with a cloud licence, calls the webhook
CLOUD_KEY = Refusal("", "api.context.session_expired.app_error", 401,
                    "Invalid or expired session, please login again.")
CWS_LOGIN = Refusal("loginCWS", "api.user.login_cws.license.error", 401, "CWS login is forbidden.")

# Every group route (api4/group.go): the licence first.
for _method, _path in [
    ("GET", "/groups"), ("POST", "/groups"), ("POST", "/groups/names"), ("GET", "/groups/{group_id}"), ("DELETE", "/groups/{group_id}"),
    ("PUT", "/groups/{group_id}/patch"), ("POST", "/groups/{group_id}/restore"),
    ("GET", "/groups/{group_id}/stats"), ("GET", "/groups/{group_id}/members"),
    ("POST", "/groups/{group_id}/members"), ("DELETE", "/groups/{group_id}/members"),
    ("GET", "/groups/{group_id}/teams"), ("GET", "/groups/{group_id}/channels"),
    ("GET", "/groups/{group_id}/teams/{team_id}"), ("GET", "/groups/{group_id}/channels/{channel_id}"),
    ("POST", "/groups/{group_id}/teams/{team_id}/link"), ("DELETE", "/groups/{group_id}/teams/{team_id}/link"),
    ("POST", "/groups/{group_id}/channels/{channel_id}/link"),
    ("DELETE", "/groups/{group_id}/channels/{channel_id}/link"),
    ("PUT", "/groups/{group_id}/teams/{team_id}/patch"), ("PUT", "/groups/{group_id}/channels/{channel_id}/patch"),
    ("GET", "/users/{user_id}/groups"), ("GET", "/channels/{channel_id}/groups"), ("GET", "/teams/{team_id}/groups"),
    ("GET", "/teams/{team_id}/groups_by_channels"),
]:
    refuse(_method, _path, LICENSE)

# AD/LDAP groups (api4/ldap.go): the remote id and the permission come before the licence.
_remote_id = _ids("remote_id")
refuse("GET", "/ldap/groups", LDAP_GROUPS, _perm("sysconsole_read_user_management_groups"))
refuse("POST", "/ldap/groups/{remote_id}/link", Refusal("Api4.linkLdapGroup", LDAP_GROUPS.id, 501, LDAP_GROUPS.message),
       _remote_id, _perm("sysconsole_write_user_management_groups"))
refuse("DELETE", "/ldap/groups/{remote_id}/link",
       Refusal("Api4.unlinkLdapGroup", LDAP_GROUPS.id, 501, LDAP_GROUPS.message),
       _remote_id, _perm("sysconsole_write_user_management_groups"))

refuse("GET", "/channels/{channel_id}/member_counts_by_group", MEMBER_COUNTS_BY_GROUP)


async def _scheme_id_patch(w: HandlerContext) -> None:
    """updateChannelScheme decodes ``{"scheme_id"}`` and wants a valid id before its licence gate."""
    try:
        body = msgspec.json.decode(await w.body() or b"null")
    except JSON_ERRORS:
        body = None
    value = body.get("scheme_id") if isinstance(body, dict) else None
    if not isinstance(value, str) or not is_valid_id(value):
        raise AppError("ServeHTTP", "api.context.invalid_param.app_error",
                       "Invalid or missing {Name} parameter in request URL or body.", 400,
                       params={"Name": "scheme_id"})


_channel_scheme_checks: tuple[Check, ...] = (_ids("channel_id"), _scheme_id_patch)
refuse("PUT", "/channels/{channel_id}/scheme", CHANNEL_SCHEME, *_channel_scheme_checks)

# Shared channels and secure connections (api4/shared_channel.go): the ids, for the remote-cluster
# routes the manage_secure_connections permission, then the missing service.
refuse("GET", "/sharedchannels/{team_id}", REMOTE_CLUSTER, _ids("team_id"))
refuse("GET", "/sharedchannels/remote_info/{remote_id}", REMOTE_CLUSTER, _remote_id)
refuse("GET", "/sharedchannels/{channel_id}/remotes", REMOTE_CLUSTER, _ids("channel_id"))
refuse("GET", "/remotecluster/{remote_id}/sharedchannelremotes", REMOTE_CLUSTER, _remote_id,
       _perm("manage_secure_connections"))
for _action in ("invite", "uninvite"):
    refuse("POST", f"/remotecluster/{{remote_id}}/channels/{{channel_id}}/{_action}", REMOTE_CLUSTER, _remote_id,
           _ids("channel_id"), _perm("manage_secure_connections"))



async def _secure_connections_or_shared_channels(w: HandlerContext) -> None:
    """Mattermost's RequirePermissionToManageSecureConnectionsOrSharedChannels."""
    w.app.perms.require_any_system(w.ctx, "ServeHTTP", "manage_secure_connections", "manage_shared_channels")


# Secure connections themselves (api4/remote_cluster.go): the permission, the id, then the missing service
# (which comes before any body is read).
_secure = _perm("manage_secure_connections")
refuse("GET", "/remotecluster", REMOTE_CLUSTER, _secure_connections_or_shared_channels)
refuse("POST", "/remotecluster", REMOTE_CLUSTER, _secure)
refuse("POST", "/remotecluster/accept_invite", REMOTE_CLUSTER, _secure)
refuse("GET", "/remotecluster/{remote_id}", REMOTE_CLUSTER, _secure_connections_or_shared_channels, _remote_id)
refuse("PATCH", "/remotecluster/{remote_id}", REMOTE_CLUSTER, _secure, _remote_id)
refuse("DELETE", "/remotecluster/{remote_id}", REMOTE_CLUSTER, _secure, _remote_id)
refuse("POST", "/remotecluster/{remote_id}/generate_invite", REMOTE_CLUSTER, _secure, _remote_id)

# Mattermost Cloud's own callers: the Customer Web Server's webhook and sign-in.
refuse("POST", "/cloud/webhook", CLOUD_KEY, auth=False)
refuse("POST", "/users/login/cws", CWS_LOGIN, auth=False)


# Served as Team Edition serves them: with no group and no scheme in existence (app/team_edition.py).

_GROUP_IDS_JUNK = re.compile(r"[^a-zA-Z0-9,]")


def _group_ids(w: HandlerContext) -> list[str]:
    """Mattermost's group_ids check: at least one id's worth of characters, every item a valid id."""
    raw = w.query("group_ids")
    if len(_GROUP_IDS_JUNK.sub("", raw)) < 26 or not all(is_valid_id(g) for g in raw.split(",")):
        raise AppError("ServeHTTP", "api.context.invalid_param.app_error",
                       "Invalid or missing {Name} parameter in request URL or body.", 400, params={"Name": "group_ids"})
    return raw.split(",")


@api.route("GET", "/channels/{channel_id}/members_minus_group_members")
async def channel_members_minus_group_members(w: HandlerContext) -> Any:
    channel_id = w.id_param("channel_id")
    return await w.app.team_edition.channel_members_minus_groups(w.ctx, channel_id, _group_ids(w), w.page(),
                                                                 w.per_page())


@api.route("GET", "/teams/{team_id}/members_minus_group_members")
async def team_members_minus_group_members(w: HandlerContext) -> Any:
    team_id = w.id_param("team_id")
    return await w.app.team_edition.team_members_minus_groups(w.ctx, team_id, _group_ids(w), w.page(),
                                                              w.per_page())


def _scheme_route(suffix: str, permission: str) -> None:
    async def get(w: HandlerContext) -> Any:
        w.app.team_edition.get_scheme(w.ctx, w.id_param("scheme_id"), permission)

    get.__name__ = "get_scheme" + suffix.replace("/", "_")
    api.route("GET", "/schemes/{scheme_id}" + suffix, trust_requester=True)(get)


_scheme_route("", "sysconsole_read_user_management_permissions")
_scheme_route("/teams", "sysconsole_read_user_management_teams")
_scheme_route("/channels", "sysconsole_read_user_management_channels")

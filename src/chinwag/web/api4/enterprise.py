"""Operations a Mattermost server serves only with a licence: answered exactly as an unlicensed
Mattermost (Team Edition) answers them — the same status and error id, after the same checks that
come first — so the apps take the path they take against Team Edition instead of meeting a 404."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from chinwag.model.errors import N_, AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id
from chinwag.web.api4 import api
from chinwag.web.auth import TokenLocation
from chinwag.web.handler import JSON_ERRORS, HandlerContext
from chinwag.web.responses import ok


@dataclass(frozen=True)
class Refusal:
    where: str
    id: str
    status: int
    message: str


#: name → (where, error id, status, message): what an unlicensed Mattermost answers
_REFUSALS: dict[str, tuple[str, str, int, str]] = {
    "compliance": ("GetComplianceReports", "ent.compliance.licence_disable.app_error", 501,
                   "Compliance functionality disabled by current license. Please contact your system "
                   "administrator about upgrading your enterprise license."),
    "data_retention": ("DataRetention", "ent.data_retention.generic.license.error", 501,
                       "License does not support Data Retention."),
    "cloud": ("Api4.cloud", "api.cloud.license_error", 403, "Your license does not support cloud requests."),
    "ip_filtering": ("ipFiltering", "api.context.ip_filtering.not_available.app_error", 501,
                     "IP Filtering is not available in this workspace."),
    "scheduled_posts": ("scheduledPosts", "api.scheduled_posts.license_error", 400,
                        "Scheduled posts feature requires a license"),
    "support_packet": ("generateSupportPacket", "api.no_license", 403,
                       "E10 or E20 license required to use this endpoint."),
    "moderations": ("GetChannelModerations", "api.channel.get_channel_moderations.license.error", 403,
                    "Your license does not support channel moderation"),
    "patch_moderations": ("PatchChannelModerations", "api.channel.patch_channel_moderations.license.error", 403,
                          "Your license does not support channel moderation"),
    "create_scheme": ("Api4.CreateScheme", "api.scheme.create_scheme.license.error", 501,
                      "Your license does not support creating permissions schemes."),
    "patch_scheme": ("Api4.PatchScheme", "api.scheme.patch_scheme.license.error", 501,
                     "Your license does not support updating permissions schemes."),
    "delete_scheme": ("Api4.DeleteScheme", "api.scheme.delete_scheme.license.error", 501,
                      "Your license does not support deleting permissions schemes."),
    "guest_invite": ("Api4.InviteGuestsToChannels", "api.team.invate_guests_to_channels.license.error", 501,
                     "Guest accounts are not available without a license."),
    "upgrade_needed": ("requestTrialLicense", "api.license.upgrade_needed.app_error", 403,
                       "You must upgrade to Enterprise Edition to use this feature."),
    "invalid_license": ("LicenseFromBytes", "api.license.add_license.invalid.app_error", 400, "Invalid license file."),
    "no_license_renewal": ("GenerateRenewalToken", "app.license.generate_renewal_token.no_license", 400,
                           "There is no license to renew."),
    "team_scheme": ("Api4.UpdateTeamScheme", "api.team.update_team_scheme.license.error", 501,
                    "Your license does not support updating a team's scheme"),
    "elasticsearch": ("TestElasticsearch", "ent.elasticsearch.test_config.license.error", 501,
                      "License does not support Elasticsearch."),
    # chinwag searches in its database and has no Bleve engine: Mattermost's answer when the engine is
    # absent (reached only when a role is given the deprecated purge_bleve_indexes permission; otherwise
    # a 403, as there)
    "no_bleve": ("PurgeBleveIndexes", "searchengine.bleve.disabled.error", 501, "Bleve is not available."),
    # channel bookmarks (api4/channel_bookmark.go): any licence, checked before anything else
    **{name: (name, "api.channel.bookmark.channel_bookmark.license.error", 501,
              "Your license does not support channel bookmarks.")
       for name in ("listChannelBookmarksForChannel", "createChannelBookmark", "updateChannelBookmark",
                    "updateChannelBookmarkSortOrder", "deleteChannelBookmark")},
    # moving a thread to another channel: the MoveThreadsEnabled feature flag (off by default) and a licence
    "move_thread": ("moveThread", "api.post.move_thread.disabled.app_error", 501, "Thread moving is disabled"),
    # a user's custom profile attribute values: an Enterprise licence, checked first
    "list_cpa_values": ("Api4.listCPAValues", "api.custom_profile_attributes.license_error", 403,
                        "Your license does not support Custom Profile Attributes."),
    "patch_cpa_values": ("Api4.patchCPAValues", "api.custom_profile_attributes.license_error", 403,
                         "Your license does not support Custom Profile Attributes."),
    # a channel member's auto-translation: the (Enterprise) translation service is absent
    "autotranslation": ("updateChannelMemberAutotranslation",
                        "api.channel.update_channel_member_autotranslation.feature_not_available.app_error", 403,
                        "Auto-translation is not available."),
    # content flagging (Mattermost's "Data Spillage Handling"): an Enterprise Advanced licence, checked first
    "content_flagging": ("requireContentFlaggingEnabled", "api.data_spillage.error.license", 501,
                         "Your license does not support Data Spillage Handling."),
    # POST /reports/posts: an Enterprise licence, checked after the request is read and validated
    "posts_reporting": ("GetPostsForReporting", "app.post.get_posts_for_reporting.license_error", 400,
                        "Your license does not support reporting on posts."),
    # attribute-based access control (on by the feature flag): without a licence the Policy Administration
    # Point is absent and the app layer answers 501 once the permission checks pass
    **{name: (where, f"app.pap.{name}.app_error", 501, message) for name, where, message in (
        ("get_policy", "GetPolicy", "Unable to retrieve the access control policy."),
        ("create_access_control_policy", "CreateAccessControlPolicy", "Could not create access control policy."),
        ("delete_access_control_policy", "DeleteAccessControlPolicy", "Could not delete access control policy."),
        ("check_expression", "CheckExpression", "Could not check expression."),
        ("assign_access_control_policy_to_channels", "AssignAccessControlPolicyToChannels",
         "Unable to assign access control policy to channels."),
        ("unassign_access_control_policy_from_channels", "UnassignPoliciesFromChannels",
         "Could not unassign access control policy from channels."),
        ("search_access_control_policies", "SearchAccessControlPolicies", "Could not search access control policies."),
        ("get_channel_access_control_attributes", "GetChannelAccessControlAttributes",
         "Could not get attributes for channel."),
        ("update_access_control_policies_active", "ExpressionToVisualAST",
         "Could not update active status of access control policies."),
        ("expression_to_visual_ast", "ExpressionToVisualAST", "Could not genereate visual AST from expression."),
    )},
    # custom profile attribute fields: an Enterprise licence (after manage_system for the writes)
    **{name: (f"Api4.{name}", "api.custom_profile_attributes.license_error", 403,
              "Your license does not support Custom Profile Attributes.")
       for name in ("listCPAFields", "createCPAField", "patchCPAField", "deleteCPAField", "getCPAGroup")},
    # outgoing OAuth connections: ServiceSettings.EnableOutgoingOAuthConnections is off by default
    "outgoing_oauth": ("outgoingOAuthConnections",
                       "api.context.outgoing_oauth_connection.not_available.configuration_disabled", 501,
                       "Outgoing OAuth connections are not available on this server."),
    # the cloud service interface exists only in the Enterprise build
    **{name: (f"Api4.{name}", "api.server.cws.needs_enterprise_edition", 400,
              "Service only available in Mattermost Enterprise edition")
       for name in ("getInstallation", "handleCheckCWSConnection")},
    "preview_modal": ("GetPreviewModalData", "app.cloud.preview_modal_bucket_url_not_configured", 404,
                      "Preview bucket URL is not configured"),
    # an LDAP user's group-synced memberships: chinwag has no LDAP (nor SAML) sign-in, so every user is
    # the not-LDAP case
    "not_ldap_user": ("addUserToGroupSyncables", "api.user.add_user_to_group_syncables.not_ldap_user.app_error",
                      400, "not an ldap user"),
    # model.MinimumProfessionalProvidedLicense: an error without a translation id
    "professional": ("", "NO_TRANSLATE", 501, "license is neither professional nor enterprise"),
}
REFUSALS: dict[str, Refusal] = {name: Refusal(*row) for name, row in _REFUSALS.items()}


def _refuse(r: Refusal) -> AppError:
    return AppError(r.where, r.id, r.message, r.status)


Check = Callable[[HandlerContext], Awaitable[None]]


def _ids(*names: str) -> Check:
    async def check(w: HandlerContext) -> None:
        for name in names:
            w.user_param(name) if name == "user_id" else w.id_param(name)
    return check


def _body(name: str, error_id: str = "api.context.invalid_param.app_error") -> Check:
    """Mattermost decodes the body before its licence gate: malformed JSON is a 400."""
    async def check(w: HandlerContext) -> None:
        try:
            msgspec.json.decode(await w.body() or b"null")
        except JSON_ERRORS:
            raise AppError("ServeHTTP", error_id, "Invalid or missing {Name} in request body.", 400,
                           params={"Name": name}) from None
    return check


def _perm(permission: str) -> Check:
    async def check(w: HandlerContext) -> None:
        w.app.perms.require_system(w.ctx, permission, "ServeHTTP")
    return check


def _channel_perm(permission: str) -> Check:
    async def check(w: HandlerContext) -> None:
        await w.app.perms.require_channel(w.ctx, w.path["channel_id"], permission, "ServeHTTP")
    return check


async def _outgoing_oauth_read(w: HandlerContext) -> None:
    """Reading connections: manage_outgoing_oauth_connections, or a team's outgoing webhooks or
    slash commands (``team_id`` in the query)."""
    if w.app.perms.has_system(w.ctx, "manage_outgoing_oauth_connections"):
        return
    team_id = w.query("team_id")
    for permission in ("manage_own_outgoing_webhooks", "manage_own_slash_commands"):
        if await w.app.perms.has_team(w.ctx, team_id, permission):
            return
    raise permission_denied("ServeHTTP", f"userId={w.ctx.user_id}, permission=manage_own_outgoing_webhooks")


async def _policy_activation(w: HandlerContext) -> None:
    """updateActiveStatus: the policy id, a header (not cookie) token, manage_system, then ``active``."""
    w.id_param("policy_id")
    if w.token_location == TokenLocation.COOKIE:
        raise AppError("updateActiveStatus", "api.context.session_cookie_not_allowed.app_error",
                       "Cookie-based authentication is not allowed for this endpoint. Please use header-based "
                       "authentication.", 401,
                       detailed_error="This endpoint requires header-based authentication")
    w.app.perms.require_system(w.ctx, "manage_system", "ServeHTTP")
    if w.query("active") not in ("true", "false"):
        raise invalid_param("updateActiveStatus", "active")


async def _existing_user(w: HandlerContext) -> None:
    """addUserToGroupSyncables looks the user up as given (no ``me``): 404 when there is none."""
    await w.app.users.get(w.path.get("user_id", ""), "GetUser")


def refuse(method: str, path: str, refusal: Refusal, *checks: Check, auth: bool = True) -> None:
    """Register ``method path`` to run ``checks`` (what Mattermost checks before its licence gate)
    and then refuse as an unlicensed Mattermost does."""

    async def handler(w: HandlerContext) -> Any:
        for check in checks:
            await check(w)
        raise _refuse(refusal)

    handler.__name__ = f"unlicensed_{method.lower()}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
    api.route(method, path, auth=auth, enterprise=True)(handler)


async def _license_file(w: HandlerContext) -> None:
    """Mattermost's parseLicenseFileFromRequest: a multipart form with a ``license`` file."""
    if not w.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise AppError("parseLicenseFileFromRequest", "api.license.parse_license.parse_form.app_error",
                       "Could not parse the multipart form.", 400)
    form = await w.request.form(max_files=1, max_fields=10)
    try:
        upload = form.get("license")
        if upload is None or isinstance(upload, str):
            raise AppError("parseLicenseFileFromRequest", "api.license.add_license.no_file.app_error",
                           "No file under 'license' in request.", 400)
    finally:
        await form.close()


async def _scheme_id(w: HandlerContext) -> None:
    """Mattermost's SchemeIDFromJSON check: ``{"scheme_id": ""}`` or an id."""
    try:
        body = msgspec.json.decode(await w.body() or b"null")
    except msgspec.DecodeError:
        body = None
    value = body.get("scheme_id") if isinstance(body, dict) else None
    if not isinstance(value, str) or (value and not is_valid_id(value)):
        raise AppError("ServeHTTP", "api.context.invalid_param.app_error",
                       "Invalid or missing scheme_id parameter in request URL or body.", 400)


_DATA_RETENTION_ROUTES = [
    ("GET", "/data_retention/policy"), ("GET", "/data_retention/policies_count"),
    ("GET", "/data_retention/policies"), ("POST", "/data_retention/policies"),
    ("GET", "/data_retention/policies/{policy_id}"), ("PATCH", "/data_retention/policies/{policy_id}"),
    ("DELETE", "/data_retention/policies/{policy_id}"), ("GET", "/data_retention/policies/{policy_id}/teams"),
    ("POST", "/data_retention/policies/{policy_id}/teams"), ("DELETE", "/data_retention/policies/{policy_id}/teams"),
    ("POST", "/data_retention/policies/{policy_id}/teams/search"),
    ("GET", "/data_retention/policies/{policy_id}/channels"),
    ("POST", "/data_retention/policies/{policy_id}/channels"),
    ("DELETE", "/data_retention/policies/{policy_id}/channels"),
    ("POST", "/data_retention/policies/{policy_id}/channels/search"),
    ("GET", "/users/{user_id}/data_retention/team_policies"),
    ("GET", "/users/{user_id}/data_retention/channel_policies"),
]
_CLOUD_ROUTES = [
    ("GET", "/cloud/limits"), ("GET", "/cloud/products"), ("POST", "/cloud/payment"),
    ("POST", "/cloud/payment/confirm"), ("GET", "/cloud/customer"), ("PUT", "/cloud/customer"),
    ("PUT", "/cloud/customer/address"), ("GET", "/cloud/subscription"), ("GET", "/cloud/subscription/invoices"),
    ("GET", "/cloud/subscription/invoices/{invoice_id}/pdf"),
]

def _report_cursor(cursor: str) -> tuple[str, str, str, str]:
    """Mattermost's DecodeReportPostCursorV1: base64url of ``1:channel:time_field:include_deleted:
    exclude_system:sort:timestamp:post_id``; (channel, time field, sort direction, post id)."""
    where = "DecodeReportPostCursorV1"

    def bad(id_: str, message: str) -> AppError:
        return AppError(where, f"model.post.decode_cursor.{id_}", message, 400)  # messages marked with N_

    try:
        plain = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()  # Go's URLEncoding
    except (ValueError, UnicodeDecodeError):
        raise bad("invalid_base64", N_("Invalid cursor format: unable to decode base64.")) from None
    parts = plain.split(":")
    if len(parts) != 8:
        raise bad("invalid_format", N_("Invalid cursor format: expected 8 parts."))
    if not parts[0].lstrip("-").isdigit():
        raise bad("invalid_version", N_("Invalid cursor format: version must be an integer."))
    if int(parts[0]) != 1:
        raise bad("unsupported_version", N_("Unsupported cursor version."))
    booleans = ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")  # Go's ParseBool
    if parts[3] not in booleans:
        raise bad("invalid_include_deleted", N_("Invalid cursor format: include_deleted must be a boolean."))
    if parts[4] not in booleans:
        raise bad("invalid_exclude_system_posts", N_("Invalid cursor format: exclude_system_posts must be a boolean."))
    if not parts[6].lstrip("-").isdigit():
        raise bad("invalid_timestamp", N_("Invalid cursor format: timestamp must be an integer."))
    return parts[1], parts[2], parts[5], parts[7]


async def _posts_report_request(w: HandlerContext) -> None:
    """getPostsForReporting's reading of its body: JSON, then the cursor or the options, validated as
    ReportPostQueryParams.Validate does."""
    try:
        body = msgspec.json.decode(await w.body() or b"null")
    except JSON_ERRORS:
        raise AppError("getPostsForReporting", "api.context.invalid_param.app_error",
                       "Invalid or missing {Name} parameter in request URL or body.", 400,
                       params={"Name": "body"}) from None
    body = body if isinstance(body, dict) else {}
    cursor = body.get("cursor")
    if isinstance(cursor, str) and cursor:
        channel_id, time_field, direction, post_id = _report_cursor(cursor)
    else:
        raw = body.get("channel_id")
        channel_id = raw if isinstance(raw, str) else ""
        time_field, direction, post_id = "create_at", "asc", ""
    where = "ReportPostQueryParams.Validate"
    if not is_valid_id(channel_id):
        raise AppError(where, "model.post.query_params.invalid_channel_id", "Invalid channel id.", 400)
    if time_field not in ("create_at", "update_at"):
        raise AppError(where, "model.post.query_params.invalid_time_field", "Invalid time field.", 400)
    if direction not in ("asc", "desc"):
        raise AppError(where, "model.post.query_params.invalid_sort_direction", "Invalid sort direction.", 400)
    if post_id and not is_valid_id(post_id):
        raise AppError(where, "model.post.query_params.invalid_cursor_id", "Invalid cursor id.", 400)


#: (method, path, refusal, the checks Mattermost makes before its licence gate)
ROUTES: list[tuple[str, str, str, tuple[Check, ...]]] = [
    # compliance reports: the handler's own checks first, then the licence (api4/compliance.go)
    ("GET", "/compliance/reports", "compliance", (_perm("read_compliance_export_job"),)),
    ("POST", "/compliance/reports", "compliance",
     (_body("compliance", "api.context.invalid_body_param.app_error"), _perm("create_compliance_export_job"))),
    ("GET", "/compliance/reports/{report_id}", "compliance", (_ids("report_id"), _perm("read_compliance_export_job"))),
    ("GET", "/compliance/reports/{report_id}/download", "compliance",
     (_ids("report_id"), _perm("download_compliance_export_result"))),
    # data retention policies and cloud (Mattermost's hosted service): the licence is checked first
    *((m, p, "data_retention", ()) for m, p in _DATA_RETENTION_ROUTES),
    *((m, p, "cloud", ()) for m, p in _CLOUD_ROUTES),
    # IP filtering and scheduled posts: the licence gate comes before anything else
    ("GET", "/ip_filtering", "ip_filtering", ()),
    ("POST", "/ip_filtering", "ip_filtering", ()),
    ("GET", "/ip_filtering/my_ip", "ip_filtering", ()),
    ("POST", "/posts/schedule", "scheduled_posts", ()),
    ("PUT", "/posts/schedule/{scheduled_post_id}", "scheduled_posts", ()),
    ("DELETE", "/posts/schedule/{scheduled_post_id}", "scheduled_posts", ()),
    ("GET", "/posts/scheduled/team/{team_id}", "scheduled_posts", ()),
    ("GET", "/system/support_packet", "support_packet", ()),
    # search engines (api4/elasticsearch.go, api4/bleve.go): the permission, then the missing engine
    ("POST", "/elasticsearch/test", "elasticsearch", (_perm("test_elasticsearch"),)),
    ("POST", "/elasticsearch/purge_indexes", "elasticsearch", (_perm("purge_elasticsearch_indexes"),)),
    ("POST", "/bleve/purge_indexes", "no_bleve", (_perm("purge_bleve_indexes"),)),
    # guest invitations: the licence is checked before anything else (Mattermost's typo "invate" included)
    ("POST", "/teams/{team_id}/invite-guests/email", "guest_invite", ()),
    # post acknowledgements: the licence is checked before anything else (api4/post.go acknowledgePost)
    ("POST", "/users/{user_id}/posts/{post_id}/ack", "professional", ()),
    ("DELETE", "/users/{user_id}/posts/{post_id}/ack", "professional", ()),
    # channel moderation: the licence first (403 in current Mattermost); permission schemes
    ("GET", "/channels/{channel_id}/moderations", "moderations", ()),
    ("PUT", "/channels/{channel_id}/moderations/patch", "patch_moderations", ()),
    ("POST", "/schemes", "create_scheme", (_body("scheme"),)),
    ("PUT", "/schemes/{scheme_id}/patch", "patch_scheme", (_ids("scheme_id"), _body("scheme"))),
    ("DELETE", "/schemes/{scheme_id}", "delete_scheme", (_ids("scheme_id"),)),
    ("PUT", "/teams/{team_id}/scheme", "team_scheme", (_ids("team_id"), _scheme_id)),
    ("GET", "/channels/{channel_id}/bookmarks", "listChannelBookmarksForChannel", ()),
    ("POST", "/channels/{channel_id}/bookmarks", "createChannelBookmark", ()),
    ("PATCH", "/channels/{channel_id}/bookmarks/{bookmark_id}", "updateChannelBookmark", ()),
    ("POST", "/channels/{channel_id}/bookmarks/{bookmark_id}/sort_order", "updateChannelBookmarkSortOrder", ()),
    ("DELETE", "/channels/{channel_id}/bookmarks/{bookmark_id}", "deleteChannelBookmark", ()),
    ("POST", "/posts/{post_id}/move", "move_thread", (_ids("post_id"),)),
    ("GET", "/users/{user_id}/custom_profile_attributes", "list_cpa_values", ()),
    ("PATCH", "/users/{user_id}/custom_profile_attributes", "patch_cpa_values", ()),
    ("PUT", "/channels/{channel_id}/members/{user_id}/autotranslation", "autotranslation", ()),
    ("POST", "/reports/posts", "posts_reporting", (_perm("manage_system"), _posts_report_request)),
    ("GET", "/content_flagging/flag/config", "content_flagging", ()),
    ("GET", "/content_flagging/team/{team_id}/status", "content_flagging", ()),
    ("POST", "/content_flagging/post/{post_id}/flag", "content_flagging", ()),
    ("GET", "/content_flagging/fields", "content_flagging", ()),
    ("GET", "/content_flagging/post/{post_id}/field_values", "content_flagging", ()),
    ("GET", "/content_flagging/post/{post_id}", "content_flagging", ()),
    ("PUT", "/content_flagging/post/{post_id}/remove", "content_flagging", ()),
    ("PUT", "/content_flagging/post/{post_id}/keep", "content_flagging", ()),
    ("GET", "/content_flagging/team/{team_id}/reviewers/search", "content_flagging", ()),
    ("POST", "/content_flagging/post/{post_id}/assign/{content_reviewer_id}", "content_flagging", ()),
    ("GET", "/content_flagging/config", "content_flagging", ()),
    ("PUT", "/content_flagging/config", "content_flagging", ()),
    # access control policies (api4/access_control.go): the body, the permission, then the absent PAP's 501
    ("PUT", "/access_control_policies", "create_access_control_policy", (_body("policy"), _perm("manage_system"))),
    ("POST", "/access_control_policies/search", "search_access_control_policies",
     (_perm("manage_system"), _body("props"))),
    ("PUT", "/access_control_policies/activate", "update_access_control_policies_active",
     (_body("active_status_update"), _perm("manage_system"))),
    ("POST", "/access_control_policies/cel/check", "check_expression", (_body("expression"), _perm("manage_system"))),
    ("POST", "/access_control_policies/cel/test", "check_expression", (_body("expression"), _perm("manage_system"))),
    ("POST", "/access_control_policies/cel/validate_requester", "check_expression",
     (_body("expression"), _perm("manage_system"))),
    ("POST", "/access_control_policies/cel/visual_ast", "expression_to_visual_ast",
     (_body("expression"), _perm("manage_system"))),
    ("GET", "/access_control_policies/{policy_id}", "get_policy", (_ids("policy_id"), _perm("manage_system"))),
    ("DELETE", "/access_control_policies/{policy_id}", "delete_access_control_policy",
     (_ids("policy_id"), _perm("manage_system"))),
    ("POST", "/access_control_policies/{policy_id}/assign", "assign_access_control_policy_to_channels",
     (_perm("manage_system"), _ids("policy_id"), _body("assign"))),
    ("DELETE", "/access_control_policies/{policy_id}/unassign", "unassign_access_control_policy_from_channels",
     (_perm("manage_system"), _ids("policy_id"), _body("unassign"))),
    ("GET", "/access_control_policies/{policy_id}/activate", "update_access_control_policies_active",
     (_policy_activation,)),
    ("GET", "/access_control_policies/{policy_id}/resources/channels", "get_policy",
     (_perm("manage_system"), _ids("policy_id"))),
    ("GET", "/channels/{channel_id}/access_control/attributes", "get_channel_access_control_attributes",
     (_ids("channel_id"), _channel_perm("read_channel"))),
    # custom profile attribute fields (api4/custom_profile_attributes.go)
    ("GET", "/custom_profile_attributes/fields", "listCPAFields", ()),
    ("POST", "/custom_profile_attributes/fields", "createCPAField", (_perm("manage_system"),)),
    ("PATCH", "/custom_profile_attributes/fields/{field_id}", "patchCPAField", (_perm("manage_system"),)),
    ("DELETE", "/custom_profile_attributes/fields/{field_id}", "deleteCPAField", (_perm("manage_system"),)),
    ("GET", "/custom_profile_attributes/group", "getCPAGroup", ()),
    ("PATCH", "/custom_profile_attributes/values", "patch_cpa_values", ()),
    # outgoing OAuth connections (api4/outgoing_oauth_connection.go): the permission, then the setting
    ("GET", "/oauth/outgoing_connections", "outgoing_oauth", (_outgoing_oauth_read,)),
    ("POST", "/oauth/outgoing_connections", "outgoing_oauth", (_perm("manage_outgoing_oauth_connections"),)),
    ("POST", "/oauth/outgoing_connections/validate", "outgoing_oauth", (_perm("manage_outgoing_oauth_connections"),)),
    ("GET", "/oauth/outgoing_connections/{connection_id}", "outgoing_oauth",
     (_perm("manage_outgoing_oauth_connections"),)),
    ("PUT", "/oauth/outgoing_connections/{connection_id}", "outgoing_oauth",
     (_perm("manage_outgoing_oauth_connections"),)),
    ("DELETE", "/oauth/outgoing_connections/{connection_id}", "outgoing_oauth",
     (_perm("manage_outgoing_oauth_connections"),)),
    ("POST", "/ldap/users/{user_id}/group_sync_memberships", "not_ldap_user",
     (_perm("sysconsole_write_user_management_groups"), _existing_user)),
    # cloud: no cloud interface in a Team Edition build; the preview modal's bucket is not configured
    ("GET", "/cloud/installation", "getInstallation", ()),
    ("GET", "/cloud/preview/modal_data", "preview_modal", ()),
    # licences: a Team Edition server has no licence manager (trials) and accepts no licence file chinwag
    # could check
    ("POST", "/trial-license", "upgrade_needed", (_perm("manage_license_information"),)),
    ("GET", "/trial-license/prev", "upgrade_needed", ()),
    ("GET", "/license/renewal", "no_license_renewal", (_perm("manage_license_information"),)),
    ("POST", "/license", "invalid_license", (_perm("manage_license_information"), _license_file)),
]

for _method, _path, _refusal, _checks in ROUTES:
    refuse(_method, _path, REFUSALS[_refusal], *_checks)
# answered without a session, as Mattermost's APIHandler does
refuse("GET", "/cloud/check-cws-connection", REFUSALS["handleCheckCWSConnection"], auth=False)


@api.route("GET", "/schemes")
async def list_schemes(w: HandlerContext) -> Any:
    """Custom permission schemes need a licence to create, so a Team Edition server lists none."""
    if w.query("scope") not in ("", "team", "channel"):
        raise AppError("getSchemes", "api.context.invalid_param.app_error",
                       "Invalid or missing scope parameter in request URL or body.", 400)
    w.app.perms.require_system(w.ctx, "sysconsole_read_user_management_permissions", "getSchemes")
    return []


# removing "the" licence is a no-op that succeeds
@api.route("DELETE", "/license")
async def remove_license(w: HandlerContext) -> Any:
    w.app.perms.require_system(w.ctx, "manage_license_information", "removeLicense")
    return ok()


# Without a licence no access control policy and no custom profile attribute field can exist, so the two
# read-only searches over them find nothing, after Mattermost's checks.
@api.route("POST", "/access_control_policies/{policy_id}/resources/channels/search")
async def search_policy_channels(w: HandlerContext) -> Any:
    w.app.perms.require_system(w.ctx, "manage_system", "ServeHTTP")
    w.id_param("policy_id")
    try:
        props = msgspec.json.decode(await w.body() or b"null")
    except JSON_ERRORS:
        props = None
    if not isinstance(props, dict):
        raise invalid_param("searchChannelsForAccessControlPolicy", "channel_search")
    return {"channels": [], "total_count": 0}


@api.route("GET", "/access_control_policies/cel/autocomplete/fields")
async def autocomplete_policy_fields(w: HandlerContext) -> Any:
    channel_id = w.query("channelId")
    if channel_id and not is_valid_id(channel_id):
        raise invalid_param("getFieldsAutocomplete", "channelId")
    if not w.app.perms.has_system(w.ctx, "manage_system"):
        if not channel_id:
            raise permission_denied("ServeHTTP", f"userId={w.ctx.user_id}, permission=manage_system")
        await w.app.perms.require_channel(w.ctx, channel_id, "manage_channel_access_rules", "ServeHTTP")
    after = w.query("after")
    if after and not is_valid_id(after):
        raise invalid_param("getFieldsAutocomplete", "after")
    limit = w.query("limit")
    if not limit.lstrip("+-").isdigit() or not 0 < int(limit) <= 100:
        raise AppError("getFieldsAutocomplete", "api.access_control_policy.get_fields.limit.app_error",
                       "Get fields limit is not valid.", 400)
    return []

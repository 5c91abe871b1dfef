"""Who may read and write each setting: the System Console resource it belongs to.

Mattermost tags every config field with ``access:"<resource>,…"``; a caller reads a field when they
hold ``sysconsole_read_<resource>`` for one of its resources and writes it with
``sysconsole_write_<resource>`` — a system admin (``manage_system``) always may. A field with no
resource is the system admins' alone. chinwag keeps the same rule as data, here, grouped the way
the System Console groups its pages (``webapp/src/admin/lib/schema.ts`` names the resource of each
page; ``tests/unit/test_console_schema.py`` checks that every setting a page shows carries the
page's resource).

The table is per section: ``"*"`` is the resource of every setting of the section not listed, and
``""`` means system admins only.
"""

from __future__ import annotations

from collections.abc import Callable

_ADMIN_ONLY = ""

_WEB_SERVER = "environment_web_server"
_SESSIONS = "environment_session_lengths"
_USERS_AND_TEAMS = "site_users_and_teams"
_POSTS = "site_posts"
_EMOJI = "site_emoji"
_NOTIFICATIONS = "site_notifications"
_CUSTOMIZATION = "site_customization"
_SIGNUP = "authentication_signup"
_EMAIL = "authentication_email"
_MFA = "authentication_mfa"
_INTEGRATIONS = "integrations_integration_management"

ACCESS: dict[str, dict[str, str]] = {
    "ServiceSettings": {
        "*": _ADMIN_ONLY,
        # Environment > Web Server
        "SiteURL": f"{_WEB_SERVER},authentication_saml",
        "ListenAddress": _WEB_SERVER,
        "ConnectionSecurity": _WEB_SERVER,
        "TLSCertFile": _WEB_SERVER,
        "TLSKeyFile": _WEB_SERVER,
        "TrustedProxyIPHeader": _WEB_SERVER,
        "WebserverMode": _WEB_SERVER,
        "ReadTimeout": _WEB_SERVER,
        "WriteTimeout": _WEB_SERVER,
        "IdleTimeout": _WEB_SERVER,
        "WebsocketURL": _WEB_SERVER,
        "MaximumPayloadSizeBytes": _WEB_SERVER,
        # Environment > Session Lengths
        "ExtendSessionLengthWithActivity": _SESSIONS,
        "SessionLengthWebInHours": _SESSIONS,
        "SessionLengthMobileInHours": _SESSIONS,
        "SessionLengthSSOInHours": _SESSIONS,
        "SessionIdleTimeoutInMinutes": _SESSIONS,
        "SessionCacheInMinutes": _SESSIONS,
        # Environment > Developer
        "EnableDeveloper": "environment_developer",
        # Site Configuration
        "EnableUserStatuses": _USERS_AND_TEAMS,
        "EnableAPITeamDeletion": _USERS_AND_TEAMS,
        "EnableAPIUserDeletion": _USERS_AND_TEAMS,
        "EnableAPIChannelDeletion": _USERS_AND_TEAMS,
        "CollapsedThreads": _POSTS,
        "ThreadAutoFollow": _POSTS,
        "EnableLinkPreviews": _POSTS,
        "EnablePermalinkPreviews": _POSTS,
        "AllowSyncedDrafts": _POSTS,
        "PostEditTimeLimit": _POSTS,
        "EnableReadReceipts": _POSTS,
        "ReadReceiptsMaxChannelMembers": _POSTS,
        "EnableSVGs": _POSTS,
        "EnableLatex": _POSTS,
        "EnableInlineLatex": _POSTS,
        "GoogleDeveloperKey": _POSTS,
        "EnableEmojiPicker": _EMOJI,
        "EnableCustomEmoji": _EMOJI,
        "EnableGifPicker": "site_emoji,integrations_gif",
        "GiphySdkKey": "integrations_gif",
        "EnableEmailInvitations": _USERS_AND_TEAMS,
        "EnableTutorial": _USERS_AND_TEAMS,
        "EnableOnboardingFlow": _USERS_AND_TEAMS,
        # Authentication
        "MaximumLoginAttempts": "authentication_password",
        "EnableMultifactorAuthentication": _MFA,
        "EnforceMultifactorAuthentication": _MFA,
        # Integrations
        "EnableIncomingWebhooks": _INTEGRATIONS,
        "EnableOutgoingWebhooks": _INTEGRATIONS,
        "EnableCommands": _INTEGRATIONS,
        "EnablePostUsernameOverride": _INTEGRATIONS,
        "EnablePostIconOverride": _INTEGRATIONS,
        "EnableUserAccessTokens": _INTEGRATIONS,
        "EnableOAuthServiceProvider": _INTEGRATIONS,
        "EnableDynamicClientRegistration": _INTEGRATIONS,
        "DCRRedirectURIAllowlist": _INTEGRATIONS,
        "OutgoingIntegrationRequestsTimeout": _INTEGRATIONS,
        "AllowedUntrustedInternalConnections": _INTEGRATIONS,
        "EnableBotAccountCreation": "integrations_bot_accounts",
        "AllowCorsFrom": "integrations_cors",
        "CorsExposedHeaders": "integrations_cors",
        "CorsAllowCredentials": "integrations_cors",
        # EnableLocalMode, LocalModeSocketLocation and the rest: system admins only
    },
    "TeamSettings": {
        "*": _USERS_AND_TEAMS,
        "SiteName": _CUSTOMIZATION,
        "CustomDescriptionText": _CUSTOMIZATION,
        "EnableCustomBrand": _CUSTOMIZATION,
        "CustomBrandText": _CUSTOMIZATION,
        "EnableConfirmNotificationsToChannel": _NOTIFICATIONS,
        "MaxNotificationsPerChannel": _NOTIFICATIONS,
        "EnableUserCreation": _SIGNUP,
        "RestrictCreationToDomains": _SIGNUP,
        "EnableOpenServer": _SIGNUP,
    },
    "SqlSettings": {"*": "environment_database"},
    "LogSettings": {"*": "environment_logging"},
    "FileSettings": {
        "*": "environment_file_storage",
        "EnableFileAttachments": "site_file_sharing_and_downloads",
        "EnableMobileUpload": "site_file_sharing_and_downloads",
        "EnableMobileDownload": "site_file_sharing_and_downloads",
        "EnablePublicLink": "site_file_sharing_and_downloads,site_public_links",
        "PublicLinkSalt": "site_public_links",
        "ExtractContent": "site_file_sharing_and_downloads",
        "ArchiveRecursion": "site_file_sharing_and_downloads",
    },
    "EmailSettings": {
        "*": _NOTIFICATIONS,
        "SMTPServer": "environment_smtp",
        "SMTPPort": "environment_smtp",
        "EnableSMTPAuth": "environment_smtp",
        "SMTPUsername": "environment_smtp",
        "SMTPPassword": "environment_smtp",
        "ConnectionSecurity": "environment_smtp",
        "SkipServerCertificateVerification": "environment_smtp",
        "SMTPServerTimeout": "environment_smtp",
        "SendPushNotifications": "environment_push_notification_server",
        "PushNotificationServer": "environment_push_notification_server",
        "PushNotificationContents": "environment_push_notification_server",
        "EnableSignUpWithEmail": _EMAIL,
        "RequireEmailVerification": _EMAIL,
        "EnableSignInWithEmail": _EMAIL,
        "EnableSignInWithUsername": _EMAIL,
        "EnablePreviewModeBanner": _NOTIFICATIONS,
    },
    "RateLimitSettings": {"*": "environment_rate_limiting"},
    "PrivacySettings": {"*": _USERS_AND_TEAMS},
    "PasswordSettings": {"*": "authentication_password"},
    "SupportSettings": {"*": _CUSTOMIZATION},
    "ClusterSettings": {"*": "environment_high_availability"},
    "RedisSettings": {"*": "environment_high_availability"},
    "WebSocketSettings": {"*": "environment_web_server"},
    "MetricsSettings": {"*": "environment_performance_monitoring"},
    "GitLabSettings": {"*": "authentication_openid"},
    "GoogleSettings": {"*": "authentication_openid"},
    "Office365Settings": {"*": "authentication_openid"},
    "OpenIdSettings": {"*": "authentication_openid"},
    "NativeAppSettings": {"*": _CUSTOMIZATION},
    "LdapSettings": {"*": "authentication_ldap"},
    "SamlSettings": {"*": "authentication_saml"},
    "GuestAccountsSettings": {"*": "authentication_guest_access"},
    "PluginSettings": {"*": "plugins"},
    "LocalizationSettings": {"*": "site_localization"},
    "ThemeSettings": {"*": _ADMIN_ONLY},
    "ImportSettings": {"*": _ADMIN_ONLY},
    "ExportSettings": {"*": _ADMIN_ONLY},
    "DisplaySettings": {"*": _POSTS},
    "AnnouncementSettings": {"*": "site_announcement_banner"},
    "ImageProxySettings": {"*": "environment_image_proxy"},
    "MessageExportSettings": {"*": "compliance_compliance_export"},
    "ExperimentalSettings": {"*": "experimental_features"},
    "ExperimentalAuditSettings": {"*": "experimental_features"},
    "ElasticsearchSettings": {"*": "environment_elasticsearch"},
    "BleveSettings": {"*": "experimental_features"},
    "ComplianceSettings": {"*": "compliance_compliance_monitoring"},
    "DataRetentionSettings": {"*": "compliance_data_retention_policy"},
    "FeatureFlags": {"*": "experimental_feature_flags"},
}


def resources(section: str, setting: str) -> tuple[str, ...]:
    """The System Console resources a setting belongs to (empty: system admins only)."""
    table = ACCESS.get(section, {})
    tag = table.get(setting, table.get("*", _ADMIN_ONLY))
    return tuple(r for r in tag.split(",") if r)


def allowed(section: str, setting: str, kind: str, has: Callable[[str], bool]) -> bool:
    """Whether a caller for whom ``has(permission)`` holds may ``kind`` ("read" or "write") the
    setting (``manage_system`` aside, which allows everything)."""
    return any(has(f"sysconsole_{kind}_{r}") for r in resources(section, setting))

"""The config.json schema: Mattermost's section and setting names and defaults.

Defaults follow Mattermost's, except where chinwag's embedded mode needs otherwise
(SqlSettings defaults to a SQLite file under ./data; TeamSettings.MaxUsersPerTeam has no cap of 50).
"""

from __future__ import annotations

from typing import Any

import msgspec


class ServiceSettings(msgspec.Struct, kw_only=True):
    SiteURL: str = ""
    WebsocketURL: str = ""
    ListenAddress: str = ":8065"
    ConnectionSecurity: str = ""
    TLSCertFile: str = ""
    TLSKeyFile: str = ""
    ReadTimeout: int = 300
    WriteTimeout: int = 300
    IdleTimeout: int = 60
    MaximumLoginAttempts: int = 10
    EnableDeveloper: bool = False
    EnableIncomingWebhooks: bool = True
    EnableOutgoingWebhooks: bool = True
    EnableCommands: bool = True
    EnablePostUsernameOverride: bool = False
    EnablePostIconOverride: bool = False
    EnableLinkPreviews: bool = True
    EnableUserAccessTokens: bool = False
    EnableBotAccountCreation: bool = False
    EnableOAuthServiceProvider: bool = False
    #: OAuth 2.0 Dynamic Client Registration (POST /oauth/apps/register, RFC 7591), while the provider is on
    EnableDynamicClientRegistration: bool = False
    #: redirect URI patterns a dynamically registered client may use (``*`` within a path segment, ``**``
    #: across segments); empty: any
    DCRRedirectURIAllowlist: list[str] = msgspec.field(default_factory=list)
    EnableMultifactorAuthentication: bool = False
    EnforceMultifactorAuthentication: bool = False
    EnableCustomEmoji: bool = True
    EnableEmojiPicker: bool = True
    EnableGifPicker: bool = False
    AllowCorsFrom: str = ""
    FrameAncestors: str = ""
    CorsExposedHeaders: str = ""
    CorsAllowCredentials: bool = False
    SessionLengthWebInHours: int = 720
    SessionLengthMobileInHours: int = 720
    SessionLengthSSOInHours: int = 720
    SessionCacheInMinutes: int = 10
    SessionIdleTimeoutInMinutes: int = 43200
    TerminateSessionsOnPasswordChange: bool = True
    ExtendSessionLengthWithActivity: bool = True
    EnableLocalMode: bool = False
    LocalModeSocketLocation: str = "/var/tmp/mattermost_local.socket"
    CollapsedThreads: str = "always_on"
    ThreadAutoFollow: bool = True
    PostEditTimeLimit: int = -1
    MaximumPayloadSizeBytes: int = 300000
    AllowedUntrustedInternalConnections: str = ""
    OutgoingIntegrationRequestsTimeout: int = 30
    TrustedProxyIPHeader: list[str] = msgspec.field(default_factory=list)
    EnableAPITeamDeletion: bool = False
    EnableAPIUserDeletion: bool = False
    EnableAPIChannelDeletion: bool = False
    WebserverMode: str = "gzip"
    EnableSecurityFixAlert: bool = False
    ExperimentalEnableHardenedMode: bool = False
    ExperimentalStrictCSRFEnforcement: bool = False
    EnableUserStatuses: bool = True
    WorkerCount: int = 1
    #: chinwag's own: read receipts ("Seen by …") in DMs, group messages and channels of at most
    #: ReadReceiptsMaxChannelMembers members, for users who turn them on (docs/configuration.md)
    EnableReadReceipts: bool = False
    ReadReceiptsMaxChannelMembers: int = 20
    #: chinwag's own: the ``client`` directory of a Mattermost release to serve at ``/`` instead of
    #: chinwag's web UI (``root.html``, ``/static/…``); empty serves chinwag's UI (docs/configuration.md)
    WebappDirectory: str = ""
    ExperimentalEnableDefaultChannelLeaveJoinMessages: bool = True
    EnableTutorial: bool = True
    EnableOnboardingFlow: bool = True
    EnableEmailInvitations: bool = False
    EnableSVGs: bool = False
    EnableLatex: bool = False
    EnableInlineLatex: bool = True
    EnablePermalinkPreviews: bool = True
    MinimumHashtagLength: int = 3
    EnableUserTypingMessages: bool = True
    TimeBetweenUserTypingUpdatesMilliseconds: int = 5000
    EnableChannelViewedMessages: bool = True
    ExperimentalGroupUnreadChannels: str = "disabled"
    GoogleDeveloperKey: str = ""
    GiphySdkKey: str = ""
    UniqueEmojiReactionLimitPerPost: int = 50
    #: drafts kept on the server, so a user's apps show the same ones (Mattermost 7.7+)
    AllowSyncedDrafts: bool = True


class TeamSettings(msgspec.Struct, kw_only=True):
    SiteName: str = "chinwag"
    MaxUsersPerTeam: int = 100000
    EnableUserCreation: bool = True
    EnableOpenServer: bool = False
    EnableUserDeactivation: bool = False
    RestrictCreationToDomains: str = ""
    EnableCustomUserStatuses: bool = True
    EnableCustomBrand: bool = False
    CustomBrandText: str = ""
    CustomDescriptionText: str = ""
    RestrictDirectMessage: str = "any"
    TeammateNameDisplay: str = "username"
    LockTeammateNameDisplay: bool = False
    ExperimentalViewArchivedChannels: bool = True
    MaxChannelsPerTeam: int = 2000
    MaxNotificationsPerChannel: int = 1000
    EnableConfirmNotificationsToChannel: bool = True
    EnableLastActiveTime: bool = True
    ExperimentalPrimaryTeam: str = ""
    ExperimentalEnableAutomaticReplies: bool = False
    EnableJoinLeaveMessageByDefault: bool = True
    ExperimentalDefaultChannels: list[str] = msgspec.field(default_factory=list)


class SqlSettings(msgspec.Struct, kw_only=True):
    DriverName: str = "sqlite"
    DataSource: str = "./data/chinwag.db"
    DataSourceReplicas: list[str] = msgspec.field(default_factory=list)
    DataSourceSearchReplicas: list[str] = msgspec.field(default_factory=list)
    MaxIdleConns: int = 20
    MaxOpenConns: int = 100
    ConnMaxLifetimeMilliseconds: int = 3600000
    QueryTimeout: int = 30
    Trace: bool = False
    AtRestEncryptKey: str = ""


class LogSettings(msgspec.Struct, kw_only=True):
    EnableConsole: bool = True
    ConsoleLevel: str = "INFO"
    ConsoleJson: bool = False
    EnableColor: bool = False
    EnableFile: bool = True
    FileLevel: str = "INFO"
    FileJson: bool = True
    FileLocation: str = ""
    EnableDiagnostics: bool = False


class FileSettings(msgspec.Struct, kw_only=True):
    EnableFileAttachments: bool = True
    EnableMobileUpload: bool = True
    EnableMobileDownload: bool = True
    MaxFileSize: int = 104857600
    MaxImageResolution: int = 33177600
    MaxImageDecoderConcurrency: int = -1
    DriverName: str = "local"
    Directory: str = "./data/"
    EnablePublicLink: bool = False
    ExtractContent: bool = True
    ArchiveRecursion: bool = False
    PublicLinkSalt: str = ""
    InitialFont: str = "nunito-bold.ttf"
    AmazonS3AccessKeyId: str = ""
    AmazonS3SecretAccessKey: str = ""
    AmazonS3Bucket: str = ""
    AmazonS3PathPrefix: str = ""
    AmazonS3Region: str = ""
    AmazonS3Endpoint: str = "s3.amazonaws.com"
    AmazonS3SSL: bool = True
    AmazonS3SignV2: bool = False
    AmazonS3SSE: bool = False
    AmazonS3Trace: bool = False
    AmazonS3RequestTimeoutMilliseconds: int = 30000


class EmailSettings(msgspec.Struct, kw_only=True):
    EnableSignUpWithEmail: bool = True
    EnableSignInWithEmail: bool = True
    EnableSignInWithUsername: bool = True
    SendEmailNotifications: bool = True
    UseChannelInEmailNotifications: bool = False
    RequireEmailVerification: bool = False
    FeedbackName: str = ""
    FeedbackEmail: str = "test@example.com"
    ReplyToAddress: str = "test@example.com"
    FeedbackOrganization: str = ""
    EnableSMTPAuth: bool = False
    SMTPUsername: str = ""
    SMTPPassword: str = ""
    SMTPServer: str = "localhost"
    SMTPPort: str = "10025"
    SMTPServerTimeout: int = 10
    ConnectionSecurity: str = ""
    SkipServerCertificateVerification: bool = False
    SendPushNotifications: bool = True
    PushNotificationServer: str = ""
    PushNotificationContents: str = "full"
    PushNotificationBuffer: int = 1000
    EnableEmailBatching: bool = False
    EmailBatchingBufferSize: int = 256
    EmailBatchingInterval: int = 30
    EmailNotificationContentsType: str = "full"
    EnablePreviewModeBanner: bool = True
    LoginButtonColor: str = "#0000"
    LoginButtonBorderColor: str = "#2389D7"
    LoginButtonTextColor: str = "#2389D7"


class RateLimitSettings(msgspec.Struct, kw_only=True):
    Enable: bool = False
    PerSec: int = 10
    MaxBurst: int = 100
    MemoryStoreSize: int = 10000
    VaryByRemoteAddr: bool = True
    VaryByUser: bool = False
    VaryByHeader: str = ""


class PrivacySettings(msgspec.Struct, kw_only=True):
    ShowEmailAddress: bool = True
    ShowFullName: bool = True


class PasswordSettings(msgspec.Struct, kw_only=True):
    MinimumLength: int = 8
    Lowercase: bool = False
    Number: bool = False
    Uppercase: bool = False
    Symbol: bool = False
    EnableForgotLink: bool = True


class SupportSettings(msgspec.Struct, kw_only=True):
    TermsOfServiceLink: str = ""
    PrivacyPolicyLink: str = ""
    AboutLink: str = ""
    HelpLink: str = ""
    ReportAProblemLink: str = ""
    #: what "Report a Problem" in the help menu does: ``default`` (Mattermost's page), ``link``
    #: (ReportAProblemLink), ``email`` (ReportAProblemMail) or ``hidden``
    ReportAProblemType: str = "default"
    ReportAProblemMail: str = ""
    #: whether the System Console offers "Download logs" to those allowed to read the logs
    AllowDownloadLogs: bool = True
    #: where "Forgot your password?" leads instead of the password reset page (empty: the reset page)
    ForgotPasswordLink: str = ""
    #: whether the help menu offers "Ask the community"
    EnableAskCommunityLink: bool = True
    SupportEmail: str = ""


class ClusterSettings(msgspec.Struct, kw_only=True):
    Enable: bool = False
    ClusterName: str = ""
    OverrideHostname: str = ""


class RedisSettings(msgspec.Struct, kw_only=True):
    """chinwag's own section: the Redis that carries the cluster bus (used when enabled)."""

    Enable: bool = False
    URL: str = "redis://127.0.0.1:6379/0"


class WebSocketSettings(msgspec.Struct, kw_only=True):
    """chinwag's own section: how long the event history for lossless resume is kept."""

    EventRetentionMinutes: int = 1440
    MaxRetainedEvents: int = 1000000
    SendQueueSize: int = 1024


class MetricsSettings(msgspec.Struct, kw_only=True):
    Enable: bool = False
    ListenAddress: str = ":8067"
    BlockProfileRate: int = 0
    #: record the apps' performance reports (POST /client_perf) while Enable
    EnableClientMetrics: bool = True
    #: users whose id labels their client metrics (the others are "<placeholder>")
    ClientSideUserIds: list[str] = msgspec.field(default_factory=list)


class SSOSettings(msgspec.Struct, kw_only=True):
    Enable: bool = False
    Secret: str = ""
    Id: str = ""
    Scope: str = ""
    AuthEndpoint: str = ""
    TokenEndpoint: str = ""
    UserAPIEndpoint: str = ""
    DiscoveryEndpoint: str = ""
    ButtonText: str = ""
    ButtonColor: str = ""


class GitLabSettings(SSOSettings, kw_only=True):
    """GitLab OAuth 2.0 sign-in (Settings → Applications on the GitLab side, scope ``read_user``)."""


class OpenIdSettings(SSOSettings, kw_only=True):
    """Any OpenID Connect provider, found through ``DiscoveryEndpoint`` (…/.well-known/openid-configuration)."""

    Scope: str = "openid profile email"


class LdapSettings(msgspec.Struct, kw_only=True):
    """LDAP / Active Directory sign-in and sync (Mattermost's names)."""

    Enable: bool = False
    EnableSync: bool = False
    LdapServer: str = ""
    LdapPort: int = 389
    ConnectionSecurity: str = ""
    SkipCertificateVerification: bool = False
    #: the client certificate and key chinwag presents to the directory over TLS (files beside config.json,
    #: uploaded in the System Console, or absolute paths)
    PublicCertificateFile: str = ""
    PrivateKeyFile: str = ""
    BaseDN: str = ""
    BindUsername: str = ""
    BindPassword: str = ""
    UserFilter: str = ""
    GuestFilter: str = ""
    EnableAdminFilter: bool = False
    AdminFilter: str = ""
    IdAttribute: str = ""
    LoginIdAttribute: str = ""
    UsernameAttribute: str = ""
    EmailAttribute: str = ""
    FirstNameAttribute: str = ""
    LastNameAttribute: str = ""
    NicknameAttribute: str = ""
    PositionAttribute: str = ""
    SyncIntervalMinutes: int = 60
    QueryTimeout: int = 60
    MaxPageSize: int = 0
    LoginFieldName: str = ""
    LoginButtonColor: str = "#0000"
    LoginButtonBorderColor: str = "#2389D7"
    LoginButtonTextColor: str = "#2389D7"


class SamlSettings(msgspec.Struct, kw_only=True):
    """SAML 2.0 single sign-on (Mattermost's names; ``IdpMetadataFile`` is chinwag's addition)."""

    Enable: bool = False
    Verify: bool = True
    Encrypt: bool = False
    SignRequest: bool = False
    IdpURL: str = ""
    IdpDescriptorURL: str = ""
    IdpMetadataURL: str = ""
    IdpMetadataFile: str = ""
    ServiceProviderIdentifier: str = ""
    AssertionConsumerServiceURL: str = ""
    IdpCertificateFile: str = ""
    PublicCertificateFile: str = ""
    PrivateKeyFile: str = ""
    IdAttribute: str = ""
    GuestAttribute: str = ""
    EnableAdminAttribute: bool = False
    AdminAttribute: str = ""
    FirstNameAttribute: str = ""
    LastNameAttribute: str = ""
    EmailAttribute: str = ""
    UsernameAttribute: str = ""
    NicknameAttribute: str = ""
    LocaleAttribute: str = ""
    PositionAttribute: str = ""
    LoginButtonText: str = "SAML"
    LoginButtonColor: str = "#34a28b"
    LoginButtonBorderColor: str = "#2389D7"
    LoginButtonTextColor: str = "#ffffff"


class GuestAccountsSettings(msgspec.Struct, kw_only=True):
    """Guest accounts (Mattermost's names): people who see only the teams and channels they are added to.
    SAML's ``GuestAttribute`` and LDAP's ``GuestFilter`` make guests only while ``Enable`` is on, and guests
    cannot sign in while it is off."""

    Enable: bool = False
    AllowEmailAccounts: bool = True
    EnforceMultifactorAuthentication: bool = False
    RestrictCreationToDomains: str = ""


class NativeAppSettings(msgspec.Struct, kw_only=True):
    AppCustomURLSchemes: list[str] = msgspec.field(default_factory=lambda: ["mmauth://", "mmauthbeta://"])
    AppDownloadLink: str = ""
    AndroidAppDownloadLink: str = ""
    IosAppDownloadLink: str = ""


class PluginSettings(msgspec.Struct, kw_only=True):
    Enable: bool = True
    EnableUploads: bool = False
    Directory: str = "./plugins"
    ClientDirectory: str = "./client/plugins"
    Plugins: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    PluginStates: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    EnableMarketplace: bool = False
    RequirePluginSignature: bool = False


class ThemeSettings(msgspec.Struct, kw_only=True):
    """Mattermost's theme settings: whether users may pick a theme, and custom colours, and the theme of
    users who picked none (a built-in: denim, sapphire, quartz, indigo, onyx; "default" is denim)."""

    EnableThemeSelection: bool = True
    DefaultTheme: str = "default"
    AllowCustomThemes: bool = True
    AllowedThemes: list[str] = msgspec.field(default_factory=list)


class DisplaySettings(msgspec.Struct, kw_only=True):
    CustomURLSchemes: list[str] = msgspec.field(default_factory=list)
    ExperimentalTimezone: bool = True


class AnnouncementSettings(msgspec.Struct, kw_only=True):
    EnableBanner: bool = False
    BannerText: str = ""
    BannerColor: str = "#f2a93b"
    BannerTextColor: str = "#333333"
    AllowBannerDismissal: bool = True


class LocalizationSettings(msgspec.Struct, kw_only=True):
    """Mattermost's language settings: the server's language (emails, system messages), the web
    app's language for users who chose none, and which languages users may pick ("" = every one)."""

    DefaultServerLocale: str = "en"
    DefaultClientLocale: str = "en"
    AvailableLocales: str = ""
    EnableExperimentalLocales: bool = False


class DirSettings(msgspec.Struct, kw_only=True):
    Directory: str = ""
    RetentionDays: int = 30


def _import_settings() -> DirSettings:
    return DirSettings(Directory="./import")


def _export_settings() -> DirSettings:
    return DirSettings(Directory="./export")


class ImageProxySettings(msgspec.Struct, kw_only=True):
    """GET /api/v4/image: off, images are fetched by the browser (a redirect); ``local``: through this server;
    ``atmos/camo``: through a camo proxy at RemoteImageProxyURL whose key is RemoteImageProxyOptions."""

    Enable: bool = False
    ImageProxyType: str = "local"
    RemoteImageProxyURL: str = ""
    RemoteImageProxyOptions: str = ""


class MessageExportSettings(msgspec.Struct, kw_only=True):
    """Compliance exports need a licence; only the download switch is read (GET /jobs/{id}/download)."""

    DownloadExportResults: bool = False


class ExperimentalSettings(msgspec.Struct, kw_only=True):
    """Mattermost's experimental switches, at Mattermost's defaults, which are also what chinwag does:
    client certificates, the System Console restriction, the new SAML library and shared channels are not
    offered, so ``validate`` refuses turning them on. Present so the official System Console (which reads
    this section on every page) and ``mmctl config`` find it."""

    ClientSideCertEnable: bool = False
    ClientSideCertCheck: str = "secondary"
    LinkMetadataTimeoutMilliseconds: int = 5000
    RestrictSystemAdmin: bool = False
    UseNewSAMLLibrary: bool = False
    EnableSharedChannels: bool = False
    EnableRemoteClusterService: bool = False


class ExperimentalAuditSettings(msgspec.Struct, kw_only=True):
    """Mattermost's audit log settings. chinwag writes its audit records to its own log and the ``audits``
    table; only ``Certificate`` is kept: the file name of the certificate uploaded through
    ``POST /audit_logs/certificate`` (``audit_certificate.pem`` beside config.json), which Mattermost's
    audit log targets present over TLS."""

    Certificate: str = ""


class ElasticsearchSettings(msgspec.Struct, kw_only=True):
    """Elasticsearch is not used (search is the database's); indexing and searching stay off."""

    ConnectionURL: str = "http://localhost:9200"
    Username: str = "elastic"
    Password: str = "changeme"
    EnableIndexing: bool = False
    EnableSearching: bool = False
    EnableAutocomplete: bool = False
    Sniff: bool = True
    SkipTLSVerification: bool = False


class BleveSettings(msgspec.Struct, kw_only=True):
    """Bleve is not used (search is the database's); indexing and searching stay off."""

    IndexDir: str = ""
    EnableIndexing: bool = False
    EnableSearching: bool = False
    EnableAutocomplete: bool = False


class ComplianceSettings(msgspec.Struct, kw_only=True):
    """Compliance reports (a licensed Mattermost feature) are not offered; ``Enable`` stays off."""

    Enable: bool = False
    Directory: str = "./data/"
    EnableDaily: bool = False


class DataRetentionSettings(msgspec.Struct, kw_only=True):
    """Data retention (a licensed Mattermost feature) is not offered; deletion stays off."""

    EnableMessageDeletion: bool = False
    EnableFileDeletion: bool = False
    MessageRetentionDays: int = 365
    FileRetentionDays: int = 365
    DeletionJobStartTime: str = "02:00"


class FeatureFlags(msgspec.Struct, kw_only=True):
    """Mattermost's feature flags that clients read: collapsed threads are always available (whether they
    are on is ``ServiceSettings.CollapsedThreads``)."""

    CollapsedThreads: bool = True
    #: channel recaps written by an AI agent: they need Mattermost's AI plugin, which chinwag does not run,
    #: so this stays off (config validation refuses it) and /recaps answers 501 as Mattermost with it off
    EnableAIRecaps: bool = False


class Config(msgspec.Struct, kw_only=True):
    ServiceSettings: ServiceSettings = msgspec.field(default_factory=ServiceSettings)
    TeamSettings: TeamSettings = msgspec.field(default_factory=TeamSettings)
    SqlSettings: SqlSettings = msgspec.field(default_factory=SqlSettings)
    LogSettings: LogSettings = msgspec.field(default_factory=LogSettings)
    FileSettings: FileSettings = msgspec.field(default_factory=FileSettings)
    EmailSettings: EmailSettings = msgspec.field(default_factory=EmailSettings)
    RateLimitSettings: RateLimitSettings = msgspec.field(default_factory=RateLimitSettings)
    PrivacySettings: PrivacySettings = msgspec.field(default_factory=PrivacySettings)
    PasswordSettings: PasswordSettings = msgspec.field(default_factory=PasswordSettings)
    SupportSettings: SupportSettings = msgspec.field(default_factory=SupportSettings)
    ClusterSettings: ClusterSettings = msgspec.field(default_factory=ClusterSettings)
    RedisSettings: RedisSettings = msgspec.field(default_factory=RedisSettings)
    WebSocketSettings: WebSocketSettings = msgspec.field(default_factory=WebSocketSettings)
    MetricsSettings: MetricsSettings = msgspec.field(default_factory=MetricsSettings)
    GitLabSettings: GitLabSettings = msgspec.field(default_factory=GitLabSettings)
    GoogleSettings: SSOSettings = msgspec.field(default_factory=SSOSettings)
    Office365Settings: SSOSettings = msgspec.field(default_factory=SSOSettings)
    OpenIdSettings: OpenIdSettings = msgspec.field(default_factory=OpenIdSettings)
    NativeAppSettings: NativeAppSettings = msgspec.field(default_factory=NativeAppSettings)
    LdapSettings: LdapSettings = msgspec.field(default_factory=LdapSettings)
    SamlSettings: SamlSettings = msgspec.field(default_factory=SamlSettings)
    GuestAccountsSettings: GuestAccountsSettings = msgspec.field(default_factory=GuestAccountsSettings)
    PluginSettings: PluginSettings = msgspec.field(default_factory=PluginSettings)
    LocalizationSettings: LocalizationSettings = msgspec.field(default_factory=LocalizationSettings)
    ThemeSettings: ThemeSettings = msgspec.field(default_factory=ThemeSettings)
    ImportSettings: DirSettings = msgspec.field(default_factory=_import_settings)
    ExportSettings: DirSettings = msgspec.field(default_factory=_export_settings)
    DisplaySettings: DisplaySettings = msgspec.field(default_factory=DisplaySettings)
    AnnouncementSettings: AnnouncementSettings = msgspec.field(default_factory=AnnouncementSettings)
    ImageProxySettings: ImageProxySettings = msgspec.field(default_factory=ImageProxySettings)
    MessageExportSettings: MessageExportSettings = msgspec.field(default_factory=MessageExportSettings)
    ExperimentalSettings: ExperimentalSettings = msgspec.field(default_factory=ExperimentalSettings)
    ExperimentalAuditSettings: ExperimentalAuditSettings = msgspec.field(default_factory=ExperimentalAuditSettings)
    ElasticsearchSettings: ElasticsearchSettings = msgspec.field(default_factory=ElasticsearchSettings)
    BleveSettings: BleveSettings = msgspec.field(default_factory=BleveSettings)
    ComplianceSettings: ComplianceSettings = msgspec.field(default_factory=ComplianceSettings)
    DataRetentionSettings: DataRetentionSettings = msgspec.field(default_factory=DataRetentionSettings)
    FeatureFlags: FeatureFlags = msgspec.field(default_factory=FeatureFlags)


#: Settings whose values are masked by GET /config (Mattermost's FakeSetting).
SECRET_SETTINGS = frozenset(
    {
        ("SqlSettings", "DataSource"),
        ("SqlSettings", "AtRestEncryptKey"),
        ("SqlSettings", "DataSourceReplicas"),
        ("SqlSettings", "DataSourceSearchReplicas"),
        ("RedisSettings", "URL"),
        ("FileSettings", "PublicLinkSalt"),
        ("FileSettings", "AmazonS3SecretAccessKey"),
        ("EmailSettings", "SMTPPassword"),
        ("GitLabSettings", "Secret"),
        ("GoogleSettings", "Secret"),
        ("Office365Settings", "Secret"),
        ("OpenIdSettings", "Secret"),
        ("LdapSettings", "BindPassword"),
        ("ElasticsearchSettings", "Password"),
        ("ImageProxySettings", "RemoteImageProxyOptions"),
    }
)
FAKE_SETTING = "********************************"

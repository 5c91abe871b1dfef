"""App: the composition root. It builds every domain service once, floor by floor, handing each the
services it uses; the web layer, the CLI and the importers hold the App and call its services. No
service holds the App. The floors (enforced by import-linter, see pyproject.toml) are listed in
docs/architecture.md; a service may use only services on lower floors."""

from __future__ import annotations

from collections.abc import Callable

from chinwag.app.account import AccountService
from chinwag.app.admin_tools import CommandMover, ServerBusy, TeamDirectory, UserAdmin
from chinwag.app.agents import AgentsService
from chinwag.app.analytics import AnalyticsService
from chinwag.app.attempts import AttemptLimiter
from chinwag.app.audit import AuditService
from chinwag.app.auth_migrate import AuthMigration
from chinwag.app.bot import BotService
from chinwag.app.bot_convert import BotConvertService
from chinwag.app.channel import ChannelService
from chinwag.app.channel_admin import ChannelAdminService
from chinwag.app.channel_category import ChannelCategoryService
from chinwag.app.channel_direct import DirectChannelService
from chinwag.app.channel_member import ChannelMemberService
from chinwag.app.channel_move import ChannelMoveService
from chinwag.app.client_perf import ClientPerfService
from chinwag.app.cluster_status import ClusterStatusService
from chinwag.app.command import CommandService
from chinwag.app.command_builtin import BuiltInServices
from chinwag.app.config import ConfigService
from chinwag.app.core import AppCore
from chinwag.app.custom_status import CustomStatusService
from chinwag.app.directory import Directory
from chinwag.app.draft import DraftService
from chinwag.app.email_notification import EmailNotificationService
from chinwag.app.email_test import EmailTestService
from chinwag.app.emoji import EmojiService
from chinwag.app.ephemeral import EphemeralService
from chinwag.app.file import BackendFactory, FileService
from chinwag.app.file_extract import ContentExtractor
from chinwag.app.icons import BotIconService, TeamIconService
from chinwag.app.imports import ImportService
from chinwag.app.integration import IntegrationCore
from chinwag.app.integration_action import IntegrationActionService
from chinwag.app.integrity import IntegrityCheck
from chinwag.app.jobs import JobService
from chinwag.app.latest_version import LatestVersionService
from chinwag.app.ldap import LdapService
from chinwag.app.ldap_admin import LdapAdminService
from chinwag.app.link_preview import LinkPreviewService
from chinwag.app.login import LoginService
from chinwag.app.logs import LogService
from chinwag.app.lookup import LookupService
from chinwag.app.mfa import MfaService
from chinwag.app.migration import MigrationService
from chinwag.app.notification import NotificationService
from chinwag.app.oauth import OAuthService
from chinwag.app.oauth_provider import OAuthProviderService
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_api import PluginApiServices
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.plugins import PluginService
from chinwag.app.post import PostService
from chinwag.app.post_list import PostListService
from chinwag.app.post_reminder import PostReminderService
from chinwag.app.post_write import PostWriter
from chinwag.app.preference import PreferenceService
from chinwag.app.purge import PurgeService
from chinwag.app.push_notification import PushNotificationService
from chinwag.app.reaction import ReactionService
from chinwag.app.read_receipt import ReadReceiptService
from chinwag.app.realtime import RealtimeService
from chinwag.app.roles import RoleService, RoleTable
from chinwag.app.saml import SamlService
from chinwag.app.search import SearchService
from chinwag.app.session import SessionService
from chinwag.app.signing import SigningService
from chinwag.app.site import SiteService
from chinwag.app.sso_certificates import CertificateService
from chinwag.app.stats import StatsService
from chinwag.app.status import StatusService
from chinwag.app.system import SystemService
from chinwag.app.system_ops import SystemOpsService
from chinwag.app.system_post import SystemPosts
from chinwag.app.team import TeamService
from chinwag.app.team_edition import TeamEditionService
from chinwag.app.team_import import TeamImportService
from chinwag.app.team_invite import TeamInviteService
from chinwag.app.thread import ThreadService
from chinwag.app.token import UserAccessTokenService
from chinwag.app.unread import UnreadService
from chinwag.app.uploads import UploadService
from chinwag.app.user import UserService
from chinwag.app.user_image import UserImageService
from chinwag.app.user_report_export import UserReportExportService
from chinwag.app.webhook import IncomingWebhookService
from chinwag.app.webhook_outgoing import OutgoingWebhookService
from chinwag.bus.ratelimit import MemoryRateStore, RateStore
from chinwag.config import ConfigStore
from chinwag.model.ids import now_ms
from chinwag.model.job import JOB_TYPE_EXTRACT_CONTENT
from chinwag.platform.events import Publisher
from chinwag.search.base import SearchEngine
from chinwag.search.sql import SqlSearchEngine
from chinwag.store.sql.analytics_store import SqlAnalyticsStore
from chinwag.store.sql.channel_admin_store import SqlChannelAdminStore
from chinwag.store.sql.cluster_store import SqlClusterStore
from chinwag.store.sql.integrity_store import SqlIntegrityStore
from chinwag.store.sql.migrate import head_revision
from chinwag.store.sql.store import SqlStore


class App:
    def __init__(
        self,
        store: SqlStore,
        config: ConfigStore,
        publisher: Publisher,
        clock: Callable[[], int] = now_ms,
        files: BackendFactory | None = None,
        search: SearchEngine | None = None,
        attempt_store: RateStore | None = None,
    ) -> None:
        core = self.core = AppCore(store, config, publisher, clock)
        self.store = store
        self.config = config
        engine = search or SqlSearchEngine(store.db)

        # lookups and permission checks
        directory = self.directory = Directory(core)
        self.role_table = RoleTable()
        core.observers.append(self.role_table.observe)
        perms = self.perms = PermissionService(core, directory, self.role_table)
        self.roles = RoleService(core, self.role_table)

        # small services with no other service below them
        self.audits = AuditService(core, perms)
        #: always-on limits on sign-in and password-reset attempts (shared through Redis when clustered)
        self.attempts = AttemptLimiter(attempt_store or MemoryRateStore())
        self.statuses = StatusService(core, perms)
        self.preferences = PreferenceService(core, perms)
        self.drafts = DraftService(core, directory, perms)
        self.sessions = SessionService(core)
        self.signing = SigningService(core)
        self.config_api = ConfigService(core, perms)
        self.logs = LogService(core, perms)
        self.files = FileService(core, directory, perms, files)
        self.system = SystemService(core, self.files)
        self.direct_channels = DirectChannelService(core, perms)
        self.jobs = JobService(core, perms, self.files.backend)
        self.extractor = ContentExtractor(core, self.files.backend)
        self.jobs.register(JOB_TYPE_EXTRACT_CONTENT, self.extractor.run_job)
        self.files.uploaded_hooks.append(self.extractor.uploaded)
        self.uploads = UploadService(core, perms, self.files, self.jobs)
        self.emoji = EmojiService(core, perms, self.files)
        self.imports = ImportService(core)
        self.ephemeral = EphemeralService(core, perms, self.signing)

        # notifications (email and push under the one that decides who gets what)
        self.email_notifications = EmailNotificationService(core, directory, self.statuses)
        self.push_notifications = PushNotificationService(
            core, directory, perms, self.sessions, self.statuses, self.system
        )
        self.notifications = NotificationService(core, self.email_notifications, self.push_notifications)
        self.receipts = ReadReceiptService(core, directory, perms, self.notifications)
        self.unreads = UnreadService(core, directory, perms, self.notifications)

        # posts
        self.link_previews = LinkPreviewService(core)
        self.post_lists = PostListService(core, directory, perms, self.files, self.link_previews)
        self.search = SearchService(core, perms, engine, self.post_lists)
        self.plugin_hooks = PluginHooks(directory)
        self.post_writer = PostWriter(core)
        self.posts = PostService(
            core, directory, perms, self.post_lists, self.files, engine, self.notifications, self.receipts,
            self.statuses, self.plugin_hooks, self.post_writer,
        )
        self.reactions = ReactionService(core, directory, perms, self.plugin_hooks)
        self.threads = ThreadService(core, directory, perms, self.post_lists, self.unreads)
        self.realtime = RealtimeService(core, perms, self.statuses)
        self.system_posts = SystemPosts(core, directory, self.posts)

        # channels, teams, users
        self.channels = ChannelService(
            core, directory, perms, self.system_posts, self.notifications, self.receipts, self.plugin_hooks
        )
        self.channel_members = ChannelMemberService(core, directory, perms, self.system_posts, self.plugin_hooks)
        self.teams = TeamService(core, directory, perms, self.channels, self.channel_members)
        self.users = UserService(core, directory, perms, self.sessions, self.teams, self.channel_members,
                                 self.plugin_hooks)
        self.purge = PurgeService(core, directory, perms, self.files, self.sessions)
        self.user_images = UserImageService(core, perms, self.users, self.files)
        self.custom_statuses = CustomStatusService(core, perms, self.users, self.preferences)
        self.categories = ChannelCategoryService(core, perms, self.channel_members)

        # accounts and sign-in
        self.mfa = MfaService(core, directory, perms, self.sessions)
        self.ldap = LdapService(core, self.users, self.sessions)
        self.login = LoginService(core, self.sessions, self.mfa, self.ldap, self.attempts, self.plugin_hooks)
        self.auth_migration = AuthMigration(core, self.users, self.ldap)
        self.oauth = OAuthService(core, self.users, self.sessions, self.login)
        self.saml = SamlService(core, self.users, self.sessions)
        self.oauth_provider = OAuthProviderService(core, directory, perms, self.sessions, self.attempts)
        self.bots = BotService(core, directory, perms, self.sessions)
        self.bot_convert = BotConvertService(core, directory, perms, self.sessions, self.users)
        self.tokens = UserAccessTokenService(core, directory, perms, self.sessions, self.bots)

        # integrations
        self.integrations = IntegrationCore(core, directory, perms, self.posts)
        self.incoming = IncomingWebhookService(core, directory, perms, self.integrations, self.direct_channels)
        self.outgoing = OutgoingWebhookService(core, directory, perms, self.integrations)
        self.posts.created_hooks.append(self.outgoing.post_created)
        builtins = BuiltInServices(
            core=core,
            directory=directory,
            channels=self.channels,
            members=self.channel_members,
            direct=self.direct_channels,
            posts=self.posts,
            statuses=self.statuses,
            integrations=self.integrations,
        )
        self.commands = CommandService(core, directory, perms, self.integrations, self.posts, builtins,
                                       self.signing, self.plugin_hooks)
        self.actions = IntegrationActionService(core, directory, perms, self.integrations, self.posts,
                                                self.ephemeral, self.signing, self.plugin_hooks)
        self.post_reminders = PostReminderService(core, directory, perms, self.posts, self.direct_channels,
                                                  self.ephemeral)
        self.channel_moves = ChannelMoveService(
            core, directory, perms, self.channel_members, self.incoming, self.outgoing
        )

        # System Console and operations
        self.analytics = AnalyticsService(core, perms, SqlAnalyticsStore(store.db))
        self.team_edition = TeamEditionService(core, perms, SqlAnalyticsStore(store.db))
        self.user_report_export = UserReportExportService(
            core, perms, SqlAnalyticsStore(store.db), self.jobs, self.files, self.posts, self.direct_channels,
            self.post_reminders.system_bot)
        self.email_test = EmailTestService(core, perms)
        self.latest_version = LatestVersionService(core, perms)
        self.agents = AgentsService(core)
        self.channel_admin = ChannelAdminService(perms, SqlChannelAdminStore(store.db))
        self.ldap_admin = LdapAdminService(perms, self.ldap, self.config_api)
        self.certificates = CertificateService(perms, self.config_api)
        self.cluster = ClusterStatusService(core, perms, SqlClusterStore(store.db), self.config_api.node_id,
                                            head_revision)

        # what the official apps read beyond the above (issue 16)
        self.stats = StatsService(core, perms)
        self.client_perf = ClientPerfService(core)
        self.site = SiteService(core, perms, self.files)
        self.team_invites = TeamInviteService(core, perms, self.teams, self.email_notifications)
        self.team_icons = TeamIconService(core, perms, self.teams, self.files)
        self.bot_icons = BotIconService(core, directory, self.bots, self.files, self.users)
        self.system_ops = SystemOpsService(core, perms)
        self.team_import = TeamImportService(core, perms, self.teams)
        self.migration = MigrationService(core, self.files)
        self.account = AccountService(core, perms, self.users, self.teams, self.sessions, self.email_notifications,
                                      self.attempts)
        self.users.email_change_hook = self.account.email_change
        self.lookup = LookupService(core, perms, self.channels, self.post_lists, self.teams, self.users)

        # mmctl's administration routes (team search, busy state, verify/delete-all/hashed
        # passwords, SAML auth data, command move, integrity)
        self.team_directory = TeamDirectory(core, perms, self.teams)
        self.server_busy = ServerBusy(core, perms)
        self.user_admin = UserAdmin(core, perms, self.users, self.purge)
        self.command_mover = CommandMover(core, perms, self.commands, self.teams)
        self.integrity = IntegrityCheck(core, perms, SqlIntegrityStore(store.db))

        # plugins: the host, and the API each running plugin gets (issue 21)
        plugin_api = PluginApiServices(core, directory, self.posts, self.channel_members, self.direct_channels,
                                       self.bots, self.files, self.commands, self.plugin_hooks,
                                       save_settings=lambda pid, s: self.plugins.save_settings(pid, s),
                                       schedule=lambda pid, name, every: self.plugins.schedule(pid, name, every),
                                       open_dialog=self.actions.open_dialog, node_id=self.config_api.node_id,
                                       perms=perms, push=self.push_notifications)
        self.push_notifications.hooked = self.plugin_hooks.pushes_hooked
        self.push_notifications.will_push = self.plugin_hooks.will_be_pushed
        self.plugins = PluginService(core, perms, self.config_api, self.files, self.integrations,
                                     self.plugin_hooks, plugin_api, self.cluster)
        config.listeners.append(self.plugins.config_changed)
        self.config_api.plugin_secrets = self.plugins.secret_settings

    def start(self) -> None:
        """Background work of the app itself: the outbox relay, pending mention counts a stopped
        process left behind."""
        self.core.outbox.start()
        self.post_writer.apply_pending_mentions()

    async def close(self) -> None:
        """Stop background work (integration callbacks) before the database goes away."""
        await self.plugins.close()
        await self.latest_version.close()
        await self.post_writer.stop()
        await self.core.outbox.close()
        await self.integrations.close()
        await self.system_ops.close()
        await self.certificates.close()
        await self.link_previews.close()
        await self.config_api.close()
        await self.cluster.close()
        await self.jobs.stop()
        await self.extractor.close()
        await self.custom_statuses.stop()
        await self.post_reminders.stop()
        await self.ldap.close()
        await self.notifications.close()
        await self.email_notifications.stop()
        await self.push_notifications.close()

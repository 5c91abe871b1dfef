"""App: every domain service, composed over one AppCore."""

from __future__ import annotations

from collections.abc import Callable

from chinwag.app.audit import AuditService
from chinwag.app.auth_migrate import AuthMigration
from chinwag.app.bot import BotService
from chinwag.app.bot_convert import BotConvertService
from chinwag.app.channel import ChannelService
from chinwag.app.channel_move import ChannelMoveService
from chinwag.app.command import CommandService
from chinwag.app.config import ConfigService
from chinwag.app.core import AppCore
from chinwag.app.email_notification import EmailNotificationService
from chinwag.app.emoji import EmojiService
from chinwag.app.file import BackendFactory, FileService
from chinwag.app.integration import IntegrationCore
from chinwag.app.jobs import JobService
from chinwag.app.ldap import LdapService
from chinwag.app.logs import LogService
from chinwag.app.mfa import MfaService
from chinwag.app.notification import NotificationService
from chinwag.app.oauth import OAuthService
from chinwag.app.permissions import PermissionService
from chinwag.app.post import PostService
from chinwag.app.post_list import PostListService
from chinwag.app.preference import PreferenceService
from chinwag.app.purge import PurgeService
from chinwag.app.push_notification import PushNotificationService
from chinwag.app.reaction import ReactionService
from chinwag.app.read_receipt import ReadReceiptService
from chinwag.app.realtime import RealtimeService
from chinwag.app.saml import SamlService
from chinwag.app.search import SearchService
from chinwag.app.session import SessionService
from chinwag.app.status import StatusService
from chinwag.app.system import SystemService
from chinwag.app.team import TeamService
from chinwag.app.thread import ThreadService
from chinwag.app.token import UserAccessTokenService
from chinwag.app.unread import UnreadService
from chinwag.app.uploads import UploadService
from chinwag.app.user import UserService
from chinwag.app.webhook import IncomingWebhookService
from chinwag.app.webhook_outgoing import OutgoingWebhookService
from chinwag.config import ConfigStore
from chinwag.model.ids import now_ms
from chinwag.platform.events import Publisher
from chinwag.search.base import SearchEngine
from chinwag.search.sql import SqlSearchEngine
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
    ) -> None:
        self.core = AppCore(store, config, publisher, clock)
        self.core.app = self
        self.store = store
        self.config = config
        self.perms = PermissionService(self.core)
        self.audits = AuditService(self.core, self.perms)
        self.users = UserService(self.core, self.perms)
        self.mfa = MfaService(self.core, self.perms)
        self.ldap = LdapService(self.core, self.users)
        self.sessions = SessionService(self.core, self.mfa, self.ldap)
        self.auth_migration = AuthMigration(self.core, self.users, self.ldap)
        self.oauth = OAuthService(self.core, self.users, self.sessions)
        self.saml = SamlService(self.core, self.users, self.sessions)
        self.teams = TeamService(self.core, self.perms)
        self.channels = ChannelService(self.core, self.perms)
        self.notifications = NotificationService(self.core)
        self.email_notifications = EmailNotificationService(self.core)
        self.push_notifications = PushNotificationService(self.core)
        self.receipts = ReadReceiptService(self.core)
        self.posts = PostService(self.core, self.perms)
        self.post_lists = PostListService(self.core, self.perms)
        self.reactions = ReactionService(self.core, self.perms)
        self.preferences = PreferenceService(self.core, self.perms)
        self.statuses = StatusService(self.core, self.perms)
        self.threads = ThreadService(self.core, self.perms)
        self.unreads = UnreadService(self.core, self.perms)
        self.system = SystemService(self.core)
        self.realtime = RealtimeService(self.core, self.perms)
        self.files = FileService(self.core, self.perms, files)
        self.integrations = IntegrationCore(self.core)
        self.incoming = IncomingWebhookService(self.core, self.perms, self.integrations)
        self.outgoing = OutgoingWebhookService(self.core, self.perms, self.integrations)
        self.commands = CommandService(self.core, self.perms, self.integrations)
        self.bots = BotService(self.core, self.perms)
        self.tokens = UserAccessTokenService(self.core, self.perms)
        self.search = SearchService(self.core, self.perms, search or SqlSearchEngine(store.db))
        self.config_api = ConfigService(self.core, self.perms)
        self.logs = LogService(self.core, self.perms)
        self.jobs = JobService(self.core, self.perms, self.files.backend)
        self.uploads = UploadService(self.core, self.perms, self.files, self.jobs)
        self.channel_moves = ChannelMoveService(self.core, self.perms)
        self.purge = PurgeService(self.core, self.perms)
        self.bot_convert = BotConvertService(self.core, self.perms)
        self.emoji = EmojiService(self.core, self.perms)

    async def close(self) -> None:
        """Stop background work (integration callbacks) before the database goes away."""
        await self.integrations.close()
        await self.config_api.close()
        await self.jobs.stop()
        await self.ldap.close()
        await self.notifications.close()
        await self.email_notifications.stop()
        await self.push_notifications.close()

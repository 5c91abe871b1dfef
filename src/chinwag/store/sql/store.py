"""SqlStore: one object holding every SQL sub-store over one Database."""

from __future__ import annotations

from chinwag.store.sql.audit_store import SqlAuditStore
from chinwag.store.sql.bot_store import SqlBotStore
from chinwag.store.sql.category_store import SqlCategoryStore
from chinwag.store.sql.channel_store import SqlChannelStore
from chinwag.store.sql.command_store import SqlCommandStore
from chinwag.store.sql.draft_store import SqlDraftStore
from chinwag.store.sql.email_notification_store import SqlEmailNotificationStore
from chinwag.store.sql.emoji_store import SqlEmojiStore
from chinwag.store.sql.engine import Database
from chinwag.store.sql.event_store import SqlEventStore
from chinwag.store.sql.file_info_store import SqlFileInfoStore
from chinwag.store.sql.import_store import SqlImportStore
from chinwag.store.sql.job_lease_store import SqlJobLeaseStore
from chinwag.store.sql.job_store import SqlJobStore
from chinwag.store.sql.link_metadata_store import SqlLinkMetadataStore
from chinwag.store.sql.lookup_store import SqlLookupStore
from chinwag.store.sql.oauth_store import SqlOAuthStore
from chinwag.store.sql.one_time_token_store import SqlOneTimeTokenStore
from chinwag.store.sql.outbox_store import SqlOutboxStore
from chinwag.store.sql.plugin_store import SqlPluginStore
from chinwag.store.sql.post_reminder_store import SqlPostReminderStore
from chinwag.store.sql.post_store import SqlPostStore
from chinwag.store.sql.preference_store import SqlPreferenceStore
from chinwag.store.sql.purge_store import SqlPurgeStore
from chinwag.store.sql.push_notification_store import SqlPushNotificationStore
from chinwag.store.sql.reaction_store import SqlReactionStore
from chinwag.store.sql.role_store import SqlRoleStore
from chinwag.store.sql.session_store import SqlSessionStore
from chinwag.store.sql.stats_store import SqlStatsStore
from chinwag.store.sql.status_store import SqlStatusStore
from chinwag.store.sql.system_store import SqlSystemStore
from chinwag.store.sql.team_store import SqlTeamStore
from chinwag.store.sql.thread_store import SqlThreadStore
from chinwag.store.sql.token_store import SqlUserAccessTokenStore
from chinwag.store.sql.user_store import SqlUserStore
from chinwag.store.sql.webhook_store import SqlWebhookStore


class SqlStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.users = SqlUserStore(db)
        self.sessions = SqlSessionStore(db)
        self.teams = SqlTeamStore(db)
        self.channels = SqlChannelStore(db)
        self.posts = SqlPostStore(db)
        self.reactions = SqlReactionStore(db)
        self.preferences = SqlPreferenceStore(db)
        self.status = SqlStatusStore(db)
        self.threads = SqlThreadStore(db)
        self.system = SqlSystemStore(db)
        self.events = SqlEventStore(db)
        self.file_info = SqlFileInfoStore(db)
        self.webhooks = SqlWebhookStore(db)
        self.commands = SqlCommandStore(db)
        self.email_notifications = SqlEmailNotificationStore(db)
        self.push_notifications = SqlPushNotificationStore(db)
        self.bots = SqlBotStore(db)
        self.tokens = SqlUserAccessTokenStore(db)
        self.one_time_tokens = SqlOneTimeTokenStore(db)
        self.imports = SqlImportStore(db)
        self.purge = SqlPurgeStore(db)
        self.jobs = SqlJobStore(db)
        self.emoji = SqlEmojiStore(db)
        self.audits = SqlAuditStore(db)
        self.job_leases = SqlJobLeaseStore(db)
        self.roles = SqlRoleStore(db)
        self.stats = SqlStatsStore(db)
        self.lookup = SqlLookupStore(db)
        self.outbox = SqlOutboxStore()
        self.oauth = SqlOAuthStore(db)
        self.post_reminders = SqlPostReminderStore(db)
        self.link_metadata = SqlLinkMetadataStore(db)
        self.categories = SqlCategoryStore(db)
        self.plugins = SqlPluginStore(db)
        self.drafts = SqlDraftStore(db)

    async def close(self) -> None:
        await self.db.close()

"""SQLAlchemy Core metadata. Table and column names follow Mattermost's (lower-cased, as on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles

metadata = sa.MetaData()


@compiles(sa.Text, "mysql")
def _mysql_text(type_: sa.Text, compiler: Any, **kw: Any) -> str:
    """``sa.Text()`` is MEDIUMTEXT on MySQL/MariaDB (16 MiB): TEXT holds only 64 KiB, less than a
    16,383-character message in four-byte UTF-8 with its search text, or an event carrying it. Every
    migration's ``sa.Text()`` goes through here, so none has to spell the MySQL type."""
    if type(type_) is sa.Text and type_.length is None:
        return "MEDIUMTEXT" + ("" if not type_.collation else f" COLLATE {type_.collation}")
    return str(compiler.visit_text(type_, **kw))

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def _id(name: str = "id", **kw: object) -> sa.Column[str]:
    return sa.Column(name, sa.String(26), **kw)  # type: ignore[arg-type]


def _ms(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=False, server_default="0")


def _text(name: str, length: int | None = None) -> sa.Column[str]:
    t: sa.types.TypeEngine[str] = sa.String(length) if length else sa.Text()
    return sa.Column(name, t, nullable=False, server_default="")


def _bool(name: str, default: bool = False) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean, nullable=False, server_default=sa.true() if default else sa.false())


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=False, server_default="0")


users = sa.Table(
    "users",
    metadata,
    _id(primary_key=True),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    _text("password", 128),
    sa.Column("authdata", sa.String(128), nullable=True),
    _text("authservice", 32),
    sa.Column("email", sa.String(128), nullable=False, unique=True),
    _bool("emailverified"),
    _text("nickname", 64),
    _text("firstname", 64),
    _text("lastname", 64),
    _text("position", 128),
    _text("roles", 256),
    _bool("allowmarketing"),
    sa.Column("props", JSONType, nullable=True),
    sa.Column("notifyprops", JSONType, nullable=True),
    _ms("lastpasswordupdate"),
    _ms("lastpictureupdate"),
    _int("failedattempts"),
    _text("locale", 5),
    sa.Column("timezone", JSONType, nullable=True),
    _bool("mfaactive"),
    _text("mfasecret", 128),
    _ms("mfalaststep"),
    sa.Column("remoteid", sa.String(26), nullable=True),
    _bool("isbot"),
    _text("botdescription", 1024),
    _ms("lastlogin"),
    _bool("disablewelcomeemail"),
    sa.Index("idx_users_authdata", "authservice", "authdata"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    _id(primary_key=True),
    sa.Column("token", sa.String(26), nullable=False, unique=True),
    _ms("createat"),
    _ms("expiresat"),
    _ms("lastactivityat"),
    sa.Column("userid", sa.String(26), nullable=False, index=True),
    _text("deviceid", 512),
    _text("roles", 256),
    _bool("isoauth"),
    _bool("expirednotify"),
    sa.Column("props", JSONType, nullable=True),
    _text("csrftoken", 26),
)

teams = sa.Table(
    "teams",
    metadata,
    _id(primary_key=True),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    _text("displayname", 64),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    _text("description", 255),
    _text("email", 128),
    sa.Column("type", sa.String(1), nullable=False, server_default="O"),
    _text("companyname", 64),
    _text("alloweddomains", 1000),
    _text("inviteid", 32),
    _bool("allowopeninvite"),
    _ms("lastteamiconupdate"),
    sa.Column("schemeid", sa.String(26), nullable=True),
    sa.Column("groupconstrained", sa.Boolean, nullable=True),
    sa.Index("idx_teams_invite_id", "inviteid"),
)

teammembers = sa.Table(
    "teammembers",
    metadata,
    sa.Column("teamid", sa.String(26), primary_key=True),
    sa.Column("userid", sa.String(26), primary_key=True),
    _text("roles", 256),
    _ms("deleteat"),
    _bool("schemeuser", True),
    _bool("schemeadmin"),
    _bool("schemeguest"),
    _ms("createat"),
    sa.Index("idx_teammembers_userid", "userid"),
)

channels = sa.Table(
    "channels",
    metadata,
    _id(primary_key=True),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Column("teamid", sa.String(26), nullable=False, server_default=""),
    sa.Column("type", sa.String(1), nullable=False),
    _text("displayname", 64),
    sa.Column("name", sa.String(64), nullable=False),
    _text("header", 1024),
    _text("purpose", 250),
    _ms("lastpostat"),
    _ms("totalmsgcount"),
    _ms("extraupdateat"),
    sa.Column("creatorid", sa.String(26), nullable=False, server_default=""),
    sa.Column("schemeid", sa.String(26), nullable=True),
    sa.Column("groupconstrained", sa.Boolean, nullable=True),
    sa.Column("shared", sa.Boolean, nullable=True),
    _ms("totalmsgcountroot"),
    _ms("lastrootpostat"),
    sa.UniqueConstraint("name", "teamid", name="uq_channels_name_teamid"),
    sa.Index("idx_channels_teamid", "teamid"),
)

channelmembers = sa.Table(
    "channelmembers",
    metadata,
    sa.Column("channelid", sa.String(26), primary_key=True),
    sa.Column("userid", sa.String(26), primary_key=True),
    _text("roles", 256),
    _ms("lastviewedat"),
    _ms("msgcount"),
    _ms("mentioncount"),
    _ms("mentioncountroot"),
    _ms("urgentmentioncount"),
    _ms("msgcountroot"),
    sa.Column("notifyprops", JSONType, nullable=True),
    _ms("lastupdateat"),
    _bool("schemeuser", True),
    _bool("schemeadmin"),
    _bool("schemeguest"),
    sa.Index("idx_channelmembers_userid", "userid"),
)

posts = sa.Table(
    "posts",
    metadata,
    _id(primary_key=True),
    _ms("createat"),
    _ms("updateat"),
    _ms("editat"),
    _ms("deleteat"),
    _bool("ispinned"),
    sa.Column("userid", sa.String(26), nullable=False),
    sa.Column("channelid", sa.String(26), nullable=False),
    sa.Column("rootid", sa.String(26), nullable=False, server_default=""),
    sa.Column("originalid", sa.String(26), nullable=False, server_default=""),
    _text("message"),
    _text("type", 26),
    sa.Column("props", JSONType, nullable=True),
    _text("hashtags", 1000),
    sa.Column("fileids", JSONType, nullable=True),
    _bool("hasreactions"),
    sa.Column("remoteid", sa.String(26), nullable=True),
    # the folded, tokenised message that search matches (chinwag.model.search_text.index_text);
    # PostgreSQL indexes it with pg_trgm, SQLite with the posts_fts FTS5 trigram table
    # (migration 0005_search: the virtual table and its triggers are not part of this metadata)
    _text("searchtext"),
    sa.Index("idx_posts_channel_id_create_at", "channelid", "createat", "id"),
    sa.Index("idx_posts_channel_id_update_at", "channelid", "updateat"),
    sa.Index("idx_posts_root_id_create_at", "rootid", "createat"),
    sa.Index("idx_posts_user_id", "userid"),
    sa.Index("idx_posts_original_id", "originalid"),
    sa.Index("idx_posts_create_at_id", "createat", "id"),
    # the channel stats' pinned count (migration 0018): partial where the database has them
    sa.Index("idx_posts_pinned", "channelid", "ispinned", "deleteat",
             postgresql_where=sa.text("ispinned AND deleteat = 0"),
             sqlite_where=sa.text("ispinned = 1 AND deleteat = 0")),
    sa.Index(
        "idx_posts_searchtext_trgm", "searchtext",
        postgresql_using="gin", postgresql_ops={"searchtext": "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql"),
)

reactions = sa.Table(
    "reactions",
    metadata,
    sa.Column("userid", sa.String(26), primary_key=True),
    sa.Column("postid", sa.String(26), primary_key=True),
    sa.Column("emojiname", sa.String(64), primary_key=True),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Column("channelid", sa.String(26), nullable=False, server_default=""),
    sa.Column("remoteid", sa.String(26), nullable=True),
    sa.Index("idx_reactions_postid", "postid"),
)

preferences = sa.Table(
    "preferences",
    metadata,
    sa.Column("userid", sa.String(26), primary_key=True),
    sa.Column("category", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(32), primary_key=True),
    _text("value", 2000),
    sa.Index("idx_preferences_category_name", "category", "name"),
)

status = sa.Table(
    "status",
    metadata,
    sa.Column("userid", sa.String(26), primary_key=True),
    sa.Column("status", sa.String(32), nullable=False, server_default="offline"),
    _bool("manual"),
    _ms("lastactivityat"),
    _ms("dndendtime"),
    _text("prevstatus", 32),
)

threads = sa.Table(
    "threads",
    metadata,
    sa.Column("postid", sa.String(26), primary_key=True),
    sa.Column("channelid", sa.String(26), nullable=False),
    _ms("replycount"),
    _ms("lastreplyat"),
    sa.Column("participants", JSONType, nullable=True),
    _ms("threaddeleteat"),
    sa.Column("threadteamid", sa.String(26), nullable=False, server_default=""),
    sa.Index("idx_threads_channel_id_last_reply_at", "channelid", "lastreplyat"),
)

threadmemberships = sa.Table(
    "threadmemberships",
    metadata,
    sa.Column("postid", sa.String(26), primary_key=True),
    sa.Column("userid", sa.String(26), primary_key=True),
    _bool("following", True),
    _ms("lastviewed"),
    _ms("lastupdated"),
    _ms("unreadmentions"),
    sa.Index("idx_threadmemberships_userid", "userid"),
)

systems = sa.Table(
    "systems",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False, server_default=""),
)

# WebSocket event history (for lossless resume) and connection checkpoints --------------------
wsevents = sa.Table(
    "wsevents",
    metadata,
    sa.Column("pos", sa.BigInteger, primary_key=True, autoincrement=False),
    _ms("createat"),
    sa.Column("data", sa.Text, nullable=False),
    sa.Index("idx_wsevents_createat", "createat"),
)

wsconnections = sa.Table(
    "wsconnections",
    metadata,
    sa.Column("connectionid", sa.String(26), primary_key=True),
    sa.Column("userid", sa.String(26), nullable=False),
    _ms("updateat"),
    sa.Column("data", sa.Text, nullable=False),
    sa.Index("idx_wsconnections_updateat", "updateat"),
)

fileinfo = sa.Table(
    "fileinfo",
    metadata,
    _id(primary_key=True),
    sa.Column("creatorid", sa.String(26), nullable=False),
    sa.Column("postid", sa.String(26), nullable=False, server_default=""),
    sa.Column("channelid", sa.String(26), nullable=False, server_default=""),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    _text("path", 512),
    _text("thumbnailpath", 512),
    _text("previewpath", 512),
    _text("name", 256),
    _text("extension", 64),
    sa.Column("size", sa.BigInteger, nullable=False, server_default="0"),
    _text("mimetype", 256),
    _int("width"),
    _int("height"),
    _bool("haspreviewimage"),
    sa.Column("minipreview", sa.LargeBinary, nullable=True),
    _text("content"),
    sa.Column("remoteid", sa.String(26), nullable=True),
    _bool("archived"),
    sa.Index("idx_fileinfo_postid_at", "postid"),
    sa.Index("idx_fileinfo_channel_id_create_at", "channelid", "createat"),
    sa.Index("idx_fileinfo_creatorid", "creatorid"),
    sa.Index("idx_fileinfo_update_at", "updateat"),
    sa.Index("idx_fileinfo_create_at", "createat"),
)

# Integrations: webhooks, slash commands, bots, personal access tokens -----------------------
incominghooks = sa.Table(
    "incominghooks",
    metadata,
    _id(primary_key=True),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Column("userid", sa.String(26), nullable=False),
    sa.Column("channelid", sa.String(26), nullable=False),
    sa.Column("teamid", sa.String(26), nullable=False),
    _text("displayname", 64),
    _text("description", 500),
    _text("username", 255),
    _text("iconurl", 1024),
    _bool("channellocked"),
    sa.Index("idx_incoming_webhook_team_id", "teamid"),
    sa.Index("idx_incoming_webhook_user_id", "userid"),
)

outgoinghooks = sa.Table(
    "outgoinghooks",
    metadata,
    _id(primary_key=True),
    sa.Column("token", sa.String(26), nullable=False),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Column("creatorid", sa.String(26), nullable=False),
    sa.Column("channelid", sa.String(26), nullable=False, server_default=""),
    sa.Column("teamid", sa.String(26), nullable=False),
    sa.Column("triggerwords", JSONType, nullable=True),
    _int("triggerwhen"),
    sa.Column("callbackurls", JSONType, nullable=True),
    _text("displayname", 64),
    _text("description", 500),
    _text("contenttype", 128),
    _text("username", 64),
    _text("iconurl", 1024),
    sa.Index("idx_outgoing_webhook_team_id", "teamid"),
)

commands = sa.Table(
    "commands",
    metadata,
    _id(primary_key=True),
    sa.Column("token", sa.String(26), nullable=False),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Column("creatorid", sa.String(26), nullable=False, server_default=""),
    sa.Column("teamid", sa.String(26), nullable=False),
    _text("trigger", 128),
    sa.Column("method", sa.String(1), nullable=False, server_default="P"),
    _text("username", 64),
    _text("iconurl", 1024),
    _bool("autocomplete"),
    _text("autocompletedesc", 1024),
    _text("autocompletehint", 1024),
    _text("displayname", 64),
    _text("description", 128),
    _text("url", 1024),
    _text("pluginid", 190),
    sa.Index("idx_command_team_id", "teamid"),
)

commandwebhooks = sa.Table(
    "commandwebhooks",
    metadata,
    _id(primary_key=True),
    _ms("createat"),
    sa.Column("commandid", sa.String(26), nullable=False),
    sa.Column("userid", sa.String(26), nullable=False),
    sa.Column("channelid", sa.String(26), nullable=False),
    sa.Column("rootid", sa.String(26), nullable=False, server_default=""),
    _int("usecount"),
    sa.Index("idx_command_webhook_create_at", "createat"),
)

bots = sa.Table(
    "bots",
    metadata,
    sa.Column("userid", sa.String(26), primary_key=True),
    _text("description", 1024),
    _text("ownerid", 190),
    _ms("lasticonupdate"),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Index("idx_bots_ownerid", "ownerid"),
)

useraccesstokens = sa.Table(
    "useraccesstokens",
    metadata,
    _id(primary_key=True),
    sa.Column("token", sa.String(26), nullable=False, unique=True),
    sa.Column("userid", sa.String(26), nullable=False),
    _text("description", 512),
    _bool("isactive", True),
    sa.Index("idx_user_access_tokens_user_id", "userid"),
)

#: one-time tokens (Mattermost's Tokens): OAuth ``state`` between the redirect and the callback
tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("token", sa.String(64), primary_key=True),
    _ms("createat"),
    _text("type", 64),
    _text("extra", 2048),
    sa.Index("idx_tokens_type", "type"),
)

#: audit records (Mattermost's Audits): sign-ins, failures, lockouts and security changes per user
audits = sa.Table(
    "audits",
    metadata,
    _id(primary_key=True),
    _ms("createat"),
    sa.Column("userid", sa.String(26), nullable=False, server_default=""),
    _text("action", 512),
    _text("extrainfo", 1024),
    _text("ipaddress", 64),
    sa.Column("sessionid", sa.String(26), nullable=False, server_default=""),
    sa.Index("idx_audits_user_id", "userid", "createat"),
)

#: cluster-wide jobs (the LDAP sync): one row per job. A node claims the row to run the job
#: (claimedby/claimedat; a claim not renewed goes stale, as the email queue's do), and lastrunat spaces
#: the periodic runs across every node
jobleases = sa.Table(
    "jobleases",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    _text("claimedby", 64),
    _ms("claimedat"),
    _ms("lastrunat"),
)

# Imports (Slack export, bulk JSONL): which source object became which row, for idempotent re-runs --
importmappings = sa.Table(
    "importmappings",
    metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("sourceid", sa.String(190), primary_key=True),
    sa.Column("targetid", sa.String(26), nullable=False),
    _ms("createat"),
    sa.Index("idx_importmappings_targetid", "targetid"),
)

#: email notifications waiting to be sent (one row per post and recipient): the durable queue every
#: node's job loop claims rows from (claimedby/claimedat, a claim expires) and deletes once sent
emailnotifications = sa.Table(
    "emailnotifications",
    metadata,
    _id(primary_key=True),
    sa.Column("userid", sa.String(26), nullable=False),
    sa.Column("postid", sa.String(26), nullable=False),
    sa.Column("channelid", sa.String(26), nullable=False),
    _ms("createat"),
    _ms("sendat"),
    _bool("digest"),
    _text("claimedby", 64),
    _ms("claimedat"),
    _int("attempts"),
    _text("lasterror", 1024),
    #: account mail (password reset, verification, invitations): the rendered message as JSON, no post
    _text("mail"),
    sa.Index("idx_emailnotifications_sendat", "sendat"),
    sa.Index("idx_emailnotifications_userid", "userid"),
)

# Jobs (import_process, export_process) and resumable upload sessions (migration 0006_jobs) -----

jobs = sa.Table(
    "jobs",
    metadata,
    _id(primary_key=True),
    _text("type", 32),
    _int("priority"),
    _ms("createat"),
    _ms("startat"),
    _ms("lastactivityat"),
    _text("status", 32),
    _int("progress"),
    sa.Column("data", JSONType, nullable=True),
    _text("claimedby", 64),
    sa.Index("idx_jobs_type", "type"),
    sa.Index("idx_jobs_status", "status"),
)

uploadsessions = sa.Table(
    "uploadsessions",
    metadata,
    _id(primary_key=True),
    _text("type", 32),
    _ms("createat"),
    sa.Column("userid", sa.String(26), nullable=False),
    sa.Column("channelid", sa.String(26), nullable=False, server_default=""),
    _text("filename", 256),
    _text("path", 512),
    sa.Column("filesize", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("fileoffset", sa.BigInteger, nullable=False, server_default="0"),
    sa.Index("idx_uploadsessions_userid", "userid"),
)

#: the push notification queue: one row per device and push, sent by the job loop (app/push_notification.py)
pushnotifications = sa.Table(
    "pushnotifications",
    metadata,
    _id(primary_key=True),
    sa.Column("userid", sa.String(26), nullable=False),
    _text("deviceid", 512),
    _text("payload"),
    _ms("createat"),
    _ms("sendat"),
    _text("claimedby", 64),
    _ms("claimedat"),
    _int("attempts"),
    _text("lasterror", 1024),
    sa.Index("idx_pushnotifications_sendat", "sendat"),
)

#: custom emoji (the image is in the file store at emoji/<id>/image); a name is unique among live ones
emoji = sa.Table(
    "emoji",
    metadata,
    _id(primary_key=True),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Column("creatorid", sa.String(26), nullable=False, server_default=""),
    sa.Column("name", sa.String(64), nullable=False),
    sa.UniqueConstraint("name", "deleteat", name="uq_emoji_name_deleteat"),
)

#: mention counts not yet applied: a post mentioning many people (@channel in a big channel) commits
#: one row here and its members' counts are raised right after (post_store.apply_pending_mentions)
pendingmentions = sa.Table(
    "pendingmentions",
    metadata,
    _id("postid", primary_key=True),
    sa.Column("channelid", sa.String(26), nullable=False),
    _ms("createat"),
    _text("userids"),
    _int("isroot"),
    _int("urgent"),
    sa.Index("idx_pendingmentions_createat", "createat"),
)

#: Mattermost's Roles: the built-in roles (seeded by migration 0008_roles) with their permissions,
#: space-separated as Mattermost stores them; PATCH /roles/{id}/patch changes them
roles = sa.Table(
    "roles",
    metadata,
    _id(primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    _text("displayname", 128),
    _text("description", 1024),
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    _text("permissions"),
    _bool("schememanaged"),
    _bool("builtin"),
    sa.UniqueConstraint("name", name="uq_roles_name"),
)

#: the outbox: what a committed change must still cause — its WebSocket events (``kind`` "events",
#: ``payload`` a JSON list published in order) and its notifications (``kind`` "notify") — written in
#: the change's own transaction and relayed after the commit by the node that made it (claimed by it
#: from the start) or, when that node dies first, by any node once the claim is stale
outbox = sa.Table(
    "outbox",
    metadata,
    _id(primary_key=True),
    _text("kind", 16),
    _ms("createat"),
    _text("payload"),
    _text("claimedby", 64),
    _ms("claimedat"),
    sa.Index("idx_outbox_createat", "createat"),
)

#: OAuth 2.0 apps registered with this server as the provider (Mattermost's OAuthApps)
oauthapps = sa.Table(
    "oauthapps",
    metadata,
    _id(primary_key=True),
    _id("creatorid", nullable=False, server_default=""),
    _ms("createat"),
    _ms("updateat"),
    _text("clientsecret", 128),
    _text("name", 64),
    _text("description", 512),
    _text("iconurl", 512),
    _text("callbackurls", 1024),
    _text("homepage", 256),
    _bool("istrusted"),
    _text("mattermostappid", 32),
    _bool("isdynamicallyregistered"),
    sa.Index("idx_oauthapps_creator_id", "creatorid"),
)

#: authorization codes between the consent and the token exchange (Mattermost's OAuthAuthData)
oauthauthdata = sa.Table(
    "oauthauthdata",
    metadata,
    sa.Column("code", sa.String(128), primary_key=True),
    _id("clientid", nullable=False, server_default=""),
    _id("userid", nullable=False, server_default=""),
    _int("expiresin"),
    _ms("createat"),
    _text("redirecturi", 256),
    _text("state", 1024),
    _text("scope", 128),
    _text("codechallenge", 128),
    _text("codechallengemethod", 10),
)

#: access grants: the session token an app holds for a user, and its refresh token (Mattermost's
#: OAuthAccessData)
oauthaccessdata = sa.Table(
    "oauthaccessdata",
    metadata,
    sa.Column("token", sa.String(26), primary_key=True),
    _id("clientid", nullable=False, server_default=""),
    _id("userid", nullable=False, server_default=""),
    _text("refreshtoken", 26),
    _text("redirecturi", 256),
    _ms("expiresat"),
    _text("scope", 128),
    sa.Index("idx_oauthaccessdata_user_id", "userid"),
    sa.Index("idx_oauthaccessdata_client_id", "clientid"),
    sa.Index("idx_oauthaccessdata_refresh_token", "refreshtoken"),
)

#: "Remind me" on a post (Mattermost's PostReminders): the system bot DMs the user at targettime (seconds)
postreminders = sa.Table(
    "postreminders",
    metadata,
    sa.Column("postid", sa.String(26), primary_key=True),
    sa.Column("userid", sa.String(26), primary_key=True),
    sa.Column("targettime", sa.BigInteger, nullable=False, server_default="0"),
    sa.Index("idx_postreminders_targettime", "targettime"),
)

#: server-side drafts (Mattermost's Drafts): one per user, channel and thread ("" for the channel itself)
drafts = sa.Table(
    "drafts",
    metadata,
    _ms("createat"),
    _ms("updateat"),
    _ms("deleteat"),
    sa.Column("userid", sa.String(26), primary_key=True),
    sa.Column("channelid", sa.String(26), primary_key=True),
    sa.Column("rootid", sa.String(26), primary_key=True, server_default=""),
    _text("message"),
    sa.Column("props", JSONType, nullable=True),
    sa.Column("fileids", JSONType, nullable=True),
    sa.Column("priority", JSONType, nullable=True),
    _text("type", 64),
    # a deleted post takes every user's drafts of its thread with it
    sa.Index("idx_drafts_channelid_rootid", "channelid", "rootid"),
)

#: link previews fetched for posts (Mattermost's LinkMetadata): one row per URL and hour
linkmetadata = sa.Table(
    "linkmetadata",
    metadata,
    sa.Column("hash", sa.BigInteger, primary_key=True, autoincrement=False),
    _text("url", 2048),
    _ms("timestamp"),
    _text("type", 16),
    sa.Column("data", sa.Text, nullable=False, server_default=""),
)

#: Mattermost's SidebarCategories: a user's sidebar categories per team. The default ones have the
#: deterministic ids ``{type}_{userid}_{teamid}`` (hence 128 characters), custom ones a new id.
sidebarcategories = sa.Table(
    "sidebarcategories",
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("userid", sa.String(26), nullable=False),
    sa.Column("teamid", sa.String(26), nullable=False),
    _ms("sortorder"),
    _text("sorting", 64),
    _text("type", 64),
    _text("displayname", 64),
    _bool("muted"),
    _bool("collapsed"),
    sa.Index("idx_sidebarcategories_userid_teamid", "userid", "teamid"),
)

#: Mattermost's SidebarChannels: a channel placed in a category by hand (or a favorite). Channels of
#: the Channels and Direct Messages categories that have no row here are added when read.
sidebarchannels = sa.Table(
    "sidebarchannels",
    metadata,
    sa.Column("channelid", sa.String(26), primary_key=True),
    sa.Column("userid", sa.String(26), primary_key=True),
    sa.Column("categoryid", sa.String(128), primary_key=True),
    _ms("sortorder"),
    sa.Index("idx_sidebarchannels_categoryid", "categoryid"),
)

#: Mattermost's PluginKeyValueStore: each plugin's own keys (``api.kv_*``); ``expireat`` 0 never expires
pluginkeyvaluestore = sa.Table(
    "pluginkeyvaluestore",
    metadata,
    sa.Column("pluginid", sa.String(190), primary_key=True),
    sa.Column("pkey", sa.String(150), primary_key=True),
    sa.Column("pvalue", sa.LargeBinary, nullable=True),
    _ms("expireat"),
)

"""initial schema

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channelmembers",
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("roles", sa.String(length=256), server_default="", nullable=False),
        sa.Column("lastviewedat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("msgcount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("mentioncount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("mentioncountroot", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("urgentmentioncount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("msgcountroot", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "notifyprops",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("lastupdateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("schemeuser", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("schemeadmin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("schemeguest", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("channelid", "userid"),
    )
    with op.batch_alter_table("channelmembers", schema=None) as batch_op:
        batch_op.create_index("idx_channelmembers_userid", ["userid"], unique=False)

    op.create_table(
        "channels",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("teamid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("type", sa.String(length=1), nullable=False),
        sa.Column("displayname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("header", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("purpose", sa.String(length=250), server_default="", nullable=False),
        sa.Column("lastpostat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("totalmsgcount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("extraupdateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("creatorid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("schemeid", sa.String(length=26), nullable=True),
        sa.Column("groupconstrained", sa.Boolean(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=True),
        sa.Column("totalmsgcountroot", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lastrootpostat", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "teamid", name="uq_channels_name_teamid"),
    )
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.create_index("idx_channels_teamid", ["teamid"], unique=False)

    op.create_table(
        "posts",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("editat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("ispinned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("rootid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("originalid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("type", sa.String(length=26), server_default="", nullable=False),
        sa.Column(
            "props",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("hashtags", sa.String(length=1000), server_default="", nullable=False),
        sa.Column(
            "fileids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("hasreactions", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("remoteid", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("idx_posts_channel_id_create_at", ["channelid", "createat", "id"], unique=False)
        batch_op.create_index("idx_posts_channel_id_update_at", ["channelid", "updateat"], unique=False)
        batch_op.create_index("idx_posts_create_at_id", ["createat", "id"], unique=False)
        batch_op.create_index("idx_posts_root_id_create_at", ["rootid", "createat"], unique=False)
        batch_op.create_index("idx_posts_user_id", ["userid"], unique=False)

    op.create_table(
        "preferences",
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=2000), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("userid", "category", "name"),
    )
    with op.batch_alter_table("preferences", schema=None) as batch_op:
        batch_op.create_index("idx_preferences_category_name", ["category", "name"], unique=False)

    op.create_table(
        "reactions",
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("postid", sa.String(length=26), nullable=False),
        sa.Column("emojiname", sa.String(length=64), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("channelid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("remoteid", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("userid", "postid", "emojiname"),
    )
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.create_index("idx_reactions_postid", ["postid"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("token", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("expiresat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lastactivityat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("deviceid", sa.String(length=512), server_default="", nullable=False),
        sa.Column("roles", sa.String(length=256), server_default="", nullable=False),
        sa.Column("isoauth", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("expirednotify", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "props",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("csrftoken", sa.String(length=26), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_userid"), ["userid"], unique=False)

    op.create_table(
        "status",
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("status", sa.String(length=32), server_default="offline", nullable=False),
        sa.Column("manual", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("lastactivityat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("dndendtime", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("prevstatus", sa.String(length=32), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("userid"),
    )
    op.create_table(
        "systems",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "teammembers",
        sa.Column("teamid", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("roles", sa.String(length=256), server_default="", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("schemeuser", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("schemeadmin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("schemeguest", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("teamid", "userid"),
    )
    with op.batch_alter_table("teammembers", schema=None) as batch_op:
        batch_op.create_index("idx_teammembers_userid", ["userid"], unique=False)

    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("displayname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=255), server_default="", nullable=False),
        sa.Column("email", sa.String(length=128), server_default="", nullable=False),
        sa.Column("type", sa.String(length=1), server_default="O", nullable=False),
        sa.Column("companyname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("alloweddomains", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("inviteid", sa.String(length=32), server_default="", nullable=False),
        sa.Column("allowopeninvite", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("lastteamiconupdate", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("schemeid", sa.String(length=26), nullable=True),
        sa.Column("groupconstrained", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index("idx_teams_invite_id", ["inviteid"], unique=False)

    op.create_table(
        "threadmemberships",
        sa.Column("postid", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("following", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("lastviewed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lastupdated", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unreadmentions", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("postid", "userid"),
    )
    with op.batch_alter_table("threadmemberships", schema=None) as batch_op:
        batch_op.create_index("idx_threadmemberships_userid", ["userid"], unique=False)

    op.create_table(
        "threads",
        sa.Column("postid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("replycount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lastreplyat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "participants",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("threaddeleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("threadteamid", sa.String(length=26), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("postid"),
    )
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.create_index(
            "idx_threads_channel_id_last_reply_at", ["channelid", "lastreplyat"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password", sa.String(length=128), server_default="", nullable=False),
        sa.Column("authdata", sa.String(length=128), nullable=True),
        sa.Column("authservice", sa.String(length=32), server_default="", nullable=False),
        sa.Column("email", sa.String(length=128), nullable=False),
        sa.Column("emailverified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("nickname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("firstname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("lastname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("position", sa.String(length=128), server_default="", nullable=False),
        sa.Column("roles", sa.String(length=256), server_default="", nullable=False),
        sa.Column("allowmarketing", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "props",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "notifyprops",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("lastpasswordupdate", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lastpictureupdate", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("failedattempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locale", sa.String(length=5), server_default="", nullable=False),
        sa.Column(
            "timezone",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("mfaactive", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("mfasecret", sa.String(length=128), server_default="", nullable=False),
        sa.Column("remoteid", sa.String(length=26), nullable=True),
        sa.Column("isbot", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("botdescription", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("lastlogin", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("disablewelcomeemail", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("username"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("idx_users_authdata", ["authservice", "authdata"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("idx_users_authdata")

    op.drop_table("users")
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_index("idx_threads_channel_id_last_reply_at")

    op.drop_table("threads")
    with op.batch_alter_table("threadmemberships", schema=None) as batch_op:
        batch_op.drop_index("idx_threadmemberships_userid")

    op.drop_table("threadmemberships")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index("idx_teams_invite_id")

    op.drop_table("teams")
    with op.batch_alter_table("teammembers", schema=None) as batch_op:
        batch_op.drop_index("idx_teammembers_userid")

    op.drop_table("teammembers")
    op.drop_table("systems")
    op.drop_table("status")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_userid"))

    op.drop_table("sessions")
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.drop_index("idx_reactions_postid")

    op.drop_table("reactions")
    with op.batch_alter_table("preferences", schema=None) as batch_op:
        batch_op.drop_index("idx_preferences_category_name")

    op.drop_table("preferences")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("idx_posts_user_id")
        batch_op.drop_index("idx_posts_root_id_create_at")
        batch_op.drop_index("idx_posts_create_at_id")
        batch_op.drop_index("idx_posts_channel_id_update_at")
        batch_op.drop_index("idx_posts_channel_id_create_at")

    op.drop_table("posts")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_index("idx_channels_teamid")

    op.drop_table("channels")
    with op.batch_alter_table("channelmembers", schema=None) as batch_op:
        batch_op.drop_index("idx_channelmembers_userid")

    op.drop_table("channelmembers")

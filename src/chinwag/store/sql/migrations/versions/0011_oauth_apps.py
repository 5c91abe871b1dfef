"""Mattermost as an OAuth 2.0 provider (registered apps, authorization codes, access grants) , post reminders and link previews

Revision ID: 0011_oauth_apps
Revises: 0010_tokens
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_oauth_apps"
down_revision = "0010_tokens"
branch_labels = None
depends_on = None


def _text(name: str, length: int) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=length), server_default="", nullable=False)


def upgrade() -> None:
    op.create_table(
        "oauthapps",
        sa.Column("id", sa.String(length=26), nullable=False),
        _text("creatorid", 26),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        _text("clientsecret", 128),
        _text("name", 64),
        _text("description", 512),
        _text("iconurl", 512),
        _text("callbackurls", 1024),
        _text("homepage", 256),
        sa.Column("istrusted", sa.Boolean(), server_default=sa.false(), nullable=False),
        _text("mattermostappid", 32),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_oauthapps_creator_id", "oauthapps", ["creatorid"])
    op.create_table(
        "oauthauthdata",
        sa.Column("code", sa.String(length=128), nullable=False),
        _text("clientid", 26),
        _text("userid", 26),
        sa.Column("expiresin", sa.Integer(), server_default="0", nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        _text("redirecturi", 256),
        _text("state", 1024),
        _text("scope", 128),
        _text("codechallenge", 128),
        _text("codechallengemethod", 10),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "oauthaccessdata",
        sa.Column("token", sa.String(length=26), nullable=False),
        _text("clientid", 26),
        _text("userid", 26),
        _text("refreshtoken", 26),
        _text("redirecturi", 256),
        sa.Column("expiresat", sa.BigInteger(), server_default="0", nullable=False),
        _text("scope", 128),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index("idx_oauthaccessdata_user_id", "oauthaccessdata", ["userid"])
    op.create_index("idx_oauthaccessdata_client_id", "oauthaccessdata", ["clientid"])
    op.create_index("idx_oauthaccessdata_refresh_token", "oauthaccessdata", ["refreshtoken"])
    op.create_table(
        "postreminders",
        sa.Column("postid", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("targettime", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("postid", "userid"),
    )
    op.create_index("idx_postreminders_targettime", "postreminders", ["targettime"])
    op.create_table(
        "linkmetadata",
        sa.Column("hash", sa.BigInteger(), autoincrement=False, nullable=False),
        _text("url", 2048),
        sa.Column("timestamp", sa.BigInteger(), server_default="0", nullable=False),
        _text("type", 16),
        sa.Column("data", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("hash"),
    )


def downgrade() -> None:
    op.drop_table("linkmetadata")
    op.drop_index("idx_postreminders_targettime", table_name="postreminders")
    op.drop_table("postreminders")
    op.drop_table("oauthaccessdata")
    op.drop_table("oauthauthdata")
    op.drop_index("idx_oauthapps_creator_id", table_name="oauthapps")
    op.drop_table("oauthapps")

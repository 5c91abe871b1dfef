"""Integrations: incoming and outgoing webhooks, slash commands, bots, personal access tokens

Revision ID: 0004_integrations
Revises: 0003_files
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_integrations"
down_revision = "0003_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bots",
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("description", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("ownerid", sa.String(length=190), server_default="", nullable=False),
        sa.Column("lasticonupdate", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("userid"),
    )
    op.create_index("idx_bots_ownerid", "bots", ["ownerid"], unique=False)
    op.create_table(
        "commands",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("token", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("creatorid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("teamid", sa.String(length=26), nullable=False),
        sa.Column("trigger", sa.String(length=128), server_default="", nullable=False),
        sa.Column("method", sa.String(length=1), server_default="P", nullable=False),
        sa.Column("username", sa.String(length=64), server_default="", nullable=False),
        sa.Column("iconurl", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("autocomplete", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("autocompletedesc", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("autocompletehint", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("displayname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("description", sa.String(length=128), server_default="", nullable=False),
        sa.Column("url", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("pluginid", sa.String(length=190), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_command_team_id", "commands", ["teamid"], unique=False)
    op.create_table(
        "commandwebhooks",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("commandid", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("rootid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("usecount", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_command_webhook_create_at", "commandwebhooks", ["createat"], unique=False)
    op.create_table(
        "incominghooks",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("teamid", sa.String(length=26), nullable=False),
        sa.Column("displayname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("description", sa.String(length=500), server_default="", nullable=False),
        sa.Column("username", sa.String(length=255), server_default="", nullable=False),
        sa.Column("iconurl", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("channellocked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_incoming_webhook_team_id", "incominghooks", ["teamid"], unique=False)
    op.create_index("idx_incoming_webhook_user_id", "incominghooks", ["userid"], unique=False)
    op.create_table(
        "outgoinghooks",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("token", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("creatorid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("teamid", sa.String(length=26), nullable=False),
        sa.Column(
            "triggerwords",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("triggerwhen", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "callbackurls",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("displayname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("description", sa.String(length=500), server_default="", nullable=False),
        sa.Column("contenttype", sa.String(length=128), server_default="", nullable=False),
        sa.Column("username", sa.String(length=64), server_default="", nullable=False),
        sa.Column("iconurl", sa.String(length=1024), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_outgoing_webhook_team_id", "outgoinghooks", ["teamid"], unique=False)
    op.create_table(
        "useraccesstokens",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("token", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("description", sa.String(length=512), server_default="", nullable=False),
        sa.Column("isactive", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("idx_user_access_tokens_user_id", "useraccesstokens", ["userid"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_user_access_tokens_user_id", table_name="useraccesstokens")
    op.drop_table("useraccesstokens")
    op.drop_index("idx_outgoing_webhook_team_id", table_name="outgoinghooks")
    op.drop_table("outgoinghooks")
    op.drop_index("idx_incoming_webhook_user_id", table_name="incominghooks")
    op.drop_index("idx_incoming_webhook_team_id", table_name="incominghooks")
    op.drop_table("incominghooks")
    op.drop_index("idx_command_webhook_create_at", table_name="commandwebhooks")
    op.drop_table("commandwebhooks")
    op.drop_index("idx_command_team_id", table_name="commands")
    op.drop_table("commands")
    op.drop_index("idx_bots_ownerid", table_name="bots")
    op.drop_table("bots")

"""Drafts: server-side drafts (Mattermost's Drafts table, ServiceSettings.AllowSyncedDrafts)

Revision ID: 0015_drafts
Revises: 0014_fileinfo_create_at
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015_drafts"
down_revision = "0014_fileinfo_create_at"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("rootid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("props", _json(), nullable=True),
        sa.Column("fileids", _json(), nullable=True),
        sa.Column("priority", _json(), nullable=True),
        sa.Column("type", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("userid", "channelid", "rootid"),
    )
    op.create_index("idx_drafts_channelid_rootid", "drafts", ["channelid", "rootid"])


def downgrade() -> None:
    op.drop_index("idx_drafts_channelid_rootid", table_name="drafts")
    op.drop_table("drafts")

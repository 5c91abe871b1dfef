"""Mention counts of posts that mention many people, applied just after the post's commit

Revision ID: 0007_pending_mentions
Revises: 0006_audits
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_pending_mentions"
down_revision = "0006_audits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pendingmentions",
        sa.Column("postid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("userids", sa.Text(), server_default="", nullable=False),
        sa.Column("isroot", sa.Integer(), server_default="0", nullable=False),
        sa.Column("urgent", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("postid"),
    )
    op.create_index("idx_pendingmentions_createat", "pendingmentions", ["createat"])


def downgrade() -> None:
    op.drop_index("idx_pendingmentions_createat", table_name="pendingmentions")
    op.drop_table("pendingmentions")

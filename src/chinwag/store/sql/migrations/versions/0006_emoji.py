"""Custom emoji

Revision ID: 0006_emoji
Revises: 0006_push_queue
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_emoji"
down_revision = "0006_push_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "emoji",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("creatorid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "deleteat", name="uq_emoji_name_deleteat"),
    )


def downgrade() -> None:
    op.drop_table("emoji")

"""The outbox: events and notifications of committed changes, relayed after the commit

Revision ID: 0012_outbox
Revises: 0011_oauth_apps
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_outbox"
down_revision = "0011_oauth_apps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="", nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("payload", sa.Text(), server_default="", nullable=False),
        sa.Column("claimedby", sa.String(length=64), server_default="", nullable=False),
        sa.Column("claimedat", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_outbox_createat", "outbox", ["createat"])


def downgrade() -> None:
    op.drop_index("idx_outbox_createat", table_name="outbox")
    op.drop_table("outbox")

"""Notifications: the push notification queue (durable pushes, retried with backoff)

Revision ID: 0006_push_queue
Revises: 0006_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_push_queue"
down_revision = "0006_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pushnotifications",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("deviceid", sa.String(length=512), server_default="", nullable=False),
        sa.Column("payload", sa.Text(), server_default="", nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("sendat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("claimedby", sa.String(length=64), server_default="", nullable=False),
        sa.Column("claimedat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lasterror", sa.String(length=1024), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_pushnotifications_sendat", "pushnotifications", ["sendat"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_pushnotifications_sendat", table_name="pushnotifications")
    op.drop_table("pushnotifications")

"""Notifications: the email notification queue

Revision ID: 0005_notifications
Revises: 0004_integrations
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_notifications"
down_revision = "0005_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "emailnotifications",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("postid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("sendat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("digest", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("claimedby", sa.String(length=64), server_default="", nullable=False),
        sa.Column("claimedat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lasterror", sa.String(length=1024), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_emailnotifications_sendat", "emailnotifications", ["sendat"], unique=False)
    op.create_index("idx_emailnotifications_userid", "emailnotifications", ["userid"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_emailnotifications_userid", table_name="emailnotifications")
    op.drop_index("idx_emailnotifications_sendat", table_name="emailnotifications")
    op.drop_table("emailnotifications")

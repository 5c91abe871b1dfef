"""Plugins: the plugins' key/value store (Mattermost's PluginKeyValueStore)

Revision ID: 0013_plugins
Revises: 0012_outbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_plugins"
down_revision = "0012_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pluginkeyvaluestore",
        sa.Column("pluginid", sa.String(length=190), nullable=False),
        sa.Column("pkey", sa.String(length=150), nullable=False),
        sa.Column("pvalue", sa.LargeBinary(), nullable=True),
        sa.Column("expireat", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("pluginid", "pkey"),
    )


def downgrade() -> None:
    op.drop_table("pluginkeyvaluestore")

"""Imports: source id → row id mappings (idempotent Slack and bulk imports)

Revision ID: 0005_import
Revises: 0004_integrations
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_import"
down_revision = "0005_sso"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "importmappings",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sourceid", sa.String(length=190), nullable=False),
        sa.Column("targetid", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("source", "kind", "sourceid"),
    )
    op.create_index("idx_importmappings_targetid", "importmappings", ["targetid"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_importmappings_targetid", table_name="importmappings")
    op.drop_table("importmappings")

"""WebSocket event history and connection checkpoints (lossless resume)

Revision ID: 0002_ws
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ws"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wsevents",
        sa.Column("pos", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pos"),
    )
    op.create_index("idx_wsevents_createat", "wsevents", ["createat"])
    op.create_table(
        "wsconnections",
        sa.Column("connectionid", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("connectionid"),
    )
    op.create_index("idx_wsconnections_updateat", "wsconnections", ["updateat"])


def downgrade() -> None:
    op.drop_index("idx_wsconnections_updateat", table_name="wsconnections")
    op.drop_table("wsconnections")
    op.drop_index("idx_wsevents_createat", table_name="wsevents")
    op.drop_table("wsevents")

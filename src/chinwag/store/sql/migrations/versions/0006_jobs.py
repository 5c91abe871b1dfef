"""Jobs (import_process, export_process) and resumable upload sessions

Revision ID: 0006_jobs
Revises: 0005_notifications
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006_jobs"
down_revision = "0005_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("type", sa.String(length=32), server_default="", nullable=False),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("startat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lastactivityat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=32), server_default="", nullable=False),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True),
        sa.Column("claimedby", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_jobs_type", "jobs", ["type"], unique=False)
    op.create_index("idx_jobs_status", "jobs", ["status"], unique=False)
    op.create_table(
        "uploadsessions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("type", sa.String(length=32), server_default="", nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("channelid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("filename", sa.String(length=256), server_default="", nullable=False),
        sa.Column("path", sa.String(length=512), server_default="", nullable=False),
        sa.Column("filesize", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fileoffset", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_uploadsessions_userid", "uploadsessions", ["userid"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_uploadsessions_userid", table_name="uploadsessions")
    op.drop_table("uploadsessions")
    op.drop_index("idx_jobs_status", table_name="jobs")
    op.drop_index("idx_jobs_type", table_name="jobs")
    op.drop_table("jobs")

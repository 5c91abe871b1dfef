"""fileinfo: uploaded files' metadata

Revision ID: 0003_files
Revises: 0002_ws
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_files"
down_revision = "0002_ws"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fileinfo",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("creatorid", sa.String(length=26), nullable=False),
        sa.Column("postid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("channelid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("path", sa.String(length=512), server_default="", nullable=False),
        sa.Column("thumbnailpath", sa.String(length=512), server_default="", nullable=False),
        sa.Column("previewpath", sa.String(length=512), server_default="", nullable=False),
        sa.Column("name", sa.String(length=256), server_default="", nullable=False),
        sa.Column("extension", sa.String(length=64), server_default="", nullable=False),
        sa.Column("size", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("mimetype", sa.String(length=256), server_default="", nullable=False),
        sa.Column("width", sa.Integer(), server_default="0", nullable=False),
        sa.Column("height", sa.Integer(), server_default="0", nullable=False),
        sa.Column("haspreviewimage", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("minipreview", sa.LargeBinary(), nullable=True),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("remoteid", sa.String(length=26), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fileinfo", schema=None) as batch_op:
        batch_op.create_index("idx_fileinfo_postid_at", ["postid"], unique=False)
        batch_op.create_index("idx_fileinfo_channel_id_create_at", ["channelid", "createat"], unique=False)
        batch_op.create_index("idx_fileinfo_creatorid", ["creatorid"], unique=False)
        batch_op.create_index("idx_fileinfo_update_at", ["updateat"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fileinfo", schema=None) as batch_op:
        batch_op.drop_index("idx_fileinfo_update_at")
        batch_op.drop_index("idx_fileinfo_creatorid")
        batch_op.drop_index("idx_fileinfo_channel_id_create_at")
        batch_op.drop_index("idx_fileinfo_postid_at")
    op.drop_table("fileinfo")

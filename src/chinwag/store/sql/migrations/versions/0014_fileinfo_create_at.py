"""FileInfo by creation time (Mattermost's idx_fileinfo_create_at): the extract_content job walks the
files in that order, a batch at a time

Revision ID: 0014_fileinfo_create_at
Revises: 0013_plugins
"""

from __future__ import annotations

from alembic import op

revision = "0014_fileinfo_create_at"
down_revision = "0013_plugins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("idx_fileinfo_create_at", "fileinfo", ["createat"])


def downgrade() -> None:
    op.drop_index("idx_fileinfo_create_at", table_name="fileinfo")

"""Posts by original id (Mattermost's idx_posts_original_id): an edit keeps the post's earlier version as
a row with ``originalid`` = the post's id, and ``GET /posts/{id}/edit_history`` reads them by it

Revision ID: 0016_posts_original_id
Revises: 0014_fileinfo_create_at
"""

from __future__ import annotations

from alembic import op

revision = "0016_posts_original_id"
down_revision = "0015_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("idx_posts_original_id", "posts", ["originalid"])


def downgrade() -> None:
    op.drop_index("idx_posts_original_id", table_name="posts")

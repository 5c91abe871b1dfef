"""A channel's pinned posts by index: ``GET /channels/{id}/stats`` (every channel switch) counts them, and
without an index of its own the count read every post of the channel. PostgreSQL and SQLite: a partial
index of the pinned, not deleted posts only (tiny, nothing to maintain for the others); MySQL/MariaDB
(no partial indexes): (channel, pinned, deleted)

Revision ID: 0018_posts_pinned
Revises: 0017_oauth_dcr
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_posts_pinned"
down_revision = "0017_oauth_dcr"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("idx_posts_pinned", "posts", ["channelid", "ispinned", "deleteat"],
                    postgresql_where=sa.text("ispinned AND deleteat = 0"),
                    sqlite_where=sa.text("ispinned = 1 AND deleteat = 0"))


def downgrade() -> None:
    op.drop_index("idx_posts_pinned", table_name="posts")

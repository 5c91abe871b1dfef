"""OAuth apps registered by OAuth 2.0 Dynamic Client Registration (``POST /oauth/apps/register``, RFC 7591;
Mattermost's IsDynamicallyRegistered, its migration 000144)

Revision ID: 0017_oauth_dcr
Revises: 0015_posts_original_id
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_oauth_dcr"
down_revision = "0016_posts_original_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("oauthapps", sa.Column("isdynamicallyregistered", sa.Boolean(), nullable=False,
                                         server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("oauthapps", "isdynamicallyregistered")

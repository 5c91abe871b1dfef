"""Account mail (password reset, email verification, team invitations) through the email queue: a queued row
may carry its whole rendered message instead of pointing at a post; tokens are found by type

Revision ID: 0010_tokens
Revises: 0009_categories
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_tokens"
down_revision = "0009_categories"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emailnotifications") as batch:
        batch.add_column(sa.Column("mail", sa.Text(), server_default="", nullable=False))
    op.create_index("idx_tokens_type", "tokens", ["type"])


def downgrade() -> None:
    op.drop_index("idx_tokens_type", table_name="tokens")
    with op.batch_alter_table("emailnotifications") as batch:
        batch.drop_column("mail")

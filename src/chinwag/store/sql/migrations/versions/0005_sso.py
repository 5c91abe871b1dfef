"""Single sign-on and MFA: one-time tokens (OAuth state) and the last TOTP time step used per user

Revision ID: 0005_sso
Revises: 0004_integrations
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sso"
down_revision = "0005_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("type", sa.String(length=64), server_default="", nullable=False),
        sa.Column("extra", sa.String(length=2048), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("mfalaststep", sa.BigInteger(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mfalaststep")
    op.drop_table("tokens")

"""Audit records (sign-ins, failures, lockouts and security changes, served by GET /users/{id}/audits),
and job leases (one node at a time runs a cluster-wide job such as the LDAP sync)

Revision ID: 0006_audits
Revises: 0006_emoji
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_audits"
down_revision = "0006_emoji"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audits",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("userid", sa.String(length=26), server_default="", nullable=False),
        sa.Column("action", sa.String(length=512), server_default="", nullable=False),
        sa.Column("extrainfo", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("ipaddress", sa.String(length=64), server_default="", nullable=False),
        sa.Column("sessionid", sa.String(length=26), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_audits_user_id", "audits", ["userid", "createat"])
    op.create_table(
        "jobleases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("claimedby", sa.String(length=64), server_default="", nullable=False),
        sa.Column("claimedat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("lastrunat", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("jobleases")
    op.drop_index("idx_audits_user_id", table_name="audits")
    op.drop_table("audits")

"""Sidebar categories: Mattermost's SidebarCategories and SidebarChannels

Revision ID: 0009_categories
Revises: 0008_roles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_categories"
down_revision = "0008_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sidebarcategories",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("teamid", sa.String(length=26), nullable=False),
        sa.Column("sortorder", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("sorting", sa.String(length=64), server_default="", nullable=False),
        sa.Column("type", sa.String(length=64), server_default="", nullable=False),
        sa.Column("displayname", sa.String(length=64), server_default="", nullable=False),
        sa.Column("muted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("collapsed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_sidebarcategories_userid_teamid", "sidebarcategories", ["userid", "teamid"])
    op.create_table(
        "sidebarchannels",
        sa.Column("channelid", sa.String(length=26), nullable=False),
        sa.Column("userid", sa.String(length=26), nullable=False),
        sa.Column("categoryid", sa.String(length=128), nullable=False),
        sa.Column("sortorder", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("channelid", "userid", "categoryid"),
    )
    op.create_index("idx_sidebarchannels_categoryid", "sidebarchannels", ["categoryid"])


def downgrade() -> None:
    op.drop_index("idx_sidebarchannels_categoryid", table_name="sidebarchannels")
    op.drop_table("sidebarchannels")
    op.drop_index("idx_sidebarcategories_userid_teamid", table_name="sidebarcategories")
    op.drop_table("sidebarcategories")

"""Roles: Mattermost's built-in roles and their permissions, stored so they can be changed

Revision ID: 0008_roles
Revises: 0007_pending_mentions
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from chinwag.model.ids import new_id

revision = "0008_roles"
down_revision = "0007_pending_mentions"
branch_labels = None
depends_on = None

def upgrade() -> None:
    table = op.create_table(
        "roles",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("displayname", sa.String(length=128), server_default="", nullable=False),
        sa.Column("description", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("createat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updateat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("deleteat", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("permissions", sa.Text(), server_default="", nullable=False),
        sa.Column("schememanaged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("builtin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_roles_name"),
    )
    # The built-in roles as of this migration (the server adds any later built-in role at start-up).
    data = json.loads((Path(__file__).resolve().parents[4] / "model" / "roles_default.json").read_text())
    now = int(time.time() * 1000)
    op.bulk_insert(table, [
        {"id": new_id(), "name": name, "displayname": r["display_name"], "description": r["description"],
         "createat": now, "updateat": now, "deleteat": 0, "permissions": " ".join(r["permissions"]),
         "schememanaged": r["scheme_managed"], "builtin": True}
        for name, r in data["roles"].items()
    ])


def downgrade() -> None:
    op.drop_table("roles")

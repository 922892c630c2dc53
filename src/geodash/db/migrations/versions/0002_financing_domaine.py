"""Financings: optional ``domaine`` column (the stated total a 2015-2018 amount belongs to).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("financings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("domaine", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("financings", schema=None) as batch_op:
        batch_op.drop_column("domaine")

"""Follow-up of the financings: progress events (vote, payments, delivery, abandon, postponement), indicator
values, and the version of each financing's follow-up (optimistic locking).

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _entries(name: str, *columns: sa.Column) -> None:
    """An appended follow-up table: ``columns`` of its own, then what every entry has (its date, the entry it
    cancels and why, who recorded it and when, the follow-up before and after)."""
    op.create_table(
        name,
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("motif", sa.Text(), server_default="", nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("financing_id", sa.String(length=64), nullable=False),
        sa.Column("cancels", sa.Integer(), nullable=True),
        *columns,
        sa.ForeignKeyConstraint(["financing_id"], ["financings.id"], name=op.f(f"fk_{name}_financing_id_financings")),
        sa.ForeignKeyConstraint(["cancels"], [f"{name}.pk"], name=op.f(f"fk_{name}_cancels_{name}")),
        sa.PrimaryKeyConstraint("pk", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("financing_id", "version", name=f"uq_{name}_financing_version"),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_financing_id"), ["financing_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "progress_tracks",
        sa.Column("financing_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["financing_id"], ["financings.id"], name=op.f("fk_progress_tracks_financing_id_financings")
        ),
        sa.PrimaryKeyConstraint("financing_id", name=op.f("pk_progress_tracks")),
    )
    _entries(
        "progress_events",
        sa.Column("etat", sa.String(length=16), nullable=False),
        sa.Column("instance", sa.Text(), server_default="", nullable=False),
        sa.Column("montant_eur", sa.Text(), server_default="", nullable=False),
    )
    _entries(
        "indicator_values",
        sa.Column("indicateur", sa.Text(), nullable=False),
        sa.Column("valeur", sa.Text(), nullable=False),
        sa.Column("unite", sa.Text(), server_default="", nullable=False),
    )


def downgrade() -> None:
    for table in ("indicator_values", "progress_events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_financing_id"))
        op.drop_table(table)
    op.drop_table("progress_tracks")

"""Initial schema: financings, key figures, history, accounts, sign-in attempts, sessions, data state.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("login", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_accounts")),
    )
    op.create_table(
        "data_state",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_data_state")),
    )
    op.create_table(
        "financings",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("epci_siren", sa.Text(), server_default="", nullable=False),
        sa.Column("commune_insee", sa.Text(), server_default="", nullable=False),
        sa.Column("intitule", sa.Text(), server_default="", nullable=False),
        sa.Column("theme", sa.Text(), server_default="", nullable=False),
        sa.Column("periode", sa.Text(), server_default="", nullable=False),
        sa.Column("nature", sa.Text(), server_default="", nullable=False),
        sa.Column("montant_departement_eur", sa.Text(), server_default="", nullable=False),
        sa.Column("cout_total_eur", sa.Text(), server_default="", nullable=False),
        sa.Column("maitre_ouvrage", sa.Text(), server_default="", nullable=False),
        sa.Column("route", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column("remarque", sa.Text(), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("calendrier", sa.Text(), server_default="", nullable=False),
        sa.Column("origine", sa.Text(), server_default="", nullable=False),
        sa.Column("montant_texte", sa.Text(), server_default="", nullable=False),
        sa.Column("doublon_de", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financings")),
    )
    with op.batch_alter_table("financings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_financings_position"), ["position"], unique=False)

    op.create_table(
        "history",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("financing_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_values", sa.JSON(), nullable=True),
        sa.Column("new_values", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_history")),
        sa.UniqueConstraint("financing_id", "version", name="uq_history_financing_version"),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_history_financing_id"), ["financing_id"], unique=False)

    op.create_table(
        "key_figures",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("epci_siren", sa.Text(), server_default="", nullable=False),
        sa.Column("indicateur", sa.Text(), server_default="", nullable=False),
        sa.Column("valeur", sa.Text(), server_default="", nullable=False),
        sa.Column("unite", sa.Text(), server_default="", nullable=False),
        sa.Column("precision", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column("libelle", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_key_figures")),
    )
    with op.batch_alter_table("key_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_figures_position"), ["position"], unique=False)

    op.create_table(
        "login_attempts",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(length=128), nullable=False),
        sa.Column("client_key", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempts_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempts_client_key"), ["client_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempts_login"), ["login"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_login"), ["login"], unique=False)

    data_state = sa.table("data_state", sa.column("pk", sa.Integer), sa.column("data_version", sa.Integer))
    op.bulk_insert(data_state, [{"pk": 1, "data_version": 0}])


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_login"))

    op.drop_table("sessions")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempts_login"))
        batch_op.drop_index(batch_op.f("ix_login_attempts_client_key"))
        batch_op.drop_index(batch_op.f("ix_login_attempts_at"))

    op.drop_table("login_attempts")
    with op.batch_alter_table("key_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_figures_position"))

    op.drop_table("key_figures")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_history_financing_id"))

    op.drop_table("history")
    with op.batch_alter_table("financings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_financings_position"))

    op.drop_table("financings")
    op.drop_table("data_state")
    op.drop_table("accounts")

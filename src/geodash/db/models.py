"""Tables of the staff workspace: financings, key figures, their history, accounts, sign-in attempts, sessions,
and the follow-up of each financing (progress events, indicator values).

Data columns keep the names and the text of the published CSV files (``data/projects``), which stay the
reference import and export format: a value is stored as the text the file holds, so an export is
byte-identical to what was imported and no amount is ever rounded.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from ..projects import CHIFFRE_COLUMNS, FINANCEMENT_COLUMNS, FINANCEMENT_OPTIONAL

__all__ = [
    "Base",
    "Financing",
    "KeyFigure",
    "HistoryEntry",
    "Account",
    "LoginAttempt",
    "Session",
    "DataState",
    "ProgressTrack",
    "ProgressEvent",
    "IndicatorValue",
    "FINANCING_FIELDS",
    "KEY_FIGURE_FIELDS",
    "ROLES",
    "ACTIONS",
]

#: Columns of ``financements.csv`` in file order, stored as text.
FINANCING_FIELDS = FINANCEMENT_COLUMNS + FINANCEMENT_OPTIONAL
#: Columns of ``chiffres_cles.csv`` in file order, stored as text.
KEY_FIGURE_FIELDS = CHIFFRE_COLUMNS + ["libelle"]
ROLES = ("editeur", "admin")
ACTIONS = ("import", "add", "edit", "withdraw", "restore")


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give UTC times")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _text_column() -> Mapped[str]:
    return mapped_column(sa.Text, nullable=False, default="", server_default="")


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Financing(Base):
    """One financing: the CSV columns, its place in the file, its version (optimistic locking), withdrawal."""

    __tablename__ = "financings"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, index=True)
    epci_siren: Mapped[str] = _text_column()
    commune_insee: Mapped[str] = _text_column()
    intitule: Mapped[str] = _text_column()
    theme: Mapped[str] = _text_column()
    periode: Mapped[str] = _text_column()
    nature: Mapped[str] = _text_column()
    montant_departement_eur: Mapped[str] = _text_column()
    cout_total_eur: Mapped[str] = _text_column()
    maitre_ouvrage: Mapped[str] = _text_column()
    route: Mapped[str] = _text_column()
    source: Mapped[str] = _text_column()
    remarque: Mapped[str] = _text_column()
    description: Mapped[str] = _text_column()
    calendrier: Mapped[str] = _text_column()
    origine: Mapped[str] = _text_column()
    montant_texte: Mapped[str] = _text_column()
    doublon_de: Mapped[str] = _text_column()
    domaine: Mapped[str] = _text_column()
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    withdrawn: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(sa.String(128), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(sa.String(128), nullable=False)


class KeyFigure(Base):
    """One key figure of a contract (``chiffres_cles.csv``)."""

    __tablename__ = "key_figures"

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, index=True)
    epci_siren: Mapped[str] = _text_column()
    indicateur: Mapped[str] = _text_column()
    valeur: Mapped[str] = _text_column()
    unite: Mapped[str] = _text_column()
    precision: Mapped[str] = _text_column()
    source: Mapped[str] = _text_column()
    libelle: Mapped[str] = _text_column()


class HistoryEntry(Base):
    """One change of one financing: who, when (UTC), what, the whole record before and after (JSON)."""

    __tablename__ = "history"

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    financing_id: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    action: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    author: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    old_values: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    new_values: Mapped[dict] = mapped_column(sa.JSON, nullable=False)

    __table_args__ = (sa.UniqueConstraint("financing_id", "version", name="uq_history_financing_version"),)


class Account(Base):
    """A local staff account; the password is kept only as an argon2 hash."""

    __tablename__ = "accounts"

    login: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    password_hash: Mapped[str] = mapped_column(sa.Text, nullable=False)
    role: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginAttempt(Base):
    """One sign-in attempt (for throttling and the log): login as typed, client key, outcome."""

    __tablename__ = "login_attempts"

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(sa.String(128), nullable=False, index=True)
    client_key: Mapped[str] = mapped_column(sa.String(128), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # success, failure, throttled, disabled


class Session(Base):
    """A signed-in session: only the SHA-256 of its token is stored."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(128), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class DataState(Base):
    """A single row whose counter grows with every committed change (page caches key on it)."""

    __tablename__ = "data_state"

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    data_version: Mapped[int] = mapped_column(sa.Integer, nullable=False)


class ProgressTrack(Base):
    """The follow-up of one financing: its version (optimistic locking of every progress event and indicator
    value, which each make the next version), who wrote last and when. No row: nothing recorded yet."""

    __tablename__ = "progress_tracks"

    financing_id: Mapped[str] = mapped_column(sa.String(64), sa.ForeignKey("financings.id"), primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(sa.String(128), nullable=False)


class _FollowUpEntry:
    """Columns of every appended entry of a follow-up: the financing, the follow-up version it made, its date,
    ``cancels`` (the entry of the same table it withdraws, a mistake: both kept) and ``motif``, who recorded it
    and when, and the follow-up ``before`` and ``after`` it (French text, field by field)."""

    pk: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    motif: Mapped[str] = mapped_column(sa.Text, nullable=False, default="", server_default="")
    author: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    before: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    after: Mapped[dict] = mapped_column(sa.JSON, nullable=False)

    @declared_attr
    def financing_id(cls) -> Mapped[str]:
        return mapped_column(sa.String(64), sa.ForeignKey("financings.id"), nullable=False, index=True)

    @declared_attr
    def cancels(cls) -> Mapped[int | None]:
        return mapped_column(sa.Integer, sa.ForeignKey(f"{cls.__tablename__}.pk"), nullable=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (sa.UniqueConstraint("financing_id", "version", name=f"uq_{cls.__tablename__}_financing_version"),)


class ProgressEvent(_FollowUpEntry, Base):
    """One step of a financing, appended, never changed: ``etat`` (:data:`geodash.progress.ETATS`) on ``date``,
    the vote's ``instance`` (« CP du 03/12/2018 »), ``montant_eur`` (the vote, or one payment; canonical text as
    in ``financements.csv``), ``motif`` (abandon, postponement; a cancellation's reason)."""

    __tablename__ = "progress_events"

    etat: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    instance: Mapped[str] = _text_column()
    montant_eur: Mapped[str] = _text_column()


class IndicatorValue(_FollowUpEntry, Base):
    """One value of one indicator of a financing's project sheet (``indicateurs.csv`` ``libelle``), measured on
    ``date``; ``motif`` is a cancellation's reason."""

    __tablename__ = "indicator_values"

    indicateur: Mapped[str] = mapped_column(sa.Text, nullable=False)
    valeur: Mapped[str] = mapped_column(sa.Text, nullable=False)
    unite: Mapped[str] = _text_column()


assert [c for c in FINANCING_FIELDS if c not in Financing.__table__.c] == [], "Financing misses a CSV column"
assert [c for c in KEY_FIGURE_FIELDS if c not in KeyFigure.__table__.c] == [], "KeyFigure misses a CSV column"

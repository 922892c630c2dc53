"""Add, edit, withdraw and restore financings, with their history and optimistic locking.

Every function takes an :class:`sqlalchemy.Engine`, runs in one transaction and returns plain values
(:class:`FinancingRecord`, :class:`Change`). A record is checked with the same rules as
``geodash validate`` (:func:`geodash.projects.financement_checks`). Each change writes one history entry
holding the whole record before and after, so the history replayed from the import gives the current
state, and any version can be restored. A save names the version the editor started from; if someone
saved in between, :class:`~geodash.db.errors.Conflict` is raised and nothing is written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..formatting import parse_number
from ..projects import financement_checks, normalise_road_number
from ..tables import check_values
from .engine import writing
from .errors import Conflict, NotFound, ValidationError
from .models import FINANCING_FIELDS, DataState, Financing, HistoryEntry

__all__ = [
    "Rules",
    "FinancingRecord",
    "Change",
    "clean_values",
    "check_financing",
    "get_financing",
    "list_financings",
    "next_financing_id",
    "add_financing",
    "edit_financing",
    "withdraw_financing",
    "restore_version",
    "reinstate_financing",
    "financing_history",
    "journal",
    "data_version",
]

_AMOUNTS = ("montant_departement_eur", "cout_total_eur")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Rules:
    """The checks of one financing, built once from the territories (EPCI SIREN, communes)."""

    checks: dict[str, Callable]

    @classmethod
    def from_territories(cls, communes: pd.DataFrame, epci_sirens) -> Rules:
        return cls(financement_checks(set(epci_sirens), communes))


@functools.lru_cache(maxsize=1)
def _default_rules() -> Rules:
    from ..territories import load_territories

    terr = load_territories()
    return Rules.from_territories(terr.communes, terr.sirens)


@dataclass(frozen=True)
class FinancingRecord:
    """A financing as stored: its CSV ``values`` (text, file order), version and withdrawal."""

    values: dict[str, str]
    version: int
    withdrawn: bool
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    updated_at: datetime
    updated_by: str

    @property
    def id(self) -> str:
        return self.values["id"]


@dataclass(frozen=True)
class Change:
    """One history entry: ``action`` is ``import``, ``add``, ``edit``, ``withdraw`` or ``restore``.

    ``old`` and ``new`` are whole snapshots (CSV values plus ``"retire"``: withdrawn or not).
    """

    pk: int
    financing_id: str
    version: int
    action: str
    author: str
    at: datetime
    old: dict | None
    new: dict
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """French name of the action."""
        return {
            "import": "import",
            "add": "ajout",
            "edit": "modification",
            "withdraw": "retrait",
            "restore": "restauration",
        }.get(self.action, self.action)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _text(value) -> str:
    """A cell as the CSV reader would give it back: text, no control character, CRLF → LF, stripped."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def clean_values(values: Mapping[str, object], base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every CSV column of a financing as clean text: ``values`` over ``base`` (missing columns empty)."""
    unknown = sorted(set(values) - set(FINANCING_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "colonne inconnue"))
    merged = {c: (base or {}).get(c, "") for c in FINANCING_FIELDS}
    merged.update({c: _text(v) for c, v in values.items()})
    return merged


def _canonical_amount(text: str) -> str:
    """``"1 443 000"`` → ``"1443000"``, ``"52 357,20"`` → ``"52357.2"``: how the published file writes amounts."""
    if not text:
        return ""
    number = Decimal(repr(parse_number(text)))
    return format(number.to_integral_value() if number == number.to_integral_value() else number.normalize(), "f")


def _normalised(values: dict[str, str]) -> dict[str, str]:
    out = dict(values)
    for column in _AMOUNTS:
        out[column] = _canonical_amount(out[column])
    out["route"] = normalise_road_number(out["route"])
    out["commune_insee"] = "|".join(c.strip() for c in out["commune_insee"].split("|") if c.strip())
    return out


def check_financing(values: Mapping[str, object], rules: Rules | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """``(errors, warnings)`` of one financing, ``{column: French reason}``: the rules of ``geodash validate``.

    Needs no database: the page can call it as the user types. An empty ``id`` is not an error
    here: :func:`add_financing` gives one.
    """
    record = clean_values(values)
    errors, warnings = check_values(record, (rules or _default_rules()).checks)
    if not record["id"]:
        errors.pop("id", None)
    return errors, warnings


def _validated(values: dict[str, str], rules: Rules | None) -> dict[str, str]:
    errors, warnings = check_values(values, (rules or _default_rules()).checks)
    if errors:
        raise ValidationError(errors, warnings)
    return _normalised(values)


def _record(row: Financing) -> FinancingRecord:
    return FinancingRecord(
        values={c: getattr(row, c) for c in FINANCING_FIELDS},
        version=row.version,
        withdrawn=row.withdrawn,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _snapshot(values: Mapping[str, str], withdrawn: bool) -> dict:
    return {**{c: values[c] for c in FINANCING_FIELDS}, "retire": bool(withdrawn)}


def _change(entry: HistoryEntry) -> Change:
    old, new = entry.old_values, entry.new_values
    keys = [*FINANCING_FIELDS, "retire"]
    changed = (
        {k: (old.get(k, ""), new.get(k, "")) for k in keys if old.get(k, "") != new.get(k, "")}
        if old is not None
        else {}
    )
    return Change(
        pk=entry.pk,
        financing_id=entry.financing_id,
        version=entry.version,
        action=entry.action,
        author=entry.author,
        at=entry.at,
        old=old,
        new=new,
        changed=changed,
    )


def _bump(conn: sa.Connection) -> None:
    """Advance the data version; last statement of every writing transaction (one lock order, no deadlock)."""
    conn.execute(sa.update(DataState).where(DataState.pk == 1).values(data_version=DataState.data_version + 1))


def _row(conn: sa.Connection, financing_id: str) -> Financing:
    found = conn.execute(sa.select(Financing).where(Financing.id == financing_id)).first()
    if found is None:
        raise NotFound(f"Aucun financement « {financing_id} ».")
    return found


def get_financing(engine: sa.Engine, financing_id: str) -> FinancingRecord:
    """The financing as stored now (withdrawn or not); :class:`NotFound` if there is none."""
    with engine.connect() as conn:
        return _record(_row(conn, financing_id))


def list_financings(
    engine: sa.Engine, *, epci_siren: str | None = None, include_withdrawn: bool = True
) -> list[FinancingRecord]:
    """Financings in file order, optionally of one EPCI and without the withdrawn ones."""
    query = sa.select(Financing).order_by(Financing.position, Financing.id)
    if epci_siren:
        query = query.where(Financing.epci_siren == epci_siren)
    if not include_withdrawn:
        query = query.where(Financing.withdrawn.is_(False))
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(query)]


def next_financing_id(engine: sa.Engine, epci_siren: str) -> str:
    """A free identifier following the EPCI's own (``LUM-128`` after ``LUM-127``), else ``F{SIREN}-001``."""
    with engine.connect() as conn:
        ids = list(conn.execute(sa.select(Financing.id).where(Financing.epci_siren == epci_siren)).scalars())
        taken = set(conn.execute(sa.select(Financing.id)).scalars())
    prefixes: dict[str, int] = {}
    width = 3
    for fid in ids:
        match = re.fullmatch(r"(.*?)(\d+)", fid)
        if match:
            prefixes[match.group(1)] = max(prefixes.get(match.group(1), 0), int(match.group(2)))
            width = len(match.group(2))
    prefix, number = max(prefixes.items(), key=lambda kv: (kv[1], kv[0])) if prefixes else (f"F{epci_siren}-", 0)
    while True:
        number += 1
        candidate = f"{prefix}{number:0{width}d}"
        if candidate not in taken:
            return candidate


def _history_entry(conn, financing_id, version, action, author, at, old, new) -> None:
    conn.execute(
        sa.insert(HistoryEntry).values(
            financing_id=financing_id,
            version=version,
            action=action,
            author=author,
            at=at,
            old_values=old,
            new_values=new,
        )
    )


def add_financing(
    engine: sa.Engine,
    values: Mapping[str, object],
    *,
    author: str,
    rules: Rules | None = None,
    now: datetime | None = None,
) -> FinancingRecord:
    """Add a financing (version 1). An empty ``id`` gets :func:`next_financing_id`.

    Raises :class:`ValidationError` (per field) if the record breaks a rule or the id is taken.
    """
    record = clean_values(values)
    generated = not record["id"]
    for _attempt in range(5):
        if generated:
            record["id"] = next_financing_id(engine, record["epci_siren"]) if record["epci_siren"] else ""
        clean = _validated(record, rules)
        at = _now(now)
        try:
            with writing(engine) as conn:
                if conn.execute(sa.select(Financing.id).where(Financing.id == clean["id"])).first():
                    raise _Taken
                position = conn.execute(sa.select(sa.func.coalesce(sa.func.max(Financing.position), 0))).scalar()
                conn.execute(
                    sa.insert(Financing).values(
                        **clean, position=position + 1, version=1, withdrawn=False, updated_at=at, updated_by=author
                    )
                )
                _history_entry(conn, clean["id"], 1, "add", author, at, None, _snapshot(clean, False))
                _bump(conn)
        except (_Taken, IntegrityError) as exc:  # taken, possibly by someone saving at the same moment
            if not generated:
                raise ValidationError({"id": f"« {clean['id']} » déjà utilisé"}) from exc
            continue
        return get_financing(engine, clean["id"])
    raise ValidationError({"id": "aucun identifiant libre trouvé : en saisir un"})


class _Taken(Exception):
    """The identifier of a new financing is already used."""


def _conflict(engine: sa.Engine, financing_id: str, expected_version: int) -> Conflict:
    with engine.connect() as conn:
        current = _record(_row(conn, financing_id))
    unseen = [c for c in financing_history(engine, financing_id) if c.version > expected_version]
    return Conflict(current, expected_version, unseen)


def _save(
    engine: sa.Engine,
    financing_id: str,
    *,
    expected_version: int,
    author: str,
    action: str,
    new_values: Callable[[FinancingRecord], dict[str, str]],
    withdrawn: Callable[[FinancingRecord], bool],
    now: datetime | None,
) -> FinancingRecord:
    """The one way a stored financing changes: compare-and-set on ``version``, then one history entry."""
    at = _now(now)
    with writing(engine) as conn:
        current = _record(_row(conn, financing_id))
        if current.version != expected_version:
            conflict = True
        else:
            values = new_values(current)
            gone = withdrawn(current)
            if values == current.values and gone == current.withdrawn:
                return current  # nothing changed: no new version
            update = {
                **values,
                "version": current.version + 1,
                "withdrawn": gone,
                "withdrawn_at": (current.withdrawn_at if current.withdrawn else at) if gone else None,
                "withdrawn_by": (current.withdrawn_by if current.withdrawn else author) if gone else None,
                "updated_at": at,
                "updated_by": author,
            }
            result = conn.execute(
                sa.update(Financing)
                .where(Financing.id == financing_id, Financing.version == expected_version)
                .values(**update)
            )
            conflict = result.rowcount != 1
            if not conflict:
                _history_entry(
                    conn,
                    financing_id,
                    current.version + 1,
                    action,
                    author,
                    at,
                    _snapshot(current.values, current.withdrawn),
                    _snapshot(values, gone),
                )
                _bump(conn)
    if conflict:
        raise _conflict(engine, financing_id, expected_version)
    return get_financing(engine, financing_id)


def edit_financing(
    engine: sa.Engine,
    financing_id: str,
    changes: Mapping[str, object],
    *,
    expected_version: int,
    author: str,
    rules: Rules | None = None,
    now: datetime | None = None,
) -> FinancingRecord:
    """Save ``changes`` (some or all columns) over the version the editor opened.

    Raises :class:`Conflict` if the financing changed since ``expected_version`` and
    :class:`ValidationError` if the result breaks a rule; in both cases nothing is written.
    """
    if "id" in changes and _text(changes["id"]) != financing_id:
        raise ValidationError({"id": "l'identifiant d'un financement ne se modifie pas"})

    def new_values(current: FinancingRecord) -> dict[str, str]:
        return _validated(clean_values(changes, base=current.values), rules)

    return _save(
        engine,
        financing_id,
        expected_version=expected_version,
        author=author,
        action="edit",
        new_values=new_values,
        withdrawn=lambda current: current.withdrawn,
        now=now,
    )


def withdraw_financing(
    engine: sa.Engine, financing_id: str, *, expected_version: int, author: str, now: datetime | None = None
) -> FinancingRecord:
    """Mark the financing withdrawn (kept, hidden from the public pages); restore an earlier version to undo."""
    return _save(
        engine,
        financing_id,
        expected_version=expected_version,
        author=author,
        action="withdraw",
        new_values=lambda current: current.values,
        withdrawn=lambda current: True,
        now=now,
    )


def reinstate_financing(
    engine: sa.Engine,
    financing_id: str,
    *,
    expected_version: int,
    author: str,
    rules: Rules | None = None,
    now: datetime | None = None,
) -> FinancingRecord:
    """Undo a withdrawal: the financing, as it is, shows again (a ``restore`` entry in its history)."""
    return _save(
        engine,
        financing_id,
        expected_version=expected_version,
        author=author,
        action="restore",
        new_values=lambda current: _validated(dict(current.values), rules),
        withdrawn=lambda _current: False,
        now=now,
    )


def restore_version(
    engine: sa.Engine,
    financing_id: str,
    version: int,
    *,
    expected_version: int,
    author: str,
    rules: Rules | None = None,
    now: datetime | None = None,
) -> FinancingRecord:
    """Make ``version`` the current state again (values and withdrawn or not), as a new version."""
    with engine.connect() as conn:
        entry = conn.execute(
            sa.select(HistoryEntry).where(HistoryEntry.financing_id == financing_id, HistoryEntry.version == version)
        ).first()
    if entry is None:
        raise NotFound(f"Le financement « {financing_id} » n'a pas de version {version}.")
    snapshot = entry.new_values
    values = {c: snapshot.get(c, "") for c in FINANCING_FIELDS}
    return _save(
        engine,
        financing_id,
        expected_version=expected_version,
        author=author,
        action="restore",
        new_values=lambda _current: _validated(clean_values(values), rules),
        withdrawn=lambda _current: bool(snapshot.get("retire")),
        now=now,
    )


def financing_history(engine: sa.Engine, financing_id: str) -> list[Change]:
    """Every version of one financing, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(HistoryEntry).where(HistoryEntry.financing_id == financing_id).order_by(HistoryEntry.version)
        )
        return [_change(r) for r in rows]


def journal(
    engine: sa.Engine, *, limit: int = 100, offset: int = 0, include_import: bool = False, author: str | None = None
) -> list[Change]:
    """The latest changes of all financings, newest first (the import entries only on request)."""
    query = sa.select(HistoryEntry).order_by(HistoryEntry.pk.desc()).limit(limit).offset(offset)
    if not include_import:
        query = query.where(HistoryEntry.action != "import")
    if author:
        query = query.where(HistoryEntry.author == author)
    with engine.connect() as conn:
        return [_change(r) for r in conn.execute(query)]


def data_version(engine: sa.Engine) -> int:
    """A number that grows with every committed change: key page caches on it to see edits after a reload."""
    with engine.connect() as conn:
        return int(conn.execute(sa.select(DataState.data_version).where(DataState.pk == 1)).scalar() or 0)

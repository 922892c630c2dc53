"""Between the database and the published CSV files: first-start import, ``db init``, ``db export``, page data.

The CSV files of ``data/projects`` stay the reference format. An import checks the files with the
rules of ``geodash validate`` and refuses them whole if any row is in error (nothing is half
imported); an export writes today's columns in today's order, so a fresh import exported again gives
the same bytes. Withdrawn financings are exported to a third file, ``financements_retires.csv``
(same columns plus ``retire_le`` and ``retire_par``), written only when there are some: the public
``financements.csv`` holds only current financings and ``db init`` reads all three back.

A start never imports over the staff's work: once a SQLite database has held data, a note beside it
(``geodash.sqlite.state.json``) says so, and :func:`ensure_database` then refuses to fill a missing or empty
file from the CSV files again; ``geodash db init`` is the explicit way to start again from them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from .. import settings
from ..projects import (
    CHIFFRE_COLUMNS,
    FINANCEMENT_COLUMNS,
    ProjectData,
    chiffres_from_rows,
    financements_from_rows,
    project_data,
    validate_chiffres,
    validate_financements,
)
from ..tables import Problem, Row, read_rows
from .engine import get_engine, migrate, schema_lock, upgrade_schema, writing
from .errors import StoreError
from .models import FINANCING_FIELDS, KEY_FIGURE_FIELDS, DataState, Financing, HistoryEntry, KeyFigure

__all__ = [
    "FINANCEMENTS_FILE",
    "CHIFFRES_FILE",
    "RETIRES_FILE",
    "WITHDRAWN_FIELDS",
    "ImportRefused",
    "ImportReport",
    "is_empty",
    "import_csv",
    "export_csv",
    "ensure_database",
    "remember_database",
    "state_file",
    "load_project_data_db",
]

FINANCEMENTS_FILE, CHIFFRES_FILE, RETIRES_FILE = "financements.csv", "chiffres_cles.csv", "financements_retires.csv"
#: Extra columns of the withdrawn financings' file.
WITHDRAWN_FIELDS = ["retire_le", "retire_par"]
IMPORT_AUTHOR = "import"


class ImportRefused(StoreError):
    """The CSV files have errors (listed in ``problems``, ``fichier:ligne: raison``); nothing was imported."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)


@dataclass(frozen=True)
class ImportReport:
    financements: int
    retires: int
    chiffres: int
    warnings: list[Problem]


def is_empty(engine: sa.Engine) -> bool:
    """True when no financing, key figure or history entry is stored."""
    with engine.connect() as conn:
        return not any(
            conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
            for table in (Financing, KeyFigure, HistoryEntry)
        )


def _territories(communes: pd.DataFrame | None, epci_sirens) -> tuple[pd.DataFrame, set[str]]:
    if communes is not None and epci_sirens is not None:
        return communes, set(epci_sirens)
    from ..territories import load_territories

    terr = load_territories()
    return terr.communes, set(terr.sirens)


def _unknown_columns(path: Path, known: list[str]) -> list[Problem]:
    rows, _ = read_rows(path, [], name=path.name)
    header = list(rows[0].values) if rows else []
    extra = [c for c in header if c not in known]
    return (
        [Problem(path.name, 1, f"colonne(s) inconnue(s) : {', '.join(extra)} (elles seraient perdues)")]
        if extra
        else []
    )


def _parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def import_csv(
    engine: sa.Engine,
    folder: Path | None = None,
    *,
    communes: pd.DataFrame | None = None,
    epci_sirens=None,
    now: datetime | None = None,
    prepare_schema: bool = True,
) -> ImportReport:
    """Import the CSV files of ``folder`` (default ``data/projects``) into an EMPTY database.

    Raises :class:`ImportRefused` if the database already holds data or a file has an error.
    """
    folder = Path(folder or settings.projects_dir())
    communes, sirens = _territories(communes, epci_sirens)
    fin_path, chi_path, ret_path = folder / FINANCEMENTS_FILE, folder / CHIFFRES_FILE, folder / RETIRES_FILE
    _, fin = validate_financements(fin_path, sirens, communes)
    _, chi = validate_chiffres(chi_path, sirens)
    problems = fin.problems + chi.problems
    problems += _unknown_columns(fin_path, FINANCING_FIELDS) + _unknown_columns(chi_path, KEY_FIGURE_FIELDS)
    withdrawn: list[Row] = []
    if ret_path.exists():
        _, ret = validate_financements(ret_path, sirens, communes)
        problems += ret.problems + _unknown_columns(ret_path, FINANCING_FIELDS + WITHDRAWN_FIELDS)
        withdrawn = ret.rows
        for row in withdrawn:
            try:
                _parse_time(row.values.get("retire_le", ""))
            except ValueError:
                problems.append(Problem(ret_path.name, row.line, "retire_le : date attendue (2026-12-01T10:00:00Z)"))
    current_ids = {r.values["id"]: r.line for r in fin.rows}
    problems += [
        Problem(
            ret_path.name,
            r.line,
            f"id : « {r.values['id']} » aussi dans {FINANCEMENTS_FILE} ligne {current_ids[r.values['id']]}",
        )
        for r in withdrawn
        if r.values["id"] in current_ids
    ]
    errors = [p for p in problems if p.level == "erreur"]
    if errors:
        raise ImportRefused(
            f"Import refusé : {len(errors)} erreur(s) dans les fichiers de {folder} ; rien n'a été importé.", errors
        )
    at = now or datetime.now(timezone.utc)
    if prepare_schema:
        migrate(engine)
    with writing(engine) as conn:
        if any(
            conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()
            for t in (Financing, KeyFigure, HistoryEntry)
        ):
            raise ImportRefused(
                "La base contient déjà des données : import refusé (rien n'a été modifié). "
                "Pour repartir des fichiers CSV, utiliser une base vide."
            )
        records, history = [], []
        for position, (row, gone) in enumerate([(r, False) for r in fin.rows] + [(r, True) for r in withdrawn], 1):
            values = {c: row.values.get(c, "") for c in FINANCING_FIELDS}
            records.append(
                {
                    **values,
                    "position": position,
                    "version": 1,
                    "withdrawn": gone,
                    "withdrawn_at": _parse_time(row.values["retire_le"]) if gone else None,
                    "withdrawn_by": (row.values.get("retire_par") or IMPORT_AUTHOR) if gone else None,
                    "updated_at": at,
                    "updated_by": IMPORT_AUTHOR,
                }
            )
            history.append(
                {
                    "financing_id": values["id"],
                    "version": 1,
                    "action": "import",
                    "author": IMPORT_AUTHOR,
                    "at": at,
                    "old_values": None,
                    "new_values": {**values, "retire": gone},
                }
            )
        if records:
            conn.execute(sa.insert(Financing), records)
            conn.execute(sa.insert(HistoryEntry), history)
        figures = [
            {**{c: row.values.get(c, "") for c in KEY_FIGURE_FIELDS}, "position": i}
            for i, row in enumerate(chi.rows, 1)
        ]
        if figures:
            conn.execute(sa.insert(KeyFigure), figures)
        conn.execute(sa.update(DataState).where(DataState.pk == 1).values(data_version=DataState.data_version + 1))
    warnings = [p for p in problems if p.level != "erreur"]
    return ImportReport(len(fin.rows), len(withdrawn), len(chi.rows), warnings)


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _write(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def _stored(engine: sa.Engine) -> tuple[list[Financing], list[KeyFigure]]:
    with engine.connect() as conn:
        fin = list(conn.execute(sa.select(Financing).order_by(Financing.position, Financing.id)))
        chi = list(conn.execute(sa.select(KeyFigure).order_by(KeyFigure.position, KeyFigure.pk)))
    return fin, chi


def export_csv(engine: sa.Engine, folder: Path) -> list[Path]:
    """Write ``financements.csv``, ``chiffres_cles.csv`` (and ``financements_retires.csv`` if any) to ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fin, chi = _stored(engine)
    current = [[getattr(r, c) for c in FINANCING_FIELDS] for r in fin if not r.withdrawn]
    gone = [
        [getattr(r, c) for c in FINANCING_FIELDS]
        + [r.withdrawn_at.strftime("%Y-%m-%dT%H:%M:%SZ") if r.withdrawn_at else "", r.withdrawn_by or ""]
        for r in fin
        if r.withdrawn
    ]
    written = [folder / FINANCEMENTS_FILE, folder / CHIFFRES_FILE]
    _write(written[0], _csv_bytes(FINANCING_FIELDS, current))
    _write(written[1], _csv_bytes(KEY_FIGURE_FIELDS, [[getattr(r, c) for c in KEY_FIGURE_FIELDS] for r in chi]))
    retired = folder / RETIRES_FILE
    if gone:
        _write(retired, _csv_bytes(FINANCING_FIELDS + WITHDRAWN_FIELDS, gone))
        written.append(retired)
    elif retired.exists():  # a stale file from an earlier export would bring back rows since restored
        retired.unlink()
    return written


def state_file(engine: sa.Engine) -> Path | None:
    """The note beside a SQLite file saying that it held the staff's data (``None``: not a SQLite file)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or engine.url.query.get("uri"):
        return None
    path = Path(database).resolve()
    return path.with_name(f"{path.name}.state.json")


def remember_database(engine: sa.Engine, *, renew: bool = False, now: datetime | None = None) -> None:
    """Note beside a SQLite file that it holds data, so that no later start imports the CSV files over it
    (``renew``: a new database was just imported there, the note starts again from today)."""
    note = state_file(engine)
    if note is None or (note.exists() and not renew):
        return
    since = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = json.dumps({"database": note.name.removesuffix(".state.json"), "since": since}, ensure_ascii=False)
    _write(note, f"{text}\n".encode())


def _in_service_since(engine: sa.Engine) -> str | None:
    """When the database noted beside the file was first seen holding data (``None``: never)."""
    note = state_file(engine)
    if note is None or not note.exists():
        return None
    try:
        return f"le {_parse_time(json.loads(note.read_text(encoding='utf-8'))['since']):%d/%m/%Y}"
    except (OSError, ValueError, KeyError, TypeError):
        return "à une date inconnue"  # a damaged note still says a database was there


def _no_silent_import(engine: sa.Engine, since: str) -> ImportRefused:
    name = Path(engine.url.database).name
    return ImportRefused(
        f"Import automatique refusé : la base « {name} » était en service depuis {since}, mais son fichier est "
        "absent ou vide. Les fichiers CSV ne sont pas réimportés par-dessus le travail des agents "
        "(modifications, historique, comptes) : remettre la base en place depuis une sauvegarde, "
        "ou lancer « geodash db init » pour repartir des fichiers CSV."
    )


def ensure_database(engine: sa.Engine | None = None, *, folder: Path | None = None) -> sa.Engine:
    """The ready database: schema created or migrated, and on first use the shipped CSV files imported.

    What the app calls at start, so ``streamlit run app.py`` needs nothing else. A SQLite file that held
    data before (see :func:`remember_database`) and is now missing or empty is not filled again:
    :class:`ImportRefused` says so, and ``geodash db init`` is the way to start again from the files.
    """
    engine = engine or get_engine()
    with schema_lock(engine):  # two servers starting on an empty database import once
        since = _in_service_since(engine)
        file = Path(engine.url.database).resolve() if since else None
        if file is not None and (not file.exists() or file.stat().st_size == 0):
            raise _no_silent_import(engine, since)  # checked before connecting, which would create the file
        upgrade_schema(engine)
        if is_empty(engine):
            if since:
                raise _no_silent_import(engine, since)
            import_csv(engine, folder, prepare_schema=False)
        remember_database(engine)
    return engine


def load_project_data_db(engine: sa.Engine, communes: pd.DataFrame, epci_sirens) -> ProjectData:
    """The current (not withdrawn) financings and the key figures, as :func:`geodash.projects.load_project_data`
    gives them from the CSV files: same columns, same types, same checks."""
    fin, chi = _stored(engine)
    sirens = set(epci_sirens)
    fin_rows = [Row(r.position + 1, {c: getattr(r, c) for c in FINANCING_FIELDS}) for r in fin if not r.withdrawn]
    chi_rows = [Row(r.position + 1, {c: getattr(r, c) for c in KEY_FIGURE_FIELDS}) for r in chi]
    return project_data(
        financements_from_rows(fin_rows, sirens, communes, name="base de données : financements"),
        chiffres_from_rows(chi_rows, sirens, name="base de données : chiffres clés"),
        communes,
    )


assert FINANCING_FIELDS[: len(FINANCEMENT_COLUMNS)] == FINANCEMENT_COLUMNS
assert KEY_FIGURE_FIELDS[: len(CHIFFRE_COLUMNS)] == CHIFFRE_COLUMNS

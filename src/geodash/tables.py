"""Reading the staff-edited CSV files safely: every row is loaded or reported, never lost.

Spreadsheets come back from Excel in Windows-1252, with ``;`` separators, a BOM, blank lines or
extra columns. :func:`read_rows` accepts all of that, and turns everything it cannot accept into a
:class:`Problem` carrying the file, the line and the reason in French.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

__all__ = ["Problem", "Row", "read_rows", "CheckedTable", "check_rows"]


@dataclass(frozen=True)
class Problem:
    """One finding about a data file: ``file:line: reason``."""

    file: str
    line: int
    message: str
    level: str = "erreur"  # "erreur" (row set aside) or "avertissement" (row kept)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "" if self.level == "erreur" else "avertissement : "
        return f"{where}: {prefix}{self.message}"


@dataclass
class Row:
    """A data row with the physical line it starts on (1-based, header is line 1)."""

    line: int
    values: dict[str, str]


def _decode(raw: bytes, name: str, problems: list[Problem]) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "fichier non UTF-8 (probablement Windows-1252, "
                                            "enregistré par Excel) : lu en Windows-1252", "avertissement"))
        return raw.decode("cp1252", errors="replace")


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def read_rows(
    source: Path | bytes, required: list[str], *, name: str | None = None
) -> tuple[list[Row], list[Problem]]:
    """Parse a CSV file into rows keyed by column name.

    Parameters
    ----------
    source
        Path of the file, or its bytes (uploads, tests).
    required
        Columns that must be present; others are kept and ignored by the checks.
    name
        Name used in messages (defaults to the file name).

    Returns
    -------
    rows, problems
        ``rows`` whose field count matches the header; every other line is a problem.
    """
    problems: list[Problem] = []
    if isinstance(source, (bytes, bytearray)):
        raw, name = bytes(source), name or "<données>"
    else:
        name = name or Path(source).name
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            return [], [Problem(name, 0, f"fichier illisible ({exc.strerror or exc})")]
    text = _decode(raw, name, problems).replace("\x00", "")
    if not text.strip():
        return [], problems + [Problem(name, 1, "fichier vide : l'en-tête des colonnes est absent")]
    first = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    header: list[str] | None = None
    rows: list[Row] = []
    try:
        for fields in reader:
            line = reader.line_num - (sum(f.count("\n") for f in fields))
            if not any(f.strip() for f in fields):
                continue  # blank line: not a row
            if header is None:
                header = [h.strip() for h in fields]
                missing = [c for c in required if c not in header]
                if missing:
                    return [], problems + [Problem(name, line, "colonnes manquantes : " + ", ".join(missing))]
                dupes = {h for h in header if header.count(h) > 1 and h}
                if dupes:
                    return [], problems + [Problem(name, line, "colonnes en double : " + ", ".join(sorted(dupes)))]
                continue
            if len(fields) != len(header):
                problems.append(Problem(name, line, f"{len(fields)} champs au lieu de {len(header)} "
                                                    "(séparateur ou guillemet mal placé ?)"))
                continue
            rows.append(Row(line, {h: v.strip() for h, v in zip(header, fields)}))
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, f"CSV mal formé ({exc})"))
    if header is None:
        problems.append(Problem(name, 1, "fichier vide : l'en-tête des colonnes est absent"))
    return rows, problems


Check = Callable[[str, dict[str, str]], "str | None"]


@dataclass
class CheckedTable:
    """Rows that passed every check, and the problems of the others (with their lines)."""

    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "erreur"]


def check_rows(rows: list[Row], checks: dict[str, Check], name: str) -> CheckedTable:
    """Run one check per column on each row; a row with any error is set aside and reported.

    A check receives the cell and the whole row and returns ``None`` or a French reason.
    A reason starting with ``"!"`` is a warning: reported, row kept.
    """
    out = CheckedTable()
    for row in rows:
        errors = []
        for column, check in checks.items():
            reason = check(row.values.get(column, ""), row.values)
            if reason is None:
                continue
            if reason.startswith("!"):
                out.problems.append(Problem(name, row.line, f"{column} : {reason[1:]}", "avertissement"))
            else:
                errors.append(f"{column} : {reason}")
        if errors:
            out.problems.append(Problem(name, row.line, " ; ".join(errors)))
            out.rejected += 1
        else:
            out.rows.append(row)
    return out

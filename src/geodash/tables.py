"""Reading the staff-edited CSV files safely: every row is loaded or reported, never lost.

Spreadsheets come back from Excel in Windows-1252, with ``;`` separators, a BOM, blank lines or
extra columns. :func:`read_rows` accepts all of that, and turns everything it cannot accept into a
:class:`Problem` carrying the file, the line and the reason in French.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .formatting import format_number

__all__ = ["Problem", "Row", "read_rows", "CheckedTable", "check_rows", "check_values"]


@dataclass(frozen=True)
class Problem:
    """One finding about a data file: ``file:line: reason``."""

    file: str
    line: int
    message: str
    level: str = "erreur"  # "erreur" (row set aside) or "avertissement" (row kept)
    rows: int = 1  # data rows this error sets aside (a bad header sets aside every row)
    limit: int = 0  # longest displayed reason; 0: MESSAGE_MAX (a reason citing many rows needs more)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "" if self.level == "erreur" else "avertissement : "
        return f"{where}: {prefix}{_one_line(self.message, self.limit or MESSAGE_MAX)}"


#: Longest value quoted « … » in a displayed problem, and longest displayed reason (characters).
QUOTE_MAX, MESSAGE_MAX = 60, 300
_QUOTED = re.compile(r"« (.*?) »", re.DOTALL)


def _one_line(message: str, limit: int = 0) -> str:
    """One readable line: quoted values cut to :data:`QUOTE_MAX`, line breaks shown as ``↵``.

    A broken file can put a whole paragraph (or the rest of the file) into one cell; the reason
    still fits on the ``file:line: reason`` line.
    """

    def cut(match: re.Match) -> str:
        value = " ".join(match.group(1).split())
        return f"« {value[:QUOTE_MAX]}… »" if len(value) > QUOTE_MAX else f"« {value} »"

    text = re.sub(r"\r\n|\r|\n", " ↵ ", _QUOTED.sub(cut, message))
    limit = limit or MESSAGE_MAX
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass
class Row:
    """A data row with the physical line it starts on (1-based, header is line 1)."""

    line: int
    values: dict[str, str]


_BREAK = re.compile(rb"(\r\n|\r|\n)")
_BREAK_TEXT = re.compile(r"(\r\n|\r|\n)")
_BOMS = (("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))
_NOT_CSV = {
    b"PK\x03\x04": "classeur Excel (.xlsx) ou archive ZIP",
    b"\xd0\xcf\x11\xe0": "classeur Excel 97-2003 (.xls)",
    b"%PDF": "document PDF",
}
#: Separators recognised in the header line, most likely first.
DELIMITERS = (",", ";", "\t")


def _split_lines(raw, pattern=_BREAK):
    """Physical lines, each with its line break (``\\r\\n``, ``\\r`` or ``\\n``), as an editor numbers them."""
    parts = pattern.split(raw)
    parts.append(parts[0][:0])  # re.split always returns one part at least; the last line has no break
    lines = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
    return lines[:-1] if lines and not lines[-1] else lines


def _decode(raw: bytes, name: str, problems: list[Problem]) -> list[str]:
    """Decode line by line: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    A file that is not valid UTF-8 as a whole is decoded line by line, so a file that mixes
    encodings (rows pasted from another file) keeps its UTF-8 rows intact instead of turning every
    accent into mojibake.
    """
    for encoding, bom in _BOMS:
        if raw.startswith(bom):
            raw = raw[len(bom) :]
            if encoding == "utf-16":  # Excel "Texte Unicode": decode whole, then split
                text = raw.decode("utf-16-le" if bom == b"\xff\xfe" else "utf-16-be", errors="replace")
                return [line.replace("\x00", "") for line in _split_lines(text, _BREAK_TEXT)]
            break
    try:
        whole: str | None = raw.decode("utf-8")
    except UnicodeDecodeError:
        whole = None
    lines, legacy, nul = [], [], []
    for number, chunk in enumerate(_split_lines(raw) if whole is None else _split_lines(whole, _BREAK_TEXT), 1):
        line = chunk if whole is not None else _decode_line(chunk)
        if line is None:
            line = chunk.decode("cp1252", errors="replace")
            legacy.append(number)
        if "\x00" in line:
            nul.append(number)
            line = line.replace("\x00", "")
        lines.append(line)
    if legacy:
        problems.append(
            Problem(
                name,
                legacy[0],
                f"{_count(len(legacy), 'ligne')} non UTF-8 (probablement "
                "Windows-1252, enregistré par Excel) : lue(s) en Windows-1252",
                "avertissement",
            )
        )
    if nul:
        problems.append(
            Problem(name, nul[0], f"caractères nuls supprimés ({_count(len(nul), 'ligne')})", "avertissement")
        )
    return lines


def _decode_line(chunk: bytes) -> str | None:
    """A line of a file that is not all UTF-8: UTF-8 only if it decodes to text Windows-1252 could
    also hold (``Éœ`` in Windows-1252 happens to be valid UTF-8 for ``ɜ``, which is not French)."""
    try:
        line = chunk.decode("utf-8")
        line.encode("cp1252")
    except UnicodeError:
        return None
    return line


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def _delimiter(lines: list[str]) -> str:
    """The separator of the first line that holds anything but separators and spaces."""
    for line in lines:
        if line.strip("".join(DELIMITERS) + " \r\n"):
            counts = [line.count(d) for d in DELIMITERS]
            return DELIMITERS[counts.index(max(counts))]
    return ","


def _parse_at(lines: list[str], start: int, delimiter: str) -> tuple[list[str] | None, int, str]:
    """Parse the one record that starts on ``lines[start]``.

    Returns ``(fields, number of physical lines used, "")``, or ``(None, 1, reason)`` for a record
    that cannot be trusted. The record is read strictly first (a closing quote must be followed by
    a separator, a quoted field must end): that is how a stray opening quote is caught before it
    swallows the next rows. A line that breaks the strict rules but reads on its own, leniently
    (``Salle "Le Mille" club``), is still accepted: it cannot have swallowed anything.
    """
    reason = ""
    for strict in (True, False):
        used = 0

        def feed():
            nonlocal used
            for line in lines[start:]:
                used += 1
                yield line

        try:
            fields = next(csv.reader(feed(), delimiter=delimiter, strict=strict))
        except csv.Error as exc:
            reason = reason or _csv_reason(exc)
            continue
        except StopIteration:
            return None, 0, ""
        if strict or used == 1:
            return fields, used, ""
        break
    return None, 1, reason


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "expected after" in text:
        return (
            "guillemet mal placé : un champ entre guillemets doit se terminer par un guillemet suivi "
            'du séparateur (écrire "" pour un guillemet dans le texte)'
        )
    if "unexpected end of data" in text:
        return "guillemet ouvert ici et jamais refermé jusqu'à la fin du fichier"
    if "field larger than field limit" in text:
        return f"champ de plus de {format_number(csv.field_size_limit())} caractères (guillemet jamais refermé ?)"
    return f"CSV mal formé ({text})"


def _looks_like_row(line: str, delimiter: str, width: int) -> bool:
    try:
        return len(next(csv.reader([line], delimiter=delimiter))) == width
    except (csv.Error, StopIteration):
        return False


def read_rows(source: Path | bytes, required: list[str], *, name: str | None = None) -> tuple[list[Row], list[Problem]]:
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
        ``rows`` whose field count matches the header; every other non-blank line is a problem
        naming its line. A quote left open never swallows the rows after it: a record that spans
        several lines and has the wrong number of fields, or that absorbs a line looking like a
        full row, is reported on its first line and reading resumes on the next line.
    """
    problems: list[Problem] = []
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw, name = bytes(source), name or "<données>"
    else:
        name = name or Path(source).name
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            return [], [Problem(name, 0, f"fichier illisible ({exc.strerror or exc})", rows=0)]
    for magic, kind in _NOT_CSV.items():
        if raw.startswith(magic):
            return [], [
                Problem(
                    name,
                    1,
                    f"ce fichier est un {kind}, pas un CSV : l'enregistrer au format "
                    "« CSV UTF-8 (délimité par des virgules) »",
                    rows=0,
                )
            ]
    lines = _decode(raw, name, problems)
    if not "".join(lines).strip():
        return [], problems + [Problem(name, 1, "fichier vide : l'en-tête des colonnes est absent", rows=0)]
    delimiter = _delimiter(lines)
    header: list[str] | None = None
    rows: list[Row] = []
    i = 0
    while i < len(lines):
        fields, used, reason = _parse_at(lines, i, delimiter)
        line = i + 1
        if fields is None:
            if not used:
                break
            problems.append(Problem(name, line, reason))
            i += 1
            continue
        if not any(f.strip() for f in fields):
            i += used
            continue  # blank line: not a row
        if header is None:
            header = [h.strip() for h in fields]
            missing = [c for c in required if c not in header]
            dupes = {h for h in header if header.count(h) > 1 and h}
            if missing or dupes:
                n = sum(1 for rest in lines[i + used :] if rest.strip())
                reason = (
                    "colonnes manquantes : " + ", ".join(missing)
                    if missing
                    else "colonnes en double : " + ", ".join(sorted(dupes))
                )
                plural = "s" if n > 1 else ""
                return [], problems + [
                    Problem(name, line, f"{reason} ({n} ligne{plural} de données mise{plural} de côté)", rows=n)
                ]
            i += used
            continue
        if len(fields) != len(header):
            message = f"{len(fields)} champs au lieu de {len(header)} (séparateur ou guillemet mal placé ?)"
            if used > 1:  # an open quote ran over the next lines: report it, read them on their own
                message = (
                    f"{len(fields)} champs au lieu de {len(header)} : un guillemet ouvert ici n'est pas "
                    f"refermé avant la ligne {line + used - 1}"
                )
                used = 1
            problems.append(Problem(name, line, message))
            i += used
            continue
        absorbed = next((k for k in range(i + 1, i + used) if _looks_like_row(lines[k], delimiter, len(header))), None)
        if absorbed is not None:
            problems.append(
                Problem(
                    name,
                    line,
                    f"un guillemet ouvert ici n'est refermé que ligne {line + used - 1} "
                    f"et englobe la ligne {absorbed + 1} : guillemet mal placé ?",
                )
            )
            i += 1
            continue
        rows.append(Row(line, {h: v.strip() for h, v in zip(header, fields)}))
        i += used
    if header is None:
        problems.append(Problem(name, 1, "fichier vide : l'en-tête des colonnes est absent", rows=0))
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


def check_values(values: dict[str, str], checks: dict[str, Check]) -> tuple[dict[str, str], dict[str, str]]:
    """Run one check per column on one record: ``(errors, warnings)``, each ``{column: French reason}``.

    A check receives the cell and the whole record and returns ``None`` or a French reason.
    A reason starting with ``"!"`` is a warning (the record is kept). Used for each CSV row by
    :func:`check_rows` and for each record saved from the staff page, so both follow one rule set.
    """
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    for column, check in checks.items():
        reason = check(values.get(column, ""), values)
        if reason is None:
            continue
        if reason.startswith("!"):
            warnings[column] = reason[1:]
        else:
            errors[column] = reason
    return errors, warnings


def check_rows(rows: list[Row], checks: dict[str, Check], name: str) -> CheckedTable:
    """Run :func:`check_values` on each row; a row with any error is set aside and reported."""
    out = CheckedTable()
    for row in rows:
        errors, warnings = check_values(row.values, checks)
        for column, reason in warnings.items():
            out.problems.append(Problem(name, row.line, f"{column} : {reason}", "avertissement"))
        if errors:
            out.problems.append(Problem(name, row.line, " ; ".join(f"{c} : {r}" for c, r in errors.items())))
            out.rejected += 1
        else:
            out.rows.append(row)
    return out

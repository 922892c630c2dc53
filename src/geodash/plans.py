"""The contracts' project sheets as data: planned milestones, expected results and indicators, financing plans.

Each project sheet (« fiche opération ») annexed to the 2019 contracts says what to follow: « C – EVALUATION
DU PROJET » (expected results, indicators), « D – CALENDRIER PREVISIONNEL » (start, intermediate steps,
end) and the « Plan de financement prévisionnel » (each funder's amount). ``data/projects`` holds them as
four files, one fact per row, each citing its lines of the source document:

- ``fiches.csv``: the sheets and the financing (``financements.csv`` ``id``) each belongs to;
- ``jalons.csv``: milestones, the date as the sheet writes it (« Mars 2020 », « 2nd semestre 2020 »);
- ``indicateurs.csv``: expected results and indicators, with their target where the sheet gives one;
- ``plans_financement.csv``: each funder's amount (and share), and the stated total cost.

:func:`period_of` reads a planned date into the period it denotes, never a guessed day. Nothing here
imports Streamlit; the rules are :mod:`geodash.projects`' (amounts, source lines) and the rows are read
by :func:`geodash.tables.read_rows` (every row loaded or reported as ``fichier:ligne: raison``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from . import settings
from .formatting import format_eur, format_number, parse_number
from .projects import _amount, _nonempty, _number, _one_of, _source
from .tables import Problem, Row, check_rows, read_rows
from .text import fold

__all__ = [
    "FICHE_COLUMNS",
    "JALON_COLUMNS",
    "INDICATEUR_COLUMNS",
    "PLAN_COLUMNS",
    "PLAN_FILES",
    "MILESTONE_COLUMNS",
    "JALONS",
    "INDICATOR_TYPES",
    "PLAN_LINE_TYPES",
    "PRECISIONS",
    "MONTHS",
    "SEASONS",
    "YEAR_PARTS",
    "Plans",
    "load_plans",
    "financement_ids",
    "period_of",
    "plain_text",
    "milestones",
]

FICHE_COLUMNS = ["financement_id", "autres_financements", "titre", "lignes", "source", "remarque"]
JALON_COLUMNS = ["financement_id", "phase", "jalon", "libelle", "texte", "commentaire", "source", "remarque"]
INDICATEUR_COLUMNS = ["financement_id", "type", "libelle", "cible", "valeur_cible", "unite", "source", "remarque"]
PLAN_COLUMNS = [
    "financement_id",
    "volet",
    "type",
    "financeur",
    "montant_eur",
    "part_pct",
    "montant_texte",
    "taxes",
    "source",
    "remarque",
]
#: The files of the plans in ``data/projects``, with their columns.
PLAN_FILES: dict[str, list[str]] = {
    "fiches.csv": FICHE_COLUMNS,
    "jalons.csv": JALON_COLUMNS,
    "indicateurs.csv": INDICATEUR_COLUMNS,
    "plans_financement.csv": PLAN_COLUMNS,
}
#: Columns written by ``geodash plans --format csv``: one line per dated milestone.
MILESTONE_COLUMNS = ["financement_id", "jalon", "texte", "debut", "fin", "precision", "source"]

JALONS = ("debut", "etape", "fin")
INDICATOR_TYPES = ("resultat", "indicateur")
#: A financing plan line: a funder's amount, or the stated total cost (« TOTAL » of the expenses).
PLAN_LINE_TYPES = ("financeur", "total")
TAXES = ("HT", "TTC")
#: How wide the period of a planned date is, narrowest first.
PRECISIONS = ("jour", "mois", "trimestre", "semestre", "saison", "annee", "periode")

#: Shares of a plan may add up to 100 % within this margin (the sheets round each share to 0.01 %).
SHARE_TOLERANCE_PCT = 0.5
#: Funders' amounts and the stated total may differ by this much (cents rounded on the sheets).
AMOUNT_TOLERANCE_EUR = 0.5

# --- planned dates --------------------------------------------------------------------------------

#: French month names, folded (no accents, lower case), and the abbreviations the documents use.
MONTHS: dict[str, int] = {
    **{
        name: number
        for number, name in enumerate(
            (
                "janvier",
                "fevrier",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "aout",
                "septembre",
                "octobre",
                "novembre",
                "decembre",
            ),
            1,
        )
    },
    **{"janv": 1, "fev": 2, "fevr": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12},
}
#: Bounds of « <saison> AAAA », as ((month, day), (month, day)). Whole months wide enough to hold both
#: the meteorological season (été: June-August) and the astronomical one (été: 21 June - 22 September),
#: since a sheet says neither. « hiver AAAA » is the winter that begins in December AAAA (the season after
#: « automne AAAA »), so it ends in March AAAA+1; « hiver 2019/2020 » and « hiver 2019-2020 » say it too.
SEASONS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "printemps": ((3, 1), (6, 30)),
    "ete": ((6, 1), (9, 30)),
    "automne": ((9, 1), (12, 31)),
    "hiver": ((12, 1), (3, 31)),
}
#: « début AAAA » and « fin AAAA »: the half of the year, a wide bound rather than a guessed month.
YEAR_PARTS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "debut": ((1, 1), (6, 30)),
    "fin": ((7, 1), (12, 31)),
}
_ORDINALS = {
    "1er": 1, "1ere": 1, "1e": 1, "premier": 1, "premiere": 1,
    "2e": 2, "2eme": 2, "2nd": 2, "2nde": 2, "second": 2, "seconde": 2, "deuxieme": 2,
    "3e": 3, "3eme": 3, "troisieme": 3, "4e": 4, "4eme": 4, "quatrieme": 4,
}  # fmt: skip

_YEAR = r"(\d{4})"
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = "(" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + ")"
_DAY_NUMERIC = re.compile(rf"(\d{{1,2}})/(\d{{1,2}})/{_YEAR}")
_DAY_WORDS = re.compile(rf"(1er|\d{{1,2}}) {_MONTH} {_YEAR}")
_MONTH_NUMERIC = re.compile(rf"(\d{{1,2}})/{_YEAR}")
# « début septembre 2020 », « mi-mars 2021 », « fin décembre 2019 »: within that month
_MONTH_WORDS = re.compile(rf"(?:(?:debut|fin|mi) ?-? ?)?{_MONTH} {_YEAR}")
_SEMESTER = re.compile(rf"{_ORDINAL} semestre {_YEAR}")
_QUARTER = re.compile(rf"{_ORDINAL} trimestre {_YEAR}")
_SEASON = re.compile(rf"(?:(?:debut|fin|mi) ?-? ?)?({'|'.join(SEASONS)}) {_YEAR}(?: ?[/-] ?{_YEAR})?")
_YEAR_PART = re.compile(rf"(debut|fin) {_YEAR}")
_YEAR_ONLY = re.compile(_YEAR)
# Between two dates of one period: « de mai à octobre 2019 », « Novembre/Décembre 2017 », « 2019-2021 »,
# « Fin 2020 - Début 2021 ». Every split is tried: « mi-mars » has a hyphen that separates nothing.
_SEPARATOR = re.compile(r"\s*/\s*|\s*-\s*|\s+(?:a|au|jusqu'a|jusqu'en|et)\s+")
_LEADING = re.compile(r"^(?:(?:de|du|des|entre|en|courant)\s+|d')")
#: Longer texts are not a date (the sheets' longest is 34 characters).
_LONGEST = 80
_MARKUP = re.compile(r"\^\{([^}]*)\}")  # « 1^{er} »: superscripts as the conversion wrote them

Period = tuple[date, date, str]


def period_of(text: str) -> Period | None:
    """The period a planned date denotes: ``(first day, last day, precision)``, or ``None``.

    Covers what the sheets write: a day (« 15/03/2020 », « 1er mars 2020 »), a month (« Mars 2020 »,
    « 12/2020 », « début septembre 2020 »), « 1er/2nd semestre », « trimestre », a season (« Été 2021 »,
    bounds in :data:`SEASONS`), « début/fin AAAA » (a half year, :data:`YEAR_PARTS`), a year, and two of
    these joined (« 2019-2021 », « de mai à octobre 2019 », « Fin 2020 - Début 2021 ») as one
    ``periode``. A month without its year takes the year written after it. ``precision`` is one of
    :data:`PRECISIONS`. « ? », an empty text, a duration or anything else gives ``None``: a day is never
    guessed.

    Examples
    --------
    >>> period_of("Mars 2020")
    (datetime.date(2020, 3, 1), datetime.date(2020, 3, 31), 'mois')
    >>> period_of("2019-2020")
    (datetime.date(2019, 1, 1), datetime.date(2020, 12, 31), 'periode')
    >>> period_of("?") is None
    True
    """
    return _period(_normalise(text))


def plain_text(text: object) -> str:
    """A sheet's text for reading: the conversion's superscripts as plain letters (« 1^{er} » → « 1er »)."""
    return _MARKUP.sub(r"\1", str(text or ""))


def _normalise(text: object) -> str:
    folded = fold(plain_text(text))
    return folded.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-").strip(" .;,")


def _period(text: str) -> Period | None:
    text = _LEADING.sub("", text).strip()
    if not text or len(text) > _LONGEST:
        return None
    single = _single(text)
    if single is not None:
        return single
    for sep in _SEPARATOR.finditer(text):  # two dates at most: one split, no recursion
        before, after = _LEADING.sub("", text[: sep.start()]).strip(), text[sep.end() :].strip()
        right = _single(after)
        if right is None or not before:
            continue
        left = _single(before)
        if left is None and not _YEAR_ONLY.search(before):
            # « de mai à octobre 2019 »: the left date takes the year of the right one (or the one before)
            for year in (right[0].year, right[0].year - 1):
                left = _single(f"{before} {year}")
                if left is not None and left[0] <= right[0]:
                    break
        if left is not None and left[0] <= right[0] and left[1] <= right[1]:
            return left[0], right[1], "periode"
    return None


def _span(year: int, first: tuple[int, int], last: tuple[int, int], end_year: int | None = None) -> tuple[date, date]:
    return date(year, *first), date(end_year or year, *last)


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _single(text: str) -> Period | None:
    """One date, not two joined; ``None`` if it is not one of the forms of :func:`period_of`."""
    try:
        return _single_or_raise(text)
    except ValueError:  # 31/02/2020, month 13, year 0
        return None


def _single_or_raise(text: str) -> Period | None:
    if match := _DAY_NUMERIC.fullmatch(text):
        day = date(int(match[3]), int(match[2]), int(match[1]))
        return day, day, "jour"
    if match := _DAY_WORDS.fullmatch(text):
        day = date(int(match[3]), MONTHS[match[2]], 1 if match[1] == "1er" else int(match[1]))
        return day, day, "jour"
    if match := _MONTH_NUMERIC.fullmatch(text):
        return (*_month(int(match[2]), int(match[1])), "mois")
    if match := _MONTH_WORDS.fullmatch(text):
        return (*_month(int(match[2]), MONTHS[match[1]]), "mois")
    if match := _SEMESTER.fullmatch(text):
        half = _ORDINALS[match[1]]
        if half > 2:
            return None
        return (*_span(int(match[2]), (6 * half - 5, 1), (6 * half, 30 if half == 1 else 31)), "semestre")
    if match := _QUARTER.fullmatch(text):
        quarter, year = _ORDINALS[match[1]], int(match[2])
        return _month(year, 3 * quarter - 2)[0], _month(year, 3 * quarter)[1], "trimestre"
    if match := _SEASON.fullmatch(text):
        season, year = match[1], int(match[2])
        first, last = SEASONS[season]
        if season != "hiver":
            return None if match[3] else (*_span(year, first, last), "saison")
        if match[3] and int(match[3]) != year + 1:  # « hiver 2019/2020 » only
            return None
        return (*_span(year, first, last, year + 1), "saison")
    if match := _YEAR_PART.fullmatch(text):
        return (*_span(int(match[2]), *YEAR_PARTS[match[1]]), "semestre")
    if match := _YEAR_ONLY.fullmatch(text):
        return (*_span(int(match[1]), (1, 1), (12, 31)), "annee")
    return None


# --- reading and checking the files ---------------------------------------------------------------


@dataclass
class Plans:
    """The four files of the plans, checked: valid rows as DataFrames (with their file ``ligne``), and
    every problem found (``fichier:ligne: raison``). ``present`` is False when the folder has none of them."""

    fiches: pd.DataFrame
    jalons: pd.DataFrame
    indicateurs: pd.DataFrame
    financements: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rejected: int = 0
    present: bool = True

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "erreur"]

    def summary(self) -> str:
        """« 18 fiches, 44 jalons, … valides » for ``geodash validate``."""
        return (
            f"{len(self.fiches)} fiches projets, {len(self.jalons)} jalons, {len(self.indicateurs)} résultats et "
            f"indicateurs, {len(self.financements)} lignes de plans de financement valides"
        )


def financement_ids(folder: Path | None = None) -> set[str]:
    """Every ``id`` written in ``financements.csv`` (valid row or not: its own problems are reported
    by :func:`geodash.projects.load_project_data`, not once more as unknown financings here)."""
    rows, _ = read_rows(Path(folder or settings.projects_dir()) / "financements.csv", ["id"])
    return {r.values["id"] for r in rows if r.values.get("id")}


def load_plans(folder: Path | None = None, ids: set[str] | None = None) -> Plans:
    """Read and check the plans' files in ``folder`` (default ``data/projects``); never raises on bad content.

    ``ids`` are the known financings (default: :func:`financement_ids` of the same folder). A folder
    with none of the files has no plans (``present`` False, no problem): the plans are optional, but
    once one file is there, the others are expected.
    """
    folder = Path(folder or settings.projects_dir())
    paths = {name: folder / name for name in PLAN_FILES}
    empty = {name: _frame([], columns) for name, columns in PLAN_FILES.items()}
    if not any(p.exists() for p in paths.values()):
        return Plans(*empty.values(), present=False)
    ids = financement_ids(folder) if ids is None else ids
    problems: list[Problem] = []
    rejected = 0
    tables: dict[str, list[Row]] = {}
    for name, columns in PLAN_FILES.items():
        if not paths[name].exists():
            problems.append(Problem(name, 0, "fichier absent : les plans des fiches projets sont incomplets", rows=0))
            tables[name] = []
            continue
        rows, read_problems = read_rows(paths[name], columns, name=name)
        table = check_rows(rows, _checks(name, ids), name)
        problems += read_problems + table.problems
        rejected += table.rejected + sum(p.rows for p in read_problems if p.level == "erreur")
        tables[name] = table.rows
    if paths["fiches.csv"].exists():
        problems += _sheet_problems(tables)
    problems += _plan_problems(tables["plans_financement.csv"])
    frames = {name: _frame(tables[name], columns) for name, columns in PLAN_FILES.items()}
    indicateurs, financements = frames["indicateurs.csv"], frames["plans_financement.csv"]
    indicateurs["valeur_cible"] = _numbers(indicateurs["valeur_cible"])
    financements["montant_eur"] = _numbers(financements["montant_eur"])
    financements["part_pct"] = _numbers(financements["part_pct"])
    return Plans(frames["fiches.csv"], frames["jalons.csv"], indicateurs, financements, problems, rejected)


def _frame(rows: list[Row], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame([{**r.values, "ligne": r.line} for r in rows], columns=[*columns, "ligne"], dtype=object)
    frame = frame.fillna("")
    frame["ligne"] = frame["ligne"].astype(int)
    return frame


def _numbers(column: pd.Series) -> pd.Series:
    return pd.Series([parse_number(v) if v else np.nan for v in column], index=column.index, dtype=float)


def _ids(value: str) -> list[str]:
    return [i.strip() for i in value.split("|") if i.strip()]


def _checks(name: str, ids: set[str]) -> dict[str, Callable]:
    """The checks of one row of ``name``, column by column (the rules of :mod:`geodash.projects` for
    amounts and sources)."""

    def known(value: str, _row) -> str | None:
        if not value:
            return "valeur manquante"
        return None if value in ids else f"« {value} » n'est pas un id de financements.csv"

    def sheet_financing(value: str, _row) -> str | None:
        if not value:
            return "!aucun financement rapproché de cette fiche (la remarque doit dire pourquoi)"
        return known(value, _row)

    def others(value: str, _row) -> str | None:
        unknown = [i for i in _ids(value) if i not in ids]
        return f"« {', '.join(unknown)} » : pas un id de financements.csv" if unknown else None

    def milestone_text(value: str, _row) -> str | None:
        if not value:
            return "valeur manquante (« ? » si la fiche ne donne pas de date)"
        if any(c.isdigit() for c in value) and period_of(value) is None:
            return f"!« {value} » : date non reconnue, pas de ligne dans « geodash plans »"
        return None

    def share(number: float, value: str, _row) -> str | None:
        return None if 0 <= number <= 100 else f"part de {value} % : attendu entre 0 et 100"

    def target(_value: float, _text: str, row) -> str | None:
        return None if row.get("cible") else "!valeur cible sans la cible écrite (colonne cible)"

    def funder(value: str, row) -> str | None:
        if row.get("type") == "financeur" and not value:
            return "valeur manquante (le financeur tel que la fiche l'écrit)"
        return None

    def taxes(value: str, row) -> str | None:
        return None if not value else _one_of(TAXES)(value, row)

    common = {"financement_id": known, "source": _source}
    return {
        "fiches.csv": {
            "financement_id": sheet_financing,
            "autres_financements": others,
            "titre": _nonempty,
            "lignes": _source,
            "source": _source,
        },
        "jalons.csv": {**common, "jalon": _one_of(JALONS), "texte": milestone_text},
        "indicateurs.csv": {
            **common,
            "type": _one_of(INDICATOR_TYPES),
            "libelle": _nonempty,
            "valeur_cible": _number(target),
        },
        "plans_financement.csv": {
            **common,
            "type": _one_of(PLAN_LINE_TYPES),
            "financeur": funder,
            "montant_eur": _amount(),
            "part_pct": _number(share),
            "taxes": taxes,
        },
    }[name]


def _sheet_problems(tables: dict[str, list[Row]]) -> list[Problem]:
    """Warnings about the sheets: a financing given two sheets (on the second), a fact whose financing
    has no sheet."""
    seen: dict[str, int] = {}
    problems = []
    for row in tables["fiches.csv"]:
        fid = row.values["financement_id"]
        if fid and fid in seen:
            problems.append(
                Problem("fiches.csv", row.line, f"« {fid} » a déjà une fiche ligne {seen[fid]}", "avertissement")
            )
        seen.setdefault(fid, row.line)
        seen.update((other, row.line) for other in _ids(row.values["autres_financements"]) if other not in seen)
    for name in ("jalons.csv", "indicateurs.csv", "plans_financement.csv"):
        problems += [
            Problem(
                name,
                r.line,
                f"financement_id : « {r.values['financement_id']} » n'a pas de fiche dans fiches.csv",
                "avertissement",
            )
            for r in tables[name]
            if r.values["financement_id"] not in seen
        ]
    return problems


def _plan_problems(rows: list[Row], name: str = "plans_financement.csv") -> list[Problem]:
    """Each plan (financing and ``volet``) as a whole: its shares add up to 100 % when all are given (an
    error), and its funders' amounts to the stated total, each share matching its amount (warnings citing
    the lines of both)."""
    plans: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        plans.setdefault((row.values["financement_id"], row.values["volet"]), []).append(row)
    problems = []
    for (fid, volet), lines in plans.items():
        label = f"plan de financement {fid}" + (f" ({volet})" if volet else "")
        funders = [r for r in lines if r.values["type"] == "financeur"]
        totals = [r for r in lines if r.values["type"] == "total"]
        problems += [
            Problem(name, r.line, f"{label} : un seul total par plan (déjà ligne {totals[0].line})") for r in totals[1:]
        ]
        shares = [parse_number(r.values["part_pct"]) for r in funders if r.values["part_pct"]]
        if funders and len(shares) == len(funders) and abs(sum(shares) - 100) > SHARE_TOLERANCE_PCT:
            problems.append(
                Problem(
                    name,
                    funders[0].line,
                    f"{label} : les parts des financeurs totalisent {format_number(sum(shares), 2)} % "
                    f"au lieu de 100 % (lignes {_cite(funders)})",
                    rows=0,
                    limit=_LIMIT,
                )
            )
        if not totals or not totals[0].values["montant_eur"]:
            continue
        total = parse_number(totals[0].values["montant_eur"])
        amounts = [parse_number(r.values["montant_eur"]) for r in funders if r.values["montant_eur"]]
        complete = len(amounts) == len(funders)
        if funders and (
            sum(amounts) > total + AMOUNT_TOLERANCE_EUR or complete and sum(amounts) < total - AMOUNT_TOLERANCE_EUR
        ):
            problems.append(
                Problem(
                    name,
                    totals[0].line,
                    f"{label} : les financeurs totalisent {format_eur(sum(amounts))} (lignes {_cite(funders)})"
                    f"{'' if complete else ', montants non précisés exclus'} ; le coût total annoncé est "
                    f"{format_eur(total)} (ligne {_cite(totals[:1])})",
                    "avertissement",
                    limit=_LIMIT,
                )
            )
        for row in funders:
            if row.values["part_pct"] and row.values["montant_eur"] and total:
                stated, computed = (
                    parse_number(row.values["part_pct"]),
                    parse_number(row.values["montant_eur"]) / total * 100,
                )
                if abs(stated - computed) > SHARE_TOLERANCE_PCT:
                    problems.append(
                        Problem(
                            name,
                            row.line,
                            f"{label} : part de {format_number(stated, 2)} % annoncée, {format_number(computed, 2)} % "
                            f"du coût total (ligne {_cite(totals[:1])})",
                            "avertissement",
                        )
                    )
    return problems


_LIMIT = 2_000


def _cite(rows: list[Row]) -> str:
    """``"12 (document l. 1063), 13 (document l. 1064)"``: file lines and the document lines they cite."""
    return ", ".join(f"{r.line} (document l. {r.values['source']})" for r in rows)


# --- the milestones as periods --------------------------------------------------------------------


def milestones(jalons: pd.DataFrame) -> pd.DataFrame:
    """One row per dated milestone: :data:`MILESTONE_COLUMNS`, ``debut``/``fin`` as ISO dates.

    A milestone whose text gives no period (« ? », « Réunions de chantier ») has no row.
    """
    rows = []
    for row in jalons.to_dict("records"):
        period = period_of(row["texte"])
        if period is None:
            continue
        first, last, precision = period
        rows.append({**{c: row[c] for c in ("financement_id", "jalon", "texte", "source")},
                     "debut": first.isoformat(), "fin": last.isoformat(), "precision": precision})  # fmt: skip
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS, dtype=object)

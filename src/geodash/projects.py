"""Financements and chiffres clés: read, validate, join to the territories, total.

``data/projects/financements.csv`` holds one row per financing taken from the contracts (each with
the line numbers of the source document it comes from); ``chiffres_cles.csv`` holds the key figures
of each contract's section 7. Rows that fail a check are set aside and reported with their line;
projects that cannot be placed on the map are returned separately, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import settings
from .formatting import format_number, parse_number
from .style import NATURES, PERIODS, THEMES
from .tables import CheckedTable, Problem, Row, check_rows, read_rows
from .text import cell_text, fold

__all__ = [
    "Decision",
    "DELIBERATION_2019_117",
    "decision_of",
    "FINANCEMENT_COLUMNS",
    "FIELD_LIMITS",
    "CHIFFRE_COLUMNS",
    "ProjectData",
    "load_project_data",
    "validate_financements",
    "validate_chiffres",
    "financement_checks",
    "financements_from_rows",
    "chiffre_checks",
    "chiffres_from_rows",
    "project_data",
    "normalise_route",
    "normalise_road_number",
    "place_projects",
    "totals",
    "countable",
    "filter_projects",
    "financing_by_epci",
    "parse_source_lines",
    "source_votes",
    "search_column",
]

FINANCEMENT_COLUMNS = [
    "id",
    "epci_siren",
    "commune_insee",
    "intitule",
    "theme",
    "periode",
    "nature",
    "montant_departement_eur",
    "cout_total_eur",
    "maitre_ouvrage",
    "route",
    "source",
    "remarque",
]
#: Optional columns the app shows when present.
FINANCEMENT_OPTIONAL = ["description", "calendrier", "origine", "montant_texte", "doublon_de", "domaine"]
#: Longest text of each column of ``financements.csv``, in characters: a title fits a map label and a
#: table cell, a remark or a description a few paragraphs, a list of communes the largest EPCI's (103
#: codes: 617 characters). Checked with the other rules (file, import, staff page, where the fields take
#: no more): one overlong text would otherwise weigh on every page that shows its EPCI.
FIELD_LIMITS: dict[str, int] = {
    "id": 32,
    "epci_siren": 20,
    "commune_insee": 1_000,
    "intitule": 300,
    "theme": 40,
    "periode": 40,
    "nature": 40,
    "montant_departement_eur": 40,
    "cout_total_eur": 40,
    "maitre_ouvrage": 300,
    "route": 300,
    "source": 500,
    "remarque": 5_000,
    "description": 5_000,
    "calendrier": 300,
    "origine": 200,
    "montant_texte": 300,
    "doublon_de": 32,
    "domaine": 40,
}
CHIFFRE_COLUMNS = ["epci_siren", "indicateur", "valeur", "unite", "precision", "source"]
#: The ``precision`` codes of ``chiffres_cles.csv`` (their words: :func:`geodash.formatting.precision_word`).
PRECISIONS = ("exact", "minimum", "environ")
#: Amounts above this are taken for typing errors (the Département's whole budget is ~2 billion €).
#: Investment domains: key → (indicator of ``chiffres_cles.csv``, French label). Any other
#: ``*_investissement_2015_2018`` indicator found in the file is a domain too (see :func:`geodash.bilan._domains`).
DOMAINS: dict[str, tuple[str, str]] = {
    "routes": ("routes_investissement_2015_2018", "Routes"),
    "colleges": ("colleges_investissement_2015_2018", "Collèges"),
    "culture": ("culture_investissement_2015_2018", "Culture"),
    "sport": ("sport_investissement_2015_2018", "Sport"),
    "farda": ("farda_montant_2015_2018", "FARDA (aménagement rural)"),
    "assainissement": ("assainissement_investissement_2015_2018", "Assainissement"),
    "cis": ("cis_investissement_2015_2018", "Centres d'incendie et de secours"),
}
#: Values of the optional ``domaine`` column of ``financements.csv`` (``aucun``: no stated total).
DOMAIN_OVERRIDES = [*DOMAINS, "aucun"]

MAX_AMOUNT_EUR = 5e9

_LINES = re.compile(r"^\d+(-\d+)?$")
#: A vote of the Département, cited instead of source lines: "CP du 03/12/2018" (Commission
#: permanente) or "CD du 28/01/2019" (Conseil départemental).
_VOTE = re.compile(r"^(CP|CD) du (\d{2})/(\d{2})/(\d{4})$")
_ROUTE = re.compile(r"^\s*R?D\s*(\d+[A-Z]*\d*)\s*$", re.IGNORECASE)


_NATIONAL = re.compile(r"^\s*(A|RN|N)\s*(\d+[A-Z0-9]*)\s*$", re.IGNORECASE)


def normalise_road_number(value: object) -> str:
    """The Légende's spelling of a road number, for the project data and the road layer alike.

    ``D939``, ``RD 939``, ``RD939``, ``d 939`` → ``RD 939``; ``D1E1`` → ``RD 1E1``; ``A 16`` → ``A16``;
    ``RN 42`` → ``N42``; other text is kept as it is (trimmed); a missing value gives ``""``.

    Examples
    --------
    >>> normalise_road_number("D 939"), normalise_road_number("RN42")
    ('RD 939', 'N42')
    """
    text = cell_text(value)
    match = _ROUTE.match(text)
    if match:
        return f"RD {match.group(1).upper()}"
    match = _NATIONAL.match(text)
    if match:
        prefix = "A" if match.group(1).upper() == "A" else "N"
        return f"{prefix}{match.group(2).upper()}"
    return text


#: The former name, kept for callers of the project data.
normalise_route = normalise_road_number


def parse_source_lines(source: str) -> list[tuple[int, int]]:
    """``"989;1059-1066"`` → ``[(989, 989), (1059, 1066)]``; vote references (``CP du 03/12/2018``) are skipped."""
    spans = []
    for part in source.split(";"):
        if _VOTE.match(part.strip()):
            continue
        start, _, end = part.replace(" ", "").partition("-")
        spans.append((int(start), int(end or start)))
    return spans


def source_votes(source: str) -> list[tuple[str, date]]:
    """The votes a ``source`` cites, in its order: ``"989;CP du 03/12/2018"`` → ``[("CP", date(2018, 12, 3))]``
    (``CP``: Commission permanente, ``CD``: Conseil départemental); impossible dates are skipped (validation
    reports them)."""
    votes = []
    for part in source.split(";"):
        match = _VOTE.match(part.strip())
        if match:
            try:
                votes.append((match.group(1), date(int(match.group(4)), int(match.group(3)), int(match.group(2)))))
            except ValueError:
                continue
    return votes


@dataclass(frozen=True)
class Decision:
    """A decision that attributes a subsidy: ``reference`` is written in ``referenceDecision``."""

    reference: str
    date: date
    label: str


#: Délibération n° 2019-117 du Conseil départemental du 29 avril 2019 (l. 186-218): its articles 2 to 20
#: (l. 240-314) each attribute one subsidy, of a stated amount, to one beneficiary they name.
DELIBERATION_2019_117 = Decision("2019-117", date(2019, 4, 29), "délibération 2019-117 du 29 avril 2019")
_DELIBERATION_ARTICLES = (240, 315)

_VOTE_BODIES = {"CP": "Commission permanente", "CD": "Conseil départemental"}


def decision_of(source: str) -> Decision | None:
    """The attribution decision a financing's ``source`` cites: the délibération 2019-117 when it cites one
    of its articles, else the last vote it names (``CP du 03/12/2018``); ``None`` when it cites neither."""
    low, high = _DELIBERATION_ARTICLES
    if any(start <= high and end >= low for start, end in parse_source_lines(source)):
        return DELIBERATION_2019_117
    votes = source_votes(source)
    if not votes:
        return None
    body, day = votes[-1]
    return Decision(f"{body} du {day:%d/%m/%Y}", day, f"{_VOTE_BODIES[body]} du {day:%d/%m/%Y}")


def _one_of(allowed) -> callable:
    allowed = list(allowed)

    def check(value: str, _row) -> str | None:
        if value not in allowed:
            return f"« {value} » n'est pas une valeur permise ({', '.join(allowed)})"
        return None

    return check


def _number(rule: Callable[[float, str, dict], str | None], required: bool = False) -> Callable:
    """A cell holding a number (:func:`parse_number`: ``1443000``, ``52357.2`` or ``1 443 000``), empty unless
    ``required``, then ``rule(number, cell, row)``: the check of every number of the project files."""

    def check(value: str, row) -> str | None:
        if not value:
            return "valeur manquante" if required else None
        try:
            number = parse_number(value)
        except ValueError as exc:
            return str(exc)
        if not np.isfinite(number):
            return f"« {value} » n'est pas un nombre fini"
        return rule(number, value, row)

    return check


def _amount(required: bool = False):
    def rule(number: float, value: str, _row) -> str | None:
        if number < 0:
            return f"montant négatif ({value})"
        if number > MAX_AMOUNT_EUR:
            return f"montant invraisemblable ({value} €)"
        return None

    return _number(rule, required)


def _source(value: str, _row) -> str | None:
    for part in value.split(";"):
        vote = _VOTE.match(part.strip())
        if vote:
            try:
                date(int(vote.group(4)), int(vote.group(3)), int(vote.group(2)))
            except ValueError:
                return f"« {part.strip()} » : date de vote impossible"
        elif not _LINES.match(part.replace(" ", "")):
            return (
                f"« {value} » : attendu des numéros de ligne du document source (ex. 1299-1300;1305) "
                "ou la référence d'un vote (ex. CP du 03/12/2018)"
            )
    return None


def _domain(value: str, row) -> str | None:
    """Optional ``domaine``: the stated total a 2015-2018 amount belongs to, when the rule of
    :func:`geodash.bilan.project_domain` would be wrong (``aucun``: none)."""
    return None if not value else _one_of(DOMAIN_OVERRIDES)(value, row)


def _nonempty(value: str, _row) -> str | None:
    return None if value else "valeur manquante"


def _within(limit: int, check: Callable | None = None) -> Callable:
    """``check``, once the value is no longer than ``limit`` characters (the reason says it otherwise)."""

    def checked(value: str, row) -> str | None:
        if len(value) > limit:
            return f"{format_number(len(value))} caractères : {format_number(limit)} au plus"
        return check(value, row) if check is not None else None

    return checked


@dataclass
class ProjectData:
    """Validated project tables and everything that was said about them."""

    financements: pd.DataFrame
    chiffres: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rejected: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "erreur"]


def validate_financements(
    source: Path | bytes, epci_sirens: set[str], communes: pd.DataFrame, *, name: str | None = None
) -> tuple[pd.DataFrame, CheckedTable]:
    """Read and check ``financements.csv``; return the valid rows as a typed DataFrame."""
    name = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "financements.csv")
    rows, problems = read_rows(source, FINANCEMENT_COLUMNS, name=name)
    return financements_from_rows(rows, epci_sirens, communes, name=name, problems=problems)


def financement_checks(epci_sirens: set[str], communes: pd.DataFrame) -> dict[str, Callable]:
    """The checks of one financing, column by column: the one rule set of the CSV files and the staff page."""
    commune_epci = dict(zip(communes["insee"], communes["epci_siren"]))

    def check_id(value: str, row) -> str | None:
        if not value:
            return "identifiant manquant"
        return None

    def check_epci(value: str, _row) -> str | None:
        return None if value in epci_sirens else f"EPCI « {value} » inconnu (SIREN attendu)"

    def check_communes(value: str, row) -> str | None:
        if not value:
            return None
        codes = [c.strip() for c in value.split("|")]
        unknown = [c for c in codes if c not in commune_epci]
        if unknown:
            return f"commune(s) inconnue(s) : {', '.join(unknown)}"
        elsewhere = [c for c in codes if commune_epci[c] != row.get("epci_siren")]
        if elsewhere:
            return f"!commune(s) hors de l'EPCI {row.get('epci_siren')} : {', '.join(elsewhere)}"
        return None

    def check_nature(value: str, row) -> str | None:
        reason = _one_of(NATURES)(value, row)
        if reason is None and value == "engagement" and row.get("montant_departement_eur"):
            return "!un engagement ne devrait pas avoir de montant"
        return reason

    checks = {
        "id": check_id,
        "epci_siren": check_epci,
        "commune_insee": check_communes,
        "intitule": _nonempty,
        "theme": _one_of(THEMES),
        "periode": _one_of(PERIODS),
        "nature": check_nature,
        "montant_departement_eur": _amount(),
        "cout_total_eur": _amount(),
        "source": _source,
        "domaine": _domain,
    }
    return {column: _within(limit, checks.get(column)) for column, limit in FIELD_LIMITS.items()}


def financements_from_rows(
    rows: list[Row],
    epci_sirens: set[str],
    communes: pd.DataFrame,
    *,
    name: str = "financements.csv",
    problems: list[Problem] | None = None,
) -> tuple[pd.DataFrame, CheckedTable]:
    """Check financing rows (from a CSV file or the database) and type the valid ones as a DataFrame."""
    problems = problems or []
    seen: dict[str, int] = {}
    table = check_rows(rows, financement_checks(epci_sirens, communes), name)
    table.problems[:0] = problems
    table.rejected += sum(p.rows for p in problems if p.level == "erreur")
    kept = []
    for row in table.rows:  # duplicate ids: the first wins, later ones are reported and set aside
        rid = row.values["id"]
        if rid in seen:
            table.problems.append(Problem(name, row.line, f"id : « {rid} » déjà utilisé ligne {seen[rid]}"))
            table.rejected += 1
            continue
        seen[rid] = row.line
        kept.append(row)
    table.rows = kept
    frame = pd.DataFrame(
        [{**r.values, "ligne": r.line} for r in kept],
        columns=FINANCEMENT_COLUMNS + FINANCEMENT_OPTIONAL + ["ligne"],
        dtype=object,
    )
    frame = frame.fillna("")
    for col in ("montant_departement_eur", "cout_total_eur"):
        frame[col] = [parse_number(v) if v else np.nan for v in frame[col]]
    frame["montant_departement_eur"] = frame["montant_departement_eur"].astype(float)
    frame["cout_total_eur"] = frame["cout_total_eur"].astype(float)
    frame["route"] = frame["route"].map(normalise_route)
    frame["commune_insee"] = frame["commune_insee"].map(
        lambda v: "|".join(c.strip() for c in str(v).split("|")) if v else ""
    )
    frame["ligne"] = frame["ligne"].astype(int)
    return frame, table


def validate_chiffres(
    source: Path | bytes, epci_sirens: set[str], *, name: str | None = None
) -> tuple[pd.DataFrame, CheckedTable]:
    """Read and check ``chiffres_cles.csv``."""
    name = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "chiffres_cles.csv")
    rows, problems = read_rows(source, CHIFFRE_COLUMNS, name=name)
    return chiffres_from_rows(rows, epci_sirens, name=name, problems=problems)


def chiffre_checks(epci_sirens: set[str]) -> dict[str, Callable]:
    """The checks of one key figure, column by column."""

    def check_value(value: str, _row) -> str | None:
        try:
            number = parse_number(value)
        except ValueError as exc:
            return str(exc)
        return None if np.isfinite(number) else f"« {value} » n'est pas un nombre fini"

    return {
        "epci_siren": lambda v, _r: None if v in epci_sirens else f"EPCI « {v} » inconnu (SIREN attendu)",
        "indicateur": _nonempty,
        "valeur": check_value,
        "precision": _one_of(PRECISIONS),
        "source": _source,
    }


def chiffres_from_rows(
    rows: list[Row], epci_sirens: set[str], *, name: str = "chiffres_cles.csv", problems: list[Problem] | None = None
) -> tuple[pd.DataFrame, CheckedTable]:
    """Check key-figure rows (from a CSV file or the database) and type the valid ones as a DataFrame."""
    problems = problems or []
    table = check_rows(rows, chiffre_checks(epci_sirens), name)
    table.problems[:0] = problems
    table.rejected += sum(p.rows for p in problems if p.level == "erreur")
    frame = pd.DataFrame(
        [{**r.values, "ligne": r.line} for r in table.rows],
        columns=CHIFFRE_COLUMNS + ["libelle", "ligne"],
        dtype=object,
    ).fillna("")
    frame["valeur"] = [parse_number(v) for v in frame["valeur"]]
    frame["valeur"] = frame["valeur"].astype(float)
    return frame, table


def load_project_data(communes: pd.DataFrame, epci_sirens: set[str], folder: Path | None = None) -> ProjectData:
    """Load both project files from ``folder`` (default ``data/projects``); never raises on bad content."""
    folder = Path(folder or settings.projects_dir())
    fin = validate_financements(folder / "financements.csv", epci_sirens, communes)
    chi = validate_chiffres(folder / "chiffres_cles.csv", epci_sirens)
    return project_data(fin, chi, communes)


def project_data(
    financements: tuple[pd.DataFrame, CheckedTable], chiffres: tuple[pd.DataFrame, CheckedTable], communes: pd.DataFrame
) -> ProjectData:
    """Checked financings and key figures (from the CSV files or the database) as the app's :class:`ProjectData`."""
    (fin, fin_table), (chi, chi_table) = financements, chiffres
    fin["recherche"] = search_column(fin, dict(zip(communes["insee"], communes["nom"])))
    return ProjectData(
        financements=fin,
        chiffres=chi,
        problems=fin_table.problems + chi_table.problems,
        rejected=fin_table.rejected + chi_table.rejected,
    )


#: Radius (metres) of the ring on which markers sharing a commune are spread.
SPREAD_RADIUS_M = 900.0


def place_projects(financements: pd.DataFrame, communes: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Give each project a point: inside its commune, or at the centre of its communes.

    A project with several communes gets one marker at the representative point of their union (so
    it is counted once). Markers that fall on the same spot are spread on a small ring so none hides
    another. Returns ``(placed, unplaced)``; ``unplaced`` holds the EPCI-wide items (no commune),
    shown in the EPCI's side box.
    """
    has_place = financements["commune_insee"].astype(str).str.strip() != ""
    unplaced = financements[~has_place].copy()
    located = financements[has_place].copy()
    metric = communes.to_crs(settings.CRS_METRIC)
    shapes = dict(zip(metric["insee"], metric.geometry.to_numpy()))  # one look-up per code, not a GeoSeries'

    def point(codes: str):
        geoms = [shapes[c] for c in codes.split("|") if c in shapes]
        return shapely.union_all(geoms).representative_point() if geoms else None

    found: dict[str, object] = {}  # projects of the same communes share their point
    points = [found[c] if c in found else found.setdefault(c, point(c)) for c in located["commune_insee"].astype(str)]
    placed = gpd.GeoDataFrame(located, geometry=points, crs=settings.CRS_METRIC)
    lost = placed.geometry.isna()
    if lost.any():  # unknown commune codes are rejected by validation; kept listed just in case
        unplaced = pd.concat([unplaced, placed.loc[lost].drop(columns="geometry")])
        placed = placed.loc[~lost]
    placed = _spread(placed)
    return placed.to_crs(settings.CRS_WEB), pd.DataFrame(unplaced)


def _spread(placed: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if placed.empty:
        return placed
    xy = shapely.get_coordinates(placed.geometry.to_numpy())
    keys = [f"{x:.0f}:{y:.0f}" for x, y in xy]
    out = xy.copy()
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    for members in groups.values():
        n = len(members)
        if n == 1:
            continue
        radius = SPREAD_RADIUS_M * (1 + n / 8)
        for k, i in enumerate(members):
            angle = 2 * np.pi * k / n
            out[i] = xy[i] + radius * np.array([np.cos(angle), np.sin(angle)])
    return placed.set_geometry(shapely.points(out), crs=placed.crs)


def filter_projects(
    financements: pd.DataFrame,
    *,
    epci: str | None = None,
    themes: list[str] | None = None,
    periodes: list[str] | None = None,
    natures: list[str] | None = None,
    amount_range: tuple[float, float] | None = None,
    text: str = "",
    commune_names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The projects that match every given filter (``None`` means no filter on that field).

    ``amount_range`` keeps projects without an amount only when the range starts at 0. ``text``
    searches the title, description, maître d'ouvrage and commune names, case- and accent-insensitive.
    """
    mask = pd.Series(True, index=financements.index)
    if epci:
        mask &= financements["epci_siren"] == epci
    if themes is not None:
        mask &= financements["theme"].isin(themes)
    if periodes is not None:
        mask &= financements["periode"].isin(periodes)
    if natures is not None:
        mask &= financements["nature"].isin(natures)
    if amount_range is not None:
        low, high = amount_range
        amount = financements["montant_departement_eur"]
        in_range = amount.between(low, high)
        mask &= in_range | (amount.isna() & (low <= 0))
    if text.strip():
        # The app folds the search text once at load time (load_project_data); other callers fold here.
        searched = (
            financements["recherche"]
            if "recherche" in financements
            else search_column(financements, commune_names or {})
        )
        mask &= searched.str.contains(fold(text), regex=False)
    return financements[mask]


def search_column(financements: pd.DataFrame, commune_names: dict[str, str]) -> pd.Series:
    """Lower-case, accent-free text searched by :func:`filter_projects` (title, description, maître
    d'ouvrage, road, commune names), computed once when the data is loaded."""
    text = (
        financements["intitule"].astype(str)
        + " "
        + financements.get("description", "").astype(str)
        + " "
        + financements["maitre_ouvrage"].astype(str)
        + " "
        + financements["route"].astype(str)
        + " "
        + financements["commune_insee"].map(
            lambda codes: " ".join(commune_names.get(c, "") for c in str(codes).split("|"))
        )
    )
    return text.map(fold)


def totals(financements: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Département amount and project count grouped by ``by`` (e.g. ``["epci_siren", "theme"]``).

    Each row of ``financements`` is one financing, so a project spanning several communes is
    counted once.
    """
    grouped = financements.groupby(by, dropna=False)
    return pd.DataFrame(
        {
            "montant_eur": grouped["montant_departement_eur"].sum(min_count=0),
            "projets": grouped.size(),
        }
    ).reset_index()


def countable(financements: pd.DataFrame) -> pd.DataFrame:
    """Rows that count in totals: a financing repeated in several contracts counts once."""
    if "doublon_de" not in financements:
        return financements
    return financements[financements["doublon_de"].fillna("").astype(str) == ""]


def financing_by_epci(financements: pd.DataFrame, epci: pd.DataFrame) -> pd.DataFrame:
    """Département amount per EPCI, total and per inhabitant (choropleth and comparisons)."""
    sums = countable(financements).groupby("epci_siren")["montant_departement_eur"].sum()
    out = epci[["siren", "nom_court", "population"]].copy()
    out["montant_eur"] = out["siren"].map(sums).fillna(0.0)
    out["par_habitant"] = out["montant_eur"] / out["population"]
    return out

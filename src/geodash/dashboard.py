"""What the page computes, apart from widgets: key figures, tables, downloads.

Pure functions on DataFrames so that the Streamlit script (``app.py``) only wires widgets to them
and everything here is tested without a browser.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .comparison import amount_sum_text
from .formatting import NBSP, format_eur, format_number, precision_prefix, precision_word
from .projects import countable, financing_by_epci  # totals live with the projects
from .style import NATURES, PERIODS, THEMES
from .text import visible_text

__all__ = [
    "countable",
    "Grid",
    "french_grid",
    "MISSING_AMOUNT",
    "INDICATOR_LABELS",
    "financing_by_epci",
    "key_figures",
    "project_table",
    "projects_file_stem",
    "theme_period_table",
    "neutralise_formula",
    "place_names",
    "to_csv_bytes",
    "to_xlsx_bytes",
]

TABLE_COLUMNS = {
    "numero": "N°",
    "intitule": "Projet",
    "communes": "Lieu",
    "theme": "Thématique",
    "periode": "Période",
    "nature": "Nature",
    "montant_departement_eur": "Montant du Département (€)",
    "cout_total_eur": "Coût total (€)",
    "maitre_ouvrage": "Maîtrise d'ouvrage",
    "route": "Route",
    "source": "Lignes du document source",
    "remarque": "Remarque",
    "id": "Identifiant",
}


#: The key figures' indicators in French (``chiffres_cles.csv``'s ``indicateur``); an indicator not
#: listed is shown by its identifier with spaces.
INDICATOR_LABELS = {
    "population": "Population",
    "population_pas_de_calais": "Population du Pas-de-Calais",
    "nb_communes": "Communes",
    "apa_beneficiaires": "Bénéficiaires de l'APA (2017)",
    "apa_montant": "Allocation personnalisée d'autonomie (APA, 2017)",
    "pch_beneficiaires": "Bénéficiaires de la PCH (2017)",
    "pch_montant": "Prestation de compensation du handicap (PCH, 2017)",
    "rsa_foyers": "Foyers bénéficiaires du RSA (2017)",
    "rsa_montant": "Revenu de solidarité active (RSA, 2017)",
    "assistantes_familiales": "Assistantes familiales",
    "colleges": "Collèges publics",
    "collegiens": "Collégiens",
    "demi_pensionnaires_pct": "Demi-pensionnaires",
    "repas_par_an": "Repas servis par an",
    "colleges_fonctionnement_annuel": "Fonctionnement des collèges (par an)",
    "colleges_investissement_2015_2018": "Investissement dans les collèges (2015-2018)",
    "routes_investissement_2015_2018": "Investissement routier (2015-2018)",
    "culture_investissement_2015_2018": "Investissement culturel (2015-2018)",
    "sport_investissement_2015_2018": "Investissement sportif (2015-2018)",
    "assainissement_investissement_2015_2018": "Investissement en assainissement (2015-2018)",
    "cis_investissement_2015_2018": "Investissement dans les centres de secours (2015-2018)",
    "subventions_fonctionnement_culture_sport_2017_2018": "Subventions de fonctionnement culture et sport (2017-2018)",
    "subventions_fonctionnement_culture_2017_2018": "Subventions de fonctionnement culture (2017-2018)",
    "farda_projets": "Projets aidés par le FARDA (2015-2018)",
    "farda_communes": "Communes aidées par le FARDA (2015-2018)",
    "farda_montant_2015_2018": "Aides du FARDA (2015-2018)",
    "agents_amenagement_grand_territoire": "Agents de l'aménagement (grand territoire)",
    "agents_amenagement_intercommunalite": "Agents de l'aménagement (intercommunalité)",
    "agents_solidarites": "Agents des solidarités",
    "agents_solidarites_intercommunalite": "Agents des solidarités (intercommunalité)",
    "agents_solidarites_grand_territoire": "Agents des solidarités (grand territoire)",
    "sdis_fonctionnement_annuel_departement": "Fonctionnement du SDIS (par an, tout le département)",
    "routes_departementales_km": "Routes départementales",
    "routes_departementales_km_1ere_categorie": "Routes départementales de 1re catégorie",
    "routes_departementales_km_2e_categorie": "Routes départementales de 2e catégorie",
    "routes_departementales_km_3e_categorie": "Routes départementales de 3e catégorie",
    "engagement_contrat_developpement_territorial_2015": "Contrat de développement territorial 2015",
}


def key_figures(chiffres: pd.DataFrame, siren: str) -> pd.DataFrame:
    """The contract's key figures of one EPCI: indicator | value | precision | source lines.

    The value carries its precision ("au moins 1 530 000 €"), written again in its own column so
    that it can be read or sorted on; the source's own wording is not repeated.
    """
    rows = chiffres[chiffres["epci_siren"] == siren]
    out = []
    for _, r in rows.iterrows():
        unit = str(r["unite"])
        number = r["valeur"]
        value = (
            format_eur(number)
            if unit == "€"
            else (f"{format_number(number, 0 if float(number).is_integer() else 1)}{NBSP}{unit}".strip())
        )
        precision = str(r["precision"])
        ident = str(r["indicateur"])
        out.append(
            {
                "Indicateur": INDICATOR_LABELS.get(ident, ident.replace("_", " ").capitalize()),
                "Valeur": f"{precision_prefix(precision)}{value}",
                "Précision": precision_word(precision),
                "Source (lignes)": str(r["source"]).replace(";", ", "),
            }
        )
    return pd.DataFrame(out, columns=["Indicateur", "Valeur", "Précision", "Source (lignes)"])


def _amount(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 2)


#: What a page table shows in an empty amount cell.
MISSING_AMOUNT = "montant non précisé"

#: How a numeric column of a page table is written (French, on the server).
TABLE_FORMATS: dict[str, Callable[[float], str]] = {
    "Population": lambda v: format_number(v),
    "Montant du Département (€)": _amount,
    "Coût total (€)": _amount,
    "€ par habitant": lambda v: format_number(v, 2),
}


@dataclass(frozen=True)
class Grid:
    """A sortable page table as the page's table component draws it (``static/datagrid.js``).

    ``text`` is the table as JSON, written once per view and sent as it is: the column names, each
    row's cells as French text (« 1 443 000 », « montant non précisé »), and for each numeric column
    the numbers the table sorts on. ``key`` names the table (a digest of ``text``): the component
    builds a table once, and a run that hands the same table again costs the browser nothing.
    Every text is plain text without control characters (:func:`geodash.text.visible_text`), which the
    component sets as text, never as HTML.
    """

    text: str
    key: str
    rows: int

    @property
    def data(self) -> dict:
        """The table as Python values (tests and tools; the page sends :attr:`text`)."""
        return json.loads(self.text)

    def frame(self) -> pd.DataFrame:
        """The text a visitor reads, as a DataFrame (tests and tools)."""
        data = self.data
        return pd.DataFrame(data["rows"], columns=[c["name"] for c in data["columns"]])


def _cell_texts(values: pd.Series) -> tuple[list[str], list[float | None] | None]:
    """One column's cells as shown, and the numbers it sorts on (``None``: a column of text)."""
    name = values.name
    if name == "N°":
        numbers = [None if pd.isna(v) else int(v) for v in values]
        return ["" if n is None else str(n) for n in numbers], numbers
    if name in TABLE_FORMATS:
        fmt = TABLE_FORMATS[name]
        numbers = [None if pd.isna(v) else float(v) for v in values]
        return [MISSING_AMOUNT if n is None else fmt(n) for n in numbers], numbers
    return [visible_text(v) for v in values], None  # a missing value is empty


def french_grid(frame: pd.DataFrame) -> Grid:
    """``frame`` as a :class:`Grid`: shown in French whatever the browser's locale ("1 443 000",
    "721,88"), sorted on its numbers; a missing amount reads "montant non précisé", an empty text cell
    is empty (not "None"), a marker number is text ("" for the EPCI-wide items).

    The numbers are written by the server (:data:`TABLE_FORMATS`), so the browser's language changes
    nothing; the table is a plain HTML table (real headers, read by screen readers), not a drawn grid.
    """
    columns, cells, keys = [], [], {}
    for i, name in enumerate(frame.columns):
        shown, numbers = _cell_texts(frame[name])
        columns.append({"name": visible_text(str(name)), "numeric": numbers is not None})
        cells.append(shown)
        if numbers is not None:
            keys[str(i)] = numbers
    rows = [list(row) for row in zip(*cells)] if cells else []
    text = json.dumps({"columns": columns, "rows": rows, "keys": keys}, ensure_ascii=False, separators=(",", ":"))
    return Grid(text=text, key=hashlib.sha1(text.encode("utf-8")).hexdigest()[:16], rows=len(frame))


def theme_period_table(financements: pd.DataFrame) -> pd.DataFrame:
    """Département amounts by theme (rows) and period (columns), French text.

    A cell sums the projects named with an amount: « au moins … » when some of its projects give none,
    « montant non précisé » when none does, « – » when there is no project; never 0 €.
    """
    data = countable(financements)
    amounts = data["montant_departement_eur"]
    every = pd.Series(True, index=data.index)
    cells = {}
    for period in [*PERIODS, "Total"]:
        in_period = data["periode"] == period if period in PERIODS else every
        cells[PERIODS[period].label if period in PERIODS else period] = [
            amount_sum_text(amounts[in_period & (data["theme"] == theme if theme in THEMES else every)])
            for theme in [*THEMES, "Total"]
        ]
    return pd.DataFrame(cells, index=pd.Index([*THEMES, "Total"], name="Thématique"))


#: Where an EPCI-wide project is, in every table and popup.
WHOLE_EPCI = "Ensemble de l'intercommunalité"


def place_names(codes: object, commune_names: dict[str, str]) -> str:
    """``"62702|62088"`` → ``"Remilly-Wirquin, Bayenghem-lès-Seninghem"``; no commune: :data:`WHOLE_EPCI`."""
    return ", ".join(commune_names.get(c, c) for c in str(codes).split("|") if c) or WHOLE_EPCI


def project_table(financements: pd.DataFrame, numbers: pd.Series, commune_names: dict[str, str]) -> pd.DataFrame:
    """Table of projects with French column names (amounts stay numeric so the table sorts)."""
    data = financements[[c for c in financements.columns if c in TABLE_COLUMNS or c == "commune_insee"]].copy()
    data["numero"] = numbers.reindex(data.index)
    data["communes"] = data["commune_insee"].map(lambda codes: place_names(codes, commune_names))
    data["nature"] = data["nature"].map(NATURES).fillna(data["nature"])
    data = data.sort_values(["numero", "id"], na_position="last")
    return data[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS).reset_index(drop=True)


def projects_file_stem(epci: str | None) -> str:
    """Name (no extension) of the CSV/Excel download of the project table."""
    return "projets_" + (epci or "pas-de-calais")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def road_length_table(lengths: pd.DataFrame, siren: str) -> pd.DataFrame:
    """Road length per category of one EPCI (from ``layers.road_length_by_category``), French labels."""
    from .style import ROAD_CLASSES

    row = lengths[lengths["siren"] == siren].iloc[0]
    out = [
        {"Réseau": ROAD_CLASSES[k].label, "Longueur": f"{format_number(row[k], 1)} km"}
        for k in ROAD_CLASSES
        if k in row.index and row[k] > 0
    ]
    out.append(
        {"Réseau": "Total des routes départementales", "Longueur": f"{format_number(row['départementales'], 1)} km"}
    )
    return pd.DataFrame(out, columns=["Réseau", "Longueur"])


def neutralise_formula(value):
    """A text cell as a spreadsheet must receive it: control characters removed (an XLSX file cannot
    hold them), and prefixed with ``'`` when a spreadsheet would run it as a formula (CSV/XLSX injection)."""
    if isinstance(value, str):
        value = visible_text(value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(
        lambda col: col.map(neutralise_formula) if col.dtype == object or pd.api.types.is_string_dtype(col) else col
    )


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM and ``;`` so that Excel in French opens it right."""
    # CRLF line ends make pandas quote a cell holding a lone "\r", which Excel would split.
    return _safe(frame).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Projets") -> bytes:
    """XLSX workbook of the table, formula-like text neutralised."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _safe(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()

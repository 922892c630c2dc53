"""What the page computes, apart from widgets: key figures, tables, downloads.

Pure functions on DataFrames so that the Streamlit script (``app.py``) only wires widgets to them
and everything here is tested without a browser.
"""

from __future__ import annotations

import io

import pandas as pd

from .comparison import amount_sum_text
from .formatting import format_eur, format_number
from .projects import PRECISIONS, countable, financing_by_epci  # totals live with the projects
from .style import NATURES, PERIODS, THEMES

__all__ = [
    "countable",
    "financing_by_epci",
    "key_figures",
    "project_table",
    "amounts_as_text",
    "projects_file_stem",
    "theme_period_table",
    "neutralise_formula",
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


def key_figures(chiffres: pd.DataFrame, siren: str) -> pd.DataFrame:
    """The contract's key figures of one EPCI, with "plus de"/"près de" kept, ready to show."""
    rows = chiffres[chiffres["epci_siren"] == siren]
    out = []
    for _, r in rows.iterrows():
        unit = str(r["unite"])
        value = (
            format_eur(r["valeur"])
            if unit == "€"
            else (f"{format_number(r['valeur'], 0 if float(r['valeur']).is_integer() else 1)} {unit}".strip())
        )
        prefix = PRECISIONS.get(str(r["precision"]), "")
        label = str(r.get("libelle") or r["indicateur"])
        out.append({"Indicateur": label, "Valeur": f"{prefix}{value}", "Source (lignes)": str(r["source"])})
    return pd.DataFrame(out, columns=["Indicateur", "Valeur", "Source (lignes)"])


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


def project_table(financements: pd.DataFrame, numbers: pd.Series, commune_names: dict[str, str]) -> pd.DataFrame:
    """Table of projects with French column names (amounts stay numeric so the table sorts)."""
    data = financements.copy()
    data["numero"] = numbers.reindex(data.index)
    data["communes"] = data["commune_insee"].map(
        lambda codes: (
            ", ".join(commune_names.get(c, c) for c in str(codes).split("|") if c) or "Ensemble de l'intercommunalité"
        )
    )
    data["nature"] = data["nature"].map(NATURES).fillna(data["nature"])
    data = data.sort_values(["numero", "id"], na_position="last")
    return data[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS).reset_index(drop=True)


AMOUNT_COLUMNS = ("Montant du Département (€)", "Coût total (€)")


def amounts_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """The project table for the page: amounts in French (« 1 443 000 € »), « montant non précisé »
    where the source gives none, never an empty cell that reads as 0."""
    out = table.copy()
    for col in AMOUNT_COLUMNS:
        if col in out:
            out[col] = out[col].map(format_eur)
    return out


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
    """Prefix text cells that a spreadsheet would run as a formula (CSV/XLSX injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
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

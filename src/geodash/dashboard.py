"""What the page computes, apart from widgets: key figures, tables, downloads.

Pure functions on DataFrames so that the Streamlit script (``app.py``) only wires widgets to them
and everything here is tested without a browser.
"""

from __future__ import annotations

import io

import pandas as pd

from .formatting import format_eur, format_number, format_per_inhabitant
from .projects import PRECISIONS, countable, financing_by_epci  # totals live with the projects
from .style import NATURES, PERIODS, THEMES

__all__ = [
    "countable",
    "epci_table",
    "financing_by_epci",
    "key_figures",
    "project_table",
    "projects_file_stem",
    "theme_period_table",
    "neutralise_formula",
    "to_csv_bytes",
    "to_xlsx_bytes",
    "summary_line",
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


EPCI_TABLE_COLUMNS = {
    "nom_court": "Intercommunalité",
    "population": "Population",
    "montant_eur": "Montant du Département (€)",
    "par_habitant": "€ par habitant",
}


def epci_table(by_epci: pd.DataFrame) -> pd.DataFrame:
    """The per-EPCI table (from :func:`financing_by_epci`) with French column names, numbers kept numeric."""
    return by_epci.round({"par_habitant": 2})[list(EPCI_TABLE_COLUMNS)].rename(columns=EPCI_TABLE_COLUMNS)


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
    """Département amounts by theme (rows) and period (columns), French labels and amounts."""
    data = countable(financements)
    table = data.pivot_table(
        index="theme", columns="periode", values="montant_departement_eur", aggfunc="sum", fill_value=0.0
    )
    table = table.reindex(index=list(THEMES), columns=list(PERIODS), fill_value=0.0)
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    shown = table.map(format_eur)
    shown.columns = [PERIODS[c].label if c in PERIODS else c for c in shown.columns]
    shown.index.name = "Thématique"
    return shown


def summary_line(financements: pd.DataFrame, population: int, dept_per_inhabitant: float) -> str:
    """One French sentence: total, count, per inhabitant, compared with the département."""
    data = countable(financements)
    total = data["montant_departement_eur"].sum()
    per = total / population if population else float("nan")
    n = len(financements)
    return (
        f"{n} projet{'s' if n > 1 else ''} ; {format_eur(total)} du Département, "
        f"soit {format_per_inhabitant(per)} (Pas-de-Calais : {format_per_inhabitant(dept_per_inhabitant)})."
    )


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

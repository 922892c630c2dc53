"""Page computations: key figures, tables, safe downloads."""

import csv
import io

import numpy as np
import openpyxl
import pandas as pd

from geodash import dashboard
from geodash.formatting import NBSP, format_number

LUMBRES = "246201016"


def test_key_figures_say_au_moins_and_environ(data):
    """The contracts' « plus de » and « près de » read « au moins » and « environ », as everywhere else."""
    figures = dashboard.key_figures(data.chiffres, LUMBRES)
    assert len(figures) > 15
    assert any(v.replace(NBSP, " ") == "au moins 6 900 000 €" for v in figures["Valeur"])  # « plus de 6,90 millions »
    assert not figures["Valeur"].str.contains("plus de|près de").any()
    assert (data.chiffres["precision"] == "environ").any()
    for siren, stated in data.chiffres.groupby("epci_siren"):
        values = dashboard.key_figures(data.chiffres, siren)["Valeur"]
        assert list(values.str.startswith("au moins ")) == list(stated["precision"] == "minimum"), siren
        assert list(values.str.startswith("environ ")) == list(stated["precision"] == "environ"), siren


def test_theme_period_table_totals(data):
    fin = data.financements[data.financements["epci_siren"] == LUMBRES]
    table = dashboard.theme_period_table(fin)
    amounts = dashboard.countable(fin)["montant_departement_eur"]
    prefix = "au moins " if amounts.isna().any() else ""  # a sum over rows lacking an amount is a lower bound
    assert table.loc["Total", "Total"].replace(NBSP, " ") == prefix + f"{amounts.sum():,.0f} €".replace(",", " ")


def test_financing_by_epci_counts_shared_vote_once(data, terr):
    by = dashboard.financing_by_epci(data.financements, terr.epci)
    assert len(by) == 20
    assert by["montant_eur"].sum() == dashboard.countable(data.financements)["montant_departement_eur"].sum()
    assert by["montant_eur"].sum() < data.financements["montant_departement_eur"].sum()


def test_downloads_neutralise_formulas():
    frame = pd.DataFrame({"Projet": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Église"], "n": [1, 2, 3, 4, 5]})
    rows = list(csv.reader(io.StringIO(dashboard.to_csv_bytes(frame).decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "Église"]
    book = openpyxl.load_workbook(io.BytesIO(dashboard.to_xlsx_bytes(frame)))
    cells = [c.value for c in book.active["A"]][1:]
    assert cells[:4] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)"]
    assert all(c.data_type != "f" for c in book.active["A"])


ARRAS = "200033579"


def test_key_figures_columns_say_each_thing_once(data):
    figures = dashboard.key_figures(data.chiffres, ARRAS)
    assert list(figures.columns) == ["Indicateur", "Valeur", "Précision", "Source (lignes)"]
    population = figures[figures["Indicateur"] == "Population"].iloc[0]
    assert population["Valeur"] == f"107{NBSP}345{NBSP}habitants" and population["Précision"] == "exact"
    # The indicator column names the indicator; the value is not written again in it.
    for _, row in figures.iterrows():
        assert not any(ch.isdigit() for ch in row["Valeur"]) or row["Valeur"] not in row["Indicateur"]
    assert set(figures["Précision"]) <= {"exact", "au moins", "environ"}
    assert (figures["Précision"] == "au moins").any()
    assert not figures["Indicateur"].str.contains("_").any()  # every indicator of the data has a French name


def test_page_tables_are_french_and_sort_on_numbers(data, terr):
    table = dashboard.project_table(
        data.financements[data.financements["epci_siren"] == ARRAS], pd.Series(dtype=float), {}
    )
    grid = dashboard.french_grid(table)
    cells = [c for row in grid.data["rows"] for c in row]
    assert "montant non précisé" in cells and "None" not in cells and "nan" not in cells
    assert all(isinstance(c, str) for c in cells)
    amounts = table["Montant du Département (€)"].dropna()
    big = amounts[amounts >= 1000].iloc[0]
    assert format_number(big) in cells  # "1 443 000": no-break spaces, whatever the locale
    assert f"{big:,.0f}" not in cells
    # The numeric columns carry their numbers to sort on; the text columns none.
    columns = grid.data["columns"]
    numeric = {c["name"] for c in columns if c["numeric"]}
    assert numeric == {"N°", "Montant du Département (€)", "Coût total (€)"}
    assert set(grid.data["keys"]) == {str(i) for i, c in enumerate(columns) if c["numeric"]}
    by_epci = dashboard.financing_by_epci(data.financements, terr.epci)
    per_epci = by_epci.rename(columns={"par_habitant": "€ par habitant", "population": "Population"})
    epci = dashboard.french_grid(per_epci[["nom_court", "Population", "€ par habitant"]])
    per = per_epci["€ par habitant"].dropna().iloc[0]
    assert format_number(per, 2) in epci.frame()["€ par habitant"].to_list() and "," in format_number(per, 2)


def test_the_grid_sends_french_text_and_the_numbers_it_sorts_on():
    """What the table component receives: each cell's French text (« montant non précisé » when an amount
    is missing, "" for an empty text or marker number) and, for each numeric column, the numbers it
    sorts on (``None`` where missing). Its key follows its text."""
    table = pd.DataFrame(
        {
            "N°": [2.0, np.nan, 1.0],
            "Projet": ["Salle", None, "Collège"],
            "Montant du Département (€)": [1_443_000.0, np.nan, 721.88],
            "Coût total (€)": [np.nan, 52_357.2, 3_000_000.0],
        }
    )
    grid = dashboard.french_grid(table)
    assert grid.data["rows"] == [
        ["2", "Salle", f"1{NBSP}443{NBSP}000", "montant non précisé"],
        ["", "", "montant non précisé", f"52{NBSP}357,20"],
        ["1", "Collège", "721,88", f"3{NBSP}000{NBSP}000"],
    ]
    assert grid.data["keys"] == {
        "0": [2, None, 1],
        "2": [1_443_000.0, None, 721.88],
        "3": [None, 52_357.2, 3_000_000.0],
    }
    assert grid.rows == 3
    assert dashboard.french_grid(table).key == grid.key
    assert dashboard.french_grid(table.iloc[:2]).key != grid.key

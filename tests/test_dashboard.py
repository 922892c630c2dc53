"""Page computations: key figures, tables, safe downloads."""

import csv
import io

import openpyxl
import pandas as pd

from geodash import dashboard
from geodash.formatting import NBSP

LUMBRES = "246201016"


def test_key_figures_keep_plus_de_and_pres_de(data):
    figures = dashboard.key_figures(data.chiffres, LUMBRES)
    assert len(figures) > 15
    routes = figures[figures["Valeur"].str.startswith("plus de ")]
    assert not routes.empty
    assert any(v.replace(NBSP, " ") == "plus de 6 900 000 €" for v in figures["Valeur"])


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

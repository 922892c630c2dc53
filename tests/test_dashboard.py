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
    shown = dashboard.french_table(table)
    html = shown.to_html()
    assert "montant non précisé" in html and "None" not in html and "nan" not in html
    # Only the amount columns keep missing values (the grid draws its placeholder there).
    missing = shown.data.columns[shown.data.isna().any()]
    assert set(missing) <= {"Montant du Département (€)", "Coût total (€)"}, missing
    amounts = table["Montant du Département (€)"].dropna()
    big = amounts[amounts >= 1000].iloc[0]
    assert format_number(big) in html  # "1 443 000": no-break spaces, whatever the locale
    assert f"{big:,.0f}" not in html
    assert pd.api.types.is_numeric_dtype(shown.data["Montant du Département (€)"])  # sorts as numbers
    by_epci = dashboard.financing_by_epci(data.financements, terr.epci)
    per_epci = by_epci.rename(columns={"par_habitant": "€ par habitant", "population": "Population"})
    epci = dashboard.french_table(per_epci[["nom_court", "Population", "€ par habitant"]])
    per = epci.data["€ par habitant"].dropna().iloc[0]
    assert format_number(per, 2) in epci.to_html() and "," in format_number(per, 2)


def test_st_dataframe_receives_french_text_over_numbers(tmp_path):
    """What ``st.dataframe`` sends the browser for a :func:`french_table`: the numbers (the grid sorts
    on them) and, for each amount cell, its French text, « montant non précisé » when missing; other
    cells as they are. Read from the page's element under AppTest, as the browser receives it."""
    import pyarrow as pa
    from streamlit.testing.v1 import AppTest

    table = pd.DataFrame(
        {
            "N°": [2.0, np.nan, 1.0],
            "Projet": ["Salle", None, "Collège"],
            "Montant du Département (€)": [1_443_000.0, np.nan, 721.88],
            "Coût total (€)": [np.nan, 52_357.2, 3_000_000.0],
        }
    )
    pd.to_pickle(table, tmp_path / "table.pkl")

    def script(path):
        import pandas as pd
        import streamlit as st

        from geodash import dashboard

        st.dataframe(dashboard.french_table(pd.read_pickle(path)), placeholder=dashboard.MISSING_AMOUNT)

    at = AppTest.from_function(script, args=(str(tmp_path / "table.pkl"),), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    [grid] = at.dataframe
    values = grid.value
    assert pd.api.types.is_float_dtype(values["Montant du Département (€)"])  # sorts as numbers
    assert values["Montant du Département (€)"].iloc[0] == 1_443_000.0
    shown = pa.ipc.open_stream(grid.proto.arrow_data.styler.display_values).read_all().to_pandas()
    assert list(shown["Montant du Département (€)"]) == [f"1{NBSP}443{NBSP}000", "montant non précisé", "721,88"]
    assert list(shown["Coût total (€)"]) == ["montant non précisé", f"52{NBSP}357,20", f"3{NBSP}000{NBSP}000"]
    assert list(shown["N°"]) == ["2", "", "1"] and list(shown["Projet"]) == ["Salle", "", "Collège"]

"""Page computations: key figures, tables, safe downloads."""

import csv
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geodash import dashboard
from geodash.formatting import NBSP, format_number

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


@pytest.mark.parametrize("extra", [None, "float", "mixed"])
def test_a_kept_table_sends_what_pandas_renders_and_renders_once(data, extra):
    """st.dataframe's marshalling of french_table (cells rendered once, kept) equals that of the same
    styler rendered by pandas on each run; other renderings (to_html) are pandas' own. The project
    table's cells are written without pandas; a table with a float column pandas would write its
    own way (six decimals) is left to pandas, with the same result."""
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.ArrowData_pb2 import ArrowData

    table = dashboard.project_table(data.financements, pd.Series(dtype=float), {})
    if extra == "float":
        table["Surface (km²)"] = np.linspace(0.5, 99.25, len(table))
    elif extra == "mixed":
        table["Remarque"] = table["Remarque"].astype(object)
        table.loc[3, "Remarque"] = 2.5
    assert (dashboard._french_cells(dashboard.french_table(table).data) is None) == (extra is not None)
    kept = dashboard.french_table(table)
    plain = kept.data.style.set_uuid("geodash")
    for column, fmt in dashboard.TABLE_FORMATS.items():
        if column in kept.data.columns:
            plain = plain.format(fmt, subset=[column], na_rep=dashboard.MISSING_AMOUNT)

    def sent(styler) -> ArrowData:
        proto = ArrowData()
        marshall_styler(proto, styler, "default")
        return proto

    first, again, reference = sent(kept), sent(kept), sent(plain)
    assert first.styler.display_values == reference.styler.display_values == again.styler.display_values
    assert first.styler.styles == reference.styler.styles and first.styler.uuid == "geodash"
    assert kept._translate(*dashboard.STREAMLIT_RENDER) is kept._translate(*dashboard.STREAMLIT_RENDER)
    assert "montant non précisé" in kept.to_html() and table["Projet"].iloc[-1] in kept.to_html()

"""The comparison on the bilan: ranking, reference, the EPCI's bilan, named projects counted, never 0 €."""

from __future__ import annotations

import csv
import html
import io
import re

import numpy as np
import pandas as pd
import pytest

from geodash import bilan, comparison, dashboard, legend
from geodash.formatting import NBSP, format_eur, format_value
from geodash.webmap import MapOptions, build_map, project_popup_html

from .pagedata import layer, overlay

ARRAS = "200033579"
SAINT_OMER = "200069037"
ZERO_EUR = re.compile(rf"(?<![\d,{NBSP} ])0{NBSP}€")  # "0 €" alone, not "100 000 €"


def test_ranking_follows_the_bilan_with_reasons_instead_of_values(data, terr):
    values = bilan.indicator_values(data.chiffres, terr.epci, terr.communes, bilan.DEFAULT_INDICATOR)
    table = comparison.ranking_table(data.chiffres, terr.epci, terr.communes, bilan.DEFAULT_INDICATOR)
    assert list(table.columns) == comparison.RANKING_COLUMNS and len(table) == 20
    assert list(table["Intercommunalité"]) == list(values["nom"])  # same order: highest first
    stated = values.dropna(subset=["valeur"])
    top = stated.loc[stated["valeur"].idxmax()]
    assert table.iloc[0]["Intercommunalité"] == top["nom"] and table.iloc[0]["Rang"] == "1"
    assert table.iloc[0]["Valeur"] == format_value(top["valeur"], "EUR/hab", top["precision"], decimals=0)
    omer = table[table["Intercommunalité"] == "Pays de Saint-Omer"].iloc[0]
    assert (omer["Rang"], omer["Valeur"]) == ("–", bilan.NO_CONTRACT)
    # Precision marks follow each EPCI's figure.
    for row, value in zip(table.itertuples(), values.itertuples()):
        assert row.Valeur.startswith("au moins") == (value.precision == "au moins")


@pytest.mark.parametrize(
    "indicator", ["investissement_total", "investissement_cis_par_habitant", "rsa_montant_par_habitant"]
)
def test_no_epci_is_ranked_at_0_eur_when_its_contract_gives_no_figure(data, terr, indicator):
    if indicator not in comparison.indicator_ids(data.chiffres):
        pytest.skip(f"{indicator} not stated by any contract")
    table = comparison.ranking_table(data.chiffres, terr.epci, terr.communes, indicator)
    values = bilan.indicator_values(data.chiffres, terr.epci, terr.communes, indicator)
    missing = values["valeur"].isna()
    assert missing.any()  # Saint-Omer at least
    assert set(table.loc[missing.to_numpy(), "Valeur"]) <= {bilan.NO_CONTRACT, bilan.NOT_STATED}
    assert not any(ZERO_EUR.search(v) for v in table["Valeur"])


def test_every_comparable_indicator_ranks_without_0_eur(data, terr):
    for ident in comparison.indicator_ids(data.chiffres):
        table = comparison.ranking_table(data.chiffres, terr.epci, terr.communes, ident)
        assert not any(ZERO_EUR.search(v) for v in table["Valeur"]), ident


def test_reference_is_the_departement_value(data, terr):
    ref = bilan.departement_reference(data.chiffres, terr.communes, bilan.DEFAULT_INDICATOR)
    text = comparison.reference_text(data.chiffres, terr.communes, bilan.DEFAULT_INDICATOR)
    assert text.endswith(format_value(ref["valeur"], "EUR/hab", ref["precision"], decimals=0))
    assert f"({ref['epci']} intercommunalités avec contrat)" in text


def test_epci_bilan_first_total_last_and_saint_omer_says_no_contract(data, terr):
    table = comparison.epci_bilan_table(data.chiffres, terr.communes, ARRAS)
    assert table.iloc[-1]["Domaine"] == "Total"
    routes = table[table["Domaine"] == "Routes"].iloc[0]
    assert "9621" in routes["Lignes"]  # CU d'Arras, roads 34,08 M€ (l. 9621)
    assert routes["Montant 2015-2018"].replace(NBSP, " ").endswith("34,1 millions €")
    assert comparison.epci_bilan_table(data.chiffres, terr.communes, SAINT_OMER).empty
    line = comparison.epci_bilan_line(data.chiffres, terr.communes, SAINT_OMER, "Pays de Saint-Omer")
    assert line.lower().startswith(bilan.NO_CONTRACT) and "0 €" not in line.replace(NBSP, " ")
    total = bilan.epci_investment(data.chiffres, terr.communes, ARRAS).iloc[-1]
    assert total["texte"] in comparison.epci_bilan_line(data.chiffres, terr.communes, ARRAS, "Arras")


def test_amount_sum_text_is_a_lower_bound_when_an_amount_is_missing():
    assert comparison.amount_sum_text(pd.Series([], dtype=float)) == "–"
    assert comparison.amount_sum_text(pd.Series([np.nan, np.nan])) == "montant non précisé"
    assert comparison.amount_sum_text(pd.Series([1000.0, np.nan])) == f"au moins {format_eur(1000)}"
    assert comparison.amount_sum_text(pd.Series([1000.0, 500.0])) == format_eur(1500)


def test_named_projects_are_counted_as_a_sample(data):
    fin = dashboard.countable(data.financements[data.financements["epci_siren"] == ARRAS])
    n, m = len(fin), int(fin["montant_departement_eur"].notna().sum())
    line = comparison.named_projects_line(fin)
    assert line.startswith(f"Projets cités dans le contrat : {n}, dont {m} avec montant")
    assert "pas le total" in line
    counts = comparison.named_projects_counts(data.financements, pd.DataFrame({"siren": [ARRAS], "nom_court": ["A"]}))
    assert counts.iloc[0].to_dict() == {"Intercommunalité": "A", "Projets cités": str(n), "dont avec montant": str(m)}


def test_theme_period_table_never_prints_0_eur(data):
    for siren in set(data.financements["epci_siren"]):
        table = dashboard.theme_period_table(data.financements[data.financements["epci_siren"] == siren])
        cells = table.to_numpy().ravel()
        assert not any(ZERO_EUR.search(c) for c in cells), siren
    arras = dashboard.theme_period_table(data.financements[data.financements["epci_siren"] == ARRAS])
    assert "montant non précisé" in set(arras.to_numpy().ravel())  # 38 of its 39 projects give no amount


def test_popup_and_project_table_say_montant_non_precise(data, terr):
    row = data.financements[data.financements["montant_departement_eur"].isna()].iloc[0]
    assert "Montant du Département</dt><dd>montant non précisé" in project_popup_html(row, {})
    table = dashboard.project_table(data.financements, pd.Series(dtype=int), {})
    missing = table["Montant du Département (€)"].isna()
    shown = dashboard.french_grid(table).frame()  # as the page shows the table
    assert missing.any() and (shown["Montant du Département (€)"] == "montant non précisé").sum() == missing.sum()


def test_departement_map_tooltips_give_the_value_with_its_precision(data, terr):
    cp = legend.bilan_choropleth(data.chiffres, terr.epci, terr.communes, bilan.DEFAULT_INDICATOR)
    page = build_map(terr, options=MapOptions(choropleth=cp))
    # Each EPCI's tooltip: its name, then the indicator and its value (escaped HTML).
    shown = {
        f["properties"]["siren"]: html.unescape(f["properties"]["t"].split(" : ", 1)[1])
        for f in layer(page, "Intercommunalités")["fc"]["features"]
    }
    assert len(shown) == 20
    values = bilan.indicator_values(data.chiffres, terr.epci, terr.communes, bilan.DEFAULT_INDICATOR)
    for v in values.itertuples():
        expected = (
            bilan.NO_CONTRACT if pd.isna(v.valeur) else format_value(v.valeur, "EUR/hab", v.precision, decimals=0)
        )
        assert shown[v.epci_siren] == expected, v.nom
    assert not any(ZERO_EUR.search(text) for text in shown.values())
    shown_legend = overlay(page)["legend"]
    assert f"<h5>Référence</h5><ul><li>{html.escape(cp.reference)}</li>" in shown_legend
    assert f"Indicateur : {html.escape(cp.source)}" in shown_legend  # the indicator's source
    assert cp.title in shown_legend  # the indicator, its period and its unit


def test_bilan_download_has_the_cli_columns(data, terr):
    table = bilan.bilan_table(data.chiffres, terr.epci, terr.communes)
    rows = list(csv.reader(io.StringIO(dashboard.to_csv_bytes(table).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == bilan.BILAN_COLUMNS
    totals = [r for r in rows[1:] if r[3] == "investissement_total"]
    assert len(totals) == 19 and SAINT_OMER not in {r[0] for r in totals}

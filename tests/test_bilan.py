"""The territorial bilan: stated figures traced to their lines, precision carried into totals, the
Pays de Saint-Omer never shown at 0, and the reconciliation of the projects with the stated totals."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest

from geodash import bilan, cli
from geodash.formatting import NBSP, format_value, numbers_in_text
from geodash.projects import FINANCEMENT_COLUMNS, load_project_data

from .test_projects import _cited_text

SAINT_OMER = "200069037"
ARRAS = "200033579"
LUMBRES = "246201016"
FLANDRE_LYS = "245900758"


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


@pytest.fixture(scope="module")
def table(data, terr):
    return bilan.bilan_table(data.chiffres, terr.epci, terr.communes)


def test_every_domain_value_is_written_on_its_cited_lines(data, seed_lines):
    stated = bilan.domain_totals(data.chiffres)
    stated = stated[stated["domaine"] != "total"]
    assert len(stated) >= 19 * 4
    missing = [
        f"{r.epci_siren} {r.domaine}: {r.valeur} not on lines {r.source}"
        for r in stated.itertuples()
        if r.valeur not in numbers_in_text(_cited_text(seed_lines, r.source))
    ]
    assert missing == []


def test_arras_domains_as_the_contract_states_them(table, seed_lines):
    arras = table[(table["epci_siren"] == ARRAS) & (table["periode"] == "2015-2018") & (table["unite"] == "EUR")]
    values = dict(zip(arras["indicateur"], arras["valeur"]))
    assert values == {
        "investissement_routes": 34_080_000,
        "investissement_colleges": 2_680_000,
        "investissement_culture": 1_650_000,
        "investissement_sport": 1_120_000,
        "investissement_farda": 739_000,
        "investissement_total": 40_269_000,
    }
    assert "34,08 millions" in seed_lines[9621 - 1] and "1,65 millions" in seed_lines[9643 - 1]
    # no sewerage figure in Arras's contract: absent, not 0
    assert "investissement_assainissement" not in values


def test_total_is_the_sum_of_the_stated_domains_and_a_lower_bound_when_one_part_is(table):
    inv = table[table["periode"].eq("2015-2018") & table["unite"].eq("EUR")]
    totals = inv[inv["indicateur"] == "investissement_total"].set_index("epci_siren")
    parts = inv[inv["indicateur"] != "investissement_total"]
    assert len(totals) == 19
    for siren, group in parts.groupby("epci_siren"):
        assert totals.loc[siren, "valeur"] == pytest.approx(group["valeur"].sum())
        expected = "au moins" if (group["precision"] == "au moins").any() else "exact"
        if expected == "exact" and (group["precision"] == "environ").any():
            expected = "environ"
        assert totals.loc[siren, "precision"] == expected
    assert totals.loc[LUMBRES, "precision"] == "au moins"  # « plus de 6,90 millions » for roads


def test_precision_rule_on_a_small_table():
    chiffres = pd.DataFrame(
        {
            "epci_siren": ["1", "1", "2", "2", "3"],
            "indicateur": ["routes_investissement_2015_2018", "sport_investissement_2015_2018"] * 2
            + ["musees_investissement_2015_2018"],
            "valeur": [100.0, 50.0, 10.0, 5.0, 7.0],
            "precision": ["exact", "exact", "environ", "minimum", "environ"],
            "source": ["1", "2", "3", "4", "5"],
            "ligne": [2, 3, 4, 5, 6],
        }
    )
    totals = bilan.domain_totals(chiffres)
    total = totals[totals["domaine"] == "total"].set_index("epci_siren")
    assert total.loc["1", "precision"] == "exact" and total.loc["1", "valeur"] == 150
    assert total.loc["2", "precision"] == "minimum" and total.loc["2", "valeur"] == 15
    assert total.loc["3", "precision"] == "environ"
    # a domain no list foresaw is still a domain
    assert "musees" in set(totals["domaine"])


def test_saint_omer_has_no_figure_and_says_why(table, data, terr):
    assert SAINT_OMER not in set(table["epci_siren"])
    values = bilan.indicator_values(data.chiffres, terr.epci, terr.communes, "investissement_total_par_habitant")
    assert len(values) == 20
    omer = values.set_index("epci_siren").loc[SAINT_OMER]
    assert math.isnan(omer["valeur"]) and omer["statut"] == bilan.NO_CONTRACT
    assert omer["texte"] == "pas de contrat dans le document"
    assert values.iloc[-1]["epci_siren"] == SAINT_OMER  # ranked last, not at 0
    ranked = values.dropna(subset=["valeur"])
    assert list(ranked["rang"]) == list(range(1, 20))
    assert ranked["valeur"].is_monotonic_decreasing
    assert (ranked["valeur"] > 50).all()


def test_absent_domain_is_not_stated_not_zero(data, terr):
    values = bilan.indicator_values(
        data.chiffres, terr.epci, terr.communes, "investissement_assainissement_par_habitant"
    ).set_index("epci_siren")
    assert values.loc[ARRAS, "statut"] == bilan.NOT_STATED and math.isnan(values.loc[ARRAS, "valeur"])
    assert values.loc[ARRAS, "texte"] == "non précisé dans le contrat"
    assert values.loc[LUMBRES, "texte"].startswith("au moins ")


def test_per_inhabitant_uses_the_pas_de_calais_population(data, terr, table):
    population = bilan.epci_populations(terr.communes)
    epci_population = terr.epci.set_index("siren")["population"]
    # Flandre Lys: 4 of its 8 communes are in the Nord, outside the Département's remit
    assert population[FLANDRE_LYS] < epci_population[FLANDRE_LYS] / 2
    assert population[ARRAS] == epci_population[ARRAS]
    row = table[(table["epci_siren"] == ARRAS) & (table["indicateur"] == "investissement_total_par_habitant")]
    assert row["valeur"].iloc[0] == pytest.approx(40_269_000 / population[ARRAS], abs=0.01)
    assert row["population"].iloc[0] == population[ARRAS]


def test_departement_reference_is_computed_like_the_epci_values(data, terr, table):
    ref = bilan.departement_reference(data.chiffres, terr.communes, "investissement_total_par_habitant")
    totals = table[table["indicateur"] == "investissement_total"]
    population = bilan.epci_populations(terr.communes)
    expected = totals["valeur"].sum() / population[totals["epci_siren"]].sum()
    assert ref["valeur"] == pytest.approx(expected)
    assert ref["precision"] == "au moins" and ref["epci"] == 19
    assert plain(ref["texte"]).startswith("au moins ") and plain(ref["texte"]).endswith("€ / hab.")


def test_epci_investment_box(data, terr):
    box = bilan.epci_investment(data.chiffres, terr.communes, ARRAS).set_index("domaine")
    assert list(box.index) == ["routes", "colleges", "culture", "sport", "farda", "total"]
    assert plain(box.loc["routes", "texte"]) == "au moins 34,1 millions €"
    assert plain(box.loc["sport", "texte"]) == "1,12 million €"  # exact figure: no prefix
    assert box.loc["total", "valeur"] == 40_269_000 and box.loc["total", "precision"] == "au moins"
    ref = bilan.departement_reference(data.chiffres, terr.communes, "investissement_total_par_habitant")
    assert box.loc["total", "departement_par_habitant"] == pytest.approx(ref["valeur"])
    assert bilan.epci_investment(data.chiffres, terr.communes, SAINT_OMER).empty


def test_comparable_indicators_are_described(data):
    indicators = bilan.comparable_indicators(data.chiffres)
    ids = [i.id for i in indicators]
    assert ids[0] == "investissement_total_par_habitant"
    assert len(ids) == len(set(ids))
    assert {"apa_montant_par_habitant", "rsa_foyers_pour_1000_habitants", "investissement_cis_par_habitant"} <= set(ids)
    for ind in indicators:
        assert ind.label and ind.unit and ind.period and ind.source and ind.parts


@pytest.mark.parametrize(
    "value, unit, precision, expected",
    [
        (12_345_678, "EUR", "minimum", "au moins 12,3 millions €"),
        (412_000, "EUR", "environ", "environ 412 000 €"),
        (123.456, "EUR/hab", "au moins", "au moins 123,46 € / hab."),
        (17.25, "pour 1 000 hab.", "exact", "17,2 pour 1 000 hab."),
        (float("nan"), "EUR", "exact", "montant non précisé"),
    ],
)
def test_format_value(value, unit, precision, expected):
    assert plain(format_value(value, unit, precision)) == expected


# --- Reconciliation ------------------------------------------------------------------------------

CHIFFRES_HEADER = "epci_siren,indicateur,valeur,unite,precision,source,libelle\n"


def _write(folder, financements: list[dict], chiffres: str):
    columns = FINANCEMENT_COLUMNS + ["doublon_de", "domaine"]
    with open(folder / "financements.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        for row in financements:
            writer.writerow({c: row.get(c, "") for c in columns})
    (folder / "chiffres_cles.csv").write_text(CHIFFRES_HEADER + chiffres, encoding="utf-8")


def _project(pid: str, amount: int, **extra) -> dict:
    row = {
        "id": pid,
        "epci_siren": LUMBRES,
        "intitule": "Terrain synthétique",
        "theme": "Sport",
        "periode": "2015-2018",
        "nature": "investissement",
        "montant_departement_eur": str(amount),
        "source": "1310-1311",
    }
    return {**row, **extra}


SPORT = f"{LUMBRES},sport_investissement_2015_2018,1370000,€,exact,778;782,sport\n"


def test_breach_reported_with_both_citations(terr, tmp_path):
    _write(
        tmp_path,
        [
            _project("T-1", 1_000_000),
            _project("T-2", 500_000, intitule="Salle", source="1098"),
            _project("T-3", 900_000, periode="à venir"),  # later: not in 2015-2018
            _project("T-4", 900_000, theme="Solidarité", intitule="EHPAD"),  # no stated total
        ],
        SPORT,
    )
    data = load_project_data(terr.communes, set(terr.sirens), tmp_path)
    assert data.errors == []
    problems = bilan.reconcile(data.financements, data.chiffres)
    assert len(problems) == 1
    text = plain(str(problems[0]))
    assert text.startswith("financements.csv:2: rapprochement sport")
    assert "1 500 000 €" in text and "1 370 000 €" in text
    assert "chiffres_cles.csv:2, document l. 778;782" in text
    assert "T-1 (financements.csv:2, document l. 1310-1311)" in text
    assert "T-2 (financements.csv:3, document l. 1098)" in text
    assert "T-3" not in text and "T-4" not in text


def test_shared_financing_counted_once_and_lower_totals_pass(terr, tmp_path):
    _write(
        tmp_path,
        [_project("T-1", 800_000), _project("T-2", 800_000, doublon_de="T-1")],
        SPORT,
    )
    data = load_project_data(terr.communes, set(terr.sirens), tmp_path)
    assert bilan.reconcile(data.financements, data.chiffres) == []


@pytest.mark.parametrize(
    "row, domain",
    [
        ({"intitule": "RD 208", "route": "RD 208", "theme": "Aménagement"}, "routes"),
        ({"intitule": "Giratoire d'accès au collège", "theme": "Aménagement"}, "routes"),
        ({"intitule": "Renforcement de voiries communales", "theme": "Aménagement"}, None),
        ({"intitule": "Collège Jean Jaurès", "theme": "Education"}, "colleges"),
        ({"intitule": "Rénovation du groupe scolaire", "theme": "Education"}, None),
        ({"intitule": "Construction du CIS d'Hénin-Beaumont", "theme": "Aménagement"}, "cis"),
        ({"intitule": "Église", "theme": "Culture"}, "culture"),
        ({"intitule": "EHPAD", "theme": "Solidarité"}, None),
        ({"intitule": "Salle de sport du collège", "theme": "Sport", "domaine": "colleges"}, "colleges"),
        ({"intitule": "Salle de sport", "theme": "Sport", "domaine": "aucun"}, None),
    ],
)
def test_project_domain(row, domain):
    assert bilan.project_domain(row) == domain


def test_unknown_domain_override_is_rejected(terr, tmp_path):
    _write(tmp_path, [_project("T-1", 1000, domaine="piscines")], SPORT)
    data = load_project_data(terr.communes, set(terr.sirens), tmp_path)
    assert any("financements.csv:2: domaine : « piscines »" in str(p) for p in data.errors)


def test_shipped_data_has_no_breach(data):
    assert [str(p) for p in bilan.reconcile(data.financements, data.chiffres)] == []


def test_validate_fails_on_a_breach(terr, tmp_path, capsys):
    _write(tmp_path, [_project("T-1", 2_000_000)], SPORT)
    assert cli.main(["validate", "--dossier", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "financements.csv:2: rapprochement sport" in err and "chiffres_cles.csv:2" in err


# --- CLI -----------------------------------------------------------------------------------------


def test_bilan_csv_on_standard_output(capsys):
    assert cli.main(["bilan", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["epci_siren", "nom", "population", "indicateur", "periode", "valeur", "unite",
                             "precision", "source"]  # fmt: skip
    totals = [r for r in rows if r["indicateur"] == "investissement_total"]
    assert len(totals) == 19 and len({r["epci_siren"] for r in totals}) == 19
    assert all(r["periode"] == "2015-2018" and r["unite"] == "EUR" for r in totals)
    assert not any(r["epci_siren"] == SAINT_OMER for r in rows)
    for total in totals:
        parts = [
            float(r["valeur"])
            for r in rows
            if r["epci_siren"] == total["epci_siren"]
            and r["unite"] == "EUR"
            and r["indicateur"].startswith("investissement_")
            and r["indicateur"] != "investissement_total"
        ]
        assert float(total["valeur"]) == pytest.approx(sum(parts))
        assert total["precision"] in {"exact", "au moins", "environ"}
        assert int(total["population"]) > 10_000
    arras = next(r for r in totals if r["epci_siren"] == ARRAS)
    assert float(arras["valeur"]) == 40_269_000 and arras["precision"] == "au moins"
    assert "9619-9621" in arras["source"]

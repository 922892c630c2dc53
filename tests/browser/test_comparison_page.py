"""The comparison in a real browser: the ranking read from the page is the bilan's, and follows ``?indicateur=``."""

from __future__ import annotations

import pytest

from geodash import bilan, comparison
from geodash.formatting import NBSP

pytestmark = pytest.mark.browser
ROUTES = "investissement_routes_par_habitant"


def _ranking(page, label: str) -> list[list[str]]:
    """Rows (rank, name, value) of the ranking beside the map, once the page shows ``label``'s."""
    page.get_by_text(f"Classement : {label}").wait_for(timeout=60_000)
    table = page.locator(".gd-table").first
    table.locator("tbody tr").nth(19).wait_for()
    return [[c.strip() for c in row.locator("td, th").all_inner_texts()] for row in table.locator("tbody tr").all()]


def _expected(data, terr, indicator: str) -> list[list[str]]:
    table = comparison.ranking_table(data.chiffres, terr.epci, terr.communes, indicator)
    return table[["Rang", "Intercommunalité", "Valeur"]].to_numpy().tolist()


def test_comparison_page_ranks_on_the_bilan_and_follows_the_url(server, make_page, data, terr):
    p = make_page(1366, 768)
    p.page.goto(f"{server}/comparaison")
    default = next(i for i in bilan.comparable_indicators(data.chiffres) if i.id == bilan.DEFAULT_INDICATOR)
    rows = _ranking(p.page, default.label)
    values = bilan.indicator_values(data.chiffres, terr.epci, terr.communes, default)
    assert len(rows) == 20
    assert rows[0][1] == values.iloc[0]["nom"] and rows[0][0] == "1"  # the highest value first
    assert rows[-1][1:] == ["Pays de Saint-Omer", bilan.NO_CONTRACT]  # no contract: last, never 0
    assert [r[:3] for r in rows] == _expected(data, terr, default.id)
    ref = bilan.departement_reference(data.chiffres, terr.communes, default)
    reference = comparison.reference_text(data.chiffres, terr.communes, default)
    assert reference.endswith(f"{round(ref['valeur'])}{NBSP}€{NBSP}/{NBSP}hab.")
    assert p.page.get_by_text(f"Référence — {reference}").count() == 1
    p.wait_map(title="20 intercommunalités")
    assert p.map_frame().locator(".gd-legend h5", has_text=default.label).count() == 1

    p.page.goto(f"{server}/comparaison?indicateur={ROUTES}")
    routes = next(i for i in bilan.comparable_indicators(data.chiffres) if i.id == ROUTES)
    other = _ranking(p.page, routes.label)
    assert [r[:3] for r in other] == _expected(data, terr, ROUTES)
    assert [r[1] for r in other] != [r[1] for r in rows]  # another indicator, another ranking
    assert "indicateur=" + ROUTES in p.page.url


def test_departement_view_shows_no_epci_at_0_eur(server, make_page):
    p = make_page(1920, 1080)
    p.page.goto(server)
    p.wait_map(title="20 intercommunalités")
    assert p.map_frame().locator(".gd-legend h5", has_text="Investissement du Département par habitant").count() == 1
    p.page.get_by_text("Classement : Investissement du Département par habitant").wait_for()
    halves = p.page.locator(".gd-table:not(.gd-grid)")  # the ranking's two halves, not the project table
    halves.nth(1).locator("tbody tr").nth(9).wait_for()  # both halves drawn (ranks 11 to 20 in the second)
    cells = halves.locator("td").all_inner_texts()
    assert len(cells) == 60  # 20 EPCI × (rank, name, value), in two halves
    assert bilan.NO_CONTRACT in cells
    assert not [c for c in cells if c.replace(NBSP, " ").strip().endswith(" 0 €") or c.strip() == f"0{NBSP}€"]

"""AppTest: the Streamlit script runs, lists the 20 EPCI, reads and writes its view in the URL."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geodash import bilan, comparison, settings
from geodash.formatting import NBSP

from .pagedata import (
    choose_territory,
    html_shown,
    map_data,
    markdown_shown,
    page_text,
    page_title,
    project_grid,
    territory_list,
    text_tables,
)

APP = str(settings.REPO_DIR / "app.py")
ARRAS = "200033579"


def _run(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_app_lists_20_epci_and_opens_on_departement():
    at = _run()
    box = territory_list(at)
    assert box["label"] == "Intercommunalité"
    assert len(box["options"]) == 21  # "Tout le département" + 20 EPCI
    assert box["value"] == "" and box["options"][0] == ["", "Tout le département"]
    assert "Pas-de-Calais" in page_title(at)


def test_query_param_selects_epci_and_filters():
    at = _run(epci=ARRAS, theme="Culture")
    assert territory_list(at)["value"] == ARRAS
    assert page_title(at) == "Communauté urbaine d'Arras"
    assert at.sidebar.multiselect[0].value == ["Culture"]
    table = project_grid(at)
    assert len(table) > 0 and set(table["Thématique"]) == {"Culture"}


def test_filters_change_table_and_url():
    at = _run(epci=ARRAS)
    n_all = len(project_grid(at))
    at.sidebar.multiselect[0].set_value(["Sport"]).run()
    table = project_grid(at)
    assert 0 < len(table) < n_all and set(table["Thématique"]) == {"Sport"}
    assert at.query_params["theme"] == "Sport"
    assert at.query_params["epci"] == ARRAS


def test_choosing_an_epci_updates_the_url():
    at = _run()
    choose_territory(at, ARRAS)
    assert at.query_params["epci"] == ARRAS
    assert page_title(at) == "Communauté urbaine d'Arras"


def test_projector_mode_from_url_has_its_bar_with_the_neighbours():
    """The projector's map carries its bar: the territory, and where « Précédent » / « Suivant » go (the list's
    neighbours, the département before the first EPCI); the page has no other title."""
    at = _run(epci=ARRAS, mode="projecteur")
    bar = map_data(at)["projector"]
    options = territory_list(at)["options"]
    i = [name for _, name in options].index("Arras")
    assert bar == {
        "title": "Communauté urbaine d'Arras",
        "prev": options[i - 1][1],
        "next": options[i + 1][1],
        "prev_to": options[i - 1][0],
        "next_to": options[i + 1][0],
    }
    assert page_title(at) is None
    assert map_data(_run(epci=ARRAS))["projector"] is None


def test_missing_territories_file_gives_a_message(monkeypatch, tmp_path):
    monkeypatch.setenv("GEODASH_TERRITORIES", str(tmp_path / "absent.gpkg"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("absent.gpkg" in markdown_shown(e.value) and "introuvable" in e.value for e in at.error)


def test_export_panel_is_written_only_when_open_and_prepares_a_pdf_of_the_view():
    at = _run(epci=ARRAS, theme="Culture")
    panel = [e for e in at.expander if e.label.startswith("Exporter la carte")][0]
    assert not panel.children and not [b for b in at.button if b.label == "Préparer la carte à imprimer"]
    at.session_state["export-open"] = True  # what opening the panel sets (a lazy expander reruns)
    at.run()
    [prepare] = [b for b in at.button if b.label == "Préparer la carte à imprimer"]
    prepare.click().run()
    assert not at.exception
    export = at.session_state["export"]
    assert export[0][0].epci == ARRAS and export[0][0].themes == ("Culture",)
    assert export[1].startswith(b"%PDF")


def _with_layers(monkeypatch, tmp_path, roads=None):
    from tests.layers_config import SHARED_GEO, write_config

    if not (SHARED_GEO / "tm_roads_62.geojson").exists():
        pytest.skip("shared reference roads not available")
    monkeypatch.setenv("GEODASH_LAYERS_CONFIG", str(write_config(tmp_path, roads=roads)))


def test_road_filter_and_lengths_with_layers(monkeypatch, tmp_path):
    _with_layers(monkeypatch, tmp_path)
    at = _run(epci=ARRAS, routes="1,autoroute")
    roads = [m for m in at.sidebar.multiselect if m.label == "Routes"][0]
    assert roads.value == ["1", "autoroute"]
    [lengths] = [t for t in text_tables(at) if "Total des routes départementales" in t.to_string()]
    assert "Total des routes départementales" in set(lengths.iloc[:, 0])
    # Road works on roads outside the chosen categories are filtered out of the table.
    # Road works follow the road filter: RD 939 and RD 950 are of category 1 in the test table,
    # RD 260 has no category ("non renseignée") and is filtered out.
    routes = set(project_grid(at)["Route"]) - {""}
    assert routes == {"RD 939", "RD 5|RD 950"}
    # The layers' provenance joins the Sources line.
    assert "routes : TravelMapping (OpenStreetMap, ODbL)" in page_text(at)


def test_broken_layer_file_keeps_the_app_running(monkeypatch, tmp_path):
    broken = tmp_path / "routes.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    _with_layers(monkeypatch, tmp_path, roads=broken)
    at = _run(epci=ARRAS)
    assert page_title(at) == "Communauté urbaine d'Arras"
    assert "couche du Département n'a pas pu être affichée" in page_text(at)
    messages = " ".join(c.value for c in _page("sources").code)  # the details, for the staff
    assert "routes.geojson" in messages and str(tmp_path) not in messages


def test_context_layers_can_be_switched_off(monkeypatch, tmp_path):
    _with_layers(monkeypatch, tmp_path)
    at = _run(epci=ARRAS, couches="sites")
    toggles = [m for m in at.sidebar.multiselect if m.label == "Couches du Département"][0]
    assert toggles.value == ["sites"] and set(toggles.options) == {"Routes", "Sites du Département"}
    assert not [m for m in at.sidebar.multiselect if m.label == "Routes"]  # no road filter without roads
    toggles.set_value(["routes", "sites"]).run()
    assert [m for m in at.sidebar.multiselect if m.label == "Routes"]
    assert "couches" not in at.query_params  # back to the default: every layer


def _page(name: str, **env) -> AppTest:
    """One page of the app run on its own (AppTest switches only between file pages)."""

    def script(page_name):
        import importlib

        from geodash.selection import load_base

        importlib.import_module(f"geodash.pages.{page_name}").render(load_base())

    at = AppTest.from_function(script, args=(name,), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_data_warnings_are_on_the_sources_page_not_on_the_map(terr):
    from geodash.selection import load_base

    data = load_base(with_context=False, with_road_lengths=False).data  # as the pages read it: the database
    warnings = list(terr.warnings) + [str(p) for p in data.problems if p.level != "erreur"]
    assert warnings and not data.errors  # the committed data: warnings, nothing set aside
    at = _run()
    assert not [e for e in at.expander if "avertissement" in e.label]
    sources = _page("sources")
    panel = [e for e in sources.expander if "avertissement" in e.label]
    assert panel and panel[0].label == f"Données : {len(warnings)} avertissement(s)"
    assert warnings[0] in " ".join(c.value for c in sources.code)
    assert any("Sources des données de geodash" in m.value for m in sources.markdown)


def _projects_with_a_bad_row(tmp_path):
    import csv
    import shutil

    folder = tmp_path / "projects"
    shutil.copytree(settings.projects_dir(), folder)
    path = folder / "financements.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    bad = dict(rows[-1], id="BAD-1", theme="Musique")
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(rows[0])).writerow(bad)
    return folder


def test_rows_set_aside_are_a_discreet_line_on_the_map_and_detailed_on_the_sources_page(monkeypatch, tmp_path):
    monkeypatch.setenv("GEODASH_PROJECTS_DIR", str(_projects_with_a_bad_row(tmp_path)))
    at = _run()
    assert not [e for e in at.expander if "Données" in e.label] and not at.code  # no staff panel for visitors
    # Not a caption: its link keeps its contrast.
    [note] = [
        h.proto.body for h in at.get("html") if "1 ligne du fichier des projets en cours de correction" in h.proto.body
    ]
    assert (
        '<a href="sources">qualité des données</a>' in note and 'class="gd-caption"' not in note.split("correction")[0]
    )
    assert "correction" not in page_text(_run(mode="projecteur"))
    sources = _page("sources")
    panel = [e for e in sources.expander if "mise(s) de côté" in e.label]
    assert panel and panel[0].label == "⚠️ Données : 1 erreur(s), 1 ligne(s) mise(s) de côté"
    code = " ".join(c.value for c in sources.code)
    assert "Musique" in code and str(tmp_path) not in code


def test_comparison_page_ranks_every_epci_on_the_bilan(data, terr):
    at = _page("comparaison")
    box = at.sidebar.selectbox[0]
    assert box.value == bilan.DEFAULT_INDICATOR
    ranking = text_tables(at)[0]
    expected = comparison.ranking_table(data.chiffres, terr.epci, terr.communes, bilan.DEFAULT_INDICATOR)
    assert len(ranking) == 20 and list(ranking["Intercommunalité"]) == list(expected["Intercommunalité"])
    box.set_value("investissement_routes_par_habitant").run()
    assert at.query_params["indicateur"] == "investissement_routes_par_habitant"
    routes = comparison.ranking_table(data.chiffres, terr.epci, terr.communes, "investissement_routes_par_habitant")
    assert list(text_tables(at)[0]["Valeur"]) == list(routes["Valeur"])


def test_departement_view_opens_on_investment_per_inhabitant_and_never_shows_0_eur(data, terr):
    at = _run()
    box = next(b for b in at.sidebar.selectbox if b.label == "Indicateur comparé")
    assert box.value == bilan.DEFAULT_INDICATOR
    assert "Investissement du Département par habitant, 2015-2018" in page_text(at)
    shown = pd.concat(text_tables(at))  # the ranking under the map, in two halves
    assert len(shown) == 20
    omer = shown[shown["Intercommunalité"] == "Pays de Saint-Omer"].iloc[0]
    assert omer["Valeur"] == bilan.NO_CONTRACT
    assert not shown["Valeur"].str.contains(f"(?<![\\d,{NBSP} ])0{NBSP}€", regex=True).any()
    # An unknown indicator in the link is ignored (the default is shown, the URL is cleaned).
    at = _run(indicateur="inconnu")
    assert next(b for b in at.sidebar.selectbox if b.label == "Indicateur comparé").value == bilan.DEFAULT_INDICATOR
    assert "indicateur" not in at.query_params


def test_epci_view_puts_the_bilan_before_the_named_projects():
    at = _run(epci=ARRAS)
    text = page_text(at)
    brief = next(line for line in text.splitlines() if line.startswith("Le Département sur le territoire, 2015-2018 :"))
    assert brief.index("investis") < brief.index("Projets cités dans le contrat")
    headings = [html_shown(h) for b in at.get("html") for h in re.findall(r"<h3[^>]*>(.*?)</h3>", b.proto.body)]
    assert headings[:3] == ["Le Département sur le territoire, 2015-2018", "Projets cités dans le contrat", "Projets"]
    at = _run(epci="200069037")  # Pays de Saint-Omer: no contract in the document
    assert any(
        line.startswith("Pas de contrat dans le document pour ce territoire") for line in page_text(at).splitlines()
    )


def test_epci_key_figures_are_html_tables_and_the_contract_figures_are_folded():
    at = _run(epci="246200364")  # Lens-Liévin
    [section] = [h.proto.body for h in at.get("html") if 'id="chiffres-cles"' in h.proto.body]
    bilan_table, theme_period = re.findall(r'<div class="gd-table".*?</table></div>', section, re.S)[:2]
    assert "<td>Routes</td><td>au moins 11,8 millions €</td>" in bilan_table.replace(NBSP, " ")
    assert '<th scope="row">Aménagement</th>' in theme_period and "montant non précisé" in theme_period
    # The contract's own figures: in a closed details element, which the browser opens without a run.
    [details] = re.findall(r'<details class="gd-details">.*?</details>', section, re.S)
    assert "<summary>Tous les chiffres clés du contrat (Livret I, partie 7)</summary>" in details
    assert "Assistantes familiales" in details and "402 personnes" in details.replace(NBSP, " ")


def test_indicator_survives_a_visit_to_an_epci():
    at = _run(indicateur="investissement_routes_par_habitant")
    choose_territory(at, ARRAS)
    assert at.query_params["indicateur"] == "investissement_routes_par_habitant"  # kept for the way back
    assert not [b for b in at.sidebar.selectbox if b.label == "Indicateur comparé"]  # no choice on an EPCI's view
    choose_territory(at, None)
    box = next(b for b in at.sidebar.selectbox if b.label == "Indicateur comparé")
    assert box.value == "investissement_routes_par_habitant"
    assert "Classement : Routes : investissement par habitant" in page_text(at)

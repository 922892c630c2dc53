"""The web map's data: layers, legend entries and counts, escaping."""

from __future__ import annotations

import html
import json
import re

import pandas as pd

from geodash import style
from geodash.legend import Legend
from geodash.projects import filter_projects, place_projects
from geodash.webmap import MapOptions, build_map, legend_html

from .pagedata import layer, overlay

LUMBRES = "246201016"


def _render(terr, fin, epci=LUMBRES, mode="normal"):
    placed, unplaced = place_projects(fin, terr.communes)
    m = build_map(terr, placed, unplaced, MapOptions(epci=epci, mode=mode, credit="Sources : test"))
    return m, placed, unplaced


def _legend(page: str) -> str:
    return overlay(page)["legend"]


def _features(page: str) -> list[dict]:
    return overlay(page)["projects"]


def test_markers_and_legend_counts_match_filter(terr, data):
    fin = filter_projects(data.financements, epci=LUMBRES, themes=["Culture", "Sport"])
    page, placed, unplaced = _render(terr, fin)
    feats = _features(page)
    assert len(feats) == len(placed) > 0
    assert {f["k"] for f in feats} <= {"culture", "sport"}
    for theme in ("Culture", "Sport"):
        n = int((fin["theme"] == theme).sum())
        assert f"{theme} ({n})" in _legend(page)
    assert "Aménagement (" not in _legend(page)  # only what is shown is listed
    assert "Sources : test" in _legend(page)


def test_no_address_outside_the_app(terr, data):
    """The map needs no network: its data name no address (Leaflet comes from the app's static files)."""
    page, _, _ = _render(terr, data.financements[data.financements["epci_siren"] == LUMBRES])
    # (SVG markers name their namespace, http://www.w3.org/2000/svg: a name, never fetched.)
    addresses = set(re.findall(r"(?:https?:)?//[\w.-]+", json.dumps(page.data)))
    assert addresses <= {"http://www.w3.org"}, addresses


def test_hostile_text_is_escaped(terr):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    fin = pd.DataFrame(
        [
            {
                "id": "E-1",
                "epci_siren": LUMBRES,
                "commune_insee": "62534",
                "intitule": evil,
                "theme": "Culture",
                "periode": "à venir",
                "nature": "investissement",
                "montant_departement_eur": 1000.0,
                "cout_total_eur": float("nan"),
                "maitre_ouvrage": '"><svg onload=alert(3)>',
                "route": "",
                "source": "1",
                "remarque": "javascript:alert(4)",
                "description": "",
            }
        ]
    )
    page, _, _ = _render(terr, fin)
    # Everything the component sets as HTML is escaped; the marker's title ("t") is plain text, which
    # Leaflet sets as an attribute through the DOM.
    as_html = json.dumps(
        {
            **page.data,
            "overlay": {
                **overlay(page),
                "projects": [{k: v for k, v in f.items() if k != "t"} for f in _features(page)],
            },
        }
    )
    assert "<script>alert(1)" not in as_html and "<img src=x" not in as_html and "<svg onload" not in as_html
    assert _features(page)[0]["t"].startswith(f"1. {evil}")
    feat = _features(page)[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in feat["h"]
    assert "&lt;img src=x onerror=alert(2)&gt;" in feat["p"]
    assert "&quot;&gt;&lt;svg onload=alert(3)&gt;" in feat["p"]


def test_departement_view_is_a_choropleth_with_20_epci(terr, data):
    per = pd.Series({s: i for i, s in enumerate(terr.sirens)}, dtype=float)
    m = build_map(terr, options=MapOptions(epci=None, choropleth=per))
    page = m
    labels = overlay(page)["area_labels"]
    assert sorted(a["t"] for a in labels) == sorted(terr.epci["nom_court"].map(html.escape))
    assert "Financements du Département par habitant" in _legend(page)
    colours = {f["properties"]["s"]["fillColor"] for f in layer(page, "Intercommunalités")["fc"]["features"]}
    assert colours == set(style.CHOROPLETH)


def test_projector_mode_uses_large_type(terr, data):
    page, _, _ = _render(terr, data.financements[data.financements["epci_siren"] == LUMBRES], mode="projecteur")
    assert f"font-size: {style.FONTS['projecteur']['legend']}px" in overlay(page)["css"]
    assert style.FONTS["projecteur"]["label"] >= 20 and style.FONTS["projecteur"]["legend"] >= 22


def test_legend_escapes_title():
    html = legend_html(Legend("<i>t</i>", ()), mode="normal", credit="Sources : <b>x</b>", realisation="r")
    assert "<b>x</b>" not in html and "&lt;i&gt;t&lt;/i&gt;" in html

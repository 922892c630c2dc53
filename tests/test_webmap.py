"""The folium map: layers, legend entries and counts, escaping, offline assets."""

from __future__ import annotations

import html
import re

import pandas as pd

from geodash import style
from geodash.legend import Legend
from geodash.projects import filter_projects, place_projects
from geodash.webmap import MapOptions, build_map, epci_at, legend_html

from .pagedata import overlay

LUMBRES = "246201016"


def _render(terr, fin, epci=LUMBRES, mode="normal"):
    placed, unplaced = place_projects(fin, terr.communes)
    m = build_map(terr, placed, unplaced, MapOptions(epci=epci, mode=mode, credit="Sources : test"))
    return m.get_root().render(), placed, unplaced


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


def test_no_cdn_only_local_leaflet(terr, data):
    page, _, _ = _render(terr, data.financements[data.financements["epci_siren"] == LUMBRES])
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls and all(u.startswith("/app/static/leaflet/") for u in urls), urls


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
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<svg onload" not in page
    feat = _features(page)[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in feat["h"]
    assert "&lt;img src=x onerror=alert(2)&gt;" in feat["p"]
    assert "&quot;&gt;&lt;svg onload=alert(3)&gt;" in feat["p"]


def test_departement_view_is_a_choropleth_with_20_epci(terr, data):
    per = pd.Series({s: i for i, s in enumerate(terr.sirens)}, dtype=float)
    m = build_map(terr, options=MapOptions(epci=None, choropleth=per))
    page = m.get_root().render()
    labels = overlay(page)["area_labels"]
    assert sorted(a["t"] for a in labels) == sorted(terr.epci["nom_court"].map(html.escape))
    assert "Financements du Département par habitant" in _legend(page)
    for colour in style.CHOROPLETH:
        assert colour in page


def test_projector_mode_uses_large_type(terr, data):
    page, _, _ = _render(terr, data.financements[data.financements["epci_siren"] == LUMBRES], mode="projecteur")
    assert f"font-size: {style.FONTS['projecteur']['legend']}px" in page
    assert style.FONTS["projecteur"]["label"] >= 20 and style.FONTS["projecteur"]["legend"] >= 22


def test_epci_at_point(terr):
    assert epci_at(terr, 50.7115, 2.1217) == LUMBRES  # Lumbres
    assert epci_at(terr, 51.5, 1.0) is None  # the Channel


def test_legend_escapes_title():
    html = legend_html(Legend("<i>t</i>", ()), mode="normal", credit="Sources : <b>x</b>", realisation="r")
    assert "<b>x</b>" not in html and "&lt;i&gt;t&lt;/i&gt;" in html

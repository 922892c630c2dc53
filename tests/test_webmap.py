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


# --- The follow-up since the contract -------------------------------------------------------------------


def _followed(terr, data, states: dict[int, tuple[str, bool, str]]):
    """Lumbres' projects with the follow-up columns selection adds: the contract's state everywhere, but
    ``states`` (position in the placed frame → etat, en_retard, suivi)."""
    placed, unplaced = place_projects(data.financements[data.financements["epci_siren"] == LUMBRES], terr.communes)
    for frame in (placed, unplaced):
        frame["etat"] = frame["periode"].map({"2015-2018": "vote", "à venir": "annonce"})
        frame["en_retard"] = False
        frame["suivi"] = "pas d'information de suivi"
    for pos, (etat, late, suivi) in states.items():
        placed.loc[placed.index[pos], ["etat", "en_retard", "suivi"]] = [etat, late, suivi]
    return placed, unplaced


def test_markers_carry_their_follow_up_badge_and_the_legend_its_group(terr, data):
    placed, unplaced = _followed(
        terr, data, {0: ("realise", False, "réalisé le 02/03/2021"), 1: ("vote", True, "voté ; en retard")}
    )
    m = build_map(terr, placed, unplaced, MapOptions(epci=LUMBRES))
    feats = _features(m)
    badged = [f for f in feats if "overflow" in f["h"]]
    assert len(badged) == 2
    words = sorted(re.search(r'aria-label="[^"]*, (réalisé|en retard)"', f["h"]).group(1) for f in badged)
    assert words == ["en retard", "réalisé"]
    assert any(f'fill="{style.BADGES["retard"].color}"' in f["h"] for f in badged)
    group = m.legend.groups[2]
    assert group.key == "suivi" and [e.text for e in group.entries][:2] == [
        "Réalisé (1)",
        "En retard sur le calendrier prévu (1)",
    ]
    block = _legend(m)
    assert "<h5>Suivi depuis le contrat</h5>" in block and "Sans pastille : état prévu par le contrat de 2019" in block
    assert block.count('aria-hidden="true"><circle') == 2  # one badge per state entry
    # Each popup says where its financing stands.
    assert all("<dt>Suivi</dt>" in f["p"] for f in feats)
    assert sum("<dd>réalisé le 02/03/2021</dd>" in f["p"] for f in feats) == 1


def test_without_follow_up_columns_the_map_is_as_before(terr, data):
    placed, unplaced = _followed(terr, data, {0: ("realise", True, "x")})
    bare = [f.drop(columns=["etat", "en_retard", "suivi"]) for f in (placed, unplaced)]
    m = build_map(terr, *bare, MapOptions(epci=LUMBRES))
    plain = build_map(
        terr,
        *place_projects(data.financements[data.financements["epci_siren"] == LUMBRES], terr.communes),
        MapOptions(epci=LUMBRES),
    )
    assert m.text == plain.text
    assert not any("overflow" in f["h"] or "<dt>Suivi</dt>" in f["p"] for f in _features(m))
    assert "Suivi depuis le contrat" not in _legend(m)


def test_epci_wide_items_carry_their_badge_in_the_side_box(terr, data):
    placed, unplaced = _followed(terr, data, {})
    with_amount = unplaced.index[unplaced["montant_departement_eur"].notna()]
    assert len(with_amount)
    unplaced.loc[with_amount[0], "etat"] = "abandonne"
    block = _legend(build_map(terr, placed, unplaced, MapOptions(epci=LUMBRES)))
    side = block.split('<ul class="gd-side">')[1]
    assert side.count('overflow="visible"') == 1 and ", abandonné" in side
    assert "Abandonné (1)" in block


def test_hostile_follow_up_text_is_escaped(terr, data):
    evil = "<script>alert(1)</script>{x} {{y}} ${z}"
    placed, unplaced = _followed(terr, data, {0: ("verse", False, evil)})
    m = build_map(terr, placed, unplaced, MapOptions(epci=LUMBRES))
    popup = next(f["p"] for f in _features(m) if "alert" in f["p"])
    assert "<script>" not in popup and "{x}" not in popup and "{{y}}" not in popup
    assert (
        "<dd>&lt;script&gt;alert(1)&lt;/script&gt;&#123;x&#125; &#123;&#123;y&#125;&#125; $&#123;z&#125;</dd>" in popup
    )
    assert html.unescape(popup.split("<dt>Suivi</dt><dd>")[1].split("</dd>")[0]) == evil
    assert "<script>" not in m.text

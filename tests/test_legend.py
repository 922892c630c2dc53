"""The symbology model, and the same legend on screen and on paper (legend parity)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import warnings

import hypothesis
import hypothesis.strategies as hst
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from geodash import bilan, legend, settings, style
from geodash.dashboard import financing_by_epci
from geodash.layers import load_layers
from geodash.printmap import SheetOptions, drawn_legend, render_sheet
from geodash.projects import place_projects
from geodash.weblayers import context_layers
from geodash.webmap import MapOptions, build_map

from .layers_config import SHARED_GEO, write_config
from .pagedata import layer, overlay

ARRAS = "200033579"

needs_geo = pytest.mark.skipif(
    not (SHARED_GEO / "tm_roads_62.geojson").exists(), reason=f"reference geodata not found in {SHARED_GEO}"
)


def _row(**kw) -> pd.Series:
    base = {
        "intitule": "Salle",
        "montant_departement_eur": 417000.0,
        "nature": "investissement",
        "periode": "2015-2018",
    }
    return pd.Series({**base, **kw})


# --- The model ------------------------------------------------------------------------------------


def test_label_parts_keep_name_and_amount_apart():
    assert legend.label_parts(_row(intitule="RD 208")) == ("RD 208", "417\u00a0000\u00a0€")
    # A dash inside the name stays in the name (the old one-line label was split on it).
    assert legend.label_parts(_row(intitule="Arras – Achicourt")) == ("Arras – Achicourt", "417\u00a0000\u00a0€")
    assert legend.label_parts(_row(periode="à venir", montant_departement_eur=1.3e6))[1].startswith("À venir : ")
    assert legend.label_parts(_row(nature="fonctionnement"))[1] == "Fonctionnement : 417\u00a0000\u00a0€"
    # Without an amount the label is the name alone (« engagement » meant nothing to a reader).
    assert legend.label_parts(_row(nature="engagement", montant_departement_eur=np.nan)) == ("Salle", "")
    assert legend.label_parts(_row(montant_departement_eur=np.nan)) == ("Salle", "")
    assert legend.project_label(_row(intitule="RD 208")) == "RD 208 – 417\u00a0000\u00a0€"


def test_numbers_follow_theme_order_then_amount_then_id():
    frame = pd.DataFrame(
        {
            "theme": ["Sport", "Aménagement", "Aménagement", "Culture"],
            "montant_departement_eur": [5.0, 1.0, 9.0, np.nan],
            "id": ["d", "b", "a", "c"],
        },
        index=[10, 11, 12, 13],
    )
    assert legend.number_projects(frame).sort_index().tolist() == [4, 2, 1, 3]


def test_missing_value_gets_the_neutral_colour_not_a_class():
    breaks = legend.choropleth_classes(pd.Series([1.0, 10.0, 20.0, 40.0, 80.0, 160.0]))
    assert legend.class_color(np.nan, breaks) == style.CHOROPLETH_NO_VALUE != style.MAP_BACKGROUND["land"]
    assert legend.class_color(None, breaks) == style.CHOROPLETH_NO_VALUE
    assert legend.class_color(1.0, breaks) == style.CHOROPLETH[0]
    assert legend.class_color(160.0, breaks) == style.CHOROPLETH[-1]
    assert style.CHOROPLETH_NO_VALUE not in style.CHOROPLETH
    entries = legend.choropleth_entries(breaks)
    assert [e.color for e in entries] == list(style.CHOROPLETH[: len(entries)])


def test_epci_wide_box_wording():
    unplaced = pd.DataFrame(
        {
            "theme": ["Culture", "Sport", "Sport"],
            "periode": ["2015-2018", "à venir", "à venir"],
            "intitule": ["Festival", "Étude", "Piscine"],
            "nature": ["fonctionnement", "engagement", "engagement"],
            "montant_departement_eur": [20000.0, np.nan, np.nan],
        }
    )
    box = legend.epci_wide_box(unplaced)
    assert box.items == (("Culture", "2015-2018", "Festival", "Fonctionnement : 20\u00a0000\u00a0€"),)
    assert box.engagements_text() == "et 2 engagements sans montant"
    assert box.engagements_text(scope=True) == "et 2 engagements sans montant à l'échelle de l'intercommunalité"
    assert legend.epci_wide_box(unplaced.iloc[:2]).engagements_text() == "et 1 engagement sans montant"
    assert legend.epci_wide_box(unplaced.iloc[:0]) is None


def test_road_order_puts_motorways_on_top():
    order = legend.road_draw_order()
    assert set(order) == set(style.ROAD_CLASSES)
    assert order[-1] == "autoroute" and order.index("nationale") > order.index("1") > order.index("3")
    assert legend.road_draw_order(["autoroute", "2"]) == ["2", "autoroute"]


def test_context_groups_order_and_counts():
    counts = legend.ContextCounts({"autoroute": 2, "3": 5, "1": 1}, works=3, sites={"college": 4}, areas={})
    groups = legend.context_groups(counts)
    assert [g.key for g in groups] == ["routes", "autres_routes", "sites"]
    assert [e.text for e in groups[0].entries] == [
        f"{style.ROAD_WORK.label} (3)",
        f"{style.ROAD_CLASSES['1'].label} (1)",
        f"{style.ROAD_CLASSES['3'].label} (5)",
    ]
    assert groups[1].entries[0].text == "Autoroute (2)"
    assert legend.context_groups(None) == []


def test_boundaries_are_a_print_only_group():
    model = legend.build_legend(title="T", epci_siren=ARRAS)
    assert [g.key for g in model.groups_for("print")] == ["limites"]
    assert model.groups_for("web") == ()
    assert [e.key for e in model.groups[0].entries] == ["epci", "commune"]
    assert [e.key for e in legend.build_legend(title="T").groups[0].entries] == ["epci"]


# --- The follow-up badges -------------------------------------------------------------------------------


def _followed(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    """Projects with their follow-up columns, as selection gives them: (periode, etat, en_retard)."""
    return pd.DataFrame(
        {
            "id": [f"F-{i}" for i in range(len(rows))],
            "theme": ["Culture"] * len(rows),
            "periode": [r[0] for r in rows],
            "etat": [r[1] for r in rows],
            "en_retard": [r[2] for r in rows],
            "suivi": ["pas d'information de suivi"] * len(rows),
            "intitule": [f"Projet {i}" for i in range(len(rows))],
            "nature": ["investissement"] * len(rows),
            "montant_departement_eur": [1000.0] * len(rows),
        },
        index=range(10, 10 + len(rows)),
    )


@pytest.mark.parametrize(
    "etat, periode, late, badge",
    [
        # What the contract says for the period: no badge.
        ("vote", "2015-2018", False, None),
        ("annonce", "à venir", False, None),
        # Anything else: the state.
        ("vote", "à venir", False, "vote"),
        ("verse", "2015-2018", False, "verse"),
        ("verse", "à venir", False, "verse"),
        ("realise", "2015-2018", False, "realise"),
        ("abandonne", "à venir", False, "abandonne"),
        ("reporte", "2015-2018", False, "reporte"),
        # Late wins over the state, even one the contract says.
        ("vote", "2015-2018", True, "retard"),
        ("annonce", "à venir", True, "retard"),
        ("verse", "à venir", np.True_, "retard"),
        # Unknown or missing: no badge.
        (None, "à venir", False, None),
        (np.nan, "2015-2018", None, None),
        ("inconnu", "à venir", False, None),
        ("vote", "à venir", np.nan, "vote"),
    ],
)
def test_state_badge_rule(etat, periode, late, badge):
    assert legend.state_badge(etat, periode, late) == badge


def test_a_state_nobody_recorded_has_no_badge():
    """The 21 subsidies the délibération 2019-117 voted with the contracts are « voté » by the 2019 document:
    no badge under « Suivi depuis le contrat » until staff record something."""
    assert legend.state_badge("vote", "à venir", False, recorded=False) is None
    assert legend.state_badge("vote", "à venir", False, recorded=True) == "vote"
    frame = _followed([("à venir", "vote", False), ("à venir", "vote", False), ("à venir", "verse", True)])
    frame["suivi_enregistre"] = [False, True, True]
    assert legend.state_badges(frame).tolist() == [None, "vote", "retard"]
    assert [g.key for g in legend.project_groups(frame.iloc[:1], None)] == ["projets", "themes"]


def test_every_state_but_the_announcement_has_a_badge_and_late_one_too():
    from geodash import progress

    assert list(style.BADGES) == [e for e in progress.ETATS if e != "annonce"] + ["retard"]
    assert set(legend.CONTRACT_STATES) == set(style.PERIODS)
    glyphs = [b.glyph for b in style.BADGES.values()]
    assert len(set(glyphs)) == len(glyphs) and all(len(g) == 1 for g in glyphs)
    assert len({b.color for b in style.BADGES.values()}) == len(style.BADGES)
    assert [b.word for b in style.BADGES.values()] == [
        *(progress.ETAT_LABELS[e] for e in progress.ETATS if e != "annonce"),
        progress.LATE,
    ]


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(
    rows=hst.lists(
        hst.tuples(
            hst.sampled_from(list(style.PERIODS)),
            hst.sampled_from([*style.BADGES, "annonce", None]),
            hst.sampled_from([True, False, None]),
        ),
        max_size=12,
    )
)
def test_state_badges_of_a_frame_are_state_badge_row_by_row(rows):
    frame = _followed(rows)
    got = legend.state_badges(frame)
    assert got.index.equals(frame.index) and got.dtype == object
    assert got.tolist() == [legend.state_badge(e, p, late) for p, e, late in rows]


def test_state_badges_without_follow_up_columns_are_none():
    frame = _followed([("à venir", "verse", True), ("2015-2018", "realise", False)])
    bare = frame.drop(columns=["etat", "en_retard", "suivi"])
    assert legend.state_badges(bare).tolist() == [None, None]
    assert legend.state_badges(frame.drop(columns="en_retard")).tolist() == ["verse", "realise"]
    assert legend.state_badges(frame.drop(columns="etat")).tolist() == ["retard", None]
    assert legend.state_badges(None).empty and legend.state_badges(frame.iloc[:0]).empty


def test_state_group_counts_badges_in_a_fixed_order_then_the_note():
    placed = _followed(
        [
            ("2015-2018", "vote", True),
            ("à venir", "reporte", False),
            ("à venir", "vote", False),
            ("2015-2018", "vote", False),  # as the contract says
            ("à venir", "annonce", False),  # idem
            ("à venir", "reporte", False),
        ]
    )
    unplaced = _followed([("2015-2018", "realise", False)])
    groups = legend.project_groups(placed, unplaced)
    assert [g.key for g in groups] == ["projets", "themes", "suivi"]
    state = groups[-1]
    assert state.title == style.GROUP_TITLES["suivi"] == "Suivi depuis le contrat" and state.media == legend.MEDIA
    assert [(e.kind, e.key, e.count) for e in state.entries] == [
        ("state", "vote", 1),
        ("state", "realise", 1),
        ("state", "reporte", 2),
        ("state", "retard", 1),
        ("note", "contrat", None),
    ]
    assert state.entries[0].text == "Voté (1)" and state.entries[-1].text == legend.NO_BADGE_NOTE
    assert state.entries[-1].text == "Sans pastille : état prévu par le contrat de 2019"


def test_no_state_group_without_badge_or_without_follow_up():
    as_said = _followed([("2015-2018", "vote", False), ("à venir", "annonce", False)])
    assert [g.key for g in legend.project_groups(as_said, None)] == ["projets", "themes"]
    bare = _followed([("à venir", "verse", True)]).drop(columns=["etat", "en_retard", "suivi"])
    assert [g.key for g in legend.project_groups(bare, bare)] == ["projets", "themes"]
    assert legend.state_group(None) is None
    assert legend.build_legend(title="T", placed=bare, unplaced=None, epci_siren=ARRAS).groups[2].key == "limites"


def test_epci_wide_box_keeps_each_item_s_badge():
    unplaced = _followed([("à venir", "verse", False), ("2015-2018", "vote", False)])
    box = legend.epci_wide_box(unplaced)
    assert box.badges == ("verse", None) and box.badge(0) == "verse" and box.badge(1) is None
    bare = legend.epci_wide_box(unplaced.drop(columns=["etat", "en_retard"]))
    assert bare.badges == () and bare.badge(0) is None
    assert legend.epci_wide_box(_followed([("2015-2018", "vote", False)])).badges == ()


def test_marker_svg_with_a_badge_names_the_state():
    plain = style.marker_svg("Culture", "à venir", 22, number=3)
    badged = style.marker_svg("Culture", "à venir", 22, number=3, badge="verse")
    # Same box, same shape: the map places the marker and its label as before.
    assert 'width="22" height="22" viewBox="0 0 24 24"' in plain and 'width="22" height="22"' in badged
    assert badged.startswith(plain.split("aria-label")[0].replace(" role=", ' overflow="visible" role='))
    assert 'aria-label="Culture, Financements à venir"' in plain and "overflow" not in plain
    assert 'aria-label="Culture, Financements à venir, versé"' in badged
    assert f'fill="{style.BADGES["verse"].color}"' in badged and ">€</text>" in badged
    assert style.marker_svg("Sport", "2015-2018", 22, badge="retard").count("<circle") == 1
    with pytest.raises(KeyError):
        style.marker_svg("Sport", "2015-2018", 22, badge="<b>")
    legend_badge = style.badge_svg("realise", 14)
    assert 'width="14"' in legend_badge and 'aria-hidden="true"' in legend_badge and ">✓</text>" in legend_badge


def test_marker_svg_escapes_its_aria_label(monkeypatch):
    monkeypatch.setitem(style.BADGES, "x", style.BadgeStyle('<b>"x"</b>', '<i a="1">{x}</i>', "<", "#2B5C8A"))
    svg = style.marker_svg("Culture", "2015-2018", 22, badge="x")
    assert "<b>" not in svg and "<i" not in svg and "{x}" not in svg
    assert 'aria-label="Culture, Financements 2015-2018, &lt;i a=&quot;1&quot;&gt;&#123;x&#125;&lt;/i&gt;"' in svg
    assert ">&lt;</text>" in svg


# --- Legend parity: the same selection on both media --------------------------------------------------


def _web_legend_rows(fmap) -> list[tuple[str, list[str]]]:
    """(group title, [entry text]) as written in the page's legend HTML (swatches removed)."""
    block = overlay(fmap)["legend"]
    block = re.sub(r"<svg.*?</svg>", "", block)
    groups = []
    for title, body in re.findall(r"<h5[^>]*>(.*?)</h5>(?:</summary>)?<(?:ul|p)[^>]*>(.*?)</(?:ul|p)>", block):
        items = re.findall(r"<li>(.*?)</li>", body)
        texts = [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]
        groups.append((html.unescape(title), texts))
    return groups


def _print_legend_texts(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 1
    return [t.get_text() for t in legends[0].get_texts()]


def _expected_web(model: legend.Legend) -> list[tuple[str, list[str]]]:
    groups = [(g.title, [e.text for e in g.entries]) for g in model.groups_for("web")]
    box = model.epci_wide
    if box is not None:
        side = [name + (f" – {amount}" if amount else "") for _, _, name, amount in box.items]
        groups.append((box.title, side + ([box.engagements_text(scope=True)] if box.n_engagements else [])))
    return groups


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    if not (SHARED_GEO / "tm_roads_62.geojson").exists():
        pytest.skip("reference geodata not found")
    return load_layers(write_config(tmp_path_factory.mktemp("legend")))


@pytest.fixture(scope="module")
def arras_sheets(terr, data, loaded):
    fin = data.financements[data.financements["epci_siren"] == ARRAS]
    placed, unplaced = place_projects(fin, terr.communes)
    ctx = context_layers(loaded, epci_siren=ARRAS, territories=terr)
    fmap = build_map(terr, placed, unplaced, MapOptions(epci=ARRAS, context=ctx, credit="Sources : test"))
    fig = render_sheet(terr, placed, unplaced, SheetOptions(epci=ARRAS, context=loaded, credit="Sources : test"))
    yield fmap, fig, placed, unplaced
    plt.close(fig)


@needs_geo
def test_legend_parity_epci_sheet_and_web_map(arras_sheets):
    fmap, fig, placed, unplaced = arras_sheets
    web, paper = fmap.legend, drawn_legend(fig)
    assert web is not None and paper is not None
    # Same title, same groups, same labels, same counts, same order; only the boundaries are print-only.
    assert web.title == paper.title == "Communauté urbaine d'Arras"
    shared = [(g.title, e.text) for g in paper.groups_for("print") if "web" in g.media for e in g.entries]
    assert web.rows("web") == shared and len(shared) > 10
    assert [g.key for g in paper.groups_for("print") if "web" not in g.media] == ["limites"]
    assert [g.key for g in web.groups_for("web")] == ["projets", "themes", "routes", "autres_routes", "sites"]
    assert web.epci_wide == paper.epci_wide and web.epci_wide is not None
    counts = {e.key: e.count for g in web.groups for e in g.entries if g.key == "themes"}
    assert sum(counts.values()) == len(placed) + len(unplaced)
    # What each medium shows is its model, entry by entry.
    assert _web_legend_rows(fmap)[:-1] == _expected_web(web)  # the last group is Sources - Réalisation
    expected_print = [t for g in paper.groups_for("print") for t in [g.title] + [e.text for e in g.entries]]
    assert _print_legend_texts(fig) == expected_print
    col_text = "\n".join(t.get_text() for ax in fig.axes for t in ax.texts)
    box = paper.epci_wide
    assert f"{box.title} :" in col_text
    assert all(name in col_text for _, _, name, _ in box.items)
    if box.n_engagements:
        assert box.engagements_text() in col_text


def test_legend_parity_departement_choropleth(terr, data):
    by_epci = financing_by_epci(data.financements, terr.epci).set_index("siren")["par_habitant"]
    placed, unplaced = place_projects(data.financements.iloc[:0], terr.communes)
    fmap = build_map(terr, options=MapOptions(choropleth=by_epci))
    fig = render_sheet(terr, None, None, SheetOptions(choropleth=by_epci))
    try:
        web, paper = fmap.legend, drawn_legend(fig)
        assert web.title == paper.title == legend.DEPARTEMENT_TITLE
        assert [g.key for g in web.groups_for("web")] == ["choropleth"]
        assert web.rows("web") == paper.rows("print")[: len(web.rows("web"))]
        assert len(web.groups[0].entries) == len(style.CHOROPLETH)
        assert _web_legend_rows(fmap)[0] == (style.GROUP_TITLES["choropleth"], [e.text for e in web.groups[0].entries])
        texts = _print_legend_texts(fig)
        assert texts[: 1 + len(style.CHOROPLETH)] == [style.GROUP_TITLES["choropleth"]] + [
            e.text for e in paper.groups[0].entries
        ]
    finally:
        plt.close(fig)


# --- The two corrected differences, on paper ------------------------------------------------------------


@needs_geo
def test_print_draws_motorways_on_top_of_departementales(arras_sheets):
    _, fig, _, _ = arras_sheets
    zorder = {c.get_gid(): c.get_zorder() for ax in fig.axes for c in ax.collections if c.get_gid()}
    assert {"road-autoroute", "road-1", "road-3"} <= set(zorder)
    assert zorder["road-autoroute"] > zorder["road-nationale"] > zorder["road-1"] > zorder["road-3"]


def test_epci_without_value_is_neutral_on_both_media(terr, data):
    values = financing_by_epci(data.financements, terr.epci).set_index("siren")["par_habitant"]
    values[ARRAS] = np.nan
    breaks = legend.choropleth_classes(values)
    darkest = style.CHOROPLETH[len(breaks) - 2]
    fig = render_sheet(terr, None, None, SheetOptions(choropleth=values))
    try:
        polygons = fig.axes[0].collections[0]
        colours = [tuple(c) for c in polygons.get_facecolors()]
        # Arras is the only EPCI in the neutral colour (one patch per polygon part).
        parts = terr.epci.explode(index_parts=False)
        n_arras = int((parts["siren"] == ARRAS).sum())
        assert colours.count(to_rgba(style.CHOROPLETH_NO_VALUE)) == n_arras >= 1
        assert colours.count(to_rgba(darkest)) == int((parts["siren"].map(values) >= breaks[-2]).sum())
    finally:
        plt.close(fig)
    fmap = build_map(terr, options=MapOptions(choropleth=values))
    web_colours = {
        f["properties"]["siren"]: f["properties"]["s"]["fillColor"]
        for f in layer(fmap, "Intercommunalités")["fc"]["features"]
    }
    assert web_colours[ARRAS] == style.CHOROPLETH_NO_VALUE
    assert sum(c == style.CHOROPLETH_NO_VALUE for c in web_colours.values()) == 1


def test_print_renderer_does_not_pull_in_the_web_renderer():
    code = (
        "import sys, geodash.printmap, geodash.atlas; "
        "print(sorted(m for m in ('geodash.webmap', 'geodash.weblayers') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(settings.REPO_DIR / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"


# --- The bilan's choropleth ---------------------------------------------------------------------------------

SAINT_OMER = "200069037"


def _significant(x: float) -> int:
    digits = f"{abs(x):.10g}".replace(".", "").strip("0")
    return len(digits)


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    # Values of the page's scale (€ or € per inhabitant, cents at most).
    values=hst.lists(
        hst.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 2)), min_size=1, max_size=40
    ),
    k=hst.integers(min_value=1, max_value=7),
)
def test_quantile_bins_are_mapclassify_quantiles(values, k):
    import mapclassify

    hypothesis.assume(len(set(values)) >= max(2, k))  # as choropleth_classes calls it
    y = np.array(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Not enough unique values", "Numba not installed"
        expected = mapclassify.Quantiles(y, k=k).bins
    # scipy interpolates between two equal values with a rounding error (399286.06999999995 next to
    # 399286.07), which mapclassify then keeps as one more class: compare the classes up to that noise.
    assert np.unique(legend.quantile_bins(y, k).round(6)) == pytest.approx(np.unique(expected.round(6)), abs=1e-6)


def test_page_modules_do_not_import_scipy():
    """The quantiles are numpy's: the map page's first run does not pay for scipy."""
    code = "import sys, geodash.pages.carte, geodash.legend; sys.exit('scipy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_bilan_choropleth_classes_are_rounded_quantiles(terr, data):
    import mapclassify

    cp = legend.bilan_choropleth(data.chiffres, terr.epci, terr.communes, "investissement_total_par_habitant")
    table = bilan.indicator_values(data.chiffres, terr.epci, terr.communes, "investissement_total_par_habitant")
    assert (
        cp.values.dropna().sort_index().tolist()
        == table.set_index("epci_siren")["valeur"].dropna().sort_index().tolist()
    )
    breaks = cp.breaks()
    assert len(breaks) == len(style.CHOROPLETH) + 1
    assert all(_significant(b) <= 2 for b in breaks), breaks
    raw = mapclassify.Quantiles(cp.values.dropna().to_numpy(), k=len(style.CHOROPLETH)).bins[:-1]
    assert breaks[1:-1] == pytest.approx(raw, rel=0.05)  # rounding moves a break by less than 5 %
    assert breaks[0] <= cp.values.min() and breaks[-1] >= cp.values.max()
    # Every class is used: the classes are a ranking of the EPCI in fifths.
    colours = {legend.class_color(v, breaks) for v in cp.values.dropna()}
    assert colours == set(style.CHOROPLETH)


def test_saint_omer_is_neutral_and_named_in_the_legend_never_a_class(terr, data):
    cp = legend.bilan_choropleth(data.chiffres, terr.epci, terr.communes, "investissement_total_par_habitant")
    assert pd.isna(cp.values[SAINT_OMER])
    assert legend.class_color(cp.values[SAINT_OMER], cp.breaks()) == style.CHOROPLETH_NO_VALUE
    assert cp.text(SAINT_OMER) == bilan.NO_CONTRACT
    assert cp.text(ARRAS).startswith("au moins ") and cp.text(ARRAS).endswith("€\u00a0/\u00a0hab.")
    names = dict(zip(terr.epci["siren"], terr.epci["nom_court"]))
    group = legend.choropleth_group(cp, names)
    assert group.title == "Investissement du Département par habitant, 2015-2018 (€\u00a0/\u00a0hab.)"
    last = group.entries[-1]
    assert (last.label, last.color) == (
        "pas de contrat dans le document (Pays de Saint-Omer)",
        style.CHOROPLETH_NO_VALUE,
    )
    assert [e.color for e in group.entries[:-1]] == list(style.CHOROPLETH)
    assert group.entries[0].label.startswith("de ") and "à moins de" in group.entries[0].label
    assert "Recueil des actes administratifs n° 5, mai 2019" in cp.source
    with pytest.raises(KeyError):
        legend.bilan_choropleth(data.chiffres, terr.epci, terr.communes, "pas_un_indicateur")


def test_class_bounds_are_written_in_french_without_needless_decimals():
    assert legend.format_break(230.0) == "230"
    assert legend.format_break(1200.0) == "1\u00a0200"
    assert legend.format_break(0.47, "pour 1 000 hab.") == "0,47"
    assert legend.format_break(18_000_000.0, "EUR") == "18\u00a0millions"
    entries = legend.choropleth_entries([110.0, 230.0, 970.0])
    assert [e.label for e in entries] == ["de 110 à moins de 230", "de 230 à 970"]

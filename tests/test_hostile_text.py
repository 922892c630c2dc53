"""Hostile text through every renderer: it comes out as written, and nothing fails.

Text an editor types (or a file holds) is fed to the web map (labels, popups, legend box, tooltips:
the data the page's map component receives), the print sheet (PDF, PNG, SVG), the page tables, the CSV and Excel
downloads and the Markdown the pages write. Template syntax (``{{ }}``, ``{% %}``, ``{#``), mathtext
(``$…$``), Markdown images and links, HTML, right-to-left and zero-width characters and NUL are mixed
into generated strings; each renderer must give the text back literally (controls aside) and never
evaluate it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re

import markdown_it
import openpyxl
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

from geodash import dashboard, projects, webtext
from geodash.pages import STATIC_DIR
from geodash.printmap import SheetOptions, render_sheet
from geodash.text import html_text, markdown_text, visible_text
from geodash.webmap import MapOptions, build_map

from .pagedata import overlay

LUMBRES = "246201016"
FRAGMENTS = [
    "{{ 7*7 }}",
    "{{ lipsum.__globals__.os.getpid() }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{#",
    "#}",
    "}}",
    "{%",
    "$\\foo{1}$",
    "$x^2$",
    "![x](http://127.0.0.1:9/beacon)",
    "[lien](javascript:alert(1))",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "&amp;",
    "**gras**",
    ":red[rouge]",
    "\u202eRTL\u202c",
    "\u200b",
    "\x00",
    "\u2028",
    "'",
    '"',
    "\\",
    "=1+1",
    "@SUM(A1)",
    "é",
]
#: Hostile strings: fragments and arbitrary text, mixed.
HOSTILE = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), min_size=1, max_size=6).map("".join)
KNOWN = [
    "Test {{ 7*7 }}",
    "{{ lipsum.__globals__.os.getpid() }}",
    "Montant {# à confirmer",
    "$\\foo{1}$",
    "![x](http://127.0.0.1:9/beacon)",
]
CI = os.environ.get("CI") == "true"
FAST = settings(max_examples=200, deadline=None, derandomize=CI, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, derandomize=CI, suppress_health_check=[HealthCheck.too_slow])


def shown(value: str) -> str:
    """What a reader should see of ``value``: the text without its control characters."""
    return visible_text(value)


def _words(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- The escaping functions --------------------------------------------------------------------------------


@FAST
@given(HOSTILE)
def test_html_text_is_the_text_and_no_markup_or_template(value):
    out = html_text(value)
    assert html.unescape(out) == shown(value)
    assert not set("<>{}\"'\x00") & set(out)


@FAST
@given(HOSTILE)
def test_markdown_text_renders_as_the_text_alone(value):
    rendered = markdown_it.MarkdownIt("commonmark").render(markdown_text(value))
    body = re.sub(r"<br />\n", "\n", rendered.strip())
    assert re.fullmatch(r"(<p>.*</p>)?", body, re.S), rendered  # one paragraph, no other element
    text = html.unescape(re.sub(r"</?p>", "", body))
    # Markdown drops the spaces around lines: compare what is written, not its spacing.
    assert _words(text) == _words(shown(value))


# --- The web map ------------------------------------------------------------------------------------------

FIELDS = ("intitule", "maitre_ouvrage", "remarque", "description", "calendrier")


def _hostile_financings(data, value: str) -> pd.DataFrame:
    """Lumbres' financings, the first placed one and the first EPCI-wide one given ``value`` in every text field."""
    fin = data.financements[data.financements["epci_siren"] == LUMBRES].copy()
    placed_id = fin.loc[fin["commune_insee"] != "", "id"].iloc[0]
    wide_id = fin.loc[(fin["commune_insee"] == "") & fin["montant_departement_eur"].notna(), "id"].iloc[0]
    for fid, prefix in ((placed_id, "P "), (wide_id, "E ")):
        for field in FIELDS:
            fin.loc[fin["id"] == fid, field] = prefix + value
    return fin


@SLOW
@given(HOSTILE)
@example(KNOWN[0])
@example(KNOWN[1])
@example(KNOWN[2])
def test_the_web_map_shows_hostile_text_literally(terr, data, value):
    fin = _hostile_financings(data, value)
    placed, unplaced = projects.place_projects(fin, terr.communes)
    web = build_map(terr, placed, unplaced, MapOptions(epci=LUMBRES))
    view = overlay(web)  # what the page's map component receives, as JSON values
    popups = [f["p"] for f in view["projects"]]
    expected = html_text("P " + value)
    hit = [p for p in popups if expected in p]
    assert hit, "the popup does not show the text as written"
    for field in FIELDS[1:]:
        assert any(html_text(f"P {value}") in p for p in hit), field
    labels = [f["h"] for f in view["projects"]]
    assert any(html_text("P " + value)[:20] in h for h in labels)
    assert html_text("E " + value) in view["legend"]  # the legend's box of EPCI-wide projects
    # Every text the component sets as HTML is escaped: no element, no template syntax comes out of it
    # (the markers' titles, "t", are plain text that Leaflet sets as an attribute through the DOM).
    as_html = json.dumps(
        {
            **web.data,
            "overlay": {**view, "projects": [{k: v for k, v in f.items() if k != "t"} for f in view["projects"]]},
        },
        ensure_ascii=False,
    )
    assert "<script" not in as_html and "{{" not in as_html
    assert any(f["t"].endswith(shown("P " + value)) or shown("P " + value) in f["t"] for f in view["projects"])


# --- Print ------------------------------------------------------------------------------------------------


@settings(max_examples=2, deadline=None, derandomize=CI, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE.filter(lambda v: 0 < len(shown(v).strip()) <= 24))
@example("$\\foo{1}$")
@example("Test {{ 7*7 }}")
def test_the_print_sheet_shows_hostile_text_literally(terr, data, value):
    from geodash.atlas import close_figure, figure_bytes

    fin = _hostile_financings(data, value)
    placed, unplaced = projects.place_projects(fin, terr.communes)
    fig = render_sheet(terr, placed, unplaced, SheetOptions(epci=LUMBRES, filters_text=value))
    try:
        texts = [_words(t.get_text()) for t in fig.findobj(Text)]
        assert any(_words(shown(value)) in t for t in texts), "the text is not on the sheet as written"
        assert all(not t.get_parse_math() for t in fig.findobj(Text) if "$" in t.get_text())
        for fmt in ("pdf", "svg", "png"):
            assert figure_bytes(fig, fmt)  # drawn without error in every format
    finally:
        close_figure(fig)


# --- Tables and downloads ---------------------------------------------------------------------------------


@FAST
@given(HOSTILE, HOSTILE)
def test_the_page_tables_show_hostile_text_literally(head, cell):
    out = webtext.table(pd.DataFrame({head: [cell]}), label=head)
    cells = re.findall(r"<t[hd](?: [^>]*)?>(.*?)</t[hd]>", out, re.S)
    assert [html.unescape(c) for c in cells] == [shown(head), shown(cell)]
    assert "<script" not in out and "{{" not in out


@FAST
@given(HOSTILE, HOSTILE)
def test_the_project_grid_keeps_hostile_text_as_plain_text(head, cell):
    grid = dashboard.french_grid(pd.DataFrame({head: [cell], "Montant du Département (€)": [None]}))
    assert grid.data["columns"][0]["name"] == shown(head)
    assert grid.data["rows"] == [[shown(cell), "montant non précisé"]]


def test_the_table_component_sets_text_never_html():
    # static/datagrid.js writes every text of the grid as text: no HTML parser ever reads it.
    script = (STATIC_DIR / "datagrid.js").read_text(encoding="utf-8")
    assert "textContent" in script
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", script)


@FAST
@given(HOSTILE)
def test_the_downloads_keep_hostile_text_and_neutralise_formulas(value):
    frame = pd.DataFrame({"Projet": [value], "Montant": [1.5]})
    expected = dashboard.neutralise_formula(shown(value))
    rows = list(csv.reader(io.StringIO(dashboard.to_csv_bytes(frame).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1][0] == expected
    sheet = openpyxl.load_workbook(io.BytesIO(dashboard.to_xlsx_bytes(frame))).active
    assert (sheet.cell(2, 1).value or "") == expected
    for text in (rows[1][0], sheet.cell(2, 1).value or ""):
        assert not text.startswith(("=", "+", "-", "@"))

"""geodash.webtext: the tables of text and the map page's sections, as escaped HTML."""

from __future__ import annotations

import re

import pandas as pd

from geodash import webtext


def test_text_table_escapes_every_header_and_cell():
    frame = pd.DataFrame(
        {"Nom <b>": ["<script>alert(1)</script>", "Saint-Omer & Co"], "Montant": ["1 443 000 €", "au moins 50 000 €"]}
    )
    out = webtext.table(frame, label="Projets <b>")
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    # A region the keyboard reaches (it scrolls on a phone), named by its label, escaped too.
    assert out.startswith('<div class="gd-table" role="region" aria-label="Projets &lt;b&gt;" tabindex="0">')
    assert '<th scope="col">Nom &lt;b&gt;</th>' in out and "<td>Saint-Omer &amp; Co</td>" in out
    # One row per row of the frame, the cells in the frame's order.
    rows = re.findall(r"<tr>(.*?)</tr>", out.split("<tbody>")[1])
    assert len(rows) == 2 and rows[1] == "<td>Saint-Omer &amp; Co</td><td>au moins 50 000 €</td>"


def test_text_table_index_becomes_row_headers_and_missing_values_are_empty():
    frame = pd.DataFrame(
        {"2015-2018": ["montant non précisé", float("nan")], "À venir": [None, pd.NA]},
        index=pd.Index(["Aménagement", "Total"], name="Thématique"),
    )
    out = webtext.table(frame, index=True, label="Montants")
    assert out.startswith(
        '<div class="gd-table" role="region" aria-label="Montants" tabindex="0">'
        '<table><thead><tr><th scope="col">Thématique</th>'
    )
    assert '<tr><th scope="row">Total</th><td></td><td></td></tr>' in out
    assert "nan" not in out and "None" not in out and "&lt;NA&gt;" not in out
    assert "Thématique" not in webtext.table(frame, label="Montants")  # without ``index``, no index column


HOSTILE = "{{ 7*7 }} {# $x^2$ **gras** [lien](http://exemple.invalid) <b>html</b> <script>alert(1)</script>"


def test_the_map_head_escapes_every_text_and_keeps_its_own_links():
    out = webtext.map_head(
        HOSTILE,
        notice=HOSTILE,
        brief=HOSTILE,
        progress=(HOSTILE, "avancement?epci=200033579"),
        alternative=[("chiffres clés", "chiffres-cles"), ("tableau des projets", "projets")],
    )
    assert "<b>" not in out and "<script>" not in out and "{{" not in out and "{#" not in out
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4
    assert out.startswith('<div class="gd-section"><h1>&#123;&#123; 7*7 &#125;&#125;')
    links = re.findall(r'<a href="([^"]*)">([^<]*)</a>', out)
    assert links == [
        ("sources", "qualité des données"),
        ("avancement?epci=200033579", "Détail et point d&#x27;étape"),
        ("#chiffres-cles", "chiffres clés"),
        ("#projets", "tableau des projets"),
    ]


def test_a_departement_head_has_only_its_title_and_the_text_alternative():
    out = webtext.map_head("Pas-de-Calais", alternative=[("classement des intercommunalités", "classement")])
    assert out == (
        '<div class="gd-section"><h1>Pas-de-Calais</h1><p>Alternative textuelle de la carte : '
        '<a href="#classement">classement des intercommunalités</a>.</p></div>'
    )


def test_an_epci_s_figures_section_holds_its_key_figures_then_the_project_table_s_heading():
    from geodash import selection
    from geodash import viewmodel as vm

    base = selection.cached_base()
    lens = vm.selected(base, selection.Filters(epci="246200364"))
    out = vm.figures_section(base, lens)
    ids = re.findall(r' id="([^"]+)"', out)
    assert ids == [vm.KEY_FIGURES_ANCHOR, vm.PROJECTS_ANCHOR]  # the targets of the map's text alternative
    assert out.index("Le Département sur le territoire, 2015-2018") < out.index("Projets cités dans le contrat")
    # The contract's own figures are folded in a details element (the browser opens it, no run).
    [details] = re.findall(r'<details class="gd-details">(.*?)</details>', out, re.S)
    assert details.startswith("<summary>Tous les chiffres clés du contrat (Livret I, partie 7)</summary>")
    assert vm.figures_section(base, lens) is out  # written once per view
    departement = vm.figures_section(base, vm.selected(base, selection.Filters()))
    assert departement == '<div class="gd-section"><h3 id="projets">Projets</h3></div>'


def test_a_ranking_is_one_block_cut_into_named_tables():
    frame = pd.DataFrame({"Rang": [str(i) for i in range(1, 6)], "Intercommunalité": ["<b>A</b>", *"BCDE"]})
    frame["Valeur"] = "1 000 €"
    out = webtext.ranking(frame, title="Classement <i>", reference="Pas-de-Calais & co", note="source : x", columns=2)
    assert "<b>A</b>" not in out and "&lt;b&gt;A&lt;/b&gt;" in out and "<i>" not in out
    assert out.startswith('<div class="gd-section"><p><strong>Classement &lt;i&gt;</strong></p>')
    assert "<p>Référence — Pas-de-Calais &amp; co</p>" in out
    # Three rows, then two, side by side; each table named by its rows for screen readers.
    [halves] = re.findall(r'<div class="gd-columns gd-halves">(.*)</div><p class="gd-caption">', out)
    labels = re.findall(r'aria-label="([^"]+)"', halves)
    assert labels == ["Classement &lt;i&gt; (lignes 1 à 3)", "Classement &lt;i&gt; (lignes 4 à 5)"]
    assert out.endswith('<p class="gd-caption">source : x</p></div>')
    one = webtext.ranking(frame, title="T", reference="R", note="N", columns=1, anchor="classement")
    assert "gd-columns" not in one and re.findall(r'aria-label="([^"]+)"', one) == ["T"]
    assert 'id="classement"' in one


def test_the_departement_s_ranking_names_its_source_and_explains_a_minimum():
    from geodash import bilan, selection
    from geodash import viewmodel as vm
    from geodash.formatting import MINIMUM_NOTE, precision_prefix

    base = selection.cached_base()
    for indicator in vm.indicators(base).values():
        table, _ = vm.ranking(base, indicator)
        out = vm.ranking_section(base, indicator, vm.RANKING_COLUMNS)
        assert vm.ranking_section(base, indicator, vm.RANKING_COLUMNS) is out  # written once per data
        assert out.count('id="classement"') == 1 and out.count("<tr>") == len(table) + vm.RANKING_COLUMNS
        minimum = table["Valeur"].str.startswith(precision_prefix("minimum")).any()
        assert (MINIMUM_NOTE.replace("'", "&#x27;") in out) == minimum, indicator.id
        assert f"source : {indicator.source}".replace("'", "&#x27;") in out
    assert bilan.DEFAULT_INDICATOR in vm.indicators(base)

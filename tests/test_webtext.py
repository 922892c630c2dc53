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

"""What a page shows, read back as a visitor would read it: the web map's data, Markdown as shown."""

from __future__ import annotations

import re


def overlay(web) -> dict:
    """The map overlay's data (legend, projects, labels, position) of a :class:`geodash.webmap.WebMap`."""
    return web.data["overlay"]


def layer(web, name: str) -> dict:
    """The GeoJSON layer ``name`` of a :class:`geodash.webmap.WebMap`."""
    (found,) = [layer for layer in web.data["layers"] if layer["name"] == name]
    return found


def markdown_shown(source: str) -> str:
    """The text a Markdown element shows for ``source`` written by :func:`geodash.text.markdown_text`."""
    return re.sub(r"\\(.)", r"\1", source).replace("  \n", "\n")


def text_tables(at) -> list:
    """The page's tables of text (:func:`geodash.pages.text_table`) in an AppTest run, as DataFrames of
    the text a visitor reads (first row: the header)."""
    import html as html_module

    import pandas as pd

    tables = []
    for element in at.get("html"):
        body = element.proto.body
        if 'class="gd-table"' not in body:
            continue
        rows = [
            [html_module.unescape(cell) for cell in re.findall(r"<t[hd](?: [^>]*)?>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        ]
        tables.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return tables


def map_data(at) -> dict:
    """What the page's map component received in an AppTest run (the view, and the projector's bar)."""
    import json

    (component,) = [c for c in at.get("bidi_component") if c.proto.component_name == "geodash_map"]
    return json.loads(component.proto.json)

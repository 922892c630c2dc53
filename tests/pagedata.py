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


def html_shown(body: str) -> str:
    """The text a visitor reads in HTML we wrote (:mod:`geodash.webtext`): tags dropped, entities read."""
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", body))


def page_title(at) -> str | None:
    """The map page's title (its ``h1``, in the section above the map) in an AppTest run, as shown."""
    found = [m.group(1) for h in at.get("html") for m in re.finditer(r"<h1>(.*?)</h1>", h.proto.body, re.S)]
    return html_shown(found[0]) if found else None


def page_text(at) -> str:
    """Every text of the page's Markdown and HTML elements in an AppTest run, as shown, one per line."""
    parts = [markdown_shown(m.value) for m in at.markdown]
    parts += [html_shown(re.sub(r"</(p|h\d|th|td|summary)>", "\n", h.proto.body)) for h in at.get("html")]
    return "\n".join(parts)


def text_tables(at) -> list:
    """The page's tables of text (:func:`geodash.webtext.table`) in an AppTest run, as DataFrames of
    the text a visitor reads (first row: the header)."""
    import pandas as pd

    tables = []
    for element in at.get("html"):
        for body in re.findall(r'<div class="gd-table".*?</table></div>', element.proto.body, re.S):
            rows = [
                [html_shown(cell) for cell in re.findall(r"<t[hd](?: [^>]*)?>(.*?)</t[hd]>", row, re.S)]
                for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
            ]
            tables.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return tables


def map_data(at) -> dict:
    """What the page's map component received in an AppTest run (the view, and the projector's bar)."""
    import json

    (component,) = [c for c in at.get("bidi_component") if c.proto.component_name == "geodash_map"]
    return json.loads(component.proto.json)


def project_grid(at):
    """The map page's project table in an AppTest run (what its table component received), as a DataFrame
    of the text a visitor reads."""
    import json

    import pandas as pd

    (component,) = [c for c in at.get("bidi_component") if c.proto.component_name == "geodash_grid"]
    grid = json.loads(json.loads(component.proto.json)["grid"])
    return pd.DataFrame(grid["rows"], columns=[c["name"] for c in grid["columns"]])


def territory_list(at) -> dict:
    """What the sidebar's territory chooser received in an AppTest run: its label, its options
    (``[siren or "", name]``) and the territory chosen (``""``: the département)."""
    import json

    (component,) = [c for c in at.get("bidi_component") if c.proto.component_name == "geodash_territory"]
    return json.loads(component.proto.json)


def choose_territory(at, siren: str | None) -> None:
    """Choose ``siren`` (``None``: the département) as the chooser's callback does, then run the page."""
    at.session_state["epci"] = siren
    at.run()


def staff_page():
    """The staff page as ``app.py`` runs it (a function for ``AppTest.from_function``: self-contained)."""
    from geodash.pages import database_guard, open_base, saisie

    base = open_base()  # what app.py runs before the page
    with database_guard():
        saisie.render(base)


def signed_in_staff(engine, epci: str, financing_id: str):
    """The staff page under AppTest, signed in as the editor ``marie.dupont`` of ``engine`` (which the pages
    must read: ``GEODASH_DATABASE_URL``), ``financing_id`` of ``epci`` opened, after its first run."""
    from streamlit.testing.v1 import AppTest

    from geodash import db

    account = db.create_account(engine, "marie.dupont", "un mot de passe solide", "editeur")
    at = AppTest.from_function(staff_page, default_timeout=120)
    at.session_state["saisie_token"] = db.open_session(engine, account)
    at.session_state["saisie_epci"] = epci
    at.session_state["saisie_chosen"] = {epci: financing_id}
    at.run()
    assert not at.exception, at.exception
    return at


def progress_page():
    """The progress page as ``app.py`` runs it (a function for ``AppTest.from_function``: self-contained)."""
    from geodash.pages import avancement, database_guard, open_base

    base = open_base()
    with database_guard():
        avancement.render(base)

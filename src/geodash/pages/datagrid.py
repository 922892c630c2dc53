"""The pages' sortable tables: a component of our own (``st.components.v2``, no iframe) that draws a
:class:`geodash.dashboard.Grid` as a plain HTML table.

Why not ``st.dataframe``: its grid is drawn on a canvas by a large script (1.2 MB) and it received the
table twice on every run (the numbers, then pandas' rendering of the French text); on a territory's
page it cost the browser more than the map on every switch of territory. This table is built once per
view from the text the server wrote (``static/datagrid.js``): real headers that screen readers read,
each a button that sorts the column (on its numbers, or in French alphabetical order), its box
scrolling under a header that stays in view.
"""

from __future__ import annotations

import streamlit as st

from ..dashboard import Grid
from . import STATIC_DIR

__all__ = ["show"]

_COMPONENT = st.components.v2.component(
    "geodash_grid", js=(STATIC_DIR / "datagrid.js").read_text(encoding="utf-8"), isolate_styles=False
)


def show(grid: Grid, *, key: str, label: str, empty: str) -> None:
    """Draw ``grid`` in the page's table named ``key``; ``label`` names it for screen readers (its
    region, and its caption); ``empty``: the sentence its body shows when it has no row."""
    _COMPONENT(data={"key": grid.key, "grid": grid.text, "label": label, "empty": empty}, key=key)

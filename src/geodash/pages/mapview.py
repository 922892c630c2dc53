"""The page's map: a Leaflet component of our own (``st.components.v2``), kept across runs.

The component is declared once per server and mounted by the pages with a key that names the kind
of map: Streamlit keeps one instance for the page's life and hands it each run's view
(:class:`geodash.webmap.WebMap`), which ``static/mapview.js`` draws in place of the previous one, once.
No iframe, no map script compiled or sent per view: only the view's data.
"""

from __future__ import annotations

import streamlit as st

from ..webmap import WebMap
from . import STATIC_DIR

__all__ = ["show"]

_JS = (
    "const overlay = "
    + (STATIC_DIR / "webmap_overlay.js").read_text(encoding="utf-8").strip()
    + ";\n"
    + (STATIC_DIR / "mapview.js").read_text(encoding="utf-8")
)
_CSS = ".gd-map {width: 100%; position: relative;}"
_COMPONENT = st.components.v2.component("geodash_map", js=_JS, css=_CSS, isolate_styles=False)


def leaflet_url() -> str:
    """Where the page finds Leaflet (copied by :func:`geodash.assets.install_static_assets`): Streamlit's
    static files (``/app/static/``) under the server's base path (``server.baseUrlPath``)."""
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}/app/static/leaflet/" if base else "/app/static/leaflet/"


def _clicked() -> None:
    """A click on an EPCI of the département's map: read from the component's result by the page."""


def show(web: WebMap, *, key: str, label: str, height: int | None) -> str | None:
    """Draw ``web`` in the page's map named ``key``; ``height`` in pixels, or ``None`` to fill the
    screen below the map's top (the projector). Returns the SIREN of the EPCI clicked on the
    département's map during this run, if any.

    ``label`` names the map for screen readers (the territory shown).
    """
    data = {"view": web.data, "leaflet": leaflet_url(), "height": height, "label": label}
    result = _COMPONENT(data=data, key=key, on_clicked_change=_clicked)
    return result.clicked

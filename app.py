"""geodash — the Streamlit app: one shared base, three public pages (map, comparison, sources) and the
staff page (``/saisie``, not in the navigation).

Run with ``streamlit run app.py``. Pages live in ``geodash.pages``; this file only wires them.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geodash.assets import install_static_assets
from geodash.pages import carte, comparaison, database_guard, open_base, saisie, sources
from geodash.startup import visit

st.set_page_config(
    page_title="geodash — Contrats territoriaux du Pas-de-Calais",
    page_icon="🗺️",
    layout="wide",
    initial_sidebar_state="expanded",
)
APP_DIR = Path(__file__).parent


@st.cache_resource(show_spinner=False)
def static_assets() -> None:
    """Leaflet, served by the app (generated, not tracked): written once per server."""
    install_static_assets(APP_DIR / "static")


static_assets()
# A visitor's run: the start-up's preparation of views waits for it (geodash.startup.visit).
with visit():
    # Territories, layers, and the projects as stored now (see geodash.selection); on a failure, a French
    # message on every page and the run stops.
    base = open_base()

    page = st.navigation(
        [
            st.Page(lambda: carte.render(base), title="Carte", icon=":material/map:", url_path="carte", default=True),
            st.Page(
                lambda: comparaison.render(base),
                title="Comparaison des territoires",
                icon=":material/bar_chart:",
                url_path="comparaison",
            ),
            st.Page(
                lambda: sources.render(base),
                title="Sources et qualité des données",
                icon=":material/description:",
                url_path="sources",
            ),
            # The staff page: reached by its address only, unusable without signing in.
            st.Page(
                lambda: saisie.render(base),
                title="Saisie",
                icon=":material/edit:",
                url_path="saisie",
                visibility="hidden",
            ),
        ]
    )
    with database_guard():  # a database failing during a page: a French message, not Streamlit's error
        page.run()

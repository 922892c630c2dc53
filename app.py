"""geodash — the Streamlit app: one shared base, three pages (map, comparison, sources).

Run with ``streamlit run app.py``. Pages live in ``geodash.pages``; this file only wires them.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geodash import layers, settings, territories
from geodash.assets import install_static_assets
from geodash.pages import carte, comparaison, sources
from geodash.selection import load_base

st.set_page_config(
    page_title="geodash — Contrats territoriaux du Pas-de-Calais",
    page_icon="🗺️",
    layout="wide",
    initial_sidebar_state="expanded",
)
APP_DIR = Path(__file__).parent


@st.cache_resource(show_spinner=False)
def shared_base(territories_file: str, projects_dir: str, layers_config: str | None):
    """Territories, projects, credits and context layers: read once, shared read-only by all sessions."""
    install_static_assets(APP_DIR / "static")  # Leaflet, served by the app (generated, not tracked)
    return load_base(territories_file, projects_dir, layers_config)


try:
    config = layers.find_config()
    base = shared_base(str(settings.territories_path()), str(settings.projects_dir()), str(config) if config else None)
except territories.TerritoryError as exc:
    st.error(f"Les limites territoriales ne peuvent pas être chargées : {exc}")
    st.stop()

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
    ]
)
page.run()

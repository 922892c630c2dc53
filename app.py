"""geodash — the Streamlit app: one shared base, three public pages (map, comparison, sources) and the
staff page (``/saisie``, not in the navigation).

Run with ``streamlit run app.py``. Pages live in ``geodash.pages``; this file only wires them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
import streamlit as st

from geodash import territories
from geodash.assets import install_static_assets
from geodash.db import StoreError
from geodash.pages import carte, comparaison, saisie, sources
from geodash.selection import cached_base
from geodash.startup import visit
from geodash.text import public_message

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
    try:
        base = cached_base()  # territories, layers, and the projects as stored now (see geodash.selection)
    except territories.TerritoryError as exc:
        logging.getLogger("geodash").error("territoires : %s", exc)  # the full path, for the staff
        st.error(
            f"Les limites territoriales ne peuvent pas être chargées : {public_message(exc)}. "
            "La carte reviendra dès que le fichier sera remplacé."
        )
        st.stop()
    except (StoreError, sa.exc.SQLAlchemyError) as exc:
        logging.getLogger("geodash").error("base de données : %s", exc)  # the whole message, for the staff
        reason = public_message(exc) if isinstance(exc, StoreError) else "serveur injoignable ou refus de connexion"
        st.error(f"La base de données des financements ne peut pas être ouverte : {reason}.")
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
    page.run()

"""geodash — the Streamlit app: one shared base, four public pages (map, comparison, sources, the
accessibility statement) and the staff page (``/saisie``, not in the navigation).

``streamlit run app.py`` reads this file twice over. The server first imports it to find its
application, :data:`app`: an ``st.App`` whose start-up (:func:`geodash.startup.lifespan`) loads the
data and prepares the views a plain link opens before the first visitor comes. Each visitor's session
then runs it as its page script (``__main__``): :func:`main` wires the pages of ``geodash.pages``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).parent


def page_style() -> None:
    """Every page's first elements: its CSS, and a small component of ours (``static/page_boot.js``) that
    says the document is French (RGAA 8.3: Streamlit's page declares English) and asks for the map's code
    (its script, Leaflet) at once.

    Sent before the pages' modules are imported and the data read (the server's start-up may still be at
    it on a first visit), so that the browser asks for them before the sixty files of Streamlit's own
    code that the page's elements need, not behind them (0.3-0.5 s sooner, measured).
    """
    from geodash.assets import STATIC_DIR, install_static_assets, preloads

    install_static_assets(APP_DIR / "static")  # Leaflet, served by the app: written once (a look at a file after)
    st.html(STATIC_DIR / "page.css")
    boot = st.components.v2.component("geodash_page", js=(STATIC_DIR / "page_boot.js").read_text(encoding="utf-8"))
    boot(data={"preload": preloads(st.get_option("server.baseUrlPath"))}, key="gd-page")


def main() -> None:
    """The page script: the page the URL names, with the shared base. The whole run is a visitor's
    (:func:`geodash.startup.visit`): the server's start-up gives way to it, from its first message on."""
    from geodash.startup import visit

    with visit():
        page_script()


def page_script() -> None:
    """The run's elements: the page's configuration and style, then the page the URL names."""
    from geodash.assets import tab_icon

    projector = st.query_params.get("mode") == "projecteur"
    st.set_page_config(
        page_title="geodash — Contrats territoriaux du Pas-de-Calais",
        page_icon=tab_icon(),
        layout="wide",
        # The sidebar opens beside the page on a wide screen, closed on a phone (« auto »); the projector
        # shows the map, its buttons and its keys only (the sidebar stays one tap away).
        initial_sidebar_state="collapsed" if projector else "auto",
    )
    page_style()
    from geodash.pages import accessibilite

    page = st.navigation(
        position="hidden" if projector else "sidebar",
        pages=[
            st.Page(map_page, title="Carte", icon=":material/map:", url_path="carte", default=True),
            st.Page(
                data_page("comparaison"),
                title="Comparaison des territoires",
                icon=":material/bar_chart:",
                url_path="comparaison",
            ),
            st.Page(
                data_page("avancement"),
                title="Avancement des contrats",
                icon=":material/timeline:",
                url_path="avancement",
            ),
            st.Page(
                data_page("sources"),
                title="Sources et qualité des données",
                icon=":material/description:",
                url_path="sources",
            ),
            accessibilite.page(),  # linked from every page's footer too (RGAA)
            # The staff page: reached by its address only, unusable without signing in.
            st.Page(
                data_page("saisie"), title="Saisie", icon=":material/edit:", url_path="saisie", visibility="hidden"
            ),
        ],
    )
    page.run()


def map_page() -> None:
    """The map page. A session's first run at the root URL draws the title, the territory list and the map
    as the server saved them (:mod:`geodash.pages.firstlook`), before the libraries and the data of the
    whole page, which its next run draws; otherwise the whole page at once."""
    from geodash.pages import firstlook

    if not firstlook.show():
        data_page("carte")()


def data_page(name: str):
    """The page ``geodash.pages.<name>`` drawn with the shared base: territories, layers, and the projects
    as stored now (see geodash.selection). On a failure to read them, a French message and the run stops; a
    database failing during the page, a French message too, never Streamlit's error (``database_guard``)."""

    def run() -> None:
        from geodash.pages import database_guard, open_base

        module = importlib.import_module(f"geodash.pages.{name}")
        base = open_base()
        with database_guard():
            module.render(base)

    return run


if __name__ == "__main__":
    main()
else:  # imported by ``streamlit run app.py``: the server's application
    from geodash.memory import limit_malloc_arenas
    from geodash.startup import lifespan

    # Before the server starts its threads (the visitors' runs among them): glibc settles its limit early.
    limit_malloc_arenas()

    app = st.App(__file__, lifespan=lifespan)

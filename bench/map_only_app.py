"""The first visit's floor for geodash's design: the map page's first look without its server's work.

``streamlit run bench/map_only_app.py`` serves a page made of what geodash's map page shows first and
nothing else: the pages' CSS and boot component (``static/page_boot.js``: the document's language,
Leaflet asked for at once), the sidebar's territory list, the title, and geodash's map component
drawing the root URL's view. The view is read from the JSON file named by ``BENCH_FIRST_LOOK``,
written by ``bench/browser.py`` from geodash's view model before the server starts: the page imports
neither pandas nor geopandas and reads no data. With ``BENCH_STARTUP=1`` the server runs
geodash's own start-up (:func:`geodash.startup.lifespan`: imports, data, views) while the page loads,
as ``streamlit run app.py`` does.

The first-visit section measures both beside geodash and the trivial page: how far the first visit
is from what the same map can do with the server's start-up and without it.
The map component is declared and fed here as ``geodash.pages.mapview`` does (that module cannot be
imported without pandas): its code and CSS are geodash's static files.
"""

import json
import os
from pathlib import Path

import streamlit as st

from geodash.assets import STATIC_DIR, install_static_assets, leaflet_url, map_module_url, preloads

HERE = Path(__file__).resolve().parent


def _component(name: str, script: str, css: str | None = None):
    return st.components.v2.component(
        name,
        js=(STATIC_DIR / script).read_text(encoding="utf-8"),
        css=(STATIC_DIR / css).read_text(encoding="utf-8") if css else None,
        isolate_styles=False,
    )


def main() -> None:
    st.set_page_config(page_title="geodash, premier regard", layout="wide")
    install_static_assets(HERE / "static")
    st.html(STATIC_DIR / "page.css")
    _component("geodash_page", "page_boot.js")(data={"preload": preloads()}, key="gd-page")
    look = json.loads(Path(os.environ["BENCH_FIRST_LOOK"]).read_text(encoding="utf-8"))
    with st.sidebar:
        st.header("Territoire")
        _component("geodash_territory", "territory.js")(
            data={"label": "Intercommunalité", "options": look["options"], "value": ""}, key="territory"
        )
    st.html(look["head"])
    _component("geodash_map", "mapview_loader.js", "mapview.css")(
        data={
            "key": look["key"],
            "view": look["text"],
            "url": None,
            "territory": "",
            "chooses": True,
            "position": {"center": None, "zoom": None, "restore": True},
            "module": map_module_url(),
            "leaflet": leaflet_url(),
            "height": 580,
            "label": look["label"],
            "projector": None,
            "ahead": {},
        },
        key="map-carte",
    )


if __name__ == "__main__":
    main()
elif os.environ.get("BENCH_STARTUP") == "1":  # the server's application, with geodash's start-up
    from geodash.startup import lifespan

    app = st.App(__file__, lifespan=lifespan)
else:  # the server's application, with no start-up work
    app = st.App(__file__)

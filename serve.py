"""geodash server entry: ``streamlit run serve.py`` serves ``app.py`` and loads the data at start-up.

The same page as ``streamlit run app.py``; the differences are that the libraries and the data are
loaded when the server starts (``geodash.startup.lifespan``) rather than in the first visitor's
session, that the page's first HTML announces the browser code of its elements
(``geodash.preload``), fetched while the first run is under way (the map frame's page announces
Leaflet the same way), and that the map frame draws a territory as soon as it is chosen, ahead of
the page's rerun (``geodash.ahead``).
"""

import streamlit as st
from starlette.middleware import Middleware

from geodash import ahead
from geodash.assets import COMPONENT_NAME, LEAFLET_CSS, LEAFLET_JS
from geodash.preload import PreloadMiddleware, element_modules, frame_links, preload_links, static_dir
from geodash.startup import lifespan

app = st.App(
    "app.py",
    lifespan=lifespan,
    routes=ahead.routes(),
    middleware=[
        Middleware(
            PreloadMiddleware,
            links=preload_links(element_modules(static_dir())),
            frames={f"/component/{COMPONENT_NAME}/index.html": frame_links([LEAFLET_JS], [LEAFLET_CSS])},
            routes=(ahead.PATH,),
        )
    ],
)

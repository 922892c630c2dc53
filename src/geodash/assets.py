"""Serve Leaflet from the app itself so the map works without internet.

folium points at public CDNs for Leaflet, jQuery, Bootstrap and icon fonts; with no network the map
frame stays blank. geodash needs only Leaflet (markers are inline SVG), which the ``xstatic-leaflet``
package ships. It is copied into the app's ``static/`` folder, served by Streamlit's static file
serving at ``/app/static/``. The map frame that loads it is streamlit-folium's frontend, a Streamlit
component named :data:`COMPONENT_NAME` (declared by :mod:`geodash.mapframe`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server's entry reads the URLs below before the page's libraries are imported
    import folium

__all__ = ["STATIC_URL", "LEAFLET_JS", "LEAFLET_CSS", "COMPONENT_NAME", "install_static_assets", "make_offline"]

STATIC_URL = "/app/static/leaflet"
LEAFLET_JS = f"{STATIC_URL}/leaflet.js"
LEAFLET_CSS = f"{STATIC_URL}/leaflet.css"
#: The map frame's component: streamlit-folium's, whose name is also the frame's title in the page
#: (``static/projector.css`` and ``static/projector_keys.js`` find the frame by it).
COMPONENT_NAME = "streamlit_folium.st_folium"
_FILES = ("leaflet.js", "leaflet.css", "images")


def install_static_assets(static_dir: Path) -> Path:
    """Copy Leaflet into ``static_dir/leaflet`` once (idempotent); return the folder."""
    import xstatic.pkg.leaflet as xleaflet

    target = Path(static_dir) / "leaflet"
    if (target / "leaflet.js").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    src = Path(xleaflet.BASE_DIR)
    for name in _FILES:
        if (src / name).is_dir():
            shutil.copytree(src / name, target / name, dirs_exist_ok=True)
        else:
            shutil.copy2(src / name, target / name)
    return target


def make_offline(m: folium.Map) -> folium.Map:
    """Make ``m`` load only the local Leaflet: no CDN, no jQuery/Bootstrap/font requests."""
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    return m

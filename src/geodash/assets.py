"""Serve Leaflet from the app itself so the map works without internet.

folium points at public CDNs for Leaflet, jQuery, Bootstrap and icon fonts; with no network the map
frame stays blank. geodash needs only Leaflet (markers are inline SVG), which the ``xstatic-leaflet``
package ships. It is copied into the app's ``static/`` folder, served by Streamlit's static file
serving at ``/app/static/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium

__all__ = ["STATIC_URL", "install_static_assets", "make_offline"]

STATIC_URL = "/app/static/leaflet"
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


def make_offline(m: folium.Map, base_url: str = STATIC_URL) -> folium.Map:
    """Make ``m`` load only the local Leaflet: no CDN, no jQuery/Bootstrap/font requests."""
    m.default_js = [("leaflet", f"{base_url}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{base_url}/leaflet.css")]
    return m

"""Serve Leaflet from the app itself so the map works without internet.

geodash needs only Leaflet (markers are inline SVG), which the ``xstatic-leaflet`` package ships. It
is copied into the app's ``static/`` folder, served by Streamlit's static file serving at
``/app/static/``, where the page's map component (:mod:`geodash.pages.mapview`) loads it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["install_static_assets"]

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

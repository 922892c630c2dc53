"""Serve the map's code from the app itself, so that the map works without internet and its code is not
sent again with every view.

geodash needs only Leaflet (markers are inline SVG), which the ``xstatic-leaflet`` package ships, and its
own map script (``static/mapview.js`` with ``static/webmap_overlay.js``). Both are written into the app's
``static/`` folder, served by Streamlit's static file serving at ``/app/static/``: the page's map
component (:mod:`geodash.pages.mapview`) imports the script once per page, which loads Leaflet. The
script's file name carries a digest of its text, so that a browser never keeps an old one.

The views that the page's map may draw before the page's next run (a territory chosen in the list) are
published there too, one JSON file per view named by its key (:func:`view_url`): the map fetches the
next territory's view at once, while the page runs again.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import threading
from functools import cache
from pathlib import Path

__all__ = ["STATIC_DIR", "install_static_assets", "leaflet_url", "map_module_url", "preloads", "tab_icon", "view_url"]

#: The pages' tracked CSS and scripts (Leaflet, copied, is served from the app's own ``static/`` folder).
STATIC_DIR = Path(__file__).resolve().parent / "static"

_FILES = ("leaflet.js", "leaflet.css", "images")

#: The views published for the map (:func:`view_url`): their folder under the static files, and how many
#: are kept there (the oldest go first; a view gone is fetched in vain and drawn by the page's run).
VIEWS, VIEWS_KEPT = "geodash/views", 400

#: The app's static folder, once :func:`install_static_assets` has written it (``None`` before: no view
#: is published, as in a page run without the app, under ``AppTest``).
_installed: dict[str, Path] = {}


@cache
def _map_module() -> tuple[str, str]:
    """The map's script as one ES module (the overlay's function, then ``mapview.js``), and its file name
    under the static folder (with a digest of the text)."""
    text = (
        "const overlay = "
        + (STATIC_DIR / "webmap_overlay.js").read_text(encoding="utf-8").strip()
        + ";\n"
        + (STATIC_DIR / "mapview.js").read_text(encoding="utf-8")
    )
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
    return text, f"geodash/mapview-{digest}.js"


def install_static_assets(static_dir: Path) -> Path:
    """Copy Leaflet into ``static_dir/leaflet`` and write the map's script beside it, once each
    (idempotent: a look at two files afterwards); return Leaflet's folder."""
    import xstatic.pkg.leaflet as xleaflet

    text, name = _map_module()
    _write_once(Path(static_dir) / name, text)  # whole or absent: a page never imports half of it
    _installed["dir"] = Path(static_dir)
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


def _write_once(path: Path, text: str) -> bool:
    """Write ``text`` at ``path`` unless it is there, whole or not at all (a temporary file renamed):
    a reader never gets half of it. ``True`` when written now."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{threading.get_ident()}.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return True


def view_url(base_url_path: str, key: str, text: str) -> str | None:
    """Where the page's map fetches the view ``key`` (its JSON ``text``: :class:`geodash.webmap.WebMap`),
    written into the app's static files the first time it is asked for; ``None`` before
    :func:`install_static_assets` (no static folder to serve it from). The folder keeps the
    :data:`VIEWS_KEPT` most recent views."""
    root = _installed.get("dir")
    if root is None:
        return None
    folder = root / VIEWS
    if _write_once(folder / f"{key}.json", text):
        files = sorted(folder.glob("*.json"), key=_age)
        for old in files[: max(0, len(files) - VIEWS_KEPT)]:
            old.unlink(missing_ok=True)
    return _served(base_url_path, f"{VIEWS}/{key}.json")


def _age(path: Path) -> float:
    """A file's modification time; 0 for a file gone meanwhile (another server's pruning)."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _served(base_url_path: str, path: str) -> str:
    """The address of ``path`` in Streamlit's static files (``/app/static/``) under the server's base path
    (its option ``server.baseUrlPath``)."""
    base = base_url_path.strip("/")
    return f"/{base}/app/static/{path}" if base else f"/app/static/{path}"


def leaflet_url(base_url_path: str = "") -> str:
    """Where a page finds the copied Leaflet (a folder: ``leaflet.js``, ``leaflet.css``)."""
    return _served(base_url_path, "leaflet/")


def map_module_url(base_url_path: str = "") -> str:
    """Where a page finds the map's script (an ES module)."""
    return _served(base_url_path, _map_module()[1])


@cache
def tab_icon() -> str:
    """The pages' tab icon (``static/favicon.svg``: a folded map and a pin) as a ``data:`` address, sent with the
    page: nothing more to fetch, under any base path. Not an emoji: Streamlit would load its emoji catalogue on
    the first visitor's run (0.04 s, measured); not a Material icon: the browser would fetch it from Google."""
    return "data:image/svg+xml;base64," + base64.b64encode((STATIC_DIR / "favicon.svg").read_bytes()).decode("ascii")


def preloads(base_url_path: str = "") -> list[tuple[str, str]]:
    """What a page asks for before its map needs it: ``(address, kind)`` pairs, ``kind`` being a
    ``<link rel=preload>``'s ``as`` or ``"module"`` (``rel=modulepreload``)."""
    leaflet = leaflet_url(base_url_path)
    return [
        (map_module_url(base_url_path), "module"),
        (leaflet + "leaflet.js", "script"),
        (leaflet + "leaflet.css", "style"),
    ]

"""The map page's first look: what a visitor of the root URL sees first (the title, the territory list
and the map of the département's view), saved by the server's start-up beside the database it was
made from, and drawn on a session's first run before the whole page.

Why: on a server's first visit the page's libraries (pandas, geopandas, the database's) are still
being imported and the data read while the browser loads Streamlit's page; on any first visit the
browser lays out the sidebar's widgets, the ranking and the table before the map. The first look needs
none of them: it is the JSON file :func:`save` wrote, and :func:`load` gives it back only if the
data, the code and the day are those it was made from (:func:`fingerprint`), otherwise ``None`` and
the page is drawn as always. The page draws it, the map tells the page once it is drawn, and the
page's next run draws the whole page in place (:mod:`geodash.pages.firstlook`).

Only a SQLite database is fingerprinted (its bytes are read: 1.6 MB for the shipped data, a few
milliseconds); with PostgreSQL or CSV files (``GEODASH_PROJECTS_DIR``) there is no first look.
Neither pandas nor the database's libraries are imported here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from . import settings
from .clock import today

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10: no first look with a layers' configuration
    tomllib = None

__all__ = ["FirstLook", "fingerprint", "load", "look_path", "save", "store_path"]

#: Libraries whose versions can change the view's text (numbers, geometry).
LIBRARIES = ("geopandas", "pandas", "numpy", "shapely", "pyproj", "pyogrio")
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class FirstLook:
    """The root URL's first look, as the map page draws it.

    ``head``: the title block's HTML (:func:`geodash.viewmodel.map_head`, every text escaped);
    ``label``: the map's name for screen readers; ``key`` and ``text``: the map's view
    (:class:`geodash.webmap.WebMap`); ``mode``: its display mode; ``options``: the territory list,
    ``[SIREN or "", name]``; ``stamp``: the :func:`fingerprint` of what it was made from.
    """

    head: str
    label: str
    key: str
    text: str
    mode: str
    options: list[list[str]]
    stamp: str


def store_path() -> Path | None:
    """The SQLite file the pages read their projects from, or ``None`` (PostgreSQL, CSV files, a database in
    memory or given by a URI with options)."""
    if settings.projects_folder() is not None:
        return None
    url = settings.database_url()
    prefix = "sqlite:///"
    rest = url[len(prefix) :] if url.startswith(prefix) else ""
    if not rest or rest == ":memory:" or "?" in rest:
        return None
    return Path(rest).resolve()


def look_path(store: Path) -> Path:
    """Where the first look made from the database ``store`` is kept: beside it."""
    return store.with_name(f"{store.name}.first-look.json")


def fingerprint(store: Path) -> str | None:
    """A digest of everything the first look is made from: the database's bytes (its write-ahead log
    included), geodash's files, the data files, the context layers' configuration and the files it names,
    the ``GEODASH_*`` settings, the libraries' versions and the day; ``None`` when the database cannot
    be read. Anything that changes makes another digest, and the saved look is not shown."""
    digest = hashlib.blake2b(digest_size=20)

    def add(*parts: object) -> None:
        digest.update(repr(parts).encode("utf-8", "surrogatepass"))

    try:
        digest.update(store.read_bytes())
    except OSError:
        return None
    wal = store.with_name(f"{store.name}-wal")
    if wal.exists():
        try:
            digest.update(wal.read_bytes())
        except OSError:
            return None
    add(str(store), today().isoformat(), sys.version)
    add(sorted((k, v) for k, v in os.environ.items() if k.startswith("GEODASH_")), _library_versions())
    files = [p for p in PACKAGE_DIR.rglob("*") if "__pycache__" not in p.parts]
    files += list(settings.DATA_DIR.rglob("*")) + [settings.territories_path()]
    config = settings.layers_config()
    if config is not None:
        if tomllib is None:  # pragma: no cover - the files it names cannot be known
            return None
        files += [config, *_named_files(config)]
    for path in sorted(set(files)):
        add(str(path), *_stat(path))
    return digest.hexdigest()


@functools.cache
def _library_versions() -> tuple[tuple[str, str | None], ...]:
    """The installed versions of :data:`LIBRARIES`, read once per process (3 ms of a session's first run):
    the libraries a running server uses do not change under it."""
    found = []
    for name in LIBRARIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def _stat(path: Path) -> tuple[int, int] | tuple[None]:
    try:
        stat = path.stat()
    except OSError:
        return (None,)
    return stat.st_mtime_ns, stat.st_size


def _named_files(config: Path) -> list[Path]:
    """Every existing file a string of the layers' configuration names (relative to its folder)."""
    try:
        raw = tomllib.loads(config.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    found, todo = [], [raw]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            todo += value.values()
        elif isinstance(value, list):
            todo += value
        elif isinstance(value, str) and value.strip():
            path = Path(value).expanduser()
            path = path if path.is_absolute() else config.parent / path
            if path.is_file():
                found.append(path)
    return found


def save(look: FirstLook, store: Path) -> None:
    """Keep ``look`` beside the database ``store``, whole or not at all (a file renamed into place)."""
    target = look_path(store)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    partial.write_text(json.dumps(asdict(look), ensure_ascii=False), encoding="utf-8")
    partial.replace(target)


def load(store: Path) -> FirstLook | None:
    """The first look kept beside ``store`` if it was made from what is in force now, else ``None``
    (none kept, unreadable, or anything changed since: :func:`fingerprint`)."""
    try:
        look = FirstLook(**json.loads(look_path(store).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return look if look.stamp == fingerprint(store) else None

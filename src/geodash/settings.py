"""Documented module-level defaults: where the data lives, the CRS we work in.

Every path can be overridden with an environment variable so that tests and the Département's
deployment can point geodash at other files without touching the code.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from pathlib import Path

#: Root of the repository checkout (the package is installed in editable mode, ``pip install -e .``).
REPO_DIR = Path(__file__).resolve().parents[2]

#: Folder holding ``geo/`` and ``projects/``; ``GEODASH_DATA_DIR`` overrides it.
DATA_DIR = Path(os.environ.get("GEODASH_DATA_DIR", REPO_DIR / "data"))

#: Source document the project data cites by line number (read only by tests and checks).
SEED_PATH = Path(os.environ.get("GEODASH_SEED", REPO_DIR.parent / "shared" / "seed" / "000_e1a7153a0531ec73.txt"))

#: Lambert-93, the legal projection for metropolitan France: all lengths and areas are computed in it.
CRS_METRIC = "EPSG:2154"
#: What Leaflet wants.
CRS_WEB = "EPSG:4326"

#: INSEE code of the Pas-de-Calais.
DEPARTEMENT_CODE = "62"
DEPARTEMENT_NOM = "Pas-de-Calais"

#: Tolerance (metres) of the coverage-preserving simplification of the web geometry.
WEB_SIMPLIFY_TOLERANCE_M = 120.0
#: Decimals kept in web coordinates (5 decimals of a degree is about 1 m).
WEB_COORD_DECIMALS = 5


def geo_dir() -> Path:
    """Folder of the territorial geodata (``data/geo``)."""
    return DATA_DIR / "geo"


def projects_dir() -> Path:
    """Folder of the project data (``data/projects``)."""
    return Path(os.environ.get("GEODASH_PROJECTS_DIR", DATA_DIR / "projects"))


def projects_folder() -> Path | None:
    """Where the pages read the projects from when it is a folder of CSV files: ``GEODASH_PROJECTS_DIR``
    when set, else ``None`` (the database of :func:`database_url`)."""
    return projects_dir() if os.environ.get("GEODASH_PROJECTS_DIR", "").strip() else None


def database_url() -> str:
    """``GEODASH_DATABASE_URL``, else the SQLite file ``var/geodash.sqlite`` of the checkout."""
    url = os.environ.get("GEODASH_DATABASE_URL", "").strip()
    return url or f"sqlite:///{REPO_DIR / 'var' / 'geodash.sqlite'}"


#: Environment variable naming the context layers' configuration file.
LAYERS_CONFIG_ENV = "GEODASH_LAYERS_CONFIG"
#: The context layers' configuration file looked for at the repository root.
LAYERS_CONFIG_NAME = "geodash.toml"


def layers_config(config_path: str | os.PathLike | None = None) -> Path | None:
    """The context layers' configuration file to read: the argument, else ``$GEODASH_LAYERS_CONFIG``, else
    ``geodash.toml`` at the repository root if it exists, else ``None`` (no context layers)."""
    if config_path:
        return Path(config_path).expanduser()
    env = os.environ.get(LAYERS_CONFIG_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    default = REPO_DIR / LAYERS_CONFIG_NAME
    return default if default.exists() else None


def territories_path() -> Path:
    """The GeoPackage written by ``geodash build-geo``."""
    return Path(os.environ.get("GEODASH_TERRITORIES", geo_dir() / "territoires.gpkg"))


#: Environment variable naming the proxies whose forwarding headers tell a client's address.
TRUSTED_PROXIES_ENV = "GEODASH_TRUSTED_PROXIES"


def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The proxies whose ``X-Real-IP`` / ``X-Forwarded-For`` headers are believed (:mod:`geodash.clients`):
    addresses or networks in ``GEODASH_TRUSTED_PROXIES``, separated by commas or spaces
    (``127.0.0.1`` for nginx on the same machine, as in deploy/nginx.conf). None by default: the
    headers of every peer are then ignored. An entry that is not an address is ignored and logged.
    """
    networks = []
    for entry in re.split(r"[\s,]+", os.environ.get(TRUSTED_PROXIES_ENV, "").strip()):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            logging.getLogger("geodash.settings").warning(
                "%s : « %s » n'est pas une adresse IP", TRUSTED_PROXIES_ENV, entry
            )
    return tuple(networks)

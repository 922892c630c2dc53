"""Documented module-level defaults: where the data lives, the CRS we work in.

Every path can be overridden with an environment variable so that tests and the Département's
deployment can point geodash at other files without touching the code.
"""

from __future__ import annotations

import os
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


def territories_path() -> Path:
    """The GeoPackage written by ``geodash build-geo``."""
    return Path(os.environ.get("GEODASH_TERRITORIES", geo_dir() / "territoires.gpkg"))

"""Optional context layers from the Département's own files: roads, sites, land cover, watercourses.

None of these layers is public (see ``../shared/geo/README.md``): the Département's GIS service
points geodash at its files with a small TOML file, ``geodash.toml`` (format in ``docs/couches.md``,
example in ``geodash.example.toml``). Without that file there are simply no context layers.

A broken file never stops the dashboard: every problem (missing, corrupt or truncated file, missing
or wrong coordinate system, missing column, invalid geometries, values the Légende does not know) is
turned into a :class:`LayerProblem` that names the layer, the file and the reason in French, and the
layer is skipped or repaired.

Reading happens in :func:`load_layers` only; every other function is pure on GeoDataFrames in
Lambert-93 (EPSG:2154). Road categories (1ère, 2ème, 3ème catégorie) come from the Département only:
a départementale the Département's table does not classify is shown as « non renseignée », never
guessed. IGN's road hierarchy (BD TOPO ``VOCATION``) is kept apart as « hiérarchie IGN ».

The package is split along the pipeline: :mod:`.config` (``geodash.toml``), :mod:`.reading` (read
and repair), :mod:`.normalise` (values to the Légende), :mod:`.roads` (lengths, works, filters),
:mod:`.web` (browser-ready layers) and :mod:`.report` (the French check report).
"""

from __future__ import annotations

from ..projects import normalise_road_number
from ..style import LAYER_KINDS, LAYER_LABELS, RD_CATEGORIES
from .config import (
    CONFIG_ENV,
    CONFIG_NAME,
    CONSTANT_FIELD,
    FIELDS,
    GEOMETRY,
    IGN_HIERARCHY,
    IGNORE,
    ROAD_CLASS_NAMES,
    LayerProblem,
    LayerSource,
    SourceSpec,
    find_config,
    read_config,
)
from .normalise import normalise_category, road_class
from .reading import LoadedLayers, load_layers
from .report import check_report
from .roads import (
    filter_road_projects,
    filter_roads,
    road_categories_of_projects,
    road_length_by_category,
    road_works,
)
from .web import to_web

__all__ = [
    "LAYER_KINDS",
    "LAYER_LABELS",
    "CONFIG_ENV",
    "CONFIG_NAME",
    "CONSTANT_FIELD",
    "FIELDS",
    "GEOMETRY",
    "IGN_HIERARCHY",
    "IGNORE",
    "RD_CATEGORIES",
    "ROAD_CLASS_NAMES",
    "LayerProblem",
    "LayerSource",
    "SourceSpec",
    "LoadedLayers",
    "find_config",
    "read_config",
    "load_layers",
    "check_report",
    "normalise_road_number",
    "normalise_category",
    "road_class",
    "filter_roads",
    "road_length_by_category",
    "road_works",
    "road_categories_of_projects",
    "filter_road_projects",
    "to_web",
]

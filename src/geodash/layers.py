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
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from . import settings, style
from .formatting import format_number
from .projects import normalise_route
from .tables import read_rows

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10 without tomllib
    tomllib = None

__all__ = [
    "LAYER_KINDS",
    "LAYER_LABELS",
    "CONFIG_ENV",
    "CONFIG_NAME",
    "IGN_HIERARCHY",
    "IGNORE",
    "RD_CATEGORIES",
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
    "to_web",
]

#: The four kinds of context layer, in drawing order (bottom to top is sol, eau, routes, sites).
LAYER_KINDS = ("routes", "sites", "occupation_sol", "cours_eau")
#: How messages name each kind.
LAYER_LABELS = {
    "routes": "Routes",
    "sites": "Sites du Département",
    "occupation_sol": "Occupation du sol",
    "cours_eau": "Cours d'eau",
    "configuration": "Configuration des couches",
}
#: Environment variable naming the configuration file.
CONFIG_ENV = "GEODASH_LAYERS_CONFIG"
#: Configuration file looked for at the repository root.
CONFIG_NAME = "geodash.toml"
#: Name under which IGN's road hierarchy (BD TOPO ``VOCATION``) is exposed: *not* the Département's category.
IGN_HIERARCHY = "hiérarchie IGN"
#: A value mapped to this word (``"2*" = "ignorer"``) sets the features aside without reporting an error.
IGNORE = "ignorer"
#: Style keys of the départementales (the Département's categories, then « non renseignée »).
RD_CATEGORIES = ("1", "2", "3", "non renseignée")
#: The road classes the Légende draws.
ROAD_CLASS_NAMES = ("autoroute", "nationale", "départementale")

#: Fields each kind can take from a file column: field → required.
FIELDS = {
    "routes": {"numero": True, "classe": False, "categorie": False, "nom": False, "vocation": False},
    "sites": {"type": True, "nom": False},
    "occupation_sol": {"classe": True, "nom": False},
    "cours_eau": {"nom": False},
}
#: Per kind, the field a single value in the configuration can give to every feature of a file.
CONSTANT_FIELD = {"sites": "type", "occupation_sol": "classe"}
#: Geometry family each kind expects.
GEOMETRY = {"routes": "line", "sites": "point", "occupation_sol": "polygon", "cours_eau": "line"}

# Configuration keys (French), with English aliases.
_KEYS = {
    "fichier": "fichier",
    "path": "fichier",
    "couche": "couche",
    "layer": "couche",
    "crs": "crs",
    "colonnes": "colonnes",
    "columns": "colonnes",
    "valeurs": "valeurs",
    "values": "valeurs",
    "categories": "categories",
    "type": "type",
    "classe": "classe",
    "source": "source",
}

#: Pas-de-Calais in Lambert-93 with a 30 km margin: data entirely outside it is in the wrong CRS.
_EXTENT_L93 = (567_000.0, 6_961_000.0, 744_000.0, 7_132_000.0)
_FAMILY_TYPES = {"point": (0, 4), "line": (1, 2, 5), "polygon": (3, 6)}


@dataclass(frozen=True)
class LayerProblem:
    """One finding about a context layer: which layer, which file, why (in French).

    ``level`` is ``"erreur"`` (layer or features set aside, or values the Légende cannot show),
    ``"avertissement"`` (repaired or assumed, kept) or ``"info"`` (a fact worth knowing).
    """

    layer: str
    file: str
    message: str
    level: str = "erreur"

    def __str__(self) -> str:
        prefix = {"erreur": "", "avertissement": "avertissement : ", "info": "note : "}[self.level]
        where = f" ({self.file})" if self.file else ""
        return f"{LAYER_LABELS.get(self.layer, self.layer)}{where} : {prefix}{self.message}"


@dataclass(frozen=True)
class SourceSpec:
    """One file of one layer, as the configuration describes it (paths already resolved)."""

    kind: str
    path: Path
    layer: str | None = None
    crs: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    categories: Path | None = None
    constant: str | None = None
    source: str = ""  # provenance printed on the maps ("Cd62, DMRR, 2019"); the file name if not given


@dataclass
class LayerSource:
    """What was found in one file (for :func:`check_report`)."""

    spec: SourceSpec
    status: str = "ignorée"  # "chargée" | "ignorée"
    n_read: int = 0
    n_kept: int = 0
    crs: str | None = None
    file_columns: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)  # our field → file column

    @property
    def unmapped(self) -> list[str]:
        """File columns geodash does not use."""
        used = set(self.mapped.values())
        return [c for c in self.file_columns if c not in used]


@dataclass
class LoadedLayers:
    """The context layers (Lambert-93, EPSG:2154), and everything that was said about them.

    Each layer is ``None`` when it is not configured or could not be read.

    * ``routes``: ``numero`` (« RD 939 », « A16 »), ``classe`` (autoroute | nationale | départementale),
      ``categorie`` (« 1 », « 2 », « 3 » from the Département, else ``None``), ``style`` (a key of
      :data:`geodash.style.ROAD_CLASSES`), ``categorie_declaree`` (the Département's value as written,
      kept to report values the Légende does not know), ``hierarchie_ign`` (BD TOPO ``VOCATION`` if the file has it),
      ``nom``, ``source``.
    * ``sites``: ``type`` (a key of :data:`geodash.style.SITE_TYPES`), ``nom``, ``source`` (points).
    * ``occupation_sol``: ``classe`` (a key of :data:`geodash.style.LAND_COVER`), ``nom``, ``source``.
    * ``cours_eau``: ``classe`` (« cours_eau »), ``nom``, ``source`` (lines).
    """

    routes: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    occupation_sol: gpd.GeoDataFrame | None = None
    cours_eau: gpd.GeoDataFrame | None = None
    problems: list[LayerProblem] = field(default_factory=list)
    sources: list[LayerSource] = field(default_factory=list)
    config_path: Path | None = None

    def __getitem__(self, kind: str) -> gpd.GeoDataFrame | None:
        if kind not in LAYER_KINDS:
            raise KeyError(kind)
        return getattr(self, kind)

    @property
    def messages(self) -> list[str]:
        """Every problem as a French sentence."""
        return [str(p) for p in self.problems]

    @property
    def errors(self) -> list[LayerProblem]:
        return [p for p in self.problems if p.level == "erreur"]

    @property
    def available(self) -> list[str]:
        """Kinds that have at least one feature."""
        return [k for k in LAYER_KINDS if self[k] is not None and not self[k].empty]

    @property
    def has_ign_hierarchy(self) -> bool:
        """True when the road file carries IGN's hierarchy (« hiérarchie IGN »)."""
        return self.routes is not None and "hierarchie_ign" in self.routes

    @property
    def credit(self) -> str:
        """Provenance of the layers drawn, for the maps' "Sources" line ("" when none is loaded)."""
        parts: dict[str, list[str]] = {}
        for src in self.sources:
            if src.status != "chargée":
                continue
            text = src.spec.source or src.spec.path.name
            parts.setdefault(LAYER_LABELS.get(src.spec.kind, src.spec.kind), [])
            if text not in parts[LAYER_LABELS.get(src.spec.kind, src.spec.kind)]:
                parts[LAYER_LABELS.get(src.spec.kind, src.spec.kind)].append(text)
        if not parts:
            return ""
        return "couches du Département : " + " ; ".join(f"{k.lower()} : {', '.join(v)}" for k, v in parts.items())

    def only(self, kinds: Iterable[str]) -> LoadedLayers:
        """The same layers with those not in ``kinds`` switched off (for the map's toggles)."""
        keep = set(kinds)
        return dataclasses.replace(self, **{k: None for k in LAYER_KINDS if k not in keep})

    def web(self, kind: str, **options) -> gpd.GeoDataFrame | None:
        """One layer in WGS84 for the browser (see :func:`to_web` for the options)."""
        frame = self[kind]
        return None if frame is None else to_web(frame, **options)


# --- Text normalisation ------------------------------------------------------------------------


def _fold(value: object) -> str:
    """Lower case, no accents, single spaces: ``"  Départementale "`` → ``"departementale"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.lower()).strip()


def _text(value: object) -> str:
    """Cell as text; missing values become ``""``; ``12.0`` (a float column) becomes ``"12"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_NATIONAL = re.compile(r"^\s*(A|RN|N)\s*(\d+[A-Z0-9]*)\s*$", re.IGNORECASE)


def normalise_road_number(value: object) -> str:
    """The Légende's spelling of a road number.

    ``D939``, ``RD 939``, ``RD939``, ``D 939`` → ``RD 939`` (via
    :func:`geodash.projects.normalise_route`); ``A 16`` → ``A16``; ``RN 42`` → ``N42``; other text
    is kept as it is (trimmed).

    Examples
    --------
    >>> normalise_road_number("D 939"), normalise_road_number("RN42")
    ('RD 939', 'N42')
    """
    text = _text(value)
    route = normalise_route(text)
    if route.startswith("RD "):
        return route
    match = _NATIONAL.match(text)
    if match:
        prefix = "A" if match.group(1).upper() == "A" else "N"
        return f"{prefix}{match.group(2).upper()}"
    return route


_CATEGORY_WORDS = {"premiere": "1", "deuxieme": "2", "seconde": "2", "second": "2", "troisieme": "3"}
_CATEGORY_NUMBER = re.compile(r"^(\d+)(?:[.,]0+)?\s*(?:er|ere|re|e|eme|nde|nd)?$")


def normalise_category(value: object) -> str | None:
    """A Département road category as a Légende key.

    Returns ``"1"``, ``"2"`` or ``"3"`` for the usual spellings (``1``, ``1.0``, ``1ère``,
    ``1ère catégorie``, ``catégorie 2``, ``seconde``, ``3ème``…), ``None`` for an empty cell, and
    the text itself for anything else (``"4"``, ``"R1"``…): the caller reports it as unknown to
    the Légende.

    Examples
    --------
    >>> normalise_category("1ère catégorie"), normalise_category(""), normalise_category("4")
    ('1', None, '4')
    """
    text = _text(value)
    folded = _fold(text)
    if folded in ("", "nan", "none", "null"):
        return None
    folded = re.sub(r"\b(categorie|cat)\b\.?", " ", folded).strip()
    folded = re.sub(r"\s+", " ", folded)
    if folded in _CATEGORY_WORDS:
        return _CATEGORY_WORDS[folded]
    match = _CATEGORY_NUMBER.match(folded)
    if match:
        return str(int(match.group(1)))
    return text


def road_class(number: str, declared: object = None) -> str | None:
    """Road class (autoroute | nationale | départementale) from a declared value, else the number.

    A declared value is read without accents or case (``"Départementale"``, ``"route nationale"``);
    an empty one falls back to the number prefix (A…, N…/RN…, D…/RD…). ``None`` when neither tells:
    the road is not drawn (communal roads, unknown values) and the caller reports it.
    """
    folded = _fold(declared)
    if folded:
        for name in ROAD_CLASS_NAMES:
            if folded in (_fold(name), f"route {_fold(name)}", f"voie {_fold(name)}"):
                return name
        return None
    upper = _text(number).upper()
    if re.match(r"^A\s*\d", upper):
        return "autoroute"
    if re.match(r"^R?N\s*\d", upper):
        return "nationale"
    if re.match(r"^R?D\s*\d", upper):
        return "départementale"
    return None


def _map_value(value: object, mapping: dict[str, str]) -> object:
    """Apply a value mapping: exact match first, then the longest ``"prefix*"`` pattern."""
    text = _text(value)
    if not mapping or not text:
        return value
    if text in mapping:
        return mapping[text]
    best = None
    for pattern, target in mapping.items():
        if pattern.endswith("*") and text.startswith(pattern[:-1]) and (best is None or len(pattern) > len(best[0])):
            best = (pattern, target)
    return best[1] if best else value


def _style_key(value: object, table: dict) -> str | None:
    """Key of a Légende table (``SITE_TYPES``, ``LAND_COVER``) from a key, a label or its abbreviation."""
    folded = _fold(value)
    if not folded:
        return None
    for key, entry in table.items():
        candidates = {_fold(key), _fold(key.replace("_", " ")), _fold(entry.label)}
        abbreviation = re.search(r"\(([^)]+)\)\s*$", entry.label)
        if abbreviation:
            candidates.add(_fold(abbreviation.group(1)))
        if folded in candidates:
            return key
    return None


def _examples(values: Iterable[str], limit: int = 8) -> str:
    values = [str(v) for v in values]
    if not values:
        return "aucune"
    shown = ", ".join(f"« {v} »" for v in values[:limit])
    return shown + (f" et {len(values) - limit} autre(s)" if len(values) > limit else "")


def _km(value: float) -> str:
    return f"{format_number(value, 1)} km"


# --- Configuration -----------------------------------------------------------------------------


def find_config(config_path: str | os.PathLike | None = None) -> Path | None:
    """The configuration file to read: the argument, else ``$GEODASH_LAYERS_CONFIG``, else
    ``geodash.toml`` at the repository root if it exists, else ``None`` (no context layers)."""
    if config_path:
        return Path(config_path).expanduser()
    env = os.environ.get(CONFIG_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    default = settings.REPO_DIR / CONFIG_NAME
    return default if default.exists() else None


def _parse_source(kind: str, raw: object, base: Path, where: str, problems: list[LayerProblem]) -> SourceSpec | None:
    def problem(message: str, level: str = "erreur") -> None:
        problems.append(LayerProblem(kind, where, message, level))

    if not isinstance(raw, dict):
        problem(f'[{kind}] doit être une table (fichier = "…", colonnes = {{ … }})')
        return None
    spec: dict = {}
    for key, value in raw.items():
        name = _KEYS.get(key)
        if (
            name is None
            or (name in ("type", "classe") and CONSTANT_FIELD.get(kind) != name)
            or (name == "categories" and kind != "routes")
        ):
            problem(f"clé « {key} » inconnue pour [{kind}], ignorée", "avertissement")
            continue
        spec[name] = value
    if not isinstance(spec.get("fichier"), str) or not spec["fichier"].strip():
        problem(f'[{kind}] : le chemin du fichier manque (fichier = "…")')
        return None

    def resolve(text: str) -> Path:
        path = Path(text).expanduser()
        return path if path.is_absolute() else (base / path)

    columns = spec.get("colonnes", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        problem(f'[{kind}] : « colonnes » doit associer des noms de colonnes (numero = "NUMERO")')
        return None
    for key in list(columns):
        if key not in FIELDS[kind]:
            problem(
                f"[{kind}] : colonne « {key} » inconnue (permises : {', '.join(FIELDS[kind])}), ignorée",
                "avertissement",
            )
            columns = {k: v for k, v in columns.items() if k != key}
    values = spec.get("valeurs", {})
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        problem(f'[{kind}] : « valeurs » doit contenir des tables (valeurs.classe = {{ "A" = "autoroute" }})')
        return None
    values = {k: {str(a): str(b) for a, b in v.items()} for k, v in values.items()}
    crs = spec.get("crs")
    categories = spec.get("categories")
    return SourceSpec(
        kind=kind,
        path=resolve(spec["fichier"]),
        layer=str(spec["couche"]) if spec.get("couche") else None,
        crs=str(crs) if crs else None,
        columns=dict(columns),
        values=values,
        categories=resolve(categories) if isinstance(categories, str) and categories.strip() else None,
        constant=str(spec[CONSTANT_FIELD[kind]]) if CONSTANT_FIELD.get(kind) in spec else None,
        source=str(spec.get("source") or "").strip(),
    )


def read_config(config_path: Path) -> tuple[list[SourceSpec], list[LayerProblem]]:
    """Read ``geodash.toml``: one :class:`SourceSpec` per file, and the problems of the file itself.

    Each of ``[routes]``, ``[sites]``, ``[occupation_sol]``, ``[cours_eau]`` is a table, or an array
    of tables (``[[sites]]``) when a layer comes from several files. Relative paths are resolved
    against the folder of the configuration file.
    """
    where = str(config_path)
    if tomllib is None:  # pragma: no cover
        return [], [LayerProblem("configuration", where, "lecture TOML impossible (Python 3.11 requis)")]
    try:
        raw = tomllib.loads(Path(config_path).read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        return [], [LayerProblem("configuration", where, "fichier de configuration introuvable")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [LayerProblem("configuration", where, f"fichier de configuration illisible ({exc})")]
    except tomllib.TOMLDecodeError as exc:
        return [], [LayerProblem("configuration", where, f"fichier de configuration mal formé ({exc})")]
    problems: list[LayerProblem] = []
    unknown = [k for k in raw if k not in LAYER_KINDS]
    if unknown:
        problems.append(
            LayerProblem(
                "configuration",
                where,
                f"section(s) inconnue(s) ignorée(s) : {', '.join(unknown)} (permises : {', '.join(LAYER_KINDS)})",
                "avertissement",
            )
        )
    specs = []
    base = Path(config_path).resolve().parent
    for kind in LAYER_KINDS:
        entries = raw.get(kind)
        if entries is None:
            continue
        for entry in entries if isinstance(entries, list) else [entries]:
            spec = _parse_source(kind, entry, base, where, problems)
            if spec is not None:
                specs.append(spec)
    return specs, problems


# --- Reading one file (I/O) ----------------------------------------------------------------------


def _read_file(spec: SourceSpec, source: LayerSource, problems: list[LayerProblem]) -> gpd.GeoDataFrame | None:
    """Read the file of a source; every failure becomes a problem and ``None``."""
    where = str(spec.path)

    def fail(message: str) -> None:
        problems.append(LayerProblem(spec.kind, where, message))

    if not spec.path.exists():
        fail("fichier introuvable")
        return None
    if spec.path.is_file() and spec.path.stat().st_size == 0:
        fail("fichier vide")
        return None
    layer = spec.layer
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            names = [str(n) for n in pyogrio.list_layers(spec.path)[:, 0]]
            if layer is not None and layer not in names:
                fail(f"couche « {layer} » absente du fichier (couches : {_examples(names)})")
                return None
            if layer is None and len(names) > 1:
                layer = names[0]
                problems.append(
                    LayerProblem(
                        spec.kind,
                        where,
                        f"le fichier contient {len(names)} couches "
                        f"({_examples(names)}) : « {layer} » est lue ; préciser "
                        'couche = "…" dans geodash.toml',
                        "avertissement",
                    )
                )
            frame = gpd.read_file(spec.path, layer=layer)
    except Exception as exc:  # pyogrio raises several error types for corrupt or truncated files
        detail = str(exc).split(";")[0].strip()
        fail(f"fichier illisible, corrompu ou tronqué (détail GDAL : {detail})")
        return None
    source.n_read = len(frame)
    source.file_columns = [c for c in frame.columns if c != frame.geometry.name]
    source.crs = frame.crs.to_string() if frame.crs is not None else None
    if frame.empty:
        problems.append(
            LayerProblem(spec.kind, where, "le fichier ne contient aucun objet ; couche ignorée", "avertissement")
        )
        return None
    return frame


# --- Pure steps on one file -----------------------------------------------------------------------


def _to_lambert(frame: gpd.GeoDataFrame, spec: SourceSpec, problems: list[LayerProblem]) -> gpd.GeoDataFrame | None:
    """Declared or file CRS → Lambert-93; ``None`` when the CRS is missing or evidently wrong."""
    where = str(spec.path)
    if spec.crs:
        if frame.crs is not None and not frame.crs.equals(spec.crs):
            problems.append(
                LayerProblem(
                    spec.kind,
                    where,
                    f"système de coordonnées du fichier "
                    f"({frame.crs.to_string()}) remplacé par celui de geodash.toml "
                    f"({spec.crs})",
                    "avertissement",
                )
            )
        try:
            frame = frame.set_crs(spec.crs, allow_override=True)
        except Exception as exc:
            problems.append(LayerProblem(spec.kind, where, f"système de coordonnées « {spec.crs} » inconnu ({exc})"))
            return None
    if frame.crs is None:
        hint = _crs_hint(frame)
        problems.append(
            LayerProblem(
                spec.kind,
                where,
                "système de coordonnées absent du fichier : "
                'le déclarer dans geodash.toml (crs = "EPSG:2154" pour le '
                f"Lambert-93){hint} ; couche ignorée",
            )
        )
        return None
    valid = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if valid.empty:
        return frame.to_crs(settings.CRS_METRIC)
    bounds = valid.total_bounds
    out_of_range = (np.abs(bounds[[0, 2]]) > 180).any() or (np.abs(bounds[[1, 3]]) > 90).any()
    if frame.crs.is_geographic and out_of_range:
        problems.append(
            LayerProblem(
                spec.kind,
                where,
                f"coordonnées incompatibles avec le système déclaré "
                f"({frame.crs.to_string()}, en degrés){_crs_hint(frame)} : système de "
                "coordonnées erroné ; couche ignorée",
            )
        )
        return None
    try:
        projected = frame.to_crs(settings.CRS_METRIC)
    except Exception as exc:
        problems.append(LayerProblem(spec.kind, where, f"conversion en Lambert-93 impossible ({exc}) ; couche ignorée"))
        return None
    extent = shapely.box(*_EXTENT_L93)
    geoms = projected.geometry
    finite = geoms.notna() & ~geoms.is_empty & np.isfinite(geoms.bounds.to_numpy()).all(axis=1)
    inside = finite & geoms.intersects(extent)
    present = geoms.notna() & ~geoms.is_empty
    if present.any() and not inside.any():
        problems.append(
            LayerProblem(
                spec.kind,
                where,
                f"aucun objet dans le Pas-de-Calais une fois converti "
                f"depuis {frame.crs.to_string()} : système de coordonnées erroné ?"
                f"{_crs_hint(frame)} ; couche ignorée",
            )
        )
        return None
    outside = int((present & ~inside).sum())
    if outside:
        problems.append(
            LayerProblem(spec.kind, where, f"{outside} objet(s) loin du Pas-de-Calais ignoré(s)", "avertissement")
        )
    return projected[inside | ~present]


def _crs_hint(frame: gpd.GeoDataFrame) -> str:
    """What the raw coordinates look like (Lambert-93 or degrees), to help fix the CRS."""
    valid = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
    if valid.empty:
        return ""
    x0, y0, x1, y1 = valid.total_bounds
    if _EXTENT_L93[0] <= x0 and x1 <= _EXTENT_L93[2] and _EXTENT_L93[1] <= y0 and y1 <= _EXTENT_L93[3]:
        return " (les coordonnées ressemblent à du Lambert-93, EPSG:2154)"
    if x0 >= -6 and x1 <= 10 and y0 >= 41 and y1 <= 52:
        return " (les coordonnées ressemblent à des degrés WGS84, EPSG:4326)"
    return ""


def _map_columns(
    frame: gpd.GeoDataFrame, spec: SourceSpec, source: LayerSource, problems: list[LayerProblem]
) -> gpd.GeoDataFrame | None:
    """Rename the file's columns to our fields; a missing required column skips the file.

    A field with no mapping uses a file column of the same name (any case) if there is one.
    """
    where = str(spec.path)
    by_fold = {c.lower(): c for c in source.file_columns}
    mapped = {}
    for name, required in FIELDS[spec.kind].items():
        column = spec.columns.get(name)
        if column is None:
            if name == CONSTANT_FIELD.get(spec.kind) and spec.constant is not None:
                continue
            column = by_fold.get(name.lower())
            if column is None:
                if required:
                    problems.append(
                        LayerProblem(
                            spec.kind,
                            where,
                            f"colonne pour « {name} » non indiquée "
                            f'(colonnes.{name} = "…" dans geodash.toml) et absente du '
                            f"fichier ; colonnes du fichier : {_examples(source.file_columns, 12)}"
                            " ; couche ignorée",
                        )
                    )
                    return None
                continue
        elif column not in frame.columns and column.lower() in by_fold:
            problems.append(
                LayerProblem(
                    spec.kind,
                    where,
                    f"colonne « {column} » (pour « {name} ») lue dans "
                    f"la colonne « {by_fold[column.lower()]} » (majuscules différentes)",
                    "avertissement",
                )
            )
            column = by_fold[column.lower()]
        elif column not in frame.columns:
            consequence = "couche ignorée" if required else "colonne ignorée"
            problems.append(
                LayerProblem(
                    spec.kind,
                    where,
                    f"colonne « {column} » (pour « {name} ») absente du "
                    f"fichier ; colonnes du fichier : {_examples(source.file_columns, 12)} ; "
                    f"{consequence}",
                )
            )
            if required:
                return None
            continue
        mapped[name] = column
    source.mapped = mapped
    out = gpd.GeoDataFrame(
        {name: frame[column].to_numpy() for name, column in mapped.items()},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
        index=frame.index,
    )
    if spec.kind in CONSTANT_FIELD and spec.constant is not None and CONSTANT_FIELD[spec.kind] not in out:
        out[CONSTANT_FIELD[spec.kind]] = spec.constant
    return out


def _keep_family(geoms: np.ndarray, family: str) -> np.ndarray:
    """Parts of each geometry of the wanted family (collections from ``make_valid`` are split)."""
    wanted = _FAMILY_TYPES[family]
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            out[i] = None
        elif shapely.get_type_id(geom) in wanted:
            out[i] = geom
        elif shapely.get_type_id(geom) == 7:
            parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in wanted]
            out[i] = shapely.union_all(parts) if parts else None
        else:
            out[i] = None
    return out


def _clean_geometries(frame: gpd.GeoDataFrame, kind: str, where: str, problems: list[LayerProblem]) -> gpd.GeoDataFrame:
    """Drop empty geometries, repair invalid ones (``make_valid``), keep the expected family."""
    geoms = frame.geometry.to_numpy()
    present = ~(pd.isna(geoms) | shapely.is_empty(geoms))
    if (~present).sum():
        problems.append(
            LayerProblem(kind, where, f"{int((~present).sum())} objet(s) sans géométrie ignoré(s)", "avertissement")
        )
    frame, geoms = frame[present], geoms[present]
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        problems.append(
            LayerProblem(
                kind, where, f"{int(invalid.sum())} géométrie(s) invalide(s) réparée(s) (make_valid)", "avertissement"
            )
        )
    family = GEOMETRY[kind]
    if family == "point":
        non_point = ~np.isin(shapely.get_type_id(geoms), (0,))
        if non_point.any():
            geoms = geoms.copy()
            geoms[non_point] = shapely.point_on_surface(geoms[non_point])
            problems.append(
                LayerProblem(
                    kind,
                    where,
                    f"{int(non_point.sum())} objet(s) non ponctuel(s) placé(s) sur un point intérieur",
                    "avertissement",
                )
            )
        kept = geoms
    else:
        kept = _keep_family(geoms, family)
    ok = ~pd.isna(kept)
    dropped = int((~ok).sum())
    if dropped:
        wanted = {"line": "linéaires", "polygon": "surfaciques"}[family]
        problems.append(
            LayerProblem(
                kind, where, f"{dropped} objet(s) dont la géométrie n'est pas {wanted} ignoré(s)", "avertissement"
            )
        )
    out = frame[ok].copy()
    out = out.set_geometry(gpd.GeoSeries(kept[ok], index=out.index, crs=frame.crs))
    return out


def _read_categories(path: Path, values: dict[str, str], problems: list[LayerProblem]) -> dict[str, str] | None:
    """The Département's road categories: ``numero,categorie`` → {normalised number: raw category}."""
    rows, found = read_rows(path, ["numero", "categorie"], name=str(path))
    for p in found:
        problems.append(
            LayerProblem(
                "routes",
                str(path),
                f"table des catégories, ligne {p.line} : {p.message}"
                if p.line
                else f"table des catégories : {p.message}",
                "avertissement" if p.level != "erreur" else "erreur",
            )
        )
    if not rows and any(p.level == "erreur" for p in found):
        return None
    table: dict[str, str] = {}
    for row in rows:
        number = normalise_road_number(row.values["numero"])
        value = str(_map_value(row.values["categorie"], values))
        if not number:
            problems.append(
                LayerProblem(
                    "routes",
                    str(path),
                    f"table des catégories, ligne {row.line} : numéro de route manquant",
                    "avertissement",
                )
            )
            continue
        if number in table and normalise_category(table[number]) != normalise_category(value):
            problems.append(
                LayerProblem(
                    "routes",
                    str(path),
                    f"table des catégories, ligne {row.line} : "
                    f"{number} déjà classée « {table[number]} », « {value} » ignorée",
                )
            )
            continue
        table[number] = value
    return table


def _normalise_roads(
    frame: gpd.GeoDataFrame, spec: SourceSpec, categories: dict[str, str] | None, problems: list[LayerProblem]
) -> gpd.GeoDataFrame:
    """Numbers, class, Département category and style key of each road."""
    where = str(spec.path)
    declared = (
        frame["classe"].map(lambda v: _map_value(v, spec.values.get("classe", {})))
        if "classe" in frame
        else pd.Series("", index=frame.index)
    )
    frame, declared = _drop_ignored(frame, declared, spec, problems)
    numbers = frame["numero"].map(normalise_road_number)
    classes = pd.Series([road_class(n, d) for n, d in zip(numbers, declared)], index=frame.index, dtype=object)
    unknown = classes.isna()
    if unknown.any():
        shown = declared[unknown].map(_text)
        values = sorted(set(shown[shown != ""])) or sorted(set(numbers[unknown]))
        problems.append(
            LayerProblem(
                "routes",
                where,
                f"{int(unknown.sum())} tronçon(s) hors légende (ni "
                f"autoroute, ni nationale, ni départementale) non dessiné(s) : "
                f"{_examples(values)} ; au besoin, les classer avec valeurs.classe",
                "info",
            )
        )
    out = gpd.GeoDataFrame({"numero": numbers, "classe": classes}, geometry=frame.geometry, crs=frame.crs)
    out["nom"] = frame["nom"].map(_text) if "nom" in frame else ""
    # Category: the Département's table first, else a category column of its own road file.
    raw = pd.Series([None] * len(out), index=out.index, dtype=object)
    if "categorie" in frame:
        raw = frame["categorie"].map(lambda v: _map_value(v, spec.values.get("categorie", {})))
    if categories is not None:
        from_table = out["numero"].map(categories)
        raw = from_table.where(from_table.notna(), raw)
    is_rd = out["classe"] == "départementale"
    category = raw.where(is_rd).map(lambda v: normalise_category(v) if v is not None else None)
    known = category.isin(["1", "2", "3"])
    strange = is_rd & category.notna() & ~known
    if strange.any():
        bad = out.loc[strange].assign(valeur=category[strange])
        listing = "; ".join(f"« {v} » ({_examples(sorted(set(g['numero'])), 5)})" for v, g in bad.groupby("valeur"))
        problems.append(
            LayerProblem(
                "routes",
                where,
                f"catégorie(s) inconnue(s) de la légende (1, 2 ou 3 "
                f"attendu) pour {int(strange.sum())} tronçon(s), montrés « non "
                f"renseignée » : {listing}",
            )
        )
    out["categorie"] = category.where(known, None)
    declared_text = raw.where(is_rd).map(_text)
    out["categorie_declaree"] = declared_text.where(declared_text != "", None)
    out["style"] = np.where(is_rd, out["categorie"].fillna("non renseignée"), out["classe"])
    if "vocation" in frame:
        out["hierarchie_ign"] = frame["vocation"].map(_text)
        problems.append(
            LayerProblem(
                "routes",
                where,
                f"la colonne « {spec.columns.get('vocation', 'VOCATION')} »"
                f" (hiérarchie des routes de l'IGN) est disponible sous le nom « "
                f"{IGN_HIERARCHY} » ; ce n'est pas la catégorie du Département",
                "info",
            )
        )
    return out[~unknown]


def _drop_ignored(
    frame: gpd.GeoDataFrame, values: pd.Series, spec: SourceSpec, problems: list[LayerProblem]
) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Set aside the features whose value the configuration maps to « ignorer »."""
    ignored = values.map(_fold) == IGNORE
    if ignored.any():
        problems.append(
            LayerProblem(
                spec.kind,
                str(spec.path),
                f"{int(ignored.sum())} objet(s) écarté(s) par la configuration (« {IGNORE} »)",
                "info",
            )
        )
    return frame[~ignored], values[~ignored]


def _normalise_keyed(
    frame: gpd.GeoDataFrame, spec: SourceSpec, field_name: str, table: dict, problems: list[LayerProblem]
) -> gpd.GeoDataFrame:
    """Map a type/class column to a key of a Légende table; unknown values are set aside and reported."""
    values = frame[field_name].map(lambda v: _map_value(v, spec.values.get(field_name, {})))
    frame, values = _drop_ignored(frame, values, spec, problems)
    keys = values.map(lambda v: _style_key(v, table))
    if spec.kind == "occupation_sol":
        keys = keys.where(keys != "cours_eau", None)
    unknown = keys.isna()
    if unknown.any():
        seen = sorted(set(values[unknown].map(_text)))
        allowed = [k for k in table if not (spec.kind == "occupation_sol" and k == "cours_eau")]
        what = "type inconnu" if field_name == "type" else "classe inconnue"
        problems.append(
            LayerProblem(
                spec.kind,
                str(spec.path),
                f"{int(unknown.sum())} objet(s) ignoré(s), "
                f"{what} de la légende : {_examples(seen)} ; valeurs permises : "
                f"{', '.join(allowed)} (ou valeurs.{field_name} dans geodash.toml)",
            )
        )
    out = gpd.GeoDataFrame({field_name: keys}, geometry=frame.geometry, crs=frame.crs)
    out["nom"] = frame["nom"].map(_text) if "nom" in frame else ""
    return out[~unknown]


def _normalise(
    frame: gpd.GeoDataFrame, spec: SourceSpec, categories: dict[str, str] | None, problems: list[LayerProblem]
) -> gpd.GeoDataFrame:
    if spec.kind == "routes":
        out = _normalise_roads(frame, spec, categories, problems)
    elif spec.kind == "sites":
        out = _normalise_keyed(frame, spec, "type", style.SITE_TYPES, problems)
    elif spec.kind == "occupation_sol":
        out = _normalise_keyed(frame, spec, "classe", style.LAND_COVER, problems)
    else:
        out = gpd.GeoDataFrame(
            {"classe": "cours_eau", "nom": frame["nom"].map(_text) if "nom" in frame else ""},
            geometry=frame.geometry,
            crs=frame.crs,
            index=frame.index,
        )
    out["source"] = spec.path.name
    return out


def _load_source(spec: SourceSpec, problems: list[LayerProblem]) -> tuple[gpd.GeoDataFrame | None, LayerSource]:
    source = LayerSource(spec)
    frame = _read_file(spec, source, problems)
    if frame is None:
        return None, source
    frame = _to_lambert(frame, spec, problems)
    if frame is None:
        return None, source
    frame = _map_columns(frame, spec, source, problems)
    if frame is None:
        return None, source
    frame = _clean_geometries(frame, spec.kind, str(spec.path), problems)
    categories = None
    if spec.kind == "routes" and spec.categories is not None:
        categories = _read_categories(spec.categories, spec.values.get("categorie", {}), problems)
        if categories is not None:
            _report_unused_categories(categories, frame, spec, problems)
    frame = _normalise(frame, spec, categories, problems)
    source.status, source.n_kept = "chargée", len(frame)
    return frame, source


def _report_unused_categories(
    categories: dict[str, str], frame: gpd.GeoDataFrame, spec: SourceSpec, problems: list[LayerProblem]
) -> None:
    present = set(frame["numero"].map(normalise_road_number))
    absent = sorted(set(categories) - present)
    if absent:
        problems.append(
            LayerProblem(
                "routes",
                str(spec.categories),
                f"{len(absent)} route(s) de la table des "
                f"catégories absente(s) de la couche des routes : {_examples(absent)}",
                "info",
            )
        )


def load_layers(config_path: str | os.PathLike | None = None) -> LoadedLayers:
    """Read the context layers the configuration names; never raises on bad data.

    Parameters
    ----------
    config_path
        ``geodash.toml``; default ``$GEODASH_LAYERS_CONFIG``, else ``geodash.toml`` at the repository
        root if it exists. No configuration means no context layers (and no problem).

    Returns
    -------
    LoadedLayers
        One GeoDataFrame per configured kind in Lambert-93 (files of the same kind concatenated),
        and the problems found, each naming the layer, the file and the reason.
    """
    path = find_config(config_path)
    loaded = LoadedLayers(config_path=path)
    if path is None:
        return loaded
    specs, loaded.problems = read_config(path)
    frames: dict[str, list[gpd.GeoDataFrame]] = {k: [] for k in LAYER_KINDS}
    for spec in specs:
        frame, source = _load_source(spec, loaded.problems)
        loaded.sources.append(source)
        if frame is not None:
            frames[spec.kind].append(frame)
    for kind, parts in frames.items():
        if parts:
            merged = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
            setattr(loaded, kind, gpd.GeoDataFrame(merged, geometry="geometry", crs=settings.CRS_METRIC))
    return loaded


# --- Computations (pure, Lambert-93) --------------------------------------------------------------


def filter_roads(roads: gpd.GeoDataFrame, categories: Iterable[str] | None) -> gpd.GeoDataFrame:
    """Roads whose style key is in ``categories`` (keys of :data:`geodash.style.ROAD_CLASSES`).

    ``None`` keeps every road. An unknown key raises ``ValueError``.
    """
    if categories is None:
        return roads
    wanted = list(categories)
    unknown = [c for c in wanted if c not in style.ROAD_CLASSES]
    if unknown:
        raise ValueError(
            f"catégorie(s) inconnue(s) : {', '.join(unknown)} (permises : {', '.join(style.ROAD_CLASSES)})"
        )
    return roads[roads["style"].isin(wanted)]


def road_length_by_category(roads: gpd.GeoDataFrame, epci: gpd.GeoDataFrame, *, key: str = "siren") -> pd.DataFrame:
    """Length (km, Lambert-93) of each road style key inside each polygon of ``epci``.

    Parameters
    ----------
    roads
        Roads from :func:`load_layers` (``style`` column), in EPSG:2154.
    epci
        Polygons with a ``key`` column (the EPCI of :class:`geodash.territories.Territories`, or any
        area such as the département outline).

    Returns
    -------
    DataFrame
        One row per polygon in ``epci`` order, then a ``"total"`` row; columns ``key``, the road style
        keys ``"1"``, ``"2"``, ``"3"``, ``"non renseignée"``, ``"départementales"`` (their sum),
        ``"autoroute"``, ``"nationale"``. Roads are clipped to each polygon, so a road crossing two
        EPCI counts in each for its own part.
    """
    roads = roads.to_crs(settings.CRS_METRIC)
    areas = epci[[key, "geometry"]].to_crs(settings.CRS_METRIC).reset_index(drop=True)
    columns = list(RD_CATEGORIES) + ["autoroute", "nationale"]
    pairs = gpd.sjoin(roads[["style", "geometry"]], areas, predicate="intersects", how="inner")
    if pairs.empty:
        table = pd.DataFrame(0.0, index=areas[key], columns=columns)
    else:
        clipped = shapely.intersection(
            pairs.geometry.to_numpy(), areas.geometry.to_numpy()[pairs["index_right"].to_numpy()]
        )
        pairs = pd.DataFrame(
            {key: pairs[key].to_numpy(), "style": pairs["style"].to_numpy(), "km": shapely.length(clipped) / 1000.0}
        )
        table = pairs.pivot_table(index=key, columns="style", values="km", aggfunc="sum")
        table = table.reindex(index=areas[key], columns=columns).fillna(0.0)
    table.insert(len(RD_CATEGORIES), "départementales", table[list(RD_CATEGORIES)].sum(axis=1))
    table = table.reset_index()
    total = table.drop(columns=key).sum().to_frame().T
    total.insert(0, key, "total")
    table = pd.concat([table, total], ignore_index=True)
    table.columns.name = None
    return table


def road_works(
    roads: gpd.GeoDataFrame, financements: pd.DataFrame, epci_siren: str, *, epci: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Roads named in the ``route`` column of an EPCI's financements, to highlight them.

    Parameters
    ----------
    roads
        Roads from :func:`load_layers`.
    financements
        Project rows (``epci_siren``, ``route`` such as ``"RD 208"`` or ``"RD 5|RD 950"``, ``id``,
        ``intitule``).
    epci_siren
        The EPCI whose projects are read.
    epci
        EPCI polygons (``siren``); when given, each road is clipped to the chosen EPCI, so only the
        part of, say, the RD 939 inside it is highlighted.

    Returns
    -------
    GeoDataFrame
        One row per road found: ``numero``, ``projets`` (ids, ``|``-separated), ``intitules``
        (``" ; "``-separated), geometry. ``attrs["routes_absentes"]`` lists the named roads that the
        road layer does not have.
    """
    rows = financements[financements["epci_siren"].astype(str) == str(epci_siren)]
    named: dict[str, list[tuple[str, str]]] = {}
    for _, row in rows.iterrows():
        for part in _text(row.get("route")).split("|"):
            number = normalise_road_number(part)
            if number:
                named.setdefault(number, []).append((_text(row.get("id")), _text(row.get("intitule"))))
    selected = roads[roads["numero"].isin(named)][["numero", "geometry"]]
    if epci is not None and not selected.empty:
        area = epci.loc[epci["siren"].astype(str) == str(epci_siren)].to_crs(roads.crs)
        shape = shapely.union_all(area.geometry.to_numpy()) if not area.empty else shapely.Polygon()
        selected = selected.assign(geometry=shapely.intersection(selected.geometry.to_numpy(), shape))
        selected = selected[~selected.geometry.is_empty]
    if selected.empty:
        out = gpd.GeoDataFrame({"numero": [], "projets": [], "intitules": []}, geometry=[], crs=roads.crs)
    else:
        out = selected.dissolve(by="numero").reset_index()
        out["projets"] = out["numero"].map(lambda n: "|".join(dict.fromkeys(i for i, _ in named[n])))
        out["intitules"] = out["numero"].map(lambda n: " ; ".join(dict.fromkeys(t for _, t in named[n])))
        out = out[["numero", "projets", "intitules", "geometry"]]
    out.attrs["routes_absentes"] = sorted(set(named) - set(out["numero"]))
    return out


def to_web(
    frame: gpd.GeoDataFrame,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    tolerance_m: float = 15.0,
    decimals: int = settings.WEB_COORD_DECIMALS,
) -> gpd.GeoDataFrame:
    """A layer ready for the browser: clipped, simplified, WGS84, rounded coordinates.

    Parameters
    ----------
    frame
        A layer in any projected CRS (normally Lambert-93).
    bbox
        ``(xmin, ymin, xmax, ymax)`` in the frame's CRS: features outside are dropped, lines and
        polygons are cut to it.
    tolerance_m
        Douglas-Peucker tolerance in metres (topology preserved); 0 keeps every vertex.
    decimals
        Decimals kept in degrees (5 ≈ 1 m).
    """
    out = frame.to_crs(settings.CRS_METRIC)
    geoms = out.geometry.to_numpy()
    if bbox is not None:
        inside = shapely.intersects(geoms, shapely.box(*bbox))
        out, geoms = out[inside], geoms[inside]
        not_point = shapely.get_type_id(geoms) != 0
        geoms = geoms.copy()
        geoms[not_point] = shapely.clip_by_rect(geoms[not_point], *bbox)
    if tolerance_m:
        geoms = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=settings.CRS_METRIC))
    out = out[~out.geometry.is_empty].to_crs(settings.CRS_WEB)
    rounded = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    out = out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=settings.CRS_WEB))
    return out[~out.geometry.is_empty]


# --- Check report --------------------------------------------------------------------------------


def _source_lines(source: LayerSource, frame_part: gpd.GeoDataFrame | None) -> list[str]:
    spec = source.spec
    title = f"{LAYER_LABELS[spec.kind]} — {spec.path}" + (f" (couche « {spec.layer} »)" if spec.layer else "")
    lines = [title]
    if source.status != "chargée":
        lines.append("  couche ignorée (voir les problèmes ci-dessous)")
        return lines
    crs = source.crs or spec.crs or "non indiqué"
    lines.append(
        f"  {source.n_read} objet(s) lu(s), {source.n_kept} gardé(s) ; système de coordonnées : "
        f"{crs}" + ("" if crs == settings.CRS_METRIC else " (converti en Lambert-93, EPSG:2154)")
    )
    mapped = ", ".join(f"{k} ← {v}" for k, v in source.mapped.items()) or "aucune"
    lines.append(f"  colonnes utilisées : {mapped}")
    if spec.constant is not None and CONSTANT_FIELD.get(spec.kind) not in source.mapped:
        lines.append(f"  {CONSTANT_FIELD[spec.kind]} fixé(e) pour tout le fichier : « {spec.constant} »")
    lines.append(f"  colonnes non utilisées : {', '.join(source.unmapped) or 'aucune'}")
    if frame_part is None or frame_part.empty:
        return lines
    if spec.kind == "routes":
        lines += _road_summary(frame_part, spec)
    else:
        column = "type" if spec.kind == "sites" else "classe"
        counts = frame_part[column].value_counts()
        table = style.SITE_TYPES if spec.kind == "sites" else style.LAND_COVER
        lines.append("  par type : " + ", ".join(f"{table[k].label} ({n})" for k, n in counts.items()))
    return lines


def _road_summary(roads: gpd.GeoDataFrame, spec: SourceSpec) -> list[str]:
    lines = []
    km = roads.geometry.length / 1000.0
    by_class = km.groupby(roads["classe"]).agg(["size", "sum"])
    lines.append(
        "  par classe : "
        + " ; ".join(f"{c} {int(r['size'])} tronçon(s), {_km(r['sum'])}" for c, r in by_class.iterrows())
    )
    rd = roads["classe"] == "départementale"
    if rd.any():
        by_cat = km[rd].groupby(roads.loc[rd, "style"]).agg(["size", "sum"]).reindex(RD_CATEGORIES).dropna()
        lines.append(
            "  routes départementales par catégorie du Département : "
            + " ; ".join(
                f"{style.ROAD_CLASSES[c].label} {int(r['size'])} tronçon(s), {_km(r['sum'])}"
                for c, r in by_cat.iterrows()
            )
        )
        missing = roads.loc[rd & roads["categorie"].isna(), "numero"]
        source = (
            "table des catégories"
            if spec.categories
            else ("colonne de catégorie" if "categorie" in spec.columns else "aucune table de catégories indiquée")
        )
        lines.append(
            f"  routes départementales sans catégorie (« non renseignée ») : {missing.nunique()} "
            f"route(s), {_km(km[rd & roads['categorie'].isna()].sum())} ({source})"
        )
        strange = roads.loc[rd & roads["categorie"].isna() & roads["categorie_declaree"].notna()]
        if strange.empty:
            lines.append("  catégories inconnues de la légende : aucune")
        else:
            lines.append(
                "  catégories inconnues de la légende (montrées « non renseignée ») : "
                + " ; ".join(
                    f"« {v} » : {_examples(sorted(set(g['numero'])), 5)}"
                    for v, g in strange.groupby("categorie_declaree")
                )
            )
    if "hierarchie_ign" in roads:
        counts = roads["hierarchie_ign"].replace("", "(vide)").value_counts()
        lines.append(
            f"  {IGN_HIERARCHY} (colonne VOCATION, distincte des catégories du Département) : "
            + ", ".join(f"{v} ({n})" for v, n in counts.items())
        )
    return lines


def check_report(config_path: str | os.PathLike | None = None) -> tuple[str, bool]:
    """What geodash finds in the Département's layer files, in French (``geodash layers check``).

    Returns
    -------
    text, ok
        The report, and ``False`` when any problem is an error (layer or features set aside,
        values the Légende cannot show).
    """
    loaded = load_layers(config_path)
    if loaded.config_path is None:
        return (
            f"Aucune configuration des couches de contexte ({CONFIG_NAME} absent à la racine du dépôt, "
            f"{CONFIG_ENV} non défini) : pas de couches optionnelles.",
            True,
        )
    lines = [f"Configuration des couches de contexte : {loaded.config_path}", ""]
    offsets: dict[str, int] = dict.fromkeys(LAYER_KINDS, 0)
    for source in loaded.sources:
        frame = loaded[source.spec.kind]
        part = None
        if frame is not None and source.status == "chargée":
            start = offsets[source.spec.kind]
            part = frame.iloc[start : start + source.n_kept]
            offsets[source.spec.kind] += source.n_kept
        lines += _source_lines(source, part) + [""]
    if not loaded.sources:
        lines += ["Aucune couche décrite dans la configuration.", ""]
    if loaded.problems:
        lines.append("Problèmes :")
        lines += [f"  - {p}" for p in loaded.problems]
    else:
        lines.append("Aucun problème.")
    n_err = len(loaded.errors)
    n_warn = sum(p.level == "avertissement" for p in loaded.problems)
    lines.append(f"Bilan : {n_err} erreur(s), {n_warn} avertissement(s).")
    return "\n".join(lines), n_err == 0


def road_categories_of_projects(financements: pd.DataFrame, roads: gpd.GeoDataFrame) -> pd.Series:
    """Road style keys of each project's ``route`` (``"RD 5|RD 950"``: one key per road), as sets.

    An empty set means the project is not a road work. A road the layer does not know is
    "non renseignée", like a road without a category: the filter never invents one.
    """
    by_number = (
        roads.drop_duplicates("numero").set_index("numero")["style"] if not roads.empty else pd.Series(dtype=str)
    )
    return (
        financements["route"]
        .fillna("")
        .astype(str)
        .map(
            lambda text: {
                by_number.get(normalise_road_number(r), "non renseignée") for r in text.split("|") if r.strip()
            }
        )
    )


def filter_road_projects(
    financements: pd.DataFrame, roads: gpd.GeoDataFrame | None, categories: Iterable[str] | None
) -> pd.DataFrame:
    """Keep non-road projects, and road works on at least one road of ``categories`` (``None``: all)."""
    if roads is None or categories is None:
        return financements
    wanted = set(categories)
    keys = road_categories_of_projects(financements, roads)
    return financements[keys.map(lambda k: not k or bool(k & wanted))]

"""Reading and repair: each configured file is read, reprojected to Lambert-93, its columns mapped,
its geometries repaired, its values normalised; :func:`load_layers` returns the layers and every
problem found, and never raises."""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import settings
from ..projects import normalise_road_number
from ..style import LAYER_KINDS, LAYER_LABELS
from .config import CONSTANT_FIELD, FIELDS, GEOMETRY, LayerProblem, LayerSource, SourceSpec, find_config, read_config
from .normalise import _examples, _normalise, _read_categories

__all__ = ["LoadedLayers", "load_layers"]

#: Pas-de-Calais in Lambert-93 with a 30 km margin: data entirely outside it is in the wrong CRS.
_EXTENT_L93 = (567_000.0, 6_961_000.0, 744_000.0, 7_132_000.0)
_FAMILY_TYPES = {"point": (0, 4), "line": (1, 2, 5), "polygon": (3, 6)}


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
    # GDAL, imported here only: its libraries cost a process about 28 MB once loaded, which a server
    # without the Département's layers (geodash.toml) never needs (it reads its territories with SQLite).
    import pyogrio

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

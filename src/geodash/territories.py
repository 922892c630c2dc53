"""Communes and EPCI: load, select, simplify for the web.

The web layers are built once by ``geodash build-geo`` with a *coverage-preserving* simplification:
neighbouring communes are simplified together, so they keep one shared border with no gap or overlap,
and each EPCI is the union of its simplified communes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import gpkg, settings
from .formatting import format_number
from .memory import release_free_memory

__all__ = [
    "Territories",
    "TerritoryError",
    "web_layers",
    "load_territories",
    "departement_outline",
]


class TerritoryError(RuntimeError):
    """The territorial GeoPackage is missing, unreadable or incomplete (message in French)."""


@dataclass(frozen=True)
class Territories:
    """The territorial base: full-resolution layers (Lambert-93) and web layers (WGS84).

    ``repaired`` counts, per layer, the invalid geometries (self-intersections, spikes) that were
    repaired while loading; ``warnings`` says the same in French, one line per layer, for the page's
    « Données » panel. Both are empty for a sound file.

    ``communes`` may hold the communes' attributes only (a plain DataFrame: ``load_territories(...,
    commune_geometry=False)``, what a server keeps); :meth:`with_commune_geometry` reads their
    full-resolution shapes again from ``source``, the file loaded, for what draws or places on them.
    """

    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    communes_web: gpd.GeoDataFrame
    epci_web: gpd.GeoDataFrame
    repaired: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    source: Path | None = None

    def with_commune_geometry(self) -> Territories:
        """These territories with the communes' full-resolution shapes: ``self`` when they are kept, else
        read again from :attr:`source` (and not kept). Raises :class:`TerritoryError` when the file
        no longer holds the communes loaded."""
        if isinstance(self.communes, gpd.GeoDataFrame):
            return self
        if self.source is None:
            raise TerritoryError("communes chargées sans leurs limites, et sans le fichier d'où les relire")
        path = self.source
        _check_file(path)
        try:
            frame, _ = _read_layer(path, "communes", set(gpkg.list_layers(path)))
        except gpkg.GeoPackageError as exc:
            raise TerritoryError(f"{path} : GeoPackage illisible ({exc})") from exc
        finally:
            release_free_memory()
        communes = _metric_communes(frame)
        if not communes["insee"].equals(self.communes["insee"]):
            raise TerritoryError(f"{path} : fichier remplacé depuis son chargement (communes différentes)")
        return replace(self, communes=communes)

    @cached_property
    def epci_context(self) -> gpd.GeoDataFrame:
        """Coarser EPCI outlines for overviews and the faded context around the chosen EPCI
        (computed once). The tolerance grows with the extent, from 400 m for a département up to
        2 km (all of France: its bounding box spans the overseas départements, so it is capped)."""
        x0, y0, x1, y1 = self.epci.to_crs(settings.CRS_METRIC).total_bounds
        tolerance = min(2000.0, max(CONTEXT_SIMPLIFY_TOLERANCE_M, 0.0015 * max(x1 - x0, y1 - y0)))
        return context_layer(self.epci, tolerance=tolerance)

    @cached_property
    def epci_names(self) -> dict[str, tuple[str, str]]:
        """SIREN → (official name, short name) of every EPCI, read once: a page names the territories
        around the one shown on every run (the views the map may draw ahead), forty names a run."""
        return {
            str(siren): (str(name), str(short))
            for siren, name, short in zip(self.epci["siren"], self.epci["nom"], self.epci["nom_court"])
        }

    def epci_name(self, siren: str, *, short: bool = False) -> str:
        """Official (or short) name of an EPCI (``KeyError`` for an unknown SIREN)."""
        return self.epci_names[siren][1 if short else 0]

    @property
    def sirens(self) -> list[str]:
        """EPCI SIREN codes, in the order of their short names."""
        return self.epci["siren"].tolist()


#: Tolerance (metres) of the EPCI drawn as faded context around the chosen EPCI: they only need to
#: be recognisable, and they are the same bytes in every EPCI view.
CONTEXT_SIMPLIFY_TOLERANCE_M = 400.0


def context_layer(
    epci: gpd.GeoDataFrame, *, tolerance: float = CONTEXT_SIMPLIFY_TOLERANCE_M, decimals: int = 4
) -> gpd.GeoDataFrame:
    """EPCI outlines simplified together (no gap or overlap between them) for the faded context."""
    metric = epci.to_crs(settings.CRS_METRIC)
    simplified = shapely.coverage_simplify(metric.geometry.to_numpy(), tolerance)
    out = gpd.GeoDataFrame(metric.drop(columns="geometry"), geometry=simplified, crs=metric.crs)
    out = out.to_crs(settings.CRS_WEB)
    out["geometry"] = shapely.make_valid(shapely.set_precision(out.geometry.to_numpy(), 10.0**-decimals))
    return out


def web_layers(
    communes: gpd.GeoDataFrame,
    *,
    tolerance: float = settings.WEB_SIMPLIFY_TOLERANCE_M,
    decimals: int = settings.WEB_COORD_DECIMALS,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Simplified WGS84 communes and EPCI for the browser.

    The communes are simplified as one coverage (``shapely.coverage_simplify``) in Lambert-93, then
    projected and snapped to a ``10**-decimals`` degree grid: shared vertices snap to the same point,
    so neighbours still share their border exactly.
    """
    simplified = shapely.coverage_simplify(communes.geometry.to_numpy(), tolerance)
    web = communes.drop(columns="geometry").copy()
    web = gpd.GeoDataFrame(web, geometry=simplified, crs=communes.crs).to_crs(settings.CRS_WEB)
    grid = 10.0**-decimals
    web["geometry"] = shapely.make_valid(shapely.set_precision(web.geometry.to_numpy(), grid))
    epci = web.dissolve(by="epci_siren").reset_index()[["epci_siren", "geometry"]]
    epci = epci.rename(columns={"epci_siren": "siren"})
    epci["geometry"] = shapely.set_precision(epci.geometry.to_numpy(), grid)
    return web, epci


_REQUIRED = {
    "communes": {"insee", "nom", "epci_siren", "population", "hors_departement"},
    "epci": {"siren", "nom", "nom_court", "population", "nb_communes"},
    "communes_web": {"insee", "nom", "epci_siren"},
    "epci_web": {"siren"},
}


#: Lambert-93 box (metres) that holds the Pas-de-Calais and the parts of its EPCI outside it, with a
#: margin: a layer outside it has a wrong coordinate system (or corrupt coordinates).
EXPECTED_BOUNDS_L93 = (540_000.0, 6_940_000.0, 770_000.0, 7_160_000.0)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ID = {"communes": "insee", "communes_web": "insee", "epci": "siren", "epci_web": "siren"}


def _names(frame: pd.DataFrame, mask, layer: str, limit: int = 5) -> str:
    ids = frame.loc[mask, _ID[layer]].astype(str).tolist()
    return ", ".join(ids[:limit]) + (f" et {len(ids) - limit} autre(s)" if len(ids) > limit else "")


def _check_file(path: Path) -> None:
    """A GeoPackage is an SQLite file: say plainly what else it is (missing, empty, GeoJSON…)."""
    if not path.exists():
        raise TerritoryError(f"{path} : fichier introuvable (le reconstruire avec « geodash build-geo »)")
    if not path.is_file():
        raise TerritoryError(f"{path} : ce n'est pas un fichier")
    try:
        with open(path, "rb") as f:
            header = f.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise TerritoryError(f"{path} : fichier illisible ({exc.strerror or exc})") from exc
    head = header[: len(_SQLITE_MAGIC)]
    if head == _SQLITE_MAGIC:
        # The SQLite header states the page size and, when its two counters agree, the page count.
        expected = 0
        if len(header) == 100 and header[24:28] == header[92:96]:
            page = int.from_bytes(header[16:18], "big")
            expected = (65536 if page == 1 else page) * int.from_bytes(header[28:32], "big")
        if len(header) < 100 or size < expected:
            what = (
                f"{format_number(size)} octets sur {format_number(expected)} attendus"
                if expected
                else f"{size} octets, en-tête incomplet"
            )
            raise TerritoryError(
                f"{path} : fichier tronqué ({what}) : le recopier ou le reconstruire avec « geodash build-geo »"
            )
        return
    if not head:
        raise TerritoryError(f"{path} : fichier vide (le reconstruire avec « geodash build-geo »)")
    kind = "un fichier GeoJSON ou texte" if head.lstrip()[:1] in (b"{", b"[", b"<") else "un fichier d'un autre format"
    raise TerritoryError(
        f"{path} : ce n'est pas un GeoPackage mais {kind} ; attendu le GeoPackage écrit par "
        "« geodash build-geo » (couches communes, epci, communes_web, epci_web)"
    )


def _read_layer(path: Path, layer: str, present: set[str]) -> tuple[gpd.GeoDataFrame, list[str]]:
    """One layer, checked; returns it and the codes (INSEE or SIREN) of the geometries repaired."""
    if layer not in present:
        raise TerritoryError(
            f"{path} : couche « {layer} » absente (couches présentes : {', '.join(sorted(present)) or 'aucune'})"
        )
    try:
        frame = gpkg.read_layer(path, layer)
    except gpkg.GeoPackageError as exc:
        raise TerritoryError(f"{path} : couche « {layer} » illisible, fichier tronqué ou endommagé ? ({exc})") from exc
    where = f"{path} : couche « {layer} »"
    missing = _REQUIRED[layer] - set(frame.columns)
    if missing:
        raise TerritoryError(f"{where}, colonnes manquantes : {', '.join(sorted(missing))}")
    if frame.crs is None:
        raise TerritoryError(f"{where} sans système de coordonnées")
    if frame.empty:
        raise TerritoryError(f"{where} vide")
    for col in ("insee", "siren", "epci_siren"):
        if col in frame:
            frame[col] = frame[col].astype(str)
    geoms = frame.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise TerritoryError(f"{where} : {int(empty.sum())} géométrie(s) absente(s) ({_names(frame, empty, layer)})")
    counts = shapely.get_num_coordinates(geoms)
    coords = shapely.get_coordinates(geoms)
    finite = np.isfinite(coords).all(axis=1)
    if not finite.all():
        bad = np.zeros(len(frame), dtype=bool)
        bad[np.unique(np.repeat(np.arange(len(frame)), counts)[~finite])] = True
        raise TerritoryError(f"{where} : coordonnées non numériques, fichier endommagé ? ({_names(frame, bad, layer)})")
    try:
        metric = frame.geometry.to_crs(settings.CRS_METRIC).to_numpy()
    except Exception as exc:
        raise TerritoryError(f"{where} : système de coordonnées {frame.crs.to_string()} inutilisable ({exc})") from exc
    with np.errstate(invalid="ignore"):
        b = shapely.bounds(metric)
        xmin, ymin, xmax, ymax = EXPECTED_BOUNDS_L93
        outside = ~((b[:, 0] >= xmin) & (b[:, 1] >= ymin) & (b[:, 2] <= xmax) & (b[:, 3] <= ymax))
    if outside.any():
        raise TerritoryError(
            f"{where} : {int(outside.sum())} géométrie(s) hors du Pas-de-Calais une fois projetées en Lambert-93 "
            f"({_names(frame, outside, layer)}) : système de coordonnées déclaré ({frame.crs.to_string()}) erroné, "
            "ou coordonnées endommagées"
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        # Repair rather than draw wrong: keep the polygonal part (a spike or a collapsed ring goes).
        try:
            fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        except shapely.errors.GEOSException as exc:
            raise TerritoryError(
                f"{where} : géométrie(s) irréparable(s) ({_names(frame, invalid, layer)} ; {exc})"
            ) from exc
        if (shapely.is_empty(fixed) | ~shapely.is_valid(fixed)).any():
            raise TerritoryError(f"{where} : géométrie(s) irréparable(s) ({_names(frame, invalid, layer)})")
        frame.loc[invalid, "geometry"] = fixed
    return frame, frame.loc[invalid, _ID[layer]].tolist()


def _check_together(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    """The four layers describe the same communes and EPCI: a truncated or half-rebuilt file does not."""
    communes, epci = layers["communes"], layers["epci"]
    for name, col in (("communes", "insee"), ("epci", "siren"), ("communes_web", "insee"), ("epci_web", "siren")):
        dupes = layers[name][col][layers[name][col].duplicated()]
        if not dupes.empty:
            raise TerritoryError(f"{path} : couche « {name} », {col} en double : {', '.join(dupes.unique()[:5])}")
    try:
        for name, col in (("communes", "population"), ("epci", "population"), ("epci", "nb_communes")):
            pd.to_numeric(layers[name][col], errors="raise")
    except (ValueError, TypeError) as exc:
        raise TerritoryError(f"{path} : couche « {name} », colonne {col} non numérique ({exc})") from exc
    unknown = sorted(set(communes["epci_siren"]) - set(epci["siren"]))
    if unknown:
        raise TerritoryError(
            f"{path} : communes rattachées à des EPCI absents de la couche « epci » : {', '.join(unknown[:5])}"
        )
    counts = communes.groupby("epci_siren").size().reindex(epci["siren"], fill_value=0)
    expected = pd.to_numeric(epci.set_index("siren")["nb_communes"])
    wrong = counts[counts != expected]
    if not wrong.empty:
        raise TerritoryError(
            f"{path} : nombre de communes incohérent pour {len(wrong)} EPCI ("
            + ", ".join(f"{s} : {n} au lieu de {int(expected[s])}" for s, n in wrong.head(5).items())
            + ") : fichier incomplet ?"
        )
    population = pd.to_numeric(communes["population"]).groupby(communes["epci_siren"]).sum()
    stated = pd.to_numeric(epci.set_index("siren")["population"])
    wrong = stated[population.reindex(stated.index).fillna(0) != stated]
    if not wrong.empty:
        raise TerritoryError(
            f"{path} : la population de {len(wrong)} EPCI (couche « epci ») n'est pas la somme de "
            f"celles de ses communes ({', '.join(wrong.index[:5])}) : fichier endommagé ?"
        )
    for web, full, col in (("communes_web", "communes", "insee"), ("epci_web", "epci", "siren")):
        diff = set(layers[web][col]) ^ set(layers[full][col])
        if diff:
            raise TerritoryError(
                f"{path} : les couches « {web} » et « {full} » ne décrivent pas les mêmes "
                f"territoires ({', '.join(sorted(diff)[:5])}) : fichier incomplet ?"
            )
    # The web communes carry the same attributes as the full ones: a damaged cell in either differs.
    shared = [c for c in communes.columns if c in layers["communes_web"].columns and c != "geometry"]
    full = communes[shared].set_index("insee").sort_index()
    web = layers["communes_web"][shared].set_index("insee").sort_index()
    differ = full.index[(full.astype(str) != web.astype(str)).any(axis=1).to_numpy()]
    if len(differ):
        raise TerritoryError(
            f"{path} : {len(differ)} commune(s) décrite(s) autrement dans « communes_web » que dans « communes » "
            f"({', '.join(differ[:5])}) : fichier endommagé ?"
        )
    _check_areas(path, layers)


#: Each EPCI is the union of its communes (full and web layers alike): areas agree to this
#: fraction; a web commune keeps its area to within :data:`WEB_AREA_TOLERANCE` of the full one.
AREA_TOLERANCE = 1e-7
WEB_AREA_TOLERANCE = 0.10


def _check_areas(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Catch coordinates damaged inside the file (a bit flip moves a vertex by kilometres)."""
    area = {
        name: pd.Series(layers[name].to_crs(settings.CRS_METRIC).area.to_numpy(), index=layers[name][_ID[name]])
        for name in _REQUIRED
    }
    for communes, epci in (("communes", "epci"), ("communes_web", "epci_web")):
        sums = area[communes].groupby(layers[communes]["epci_siren"].to_numpy()).sum()
        gap = (area[epci] - sums.reindex(area[epci].index).fillna(0)).abs()
        bad = gap[gap > AREA_TOLERANCE * area[epci]]
        if not bad.empty:
            raise TerritoryError(
                f"{path} : la surface de {len(bad)} EPCI (couche « {epci} ») diffère de celle de ses communes "
                f"(couche « {communes} ») : {', '.join(f'{s} ({format_number(g)} m²)' for s, g in bad.head(5).items())}"
                " ; fichier endommagé ?"
            )
    rel = (area["communes_web"] - area["communes"].reindex(area["communes_web"].index)).abs() / area["communes"]
    bad = rel[rel > WEB_AREA_TOLERANCE]
    if not bad.empty:
        raise TerritoryError(
            f"{path} : {len(bad)} commune(s) de la couche « communes_web » très différentes de la "
            f"couche « communes » ({', '.join(bad.index[:5])}) ; fichier endommagé ?"
        )


def load_territories(path: Path | None = None, *, commune_geometry: bool = True) -> Territories:
    """Read the four layers of ``territoires.gpkg``; raise :class:`TerritoryError` with the file name.

    Every way the file can be wrong (missing, empty, not a GeoPackage, truncated, corrupt, a layer
    or a column missing, no or wrong coordinate system, layers that disagree) is a
    :class:`TerritoryError` whose French message starts with the file's path. Invalid geometries
    are repaired and counted in :attr:`Territories.repaired` / :attr:`Territories.warnings`.

    ``commune_geometry=False`` keeps the communes' attributes only, checked as the rest: the pages draw
    the web layers, and the full-resolution communes are the largest layer (all France: 100 MB),
    read again when a sheet is printed or projects placed (:meth:`Territories.with_commune_geometry`).
    """
    path = Path(path or settings.territories_path())
    try:
        return _read_territories(path, commune_geometry)
    finally:
        # Reading parsed every vertex through WKB buffers, reprojections and checks, freed by now: a
        # server keeps the territories, not that peak (France: about 90 MB). What a refused file
        # read stays alive with its exception's frames until the caller has handled it.
        release_free_memory()


def _metric_communes(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The full-resolution communes as kept: Lambert-93, ``hors_departement`` a boolean."""
    communes = frame.to_crs(settings.CRS_METRIC)
    communes["hors_departement"] = communes["hors_departement"].astype(bool)
    return communes


def _read_territories(path: Path, commune_geometry: bool = True) -> Territories:
    _check_file(path)
    try:
        present = set(gpkg.list_layers(path))
    except gpkg.GeoPackageError as exc:
        raise TerritoryError(
            f"{path} : GeoPackage illisible : fichier tronqué, endommagé, ou base SQLite qui "
            f"n'est pas un GeoPackage ? ({exc})"
        ) from exc
    try:
        layers, repaired = {}, {}
        for name in _REQUIRED:
            layers[name], codes = _read_layer(path, name, present)
            if codes:
                repaired[name] = codes
        _check_together(path, layers)
        communes = _metric_communes(layers["communes"])
        if not commune_geometry:
            communes = pd.DataFrame(communes.drop(columns="geometry"))
        epci = layers["epci"].to_crs(settings.CRS_METRIC)
        epci_web = (
            layers["epci_web"].to_crs(settings.CRS_WEB).merge(epci.drop(columns="geometry"), on="siren", how="left")
        )
        communes_web = layers["communes_web"].to_crs(settings.CRS_WEB)
        communes_web["hors_departement"] = communes_web["hors_departement"].astype(bool)
        order = epci["nom_court"].argsort(kind="stable")
        return Territories(
            communes=communes,
            epci=epci.iloc[order].reset_index(drop=True),
            communes_web=communes_web,
            epci_web=epci_web.set_index("siren").loc[epci["siren"].iloc[order]].reset_index(),
            repaired={name: len(codes) for name, codes in repaired.items()},
            warnings=tuple(
                f"{path.name} : couche « {name} », {len(codes)} géométrie(s) invalide(s) réparée(s) "
                f"({', '.join(codes[:5])}{' …' if len(codes) > 5 else ''})"
                for name, codes in repaired.items()
            ),
            source=path,
        )
    except TerritoryError:
        raise
    except Exception as exc:  # anything the checks above did not foresee: still a message naming the file
        raise TerritoryError(f"{path} : contenu incohérent ({type(exc).__name__} : {exc})") from exc


def departement_outline(communes: gpd.GeoDataFrame) -> shapely.Geometry:
    """Outline of the département: union of its own communes (EPCI parts outside excluded)."""
    inside = communes[~communes["hors_departement"].astype(bool)]
    return shapely.union_all(inside.geometry.to_numpy())

"""Communes and EPCI: load, select, simplify for the web.

The web layers are built once by ``geodash build-geo`` with a *coverage-preserving* simplification:
neighbouring communes are simplified together, so they keep one shared border with no gap or overlap,
and each EPCI is the union of its simplified communes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from . import settings

__all__ = [
    "Territories",
    "TerritoryError",
    "web_layers",
    "load_territories",
    "communes_of",
    "departement_outline",
]


class TerritoryError(RuntimeError):
    """The territorial GeoPackage is missing, unreadable or incomplete (message in French)."""


@dataclass(frozen=True)
class Territories:
    """The territorial base: full-resolution layers (Lambert-93) and web layers (WGS84)."""

    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    communes_web: gpd.GeoDataFrame
    epci_web: gpd.GeoDataFrame

    def epci_name(self, siren: str, *, short: bool = False) -> str:
        """Official (or short) name of an EPCI."""
        row = self.epci.loc[self.epci["siren"] == siren]
        if row.empty:
            raise KeyError(siren)
        return str(row.iloc[0]["nom_court" if short else "nom"])

    @property
    def sirens(self) -> list[str]:
        """EPCI SIREN codes, in the order of their short names."""
        return self.epci["siren"].tolist()


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
    grid = 10.0 ** -decimals
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


def _read_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises several error types for corrupt files
        raise TerritoryError(f"{path} : couche « {layer} » illisible ({exc})") from exc
    missing = _REQUIRED[layer] - set(frame.columns)
    if missing:
        raise TerritoryError(
            f"{path} : couche « {layer} », colonnes manquantes : {', '.join(sorted(missing))}"
        )
    if frame.crs is None:
        raise TerritoryError(f"{path} : couche « {layer} » sans système de coordonnées")
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        # Repair rather than draw wrong; the count is small and the repair is logged by callers.
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.geometry[invalid].to_numpy())
    for col in ("insee", "siren", "epci_siren"):
        if col in frame:
            frame[col] = frame[col].astype(str)
    return frame


def load_territories(path: Path | None = None) -> Territories:
    """Read the four layers of ``territoires.gpkg``; raise :class:`TerritoryError` with the file name."""
    path = Path(path or settings.territories_path())
    if not path.exists():
        raise TerritoryError(
            f"{path} : fichier introuvable (le reconstruire avec « geodash build-geo »)"
        )
    layers = {name: _read_layer(path, name) for name in _REQUIRED}
    communes = layers["communes"].to_crs(settings.CRS_METRIC)
    communes["hors_departement"] = communes["hors_departement"].astype(bool)
    epci = layers["epci"].to_crs(settings.CRS_METRIC)
    epci_web = layers["epci_web"].to_crs(settings.CRS_WEB).merge(
        epci.drop(columns="geometry"), on="siren", how="left"
    )
    communes_web = layers["communes_web"].to_crs(settings.CRS_WEB)
    communes_web["hors_departement"] = communes_web["hors_departement"].astype(bool)
    order = epci["nom_court"].argsort(kind="stable")
    return Territories(
        communes=communes,
        epci=epci.iloc[order].reset_index(drop=True),
        communes_web=communes_web,
        epci_web=epci_web.set_index("siren").loc[epci["siren"].iloc[order]].reset_index(),
    )


def communes_of(frame: gpd.GeoDataFrame, siren: str) -> gpd.GeoDataFrame:
    """The communes of one EPCI (works on the full or the web layer)."""
    return frame[frame["epci_siren"] == siren]


def departement_outline(communes: gpd.GeoDataFrame) -> shapely.Geometry:
    """Outline of the département: union of its own communes (EPCI parts outside excluded)."""
    inside = communes[~communes["hors_departement"].astype(bool)]
    return shapely.union_all(inside.geometry.to_numpy())


def population_by_epci(communes: pd.DataFrame) -> pd.Series:
    """Population of each EPCI (all its communes, including those outside the département)."""
    return communes.groupby("epci_siren")["population"].sum()

"""A layer made ready for the browser: clipped, simplified, WGS84, rounded."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from .. import settings

__all__ = ["to_web"]


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

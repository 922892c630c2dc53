"""Computations on the road layer (pure, Lambert-93): categories shown, lengths per EPCI, roads
named by the projects, and the projects filtered by road category."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd
import shapely

from .. import settings, style
from ..projects import normalise_road_number
from ..style import RD_CATEGORIES
from ..text import cell_text

__all__ = [
    "filter_roads",
    "road_length_by_category",
    "road_works",
    "road_categories_of_projects",
    "filter_road_projects",
]


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
        for part in cell_text(row.get("route")).split("|"):
            number = normalise_road_number(part)
            if number:
                named.setdefault(number, []).append((cell_text(row.get("id")), cell_text(row.get("intitule"))))
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

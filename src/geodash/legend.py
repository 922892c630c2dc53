"""What a map shows and how it is named, for both media: the symbology model.

The web map (:mod:`geodash.webmap`, :mod:`geodash.weblayers`) and the print sheet
(:mod:`geodash.printmap`) take from here the legend groups and their counts, the box of the
EPCI-wide items, the marker numbers, the label texts (name and amount apart), the choropleth classes
and colours, the road drawing order and the titles; they only draw what this module returns, so the
two media cannot drift apart. Colours, shapes and widths stay in :mod:`geodash.style`. Nothing here
draws or reads a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from . import settings, style
from .formatting import format_eur_short, format_per_inhabitant
from .layers import filter_roads

__all__ = [
    "MEDIA",
    "MARGIN_M",
    "DEPARTEMENT_TITLE",
    "LegendEntry",
    "LegendGroup",
    "EpciWideBox",
    "Legend",
    "ContextCounts",
    "number_projects",
    "label_parts",
    "project_label",
    "choropleth_classes",
    "class_color",
    "choropleth_entries",
    "road_draw_order",
    "map_title",
    "subtitle",
    "context_region",
    "count_context",
    "project_groups",
    "context_groups",
    "boundary_group",
    "epci_wide_box",
    "build_legend",
]

#: The two media a legend is drawn on.
MEDIA = ("web", "print")

#: Margin (metres) kept around the chosen EPCI so its roads can be followed to the next town; the
#: legend counts the context features of that region on both media.
MARGIN_M = 3000.0

#: Title of the département view, on both media.
DEPARTEMENT_TITLE = f"{settings.DEPARTEMENT_NOM} : les 20 intercommunalités"


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: what is drawn (``kind``, ``key`` of its style) and its French label."""

    kind: str  # "period" | "theme" | "choropleth" | "road" | "road_work" | "site" | "area" | "water" | "boundary"
    key: str
    label: str
    count: int | None = None
    color: str | None = None  # choropleth classes only (the other kinds take their style by key)

    @property
    def text(self) -> str:
        """The label as shown: ``"Culture (3)"``."""
        return self.label if self.count is None else f"{self.label} ({self.count})"


@dataclass(frozen=True)
class LegendGroup:
    """A titled group of entries, and the media it is drawn on."""

    key: str  # a key of style.GROUP_TITLES
    title: str
    entries: tuple[LegendEntry, ...]
    media: tuple[str, ...] = MEDIA


@dataclass(frozen=True)
class EpciWideBox:
    """The financings of the whole EPCI (no place on the map): those with an amount are listed, the
    engagements without one are counted."""

    items: tuple[tuple[str, str, str, str], ...]  # (theme, periode, name, amount text)
    n_engagements: int
    title: str = style.GROUP_TITLES["epci_wide"]

    def engagements_text(self, *, scope: bool = False) -> str:
        """``"et 2 engagements sans montant"`` (``scope``: "… à l'échelle de l'intercommunalité")."""
        if not self.n_engagements:
            return ""
        n = self.n_engagements
        text = f"et {n} engagement{'s' if n > 1 else ''} sans montant"
        return text + (" à l'échelle de l'intercommunalité" if scope else "")


@dataclass(frozen=True)
class Legend:
    """Everything a map's legend says, in drawing order."""

    title: str
    groups: tuple[LegendGroup, ...]
    epci_wide: EpciWideBox | None = None

    def groups_for(self, medium: str) -> tuple[LegendGroup, ...]:
        """The groups drawn on ``medium`` ("web" or "print")."""
        return tuple(g for g in self.groups if medium in g.media)

    def rows(self, medium: str) -> list[tuple[str, str]]:
        """``(group title, entry text)`` for each line drawn on ``medium``, in order."""
        return [(g.title, e.text) for g in self.groups_for(medium) for e in g.entries]


@dataclass(frozen=True)
class ContextCounts:
    """What the legend counts of the Département's layers: distinct road numbers per road style,
    highlighted road works, sites per type, areas per land-cover class (``cours_eau``: lines)."""

    roads: dict[str, int]
    works: int = 0
    sites: dict[str, int] | None = None
    areas: dict[str, int] | None = None


# --- Projects ----------------------------------------------------------------------------------


def number_projects(placed: pd.DataFrame) -> pd.Series:
    """Stable 1..n numbers keyed to the list: by theme (legend order), then amount, then id."""
    if placed.empty:
        return pd.Series(dtype=int)
    order = placed.assign(
        _t=placed["theme"].map({t: i for i, t in enumerate(style.THEMES)}),
        _a=-placed["montant_departement_eur"].fillna(-1),
    ).sort_values(["_t", "_a", "id"])
    return pd.Series(np.arange(1, len(order) + 1), index=order.index)


def label_parts(row: pd.Series) -> tuple[str, str]:
    """French map label (not escaped) as ``(name, amount text)``; the amount text may be ``""``.

    ``("RD 208", "417 000 €")``, ``("Médiathèque", "À venir : 1,3 million €")``, ``(…, "engagement")``.
    """
    amount = row.get("montant_departement_eur")
    if row.get("nature") == "engagement" or pd.isna(amount):
        suffix = "engagement" if row.get("nature") == "engagement" else ""
    elif row.get("nature") == "fonctionnement":
        suffix = f"Fonctionnement : {format_eur_short(amount)}"
    else:
        suffix = format_eur_short(amount)
        if row.get("periode") == "à venir":
            suffix = f"À venir : {suffix}"
    return f"{row['intitule']}", suffix


def project_label(row: pd.Series) -> str:
    """French map label text on one line (not escaped): ``"RD 208 – 417 000 €"``."""
    name, amount = label_parts(row)
    return name + (f" – {amount}" if amount else "")


def _items(placed: pd.DataFrame | None, unplaced: pd.DataFrame | None) -> pd.DataFrame:
    frames = [f.drop(columns="geometry", errors="ignore") for f in (placed, unplaced) if f is not None and not f.empty]
    return pd.concat(frames) if frames else pd.DataFrame(columns=["theme", "periode"])


def project_groups(placed: pd.DataFrame | None, unplaced: pd.DataFrame | None) -> list[LegendGroup]:
    """Projects counted by period, then by theme (placed and EPCI-wide together); empty: none."""
    items = _items(placed, unplaced)
    if items.empty:
        return []
    periods = tuple(
        LegendEntry("period", p, ps.label, int((items["periode"] == p).sum()))
        for p, ps in style.PERIODS.items()
        if (items["periode"] == p).any()
    )
    themes = tuple(
        LegendEntry("theme", t, ts.label, int((items["theme"] == t).sum()))
        for t, ts in style.THEMES.items()
        if (items["theme"] == t).any()
    )
    return [
        LegendGroup("projets", style.GROUP_TITLES["projets"], periods),
        LegendGroup("themes", style.GROUP_TITLES["themes"], themes),
    ]


def epci_wide_box(unplaced: pd.DataFrame | None) -> EpciWideBox | None:
    """The EPCI-wide box: the items with an amount, and the number of engagements without one."""
    if unplaced is None or unplaced.empty:
        return None
    with_amount = unplaced[unplaced["montant_departement_eur"].notna()]
    items = tuple((row["theme"], row["periode"], *label_parts(row)) for _, row in with_amount.iterrows())
    return EpciWideBox(items, len(unplaced) - len(with_amount))


# --- Choropleth ----------------------------------------------------------------------------------


def choropleth_classes(values: pd.Series, n: int = len(style.CHOROPLETH)) -> list[float]:
    """Class breaks (quantiles, rounded) for the département choropleth."""
    clean = values.dropna()
    if clean.empty:
        return [0.0]
    qs = np.unique(np.round(np.quantile(clean, np.linspace(0, 1, n + 1)), 0))
    return qs.tolist()


def class_color(value: float, breaks: list[float]) -> str:
    """Colour of ``value`` in the classes ``breaks``; a missing value gets the neutral "no value" colour."""
    if value is None or pd.isna(value) or len(breaks) < 2:
        return style.CHOROPLETH_NO_VALUE
    idx = int(np.searchsorted(breaks[1:-1], value, side="right"))
    return style.CHOROPLETH[min(idx, len(style.CHOROPLETH) - 1)]


def choropleth_entries(breaks: list[float]) -> tuple[LegendEntry, ...]:
    """One entry per class, ``"12 €/hab. à 30 €/hab."``, with its colour."""
    if len(breaks) < 2:
        return ()
    return tuple(
        LegendEntry(
            "choropleth",
            str(i),
            f"{format_per_inhabitant(lo)} à {format_per_inhabitant(hi)}",
            color=style.CHOROPLETH[min(i, len(style.CHOROPLETH) - 1)],
        )
        for i, (lo, hi) in enumerate(zip(breaks[:-1], breaks[1:]))
    )


# --- Context layers -------------------------------------------------------------------------------


def road_draw_order(keys: Iterable[str] | None = None) -> list[str]:
    """Road style keys bottom to top (motorways on top of départementales), limited to ``keys``."""
    wanted = None if keys is None else set(keys)
    return [k for k in style.ROAD_DRAW_ORDER if wanted is None or k in wanted]


def context_region(territories, epci_siren: str | None) -> tuple[float, float, float, float] | None:
    """Lambert-93 box of the chosen EPCI plus :data:`MARGIN_M`; ``None`` for the whole département."""
    if epci_siren is None or territories is None:
        return None
    chosen = territories.epci[territories.epci["siren"] == epci_siren].to_crs(settings.CRS_METRIC)
    if chosen.empty:
        return None
    x0, y0, x1, y1 = chosen.total_bounds
    return (x0 - MARGIN_M, y0 - MARGIN_M, x1 + MARGIN_M, y1 + MARGIN_M)


def _in_region(frame, region):
    """Rows of ``frame`` (any projected CRS) with something inside ``region`` (None: all rows)."""
    if frame is None or frame.empty:
        return None
    frame = frame.to_crs(settings.CRS_METRIC)
    if region is None:
        return frame
    geoms = frame.geometry.to_numpy()
    inside = shapely.intersects(geoms, shapely.box(*region))
    cut = geoms[inside].copy()
    not_point = shapely.get_type_id(cut) != 0
    cut[not_point] = shapely.clip_by_rect(cut[not_point], *region)
    part = frame[inside]
    return part[~shapely.is_empty(cut)]


def count_context(
    loaded,
    *,
    region: tuple[float, float, float, float] | None = None,
    categories: Iterable[str] | None = None,
    works=None,
) -> ContextCounts:
    """Count what the legend names of the layers ``loaded`` (``layers.LoadedLayers``) in ``region``.

    Roads are filtered by ``categories`` (style keys, ``None``: all) and counted by distinct number;
    ``works`` (from :func:`geodash.layers.road_works`) are the highlighted roads, if drawn.
    """
    roads = _in_region(loaded.routes, region)
    road_counts: dict[str, int] = {}
    if roads is not None:
        roads = filter_roads(roads, categories)
        road_counts = {k: int(n) for k, n in roads.groupby("style")["numero"].nunique().items() if n}
    work_part = _in_region(works, region)
    sites = _in_region(loaded.sites, region)
    site_counts = {} if sites is None else {k: int(n) for k, n in sites["type"].value_counts().items()}
    land = _in_region(loaded.occupation_sol, region)
    area_counts = {}
    if land is not None:  # a line class in the land-cover file is not drawn from it
        drawn = land[~land["classe"].map(lambda k: k in style.LAND_COVER and style.LAND_COVER[k].line)]
        area_counts = {k: int(n) for k, n in drawn["classe"].value_counts().items()}
    water = _in_region(loaded.cours_eau, region)
    if water is not None and len(water):
        area_counts["cours_eau"] = len(water)
    return ContextCounts(road_counts, 0 if work_part is None else len(work_part), site_counts, area_counts)


def context_groups(counts: ContextCounts | None) -> list[LegendGroup]:
    """Legend groups of the context layers, only what is drawn, with counts."""
    if counts is None:
        return []
    groups = []
    rd = [LegendEntry("road_work", "travaux", style.ROAD_WORK.label, counts.works)] if counts.works else []
    rd += [
        LegendEntry("road", k, style.ROAD_CLASSES[k].label, counts.roads[k])
        for k in style.RD_CATEGORIES
        if counts.roads.get(k)
    ]
    other = [
        LegendEntry("road", k, style.ROAD_CLASSES[k].label, counts.roads[k])
        for k in style.ROAD_CLASSES
        if k not in style.RD_CATEGORIES and counts.roads.get(k)
    ]
    sites = [
        LegendEntry("site", k, s.label, (counts.sites or {})[k])
        for k, s in style.SITE_TYPES.items()
        if (counts.sites or {}).get(k)
    ]
    areas = [
        LegendEntry("water" if f.line else "area", k, f.label, (counts.areas or {})[k])
        for k, f in style.LAND_COVER.items()
        if (counts.areas or {}).get(k)
    ]
    for key, entries in (("routes", rd), ("autres_routes", other), ("sites", sites), ("sol", areas)):
        if entries:
            groups.append(LegendGroup(key, style.GROUP_TITLES[key], tuple(entries)))
    return groups


def boundary_group(epci_siren: str | None) -> LegendGroup:
    """The boundaries: drawn in the print legend only (on screen a boundary answers to the pointer)."""
    keys = ("epci",) if epci_siren is None else ("epci", "commune")
    entries = tuple(LegendEntry("boundary", k, style.BOUNDARIES[k].label) for k in keys)
    return LegendGroup("limites", style.GROUP_TITLES["limites"], entries, media=("print",))


# --- Titles and the whole legend ------------------------------------------------------------------


def map_title(epci_name: str | None) -> str:
    """Title of a map: the EPCI's name, or the département's title."""
    return DEPARTEMENT_TITLE if epci_name is None else str(epci_name)


def subtitle(subject: str, period_text: str, filters_text: str = "") -> str:
    """``"Financements du Département – 2015-2018 et à venir – thématiques : Sport"``."""
    return f"{subject} – {period_text}" + (f" – {filters_text}" if filters_text else "")


def build_legend(
    *,
    title: str,
    placed: pd.DataFrame | None = None,
    unplaced: pd.DataFrame | None = None,
    epci_siren: str | None = None,
    choropleth: pd.Series | None = None,
    context: ContextCounts | None = None,
    extra: Iterable[LegendGroup] = (),
) -> Legend:
    """The legend of one map, the same on both media.

    Parameters
    ----------
    title
        From :func:`map_title`.
    placed, unplaced
        The filtered projects on the map and the EPCI-wide ones.
    epci_siren
        The chosen EPCI, ``None`` for the département.
    choropleth
        € per inhabitant by SIREN (département view): its classes are listed.
    context
        Counts of the Département's layers drawn (:func:`count_context`).
    extra
        More groups, drawn after the context layers.
    """
    groups = project_groups(placed, unplaced)
    if epci_siren is None and choropleth is not None:
        entries = choropleth_entries(choropleth_classes(choropleth))
        if entries:
            groups.append(LegendGroup("choropleth", style.GROUP_TITLES["choropleth"], entries))
    groups += context_groups(context)
    groups += list(extra)
    groups.append(boundary_group(epci_siren))
    return Legend(title, tuple(groups), epci_wide_box(unplaced))

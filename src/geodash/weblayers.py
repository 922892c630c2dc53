"""The context layers on the web map: land cover, watercourses, roads, road works, Département sites.

Nothing here reads a file: the layers come from :func:`geodash.layers.load_layers`. Every text from
a data file (road numbers, site and area names) goes through :func:`geodash.text.html_text` and
reaches the page as JSON values drawn by the map component (``static/mapview.js``), so no data can
become markup, a template or code. Geometry is clipped to the chosen EPCI's
surroundings, simplified and rounded to 5 decimals to keep the page small.

The component draws them after the communes and before the project markers: Leaflet draws vector
layers in the order they are added, and the markers sit in their own pane above them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd

from . import legend, style
from .layers import LoadedLayers, filter_roads, to_web
from .legend import MARGIN_M
from .text import html_text

__all__ = [
    "context_layers",
    "ContextLayers",
    "line_swatch",
    "fill_swatch",
    "site_icon",
    "legend_symbol",
    "MARGIN_M",
]

esc = html_text

#: Simplification tolerance (metres) for an EPCI view and for the whole département.
TOLERANCE_M = {"epci": 10.0, "departement": 40.0}
_SITE_SIZE = {"normal": 20, "projecteur": 30}


def line_swatch(line: style.LineStyle | style.FillStyle, width_px: int = 34) -> str:
    """Legend swatch of a line style (casing under it, dash if any), as inline SVG."""
    width = getattr(line, "width", 2.5)
    dash = getattr(line, "dash", None)
    casing = getattr(line, "casing", None)
    y = 7
    parts = [f'<svg class="gd-line" width="{width_px}" height="14" viewBox="0 0 {width_px} 14" aria-hidden="true">']
    if casing:
        parts.append(
            f'<line x1="1" y1="{y}" x2="{width_px - 1}" y2="{y}" stroke="{casing}" stroke-width="{width + 2}"/>'
        )
    if casing == style.OUTLINES["white"]:  # a thin dark edge so a white casing shows on the white legend
        edge = style.OUTLINES["faded"]
        parts.insert(
            1, f'<line x1="1" y1="{y}" x2="{width_px - 1}" y2="{y}" stroke="{edge}" stroke-width="{width + 3}"/>'
        )
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts.append(
        f'<line x1="1" y1="{y}" x2="{width_px - 1}" y2="{y}" stroke="{line.color}" '
        f'stroke-width="{width}"{dash_attr}/></svg>'
    )
    return "".join(parts)


def fill_swatch(fill: style.FillStyle) -> str:
    """Legend swatch of an area style."""
    return f'<span class="gd-swatch" style="background:{fill.color};opacity:{fill.opacity}" aria-hidden="true"></span>'


def site_icon(site: style.SiteStyle, size: int) -> str:
    """A site marker: the type's letter in a white disc ringed with the type's colour (SVG)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 24 24" '
        f'role="img" aria-label="{esc(site.label)}">'
        f'<circle cx="12" cy="12" r="10" fill="{style.OUTLINES["white"]}" stroke="{site.color}" stroke-width="2.6"/>'
        f'<text x="12" y="16.3" text-anchor="middle" font-size="12" font-weight="700" '
        f'font-family="Arial, sans-serif" fill="{site.color}">{esc(site.letter)}</text></svg>'
    )


def _feature_collection(frame: gpd.GeoDataFrame) -> dict:
    return json.loads(frame[["t", "geometry"]].to_json(drop_id=True))


def _line_style(line: style.LineStyle) -> dict:
    return {
        "color": line.color,
        "weight": line.width,
        "opacity": 1,
        "dashArray": line.dash,
        "lineCap": "round",
        "lineJoin": "round",
    }


def _road_layers(roads: gpd.GeoDataFrame | None, categories, bbox, tolerance) -> list[dict]:
    if roads is None or roads.empty:
        return []
    web = to_web(filter_roads(roads, categories), bbox=bbox, tolerance_m=tolerance)
    layers = []
    for key in legend.road_draw_order():
        part = web[web["style"] == key]
        if part.empty:
            continue
        line = style.ROAD_CLASSES[key]
        part = part.assign(t=[esc(f"{n} — {line.label}") for n in part["numero"]])
        casing = None
        if line.casing:
            casing = {
                "color": line.casing,
                "weight": line.width + 2,
                "opacity": 1,
                "lineCap": "round",
                "lineJoin": "round",
            }
        layers.append({"k": key, "casing": casing, "style": _line_style(line), "fc": _feature_collection(part)})
    return layers


def _works_layer(works: gpd.GeoDataFrame | None, bbox, tolerance) -> list[dict]:
    if works is None or works.empty:
        return []
    web = to_web(works, bbox=bbox, tolerance_m=tolerance)
    if web.empty:
        return []
    line = style.ROAD_WORK
    web = web.assign(t=[esc(f"{n} — {line.label} : {t}") for n, t in zip(web["numero"], web["intitules"])])
    casing = {"color": line.casing, "weight": line.width + 2, "opacity": 1, "lineCap": "round"}
    return [{"k": "travaux", "casing": casing, "style": _line_style(line), "fc": _feature_collection(web)}]


def _area_layers(land: gpd.GeoDataFrame | None, water: gpd.GeoDataFrame | None, bbox, tolerance) -> list[dict]:
    layers = []
    if land is not None and not land.empty:
        web = to_web(land, bbox=bbox, tolerance_m=tolerance)
        for key, fill in style.LAND_COVER.items():
            part = web[web["classe"] == key]
            if part.empty or fill.line:
                continue
            part = part.assign(t=[esc(f"{fill.label}" + (f" : {n}" if n else "")) for n in part["nom"]])
            layers.append(
                {
                    "k": key,
                    "casing": None,
                    "fc": _feature_collection(part),
                    "style": {"fillColor": fill.color, "fillOpacity": fill.opacity, "stroke": False},
                }
            )
    if water is not None and not water.empty:
        web = to_web(water, bbox=bbox, tolerance_m=tolerance)
        if not web.empty:
            fill = style.LAND_COVER["cours_eau"]
            web = web.assign(t=[esc(n or fill.label) for n in web["nom"]])
            layers.append(
                {
                    "k": "cours_eau",
                    "casing": None,
                    "fc": _feature_collection(web),
                    "style": {"color": fill.color, "weight": 1.5, "opacity": fill.opacity},
                }
            )
    return layers


def _site_points(sites: gpd.GeoDataFrame | None, bbox) -> list[list]:
    if sites is None or sites.empty:
        return []
    web = to_web(sites, bbox=bbox, tolerance_m=0)
    points = [
        [g.y, g.x, k, esc(f"{n} ({style.SITE_TYPES[k].label})" if n else style.SITE_TYPES[k].label)]
        for g, k, n in zip(web.geometry, web["type"], web["nom"])
    ]
    return points


@dataclass
class ContextLayers:
    """The context layers ready for a map: the data of their script, and what the legend counts of them."""

    data: dict | None  # None when nothing is drawn
    counts: legend.ContextCounts

    @property
    def groups(self) -> list[legend.LegendGroup]:
        """The legend groups of these layers (:func:`geodash.legend.context_groups`)."""
        return legend.context_groups(self.counts)

    @property
    def legend(self) -> list[tuple[str, list[str]]]:
        """The legend groups as ``(title, [entry html])``, swatch then escaped text."""
        return [(g.title, [f"{legend_symbol(e)} {esc(e.text)}" for e in g.entries]) for g in self.groups]


def context_layers(
    loaded: LoadedLayers,
    *,
    epci_siren: str | None = None,
    categories=None,
    territories=None,
    works: gpd.GeoDataFrame | None = None,
    mode: str = "normal",
) -> ContextLayers:
    """Prepare the context layers without drawing them.

    Use it when the legend must be known before the map is built (``MapOptions.extra_legend``),
    then give it to :class:`geodash.webmap.MapOptions` (``context``).

    Parameters
    ----------
    loaded
        Layers from :func:`geodash.layers.load_layers`.
    epci_siren
        The chosen EPCI: layers are cut to its bounding box plus :data:`MARGIN_M` (needs
        ``territories``). ``None`` draws the whole département, more simplified.
    categories
        Road style keys to draw (keys of :data:`geodash.style.ROAD_CLASSES`); ``None`` draws all.
    territories
        :class:`geodash.territories.Territories`, for the EPCI's extent.
    works
        Roads with works to highlight, from :func:`geodash.layers.road_works`.
    mode
        ``"normal"`` or ``"projecteur"`` (bigger site markers).

    Returns
    -------
    ContextLayers
        ``element`` (None when nothing is drawn) and ``legend``: (group title, [entry html]) with
        counts, only what is drawn (roads: distinct road numbers; sites and areas: features).
    """
    bbox = legend.context_region(territories, epci_siren)
    tolerance = TOLERANCE_M["epci" if bbox else "departement"]
    area_layers = _area_layers(loaded.occupation_sol, loaded.cours_eau, bbox, tolerance)
    road_layers = _road_layers(loaded.routes, categories, bbox, tolerance)
    work_layers = _works_layer(works, bbox, tolerance)
    points = _site_points(loaded.sites, bbox)
    size = _SITE_SIZE.get(mode, _SITE_SIZE["normal"])
    icons = {k: site_icon(style.SITE_TYPES[k], size) for k in dict.fromkeys(p[2] for p in points)}
    data = None
    if area_layers or road_layers or work_layers or points:
        data = {"layers": area_layers + road_layers + work_layers, "sites": points, "icons": icons, "size": size}
    counts = legend.count_context(loaded, region=bbox, categories=categories, works=works)
    return ContextLayers(data, counts)


def legend_symbol(entry: legend.LegendEntry, marker: int = 14) -> str:
    """The swatch of a legend entry (inline SVG or a coloured box)."""
    if entry.kind == "period":
        swatch = style.PERIOD_SWATCH
        return style.marker_svg(swatch["theme"], entry.key, marker, color=swatch["color"])
    if entry.kind == "theme":
        return style.marker_svg(entry.key, "2015-2018", marker)
    if entry.kind == "state":
        return style.badge_svg(entry.key, marker)
    if entry.kind == "note":  # a marker without badge, as the period entries draw it
        swatch = style.PERIOD_SWATCH
        return style.marker_svg(swatch["theme"], "2015-2018", marker, color=swatch["color"])
    if entry.kind == "choropleth":
        return f'<span class="gd-swatch" style="background:{entry.color}"></span>'
    if entry.kind == "road":
        return line_swatch(style.ROAD_CLASSES[entry.key])
    if entry.kind == "road_work":
        return line_swatch(style.ROAD_WORK)
    if entry.kind == "site":
        return site_icon(style.SITE_TYPES[entry.key], 16)
    if entry.kind == "water":
        return line_swatch(style.LAND_COVER[entry.key])
    if entry.kind == "area":
        return fill_swatch(style.LAND_COVER[entry.key])
    return line_swatch(style.BOUNDARIES[entry.key])

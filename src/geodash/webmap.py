"""The web map: folium/Leaflet from the layers and the Légende of :mod:`geodash.style`.

Nothing here reads a file. Every text that comes from data (names, titles, maîtres d'ouvrage,
remarks) goes through :func:`geodash.text.html_text` before it reaches the page, and is handed to
JavaScript as one JSON value (:class:`geodash.mapscript.DataScript`), never through a template, so
no data can become markup, a template or code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import legend, settings, style
from .assets import make_offline
from .formatting import format_eur
from .legend import choropleth_classes, number_projects, project_label
from .mapscript import DataScript
from .territories import Territories
from .text import html_text, slug
from .weblayers import legend_symbol

__all__ = [
    "MapOptions",
    "new_map",
    "build_map",
    "project_label",
    "project_popup_html",
    "legend_html",
    "choropleth_classes",
    "epci_at",
    "number_projects",
    "drawn_legend",
]

esc = html_text
_STATIC = Path(__file__).parent / "static"
LEGEND_BOTTOM_PX = 390  # height kept for the legend under the territory (MapOptions.legend_side "bottom")


@dataclass
class MapOptions:
    """What the map shows besides the territories."""

    epci: str | None = None  # None: the whole département
    mode: str = "normal"  # "normal" | "projecteur"
    credit: str = ""  # "Sources : …" line
    realisation: str = "Réalisation : geodash, Département du Pas-de-Calais"
    center: tuple[float, float] | None = None
    zoom: int | None = None
    label_min_zoom: int = 10  # labels hidden below this zoom (declutter)
    restore_view: bool = True  # reuse the tab's last position of this view, if any
    #: The indicator mapped on the département view (:func:`geodash.legend.bilan_choropleth`), or a
    #: plain Series of € per inhabitant by EPCI SIREN.
    choropleth: legend.Choropleth | pd.Series | None = None
    #: Side of the map kept clear of the territory for the legend (bottom-right either way): "right",
    #: or "bottom" for a narrow map (a column beside a table), where the legend cannot sit beside the territory.
    legend_side: str = "right"
    extra_legend: list[tuple[str, list[str]]] = field(default_factory=list)  # (title, entries html)
    context: object | None = None  # weblayers.ContextLayers: roads, sites, land cover


def _dl(items: list[tuple[str, str]]) -> str:
    return "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items if v)


def project_popup_html(row: pd.Series, commune_names: dict[str, str]) -> str:
    """Detail of a project for its popup; every data value escaped."""
    places = ", ".join(commune_names.get(c, c) for c in str(row.get("commune_insee", "")).split("|") if c)
    amount = row.get("montant_departement_eur")
    total = row.get("cout_total_eur")
    items = [
        ("Thématique", row.get("theme", "")),
        ("Période", style.PERIODS[row["periode"]].label if row.get("periode") in style.PERIODS else ""),
        ("Nature", style.NATURES.get(row.get("nature", ""), "")),
        ("Lieu", places or "Ensemble de l'intercommunalité"),
        ("Maîtrise d'ouvrage", row.get("maitre_ouvrage", "")),
        ("Montant du Département", format_eur(amount)),  # « montant non précisé » when the source gives none
        ("Coût total", "" if pd.isna(total) else format_eur(total)),
        ("Route", row.get("route", "")),
        ("Calendrier", row.get("calendrier", "")),
        ("Description", row.get("description", "")),
        ("Remarque", row.get("remarque", "")),
        ("Source", f"Recueil des actes administratifs, mai 2019, lignes {row.get('source', '')}"),
    ]
    return (
        f'<div class="gd-popup"><h4>{esc(str(row["intitule"]))}</h4>'
        f"<dl>{_dl([(k, str(v)) for k, v in items])}</dl></div>"
    )


def legend_html(
    model: legend.Legend,
    *,
    mode: str,
    credit: str,
    realisation: str,
    extra: list[tuple[str, list[str]]] | None = None,
) -> str:
    """The Légende block of ``model`` (web groups only), then Sources - Réalisation.

    ``extra`` are more groups as ``(title, [entry html])``, drawn after the model's groups.
    """
    size = style.FONTS[mode]["legend"]
    marker = max(14, size)
    parts = [f'<div class="gd-legend-title">{esc(model.title)}</div>']
    for group in model.groups_for("web"):
        rows = "".join(f"<li>{legend_symbol(e, marker)} {esc(e.text)}</li>" for e in group.entries)
        parts.append(f"<h5>{esc(group.title)}</h5><ul>{rows}</ul>")
    for group_title, entries in extra or []:
        parts.append(f"<h5>{esc(group_title)}</h5><ul>{''.join(f'<li>{e}</li>' for e in entries)}</ul>")
    box = model.epci_wide
    side = []
    if box is not None:
        # The side box lists the EPCI-wide financings with an amount; engagements without one are
        # counted (they are all in the table below the map).
        side = [
            f"{style.marker_svg(theme, periode, 14)} {esc(name + (f' – {amount}' if amount else ''))}"
            for theme, periode, name, amount in box.items
        ]
        if box.n_engagements:
            side.append(f"<i>{esc(box.engagements_text(scope=True))}</i>")
    if side:
        # Collapsed (a click opens it): the legend stays compact, on a laptop and on the projector.
        parts.append(
            f'<details><summary><h5 style="display:inline">{esc(box.title)}'
            f'</h5></summary><ul class="gd-side">' + "".join(f"<li>{e}</li>" for e in side) + "</ul></details>"
        )
    if mode != "projecteur":  # the projector shows the sources under its key (webmap's overlay)
        parts.append(
            f'<h5>{style.GROUP_TITLES["sources"]}</h5><p class="gd-sources">'
            + "<br>".join(esc(line) for line in (credit, realisation) if line)
            + "</p>"
        )
    return "".join(parts)


def drawn_legend(fmap: folium.Map) -> legend.Legend | None:
    """The legend model a map from :func:`build_map` drew (``None`` for another map)."""
    return getattr(fmap, "geodash_legend", None)


#: The overlay's CSS (a ``str.format`` template filled with sizes and colours of the style module).
_CSS = (_STATIC / "webmap_overlay.css.fmt").read_text(encoding="utf-8")

#: The overlay script: legend control, markers, labels, grouping and the URL/position sync, called
#: with the map, the chosen EPCI's outline and the view's data (:class:`geodash.mapscript.DataScript`).
_OVERLAY_JS = (_STATIC / "webmap_overlay.js").read_text(encoding="utf-8")


def _project_features(
    placed: gpd.GeoDataFrame, numbers: pd.Series, commune_names: dict[str, str], size: int
) -> list[dict]:
    if placed.empty:
        return []
    rank = placed["montant_departement_eur"].fillna(0).rank(ascending=False, method="first")
    feats = []
    for idx, row in placed.iterrows():
        num = int(numbers[idx])
        name, amount = legend.label_parts(row)
        label = name + (f" – {amount}" if amount else "")
        label_html = esc(name) + (f'<br><span class="gd-amount">{esc(amount)}</span>' if amount else "")
        svg = style.marker_svg(row["theme"], row["periode"], size, number=num)
        feats.append(
            {
                "x": round(row.geometry.x, 5),
                "y": round(row.geometry.y, 5),
                "k": slug(row["theme"], sep=""),
                "t": f"{num}. {label}",
                "n": num,
                "r": int(rank[idx]),
                "l": esc(name) + (f' – <span class="gd-amount">{esc(amount)}</span>' if amount else ""),
                "h": f'{svg}<span class="gd-label" data-rank="{int(rank[idx])}">{label_html}</span>',
                "p": project_popup_html(row, commune_names),
            }
        )
    return feats


def _geojson(frame: gpd.GeoDataFrame, props: list[str]) -> dict:
    """Compact GeoJSON with escaped text properties (they may be shown as tooltip HTML)."""
    out = frame[props + ["geometry"]].copy()
    for col in props:
        if out[col].dtype == object:
            out[col] = out[col].astype(str).map(esc)
    return json.loads(out.to_json(drop_id=True))


def epci_at(territories: Territories, lat: float, lng: float) -> str | None:
    """SIREN of the EPCI containing a clicked point, if any."""
    point = shapely.Point(lng, lat)
    hit = territories.epci_web[territories.epci_web.contains(point)]
    return None if hit.empty else str(hit.iloc[0]["siren"])


def new_map() -> folium.Map:
    """An empty map with geodash's options and Leaflet served by the app: every web map starts as
    one, and :mod:`geodash.mapframe` keeps one in the page and draws each view into it."""
    m = folium.Map(
        location=[50.5, 2.3],
        zoom_start=9,
        tiles=None,
        prefer_canvas=True,
        zoom_snap=0.25,
        control_scale=False,
        attribution_control=False,
    )
    make_offline(m)
    return m


def build_map(
    territories: Territories,
    placed: gpd.GeoDataFrame | None = None,
    unplaced: pd.DataFrame | None = None,
    options: MapOptions | None = None,
) -> folium.Map:
    """The Légende map of one EPCI (``options.epci``) or of the whole département.

    Parameters
    ----------
    territories
        Web layers of communes and EPCI.
    placed
        Filtered projects with a point (WGS84), from :func:`geodash.projects.place_projects`.
    unplaced
        Filtered EPCI-wide items, listed in the legend's side box.
    options
        View, display mode and credits.
    """
    opt = options or MapOptions()
    fonts = style.FONTS[opt.mode]
    size = fonts["marker"]
    m = new_map()
    epci_web = territories.epci_web
    bg = style.MAP_BACKGROUND
    commune_names = dict(zip(territories.communes_web["insee"], territories.communes_web["nom"]))
    placed = placed if placed is not None else gpd.GeoDataFrame(columns=["geometry"], geometry="geometry")
    unplaced = unplaced if unplaced is not None else pd.DataFrame()

    area_labels: list[dict] = []
    outline_name = None
    extra, credit, cp, mapped = list(opt.extra_legend), opt.credit, None, None
    if opt.epci is None:
        mapped = opt.choropleth if opt.choropleth is not None else pd.Series(dtype=float)
        cp = legend.as_choropleth(mapped)
        breaks = cp.breaks()
        overview = territories.epci_context  # coarse: an overview needs no 120 m detail
        frame = overview.assign(
            color=[legend.class_color(cp.values.get(s, np.nan), breaks) for s in overview["siren"]],
            valeur=[cp.text(s) for s in overview["siren"]],  # with its precision, or why there is none
        )
        folium.GeoJson(
            _geojson(frame, ["siren", "nom", "nom_court", "color", "valeur"]),
            name="Intercommunalités",
            style_function=lambda f: {
                "fillColor": f["properties"]["color"],
                "fillOpacity": style.WEB["choropleth_opacity"],
                "color": style.BOUNDARIES["epci"].color,
                "weight": style.BOUNDARIES["epci"].width,
            },
            highlight_function=lambda f: {
                "weight": style.WEB["highlight_weight"],
                "color": style.OUTLINES["highlight"],
            },
            tooltip=folium.GeoJsonTooltip(["nom", "valeur"], aliases=["", esc(cp.title)]),
        ).add_to(m)
        if cp.reference:
            extra.append(("Référence", [esc(cp.reference)]))
        if cp.source:
            credit = f"Indicateur : {cp.source}." + (f" {credit}" if credit else "")
        by_size = overview.iloc[np.argsort(-overview.to_crs(settings.CRS_METRIC).area.to_numpy(), kind="stable")]
        points = shapely.point_on_surface(by_size.geometry.to_numpy())
        area_labels = [
            {"x": round(p.x, 4), "y": round(p.y, 4), "t": esc(str(name)), "n": str(full)}
            for p, name, full in zip(points, by_size["nom_court"], by_size["nom"])
        ]
        bounds = overview.total_bounds
        title = legend.map_title(None)
    else:
        around = territories.epci_context
        others = around[around["siren"] != opt.epci]
        folium.GeoJson(
            _geojson(others, ["nom_court"]),
            name="Autres intercommunalités",
            style_function=lambda f: {
                "fillColor": bg["faded"],
                "fillOpacity": bg["faded_opacity"],
                "color": style.OUTLINES["faded"],
                "weight": style.WEB["faded_weight"],
            },
            tooltip=folium.GeoJsonTooltip(["nom_court"], labels=False),
        ).add_to(m)
        communes = territories.communes_web[territories.communes_web["epci_siren"] == opt.epci]
        communes = communes.assign(statut=np.where(communes["hors_departement"], "hors Pas-de-Calais", ""))
        cstyle, hstyle = style.BOUNDARIES["commune"], style.BOUNDARIES["hors_departement"]
        folium.GeoJson(
            _geojson(communes, ["insee", "nom", "statut"]),
            name="Communes",
            style_function=lambda f: {
                "fillColor": bg["land"] if not f["properties"]["statut"] else bg["faded"],
                "fillOpacity": 1,
                "color": cstyle.color,
                "weight": cstyle.width,
                "dashArray": hstyle.dash if f["properties"]["statut"] else None,
            },
            highlight_function=lambda f: {
                "weight": style.WEB["commune_highlight_weight"],
                "color": style.OUTLINES["highlight"],
            },
            tooltip=folium.GeoJsonTooltip(["nom", "statut"], labels=False),
        ).add_to(m)
        chosen = epci_web[epci_web["siren"] == opt.epci]
        outline = folium.GeoJson(
            _geojson(chosen, ["nom"]),
            name="Limite de l'intercommunalité",
            style_function=lambda f: {
                "fill": False,
                "color": style.BOUNDARIES["epci"].color,
                "weight": style.BOUNDARIES["epci"].width + 1,
            },
            interactive=False,
        ).add_to(m)
        outline_name = outline.get_name()
        bounds = chosen.total_bounds
        title = legend.map_title(chosen.iloc[0]["nom"]) if not chosen.empty else ""

    numbers = number_projects(placed)
    feats = _project_features(placed, numbers, commune_names, size)
    context = opt.context
    if context is not None:
        context.add_to(m)  # under the project markers (Leaflet's marker pane is on top)
    model = legend.build_legend(
        title=title,
        placed=placed,
        unplaced=unplaced,
        epci_siren=opt.epci,
        choropleth=mapped,  # as given: a plain Series keeps the legend's plain title, as on paper
        context=context.counts if context is not None else None,
    )
    m.geodash_legend = model  # what the legend says, for drawn_legend()
    # Offsets of a label from its marker (CSS), which the overlay's label placement computes with.
    label_gap, label_far = size + 2, 2 * size + 4
    legend_block = legend_html(model, mode=opt.mode, credit=credit, realisation=opt.realisation, extra=extra)
    max_h = "92vh" if opt.mode == "projecteur" else "520px"
    max_w = "560px" if opt.mode == "projecteur" else "340px"
    css = _CSS.format(
        outside=bg["outside"],
        swatch=style.OUTLINES["swatch"],
        ink=style.OUTLINES["text"],
        muted=style.OUTLINES["subtitle"],
        white=style.OUTLINES["white"],
        family=style.FONTS["family"],
        legend=fonts["legend"],
        title=fonts["title"],
        label=fonts["label"],
        marker=label_gap,
        small=max(11, fonts["legend"] - 2),
        max_h=max_h,
        max_w=max_w,
        size=size,
        far=label_far,
        cluster=max(11, size // 2 - 1),
        # The projector's right column: a quarter of the frame, readable at 1024 px, not wider than needed.
        column_w="clamp(250px, 27vw, 440px)",
        proj_font="clamp(14px, 1.55vw, 22px)",
        proj_small="clamp(13px, 1.35vw, 19px)",
        proj_label="clamp(13px, 0.95vw, 20px)",
    )
    # Keep the territory clear of the legend (bottom-right over the map; the projector's column):
    # the script fits the map with the legend's measured size, Python only starts it close.
    legend_px = 480 if opt.mode == "projecteur" else 360
    fit = None if (opt.center and opt.zoom) else [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]
    data = {
        "css": css,
        "legend": legend_block,
        "projects": feats,
        "size": size,
        # An EPCI's labels are drawn at any zoom (decluttered); the département's names from label_min_zoom.
        "label_min_zoom": opt.label_min_zoom if opt.epci is None else min(opt.label_min_zoom, 8),
        "area_labels": area_labels,
        "view_key": f"{opt.epci or 'departement'}:{opt.mode}",
        "restore": opt.restore_view,
        "fill_frame": opt.mode == "projecteur",
        "fit": fit,
        "label_gap": label_gap,
        "label_far": label_far,
        # A view redrawn in a kept frame (geodash.mapframe) sets its own position: the map's options
        # only apply when the frame is created.
        "center": list(opt.center) if fit is None else None,
        "zoom": opt.zoom if fit is None else None,
        "projector": opt.mode == "projecteur",
        "credit": "<br>".join(esc(line) for line in (credit, opt.realisation) if line),
    }
    m.add_child(DataScript(_OVERLAY_JS, m.get_name(), data, (outline_name,)))
    if fit is None:
        m.location, m.options["zoom"] = list(opt.center), opt.zoom
    else:
        clear = (legend_px, 20) if opt.legend_side == "right" else (20, LEGEND_BOTTOM_PX)
        m.fit_bounds(fit, padding_top_left=(20, 20), padding_bottom_right=clear)
    return m

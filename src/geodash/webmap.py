"""The web map: one view as the data the page's Leaflet component draws (:class:`WebMap`), from the
layers and the Légende of :mod:`geodash.style`.

Nothing here reads a file, and nothing here draws: the component (``static/mapview.js``, mounted by
:mod:`geodash.pages.mapview`) draws what this module decides. Every text that comes from data (names,
titles, maîtres d'ouvrage, remarks) goes through :func:`geodash.text.html_text` before it reaches the
data, which the page hands to the component as JSON values: no data can become markup, a template or code.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import legend, settings, style
from .formatting import format_eur
from .legend import choropleth_classes, number_projects, project_label
from .territories import Territories
from .text import html_text, slug, visible_text
from .weblayers import legend_symbol

__all__ = [
    "MapOptions",
    "build_map",
    "project_label",
    "project_popup_html",
    "legend_html",
    "choropleth_classes",
    "WebMap",
    "number_projects",
]

esc = html_text
_STATIC = Path(__file__).parent / "static"


@dataclass
class MapOptions:
    """What the map shows besides the territories."""

    epci: str | None = None  # None: the whole département
    mode: str = "normal"  # "normal" | "projecteur"
    credit: str = ""  # "Sources : …" line
    realisation: str = "Réalisation : geodash, Département du Pas-de-Calais"
    label_min_zoom: int = 10  # labels hidden below this zoom (declutter)
    #: The indicator mapped on the département view (:func:`geodash.legend.bilan_choropleth`), or a
    #: plain Series of € per inhabitant by EPCI SIREN.
    choropleth: legend.Choropleth | pd.Series | None = None
    extra_legend: list[tuple[str, list[str]]] = field(default_factory=list)  # (title, entries html)
    context: object | None = None  # weblayers.ContextLayers: roads, sites, land cover


def _dl(items: list[tuple[str, str]]) -> str:
    return "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items if v)


def _text(value) -> str:
    """A text cell, ``""`` when missing (a frame without the column, NaN)."""
    return value if isinstance(value, str) else ""


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
        ("Suivi", _text(row.get("suivi"))),  # the follow-up since the contract (selection's ``suivi``)
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
            style.marker_svg(theme, periode, 14, badge=box.badge(i))
            + f" {esc(name + (f' – {amount}' if amount else ''))}"
            for i, (theme, periode, name, amount) in enumerate(box.items)
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


#: The overlay's CSS (a ``str.format`` template filled with sizes and colours of the style module).
_CSS = (_STATIC / "webmap_overlay.css.fmt").read_text(encoding="utf-8")


def _project_features(
    placed: gpd.GeoDataFrame, numbers: pd.Series, commune_names: dict[str, str], size: int
) -> list[dict]:
    if placed.empty:
        return []
    rank = placed["montant_departement_eur"].fillna(0).rank(ascending=False, method="first")
    badges = legend.state_badges(placed)
    feats = []
    for idx, row in placed.iterrows():
        num = int(numbers[idx])
        name, amount = legend.label_parts(row)
        label = name + (f" – {amount}" if amount else "")
        label_html = esc(name) + (f'<br><span class="gd-amount">{esc(amount)}</span>' if amount else "")
        svg = style.marker_svg(row["theme"], row["periode"], size, number=num, badge=badges[idx])
        feats.append(
            {
                "x": round(row.geometry.x, 5),
                "y": round(row.geometry.y, 5),
                "k": slug(row["theme"], sep=""),
                "t": visible_text(f"{num}. {label}"),  # plain text: Leaflet sets it as an attribute
                "n": num,
                "r": int(rank[idx]),
                "l": esc(name) + (f' – <span class="gd-amount">{esc(amount)}</span>' if amount else ""),
                "h": f'{svg}<span class="gd-label" data-rank="{int(rank[idx])}">{label_html}</span>',
                "p": project_popup_html(row, commune_names),
            }
        )
    return feats


@dataclass(frozen=True)
class WebMap:
    """One view of the web map: what the page's map component draws, and the legend it shows.

    ``text`` is the view as JSON (GeoJSON layers with their styles, the overlay's legend, markers and
    labels, the context layers), written once: kept for every session and sent as it is, it weighs a
    tenth of the same data as Python objects. Every text in it is escaped HTML
    (:func:`geodash.text.html_text`). ``key`` names the view (a digest of ``text``): the component
    draws a view once. Where the map opens (a link's position) is given when it is drawn.
    """

    text: str
    key: str
    legend: legend.Legend

    @property
    def data(self) -> dict:
        """The view as Python values (tests and tools; the page sends :attr:`text`)."""
        return json.loads(self.text)


def _layer(frame: gpd.GeoDataFrame, name: str, style_of, tooltip=None, highlight: dict | None = None, **extra) -> dict:
    """A GeoJSON layer: each feature's style (``style_of(row)``) and tooltip HTML (``tooltip(row)``)
    in its properties ``s`` and ``t``, the other properties only where the page needs them (``extra``)."""
    features = []
    geometries = json.loads(frame.geometry.to_json(drop_id=True))["features"]
    for (_, row), geo in zip(frame.iterrows(), geometries):
        props = {"s": style_of(row)}
        if tooltip is not None:
            props["t"] = tooltip(row)
        props.update({k: str(row[c]) for k, c in extra.items()})
        features.append({"type": "Feature", "properties": props, "geometry": geo["geometry"]})
    return {
        "name": name,
        "fc": {"type": "FeatureCollection", "features": features},
        "highlight": highlight,
        "interactive": tooltip is not None or highlight is not None,
    }


def build_map(
    territories: Territories,
    placed: gpd.GeoDataFrame | None = None,
    unplaced: pd.DataFrame | None = None,
    options: MapOptions | None = None,
) -> WebMap:
    """The Légende map of one EPCI (``options.epci``) or of the whole département, as the page's map
    component draws it (:class:`WebMap`).

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
    epci_web = territories.epci_web
    bg = style.MAP_BACKGROUND
    commune_names = dict(zip(territories.communes_web["insee"], territories.communes_web["nom"]))
    placed = placed if placed is not None else gpd.GeoDataFrame(columns=["geometry"], geometry="geometry")
    unplaced = unplaced if unplaced is not None else pd.DataFrame()

    area_labels: list[dict] = []
    layers: list[dict] = []
    outline = None
    extra, credit, cp, mapped = list(opt.extra_legend), opt.credit, None, None
    if opt.epci is None:
        mapped = opt.choropleth if opt.choropleth is not None else pd.Series(dtype=float)
        cp = legend.as_choropleth(mapped)
        breaks = cp.breaks()
        overview = territories.epci_context  # coarse: an overview needs no 120 m detail
        line = {"color": style.BOUNDARIES["epci"].color, "weight": style.BOUNDARIES["epci"].width}
        layers.append(
            _layer(
                overview,
                "Intercommunalités",
                lambda r: {
                    **line,
                    "fillColor": legend.class_color(cp.values.get(r["siren"], np.nan), breaks),
                    "fillOpacity": style.WEB["choropleth_opacity"],
                },
                # The value with its precision, or why there is none.
                tooltip=lambda r: f"<b>{esc(r['nom'])}</b><br>{esc(cp.title)} : {esc(cp.text(r['siren']))}",
                highlight={"weight": style.WEB["highlight_weight"], "color": style.OUTLINES["highlight"]},
                siren="siren",
            )
        )
        if cp.reference:
            extra.append(("Référence", [esc(cp.reference)]))
        if cp.source:
            credit = f"Indicateur : {cp.source}." + (f" {credit}" if credit else "")
        by_size = overview.iloc[np.argsort(-overview.to_crs(settings.CRS_METRIC).area.to_numpy(), kind="stable")]
        points = shapely.point_on_surface(by_size.geometry.to_numpy())
        area_labels = [
            {"x": round(p.x, 4), "y": round(p.y, 4), "t": esc(name), "n": visible_text(full)}
            for p, name, full in zip(points, by_size["nom_court"], by_size["nom"])
        ]
        bounds = overview.total_bounds
        title = legend.map_title(None)
    else:
        around = territories.epci_context
        others = around[around["siren"] != opt.epci]
        layers.append(
            _layer(
                others,
                "Autres intercommunalités",
                lambda r: {
                    "fillColor": bg["faded"],
                    "fillOpacity": bg["faded_opacity"],
                    "color": style.OUTLINES["faded"],
                    "weight": style.WEB["faded_weight"],
                },
                tooltip=lambda r: esc(r["nom_court"]),
            )
        )
        communes = territories.communes_web[territories.communes_web["epci_siren"] == opt.epci]
        cstyle, hstyle = style.BOUNDARIES["commune"], style.BOUNDARIES["hors_departement"]
        layers.append(
            _layer(
                communes,
                "Communes",
                lambda r: {
                    "fillColor": bg["faded"] if r["hors_departement"] else bg["land"],
                    "fillOpacity": 1,
                    "color": cstyle.color,
                    "weight": cstyle.width,
                    "dashArray": hstyle.dash if r["hors_departement"] else None,
                },
                tooltip=lambda r: esc(r["nom"]) + (" (hors Pas-de-Calais)" if r["hors_departement"] else ""),
                highlight={"weight": style.WEB["commune_highlight_weight"], "color": style.OUTLINES["highlight"]},
            )
        )
        chosen = epci_web[epci_web["siren"] == opt.epci]
        outline = len(layers)
        layers.append(
            _layer(
                chosen,
                "Limite de l'intercommunalité",
                lambda r: {
                    "fill": False,
                    "color": style.BOUNDARIES["epci"].color,
                    "weight": style.BOUNDARIES["epci"].width + 1,
                },
            )
        )
        bounds = chosen.total_bounds
        title = legend.map_title(chosen.iloc[0]["nom"]) if not chosen.empty else ""

    numbers = number_projects(placed)
    feats = _project_features(placed, numbers, commune_names, size)
    context = opt.context
    model = legend.build_legend(
        title=title,
        placed=placed,
        unplaced=unplaced,
        epci_siren=opt.epci,
        choropleth=mapped,  # as given: a plain Series keeps the legend's plain title, as on paper
        context=context.counts if context is not None else None,
    )
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
    # the script fits the map with the legend's measured size.
    overlay = {
        "css": css,
        "legend": legend_block,
        "projects": feats,
        "size": size,
        # An EPCI's labels are drawn at any zoom (decluttered); the département's names from label_min_zoom.
        "label_min_zoom": opt.label_min_zoom if opt.epci is None else min(opt.label_min_zoom, 8),
        "area_labels": area_labels,
        "view_key": f"{opt.epci or 'departement'}:{opt.mode}",
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],  # fitted unless a position is given
        "label_gap": label_gap,
        "label_far": label_far,
        "projector": opt.mode == "projecteur",
        "credit": "<br>".join(esc(line) for line in (credit, opt.realisation) if line),
    }
    data = {
        "title": esc(title),
        "layers": layers,
        "outline": outline,
        "context": context.data if context is not None else None,
        "overlay": overlay,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return WebMap(text, hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest(), model)

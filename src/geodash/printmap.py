"""The print map: one matplotlib sheet per EPCI (or the département) from layers + the Légende.

A sheet carries a title, the map with communes named where legible, numbered project markers whose
labels are placed without overlaps (right, left, above or below the marker, else further away with a
leader line, else listed in the margin), the EPCI-wide items, the legend of what is drawn, a scale
bar, a north arrow, a locator inset, the sources and the "Réalisation" line. Colours, shapes and
texts come from :mod:`geodash.style`, as on the web map. Nothing here reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrow, Patch, Rectangle  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from . import legend, settings, style  # noqa: E402
from .formatting import format_per_inhabitant  # noqa: E402
from .legend import choropleth_classes, label_parts, number_projects  # noqa: E402
from .printlabels import FAR, NEAR, Placer, name_communes, text_columns, wrap  # noqa: E402
from .territories import Territories  # noqa: E402

__all__ = ["PAPERS", "SheetOptions", "render_sheet", "label_boxes", "drawn_legend"]

PR = style.PRINT
INK = style.OUTLINES

#: Paper sizes in millimetres (portrait width, height).
PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MM = 1 / 25.4


@dataclass
class SheetOptions:
    """What a sheet shows and how it is laid out."""

    epci: str | None = None
    paper: str = "A4"
    orientation: str = "paysage"  # "paysage" | "portrait"
    subject: str = "Financements du Département"
    period_text: str = "2015-2018 et à venir"
    filters_text: str = ""
    credit: str = ""
    realisation: str = "Réalisation : Département du Pas-de-Calais"
    choropleth: pd.Series | None = None  # € per inhabitant by SIREN (département sheet)
    context: object | None = None  # layers.LoadedLayers: roads, sites, land cover (optional)
    road_categories: list[str] | None = None  # road style keys drawn (None: all)

    def size_inches(self) -> tuple[float, float]:
        w, h = PAPERS[self.paper]
        if self.orientation == "paysage":
            w, h = h, w
        # Whole pixels at 300 dpi (A4 landscape: 3508 x 2480 px), so the PNG has the paper's exact size.
        return round(w * MM * 300) / 300, round(h * MM * 300) / 300


def _theme_marker(theme: str, periode: str, size: float) -> dict:
    st = style.THEMES[theme]
    filled = style.PERIODS[periode].filled
    size = size * PR["star_scale"] if st.mpl_marker == "*" else size  # a star looks smaller than the others
    return dict(
        marker=st.mpl_marker,
        markersize=size,
        markerfacecolor=st.color if filled else INK["white"],
        markeredgecolor=st.color if not filled else INK["white"],
        markeredgewidth=1.4 if not filled else 0.6,
        linestyle="none",
    )


def label_boxes(fig: Figure) -> list[Bbox]:
    """Display boxes of the project labels of a rendered sheet (for overlap checks)."""
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts if t.get_gid() == "project-label"]


def _scale_bar(ax, extent_m: float) -> None:
    nice = [1, 2, 5, 10, 20, 50]
    target = extent_m / 5 / 1000
    km = min(nice, key=lambda n: abs(n - target))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.035
    ax.add_patch(Rectangle((bx, by), km * 500, (y1 - y0) * 0.006, facecolor=INK["ink"], zorder=7))
    ax.add_patch(
        Rectangle(
            (bx + km * 500, by),
            km * 500,
            (y1 - y0) * 0.006,
            facecolor=INK["white"],
            edgecolor=INK["ink"],
            lw=0.6,
            zorder=7,
        )
    )
    ax.text(bx, by + (y1 - y0) * 0.012, "0", fontsize=6, ha="center", zorder=7)
    ax.text(bx + km * 1000, by + (y1 - y0) * 0.012, f"{km} km", fontsize=6, ha="center", zorder=7)


def _north_arrow(ax) -> None:
    ax.add_artist(
        FancyArrow(
            0.965,
            0.90,
            0,
            0.06,
            width=0.008,
            head_width=0.025,
            head_length=0.025,
            transform=ax.transAxes,
            color=INK["ink"],
            zorder=7,
        )
    )
    ax.text(0.965, 0.87, "N", transform=ax.transAxes, ha="center", va="top", fontsize=9, weight="bold", zorder=7)


def _locator(fig: Figure, rect, terr: Territories, epci: str | None) -> None:
    ax = fig.add_axes(rect)
    inside = terr.epci
    inside.plot(ax=ax, facecolor=PR["locator_fill"], edgecolor=PR["locator_edge"], linewidth=0.3)
    if epci:
        inside[inside["siren"] == epci].plot(ax=ax, facecolor=PR["locator_focus"], edgecolor=INK["ink"], linewidth=0.6)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.patch.set_alpha(0)


def render_sheet(
    terr: Territories,
    placed: pd.DataFrame | None,
    unplaced: pd.DataFrame | None,
    options: SheetOptions,
) -> Figure:
    """Draw one sheet and return its figure (not saved: see :mod:`geodash.atlas`).

    Parameters
    ----------
    terr
        Territories (full-resolution layers are used: print has room for detail).
    placed
        Filtered projects with a point (any CRS; projected to Lambert-93 here).
    unplaced
        Filtered EPCI-wide items, listed in the side box.
    options
        View, paper and texts.
    """
    opt = options
    fonts = style.FONTS["print"]
    plt.rcParams["font.family"] = style.FONTS["mpl_family"]
    fig = plt.figure(figsize=opt.size_inches())
    W, H = opt.size_inches()
    portrait = opt.orientation == "portrait"
    margin = 10 * MM
    # Layout in figure fractions: title band, map, right (or bottom) column.
    title_h = 16 * MM / H
    foot_h = 13 * MM / H
    if portrait:
        map_rect = [margin / W, 0.36, 1 - 2 * margin / W, 0.64 - title_h - 0.01]
        col_rect = [margin / W, foot_h + 0.01, 1 - 2 * margin / W, 0.36 - foot_h - 0.02]
    else:
        map_rect = [margin / W, foot_h + 0.01, 0.66, 1 - title_h - foot_h - 0.02]
        col_rect = [margin / W + 0.68, foot_h + 0.01, 1 - 0.68 - 2 * margin / W, 1 - title_h - foot_h - 0.02]
    ax = fig.add_axes(map_rect)
    ax.set_axis_off()
    ax.set_aspect("equal")

    communes = terr.communes
    epci_layer = terr.epci
    bg = style.MAP_BACKGROUND
    if opt.epci is None:
        values = opt.choropleth if opt.choropleth is not None else pd.Series(dtype=float)
        breaks = choropleth_classes(values)
        colors = [legend.class_color(values.get(s, np.nan), breaks) for s in epci_layer["siren"]]
        epci_layer.plot(
            ax=ax,
            color=colors,
            edgecolor=style.BOUNDARIES["epci"].color,
            linewidth=style.BOUNDARIES["epci"].width * PR["epci_width"],
        )
        focus = epci_layer
        title = legend.map_title(None)
    else:
        others = epci_layer[epci_layer["siren"] != opt.epci]
        others.plot(ax=ax, facecolor=bg["faded"], edgecolor=INK["faded"], linewidth=PR["faded_width"])
        mine = communes[communes["epci_siren"] == opt.epci]
        mine.plot(
            ax=ax,
            facecolor=[bg["faded"] if h else bg["land"] for h in mine["hors_departement"]],
            edgecolor=style.BOUNDARIES["commune"].color,
            linewidth=style.BOUNDARIES["commune"].width * PR["commune_width"],
        )
        focus = epci_layer[epci_layer["siren"] == opt.epci]
        focus.boundary.plot(
            ax=ax, color=style.BOUNDARIES["epci"].color, linewidth=style.BOUNDARIES["epci"].width * PR["focus_width"]
        )
        title = legend.map_title(focus.iloc[0]["nom"])

    x0, y0, x1, y1 = focus.total_bounds
    pad = max(x1 - x0, y1 - y0) * 0.06
    # Fit the focus in the map box keeping the aspect of the box.
    box_w = map_rect[2] * W
    box_h = map_rect[3] * H
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    span_x, span_y = (x1 - x0) + 2 * pad, (y1 - y0) + 2 * pad
    if span_x / span_y < box_w / box_h:
        span_x = span_y * box_w / box_h
    else:
        span_y = span_x * box_h / box_w
    ax.set_xlim(cx - span_x / 2, cx + span_x / 2)
    ax.set_ylim(cy - span_y / 2, cy + span_y / 2)
    fig.canvas.draw()

    # Project markers.
    placed = placed if placed is not None and not placed.empty else None
    obstacles: list[Bbox] = []
    numbers = pd.Series(dtype=int)
    listed: list[tuple[int, str, str]] = []
    if placed is not None:
        pts = placed.to_crs(settings.CRS_METRIC)
        numbers = number_projects(pts)
        msize = PR["marker"]
        for idx, row in pts.iterrows():
            ax.plot(row.geometry.x, row.geometry.y, zorder=5, **_theme_marker(row["theme"], row["periode"], msize))
            filled = style.PERIODS[row["periode"]].filled
            ax.text(
                row.geometry.x,
                row.geometry.y,
                str(int(numbers[idx])),
                ha="center",
                va="center",
                fontsize=PR["number"],
                weight="bold",
                color=INK["white"] if filled else style.THEMES[row["theme"]].color,
                zorder=6,
            )
        fig.canvas.draw()
        half = msize / 72 * fig.dpi / 2
        for _, row in pts.iterrows():
            px, py = ax.transData.transform((row.geometry.x, row.geometry.y))
            obstacles.append(Bbox([[px - half, py - half], [px + half, py + half]]))
        placer = Placer(fig, ax, obstacles)
        # Biggest amounts get the best places.
        order = pts.assign(_a=pts["montant_departement_eur"].fillna(-1)).sort_values("_a", ascending=False)
        for idx, row in order.iterrows():
            num = int(numbers[idx])
            name, amount = label_parts(row)
            text = wrap(f"{num}. {name}", 30) + (f"\n{amount}" if amount else "")
            artist = placer.place(
                row.geometry.x,
                row.geometry.y,
                text,
                fontsize=fonts["label"],
                offsets_pt=NEAR + FAR,
                bbox=dict(boxstyle="round,pad=0.15", fc=INK["white"], ec="none", alpha=0.85),
            )
            if artist is None:
                listed.append((num, name, amount))
            else:
                artist.set_gid("project-label")
        # Commune names where they fit (after the projects: they give way).
        if opt.epci is not None:
            name_communes(placer, communes[communes["epci_siren"] == opt.epci], fonts["commune"])
    elif opt.epci is None:
        placer = Placer(fig, ax, [])
        for _, row in epci_layer.iterrows():
            pt = row.geometry.representative_point()
            value = opt.choropleth.get(row["siren"], np.nan) if opt.choropleth is not None else np.nan
            placer.place(
                pt.x,
                pt.y,
                f"{row['nom_court']}\n{format_per_inhabitant(value)}",
                fontsize=fonts["label"],
                offsets_pt=[(0, 0, "center", "center"), (0, 10, "center", "bottom"), (0, -10, "center", "top")],
                leader=False,
                weight="bold",
            )
    elif opt.epci is not None:
        name_communes(Placer(fig, ax, []), communes[communes["epci_siren"] == opt.epci], fonts["commune"])

    counts = None
    if opt.context is not None:
        _draw_context(ax, opt.context, opt.road_categories)
        region = legend.context_region(terr, opt.epci)
        counts = legend.count_context(opt.context, region=region, categories=opt.road_categories)
    model = legend.build_legend(
        title=title,
        placed=placed,
        unplaced=unplaced,
        epci_siren=opt.epci,
        choropleth=opt.choropleth if opt.epci is None else None,
        context=counts,
    )
    fig.geodash_legend = model  # what the legend says, for drawn_legend()

    _scale_bar(ax, span_x)
    _north_arrow(ax)
    inset_w = 0.16 if not portrait else 0.2
    if opt.epci is not None:
        _locator(
            fig,
            [
                map_rect[0] + 0.005,
                map_rect[1] + map_rect[3] - inset_w * W / H * 0.75 - 0.005,
                inset_w,
                inset_w * W / H * 0.75,
            ],
            terr,
            opt.epci,
        )

    # Title band.
    fig.text(margin / W, 1 - 7 * MM / H, title, fontsize=fonts["title"], weight="bold", va="center")
    subtitle = legend.subtitle(opt.subject, opt.period_text, opt.filters_text)
    fig.text(margin / W, 1 - 13 * MM / H, subtitle, fontsize=9, va="center", color=INK["subtitle"])

    # Right column: legend, side box, margin list.
    col = fig.add_axes(col_rect)
    col.set_axis_off()
    _legend_column(col, model, listed, opt)

    # Footer: sources and Réalisation.
    fig.text(
        margin / W,
        8 * MM / H,
        wrap(opt.credit, 200 if not portrait else 140),
        fontsize=fonts["small"],
        va="center",
        color=INK["ink"],
    )
    fig.text(margin / W, 3.5 * MM / H, opt.realisation, fontsize=fonts["small"], va="center", color=INK["ink"])
    return fig


def drawn_legend(fig: Figure) -> legend.Legend | None:
    """The legend model a sheet from :func:`render_sheet` drew (``None`` for another figure)."""
    return getattr(fig, "geodash_legend", None)


def _clip(frame, ax):
    """The features of ``frame`` (Lambert-93) inside the map's extent, cut to it."""
    if frame is None or frame.empty:
        return None
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    geoms = frame.geometry.to_numpy()
    inside = shapely.intersects(geoms, shapely.box(x0, y0, x1, y1))
    if not inside.any():
        return None
    out = frame[inside].copy()
    out["geometry"] = shapely.clip_by_rect(out.geometry.to_numpy(), x0, y0, x1, y1)
    return out[~out.geometry.is_empty]


def _line_kwargs(line: style.LineStyle) -> dict:
    """Colour, print width and dash of a line style, for matplotlib."""
    dashes = tuple(float(x) for x in line.dash.split()) if line.dash else None
    return {
        "color": line.color,
        "linewidth": line.width * PR["road_width"],
        "linestyle": (0, dashes) if dashes else "-",
    }


def _draw_context(ax, context, categories) -> None:
    """Draw the Département's layers under the projects (their legend comes from :mod:`geodash.legend`)."""
    land = _clip(context.occupation_sol, ax)
    water = _clip(context.cours_eau, ax)
    roads = _clip(context.routes, ax)
    sites = _clip(context.sites, ax)
    if roads is not None and categories is not None:
        roads = roads[roads["style"].isin(categories)]
    if land is not None:
        for key, fill in style.LAND_COVER.items():
            part = land[land["classe"] == key] if "classe" in land else land.iloc[0:0]
            if fill.line or part.empty:
                continue
            part.plot(ax=ax, facecolor=fill.color, alpha=fill.opacity, edgecolor="none", hatch=fill.hatch, zorder=1.5)
    if water is not None and not water.empty:
        fill = style.LAND_COVER["cours_eau"]
        water.plot(ax=ax, color=fill.color, linewidth=PR["water_width"], zorder=1.6)
    if roads is not None and not roads.empty:
        # One order for both media (motorways on top); every casing stays under every line.
        for i, key in enumerate(legend.road_draw_order()):
            part = roads[roads["style"] == key]
            if part.empty:
                continue
            line = style.ROAD_CLASSES[key]
            kwargs = _line_kwargs(line)
            if line.casing:
                part.plot(
                    ax=ax,
                    color=line.casing,
                    linewidth=kwargs["linewidth"] + PR["road_casing_extra"],
                    zorder=2 + i / 100,
                )
            part.plot(ax=ax, zorder=2.1 + i / 100, gid=f"road-{key}", **kwargs)
    if sites is not None and not sites.empty:
        for key, site in style.SITE_TYPES.items():
            part = sites[sites["type"] == key]
            if part.empty:
                continue
            ax.plot(
                part.geometry.x,
                part.geometry.y,
                marker="o",
                markersize=PR["site_marker"],
                markerfacecolor=INK["white"],
                markeredgecolor=site.color,
                markeredgewidth=1.1,
                linestyle="none",
                zorder=4,
            )
            for pt in part.geometry:
                ax.text(
                    pt.x,
                    pt.y,
                    site.letter,
                    fontsize=PR["site_letter"],
                    color=site.color,
                    weight="bold",
                    ha="center",
                    va="center",
                    zorder=4.1,
                )


def _handle(entry: legend.LegendEntry):
    """The matplotlib legend handle of one entry."""
    label = entry.text
    if entry.kind == "period":
        swatch = style.PERIOD_SWATCH["color"]
        filled = style.PERIODS[entry.key].filled
        marker = _theme_marker(style.PERIOD_SWATCH["theme"], entry.key, PR["legend_marker"])
        marker.update(markerfacecolor=swatch if filled else INK["white"], markeredgecolor=swatch)
        return Line2D([], [], **marker, label=label)
    if entry.kind == "theme":
        return Line2D([], [], **_theme_marker(entry.key, "2015-2018", PR["legend_marker"]), label=label)
    if entry.kind == "choropleth":
        return Patch(facecolor=entry.color, edgecolor=INK["swatch"], label=label)
    if entry.kind in ("road", "road_work"):
        kwargs = _line_kwargs(style.ROAD_WORK if entry.kind == "road_work" else style.ROAD_CLASSES[entry.key])
        return Line2D(
            [],
            [],
            color=kwargs["color"],
            lw=max(kwargs["linewidth"], PR["legend_line_min"]),
            linestyle=kwargs["linestyle"],
            label=label,
        )
    if entry.kind == "site":
        return Line2D(
            [],
            [],
            marker="o",
            markersize=PR["site_marker"],
            markerfacecolor=INK["white"],
            markeredgecolor=style.SITE_TYPES[entry.key].color,
            linestyle="none",
            label=label,
        )
    if entry.kind == "area":
        fill = style.LAND_COVER[entry.key]
        return Patch(facecolor=fill.color, alpha=fill.opacity, hatch=fill.hatch, label=label)
    if entry.kind == "water":
        return Line2D([], [], color=style.LAND_COVER[entry.key].color, lw=1, label=label)
    width = PR["legend_epci_lw"] if entry.key == "epci" else PR["legend_commune_lw"]
    return Line2D([], [], color=style.BOUNDARIES[entry.key].color, lw=width, label=label)


def _legend_column(col, model: legend.Legend, listed, opt: SheetOptions) -> None:
    fonts = style.FONTS["print"]
    handles: list = []
    for group in model.groups_for("print"):
        handles.append(Patch(visible=False, label=group.title))
        handles.extend(_handle(e) for e in group.entries)
    leg = col.legend(
        handles=handles,
        loc="upper left",
        fontsize=fonts["legend"],
        frameon=True,
        title="Légende",
        title_fontproperties={"weight": "bold", "size": fonts["legend"] + 1.5},
        alignment="left",
        borderaxespad=0,
        handlelength=1.6,
        labelspacing=0.35,
    )
    for text, h in zip(leg.get_texts(), handles):
        if isinstance(h, Patch) and not h.get_visible():
            text.set_weight("bold")
    # Below the legend: EPCI-wide items and labels that had no room on the map.
    lines: list[str] = []
    box = model.epci_wide
    if box is not None:
        lines.append(f"{box.title} :")
        for _, _, name, amount in box.items:
            lines.append(wrap("• " + name + (f" – {amount}" if amount else ""), 52))
        if box.n_engagements:
            lines.append(f"• {box.engagements_text()}")
    if listed:
        lines.append("Projets numérotés sur la carte :")
        for num, name, amount in sorted(listed):
            lines.append(wrap(f"{num}. {name}" + (f" – {amount}" if amount else ""), 52))
    if lines:
        if opt.orientation == "portrait":  # wide, short column: the lists go right of the legend
            text_columns(col, lines, top=1.0, fontsize=fonts["small"], left=0.42)
        else:
            text_columns(col, lines, top=_legend_bottom(col, leg) - 0.02, fontsize=fonts["small"])


def _legend_bottom(col, leg) -> float:
    renderer = col.figure.canvas.get_renderer()
    return leg.get_window_extent(renderer).transformed(col.transAxes.inverted()).y0

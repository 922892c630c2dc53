"""The print sheet's layout and furniture: paper sizes, sheet options, where the map, the side column
and the locator inset go (computed before drawing, so tests can check every EPCI quickly), the scale
bar, the north arrow and the inset itself. Read by :mod:`geodash.printmap`; nothing here reads a file.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Rectangle
from matplotlib.transforms import Bbox

from . import legend, style
from .territories import Territories

__all__ = [
    "PAPERS",
    "MM",
    "TEXT_RC",
    "SheetOptions",
    "SheetLayout",
    "CORNERS",
    "sheet_layout",
    "draw_locator",
    "scale_bar",
    "north_arrow",
    "furniture_boxes",
]

PR = style.PRINT
INK = style.OUTLINES

#: Paper sizes in millimetres (portrait width, height).
PAPERS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MM = 1 / 25.4
#: Every printed text is drawn as written: a "$" never starts a formula (mathtext), nothing goes through TeX.
TEXT_RC = {"font.family": style.FONTS["mpl_family"], "text.parse_math": False, "text.usetex": False}


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
    choropleth: legend.Choropleth | pd.Series | None = None  # the indicator mapped (département sheet)
    bilan: pd.DataFrame | None = None  # bilan.epci_investment() of the EPCI (side box of an EPCI sheet)
    context: object | None = None  # layers.LoadedLayers: roads, sites, land cover (optional)
    road_categories: list[str] | None = None  # road style keys drawn (None: all)

    def size_inches(self) -> tuple[float, float]:
        w, h = PAPERS[self.paper]
        if self.orientation == "paysage":
            w, h = h, w
        # Whole pixels at 300 dpi (A4 landscape: 3508 x 2480 px), so the PNG has the paper's exact size.
        return round(w * MM * 300) / 300, round(h * MM * 300) / 300


def scale_bar(ax, extent_m: float, *, right: bool = False) -> None:
    """A scale bar in the bottom-left corner (bottom-right when the inset is bottom-left)."""
    nice = [1, 2, 5, 10, 20, 50]
    target = extent_m / 5 / 1000
    km = min(nice, key=lambda n: abs(n - target))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx = x1 - (x1 - x0) * 0.03 - km * 1000 if right else x0 + (x1 - x0) * 0.03
    by = y0 + (y1 - y0) * 0.035
    ax.add_patch(Rectangle((bx, by), km * 500, (y1 - y0) * 0.006, facecolor=INK["ink"], zorder=7, gid="furniture"))
    ax.add_patch(
        Rectangle(
            (bx + km * 500, by),
            km * 500,
            (y1 - y0) * 0.006,
            facecolor=INK["white"],
            edgecolor=INK["ink"],
            lw=0.6,
            zorder=7,
            gid="furniture",
        )
    )
    ax.text(bx, by + (y1 - y0) * 0.012, "0", fontsize=6, ha="center", zorder=7, gid="furniture")
    ax.text(bx + km * 1000, by + (y1 - y0) * 0.012, f"{km} km", fontsize=6, ha="center", zorder=7, gid="furniture")


def north_arrow(ax, *, left: bool = False) -> None:
    """A north arrow in the top-right corner (top-left when the inset is top-right)."""
    x = 0.035 if left else 0.965
    ax.add_artist(
        FancyArrow(
            x,
            0.90,
            0,
            0.06,
            width=0.008,
            head_width=0.025,
            head_length=0.025,
            transform=ax.transAxes,
            color=INK["ink"],
            zorder=7,
            gid="furniture",
        )
    )
    ax.text(
        x,
        0.87,
        "N",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=9,
        weight="bold",
        zorder=7,
        gid="furniture",
    )


def furniture_boxes(fig: Figure, ax) -> list[Bbox]:
    """Display boxes that labels must leave free: the inset, the scale bar and the north arrow."""
    renderer = fig.canvas.get_renderer()
    boxes = [a.get_window_extent(renderer) for a in ax.get_children() if a.get_gid() == "furniture"]
    boxes += [a.get_window_extent(renderer) for a in fig.axes if a.get_gid() == "locator"]
    return [b.expanded(1.1, 1.1) for b in boxes]


@dataclass(frozen=True)
class SheetLayout:
    """Where things go on a sheet, computed before drawing (figure fractions; map limits in Lambert-93)."""

    size: tuple[float, float]  # inches
    map_rect: tuple[float, float, float, float]
    col_rect: tuple[float, float, float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    inset_rect: tuple[float, float, float, float] | None = None
    corner: str | None = None  # of the map box holding the inset: "nw", "se", "ne", "sw"


#: Corners tried for the locator inset, in order of preference (the scale bar and the north arrow
#: move to the corners it leaves free).
CORNERS = ("nw", "se", "ne", "sw")
INSET_WIDTH = 0.22  # of the map box's width
INSET_GAP = 0.012  # between the inset and the map box's edge, of the map box's width
INSET_CLEARANCE_MM = 2.0  # kept free between the inset's frame and the EPCI's outline


def _inset_box(corner: str, w: float, h: float, gap_x: float, gap_y: float) -> tuple[float, float, float, float]:
    """The inset's box in map-box fractions (x0, y0, x1, y1)."""
    x0 = gap_x if corner[1] == "w" else 1 - gap_x - w
    y0 = gap_y if corner[0] == "s" else 1 - gap_y - h
    return x0, y0, x0 + w, y0 + h


def sheet_layout(terr: Territories, options: SheetOptions) -> SheetLayout:
    """The sheet's layout: map and column boxes, the map's extent and, on an EPCI sheet, the locator inset.

    The inset goes in the first corner of :data:`CORNERS` where it leaves the EPCI's outline (plus
    :data:`INSET_CLEARANCE_MM`) uncovered with the EPCI centred; failing that, the EPCI is moved step by
    step towards the opposite corner, then the map zoomed out, until one corner is free (the least zoom,
    then the least move wins).
    Pure geometry: nothing is drawn, so tests can check every EPCI and paper quickly.
    """
    opt = options
    W, H = opt.size_inches()
    margin = 10 * MM
    title_h = 16 * MM / H
    foot_h = 13 * MM / H
    if opt.orientation == "portrait":
        map_rect = (margin / W, 0.36, 1 - 2 * margin / W, 0.64 - title_h - 0.01)
        col_rect = (margin / W, foot_h + 0.01, 1 - 2 * margin / W, 0.36 - foot_h - 0.02)
    else:
        map_rect = (margin / W, foot_h + 0.01, 0.66, 1 - title_h - foot_h - 0.02)
        col_rect = (margin / W + 0.68, foot_h + 0.01, 1 - 0.68 - 2 * margin / W, 1 - title_h - foot_h - 0.02)
    box_w, box_h = map_rect[2] * W, map_rect[3] * H  # inches
    epci = terr.epci
    focus = epci if opt.epci is None else epci[epci["siren"] == opt.epci]
    x0, y0, x1, y1 = focus.total_bounds
    pad = max(x1 - x0, y1 - y0) * 0.06
    bx0, by0, bx1, by1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    need_x, need_y = bx1 - bx0, by1 - by0
    scale = max(need_x / box_w, need_y / box_h)  # metres per inch, the EPCI fitted

    def view(factor: float, corner: str | None, shift: float = 1.0):
        """The map's extent: centred on the EPCI, or moved by ``shift`` (0-1) of the way to pushing
        the EPCI into the corner opposite ``corner``."""
        span_x, span_y = box_w * scale * factor, box_h * scale * factor
        cx0 = (bx0 + bx1 - span_x) / 2
        cy0 = (by0 + by1 - span_y) / 2
        if corner is not None:
            cx0 += shift * ((bx1 - span_x if corner[1] == "w" else bx0) - cx0)
            cy0 += shift * ((by0 if corner[0] == "n" else by1 - span_y) - cy0)
        return (cx0, cx0 + span_x), (cy0, cy0 + span_y)

    if opt.epci is None:
        xlim, ylim = view(1.0, None)
        return SheetLayout((W, H), map_rect, col_rect, xlim, ylim)
    dx0, dy0, dx1, dy1 = epci.total_bounds
    w = INSET_WIDTH
    h = w * box_w / box_h * (dy1 - dy0) / (dx1 - dx0)
    gap_x, gap_y = INSET_GAP, INSET_GAP * box_w / box_h
    shape = shapely.union_all(focus.geometry.to_numpy())
    shapely.prepare(shape)

    def free(xlim, ylim, corner) -> bool:
        fx0, fy0, fx1, fy1 = _inset_box(corner, w, h, gap_x, gap_y)
        sx, sy = xlim[1] - xlim[0], ylim[1] - ylim[0]
        clearance = INSET_CLEARANCE_MM * MM * sx / box_w
        rect = shapely.box(xlim[0] + fx0 * sx, ylim[0] + fy0 * sy, xlim[0] + fx1 * sx, ylim[0] + fy1 * sy)
        return not shape.intersects(rect.buffer(clearance, join_style="mitre"))

    chosen = None
    factor = 1.0
    while chosen is None and factor < 3:  # least zoom first, then least shift, then the corners in order
        for shift, corner in itertools.product((0.0, 0.25, 0.5, 0.75, 1.0), CORNERS):
            xlim, ylim = view(factor, corner, shift)
            if free(xlim, ylim, corner):
                chosen = (corner, xlim, ylim)
                break
        factor *= 1.03
    if chosen is None:  # not reached for a real EPCI: the inset then covers part of the map
        chosen = (CORNERS[0], *view(1.0, None))
    corner, xlim, ylim = chosen
    fx0, fy0, fx1, fy1 = _inset_box(corner, w, h, gap_x, gap_y)
    inset = (
        map_rect[0] + fx0 * map_rect[2],
        map_rect[1] + fy0 * map_rect[3],
        (fx1 - fx0) * map_rect[2],
        (fy1 - fy0) * map_rect[3],
    )
    return SheetLayout((W, H), map_rect, col_rect, xlim, ylim, inset, corner)


def draw_locator(fig: Figure, rect, terr: Territories, epci: str | None) -> None:
    """The locator inset: the département with the EPCI in colour, in a white box with a thin frame."""
    ax = fig.add_axes(rect, zorder=8)
    ax.set_gid("locator")
    inside = terr.epci
    inside.plot(ax=ax, facecolor=PR["locator_fill"], edgecolor=PR["locator_edge"], linewidth=0.3)
    if epci:
        inside[inside["siren"] == epci].plot(ax=ax, facecolor=PR["locator_focus"], edgecolor=INK["ink"], linewidth=0.6)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_facecolor(INK["white"])
    for spine in ax.spines.values():
        spine.set_linewidth(0.5)
        spine.set_edgecolor(INK["swatch"])

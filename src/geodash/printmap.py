"""The print map: one matplotlib sheet per EPCI (or the département) from layers + the Légende.

A sheet carries a title, the map with communes named where legible, numbered project markers (with
the badge of their follow-up when it differs from what the contract says) whose labels are placed
without overlaps (right, left, above or below the marker, else further away with a leader line, else
listed in the margin), the EPCI-wide items, the legend of what is drawn, a scale
bar, a north arrow, a locator inset, the sources and the "Réalisation" line. Colours, shapes and
texts come from :mod:`geodash.style`, as on the web map. Nothing here reads a file.
"""

from __future__ import annotations

from dataclasses import fields, replace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend_handler import HandlerLine2D  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox, offset_copy  # noqa: E402

from . import legend, settings, style  # noqa: E402
from .bilan import DEFAULT_INDICATOR, DOCUMENT, NO_CONTRACT  # noqa: E402
from .formatting import MINIMUM_NOTE, format_per_inhabitant, format_value, precision_word  # noqa: E402
from .legend import label_parts, number_projects  # noqa: E402
from .printlabels import FAR, NEAR, Placer, name_communes, text_columns, wrap  # noqa: E402
from .printlayout import (  # noqa: E402
    MM,
    PAPERS,
    TEXT_RC,
    SheetLayout,
    SheetOptions,
    draw_locator,
    furniture_boxes,
    north_arrow,
    scale_bar,
    sheet_layout,
)
from .territories import Territories  # noqa: E402
from .text import visible_text  # noqa: E402

__all__ = [
    "PAPERS",
    "SheetOptions",
    "SheetLayout",
    "sheet_layout",
    "render_sheet",
    "with_bilan",
    "label_boxes",
    "drawn_legend",
]

PR = style.PRINT
INK = style.OUTLINES
#: Heading of the EPCI's bilan in the side box.
BILAN_TITLE = "Le Département sur le territoire, 2015-2018"


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


#: Where a follow-up badge sits: its centre this far (× the marker size) right of and above the
#: marker's centre, on its top-right corner.
BADGE_OFFSET = 0.42
#: The near places of the label of a marker with a badge: right of it and above it, half the badge's
#: width further, so that its own badge does not take them (a badge is an obstacle for every label).
BADGED_NEAR = [
    (dx + (PR["badge"] / 2 if dx > 0 else 0), dy + (PR["badge"] / 2 if dy > 0 else 0), ha, va)
    for dx, dy, ha, va in NEAR
]


def _badge_kwargs(badge: str, size: float) -> tuple[dict, dict]:
    """The disc (``ax.plot`` keywords) and the glyph's text properties (its string is
    ``style.BADGES[badge].glyph``) of the badge ``badge``, of diameter ``size`` points. The glyph is a
    constant of the style, never data, and is not read as a formula (``parse_math``)."""
    st = style.BADGES[badge]
    disc = dict(
        marker="o",
        markersize=size,
        markerfacecolor=st.color,
        markeredgecolor=INK["white"],
        markeredgewidth=0.5,
        linestyle="none",
    )
    glyph = dict(
        ha="center",
        va="center_baseline",
        fontsize=size * PR["badge_glyph"] / PR["badge"],
        weight="bold",
        color=INK["white"],
        parse_math=False,
    )
    return disc, glyph


def _draw_badge(ax, x: float, y: float, badge: str, msize: float) -> Bbox:
    """Draw the badge ``badge`` at the top-right corner of the marker of size ``msize`` at ``(x, y)``
    (data), above the marker and the labels; return its display box (an obstacle for the labels)."""
    shift = msize * BADGE_OFFSET
    at = offset_copy(ax.transData, fig=ax.figure, x=shift, y=shift, units="points")
    disc, glyph = _badge_kwargs(badge, PR["badge"])
    ax.plot(x, y, transform=at, zorder=6.5, gid=f"badge-{badge}", **disc)
    ax.text(x, y, style.BADGES[badge].glyph, transform=at, zorder=6.6, gid="badge-glyph", **glyph)
    cx, cy = at.transform((x, y))
    r = (PR["badge"] / 2 + 0.5) / 72 * ax.figure.dpi
    return Bbox([[cx - r, cy - r], [cx + r, cy + r]])


class _BadgeHandle(Line2D):
    """A legend handle of a follow-up badge: its disc, and the glyph :class:`_BadgeHandler` adds."""

    def __init__(self, badge: str, label: str):
        disc, self.glyph = _badge_kwargs(badge, PR["legend_badge"])
        self.glyph["text"] = style.BADGES[badge].glyph
        super().__init__([], [], label=label, **disc)


class _BadgeHandler(HandlerLine2D):
    """Draws a :class:`_BadgeHandle`: the disc as any marker, then its glyph at its centre."""

    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        artists = super().create_artists(legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans)
        glyph = Text(-xdescent + width / 2, (height - ydescent) / 2, transform=trans, **orig_handle.glyph)
        return [*artists, glyph]


def label_boxes(fig: Figure) -> list[Bbox]:
    """Display boxes of the project labels of a rendered sheet (for overlap checks)."""
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts if t.get_gid() == "project-label"]


def with_bilan(options: SheetOptions, chiffres: pd.DataFrame, terr: Territories, indicator: str | None = None):
    """``options`` with the territorial bilan (:mod:`geodash.bilan`): on the département sheet the
    choropleth of ``indicator`` (default :data:`geodash.bilan.DEFAULT_INDICATOR`) and its title, on an EPCI sheet the
    EPCI's investment by domain for the side box. The bilan is what the contracts state, filters aside."""
    from .bilan import epci_investment

    if options.epci is not None:
        return replace(options, bilan=epci_investment(chiffres, terr.communes, options.epci))
    cp = legend.bilan_choropleth(chiffres, terr.epci, terr.communes, indicator or DEFAULT_INDICATOR)
    text = "chiffres déclarés dans les contrats (partie 7), pas les projets cités"
    return replace(options, choropleth=cp, subject=cp.label, period_text=cp.period, filters_text=text)


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
    # Names and remarks are text: a "$" never starts a formula (mathtext), nothing goes through TeX, and
    # control characters (which no font draws) are left out.
    texts = {f.name: visible_text(getattr(options, f.name)) for f in fields(options) if f.type == "str"}
    with plt.rc_context(TEXT_RC):
        return _draw_sheet(terr, _printable(placed), _printable(unplaced), replace(options, **texts))


def _printable(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """``frame`` with its text columns free of control characters."""
    if frame is None:
        return None
    text = [c for c in frame.columns if c != "geometry" and frame[c].dtype == object]
    return frame.assign(**{c: frame[c].map(lambda v: visible_text(v) if isinstance(v, str) else v) for c in text})


def _draw_sheet(terr: Territories, placed, unplaced, options: SheetOptions) -> Figure:
    opt = options
    fonts = style.FONTS["print"]
    layout = sheet_layout(terr, opt)
    W, H = layout.size
    fig = plt.figure(figsize=(W, H))
    fig.geodash_layout = layout
    margin = 10 * MM
    map_rect = layout.map_rect
    ax = fig.add_axes(map_rect)
    ax.set_axis_off()
    ax.set_aspect("equal")

    communes = terr.communes
    epci_layer = terr.epci
    bg = style.MAP_BACKGROUND
    cp = legend.as_choropleth(opt.choropleth) if opt.epci is None else None
    if opt.epci is None:
        cp = cp or legend.Choropleth(pd.Series(dtype=float))
        breaks = cp.breaks()
        colors = [legend.class_color(cp.values.get(s, np.nan), breaks) for s in epci_layer["siren"]]
        epci_layer.plot(
            ax=ax,
            color=colors,
            edgecolor=style.BOUNDARIES["epci"].color,
            linewidth=style.BOUNDARIES["epci"].width * PR["epci_width"],
        )
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
            ax=ax,
            color=style.BOUNDARIES["epci"].color,
            linewidth=style.BOUNDARIES["epci"].width * PR["focus_width"],
            gid="epci-outline",
        )
        title = legend.map_title(focus.iloc[0]["nom"])

    ax.set_xlim(*layout.xlim)
    ax.set_ylim(*layout.ylim)
    span_x = layout.xlim[1] - layout.xlim[0]
    if layout.inset_rect is not None:
        draw_locator(fig, layout.inset_rect, terr, opt.epci)
    scale_bar(ax, span_x, right=layout.corner == "sw")
    north_arrow(ax, left=layout.corner == "ne")

    # Project markers.
    placed = placed if placed is not None and not placed.empty else None
    fig.canvas.draw()
    furniture = furniture_boxes(fig, ax)
    obstacles: list[Bbox] = list(furniture)
    numbers = pd.Series(dtype=int)
    listed: list[tuple[int, str, str]] = []
    if placed is not None:
        pts = placed.to_crs(settings.CRS_METRIC)
        numbers = number_projects(pts)
        badges = legend.state_badges(pts)
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
        for idx, row in pts.iterrows():
            px, py = ax.transData.transform((row.geometry.x, row.geometry.y))
            obstacles.append(Bbox([[px - half, py - half], [px + half, py + half]]))
            if badges[idx] is not None:  # above the labels, which keep clear of it
                obstacles.append(_draw_badge(ax, row.geometry.x, row.geometry.y, badges[idx], msize))
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
                offsets_pt=(BADGED_NEAR if badges[idx] is not None else NEAR) + FAR,
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
        placer = Placer(fig, ax, furniture)
        for _, row in epci_layer.iterrows():
            pt = row.geometry.representative_point()
            placer.place(
                pt.x,
                pt.y,
                f"{row['nom_court']}\n{wrap(cp.text(row['siren']), 24)}",
                fontsize=fonts["label"],
                offsets_pt=[(0, 0, "center", "center"), (0, 10, "center", "bottom"), (0, -10, "center", "top")],
                leader=False,
                weight="bold",
                path_effects=[patheffects.withStroke(linewidth=2, foreground=INK["white"])],
            )
    elif opt.epci is not None:
        name_communes(Placer(fig, ax, furniture), communes[communes["epci_siren"] == opt.epci], fonts["commune"])

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
        names=dict(zip(epci_layer["siren"], epci_layer["nom_court"])),
    )
    fig.geodash_legend = model  # what the legend says, for drawn_legend()

    # Title band.
    fig.text(margin / W, 1 - 7 * MM / H, title, fontsize=fonts["title"], weight="bold", va="center")
    subtitle = legend.subtitle(opt.subject, opt.period_text, opt.filters_text)
    fig.text(margin / W, 1 - 13 * MM / H, subtitle, fontsize=9, va="center", color=INK["subtitle"])

    # Right column: legend, side box, margin list.
    col = fig.add_axes(layout.col_rect)
    col.set_axis_off()
    _legend_column(col, model, listed, opt, _side_lines(opt, cp, placed, unplaced, epci_layer))

    # Footer: the sources grow upwards from above the "Réalisation" line (three lines on a portrait sheet).
    fig.text(
        margin / W,
        5.5 * MM / H,
        wrap(opt.credit, int((W - 2 * margin) * 72 / (fonts["small"] * 0.56))),
        fontsize=fonts["small"],
        va="bottom",
        color=INK["ink"],
        linespacing=1.15,
    )
    fig.text(margin / W, 3.0 * MM / H, opt.realisation, fontsize=fonts["small"], va="center", color=INK["ink"])
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
    if entry.kind == "state":
        return _BadgeHandle(entry.key, label)
    if entry.kind == "note":  # a marker without badge, as the period entries draw it
        swatch = style.PERIOD_SWATCH["color"]
        marker = _theme_marker(style.PERIOD_SWATCH["theme"], "2015-2018", PR["legend_marker"])
        marker.update(markerfacecolor=swatch, markeredgecolor=swatch)
        return Line2D([], [], **marker, label=label)
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


def _side_lines(opt: SheetOptions, cp, placed, unplaced, epci_layer) -> list[str]:
    """The text of the side box above the lists: the indicator's reference, ranking and source
    (département), or the EPCI's bilan and the count of named projects (EPCI)."""
    lines: list[str] = []
    if opt.epci is None:
        if cp is None or not cp.source:  # a plain Series: nothing more is known of it
            return lines
        if cp.reference:
            lines.append(wrap(cp.reference, 52))
        names = dict(zip(epci_layer["siren"], epci_layer["nom_court"]))
        ranked = cp.values.dropna().sort_values(ascending=False)
        lines.append("Classement des intercommunalités :")
        lines += [f"{i}. {names.get(s, s)} – {cp.text(s)}" for i, s in enumerate(ranked.index, 1)]
        lines += [f"– {names.get(s, s)} : {text}" for text, sirens in cp.missing().items() for s in sirens]
        if cp.precision is not None and (cp.precision.map(precision_word) == precision_word("minimum")).any():
            lines.append(wrap(f"{MINIMUM_NOTE}.", 52))
        lines.append(wrap(f"Source : {cp.source}.", 52))
        return lines
    lines.append(f"{BILAN_TITLE} :")
    if opt.bilan is None or opt.bilan.empty:
        lines.append(f"• {NO_CONTRACT}" if opt.bilan is not None else "• non disponible")
    else:
        rows = opt.bilan.set_index("domaine")
        order = [d for d in rows.index if d != "total"] + (["total"] if "total" in rows.index else [])
        for d in order:
            r = rows.loc[d]
            per = format_value(r["par_habitant"], "EUR/hab", r["precision"], decimals=0)
            ref = format_per_inhabitant(r["departement_par_habitant"], 0)
            lines.append(f"• {'Total' if d == 'total' else r['libelle']} : {r['texte']}")
            lines.append(f"   {per} ; {settings.DEPARTEMENT_NOM} : {ref}")
        lines.append(wrap(f"Chiffres déclarés dans le contrat, partie 7 ({DOCUMENT}).", 52))
        lines.append("")
    items = [f for f in (placed, unplaced) if f is not None and not f.empty]
    n = sum(len(f) for f in items)
    m = sum(int(f["montant_departement_eur"].notna().sum()) for f in items)
    where = "le contrat" if opt.bilan is None or not opt.bilan.empty else "le document"
    lines.append(f"Projets cités dans {where} : {n}, dont {m} avec montant")
    lines.append("(un échantillon des financements, pas leur total)")
    return lines


def _legend_column(col, model: legend.Legend, listed, opt: SheetOptions, head: list[str]) -> None:
    fonts = style.FONTS["print"]
    handles: list = []
    for group in model.groups_for("print"):
        handles.append(Patch(visible=False, label=wrap(group.title, 48)))
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
        handler_map={_BadgeHandle: _BadgeHandler()},
    )
    for text, h in zip(leg.get_texts(), handles):
        if isinstance(h, Patch) and not h.get_visible():
            text.set_weight("bold")
    # Below the legend: the bilan (full width), then the EPCI-wide items and the labels that had no room.
    lines: list[str] = []
    box = model.epci_wide
    if box is not None:
        lines.append(f"{box.title} :")
        for i, (_, _, name, amount) in enumerate(box.items):
            badge = box.badge(i)
            state = f" ({style.BADGES[badge].word})" if badge else ""
            lines.append(wrap("• " + name + (f" – {amount}" if amount else "") + state, 52))
        if box.n_engagements:
            lines.append(f"• {box.engagements_text()}")
    if listed:
        lines.append("Autres projets numérotés :")
        for num, name, amount in sorted(listed):  # instead of their map labels: the name alone without amount
            lines.append(wrap(f"{num}. {name}" + (f" – {amount}" if amount else ""), 52))
    portrait = opt.orientation == "portrait"  # wide, short column: the texts go right of the legend
    left = 0.42 if portrait else 0.0
    top = 1.0 if portrait else _legend_bottom(col, leg) - 0.02
    if head:
        top = text_columns(col, head, top=top, fontsize=fonts["small"], left=left, split=False) - 0.01
    if lines:
        text_columns(col, lines, top=top, fontsize=fonts["small"], left=left)


def _legend_bottom(col, leg) -> float:
    renderer = col.figure.canvas.get_renderer()
    return leg.get_window_extent(renderer).transformed(col.transAxes.inverted()).y0

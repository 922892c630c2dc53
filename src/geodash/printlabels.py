"""Text on the print sheet: greedy label placement without overlaps, and lists set in columns.

Part of the print renderer (:mod:`geodash.printmap`); nothing here knows what a label says.
"""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from . import style

__all__ = ["Placer", "NEAR", "FAR", "wrap", "name_communes", "text_columns", "shorten"]

INK = style.OUTLINES


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


class Placer:
    """Greedy label placement in display coordinates: a label takes the first free candidate."""

    def __init__(self, fig: Figure, ax, obstacles: list[Bbox]):
        self.fig, self.ax = fig, ax
        self.renderer = fig.canvas.get_renderer()
        self.taken: list[Bbox] = list(obstacles)
        self.axbox = ax.get_window_extent(self.renderer)

    def _free(self, box: Bbox) -> bool:
        if not self.axbox.contains(box.x0, box.y0) or not self.axbox.contains(box.x1, box.y1):
            return False
        return not any(box.overlaps(other) for other in self.taken)

    def place(self, x: float, y: float, text: str, *, fontsize: float, offsets_pt, leader: bool = True, **kwargs):
        """Try each offset (points); return the Text artist placed, or None."""
        for dx, dy, ha, va in offsets_pt:
            artist = self.ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                zorder=6,
                arrowprops=(
                    dict(arrowstyle="-", lw=0.4, color=INK["leader"], shrinkA=0, shrinkB=2)
                    if leader and (abs(dx) > 12 or abs(dy) > 12)
                    else None
                ),
                **kwargs,
            )
            box = artist.get_window_extent(self.renderer).expanded(1.04, 1.08)
            if self._free(box):
                self.taken.append(box)
                return artist
            artist.remove()
        return None


NEAR = [(7, 0, "left", "center"), (-7, 0, "right", "center"), (0, 8, "center", "bottom"), (0, -8, "center", "top")]
FAR = [
    (dx, dy, "left" if dx > 0 else "right", "center")
    for r in (22, 38)
    for dx, dy in ((r, r * 0.5), (-r, r * 0.5), (r, -r * 0.5), (-r, -r * 0.5))
]


def name_communes(placer: Placer, communes, fontsize: float) -> None:
    """Write each commune's name at its centre where it does not hit anything already placed."""
    for _, commune in communes.iterrows():
        pt = commune.geometry.representative_point()
        artist = placer.place(
            pt.x,
            pt.y,
            str(commune["nom"]),
            fontsize=fontsize,
            offsets_pt=[(0, 0, "center", "center")],
            leader=False,
            color=INK["commune_name"],
            style="italic",
        )
        if artist is not None:
            artist.set_gid("commune-label")


def text_columns(col, lines: list[str], *, top: float, fontsize: float, left: float = 0.0) -> None:
    """Write ``lines`` from ``top`` down, in one column or, when they do not fit, in two narrower
    ones with the text shortened; what still does not fit ends with "…" and a count."""
    height_pt = col.get_window_extent(col.figure.canvas.get_renderer()).height * 72 / col.figure.dpi
    per_line = fontsize * 1.3 / height_pt
    capacity = max(1, int(top / per_line))
    rows = [r for line in lines for r in line.split("\n")]
    if len(rows) <= capacity:
        columns = [rows]
        width = 1.0 - left
    else:
        short = [shorten(line.replace("\n", " "), 44) for line in lines]
        columns = [short[:capacity], short[capacity : 2 * capacity]]
        if len(short) > 2 * capacity:
            hidden = len(short) - 2 * capacity + 1
            columns[1] = columns[1][:-1] + [f"… et {hidden} autres (voir le tableau des projets)"]
        width = (1.0 - left) / 2
    for i, column in enumerate(columns):
        col.text(
            left + i * width,
            top,
            "\n".join(column),
            va="top",
            ha="left",
            fontsize=fontsize,
            transform=col.transAxes,
            linespacing=1.3,
        )


def shorten(text: str, width: int) -> str:
    """Shorten the name part of "name – amount", never the amount."""
    if len(text) <= width:
        return text
    name, sep, amount = text.rpartition(" – ")
    if not sep:
        name, amount = text, ""
    keep = max(12, width - len(amount) - 4)
    return name[: keep - 1].rstrip() + "…" + (f" – {amount}" if amount else "")

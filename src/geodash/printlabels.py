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


LINESPACING = 1.3


def _line_metrics(col, fontsize: float) -> tuple[float, float]:
    """Height of one more line and width of an average character, as rendered, in fractions of ``col``."""
    fig = col.figure
    renderer = fig.canvas.get_renderer()
    probe = col.text(0, 0, "Ag", fontsize=fontsize, linespacing=LINESPACING, transform=col.transAxes)
    one = probe.get_window_extent(renderer)
    probe.set_text("Ag\nAg\nAg\nAg\nAg")
    five = probe.get_window_extent(renderer)
    probe.set_text("abcdefghijklmnopqrstuvwxyz – 0123456789 €")
    sample = probe.get_window_extent(renderer).width / 41
    probe.remove()
    box = col.get_window_extent(renderer)
    return (five.height - one.height) / 4 / box.height, sample / box.width


def text_columns(col, lines: list[str], *, top: float, fontsize: float, left: float = 0.0, split: bool = True) -> float:
    """Write ``lines`` from ``top`` down, in one column or, when they do not fit, in two narrower
    ones with the text shortened; what still does not fit ends with "…" and a count. Returns the
    bottom of what was written (fraction of ``col``). ``split=False``: one column, never shortened.

    The room is measured on the rendered text (line height and character width of the font), so
    a list is only shortened when the space below ``top`` is really full.
    """
    per_line, char_w = _line_metrics(col, fontsize)
    renderer = col.figure.canvas.get_renderer()
    capacity = max(1, int((top + 1e-9) / per_line))
    rows = [r for line in lines for r in line.split("\n")]
    if len(rows) <= capacity or not split:
        columns = [rows]
        width = 1.0 - left
    else:
        width = (1.0 - left) / 2
        chars = max(20, int(width * 0.95 / char_w))
        probe = col.text(0, 0, "", fontsize=fontsize, transform=col.transAxes)
        room = width * 0.96 * col.get_window_extent(renderer).width
        fitted = [(i, r) for i, line in enumerate(lines) for r in _fit(line.replace("\n", " "), chars, probe, room)]
        probe.remove()
        short = [r for _, r in fitted]
        split = capacity  # an item is never cut between the two columns
        while 0 < split < len(fitted) and fitted[split][0] == fitted[split - 1][0]:
            split -= 1
        split = split or capacity
        columns = [short[:split], short[split : split + capacity]]
        if len(short) > split + capacity:
            # the note replaces the last rows it needs, and is never shortened itself
            for n_rows in (1, 2, 3):
                hidden = len({i for i, _ in fitted[split + capacity - n_rows :]})
                note = textwrap.wrap(f"… et {hidden} {'autre' if hidden == 1 else 'autres'} (voir le tableau)", chars)
                if len(note) <= n_rows:
                    break
            columns[1] = columns[1][: capacity - n_rows] + note
    for i, column in enumerate(columns):
        col.text(
            left + i * width,
            top,
            "\n".join(column),
            va="top",
            ha="left",
            fontsize=fontsize,
            transform=col.transAxes,
            linespacing=LINESPACING,
        )
    return top - max(len(c) for c in columns) * per_line


def _fit(text: str, chars: int, probe, room: float) -> list[str]:
    """A listed item ("name – amount") shortened to fit ``room`` display pixels (the name part, never the
    amount; ``probe`` is a Text used to measure); any other line (a heading, a figure with its comparison)
    wrapped at ``chars``, since cutting it would lose its sense."""
    if " – " not in text:
        return textwrap.wrap(text, width=chars, break_long_words=False, subsequent_indent="  ") or [text]
    renderer = probe.figure.canvas.get_renderer()

    def fits(row: str) -> bool:
        probe.set_text(row)
        return probe.get_window_extent(renderer).width <= room

    name, _, amount = text.rpartition(" – ")
    for width in range(chars, 0, -2):
        short = shorten(text, width)
        if short.rpartition(" – ")[0].rstrip("…").__len__() < min(len(name), 14):
            break  # the name would be cut too short: the amount goes on a row of its own
        if fits(short):
            return [short]
    for width in range(chars, 8, -2):
        # the name alone, cut as plain text: a name may itself hold " – " (« Mission – Projets … »)
        short = name if len(name) <= width else name[: width - 1].rstrip() + "…"
        if fits(short + " –"):
            break
    return [short + " –", f"   {amount}"]


def shorten(text: str, width: int) -> str:
    """Shorten the name part of "name – amount", never the amount."""
    if len(text) <= width:
        return text
    name, sep, amount = text.rpartition(" – ")
    if not sep:
        name, amount = text, ""
    keep = max(6, width - len(amount) - 4)
    return name[: keep - 1].rstrip() + "…" + (f" – {amount}" if amount else "")

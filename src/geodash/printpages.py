"""Text pages of a printed document: headings, paragraphs and tables flowed onto sheets of paper.

Every cell is wrapped to its column, measured in the font drawn (:data:`geodash.style.FONTS`); a table longer
than the room left goes on over the next pages, its header repeated under its heading marked « (suite) ». A
page carries the band of the print map (:mod:`geodash.printmap`): title and subtitle above, the sources and
the « Réalisation » line below, and its number. Text is drawn as written (:data:`geodash.printlayout.TEXT_RC`:
never mathtext nor TeX; control characters left out). Nothing here reads a file or knows what a table says.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Affine2D

from . import style
from .printlayout import MM, TEXT_RC, SheetOptions
from .text import visible_text

__all__ = ["Heading", "Paragraph", "Table", "Band", "SIZES", "text_width", "wrap_text", "flow_pages"]

INK = style.OUTLINES
PT = MM * 72  # points per millimetre
#: Font sizes (points) and spacing of the text pages.
SIZES = {
    "title": 15.0,
    "subtitle": 9.0,
    "heading": 11.0,
    "paragraph": 8.5,
    "table": 7.5,
    "small": 6.0,
    "linespacing": 1.25,
    "cell_pad_x": 3.0,
    "cell_pad_y": 2.2,
}
CONTINUED = " (suite)"


@dataclass(frozen=True)
class Heading:
    """A section's title; a table split over pages repeats it, marked « (suite) »."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Running text, wrapped to the page; ``muted`` for a note (grey)."""

    text: str
    size: float = SIZES["paragraph"]
    muted: bool = False


@dataclass(frozen=True)
class Table:
    """A table: ``frame``'s columns and cells as text. ``right``: columns aligned right (counts, amounts);
    ``total``: the last row sums the others (bold, a rule above); ``emphasis``: cell texts drawn bold;
    ``group``: a column whose value is written once for the rows that follow each other with it (again at
    the top of a page), the rows of a group on the same background."""

    frame: pd.DataFrame
    right: tuple[str, ...] = ()
    total: bool = False
    emphasis: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class Band:
    """What every page says around its body: title, subtitle, sources and « Réalisation » line."""

    title: str
    subtitle: str
    credit: str
    realisation: str
    paper: str = "A4"
    orientation: str = "paysage"


# --- measuring and wrapping ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _font(size: float, bold: bool) -> FontProperties:
    return FontProperties(family=style.FONTS["mpl_family"], size=size, weight="bold" if bold else "normal")


_PATHS = TextToPath()


@functools.lru_cache(maxsize=65536)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points, as the font draws it (no hinting: the same on every medium)."""
    if not text:
        return 0.0
    return _PATHS.get_text_width_height_descent(text, _font(size, bold), ismath=False)[0]


def _clean(text: object) -> str:
    return visible_text("" if text is None else str(text)).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")


def _split_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """A word wider than ``width`` cut into pieces that fit: after a hyphen or a slash when possible."""
    pieces, rest = [], word
    while rest and text_width(rest, size, bold) > width:
        cut = 1
        while cut < len(rest) and text_width(rest[: cut + 1], size, bold) <= width:
            cut += 1
        soft = max(rest.rfind("-", 0, cut), rest.rfind("/", 0, cut))
        cut = soft + 1 if soft > 0 else cut
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces + ([rest] if rest else [])


def wrap_text(text: object, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` points (words kept whole unless one alone is wider).

    Line breaks of the text are kept; non-breaking spaces (« 1 443 000 € ») never break.
    """
    lines: list[str] = []
    for paragraph in _clean(text).split("\n"):
        words = [w for w in paragraph.split(" ") if w]
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            pieces = _split_word(word, width, size, bold)
            lines.extend(pieces[:-1])
            line = pieces[-1] if pieces else ""
        lines.append(line)
    return lines or [""]


# --- laying out --------------------------------------------------------------------------------------------


@dataclass
class _Page:
    """What one page draws: texts ``(x, baseline, text, size, bold, colour, ha)``, filled rectangles
    ``(x, y, w, h, colour)`` and rules ``(x0, x1, y, width, colour)``, in points from the bottom left."""

    texts: list[tuple] = field(default_factory=list)
    rects: list[tuple] = field(default_factory=list)
    rules: list[tuple] = field(default_factory=list)


def _pitch(size: float) -> float:
    return size * SIZES["linespacing"]


def _ascent(size: float) -> float:
    return size * 0.76  # DejaVu Sans: capitals are 0.73 em high


@dataclass
class _Cells:
    """A table measured for a width: its columns' widths and every row's wrapped lines."""

    widths: list[float]
    header: list[list[str]]
    rows: list[list[list[str]]]
    bold: list[list[bool]]
    groups: list[int]  # each row's group (its own number when the table has none)
    group_column: int | None = None

    def height(self, lines: Sequence[Sequence[str]]) -> float:
        size = SIZES["table"]
        return 2 * SIZES["cell_pad_y"] + size + (max(len(c) for c in lines) - 1) * _pitch(size)


def _header_width(text: str, size: float, most_lines: int) -> float:
    """The narrowest width setting a header in ``most_lines`` lines at most (never under its longest word)."""
    words = text.split()
    width = max([text_width(w, size, True) for w in words] + [text_width(text, size, True) / most_lines])
    while len(wrap_text(text, width, size, bold=True)) > most_lines:
        width += size
    return width


def _column_widths(table: Table, room: float) -> list[float]:
    """Each column as wide as its longest cell and its header on one line when all fit (else the headers that
    cost the most on two lines); otherwise the narrow columns whole and the room left shared by the others in
    proportion to their longest cell (never under their longest word)."""
    size, pad = SIZES["table"], 2 * SIZES["cell_pad_x"]
    frame = table.frame
    cells, least = [], []
    for column in frame.columns:
        texts = [_clean(v) for v in frame[column]]
        lines = [line for c in texts for line in c.split("\n")]
        words = [w for c in texts for w in c.split()]
        cells.append(max([text_width(s, size, True) for s in lines] + [0.0]) + pad)
        least.append(min(room / 4, max([text_width(w, size, True) for w in words] + [0.0]) + pad))
    one, two = ([max(c, _header_width(str(h), size, n) + pad) for c, h in zip(cells, frame.columns)] for n in (1, 2))
    if sum(one) <= room:
        return one
    if sum(two) <= room:  # the headers that cost least on one line stay on one line
        need = list(two)
        for i in sorted(range(len(need)), key=lambda i: one[i] - two[i]):
            if sum(need) - need[i] + one[i] <= room:
                need[i] = one[i]
        return need
    need = one  # the columns that fit keep their header on one line; the others are wrapped anyway
    widths: dict[int, float] = {}
    left, open_ = room, list(range(len(need)))
    while open_:
        share = left / len(open_)
        small = [i for i in open_ if need[i] <= share]
        if not small:
            break
        for i in small:
            widths[i] = need[i]
            left -= need[i]
            open_.remove(i)
    total = sum(need[i] for i in open_)
    for i in open_:
        widths[i] = max(least[i], left * need[i] / total)
    scale = min(1.0, room / sum(widths.values()))  # the longest words may claim more than the room
    return [widths[i] * scale for i in range(len(need))]


def _measure(table: Table, room: float) -> _Cells:
    size, pad = SIZES["table"], 2 * SIZES["cell_pad_x"]
    widths = _column_widths(table, room)
    header = [wrap_text(c, w - pad, size, bold=True) for c, w in zip(table.frame.columns, widths)]
    rows, bold = [], []
    n = len(table.frame)
    for i, values in enumerate(table.frame.itertuples(index=False, name=None)):
        strong = [(table.total and i == n - 1) or _clean(v) in table.emphasis for v in values]
        rows.append([wrap_text(v, w - pad, size, bold=b) for v, w, b in zip(values, widths, strong)])
        bold.append(strong)
    if table.group is None:
        groups = list(range(n))
    else:
        keys = [_clean(v) for v in table.frame[table.group]]
        groups = [0] * n
        for i in range(1, n):
            groups[i] = groups[i - 1] + (keys[i] != keys[i - 1])
    column = list(table.frame.columns).index(table.group) if table.group is not None else None
    return _Cells(widths, header, rows, bold, groups, column)


class _Flow:
    """Blocks placed from the top of the body down, a new page when the next does not fit."""

    def __init__(self, band: Band):
        width, height = (v * 72 for v in SheetOptions(paper=band.paper, orientation=band.orientation).size_inches())
        self.size = (width, height)
        self.left = 10 * PT
        self.room = width - 2 * self.left
        self.top = height - 20 * PT
        credit_lines = wrap_text(band.credit, self.room, SIZES["small"])
        self.credit = credit_lines
        self.bottom = 5.5 * PT + len(credit_lines) * _pitch(SIZES["small"]) + 4 * PT
        self.pages: list[_Page] = []
        self.heading = ""
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append(_Page())
        self.y = self.top
        self.fresh = True

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def _room_left(self) -> float:
        return self.y - self.bottom

    def _gap(self, points: float) -> None:
        if not self.fresh:
            self.y -= points

    def _text_lines(self, lines: Sequence[str], size: float, *, bold=False, color=INK["text"], x=None) -> None:
        x = self.left if x is None else x
        for line in lines:
            self.page.texts.append((x, self.y - _ascent(size), line, size, bold, color, "left"))
            self.y -= _pitch(size)
        self.fresh = False

    def heading_block(self, text: str, need_after: float) -> None:
        size = SIZES["heading"]
        lines = wrap_text(text, self.room, size, bold=True)
        height = len(lines) * _pitch(size) + 3
        self._gap(9)
        need_after = min(need_after, self.top - self.bottom - height)  # what can never fit is not waited for
        if height + need_after > self._room_left() and not self.fresh:
            self._new_page()
        self._text_lines(lines, size, bold=True)
        self.y -= 3
        self.heading = text

    def _continue(self) -> None:
        """A new page, the section's heading again, marked « (suite) »."""
        self._new_page()
        if self.heading:
            size = SIZES["heading"]
            self._text_lines(wrap_text(self.heading + CONTINUED, self.room, size, bold=True), size, bold=True)
            self.y -= 3

    def paragraph(self, block: Paragraph) -> None:
        lines = wrap_text(block.text, self.room, block.size)
        color = INK["swatch"] if block.muted else INK["text"]
        self._gap(2)
        for line in lines:
            if _pitch(block.size) > self._room_left():
                self._continue()
            self._text_lines([line], block.size, color=color)
        self.y -= 3

    def table(self, block: Table) -> None:
        if block.frame.empty:
            return
        cells = _measure(block, self.room)
        right = [c in block.right for c in block.frame.columns]
        heads = [True] * len(right)
        self._gap(2)
        header_h = cells.height(cells.header)
        capacity = self.top - self.bottom - header_h - 3 * _pitch(SIZES["heading"])
        rows = [self._fit(r, capacity) for r in cells.rows]
        g = cells.group_column

        def shown(i: int, top: bool) -> list[list[str]]:
            """Row ``i``, its group's value left out under the same group (not at the top of a page)."""
            same = i > 0 and cells.groups[i] == cells.groups[i - 1] and not top
            return [[""] if same and j == g else c for j, c in enumerate(rows[i])]

        if header_h + cells.height(shown(0, True)) > self._room_left():
            self._continue()
        self._row(cells, cells.header, heads, right, header=True)
        top = True
        for i in range(len(rows)):
            lines = shown(i, top)
            if cells.height(lines) > self._room_left():
                self._continue()
                self._row(cells, cells.header, heads, right, header=True)
                lines = shown(i, True)
            last_of_group = i == len(rows) - 1 or cells.groups[i + 1] != cells.groups[i]
            total = block.total and i == len(rows) - 1
            self._row(
                cells, lines, cells.bold[i], right, stripe=cells.groups[i] % 2 == 1, total=total, rule=last_of_group
            )
            top = False
        self.y -= 6

    @staticmethod
    def _fit(lines: list[list[str]], capacity: float) -> list[list[str]]:
        """A row never taller than a page: a cell's lines beyond it end with « … »."""
        most = max(1, int((capacity - 2 * SIZES["cell_pad_y"] - SIZES["table"]) / _pitch(SIZES["table"])) + 1)
        return [c if len(c) <= most else [*c[: most - 1], c[most - 1] + " …"] for c in lines]

    def _row(self, cells: _Cells, lines, bold, right, *, header=False, stripe=False, total=False, rule=True) -> None:
        size, pad_x = SIZES["table"], SIZES["cell_pad_x"]
        height = cells.height(lines)
        width = sum(cells.widths)
        bottom = self.y - height
        page = self.page
        if header:
            page.rects.append((self.left, bottom, width, height, style.PRINT["table_header"]))
        elif stripe:
            page.rects.append((self.left, bottom, width, height, style.PRINT["table_stripe"]))
        if total:
            page.rules.append((self.left, self.left + width, self.y, 0.6, INK["ink"]))
        x = self.left
        for cell, w, strong, to_right in zip(lines, cells.widths, bold, right):
            y = self.y - SIZES["cell_pad_y"] - _ascent(size)
            for line in cell:
                tx = x + w - pad_x if to_right else x + pad_x
                page.texts.append((tx, y, line, size, strong, INK["text"], "right" if to_right else "left"))
                y -= _pitch(size)
            x += w
        if header or rule:
            ink = INK["ink"] if header else style.PRINT["table_rule"]
            page.rules.append((self.left, self.left + width, bottom, 0.6 if header else 0.25, ink))
        self.y = bottom
        self.fresh = False


def _first_need(following: Sequence, room: float) -> float:
    """Room the blocks after a heading need on its page — its notes and the first rows of its table — so that
    a heading is never left alone at a page's foot."""
    need = 0.0
    for block in following:
        if isinstance(block, Paragraph):
            need += len(wrap_text(block.text, room, block.size)) * _pitch(block.size) + 5
        elif isinstance(block, Table) and not block.frame.empty:
            need += 4 * _pitch(SIZES["table"]) + 4 * SIZES["cell_pad_y"]
            break
        else:
            break
    return need


def flow_pages(blocks: Sequence[Heading | Paragraph | Table], band: Band, *, first: int = 1, before: int = 0):
    """The figures of ``blocks`` flowed onto pages of ``band``'s paper.

    Parameters
    ----------
    blocks
        Headings, paragraphs and tables, in reading order.
    band
        The title, subtitle, sources and « Réalisation » line of every page.
    first
        The number of the first page (pages of the document printed before these).
    before
        How many pages of the document come before these (counted in « page 2 sur 5 »).

    Returns
    -------
    list of matplotlib.figure.Figure
        One figure per page (not attached to pyplot: nothing to close).
    """
    with rc_context(TEXT_RC):
        flow = _Flow(band)
        for i, block in enumerate(blocks):
            if isinstance(block, Heading):
                flow.heading_block(block.text, _first_need(blocks[i + 1 :], flow.room))
            elif isinstance(block, Paragraph):
                flow.paragraph(block)
            elif isinstance(block, Table):
                flow.table(block)
            else:
                raise TypeError(f"bloc inconnu : {type(block).__name__}")
        total = before + len(flow.pages)
        return [_draw(flow, page, band, first + n, total) for n, page in enumerate(flow.pages)]


def _fitting(text: str, room: float, size: float, *, bold: bool = False) -> float:
    """``size``, or the size at which ``text`` fits on one line of ``room`` points."""
    width = text_width(text, size, bold)
    return size if width <= room else size * room / width


def _draw(flow: _Flow, page: _Page, band: Band, number: int, total: int) -> Figure:
    width, height = flow.size
    fig = Figure(figsize=(width / 72, height / 72))
    points = Affine2D().scale(1 / 72) + fig.dpi_scale_trans  # everything placed in points from the bottom left

    def text(x, y, s, size, *, bold=False, color=INK["text"], ha="left", va="baseline"):
        fig.text(
            x, y, s, transform=points, fontsize=size, weight="bold" if bold else "normal", color=color, ha=ha, va=va
        )

    for x, y, w, h, color in page.rects:
        fig.add_artist(Rectangle((x, y), w, h, transform=points, facecolor=color, edgecolor="none", zorder=0))
    for x0, x1, y, lw, color in page.rules:
        fig.add_artist(Line2D([x0, x1], [y, y], transform=points, lw=lw, color=color, zorder=1))
    for x, y, s, size, bold, color, ha in page.texts:
        text(x, y, s, size, bold=bold, color=color, ha=ha)
    # the band, as on the map sheet: title and subtitle on one line each (smaller when long), sources
    for line, y, size, bold, color in (
        (band.title, height - 7 * PT, SIZES["title"], True, INK["ink"]),
        (band.subtitle, height - 13 * PT, SIZES["subtitle"], False, INK["subtitle"]),
    ):
        line = " ".join(_clean(line).split())
        text(flow.left, y, line, _fitting(line, flow.room, size, bold=bold), bold=bold, color=color, va="center")
    small = SIZES["small"]
    y = 5.5 * PT + (len(flow.credit) - 1) * _pitch(small)
    for line in flow.credit:
        text(flow.left, y, line, small, color=INK["ink"])
        y -= _pitch(small)
    text(flow.left, 3.0 * PT, band.realisation, small, color=INK["ink"], va="center")
    text(width - flow.left, 3.0 * PT, f"page {number} sur {total}", small, color=INK["ink"], ha="right", va="center")
    return fig

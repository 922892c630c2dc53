"""The locator inset of the print sheet: a framed box that never covers the EPCI, on every sheet."""

from __future__ import annotations

import itertools
from datetime import date

import matplotlib.pyplot as plt
import pytest
import shapely

from geodash.atlas import SheetRequest, render_view
from geodash.printmap import SheetOptions, sheet_layout
from geodash.selection import Filters, load_base

PAPERS = list(itertools.product(["A4", "A3"], ["paysage", "portrait"]))


def _inset_and_outline(fig, map_ax, inset_rect, outline):
    """The inset's box and the EPCI's outline, both in display coordinates."""
    (x0, y0), (x1, y1) = fig.transFigure.transform(
        [inset_rect[:2], (inset_rect[0] + inset_rect[2], inset_rect[1] + inset_rect[3])]
    )
    box = shapely.box(x0, y0, x1, y1)
    drawn = shapely.transform(outline, map_ax.transData.transform)
    axes = map_ax.get_window_extent()
    return box, drawn, shapely.box(axes.x0, axes.y0, axes.x1, axes.y1)


@pytest.fixture(scope="module")
def base():
    return load_base(with_context=False, with_road_lengths=False)


def test_inset_never_covers_the_epci(base):
    """All 20 EPCI x A4/A3 x paysage/portrait, from the layout (the same one render_sheet uses)."""
    terr = base.terr
    checked = 0
    for siren, (paper, orientation) in itertools.product(terr.sirens, PAPERS):
        layout = sheet_layout(terr, SheetOptions(epci=siren, paper=paper, orientation=orientation))
        fig = plt.figure(figsize=layout.size, dpi=72)
        try:
            ax = fig.add_axes(layout.map_rect)
            ax.set_aspect("equal")
            ax.set_xlim(*layout.xlim)
            ax.set_ylim(*layout.ylim)
            ax.apply_aspect()
            outline = shapely.union_all(terr.epci.loc[terr.epci["siren"] == siren].geometry.to_numpy()).boundary
            box, drawn, map_box = _inset_and_outline(fig, ax, layout.inset_rect, outline)
            where = f"{siren} {paper} {orientation} ({layout.corner})"
            assert not box.intersects(drawn), where
            assert map_box.contains(box), where  # inside the map frame, not over the column
            assert map_box.contains(drawn), where  # the EPCI is still wholly on the map
            checked += 1
        finally:
            plt.close(fig)
    assert checked == 80


def test_rendered_inset_is_framed_and_off_the_outline(base):
    """On a real sheet (Arras, whose old inset covered its outline), in both orientations."""
    for orientation in ("paysage", "portrait"):
        fig = render_view(base, SheetRequest(Filters(epci="200033579"), "A4", orientation, day=date(2019, 5, 1)))
        try:
            fig.canvas.draw()
            map_ax = fig.axes[0]
            inset = next(a for a in fig.axes if a.get_gid() == "locator")
            assert all(s.get_visible() and s.get_linewidth() > 0 for s in inset.spines.values())
            assert inset.get_facecolor()[:3] == (1.0, 1.0, 1.0)
            outline = next(c for c in map_ax.collections if c.get_gid() == "epci-outline")
            inset_box = inset.get_window_extent()
            box = shapely.box(inset_box.x0, inset_box.y0, inset_box.x1, inset_box.y1)
            for path in outline.get_paths():
                line = shapely.LineString(map_ax.transData.transform(path.vertices))
                assert not box.intersects(line), orientation
            assert inset.get_position().bounds == pytest.approx(fig.geodash_layout.inset_rect)
        finally:
            plt.close(fig)

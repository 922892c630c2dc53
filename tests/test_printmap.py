"""Print sheets: legend, labels without overlap, exact paper size, stable look."""

from __future__ import annotations

import io
import itertools
from dataclasses import replace
from datetime import date

import matplotlib.pyplot as plt
import pytest
from matplotlib.testing.compare import compare_images
from PIL import Image

from geodash.atlas import SheetRequest, figure_bytes, render_view
from geodash.printmap import label_boxes
from geodash.selection import Filters, load_base

ARRAS = "200033579"
TERNOIS = "200069672"
DEUX_BAIES = "200069029"
BASELINE = "tests/baseline/arras_a4_paysage.png"


@pytest.fixture(scope="module")
def base():
    return load_base(with_road_lengths=False)


@pytest.fixture
def sheet(base):
    figs = []

    def make(epci, filters: Filters | None = None, **kw):
        fig = render_view(base, SheetRequest(replace(filters or Filters(), epci=epci), day=date(2019, 5, 1), **kw))
        figs.append(fig)
        return fig

    yield make
    for fig in figs:
        plt.close(fig)


@pytest.mark.parametrize("epci", [ARRAS, TERNOIS])
def test_no_two_labels_overlap(sheet, epci):
    fig = sheet(epci)
    boxes = label_boxes(fig)
    assert len(boxes) >= 5
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


def test_png_a4_landscape_300dpi_is_3508x2480(sheet):
    png = figure_bytes(sheet(ARRAS), "png")
    image = Image.open(io.BytesIO(png))
    assert image.size == (3508, 2480)
    assert round(image.info["dpi"][0]) == 300


@pytest.mark.parametrize(
    "paper, orientation, size",
    [
        ("A4", "portrait", (2480, 3508)),
        ("A3", "paysage", (4961, 3508)),
    ],
)
def test_other_papers(sheet, paper, orientation, size):
    fig = sheet(ARRAS, paper=paper, orientation=orientation)
    assert tuple(round(x * 300) for x in fig.get_size_inches()) == size


def test_legend_lists_only_what_is_drawn(sheet):
    fig = sheet(ARRAS, filters=Filters(themes=["Culture"]))
    texts = (
        [t.get_text() for t in fig.legends[0].get_texts()]
        if fig.legends
        else [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    )
    assert any(t.startswith("Culture (") for t in texts)
    assert not any(t.startswith(("Sport (", "Aménagement (", "Solidarité (", "Education (")) for t in texts)


def test_sheet_looks_like_the_baseline(sheet, tmp_path):
    """Guards the look of one EPCI sheet (rendered at 60 dpi; RMS tolerance 6 on 0-255)."""
    fig = sheet(ARRAS)
    out = tmp_path / "arras.png"
    fig.savefig(out, dpi=60)
    result = compare_images(BASELINE, str(out), tol=6)
    assert result is None, result


@pytest.mark.parametrize("siren", [DEUX_BAIES, TERNOIS])
def test_side_column_texts_stay_apart_and_keep_names_on_a_crowded_sheet(sheet, siren):
    """Deux Baies (80 projects), Ternois (names holding « – »): the column's texts neither overlap nor
    leave the sheet, and an item is only shortened when the column is full (measured on the rendered text)."""
    fig = sheet(siren)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    col = fig.axes[-1]
    boxes = [t.get_window_extent(renderer) for t in col.texts]
    assert len(boxes) >= 3  # bilan, then two columns of lists
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    sheet_box = fig.bbox
    assert all(sheet_box.x0 <= b.x0 and b.x1 <= sheet_box.x1 and b.y0 >= sheet_box.y0 for b in boxes)
    text = "\n".join(t.get_text() for t in col.texts)
    assert "Le Département sur le territoire, 2015-2018" in text
    if "(voir le tableau)" not in text:  # everything listed: names not cut to a stub
        assert not any(len(r.split("…")[0].strip("• ")) < 12 for r in text.splitlines() if "…" in r)

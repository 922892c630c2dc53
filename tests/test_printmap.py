"""Print sheets: legend, labels without overlap, exact paper size, stable look."""

from __future__ import annotations

import io
import itertools
from dataclasses import replace
from datetime import date

import matplotlib.pyplot as plt
import pytest
from matplotlib.testing.compare import compare_images
from matplotlib.text import Text
from PIL import Image

from geodash import style
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


# --- The follow-up since the contract -------------------------------------------------------------------

STATES = ["vote", "verse", "realise", "abandonne", "reporte", "retard"]


def _with_follow_up(base, epci: str):
    """``base`` whose projects carry the follow-up columns selection adds: the contract's state, but for
    six of ``epci``'s placed projects (one per badge)."""
    placed, unplaced = base.placed.copy(), base.unplaced.copy()
    for frame in (placed, unplaced):
        frame["etat"] = frame["periode"].map({"2015-2018": "vote", "à venir": "annonce"})
        frame["en_retard"] = False
        frame["suivi_enregistre"] = False
        frame["suivi"] = "pas d'information de suivi"
    mine = placed.index[(placed["epci_siren"] == epci) & (placed["periode"] == "à venir")]
    for idx, badge in zip(mine, STATES):
        placed.loc[idx, ["etat", "en_retard"]] = ["vote", True] if badge == "retard" else [badge, False]
        placed.loc[idx, "suivi_enregistre"] = True
    return replace(base, placed=placed, unplaced=unplaced)


def _legend_texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def test_markers_carry_their_badge_and_the_legend_its_group(base):
    fig = render_view(_with_follow_up(base, ARRAS), SheetRequest(Filters(epci=ARRAS), day=date(2024, 5, 1)))
    try:
        ax = fig.axes[0]
        discs = [line for line in ax.lines if (line.get_gid() or "").startswith("badge-")]
        assert sorted(line.get_gid() for line in discs) == sorted(f"badge-{b}" for b in STATES)
        markers = [line for line in ax.lines if line.get_gid() is None and line.get_marker() != "o"]
        assert min(line.get_zorder() for line in discs) > max(line.get_zorder() for line in markers)
        glyphs = [t for t in ax.texts if t.get_gid() == "badge-glyph"]
        assert sorted(t.get_text() for t in glyphs) == sorted(style.BADGES[b].glyph for b in STATES)
        assert all(not t.get_parse_math() for t in glyphs)
        # No label covers a badge.
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        badge_boxes = [d.get_window_extent(renderer) for d in discs]
        for label in label_boxes(fig):
            assert not any(label.overlaps(b) for b in badge_boxes)
        texts = _legend_texts(fig)
        start = texts.index("Suivi depuis le contrat")
        assert texts[start + 1 : start + 8] == [
            "Voté (1)",
            "Versé, en partie ou en totalité (1)",
            "Réalisé (1)",
            "Abandonné (1)",
            "Reporté (1)",
            "En retard sur le calendrier prévu (1)",
            "Sans pastille : état prévu par le contrat de 2019",
        ]
        # The legend's badges draw their glyph too.
        leg = fig.axes[-1].get_legend()
        drawn = [c.get_text() for c in leg.findobj(Text) if c.get_text() in {b.glyph for b in style.BADGES.values()}]
        assert sorted(drawn) == sorted(style.BADGES[b].glyph for b in STATES)
    finally:
        plt.close(fig)


def test_a_sheet_without_follow_up_has_no_badge(sheet):
    fig = sheet(ARRAS)
    assert not [line for ax in fig.axes for line in ax.lines if (line.get_gid() or "").startswith("badge-")]
    assert "Suivi depuis le contrat" not in _legend_texts(fig)

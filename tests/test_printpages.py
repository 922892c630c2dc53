"""``geodash.printpages``: cells wrapped to their column, long tables continued on the next pages with their
header and heading, nothing off the page or overlapping, text drawn as written."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from geodash.printpages import SIZES, Band, Heading, Paragraph, Table, flow_pages, text_width, wrap_text

BAND = Band(
    "Point d'étape : Communauté de communes du Pays de Lumbres",
    "Avancement du contrat",
    "Sources : x",
    "Réalisation : y",
)
HOSTILE = "$x^2$ <b>{y}</b> \\n {{ z }}"


def test_wrap_text_keeps_words_whole_and_fits_the_width():
    text = "Rénovation de la salle de sport intercommunale de Lumbres : 1\u00a0443\u00a0000\u00a0€"
    lines = wrap_text(text, 90, 7.5)
    assert len(lines) > 1 and " ".join(lines) == text
    assert all(text_width(line, 7.5) <= 90 for line in lines)
    assert "1\u00a0443\u00a0000\u00a0€" in lines[-1]  # an amount never breaks
    long_word = wrap_text("Béthune-Bruay-Artois-Lys-Romane-" * 4, 60, 7.5)
    assert all(text_width(line, 7.5) <= 60 for line in long_word)
    assert "".join(long_word) == "Béthune-Bruay-Artois-Lys-Romane-" * 4
    assert wrap_text("a\x00b\nc", 100, 7.5) == ["ab", "c"]


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def pages():
    rows = [
        {
            "Projet": ("Très long intitulé " * (12 if i == 3 else 1)) + f"n° {i} " + HOSTILE,
            "Montant": f"{i}\u00a0000\u00a0€",
        }
        for i in range(90)
    ]
    blocks = [Heading("Changements"), Paragraph("Une phrase. " * 40), Table(pd.DataFrame(rows), right=("Montant",))]
    return flow_pages(blocks, BAND, first=2, before=1)


def test_a_long_table_goes_on_over_pages_with_its_heading_and_header(pages):
    assert len(pages) >= 3
    words = [[t.get_text() for t in _texts(fig)] for fig in pages]
    assert "Changements" in words[0] and "Changements (suite)" in words[1]
    assert all(w.count("Projet") == 1 and w.count("Montant") == 1 for w in words)
    assert (
        words[0][-1] == f"page 2 sur {len(pages) + 1}"
        and words[-1][-1] == f"page {len(pages) + 1} sur {len(pages) + 1}"
    )
    found = [w for page in words for w in page if "n° " in w]
    assert sum(f"n° {i} " in w for w in found for i in range(90)) >= 90  # every row drawn, none lost


def test_nothing_off_the_page_nor_overlapping_and_text_as_written(pages):
    for fig in pages:
        renderer = FigureCanvasAgg(fig).get_renderer()
        width, height = fig.bbox.width, fig.bbox.height
        texts = _texts(fig)
        assert all(not t.get_parse_math() and not t.get_usetex() for t in texts)
        boxes = [t.get_window_extent(renderer) for t in texts]
        for box in boxes:
            assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height
        for i, a in enumerate(boxes):
            assert not any(a.overlaps(b) for b in boxes[i + 1 :]), texts[i].get_text()
        assert any(HOSTILE in t.get_text() or "$x^2$" in t.get_text() for t in texts)
        for t in texts:
            assert t.get_fontsize() <= SIZES["title"]

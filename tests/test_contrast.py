"""Colours of the map against what they are drawn on (WCAG 1.4.11, non-text contrast: at least 3:1), and
colour never alone: the choropleth's values are written in the ranking, beside every map that shows them.

Contrast ratio and relative luminance as WCAG 2.1 defines them; a fill drawn with an opacity is blended
over what is under it first.
"""

from __future__ import annotations

import pytest

from geodash import style
from geodash import viewmodel as vm

MINIMUM = 3.0
#: Text against its background (WCAG 1.4.3, normal text): a badge's glyph is small.
TEXT_MINIMUM = 4.5


@pytest.fixture(scope="module")
def base():
    from geodash.selection import load_base

    return load_base(with_road_lengths=False)


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""

    def linear(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def blend(top: str, bottom: str, opacity: float) -> str:
    """``top`` drawn at ``opacity`` over ``bottom``."""
    channels = (
        round(opacity * int(top[i : i + 2], 16) + (1 - opacity) * int(bottom[i : i + 2], 16)) for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02X}" for c in channels)


BG = style.MAP_BACKGROUND
#: What a project marker can be drawn on: the chosen EPCI's communes (land), the faded territories around it
#: (drawn at their opacity over the map's outside), the outside itself (a marker near the coast), white
#: (the legend's box).
MARKER_GROUNDS = {
    "land": BG["land"],
    "faded": blend(BG["faded"], BG["outside"], BG["faded_opacity"]),
    "outside": BG["outside"],
    "legend": "#FFFFFF",
}


def test_the_formulas_are_wcag_s():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the usual 4.5:1 grey
    assert blend("#000000", "#FFFFFF", 0.5) == "#808080"


@pytest.mark.parametrize("theme", list(style.THEMES))
@pytest.mark.parametrize("ground", list(MARKER_GROUNDS))
def test_theme_colours_stand_out_from_every_ground_of_a_marker(theme, ground):
    ratio = contrast(style.THEMES[theme].color, MARKER_GROUNDS[ground])
    assert ratio >= MINIMUM, (theme, ground, round(ratio, 2))


@pytest.mark.parametrize("badge", list(style.BADGES))
@pytest.mark.parametrize("ground", list(MARKER_GROUNDS))
def test_follow_up_badges_stand_out_from_every_ground_of_a_marker(badge, ground):
    ratio = contrast(style.BADGES[badge].color, MARKER_GROUNDS[ground])
    assert ratio >= MINIMUM, (badge, ground, round(ratio, 2))


@pytest.mark.parametrize("badge", list(style.BADGES))
def test_a_badge_s_glyph_reads_on_its_disc(badge):
    """The glyph is white (both media draw it so), at least 4.5:1 on the badge's colour."""
    ratio = contrast(style.OUTLINES["white"], style.BADGES[badge].color)
    assert ratio >= TEXT_MINIMUM, (badge, round(ratio, 2))


def test_badges_are_told_apart_by_their_glyph_not_their_colour_alone():
    glyphs = [b.glyph for b in style.BADGES.values()]
    assert len(set(glyphs)) == len(glyphs)


@pytest.mark.parametrize("index", range(len(style.CHOROPLETH)))
def test_choropleth_classes_stand_out_from_the_map_background(index):
    """Each class as drawn (at the web's opacity over the map's outside, and plain in print on white)
    against the map's outside and the land colour."""
    colour = style.CHOROPLETH[index]
    drawn = {"web": blend(colour, BG["outside"], style.WEB["choropleth_opacity"]), "print": colour}
    for medium, fill in drawn.items():
        for ground in ("outside", "land"):
            ratio = contrast(fill, BG[ground])
            assert ratio >= MINIMUM, (colour, medium, ground, round(ratio, 2))
        assert contrast(fill, "#FFFFFF") >= MINIMUM  # the print sheet's paper


def test_choropleth_classes_are_ordered_dark_to_the_top():
    """Light to dark: the order reads without telling hues apart (colour-blind readers, black and white)."""
    lum = [luminance(c) for c in style.CHOROPLETH]
    assert lum == sorted(lum, reverse=True)
    # Neighbouring classes apart by a visible step of lightness.
    assert all(contrast(a, b) >= 1.2 for a, b in zip(style.CHOROPLETH, style.CHOROPLETH[1:]))


def test_themes_have_a_shape_each():
    """Colour is never the only cue of a theme."""
    shapes = [t.shape for t in style.THEMES.values()]
    assert len(set(shapes)) == len(shapes)


def test_the_choropleth_values_are_written_in_the_ranking(base):
    """The values the choropleth shows in colours are text in the ranking the département's map page and
    /comparaison show beside it: one row per EPCI, each with its value (or why there is none)."""
    for indicator in vm.indicators(base).values():
        table, reference = vm.ranking(base, indicator)
        assert len(table) == len(base.terr.sirens) and reference
        assert table["Valeur"].str.len().gt(0).all()
        assert set(table.columns) >= {"Rang", "Intercommunalité", "Valeur"}

"""French amounts as users read them, and numbers as the source document writes them."""

import pytest

from geodash import settings
from geodash.formatting import (
    NBSP,
    format_eur,
    format_eur_short,
    format_per_inhabitant,
    format_value,
    numbers_in_text,
    parse_number,
    precision_prefix,
    precision_word,
)


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


@pytest.mark.parametrize(
    "value, expected",
    [
        (1443000, "1 443 000 €"),
        (417000, "417 000 €"),
        (52357.2, "52 357,20 €"),
        (0, "0 €"),
        (None, "montant non précisé"),
    ],
)
def test_format_eur(value, expected):
    assert plain(format_eur(value)) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (1_300_000, "1,3 million €"),
        (1_000_000, "1 million €"),
        (10_600_000, "10,6 millions €"),
        (2_000_000, "2 millions €"),
        (417_000, "417 000 €"),
        (1_049_999, "1,05 million €"),
        # Three significant digits, half up in decimal: binary floats made 1 650 000 read "1,6".
        (1_650_000, "1,65 million €"),
        (1_005_000, "1,01 million €"),
        (18_110_000, "18,1 millions €"),
        (9_996_000, "10 millions €"),
        (1_995_000, "2 millions €"),
        (123_456_789, "123 millions €"),
    ],
)
def test_format_eur_short(value, expected):
    assert plain(format_eur_short(value)) == expected


def test_per_inhabitant():
    assert plain(format_per_inhabitant(12.345)) == "12,35 € / hab."


@pytest.mark.parametrize(
    "text, value",
    [
        ("1443000", 1443000),
        ("52357.2", 52357.2),
        ("1 443 000", 1443000),
        ("52 357,2", 52357.2),
        ("1\u00a0443\u00a0000", 1443000),
        ("-5", -5),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["12 000 €", "1.443.000", "abc", "", "1,2,3", "12 34"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_numbers_in_text():
    found = numbers_in_text("Plus de 6,90 millions d'euros et 420 600 € ; 1,37 million ; Total : 366 200 €")
    assert {6_900_000, 420_600, 1_370_000, 366_200} <= found
    assert 1_000_000 in numbers_in_text("un million d'euros")


def test_a_minimum_reads_au_moins_and_an_approximate_figure_environ():
    """One wording whatever the vocabulary of the precision: the data's codes or the bilan's words."""
    assert precision_prefix("minimum") == precision_prefix("au moins") == "au moins "
    assert precision_prefix("environ") == "environ "
    assert precision_prefix("exact") == precision_prefix("") == precision_prefix("inconnu") == ""
    assert [precision_word(p) for p in ("exact", "minimum", "au moins", "environ")] == [
        "exact",
        "au moins",
        "au moins",
        "environ",
    ]
    assert plain(format_value(6_900_000, "EUR", "minimum")) == "au moins 6,9 millions €"
    assert plain(format_value(412_000, "EUR", "environ")) == "environ 412 000 €"


def test_one_thousands_separator_in_the_code():
    """Numbers are written by format_number (U+00A0), never with another separator by hand (the
    formatting module reads every space when it parses a number)."""
    package = settings.REPO_DIR / "src" / "geodash"
    for path in sorted(set(package.rglob("*.py")) - {package / "formatting.py"}):
        text = path.read_text(encoding="utf-8")
        assert "\u202f" not in text and "\\u202f" not in text, path  # narrow no-break space
        assert ':,}".replace(' not in text and ':,.0f}".replace(' not in text, path

"""French numbers and amounts: the one formatter for every figure a user reads.

French typography: thousands separated by a no-break space, decimal comma, a no-break space before
the unit ("1 443 000 €", "1,3 million €", "10,6 millions €").
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "NBSP",
    "format_number",
    "format_eur",
    "format_eur_short",
    "format_per_inhabitant",
    "format_value",
    "format_percent",
    "PRECISION_WORDS",
    "MINIMUM_NOTE",
    "precision_word",
    "precision_prefix",
    "parse_number",
    "numbers_in_text",
]

NBSP = "\u00a0"


def format_number(value: float, decimals: int = 0) -> str:
    """``1443000`` → ``"1 443 000"``; ``52357.2, 2`` → ``"52 357,20"``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def format_eur(value: float | None) -> str:
    """Full amount in euros: ``"1 443 000 €"``; cents only when there are any."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "montant non précisé"
    decimals = 0 if float(value).is_integer() else 2
    return f"{format_number(value, decimals)}{NBSP}€"


def format_percent(share: float | None) -> str:
    """A share as French percent: ``0.234`` → ``"23 %"``; ``"–"`` when there is no share to give."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{format_number(round(share * 100))}{NBSP}%"


def format_eur_short(value: float | None) -> str:
    """Map-label amount: millions to three significant digits, rounded half up, trailing zeros dropped
    ("1,65 million €", "18,1 millions €", "10,6 millions €", "1 million €"); below a million, in full.

    Three digits keep the contracts' own figures ("1,65 M€", l. 9643) and never more precision than a
    label needs. Rounding is done in decimal so that 1 650 000 does not become "1,6" through binary floats.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "montant non précisé"
    if abs(value) >= 1_000_000:
        millions = Decimal(repr(float(value))) / 1_000_000
        digits = max(0, 3 - len(str(int(abs(millions)))))
        rounded = millions.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        if abs(rounded) >= 10 ** (3 - digits) and digits:  # 9,995 → 10,0: one digit fewer
            rounded = rounded.quantize(Decimal(1).scaleb(-(digits - 1)), rounding=ROUND_HALF_UP)
        text = format(rounded.normalize(), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        whole, _, frac = text.partition(".")
        text = format_number(int(whole), 0) + (f",{frac}" if frac else "")
        unit = "million" if abs(rounded) < 2 else "millions"
        return f"{text}{NBSP}{unit}{NBSP}€"
    return format_eur(round(value))


def format_per_inhabitant(value: float | None, decimals: int = 2) -> str:
    """Euros per inhabitant, two decimals unless told: ``"12,34 € / hab."`` (``decimals=0``: ``"12 € / hab."``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{format_number(value, decimals)}{NBSP}€{NBSP}/{NBSP}hab."


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_FRENCH = re.compile(r"^-?\d{1,3}( \d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


def parse_number(text: str) -> float:
    """Parse a number written plainly (``1443000``, ``52357.2``) or in French (``1 443 000``, ``52 357,2``).

    Raises
    ------
    ValueError
        With a French message, for anything else (units, letters, several separators).
    """
    raw = text.strip()
    if _PLAIN.match(raw):
        return float(raw)
    spaced = _SPACES.sub(" ", raw)
    if _FRENCH.match(spaced):
        return float(spaced.replace(" ", "").replace(",", "."))
    raise ValueError(f"« {text} » n'est pas un nombre (attendu : 1443000, 52357.2 ou 1 443 000)")


# A number as the source document writes it, optionally followed by "million(s)".
_IN_TEXT = re.compile(
    r"(?<![\d,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,(\d+))?(\s*millions?|\s*M€)?",
    re.IGNORECASE,
)


def numbers_in_text(text: str) -> set[float]:
    """Every amount written in a French text, millions expanded (``"1,37 million"`` → 1370000.0).

    Used to check that each value of the project files appears on the lines of the source
    document it cites.
    """
    found: set[float] = set()
    for whole, frac, million in _IN_TEXT.findall(text):
        value = float(_SPACES.sub("", whole) + ("." + frac if frac else ""))
        found.add(round(value, 2))
        if million:
            found.add(round(value * 1_000_000, 2))
    if re.search(r"\bun million", text, re.IGNORECASE):
        found.add(1_000_000.0)
    return found


#: The word of each precision: the codes of ``chiffres_cles.csv`` (``exact``, ``minimum``, ``environ``)
#: and the bilan's, which are these words. A figure that is a minimum reads « au moins » (the contracts'
#: « plus de », and a sum with a lower bound or a missing amount among its parts); an approximate one
#: « environ » (the contracts' « près de »): one wording on every page, sheet and file.
PRECISION_WORDS = {"exact": "exact", "minimum": "au moins", "au moins": "au moins", "environ": "environ"}

#: The note under a list of figures some of which are minimums.
MINIMUM_NOTE = "« au moins » : le contrat ne donne qu'un minimum pour ce chiffre ou l'une de ses parties"


def precision_word(precision: str) -> str:
    """``"minimum"`` → ``"au moins"``, ``"environ"`` → ``"environ"``, ``"exact"`` → ``"exact"`` (see
    :data:`PRECISION_WORDS`); an unknown precision is returned as it is."""
    return PRECISION_WORDS.get(precision, precision)


def precision_prefix(precision: str) -> str:
    """What is written before a figure of this precision: ``"au moins "``, ``"environ "``, or ``""`` for
    an exact figure or an unknown precision."""
    word = PRECISION_WORDS.get(precision, "exact")
    return "" if word == "exact" else f"{word} "


def format_value(value: float | None, unit: str, precision: str = "exact", *, decimals: int = 2) -> str:
    """A stated figure with its precision: ``"au moins 12,3 millions €"``, ``"environ 412 000 €"``,
    ``"au moins 123,45 € / hab."``, ``"17,2 pour 1 000 hab."``; ``"montant non précisé"`` when unknown.

    ``unit`` is ``"EUR"`` (or ``"€"``), ``"EUR/hab"`` or a count unit written after the number;
    ``decimals`` applies to euros per inhabitant (maps round them to the euro).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "montant non précisé" if unit in ("EUR", "€", "EUR/hab") else "non précisé"
    prefix = precision_prefix(precision)
    if unit in ("EUR", "€"):
        text = format_eur_short(value)
    elif unit == "EUR/hab":
        text = format_per_inhabitant(value, decimals)
    else:
        text = f"{format_number(value, 0 if float(value).is_integer() else 1)}{NBSP}{unit}"
    return prefix + text

"""Text keys shared by the whole package: accent folding and slugs.

One helper so that a search, a configuration value and a file name compare text the same way.
"""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = ["fold", "slug", "cell_text"]


def cell_text(value: object) -> str:
    """Cell as text; missing values become ``""``; ``12.0`` (a float column) becomes ``"12"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if type(value).__name__ == "NAType":  # pandas.NA, without importing pandas here
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fold(value: object) -> str:
    """Lower case, no accents, single spaces: ``"  Départementale "`` → ``"departementale"``.

    Missing values (``None``, NaN) fold to ``""``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.lower()).strip()


def slug(value: object, sep: str = "-") -> str:
    """ASCII letters and digits of the folded text, runs of anything else as ``sep``.

    ``slug("Béthune-Bruay, Artois")`` → ``"bethune-bruay-artois"``; ``sep=""`` glues the words.
    """
    return re.sub(r"[^a-z0-9]+", sep, fold(value)).strip(sep) if sep else re.sub(r"[^a-z0-9]", "", fold(value))

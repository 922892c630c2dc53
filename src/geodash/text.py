"""Text keys shared by the whole package: accent folding and slugs.

One helper so that a search, a configuration value and a file name compare text the same way.
"""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = ["fold", "slug", "cell_text", "plain", "public_message"]

# An absolute path (POSIX or Windows) up to its last component: ``/srv/geodash/data/geo/x.gpkg``.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[\\/](?:[^\s\\/:'\"«»()]+[\\/])+(?=[^\s\\/'\"«»()]*)")


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$])")


def plain(text: str) -> str:
    """``text`` (which may hold names from data) for Markdown (``st.markdown``, a LISEZMOI.md): markdown
    characters escaped, so that it reads as written."""
    return _MARKDOWN.sub(r"\\\1", text)


def public_message(message: str, paths: tuple[object, ...] = ()) -> str:
    """``message`` for a visitor: every server path cut to its file name (``territoires.gpkg``).

    ``paths`` are removed first, whole (a path with spaces is not cut by the pattern); the full
    message goes to the server's log, for the staff.
    """
    text = str(message)
    for path in sorted((str(p) for p in paths if p), key=len, reverse=True):
        text = text.replace(path, path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1])
    return _ABSOLUTE_PATH.sub("", text)


def cell_text(value: object) -> str:
    """Cell as text; missing values become ``""``; ``12.0`` (a float column) becomes ``"12"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if type(value).__name__ == "NAType":  # pandas.NA, without importing pandas here
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Marks(dict):
    """``str.translate`` table dropping combining marks (accents), filled as characters are met."""

    def __missing__(self, code: int) -> str:
        kept = "" if unicodedata.combining(chr(code)) else chr(code)
        self[code] = kept
        return kept


_MARKS = _Marks()
_SPACES = re.compile(r"\s+")


def fold(value: object) -> str:
    """Lower case, no accents, single spaces: ``"  Départementale "`` → ``"departementale"``.

    Missing values (``None``, NaN) fold to ``""``. The marks are dropped with one table lookup per
    character (the search text of a thousand projects is folded when the data are loaded).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_MARKS)
    return _SPACES.sub(" ", text.lower()).strip()


def slug(value: object, sep: str = "-") -> str:
    """ASCII letters and digits of the folded text, runs of anything else as ``sep``.

    ``slug("Béthune-Bruay, Artois")`` → ``"bethune-bruay-artois"``; ``sep=""`` glues the words.
    """
    return re.sub(r"[^a-z0-9]+", sep, fold(value)).strip(sep) if sep else re.sub(r"[^a-z0-9]", "", fold(value))

"""Text shared by the whole package: accent folding and slugs, and the one escaping of each medium.

One helper so that a search, a configuration value and a file name compare text the same way; one
escaping per medium (HTML, Markdown, spreadsheets and print: control characters) so that text from a file, the database
or a URL is always shown as written and never read as markup, a template, a formula or code.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata

__all__ = [
    "fold",
    "slug",
    "cell_text",
    "public_message",
    "html_text",
    "markdown_text",
    "visible_text",
]

# An absolute path (POSIX or Windows) up to its last component: ``/srv/geodash/data/geo/x.gpkg``.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[\\/](?:[^\s\\/:'\"«»()]+[\\/])+(?=[^\s\\/'\"«»()]*)")


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


# --- Escaping, once per medium -----------------------------------------------------------------------------

# Characters a template engine reads (``{{``, ``{%``, ``{#``): escaped too, so that no HTML we write
# can ever be read as a template by whatever handles it next.
_HTML_EXTRA = str.maketrans({"{": "&#123;", "}": "&#125;"})
# NUL and the other control characters (C0 but tab and newline, DEL, C1): never meaningful in a name
# or a remark, and some renderers stop or fail on them (XML, PDF fonts).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible_text(value: object) -> str:
    """``value`` as text without control characters (NUL, escapes); tabs and line breaks kept."""
    return _CONTROLS.sub("", cell_text(value) if not isinstance(value, str) else value)


def html_text(value: object) -> str:
    """``value`` as HTML text: ``& < > " '`` as entities, and ``{ }`` too, so that no HTML element
    and no template syntax can come out of it; controls removed. Missing values give ``""``."""
    return html.escape(visible_text(value), quote=True).translate(_HTML_EXTRA)


# CommonMark lets a backslash escape any ASCII punctuation: escaping all of it leaves no emphasis,
# link, image, HTML, formula (``$``), directive (``:red[…]``) or list marker in the text.
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_text(value: object) -> str:
    """``value`` shown literally by a Markdown renderer (Streamlit's ``st.markdown``, labels, alerts):
    every ASCII punctuation backslash-escaped, line breaks kept as line breaks, controls removed."""
    lines = visible_text(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(_LEADING.sub(_blank_entities, _MARKDOWN.sub(r"\\\1", line)) for line in lines)


# Spaces opening a line would make it a code block (four or more): written as entities, they stay text.
_LEADING = re.compile(r"^[ \t]+")


def _blank_entities(match: re.Match) -> str:
    return "".join(f"&#{ord(c)};" for c in match.group(0))

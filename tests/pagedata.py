"""The data our map scripts receive, read back from a rendered page (:class:`geodash.mapscript.DataScript`)."""

from __future__ import annotations

import json
import re

_VALUE = re.compile(r"JSON\.parse\('((?:[^'\\]|\\.)*)'\)")


def script_values(page: str) -> list:
    """Every value a script of ``page`` receives through :func:`geodash.text.script_value`, in order."""
    # The literal's escapes are JSON's (\\uXXXX, doubled backslashes); its double quotes are bare.
    return [json.loads(json.loads('"' + m.group(1).replace('"', '\\"') + '"')) for m in _VALUE.finditer(page)]


def overlay(page: str) -> dict:
    """The map overlay's data (legend, projects, labels, position) of ``page``."""
    (found,) = [v for v in script_values(page) if isinstance(v, dict) and "legend" in v]
    return found


def context(page: str) -> dict:
    """The context layers' data of ``page``."""
    (found,) = [v for v in script_values(page) if isinstance(v, dict) and "layers" in v]
    return found


def markdown_shown(source: str) -> str:
    """The text a Markdown element shows for ``source`` written by :func:`geodash.text.markdown_text`."""
    return re.sub(r"\\(.)", r"\1", source).replace("  \n", "\n")

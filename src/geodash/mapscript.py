"""Our own scripts on a folium map: fixed code and the view's data, added to the map's page as written.

folium renders each of its elements from a Jinja2 template, and branca compiles that output once
more as a template when it adds it to the page: any ``{{ … }}``, ``{% … %}`` or ``{# …`` that data
put in an element's output is evaluated then (a name could run code on the server, an unbalanced
brace breaks the page). Our scripts therefore never go through a template: :class:`DataScript` adds
its text to the page's scripts itself, the data passed as one JSON value (:func:`geodash.text.script_value`).
Text in folium's own elements (GeoJSON properties, tooltips) is escaped by :func:`geodash.text.html_text`,
which leaves no brace in it.
"""

from __future__ import annotations

import re

from branca.element import Element, MacroElement

from .text import script_value

__all__ = ["DataScript"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Text(Element):
    """A piece of the page written as is (``render`` returns the text; nothing is compiled)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class DataScript(MacroElement):
    """``function_code(map, *layers, data)`` called when the map is drawn.

    Parameters
    ----------
    function_code
        A JavaScript function expression (our own code, from ``static/``).
    map_name, layer_names
        Names folium gave the map and the layers the function receives (``get_name()``), or ``None``
        for a missing layer: JavaScript identifiers, checked.
    data
        JSON-compatible values, reaching the script only through :func:`geodash.text.script_value`.
    """

    def __init__(self, function_code: str, map_name: str, data: object, layer_names: tuple[str | None, ...] = ()):
        super().__init__()
        names = (map_name, *layer_names)
        if not all(n is None or _NAME.match(n) for n in names):
            raise ValueError(f"not JavaScript identifiers: {names}")
        args = ", ".join([*(n or "null" for n in names), script_value(data)])
        self.text = f"{function_code.strip().rstrip(';')}({args});\n"

    def render(self, **kwargs) -> None:
        self.get_root().script.add_child(_Text(self.text), name=self.get_name())

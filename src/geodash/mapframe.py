"""The web map in the page: one Leaflet frame kept across reruns, each view drawn into it in place.

``st_folium`` names its component after the map's whole script, so every new view (another EPCI, a
filter) was a new iframe: the browser parsed Leaflet and the map script again and the server
rendered the folium map twice. Here the frame is created once from an empty map
(:func:`geodash.webmap.new_map`, the same for every view) under a key that only names the page's
kind of map; a view is the script of the map's layers and overlay, handed to the frame through
streamlit-folium's own "feature group" argument, which the frame evaluates whenever it changes.
The script first undoes the previous view (``window.gdCleanup``, then every layer), so a view never
sees what another one drew.

Nothing here decides what the map shows: :func:`geodash.webmap.build_map` does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import folium
import streamlit_folium

from . import webmap

__all__ = ["FrameBase", "base", "view_script", "show", "RESET"]

#: Undo the previous view: the overlay's own cleanup (controls, listeners, timers, DOM), every layer,
#: the readiness marks. Runs first in every view script.
RESET = """(function() {
  var map = map_div, steps = window.gdCleanup || [];
  window.gdCleanup = [];
  steps.forEach(function(f) { try { f(); } catch (e) { console.error(e); } });
  map.eachLayer(function(l) { map.removeLayer(l); });
  ['data-gd-ready', 'data-gd-settled', 'data-gd-context'].forEach(function(a) {
    map.getContainer().removeAttribute(a);
  });
})();
"""


@dataclass(frozen=True)
class FrameBase:
    """What creates the frame: the empty map's script, page parts and Leaflet's links."""

    script: str
    html: str
    header: str
    js_links: tuple[str, ...]
    css_links: tuple[str, ...]


@functools.cache
def base() -> FrameBase:
    """The frame of every web map (the same for all views, computed once per process)."""
    m = webmap.new_map()
    m.get_root().render()
    html, header = streamlit_folium._get_html(m), streamlit_folium._get_header(m)
    return FrameBase(
        script=streamlit_folium._get_map_string(m),  # last: it renames the map's elements
        html=html,
        header=header,
        js_links=tuple(src for _, src in m.default_js),
        css_links=tuple(href for _, href in m.default_css),
    )


def view_script(fmap: folium.Map) -> str:
    """The script that draws ``fmap``'s layers and overlay into the kept frame.

    Each child of the map is written as streamlit-folium writes it (short variable names) and the
    map's own name becomes the frame's ``map_div``. Raises ``ValueError`` when a child needs a
    script or style sheet that the frame does not load.
    """
    fmap.render()  # prepares the children (GeoJSON style maps); the map's own script is the frame's
    frame = base()
    for element in _elements(fmap):
        extra = {src for _, src in getattr(element, "default_js", [])} - set(frame.js_links)
        extra |= {href for _, href in getattr(element, "default_css", [])} - set(frame.css_links)
        if extra and element is not fmap:
            raise ValueError(f"{type(element).__name__} needs {sorted(extra)}, which the map frame does not load")
    name = streamlit_folium.get_full_id(fmap)
    parts = [
        streamlit_folium.generate_leaflet_string(child, base_id=f"div_{i}")
        for i, child in enumerate(fmap._children.values())
    ]
    return RESET + "\n".join(parts).replace(name, "map_div")


def _elements(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def show(
    fmap: folium.Map,
    *,
    key: str,
    height: int,
    returned_objects: list[str] | None = None,
) -> dict | None:
    """Draw ``fmap`` in the page's map frame named ``key`` (created on the first call, then kept).

    ``key`` names the kind of map, not the view: the frame is kept as long as the key is the same
    (and the frame's settings, such as ``height`` and ``returned_objects``, are those of its first
    call). Returns what the frame reports of the ``returned_objects``.
    """
    frame = base()
    defaults = dict.fromkeys(returned_objects or [])
    return streamlit_folium._component_func(
        script=frame.script,
        header=frame.header,
        html=frame.html,
        id="map_div",
        key=key,
        height=height,
        width=None,  # the container's width
        returned_objects=list(returned_objects or []),
        default=defaults,
        zoom=None,
        center=None,
        feature_group=view_script(fmap),
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(frame.css_links),
        js_links=list(frame.js_links),
        wrap_longitude=False,
    )

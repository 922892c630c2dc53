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
import json
from dataclasses import dataclass

import folium
from branca.element import CssLink, JavascriptLink

from . import webmap

__all__ = ["FrameBase", "base", "view_script", "show", "show_script", "RESET"]

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
    import streamlit_folium

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

    ``fmap`` is rendered once, as folium renders a page: each element writes its script (and, for
    some, a style sheet in the page head) into the map's figure. The view script is those scripts but
    the map's own (the frame has its map), with the head's style sheets added by script, the map's
    name replaced by the frame's ``map_div``. Raises ``ValueError`` when an element needs a
    JavaScript or CSS file that the frame does not load (only Leaflet is served).
    """
    figure, name = fmap.get_root(), fmap.get_name()
    fmap.render()
    links = {href for _, href in fmap.default_js + fmap.default_css}
    heads = []
    for key, element in figure.header._children.items():
        if isinstance(element, (JavascriptLink, CssLink)):
            if element.url not in links:
                raise ValueError(f"{key} needs {element.url}, which the map frame does not load")
        elif key != name and key != "meta_http":
            heads.append(element.render())
    scripts = [element.render() for key, element in figure.script._children.items() if key != name]
    head = ""
    if heads:
        # Style sheets of the view's elements (folium's tooltip tables), removed with the view.
        head = (
            "(function() { var box = document.createElement('div'); box.innerHTML = "
            + json.dumps("".join(heads))
            + "; var added = Array.prototype.slice.call(box.children);"
            " added.forEach(function(e) { document.head.appendChild(e); });"
            " (window.gdCleanup = window.gdCleanup || []).push(function() {"
            " added.forEach(function(e) { e.remove(); }); }); })();\n"
        )
    return RESET + head + "\n".join(scripts).replace(name, "map_div")


_component_registered = False


def _register_component() -> None:
    """Register streamlit-folium's component with the server, once, from the first script run.

    streamlit-folium declares its component when it is imported, and Streamlit registers a component
    only when it is declared during a script run: imported by the server's warm-up (which spares the
    first visitor its 0.4 s import), it is registered here, as its own import in a run would have.
    Without a server (a benchmark calling the page's functions) there is nothing to register yet.
    Registering twice (two first runs at once) registers the same component: harmless.
    """
    global _component_registered
    if _component_registered:
        return
    import streamlit_folium
    from streamlit import runtime

    if runtime.exists():
        runtime.get_instance().component_registry.register_component(streamlit_folium._component_func)
        _component_registered = True


def show(fmap: folium.Map, *, key: str, height: int, returned_objects: list[str] | None = None) -> dict | None:
    """Draw ``fmap`` in the page's map frame named ``key`` (created on the first call, then kept).

    ``key`` names the kind of map, not the view: the frame is kept as long as the key is the same
    (and the frame's settings, such as ``height`` and ``returned_objects``, are those of its first
    call). Returns what the frame reports of the ``returned_objects``.
    """
    return show_script(view_script(fmap), key=key, height=height, returned_objects=returned_objects)


def show_script(script: str, *, key: str, height: int, returned_objects: list[str] | None = None) -> dict | None:
    """:func:`show` for a view already written by :func:`view_script` (a page may keep it)."""
    import streamlit_folium

    _register_component()
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
        feature_group=script,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(frame.css_links),
        js_links=list(frame.js_links),
        wrap_longitude=False,
    )

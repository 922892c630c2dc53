"""The web map in the page: one Leaflet frame kept across reruns, each view drawn into it in place.

``st_folium`` names its component after the map's whole script, so every new view (another EPCI, a
filter) was a new iframe: the browser parsed Leaflet and the map script again and the server
rendered the folium map twice. Here the frame is created once from an empty map
(:func:`geodash.webmap.new_map`, the same for every view) under a key that only names the page's
kind of map; a view is the script of the map's layers and overlay, handed to the frame through
streamlit-folium's own "feature group" argument, which the frame evaluates whenever it changes
(the frame is streamlit-folium's frontend, declared here: :func:`component`).
The script first undoes the previous view (``window.gdCleanup``, then every layer), so a view never
sees what another one drew; a view already drawn (``window.gdView``) is not drawn again, so that the
frame may draw a view ahead of the page's rerun (:mod:`geodash.ahead`, ``static/switch_ahead.js``)
and the rerun's copy of it costs nothing.

Nothing here decides what the map shows: :func:`geodash.webmap.build_map` does.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import CssLink, JavascriptLink

from . import ahead, webmap
from .assets import COMPONENT_NAME

__all__ = ["FrameBase", "base", "component", "view_script", "show", "show_script", "RESET", "COMPONENT_NAME"]

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
    """The frame of every web map (the same for all views, computed once per process).

    The parts streamlit-folium's frontend expects (``st_folium`` computes them the same way): the
    empty map's own script under the name ``map_div``, the page head without Leaflet's links (the
    frame loads them from ``js_links`` and ``css_links``) and the page body without the map's div
    (the frame has its own).
    """
    m = webmap.new_map()
    figure, name = m.get_root(), m.get_name()
    figure.render()

    def parts(section, keep) -> str:
        return "".join(element.render() for key, element in section._children.items() if keep(key, element))

    return FrameBase(
        script=figure.script._children[name].render().replace(name, "map_div") + "\nvar drawnItems = [];",
        html=parts(figure.html, lambda key, _: key != name).strip(),
        header=parts(figure.header, lambda _, e: not isinstance(e, (JavascriptLink, CssLink))).replace(name, "map_div"),
        js_links=tuple(src for _, src in m.default_js),
        css_links=tuple(href for _, href in m.default_css),
    )


def view_script(fmap: folium.Map, label: str = "") -> str:
    """The script that draws ``fmap``'s layers and overlay into the kept frame.

    ``fmap`` is rendered once, as folium renders a page: each element writes its script (and, for
    some, a style sheet in the page head) into the map's figure. The view script is those scripts but
    the map's own (the frame has its map), with the head's style sheets added by script, the map's
    name replaced by the frame's ``map_div``. Raises ``ValueError`` when an element needs a
    JavaScript or CSS file that the frame does not load (only Leaflet is served).

    The script is named by a digest of its text and does nothing in a frame that shows that view
    already; ``label`` is what the page's territory chooser shows for the view, read by the frame
    (``window.gdView``) to know whether a choice in the page changes the view.
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
    body = RESET + head + "\n".join(scripts).replace(name, "map_div")
    view = {"key": hashlib.blake2b(body.encode("utf-8"), digest_size=12).hexdigest(), "label": label}
    return (
        "(function() {\nvar view = "
        + json.dumps(view, ensure_ascii=False)
        + ";\nif (window.gdView && window.gdView.key === view.key) { return; }\nwindow.gdView = view;\n"
        + body
        + "\n})();\n"
    )


@functools.cache
def component():
    """streamlit-folium's frontend as a Streamlit component, declared without importing the package.

    Importing ``streamlit_folium`` imports every folium plugin and declares its component through
    ``inspect`` (which maps every imported module to its file): 0.3-0.4 s of the server's start,
    measured, for helpers this module does not use. Only its frontend build is needed, found where
    the package is installed; the component is declared as ``st_folium`` declares it, under the
    same name.
    """
    from streamlit.components.v1.custom_component import CustomComponent

    spec = importlib.util.find_spec("streamlit_folium")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("streamlit-folium is not installed: the map frame needs its frontend")
    build = Path(spec.submodule_search_locations[0]) / "frontend" / "build"
    return CustomComponent(name=COMPONENT_NAME, path=str(build), url=None, module_name=COMPONENT_NAME.split(".")[0])


_component_registered = False


def _register_component() -> None:
    """Register the map frame's component with the server, once, from the first script run.

    Streamlit registers a component when it is declared during a script run; declared by the
    server's warm-up (outside any run), it is registered here, as a declaration in a run would have.
    Without a server (a benchmark calling the page's functions) there is nothing to register yet.
    Registering twice (two first runs at once) registers the same component: harmless.
    """
    global _component_registered
    if _component_registered:
        return
    from streamlit import runtime

    if runtime.exists():
        runtime.get_instance().component_registry.register_component(component())
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
    _register_component()
    frame = base()
    defaults = dict.fromkeys(returned_objects or [])
    return component()(
        script=frame.script + ahead.frame_script(),
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

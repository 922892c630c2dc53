"""The kept map frame: a view's script draws into the frame's map and undoes the previous view."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from folium.plugins import MarkerCluster

from geodash import mapframe, webmap
from geodash.selection import Filters, load_base, select

ARRAS = "200033579"


@pytest.fixture(scope="module")
def base():
    return load_base()


def _map(base, epci=ARRAS, **options):
    chosen = select(base, Filters(epci=epci))
    return webmap.build_map(base.terr, chosen.placed, chosen.unplaced, webmap.MapOptions(epci=epci, **options))


def test_view_script_draws_into_the_frame_map_after_undoing_the_previous_view(base):
    fmap = _map(base)
    name = fmap.get_name()
    script = mapframe.view_script(fmap)
    guard, body = script.split(mapframe.RESET, 1)  # the previous view undone first
    assert "window.gdView = view;" in guard
    assert name not in script and "map_div" in script
    assert "L.map(" not in script  # the frame has its map: the view only adds to it
    assert "window.gdCleanup" in script  # the overlay registers what the next view must undo
    # Folium's tooltip style sheet goes to the frame's head with the view, and leaves with it.
    assert ".foliumtooltip" in script


def test_view_script_differs_by_view_and_is_stable_for_one(base):
    one, again = mapframe.view_script(_map(base)), mapframe.view_script(_map(base))
    other = mapframe.view_script(_map(base, "246200364"))
    # folium's random element names, and the view's name (a digest of its text, names included)
    strip = lambda s: re.sub(r'_[0-9a-f]{32}|"key": "[0-9a-f]+"', "", s)  # noqa: E731
    assert strip(one) == strip(again)
    assert strip(one) != strip(other)


def test_a_view_is_named_by_its_text_and_not_drawn_twice(base):
    """The frame skips a view it shows already (drawn ahead of the page's rerun, geodash.ahead): the
    name is a digest of the view's text, with the label the page's list shows."""
    fmap = _map(base)
    script = mapframe.view_script(fmap, 'Arras "<b>"')
    view = json.loads(re.match(r"\(function\(\) \{\nvar view = (.*);\n", script).group(1))
    assert view["label"] == 'Arras "<b>"'  # a JSON string: the label's text cannot end it
    assert "if (window.gdView && window.gdView.key === view.key) { return; }" in script
    body = script[script.index(mapframe.RESET) : script.rindex("\n})();")]
    assert view["key"] == hashlib.blake2b(body.encode("utf-8"), digest_size=12).hexdigest()
    other = mapframe.view_script(_map(base, "246200364"), "Lens-Liévin")
    assert json.loads(re.match(r"\(function\(\) \{\nvar view = (.*);\n", other).group(1))["key"] != view["key"]


def test_an_element_needing_a_file_the_frame_does_not_load_is_refused():
    fmap = webmap.new_map()
    MarkerCluster().add_to(fmap)  # needs leaflet.markercluster from a CDN
    with pytest.raises(ValueError, match="markercluster"):
        mapframe.view_script(fmap)


def test_the_frame_is_the_same_for_every_view_and_loads_leaflet_locally():
    frame = mapframe.base()
    assert frame is mapframe.base()
    assert re.search(r'L\.map\(\s*"map_div"', frame.script)
    assert frame.js_links == ("/app/static/leaflet/leaflet.js",)
    assert frame.css_links == ("/app/static/leaflet/leaflet.css",)
    assert "#map_div" in frame.header and "http" not in frame.header.replace("http-equiv", "")


def test_the_frame_parts_are_those_st_folium_computes():
    """The frame's script, head and body are what streamlit-folium's own helpers give for the same
    empty map (its frontend reads them): written here without importing the package at run time."""
    import streamlit_folium

    m = webmap.new_map()
    m.get_root().render()
    frame = mapframe.base()
    words = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731 (indentation differs)
    assert words(frame.header) == words(streamlit_folium._get_header(m))
    assert words(frame.html) == words(streamlit_folium._get_html(m))
    assert words(frame.script) == words(streamlit_folium._get_map_string(m))  # renames the map: last


def test_the_component_is_streamlit_folium_frontend_declared_without_importing_it():
    code = (
        "import sys\n"
        "from geodash import mapframe\n"
        "c = mapframe.component()\n"
        "print(c.name, c.abspath, 'streamlit_folium' in sys.modules, 'folium.plugins' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    import streamlit_folium

    assert out[0] == mapframe.COMPONENT_NAME == streamlit_folium._component_func.name  # the frame's title
    assert Path(out[1]) == Path(streamlit_folium.__file__).parent / "frontend" / "build"
    assert (Path(out[1]) / "index.html").is_file()
    assert out[2:] == ["False", "False"]

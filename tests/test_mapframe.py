"""The kept map frame: a view's script draws into the frame's map and undoes the previous view."""

from __future__ import annotations

import re

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
    assert script.startswith(mapframe.RESET)
    assert name not in script and "map_div" in script
    assert "L.map(" not in script  # the frame has its map: the view only adds to it
    assert "window.gdCleanup" in script  # the overlay registers what the next view must undo
    # Folium's tooltip style sheet goes to the frame's head with the view, and leaves with it.
    assert ".foliumtooltip" in script


def test_view_script_differs_by_view_and_is_stable_for_one(base):
    one, again = mapframe.view_script(_map(base)), mapframe.view_script(_map(base))
    other = mapframe.view_script(_map(base, "246200364"))
    strip = lambda s: re.sub(r"_[0-9a-f]{32}", "", s)  # noqa: E731 (folium's random element names)
    assert strip(one) == strip(again)
    assert strip(one) != strip(other)


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

"""Browser, with the Département's optional layers (shared reference roads and collèges)."""

from __future__ import annotations

import pytest

from tests.layers_config import SHARED_GEO, write_config

from .conftest import start_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (SHARED_GEO / "tm_roads_62.geojson").exists(), reason="no shared roads"),
]
ARRAS = "200033579"


@pytest.fixture(scope="module")
def layered_server(tmp_path_factory, artifacts):
    config = write_config(tmp_path_factory.mktemp("layers"))
    proc, url = start_server({"GEODASH_LAYERS_CONFIG": str(config)}, log=artifacts / "streamlit_layers.log")
    yield url
    proc.terminate()
    proc.wait(10)


def _legend(p) -> str:
    return p.map_frame().locator("#gd-legend").inner_text()


def test_road_category_filter_changes_the_map(layered_server, make_page, artifacts):
    p = make_page(1920, 1080)
    p.page.goto(f"{layered_server}/?epci={ARRAS}")
    p.wait_map(title="Arras")
    legend = _legend(p)
    for entry in ("RD de 1ère catégorie", "RD de 2ème catégorie", "Autoroute", "Collège public", "Route financée"):
        assert entry in legend
    p.wait_settled()
    p.page.screenshot(path=str(artifacts / "arras_routes_colleges_projecteur.png"))

    q = make_page(1920, 1080)
    q.page.goto(f"{layered_server}/?epci={ARRAS}&routes=1")
    q.wait_map(title="Arras")
    legend = _legend(q)
    assert "RD de 1ère catégorie" in legend
    assert "RD de 2ème catégorie" not in legend and "Autoroute" not in legend


def test_broken_layer_is_reported_and_the_map_still_draws(tmp_path, make_page, artifacts):
    broken = tmp_path / "routes.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    proc, url = start_server({"GEODASH_LAYERS_CONFIG": str(write_config(tmp_path, roads=broken))})
    try:
        p = make_page()
        p.page.goto(f"{url}/?epci={ARRAS}")
        assert p.wait_map(title="Arras") > 0
        assert "Collège public" in _legend(p)  # the other layer is still drawn
        # Visitors read one discreet line; the file and the reason are on the data quality page.
        p.page.get_by_text("une couche du Département n'a pas pu être affichée").wait_for(timeout=10_000)
        p.page.goto(f"{url}/sources")
        p.page.get_by_text("Couches de contexte").first.wait_for(timeout=10_000)
        p.page.get_by_text("routes.geojson").first.wait_for(timeout=10_000)
        assert str(tmp_path) not in p.page.get_by_test_id("stMain").inner_text()  # no server path
    finally:
        proc.terminate()
        proc.wait(10)

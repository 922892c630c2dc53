"""``streamlit run serve.py`` (start-up warm-up through st.App) serves the same page, map included."""

from __future__ import annotations

import pytest

from .conftest import start_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(artifacts):
    proc, url = start_server(log=artifacts / "streamlit_serve.log", script="serve.py")
    yield url
    proc.terminate()
    proc.wait(10)


def test_serve_entry_draws_the_map(served, make_page):
    p = make_page()
    failed = []
    p.page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    p.page.goto(f"{served}/?epci=200033579")
    assert p.wait_map(title="Arras", timeout=60) > 0  # markers drawn in the map's iframe
    assert failed == []  # the map component and Leaflet are served (no 404)

"""``streamlit run serve.py`` (start-up warm-up through st.App) serves the same page, map included."""

from __future__ import annotations

import re
from urllib.request import urlopen

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


def test_the_first_html_announces_the_page_elements_code(served, make_page):
    """The browser fetches the code of the page's elements while the server's first run is under
    way (geodash.preload): every announced module is served, and used by the page."""
    p = make_page()
    fetched, failed = [], []
    p.page.on("response", lambda r: (fetched if r.ok else failed).append(r.url))
    response = p.page.goto(f"{served}/?epci=200033579")
    html = response.text()
    announced = re.findall(r'<link rel="modulepreload" crossorigin href="\./static/js/([^"]+)">', html)
    assert any(name.startswith("DataFrame.") for name in announced), announced
    assert any(name.startswith("Multiselect.") for name in announced), announced
    assert p.wait_map(title="Arras", timeout=60) > 0
    assert failed == []
    names = {url.rsplit("/", 1)[-1] for url in fetched}
    assert set(announced) <= names  # fetched (once: the page then finds them in the module map)
    # other pages are announced the same; Streamlit's own routes are untouched
    assert (
        'rel="modulepreload" crossorigin href="./static/js/DataFrame.'
        in urlopen(f"{served}/comparaison").read().decode()
    )
    assert urlopen(f"{served}/_stcore/health").read() == b"ok"

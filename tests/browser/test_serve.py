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
    announced = re.findall(
        r'<link rel="modulepreload" crossorigin fetchpriority="low" href="\./static/js/([^"]+)">', html
    )
    assert any(name.startswith("DataFrame.") for name in announced), announced
    assert any(name.startswith("Multiselect.") for name in announced), announced
    assert p.wait_map(title="Arras", timeout=60) > 0
    assert failed == []
    names = {url.rsplit("/", 1)[-1] for url in fetched}
    assert set(announced) <= names  # fetched (once: the page then finds them in the module map)
    # other pages are announced the same; Streamlit's own routes are untouched
    assert (
        'rel="modulepreload" crossorigin fetchpriority="low" href="./static/js/DataFrame.'
        in urlopen(f"{served}/comparaison").read().decode()
    )
    assert urlopen(f"{served}/_stcore/health").read() == b"ok"


def test_the_map_frame_fetches_leaflet_once_announced_by_its_page(served, make_page):
    """The map frame's page announces Leaflet (geodash.preload.frame_links): fetched while the frame's
    own script loads, then used by the script tag the frame inserts, not fetched a second time."""
    p = make_page()
    requested, warnings = [], []
    p.page.on("request", lambda r: requested.append(r.url))
    p.page.on("console", lambda m: warnings.append(m.text) if "preload" in m.text else None)
    p.page.goto(f"{served}/?epci=200033579")
    assert p.wait_map(title="Arras", timeout=60) > 0
    frame_page = next(f for f in p.page.frames if "streamlit_folium.st_folium/index.html" in f.url)
    html = urlopen(frame_page.url).read().decode()
    assert '<link rel="preload" as="script" href="/app/static/leaflet/leaflet.js">' in html
    assert '<link rel="preload" as="style" href="/app/static/leaflet/leaflet.css">' in html
    for name in ("leaflet.js", "leaflet.css"):
        assert sum(url.endswith(f"/app/static/leaflet/{name}") for url in requested) == 1, name
    p.page.wait_for_timeout(3500)  # Chromium warns of a preload left unused a few seconds after load
    assert warnings == []


ARRAS = "200033579"
# The frame's count of views drawn, of views drawn ahead of the page (geodash.ahead), the view shown.
DRAWN = "() => [window.gdViews, window.gdAhead || 0, window.gdView.key]"
# The page's rerun has given the frame its view (streamlit-folium's last « feature group »).
CONFIRMED = "() => (window.__GLOBAL_DATA__.last_feature_group || '').includes(window.gdView.key)"


class HeldServer:
    """The page's WebSocket through Playwright, the server's messages held while ``held`` is set:
    what the page shows then owes nothing to its rerun."""

    def __init__(self, page):
        self.held, self.queue = False, []
        page.route_web_socket("**/_stcore/stream", self._route)

    def _route(self, ws):
        server = ws.connect_to_server()
        self.to_page = ws.send
        ws.on_message(server.send)
        server.on_message(lambda message: self.queue.append(message) if self.held else ws.send(message))

    def release(self):
        self.held = False
        while self.queue:
            self.to_page(self.queue.pop(0))


def _open_held(p, url: str):
    """Open ``url`` (Arras) with the page's WebSocket held on demand; return the page, the socket, the
    views the frame asked the server for, and the map frame once the page's run has given it its view."""
    socket = HeldServer(p.page)
    asked = []
    p.page.on("request", lambda r: asked.append(r.url) if "/geodash/vue?" in r.url else None)
    p.page.goto(url)
    p.wait_map(title="Arras", timeout=60)
    p.wait_settled()
    frame = p.map_frame()
    frame.wait_for_function(CONFIRMED, timeout=30_000)
    return p, socket, asked, frame


def test_a_territory_chosen_in_the_list_is_drawn_ahead_of_the_page(served, make_page):
    """The map frame asks the server for the chosen territory's view (with the page's filters) as
    soon as the list closes on it and draws it, the page's rerun held back meanwhile; the rerun,
    sending the same view, then draws nothing more: one view drawn per switch."""
    p, socket, asked, frame = _open_held(make_page(), f"{served}/?epci={ARRAS}&theme=Culture,Sport")
    views, early, _ = frame.evaluate(DRAWN)
    for option, title in (("Ternois", "Communauté de communes du Ternois"), ("Lens-Liévin", "Lens-Liévin")):
        socket.held = True
        p.page.get_by_role("combobox", name="Intercommunalité").click()
        p.page.keyboard.type(option)
        p.page.keyboard.press("Enter")
        p.wait_map(title=title)
        assert p.map_frame() == frame  # drawn in the kept frame
        views, early = views + 1, early + 1
        assert frame.evaluate(DRAWN)[:2] == [views, early]
        assert title not in p.page.locator("h1").first.inner_text()  # the page has not rerun yet
        socket.release()
        p.page.locator("h1", has_text=title).wait_for(timeout=30_000)
        frame.wait_for_function(CONFIRMED, timeout=30_000)
        p.wait_settled()
        assert frame.evaluate(DRAWN)[:2] == [views, early], "drawn again by the page's rerun"
        assert frame.evaluate("() => document.querySelectorAll('.gd-legend').length") == 1
    assert asked and all("theme=Culture%2CSport" in url or "theme=Culture,Sport" in url for url in asked), asked
    assert any("vers=Lens-Li%C3%A9vin" in url for url in asked), asked


def test_the_projector_next_territory_is_drawn_ahead_of_the_page(served, make_page):
    """In projector mode, « Suivant » (the arrow key) draws the next territory at once, the page's
    rerun held back: the frame fetched it, and the previous one, once its view was shown; the page's
    title follows with the rerun, and the rerun draws nothing more."""
    p, socket, asked, frame = _open_held(make_page(1280, 720), f"{served}/?epci={ARRAS}&mode=projecteur")
    views, early, _ = frame.evaluate(DRAWN)
    p.page.wait_for_timeout(1500)
    assert any("pas=1" in url for url in asked) and any("pas=-1" in url for url in asked), asked
    socket.held = True
    p.page.keyboard.press("ArrowRight")
    frame.wait_for_function(f"() => (window.gdAhead || 0) === {early + 1}", timeout=30_000)
    assert "Arras" in p.page.locator("h1").first.inner_text()  # the page has not rerun yet
    drawn = frame.evaluate("() => document.querySelector('.gd-legend-title').textContent")
    socket.release()
    p.page.wait_for_function("() => !document.querySelector('h1').textContent.includes('Arras')", timeout=30_000)
    frame.wait_for_function(CONFIRMED, timeout=30_000)
    assert p.page.locator("h1").first.inner_text().strip() == drawn
    assert frame.evaluate(DRAWN)[:2] == [views + 1, early + 1]

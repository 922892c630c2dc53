"""The map page's first look in Chromium: a server still starting shows the title, the territory list and
the département's map its previous start saved (geodash.firstlook), then the whole page in place, the map
kept and drawn once."""

from __future__ import annotations

import time

import pytest

from geodash import viewmodel as vm

from .conftest import start_server

pytestmark = pytest.mark.browser

# Records, from the page's first moment, the map's marks (which element, which attribute, its value) and
# the moment the sidebar's filters appear.
WATCH = """(() => {
  const seen = new WeakMap();
  let n = 0;
  window.__look = [];
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (!seen.has(c.target)) seen.set(c.target, ++n);
      window.__look.push({map: seen.get(c.target), name: c.attributeName, value: c.target.getAttribute(c.attributeName)});
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-gd-ready', 'data-gd-first-look']});
})()"""

WHOLE_PAGE = """() => {
  const box = document.querySelector('.leaflet-container[data-gd-ready]');
  const state = document.querySelector('[data-test-script-state]');
  return !!box && !box.hasAttribute('data-gd-first-look') && !!state
    && state.getAttribute('data-test-script-state') === 'notRunning'
    && [...document.querySelectorAll('h2, h3')].some((h) => h.textContent.trim() === 'Filtres');
}"""


def _first_visit(make_page, env: dict[str, str], log) -> list[dict]:
    """Start a server on ``env``, open its root URL at once and wait for the whole page; return the map's
    marks (see :data:`WATCH`)."""
    proc, url = start_server(env, log=log)
    try:
        p = make_page()
        p.context.add_init_script(WATCH)
        p.page.goto(url)
        p.page.wait_for_function(WHOLE_PAGE, timeout=60_000)
        assert p.page.locator("h1").first.inner_text() == vm.TITLE_DEPARTEMENT
        assert p.page.get_by_label("Intercommunalité", exact=True).count() == 1
        assert p.page.get_by_role("link", name="Comparaison des territoires").count() == 1  # the navigation
        assert p.dialogs == [] and p.external == []
        return p.page.evaluate("() => window.__look")
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_session_s_first_visit_shows_the_saved_first_look_then_the_whole_page(tmp_path, artifacts, make_page):
    """A server started again on the same database shows its first visitor the look its previous start saved,
    then the whole page in place: one map element, drawn once."""
    database = tmp_path / "geodash.sqlite"
    env = {"GEODASH_DATABASE_URL": f"sqlite:///{database}"}
    look = database.with_name(f"{database.name}.first-look.json")
    proc, _ = start_server(env, log=artifacts / "streamlit_first_look_0.log")
    try:
        deadline = time.monotonic() + 120
        while not look.exists():  # the start-up saves it once the root URL's view is prepared
            assert proc.poll() is None and time.monotonic() < deadline, "no first look saved"
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(10)
    marks = _first_visit(make_page, env, artifacts / "streamlit_first_look_1.log")
    assert len({m["map"] for m in marks}) == 1, marks  # one map element from the first look on
    drawn = [m for m in marks if m["name"] == "data-gd-ready" and m["value"] is not None]
    assert len(drawn) == 1, marks  # drawn once: the whole page's run hands the same view
    shown = [m["value"] for m in marks if m["name"] == "data-gd-first-look"]
    assert shown and shown[0] == "" and shown[-1] is None, marks  # marked as the first look, then not

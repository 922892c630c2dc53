"""The app's pages in a real browser, on a server of their own whose log is read at the end: no
Streamlit call the platform has announced it will remove (the server logs a deprecation warning for each)."""

from __future__ import annotations

import re

import pytest

from .conftest import start_server

pytestmark = pytest.mark.browser
ARRAS = "200033579"
LUMBRES = "246201016"
DEPRECATION = re.compile(r"deprecat|will be removed", re.IGNORECASE)


@pytest.fixture(scope="module")
def logged_server(artifacts):
    log = artifacts / "streamlit_pages.log"
    proc, url = start_server(log=log)
    yield url, log
    proc.terminate()
    proc.wait(10)


def test_map_page_shows_no_data_warnings_and_exports(logged_server, make_page):
    url, _ = logged_server
    p = make_page()
    p.page.goto(url)
    p.wait_map(title="20 intercommunalités")
    p.wait_settled()
    assert p.page.get_by_text("avertissement").count() == 0  # warnings are on the sources page
    p.page.get_by_role("link", name="Comparaison des territoires").wait_for()  # the page navigation
    p.page.goto(f"{url}/?epci={ARRAS}")
    p.wait_map(title="Arras")
    p.page.get_by_text("Exporter la carte").click()
    p.page.get_by_role("button", name="Préparer la carte à imprimer").click()
    p.page.get_by_role("button", name="Télécharger la carte").wait_for(timeout=60_000)


def test_projector_mode_keys(logged_server, make_page):
    url, _ = logged_server
    p = make_page(1280, 720)
    p.page.goto(f"{url}/?epci={LUMBRES}&mode=projecteur")
    p.wait_map(title="Pays de Lumbres")
    p.page.locator(".gd-bar").wait_for()
    p.page.keyboard.press("ArrowRight")
    p.page.wait_for_function(f"() => new URL(location.href).searchParams.get('epci') !== '{LUMBRES}'")
    p.wait_map(title="Pays de Saint-Omer")


def test_comparison_and_sources_pages_have_their_own_paths(logged_server, make_page, terr, data):
    url, _ = logged_server
    p = make_page()
    p.page.goto(f"{url}/comparaison")
    p.page.get_by_role("heading", name="Comparaison des territoires").wait_for()
    p.page.locator(".gd-table").first.wait_for()  # the ranking
    p.page.goto(f"{url}/sources")
    p.page.get_by_role("heading", name="Sources des données de geodash").wait_for()
    warnings = len(terr.warnings) + sum(problem.level != "erreur" for problem in data.problems)
    assert f"{warnings} avertissement(s)" in p.page.get_by_test_id("stExpander").first.inner_text()
    # The navigation leads back to the map.
    p.page.get_by_role("link", name="Carte").click()
    p.wait_map(title="20 intercommunalités")
    assert p.page.url.rstrip("/") == url


def test_sources_page_downloads_the_open_data_files(logged_server, make_page, tmp_path):
    """« Données ouvertes »: nothing is written until asked, then every file downloads, as the command writes it."""
    import pyogrio

    from geodash import opendata

    url, _ = logged_server
    p = make_page()
    p.page.goto(f"{url}/sources")
    p.page.get_by_role("heading", name="Données ouvertes", exact=True).wait_for()
    assert p.page.get_by_role("button", name="subventions.csv", exact=True).count() == 0
    p.page.get_by_role("button", name="Préparer les fichiers").click()
    for name in opendata.FILES:
        p.page.get_by_role("button", name=name, exact=True).wait_for(timeout=60_000)
    saved = {}
    for name in ("subventions.csv", "geodash.gpkg"):
        with p.page.expect_download() as download:
            p.page.get_by_role("button", name=name, exact=True).click()
        assert download.value.suggested_filename == name
        download.value.save_as(tmp_path / name)
        saved[name] = tmp_path / name
    header = saved["subventions.csv"].read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == opendata.SCDL_COLUMNS
    layers = [name for name, _ in pyogrio.list_layers(saved["geodash.gpkg"])]
    assert layers == ["epci", "communes", "financements", "financements_epci", "bilan", "lisezmoi"]
    # the buttons stay after a download (it does not rerun the page)
    assert p.page.get_by_role("button", name="datapackage.json", exact=True).count() == 1
    assert not p.external


def test_server_log_has_no_deprecation_warning(logged_server):
    """Runs after the pages above were driven on the same server (tests of a module run in order)."""
    _, log = logged_server
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "You can now view your Streamlit app" in text  # the right log, written by the server
    found = [line for line in text.splitlines() if DEPRECATION.search(line)]
    assert found == [], found

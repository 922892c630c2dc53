"""Hostile text in the project file stays text: no dialog, no injected element, no template evaluated,
no image fetched, shown literally in the map labels, the popups, the legend's side box and the project table; a malformed row is a
discreet line on the map page (details on the sources page) while the other rows are still drawn."""

from __future__ import annotations

import csv
import shutil

import pytest

from geodash import settings
from geodash.projects import FINANCEMENT_COLUMNS, FINANCEMENT_OPTIONAL

from .conftest import start_server

pytestmark = pytest.mark.browser
LUMBRES = "246201016"
HEADER = FINANCEMENT_COLUMNS + FINANCEMENT_OPTIONAL
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "javascript:alert(3)",
    '"><svg onload=alert(4)>',
    # Template syntax, a formula, Markdown.
    "{{ 7*7 }}",
    "{# à confirmer",
    "$\\foo{1}$",
    "![x](http://beacon.invalid/x.png)",
]
HOSTILE = " ".join(PAYLOADS)
ROWS = [
    # Placed on Lumbres: a marker, its label and its popup.
    dict(
        id="ESC-1",
        epci_siren=LUMBRES,
        commune_insee="62534",
        intitule=f"Piscine {HOSTILE}",
        theme="Sport",
        periode="2015-2018",
        nature="investissement",
        montant_departement_eur="150000",
        maitre_ouvrage=f"MO {HOSTILE}",
        source="1310-1311",
        remarque=f"Remarque {HOSTILE}",
        description=f"Description {HOSTILE}",
        calendrier=f"Calendrier {HOSTILE}",
    ),
    # No commune: listed in the legend's side box « Pour l'ensemble de l'intercommunalité ».
    dict(
        id="ESC-2",
        epci_siren=LUMBRES,
        commune_insee="",
        intitule=f"Ensemble {HOSTILE}",
        theme="Culture",
        periode="à venir",
        nature="investissement",
        montant_departement_eur="20000",
        maitre_ouvrage=f"MO2 {HOSTILE}",
        source="871-873",
        remarque=f"Remarque2 {HOSTILE}",
        description=f"Description2 {HOSTILE}",
    ),
]
MALFORMED = dict(ROWS[0], id="ESC-3", theme="<script>alert(5)</script>")

# Every element and attribute of a document that could run code: injected <script>, on* handlers,
# javascript: URLs. Our own scripts carry the data as JSON strings ("\u003cscript\u003e…"), so a
# script counts as injected only when its whole text is one of the payloads.
SCAN = r"""() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of Array.from(el.attributes)) {
      if (a.name.startsWith('on') && /alert/.test(a.value)) bad.push(`${el.tagName} ${a.name}=${a.value}`);
      if (/^\s*javascript:/i.test(a.value)) bad.push(`${el.tagName} ${a.name}=${a.value}`);
    }
    if (el.tagName === 'SCRIPT' && /^\s*alert\(\d\)\s*$/.test(el.textContent)) bad.push('SCRIPT ' + el.textContent);
    if (el.tagName === 'IMG' && /(^|\/)x$/.test(el.getAttribute('src') || '')) bad.push('IMG src=x');
    if (el.tagName.toLowerCase() === 'svg' && el.hasAttribute('onload')) bad.push('SVG onload');
  }
  return bad;
}"""


def _write_projects(folder, rows) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "financements.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, HEADER)
        writer.writeheader()
        writer.writerows({c: r.get(c, "") for c in HEADER} for r in rows)
    shutil.copyfile(settings.DATA_DIR / "projects" / "chiffres_cles.csv", folder / "chiffres_cles.csv")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, artifacts):
    folder = tmp_path_factory.mktemp("hostile_projects")
    _write_projects(folder, ROWS)
    proc, url = start_server({"GEODASH_PROJECTS_DIR": str(folder)}, log=artifacts / "streamlit_escaping.log")
    yield url
    proc.terminate()
    proc.wait(10)


def _no_injection(p) -> None:
    assert p.dialogs == [], f"a dialog fired: {p.dialogs}"
    for frame in p.page.frames:
        try:
            found = frame.evaluate(SCAN)
        except Exception:  # a frame detached while we looked at it
            continue
        assert found == [], f"injected elements in {frame.url}: {found}"


def _table_cells(p) -> list[str]:
    return p.page.locator(".gd-grid").last.locator("td").all_inner_texts()


def test_hostile_text_is_shown_as_text(hostile_server, make_page, artifacts):
    p = make_page(1366, 768)
    p.page.goto(f"{hostile_server}/?epci={LUMBRES}")
    assert p.wait_map(title="Pays de Lumbres") == 1
    frame = p.map_frame()
    _no_injection(p)

    # The label: name (with every payload, literally), then the amount.
    label = frame.locator(".gd-label").first
    assert HOSTILE in label.text_content()
    assert "&lt;script&gt;" in label.inner_html()

    # The side box of EPCI-wide items (collapsed on a laptop screen: open it).
    frame.locator("#gd-legend summary").click()
    side = frame.locator(".gd-side li").first
    side.wait_for(state="visible", timeout=5_000)
    assert f"Ensemble {HOSTILE}" in side.inner_text()

    # The popup, opened by a click on the marker.
    frame.locator(".gd-marker svg").first.click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=10_000)
    text = popup.inner_text()
    for field in ("Piscine", "MO", "Remarque", "Description", "Calendrier"):
        assert f"{field} {HOSTILE}" in text, (field, text)
    p.wait_settled()
    _no_injection(p)
    p.page.screenshot(path=str(artifacts / "escaping.png"))

    # The project table below the map.
    p.page.locator(".gd-grid").last.scroll_into_view_if_needed()
    p.page.wait_for_function(
        "() => [...document.querySelectorAll('.gd-grid')].some(g => g.textContent.includes('Piscine <script>'))",
        timeout=15_000,
    )
    cells = _table_cells(p)
    assert f"Piscine {HOSTILE}" in cells and f"Ensemble {HOSTILE}" in cells, cells
    _no_injection(p)
    assert p.external == []


def test_malformed_row_shows_error_panel_and_keeps_the_others(tmp_path, make_page, artifacts):
    folder = tmp_path / "projects"
    _write_projects(folder, ROWS + [MALFORMED])
    proc, url = start_server({"GEODASH_PROJECTS_DIR": str(folder)}, log=artifacts / "streamlit_malformed.log")
    try:
        p = make_page(1366, 768)
        p.page.goto(f"{url}/?epci={LUMBRES}")
        assert p.wait_map(title="Pays de Lumbres") == 1  # ESC-1 drawn, ESC-3 set aside
        assert p.map_frame().locator(".gd-side li").count() == 1  # ESC-2 still in the side box
        # Visitors read one discreet line; the details are on the sources page, for the staff.
        p.page.get_by_text("1 ligne du fichier des projets en cours de correction").wait_for()
        assert p.page.get_by_test_id("stExpander").filter(has_text="erreur").count() == 0
        _no_injection(p)
        p.page.goto(f"{url}/sources")
        panel = p.page.get_by_test_id("stExpander").filter(has_text="Données").first
        assert "1 erreur(s), 1 ligne(s) mise(s) de côté" in panel.inner_text()
        code = panel.locator("code").inner_text()
        assert "erreur" in panel.inner_text().lower()
        assert "financements.csv:4: theme : « <script>alert(5)</script> » n'est pas une valeur permise" in code
        assert str(folder) not in code  # no server path
        _no_injection(p)
        p.page.screenshot(path=str(artifacts / "escaping_malformed.png"))
    finally:
        proc.terminate()
        proc.wait(10)

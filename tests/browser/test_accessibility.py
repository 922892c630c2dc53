"""Accessibility in a real browser: axe-core (WCAG 2.0 and 2.1, levels A and AA) finds nothing on any page at
the sizes of a phone, a laptop and a projector; every page is in French and links to the accessibility
statement; the map is a named region with its text alternative before it; and the map page can be used with
the keyboard alone, the focus always visible.

axe-core comes with the ``axe-playwright-python`` package (the ``test`` extra); it runs in the page itself
(the map is in the page, not in a frame).
"""

from __future__ import annotations

import re

import pytest

from geodash.pages import accessibilite

pytestmark = pytest.mark.browser
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

ARRAS = "200033579"
LENS = "246200364"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PHONE, LAPTOP, SMALL_LAPTOP, PROJECTOR_4_3 = (390, 844), (1366, 768), (1280, 720), (1024, 768)
FOOTER = f"Accessibilité : {accessibilite.CONFORMITY}"

#: Path, whether a map is drawn (its legend title), at the phone, laptop and projector (16:9) sizes.
PAGES = {
    "departement": ("/", "20 intercommunalités"),
    "epci": (f"/?epci={ARRAS}", "Arras"),
    "comparaison": ("/comparaison", None),
    "sources": ("/sources", None),
    "avancement": (f"/avancement?epci={ARRAS}&depuis=2024-01-01", None),
    "avancement-departement": ("/avancement", None),
    "avancement-projecteur": (f"/avancement?epci={ARRAS}&mode=projecteur", None),
    "saisie": ("/saisie", None),
    "accessibilite": ("/accessibilite", None),
}
PROJECTOR = {"projecteur-departement": "/?mode=projecteur", "projecteur-epci": f"/?epci={ARRAS}&mode=projecteur"}
CASES = [(name, size) for name in PAGES for size in (PHONE, LAPTOP, SMALL_LAPTOP)] + [
    (name, size) for name in PROJECTOR for size in (SMALL_LAPTOP, PROJECTOR_4_3)
]

#: The page's run is over: no element left from the previous run, nothing running.
IDLE = """() => document.querySelectorAll('[data-stale="true"]').length === 0
  && !document.querySelector('[data-testid="stStatusWidget"]')"""


def _ready(p, path: str, title: str | None, *, projector: bool = False) -> None:
    """Open ``path`` and wait until its page is drawn whole: the map settled, the footer (the last
    element of a page) or the projector's bar, Streamlit idle, the document in French."""
    p.page.goto(p.base + path)
    if title or projector:
        p.wait_map(title=title)
        p.wait_settled()
    if projector:
        p.page.locator(".gd-bar").wait_for()
    else:
        p.page.get_by_role("link", name=FOOTER).wait_for(timeout=60_000)
    p.page.wait_for_function(IDLE, timeout=30_000)
    p.page.wait_for_function("() => document.documentElement.lang === 'fr'", timeout=10_000)


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']} {n['html'][:160]}" for n in v["nodes"][:5]]
    return "\n".join(lines)


@pytest.fixture
def opened(server, make_page):
    def open_(width: int, height: int):
        p = make_page(width, height)
        p.base = server
        return p

    return open_


@pytest.mark.parametrize(("name", "size"), CASES, ids=[f"{n}-{w}x{h}" for n, (w, h) in CASES])
def test_axe_finds_no_violation(opened, artifacts, name, size):
    p = opened(*size)
    if name in PAGES:
        path, title = PAGES[name]
        _ready(p, path, title)
    else:
        _ready(p, PROJECTOR[name], None, projector=True)
    results = axe_playwright.Axe().run(p.page, options=WCAG).response
    if results["violations"]:
        p.page.screenshot(path=str(artifacts / f"axe-{name}-{size[0]}x{size[1]}.png"), full_page=True)
    assert results["violations"] == [], _report(results["violations"])


def test_axe_finds_no_violation_with_the_territory_list_open_and_the_table_sorted(opened, artifacts):
    # The page's own widgets in their other states: the list open and filtered, a column sorted.
    p = opened(*LAPTOP)
    _ready(p, f"/?epci={ARRAS}", "Arras")
    p.page.locator(".gd-grid th button").nth(1).click()
    p.page.wait_for_function("() => !!document.querySelector('.gd-grid th[aria-sort]')")
    field = p.page.get_by_role("combobox", name="Intercommunalité")
    field.click()
    field.fill("pays")
    p.page.wait_for_function("() => document.querySelectorAll('[role=option]').length > 1")
    results = axe_playwright.Axe().run(p.page, options=WCAG).response
    if results["violations"]:
        p.page.screenshot(path=str(artifacts / "axe-list-open.png"))
    assert results["violations"] == [], _report(results["violations"])


def test_every_page_is_french_and_links_to_the_statement(opened):
    p = opened(*LAPTOP)
    for path, title in PAGES.values():
        _ready(p, path, title)  # lang="fr" and the footer's link on each
    p.page.get_by_role("link", name=FOOTER).click()
    p.page.get_by_role("heading", name="Déclaration d'accessibilité").wait_for()
    assert p.page.url.rstrip("/").endswith("/accessibilite")
    for section in ("État de conformité", "Contenus non accessibles", "Établissement de cette déclaration"):
        p.page.get_by_role("heading", name=section).wait_for()
    p.page.get_by_role("heading", name="Retour d'information et contact").wait_for()
    assert p.page.get_by_role("link", name="defenseurdesdroits.fr").count() == 1
    assert p.page.evaluate("() => document.documentElement.lang") == "fr"


@pytest.mark.parametrize("path", ["/", f"/?epci={ARRAS}", "/comparaison"])
def test_the_map_is_a_named_region_after_a_link_to_its_text_alternative(opened, path):
    """The map's label is announced (a region), and the link just before it leads to the tables that say
    what it shows: the ranking (the choropleth's values, one row per EPCI) or the key figures, and the
    projects."""
    p = opened(*LAPTOP)
    _ready(p, path, PAGES["epci"][1] if "epci" in path else ("20 intercommunalités" if path == "/" else None))
    region = p.page.get_by_role("region", name=re.compile(r"^Carte : "))
    assert region.count() == 1
    links = p.page.locator("p", has_text="Alternative textuelle de la carte").get_by_role("link")
    anchors = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert anchors, "no text alternative link"
    # The link comes before the map in the page (and in the keyboard's order).
    assert p.page.evaluate(
        """() => { const link = [...document.querySelectorAll('p')].find(e =>
                     e.textContent.startsWith('Alternative textuelle de la carte')).querySelector('a');
                   const map = document.querySelector('.gd-map');
                   return Boolean(link.compareDocumentPosition(map) & Node.DOCUMENT_POSITION_FOLLOWING); }"""
    )
    for href in anchors:
        assert p.page.locator(href).count() == 1, href  # each anchor exists in the page
    if path != f"/?epci={ARRAS}":  # the choropleth's values, as text
        ranking = p.page.get_by_role("region", name=re.compile(r"^Classement : ")).locator("tbody tr")
        assert ranking.count() == 20


# --- Keyboard only ----------------------------------------------------------------------------------------

#: The focused element: what it is, whether it is on screen, and whether it shows that it has the focus
#: (an outline or a box-shadow on it or a close parent, or a border in the theme's colour — Streamlit's
#: fields show their focus on their frame).
FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) { return null; }
  const r = e.getBoundingClientRect();
  const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
    && r.top < window.innerHeight && r.left < window.innerWidth && getComputedStyle(e).visibility !== 'hidden';
  let shown = false;
  for (let x = e, i = 0; x && i < 4 && !shown; x = x.parentElement, i++) {
    const s = getComputedStyle(x);
    shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none'
      || s.borderTopColor === 'rgb(11, 83, 148)';
  }
  return {tag: e.tagName, role: e.getAttribute('role'), cls: String(e.className && e.className.baseVal === undefined
    ? e.className : ''), name: (e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].textContent : '')
    || e.getAttribute('title') || e.textContent || '')
    .trim().slice(0, 80), onScreen, shown};
}"""


def _focused(p) -> dict:
    return p.page.evaluate(FOCUS) or {}


def _assert_visible_focus(p, step: str) -> dict:
    """The focused element is on screen and shows its focus (waited for: a frame's colour fades in)."""
    try:
        p.page.wait_for_function(
            f"() => {{ const f = ({FOCUS})(); return !!f && f.onScreen && f.shown; }}", timeout=3000
        )
    except Exception:
        raise AssertionError((step, _focused(p))) from None
    return _focused(p)


def _tab_to(p, wanted, step: str, *, back: bool = False, limit: int = 80) -> dict:
    """Press Tab (Shift+Tab when ``back``) until ``wanted(focused)``, which must show its focus."""
    for _ in range(limit):
        p.page.keyboard.press("Shift+Tab" if back else "Tab")
        f = _focused(p)
        if f and f.get("onScreen") is not None and wanted(f):
            return _assert_visible_focus(p, step)
    raise AssertionError(f"{step}: not reached in {limit} presses (last: {_focused(p)})")


def test_the_map_page_with_the_keyboard_alone(opened, tmp_path):
    p = opened(*LAPTOP)
    # From another territory's map: switching from the département's map to a territory leaves the map
    # blank at the moment (Leaflet « Invalid LatLng (NaN, NaN) », zoom Infinity, with the mouse as well).
    _ready(p, f"/?epci={LENS}", "Lens")

    # 1. Choose an EPCI in « Intercommunalité »: type, arrow down to the option, Enter.
    _tab_to(p, lambda f: f["role"] == "combobox" and f["name"] == "Intercommunalité", "Intercommunalité")
    p.page.keyboard.type("Arras")
    p.page.keyboard.press("ArrowDown")
    p.page.keyboard.press("Enter")
    p.page.wait_for_function(f"() => new URL(location.href).searchParams.get('epci') === '{ARRAS}'")
    p.wait_map(title="Arras")
    p.page.wait_for_function(IDLE)

    # 2. Change a filter: the search field.
    _tab_to(p, lambda f: f["name"] == "Rechercher un projet ou une commune", "Rechercher")
    p.page.keyboard.type("Dainville")
    p.page.keyboard.press("Enter")
    p.page.wait_for_function("() => new URL(location.href).searchParams.get('q') === 'Dainville'")
    p.wait_map(title="Arras")
    p.wait_settled()
    p.page.wait_for_function(IDLE)

    # 3. Past the link to the text alternative, to the map, then a project marker; Enter opens its detail.
    _tab_to(p, lambda f: f["name"] == "tableau des projets", "lien vers l'alternative textuelle")
    _tab_to(p, lambda f: f["role"] == "region" and f["name"].startswith("Carte : "), "carte")
    marker = _tab_to(p, lambda f: "gd-marker" in f["cls"], "marqueur")
    p.page.keyboard.press("Enter")
    popup = p.page.locator(".leaflet-popup")
    popup.wait_for(state="visible")
    assert "Dainville" in popup.inner_text(), (marker, popup.inner_text())
    _assert_visible_focus(p, "marqueur, fiche ouverte")

    # 4. The project table, through the link before the map.
    _tab_to(p, lambda f: f["name"] == "tableau des projets", "retour au lien", back=True)
    p.page.keyboard.press("Enter")
    p.page.wait_for_function("() => location.hash === '#projets'")
    # The table's box (it scrolls: the arrows move it), then each column's sort button, with a visible ring.
    table = _tab_to(p, lambda f: bool(p.page.evaluate(_IN_TABLE)), "tableau des projets")
    assert p.page.locator(".gd-grid").first.is_visible(), table
    _tab_to(p, lambda f: f["tag"] == "BUTTON" and bool(p.page.evaluate(_IN_TABLE)), "tri d'une colonne")
    p.page.keyboard.press("Enter")  # sorts on that column, and says so to screen readers
    p.page.wait_for_function("() => !!document.querySelector('.gd-grid th[aria-sort=ascending]')")

    # 5. « Exporter la carte »: open the panel, prepare the sheet, download it.
    _tab_to(p, lambda f: "Exporter la carte" in f["name"], "Exporter la carte", back=True)
    p.page.keyboard.press("Enter")
    prepare = p.page.get_by_role("button", name="Préparer la carte à imprimer")
    prepare.wait_for()
    p.page.wait_for_function(IDLE)
    _tab_to(p, lambda f: f["name"] == "Préparer la carte à imprimer", "Préparer la carte")
    p.page.keyboard.press("Enter")
    download = p.page.get_by_role("button", name="Télécharger la carte")
    download.wait_for(timeout=90_000)
    p.page.wait_for_function(IDLE, timeout=30_000)
    if _focused(p).get("name") != "Télécharger la carte":  # the button comes after « Préparer… »
        _tab_to(p, lambda f: f["name"] == "Télécharger la carte", "Télécharger la carte")
    with p.page.expect_download() as got:
        p.page.keyboard.press("Enter")
    assert got.value.suggested_filename.endswith(".pdf")
    got.value.save_as(tmp_path / got.value.suggested_filename)
    assert (tmp_path / got.value.suggested_filename).read_bytes().startswith(b"%PDF")


#: The focus is in the project table (Streamlit's data grid, after the « Projets » heading).
_IN_TABLE = """() => { const grid = document.querySelector('#projets') && [...document.querySelectorAll(
  '.gd-grid')].find(d => document.querySelector('#projets').compareDocumentPosition(d)
  & Node.DOCUMENT_POSITION_FOLLOWING); return !!grid && grid.contains(document.activeElement); }"""

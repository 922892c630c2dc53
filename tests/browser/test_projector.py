"""Projector mode at the sizes of meeting rooms (1024x768, 1280x720, 1920x1080): the legend is small
and keeps clear of the territory, no button is cut, every numbered marker on screen can be read
(its label or its line in the key), markers never overlap; the labels drawn at 1920x1080 are at
least as many as the print sheet places."""

from __future__ import annotations

import matplotlib
import pytest
import shapely

from geodash import style

matplotlib.use("Agg")

pytestmark = pytest.mark.browser
ARRAS = "200033579"
LENS = "246200364"
SIZES = [(1024, 768), (1280, 720), (1920, 1080)]
TITLES = {ARRAS: "Communauté urbaine d'Arras", LENS: "Lens-Liévin"}

# Everything the checks need, measured in the map's frame (its own pixels).
MEASURE = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const frame = [0, 0, window.innerWidth, window.innerHeight];
  const inside = (r, o) => r[0] >= o[0] - 1 && r[1] >= o[1] - 1 && r[2] <= o[2] + 1 && r[3] <= o[3] + 1;
  const key = document.getElementById('gd-key');
  const keyBox = key ? box(key) : null;
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const markers = [...document.querySelectorAll('.gd-marker')].map((m) => {
    const svg = box(m.querySelector('svg'));
    const label = m.querySelector('.gd-label');
    const n = +m.querySelector('svg text').textContent;
    const labelOk = label && !label.classList.contains('gd-off') && getComputedStyle(label).visibility !== 'hidden'
      && inside(box(label), frame);
    const line = key && key.querySelector(`li[data-n="${n}"]`);
    const lineOk = !!line && shown(line) && inside(box(line), keyBox);
    return {n, svg, onScreen: inside(svg, frame), labelOk, lineOk};
  });
  const clusters = [...document.querySelectorAll('.gd-cluster div')].map(box);
  const buttons = [...document.querySelectorAll('button')].map((b) => [b.textContent, b.scrollWidth, b.clientWidth]);
  return {frame, legend: box(document.getElementById('gd-legend')), outline: window.gdOutline(), markers, clusters,
          buttons, labels: [...document.querySelectorAll('.gd-label')].filter((l) => !l.classList.contains('gd-off')
            && inside(box(l), frame)).map((l) => l.textContent)};
}"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def _open(make_page, server, epci, width, height):
    p = make_page(width, height)
    p.page.goto(f"{server}/?epci={epci}&mode=projecteur")
    p.wait_map(title=TITLES[epci])
    p.wait_settled()
    return p


@pytest.mark.parametrize("epci", [ARRAS, LENS])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_projector_layout(server, make_page, artifacts, epci, size):
    p = _open(make_page, server, epci, *size)
    m = p.map_frame().evaluate(MEASURE)
    frame_area = m["frame"][2] * m["frame"][3]
    lg = m["legend"]
    assert (lg[2] - lg[0]) * (lg[3] - lg[1]) <= 0.20 * frame_area
    # The legend keeps clear of the territory (the EPCI's outline, as drawn in the frame).
    territory = shapely.union_all([shapely.Polygon(ring) for ring in m["outline"] if len(ring) >= 3])
    assert not territory.is_empty and territory.area > 0.1 * frame_area  # the map is fitted, not tiny
    assert not territory.intersects(shapely.box(*lg))
    # The legend is read whole from the back of the room: nothing of it scrolled out of its box.
    scroll, client = p.map_frame().evaluate(
        "() => { const l = document.getElementById('gd-legend'); return [l.scrollHeight, l.clientHeight]; }"
    )
    assert scroll <= client + 1, (scroll, client)
    # No button cut, in the page and in the map.
    page_buttons = p.page.evaluate(
        "() => [...document.querySelectorAll('button')].filter(b => b.offsetParent)"
        ".map(b => [b.textContent, b.scrollWidth, b.clientWidth])"
    )
    assert any("Précédent" in t for t, _, _ in page_buttons) and any("Suivant" in t for t, _, _ in page_buttons)
    for text, scroll, client in page_buttons + m["buttons"]:
        assert scroll <= client, (text, scroll, client)
    # Every numbered marker on screen can be read: its label, or its line in the key.
    on_screen = [mk for mk in m["markers"] if mk["onScreen"]]
    assert on_screen
    unread = [mk["n"] for mk in on_screen if not (mk["labelOk"] or mk["lineOk"])]
    assert unread == [], unread
    # Markers and groups never overlap one another.
    shapes = [mk["svg"] for mk in on_screen] + m["clusters"]
    pairs = [(a, b) for i, a in enumerate(shapes) for b in shapes[i + 1 :] if _overlap(a, b)]
    assert pairs == []
    p.page.screenshot(path=str(artifacts / f"projecteur_{epci}_{size[0]}x{size[1]}.png"))


@pytest.mark.parametrize("size", SIZES[:2], ids=[f"{w}x{h}" for w, h in SIZES[:2]])
def test_departement_legend_is_read_whole_without_scrolling(server, make_page, size):
    """No numbered markers in the département's view: its legend, reference included, is read
    without scrolling in its box, and keeps clear of the sources under it."""
    p = make_page(*size)
    p.page.goto(f"{server}/?mode=projecteur")
    p.wait_map()
    p.wait_settled()
    m = p.map_frame().evaluate(
        """() => {
      const legend = document.getElementById('gd-legend');
      const r = (el) => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
      return {scroll: legend.scrollHeight, client: legend.clientHeight, text: legend.textContent,
              legend: r(legend), credit: r(document.querySelector('.gd-credit')),
              frame: [0, 0, window.innerWidth, window.innerHeight]};
    }"""
    )
    assert m["scroll"] <= m["client"] + 1, (m["scroll"], m["client"])
    assert "Référence" in m["text"] and "hab." in m["text"].split("Référence")[-1]
    assert m["legend"][3] <= m["credit"][1] and m["credit"][3] <= m["frame"][3] + 1


def test_legend_folds_with_the_l_key(server, make_page):
    p = _open(make_page, server, ARRAS, 1024, 768)
    p.page.locator(".gd-bar").wait_for()
    body = p.map_frame().locator("#gd-legend .gd-legend-body")
    assert body.is_visible()
    p.page.keyboard.press("l")
    body.wait_for(state="hidden", timeout=5_000)
    p.map_frame().locator("#gd-legend-toggle").click()  # the button does the same
    body.wait_for(state="visible", timeout=5_000)


def _print_labels(base, epci) -> int:
    from geodash import atlas, printmap
    from geodash.selection import Filters

    figure = atlas.render_view(base, atlas.SheetRequest(Filters(epci=epci), "A4", "paysage"), None)
    return len(printmap.label_boxes(figure))


#: The labelled maps of the source: Lumbres, Deux Baies, Flandre Lys, Sud-Artois, Campagnes de l'Artois,
#: Ternois, 7 Vallées.
LABELLED = ["246201016", "200069029", "245900758", "200035442", "200069482", "200069672", "200044030"]


@pytest.mark.parametrize("mode", ["normal", "projecteur"])
@pytest.mark.parametrize("epci", LABELLED)
def test_screen_shows_at_least_the_print_labels(server, make_page, epci, mode):
    from geodash.selection import load_base

    base = load_base(with_context=False)
    on_paper = _print_labels(base, epci)
    p = make_page(1920, 1080)
    p.page.goto(f"{server}/?epci={epci}&mode={mode}")
    p.wait_map()
    p.wait_settled()
    labels = p.map_frame().evaluate(MEASURE)["labels"]
    assert len(labels) >= on_paper > 0, (len(labels), on_paper)
    assert not [t for t in labels if t.strip().endswith("engagement")]  # name and amount only


def test_leaving_the_projector_keeps_the_map_whole(server, make_page):
    """The mode is a new map of the page: the map left behind is taken down without touching the new one's
    legend, controls or style sheet, whichever of the two the page handles first (tried a few times)."""
    p = make_page(1366, 768)
    p.page.goto(f"{server}/?epci={LENS}")
    p.wait_map(title=TITLES[LENS])
    p.wait_settled()
    for _ in range(3):
        p.page.get_by_text("Mode projecteur").click()
        p.page.wait_for_function("() => !!document.querySelector('.gd-projector[data-gd-settled]')", timeout=30_000)
        p.page.locator(".gd-exit").click()
        p.page.wait_for_function(
            "() => !document.querySelector('.gd-projector') && !!document.querySelector('.leaflet-container[data-gd-settled]')",
            timeout=30_000,
        )
        p.page.wait_for_timeout(300)
        assert (
            p.page.locator("#gd-legend .gd-legend-title").text_content() == "Communauté d'agglomération de Lens-Liévin"
        )
        size = p.page.evaluate("() => getComputedStyle(document.querySelector('.gd-marker .gd-label')).fontSize")
        assert size == f"{style.FONTS['normal']['label']}px"  # the laptop's style sheet, not the projector's nor none

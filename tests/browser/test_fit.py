"""The chosen territory fits the map, at every screen size: its box, projected to the screen by the page's own
Leaflet map, lies inside the map, which fits the screen's height, and the legend, the key and the map's
controls cover at most 15 % of it.

Every EPCI at one phone and one laptop size; Arras, Lens-Liévin, the département and ``/comparaison`` at every
size of the issue (phones and tablets in both orientations, laptop, large screen, and the projector mode at
the sizes of meeting rooms).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ARRAS, LENS = "200033579", "246200364"
PHONE, LAPTOP = (390, 844), (1366, 768)
SIZES = {
    "phone": PHONE,
    "phone-large": (412, 915),
    "phone-landscape": (844, 390),
    "tablet": (820, 1180),
    "tablet-landscape": (1180, 820),
    "laptop": LAPTOP,
    "large": (1920, 1080),
}
PROJECTOR = {"projector-1024": (1024, 768), "projector-1280": (1280, 720), "projector-1920": (1920, 1080)}
MAX_COVERED = 0.15

#: The territory's box on screen, the map's box and what lies over the map, in page pixels.
MEASURE = """([west, south, east, north]) => {
  const map = window.gdMap, box = map.getContainer().getBoundingClientRect();
  const a = map.latLngToContainerPoint([north, west]), b = map.latLngToContainerPoint([south, east]);
  const r = (el) => { const q = el.getBoundingClientRect(); return [q.left, q.top, q.right, q.bottom]; };
  const over = ['#gd-legend', '#gd-key', '.gd-column', '.leaflet-control-zoom', '.leaflet-control-scale']
    .flatMap((s) => [...document.querySelectorAll(s)]).filter((el) => el.getBoundingClientRect().width > 0).map(r);
  return {territory: [box.left + a.x, box.top + a.y, box.left + b.x, box.top + b.y], map: r(map.getContainer()),
          over, screen: [window.innerWidth, window.innerHeight]};
}"""


def _area(r) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def _inter(a, b) -> list[float]:
    return [max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])]


def _bounds(terr, epci: str | None) -> list[float]:
    frame = terr.epci_web if epci is None else terr.epci_web[terr.epci_web["siren"] == epci]
    return [float(v) for v in frame.total_bounds]


def _check(p, terr, epci: str | None, where: str) -> None:
    p.wait_settled()
    m = p.page.evaluate(MEASURE, _bounds(terr, epci))
    t, box = m["territory"], m["map"]
    assert box[3] - box[1] <= m["screen"][1] + 1, f"{where}: the map is taller than the screen: {box}"
    assert t[0] >= box[0] - 1 and t[1] >= box[1] - 1 and t[2] <= box[2] + 1 and t[3] <= box[3] + 1, (
        f"{where}: the territory {t} leaves the map {box}"
    )
    covered = sum(_area(_inter(t, o)) for o in m["over"]) / _area(t)
    assert covered <= MAX_COVERED, f"{where}: {covered:.0%} of the territory under the legend or controls"


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_epci_fits_its_map(server, make_page, terr, size):
    p = make_page(*size)
    for siren in terr.sirens:
        p.page.goto(f"{server}/?epci={siren}")
        p.wait_map(title=terr.epci_name(siren))
        _check(p, terr, siren, f"{siren} at {size}")


@pytest.mark.parametrize("name", list(SIZES) + list(PROJECTOR))
@pytest.mark.parametrize("epci", [ARRAS, LENS, None], ids=["arras", "lens", "departement"])
def test_the_territory_fits_at_every_size(server, make_page, terr, epci, name):
    size = SIZES.get(name) or PROJECTOR[name]
    p = make_page(*size)
    mode = "&mode=projecteur" if name in PROJECTOR else ""
    p.page.goto(f"{server}/?{'epci=' + epci if epci else ''}{mode}")
    p.wait_map(title=terr.epci_name(epci) if epci else "20 intercommunalités")
    _check(p, terr, epci, f"{epci or 'département'} at {name} {size}")


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_the_comparison_map_fits_at_every_size(server, make_page, terr, size):
    p = make_page(*size)
    p.page.goto(f"{server}/comparaison")
    p.wait_map(title="20 intercommunalités")
    _check(p, terr, None, f"/comparaison at {size}")


#: The map's labels drawn (not set aside) that overlap its zoom buttons or its scale: [label, control].
LABELS_UNDER_CONTROLS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const controls = [window.gdMap.zoomControl.getContainer(), ...document.querySelectorAll('.gd-map .leaflet-control-scale')]
    .map(box);
  const hit = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  return [...document.querySelectorAll('.gd-label:not(.gd-off)')]
    .filter((l) => getComputedStyle(l).visibility !== 'hidden' && l.getBoundingClientRect().width > 0)
    .flatMap((l) => controls.filter((c) => hit(box(l), c)).map((c) => [l.textContent, c]));
}"""


@pytest.mark.parametrize("size", [SIZES["laptop"], SIZES["tablet"]], ids=["laptop", "tablet"])
@pytest.mark.parametrize("epci", [ARRAS, LENS], ids=["arras", "lens"])
def test_no_label_is_drawn_under_the_zoom_buttons_or_the_scale(server, make_page, terr, epci, size):
    p = make_page(*size)
    p.page.goto(f"{server}/?epci={epci}")
    p.wait_map(title=terr.epci_name(epci))
    p.wait_settled()
    assert p.map_frame().evaluate(LABELS_UNDER_CONTROLS) == []

"""Real server, real headless Chromium: the map draws offline, follows the EPCI choice and the URL."""

from __future__ import annotations

import json
import re

import pytest

from geodash import comparison

pytestmark = pytest.mark.browser
ARRAS = "200033579"
LUMBRES = "246201016"
SIZES = {"projecteur": (1920, 1080), "portable": (1366, 768)}


@pytest.mark.parametrize("size", list(SIZES))
def test_departement_view_loads_offline(server, make_page, artifacts, size):
    p = make_page(*SIZES[size])
    p.page.goto(server)
    p.wait_map()
    frame = p.map_frame()
    assert frame.locator(".gd-epci-label").count() == 20
    assert frame.locator("#gd-legend").is_visible()
    p.wait_settled()
    p.page.screenshot(path=str(artifacts / f"departement_{size}.png"))
    assert p.external == [], f"requests outside 127.0.0.1: {p.external}"


def test_choosing_an_epci_changes_the_map(server, make_page, artifacts):
    p = make_page()
    p.page.goto(server)
    p.wait_map()
    p.page.get_by_role("combobox", name="Intercommunalité").click()
    p.page.get_by_role("option", name="Arras", exact=True).click()
    p.page.wait_for_function("() => new URL(location.href).searchParams.get('epci') === '200033579'")
    n = p.wait_map(title="Communauté urbaine d'Arras")
    frame = p.map_frame()
    assert n > 0
    assert frame.locator(".gd-marker").count() == n
    assert "Communauté urbaine d'Arras" in frame.locator("#gd-legend").inner_text()
    p.wait_settled()
    p.page.screenshot(path=str(artifacts / "arras_portable.png"))
    assert p.external == []


def test_theme_from_url_shows_only_culture(server, make_page, artifacts):
    p = make_page(1920, 1080)
    p.page.goto(f"{server}/?epci={LUMBRES}&theme=Culture")
    n = p.wait_map()
    frame = p.map_frame()
    assert n > 0
    assert frame.locator(".gd-marker").count() == frame.locator(".gd-theme-culture").count() == n
    legend = frame.locator("#gd-legend").inner_text()
    assert "Culture (" in legend and "Sport (" not in legend and "Aménagement (" not in legend
    p.wait_settled()
    p.page.screenshot(path=str(artifacts / "lumbres_culture_projecteur.png"))


@pytest.mark.parametrize("size", list(SIZES))
def test_projector_mode_has_no_sidebar_and_type_for_the_room(server, make_page, artifacts, size):
    p = make_page(*SIZES[size])
    p.page.goto(f"{server}/?epci={LUMBRES}&mode=projecteur")
    p.wait_map()
    # The map and its bar fill the screen, over the page (its sidebar included).
    cover = p.page.locator(".gd-fullscreen").bounding_box()
    assert (cover["x"], cover["y"], cover["width"], cover["height"]) == (0, 0, *SIZES[size])
    p.wait_settled()  # markers are grouped and labelled (they are redrawn until then)
    # Type that follows the screen: compact at 1366 px, large at 1920 px, larger than a laptop's map (12 px).
    large = SIZES[size][0] >= 1920
    size_px = p.map_frame().locator("#gd-legend").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size_px >= (22 if large else 18)
    label_px = p.map_frame().locator(".gd-label").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert label_px >= (17 if large else 13)
    p.page.get_by_role("button", name=re.compile("^Suivant")).click()
    p.page.wait_for_function(f"() => new URL(location.href).searchParams.get('epci') !== '{LUMBRES}'")
    p.wait_map(title="Pays de Saint-Omer")  # the next EPCI in the list after the Pays de Lumbres
    p.wait_settled()
    p.page.screenshot(path=str(artifacts / f"projecteur_{size}.png"))


def _leaflet_zoom(frame) -> float:
    return frame.evaluate("() => window.gdMap.getZoom()")


def test_map_position_lives_in_the_url(server, make_page):
    p = make_page()
    p.page.goto(f"{server}/?epci={ARRAS}")
    p.wait_map(title="Arras")
    p.wait_settled()  # the map starts following its position once it has settled
    z0 = _leaflet_zoom(p.map_frame())
    p.map_frame().locator(".leaflet-control-zoom-in").click()
    p.page.wait_for_function("() => new URL(location.href).searchParams.get('z') !== null", timeout=15_000)
    z_url = float(p.page.evaluate("() => new URL(location.href).searchParams.get('z')"))
    assert z_url == pytest.approx(z0 + 1, abs=0.01)
    link = p.page.url
    assert "epci=200033579" in link and "lat=" in link and "lng=" in link
    # Opening the link restores the same position.
    q = make_page()
    q.page.goto(link)
    q.wait_map(title="Arras")
    assert _leaflet_zoom(q.map_frame()) == pytest.approx(z_url, abs=0.01)


def test_clicking_an_epci_on_the_departement_map_opens_it(server, make_page):
    p = make_page(1920, 1080)
    p.page.goto(server)
    p.wait_map(title="20 intercommunalités")
    # Click a point inside the Ternois (Saint-Pol-sur-Ternoise), where no label lies.
    p.wait_settled()  # the frame has its final size: the point computed below is where it is drawn
    frame = p.map_frame()
    xy = frame.evaluate("() => window.gdMap.latLngToContainerPoint([50.3815, 2.3339])")
    frame.locator(".leaflet-container").click(position={"x": xy["x"], "y": xy["y"] + 25}, force=True)
    p.page.wait_for_function("() => new URL(location.href).searchParams.get('epci') === '200069672'", timeout=15_000)
    assert p.wait_map(title="Communauté de communes du Ternois") > 0


def test_projector_arrow_keys_switch_epci(server, make_page):
    p = make_page(1920, 1080)
    p.page.goto(f"{server}/?epci={LUMBRES}&mode=projecteur")
    p.wait_map(title="Pays de Lumbres")
    p.page.locator(".gd-bar").wait_for()  # the projector's bar, which answers the arrow keys
    p.page.keyboard.press("ArrowRight")
    p.page.wait_for_function("() => new URL(location.href).searchParams.get('epci') === '200069037'", timeout=15_000)
    p.wait_map(title="Pays de Saint-Omer")
    p.page.keyboard.press("ArrowLeft")
    p.page.wait_for_function(f"() => new URL(location.href).searchParams.get('epci') === '{LUMBRES}'", timeout=15_000)


def test_the_territory_list_filters_as_one_types_and_reads_as_a_combobox(server, make_page):
    """The sidebar's « Intercommunalité » list: a labelled combobox; typing filters its options (accents and
    case ignored), the arrows move, Escape closes it and puts back the territory shown."""
    p = make_page()
    p.page.goto(f"{server}/?epci={ARRAS}")
    p.wait_map(title="Communauté urbaine d'Arras")
    field = p.page.get_by_role("combobox", name="Intercommunalité")
    assert field.input_value() == "Arras" and field.get_attribute("aria-expanded") == "false"
    field.click()
    assert field.get_attribute("aria-expanded") == "true"
    assert p.page.get_by_role("option").count() == 21  # « Tout le département » and the 20 EPCI
    field.fill("lievin")
    p.page.wait_for_function("() => document.querySelectorAll('[role=option]').length === 1")
    assert p.page.get_by_role("option").all_inner_texts() == ["Lens-Liévin"]
    active = field.get_attribute("aria-activedescendant")
    assert active and p.page.locator(f"#{active}").inner_text() == "Lens-Liévin"
    field.press("Escape")
    assert field.get_attribute("aria-expanded") == "false" and field.input_value() == "Arras"
    assert "epci=200033579" in p.page.url  # nothing chosen


class HeldMessages:
    """The page's WebSocket relayed to the server, the server's messages held back while :attr:`holding`
    (then sent on by :meth:`release`, in order): what the page does before the server's run reaches it."""

    def __init__(self, page):
        self.held, self.holding, self.page_side = [], False, None
        self.log = []  # every message of the server, held or not
        page.route_web_socket(re.compile(r".*/_stcore/stream.*"), self._relay)

    def _relay(self, ws):
        server_side = ws.connect_to_server()
        ws.on_message(lambda m: server_side.send(m))
        server_side.on_message(self._from_server)
        self.page_side = ws

    def _from_server(self, message):
        self.log.append(message)
        if self.holding:
            self.held.append(message)
        else:
            self.page_side.send(message)

    def release(self):
        self.holding = False
        for message in self.held:
            self.page_side.send(message)
        self.held.clear()


def _run_deltas(messages) -> list:
    """The server's messages (bytes, as relayed) that add an element: ``(container, element kind, element)``;
    container 0 is the page's main area, 1 its sidebar (Streamlit's protocol, read with its own classes)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    found = []
    for raw in messages:
        msg = ForwardMsg()
        msg.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            found.append((msg.metadata.delta_path[0], element.WhichOneof("type"), element))
    return found


def _count_draws(p):
    p.page.evaluate(
        """() => { window.gdDraws = 0; const remove = Element.prototype.removeAttribute;
          Element.prototype.removeAttribute = function (n) { if (n === 'data-gd-ready') window.gdDraws += 1;
            return remove.call(this, n); }; }"""
    )


LEGEND_IS = (
    "t => { const l = document.querySelector('.leaflet-container[data-gd-ready] .gd-legend-title');"
    " return !!l && l.textContent === t; }"
)


def test_the_map_draws_the_territory_chosen_before_the_page_runs_again(server, make_page):
    """A territory chosen in the list is drawn by the map from the view the server published, without
    waiting for the page's run: with every message of the server held back, the map already shows it
    while the title still names the previous one. Once the run's messages arrive, the page names it
    everywhere and the map is not drawn a second time (the run hands the same view, by its address only).
    The run was the view's part of the page: no element of the sidebar was sent again, and the sidebar's
    list names the new territory."""
    p = make_page()
    messages = HeldMessages(p.page)
    # A view goes ahead once the server keeps it (its start-up prepares them when left alone; or a visit).
    p.page.goto(f"{server}/?epci=246200364")
    p.wait_map(title="Communauté d'agglomération de Lens-Liévin")
    p.page.goto(f"{server}/?epci={ARRAS}")
    p.wait_map(title="Communauté urbaine d'Arras")
    p.wait_settled()
    _count_draws(p)
    messages.holding = True
    messages.log.clear()
    with p.page.expect_request(re.compile(r"/app/static/geodash/views/[0-9a-f]+\.json$")):
        field = p.page.get_by_role("combobox", name="Intercommunalité")
        field.click()
        field.fill("Lens-Liévin")
        field.press("Enter")
    lens = "Communauté d'agglomération de Lens-Liévin"
    p.page.wait_for_function(LEGEND_IS, arg=lens)
    assert p.page.locator("h1").first.inner_text() == "Communauté urbaine d'Arras"  # the page has not run yet
    messages.release()
    p.page.wait_for_function(
        "t => document.querySelector('h1').textContent === t"
        " && new URL(location.href).searchParams.get('epci') === '246200364'",
        arg=lens,
    )
    p.page.locator(".gd-grid caption", has_text=lens).wait_for(state="attached")
    p.wait_settled()
    assert p.page.evaluate("() => window.gdDraws") == 1  # drawn ahead, once
    # The run was the view's part of the page only: nothing of the sidebar was sent again; and the map's
    # view, drawn ahead, came by its address, not as its 100-200 KB of data.
    deltas = _run_deltas(messages.log)
    assert deltas and not [d for d in deltas if d[0] == 1], [d[:2] for d in deltas]
    [sent] = [
        json.loads(e.bidi_component.json)
        for _, kind, e in deltas
        if kind == "bidi_component" and e.bidi_component.component_name == "geodash_map"
    ]
    assert sent["view"] == "" and sent["url"].endswith(".json")
    assert p.page.get_by_role("combobox", name="Intercommunalité").input_value() == "Lens-Liévin"


def test_a_view_the_map_cannot_fetch_is_sent_by_the_page(server, make_page):
    """Every view file refused (a proxy that blocks them, a file gone): the territory chosen is still drawn,
    by the page's run, and the page names it everywhere."""
    p = make_page()
    p.page.goto(f"{server}/?epci={ARRAS}")
    p.wait_map(title="Communauté urbaine d'Arras")
    p.wait_settled()
    p.page.route(re.compile(r"/app/static/geodash/views/"), lambda route: route.fulfill(status=404, body=""))
    for option, title in [
        ("Lens-Liévin", "Communauté d'agglomération de Lens-Liévin"),
        ("Arras", "Communauté urbaine d'Arras"),
    ]:
        field = p.page.get_by_role("combobox", name="Intercommunalité")
        field.click()
        field.fill(option)
        field.press("Enter")
        p.page.wait_for_function(LEGEND_IS, arg=title, timeout=30_000)
        p.page.wait_for_function("t => document.querySelector('h1').textContent === t", arg=title)


def test_the_projector_steps_to_the_next_territory_before_the_page_runs_again(server, make_page):
    """« Suivant » (the arrow key of a presenter's remote) draws the next territory's map and names it in
    the bar before the page's run, from the projector views the start-up prepares (or a visit)."""
    p = make_page(1280, 720)
    messages = HeldMessages(p.page)
    omer = "Communauté d'agglomération du Pays de Saint-Omer"
    p.page.goto(f"{server}/?epci=200069037&mode=projecteur")
    p.wait_map(title=omer)
    p.page.goto(f"{server}/?epci={LUMBRES}&mode=projecteur")
    p.wait_map(title="Communauté de communes du Pays de Lumbres")
    p.page.locator(".gd-bar").wait_for()
    p.wait_settled()
    messages.holding = True
    p.page.keyboard.press("ArrowRight")
    p.page.wait_for_function(LEGEND_IS, arg=omer)
    assert p.page.locator(".gd-bar-title").inner_text() == omer
    assert "epci=246201016" in p.page.url  # the page has not run yet
    messages.release()
    p.page.wait_for_function("() => new URL(location.href).searchParams.get('epci') === '200069037'")
    # The sidebar (closed on the projector, its part of the page not run again) names it too.
    p.page.wait_for_function("() => document.querySelector('input[id^=gd-territory]').value.includes('Saint-Omer')")


def test_switching_epci_redraws_the_kept_map_and_the_whole_page_names_it(server, make_page, terr, data):
    """Going from an EPCI to another draws the new view in the same Leaflet map (one component kept
    across runs), nothing of the previous view is left in it (one legend, one scale, one overlay style
    sheet, the new view's markers only), and everything on the page names the new territory: the
    title, the map, the key figures and the project table."""
    p = make_page()
    p.page.goto(f"{server}/?epci={ARRAS}")
    arras = p.wait_map(title="Communauté urbaine d'Arras")
    p.wait_settled()
    p.page.evaluate("() => { window.gdMap.gdKept = true; }")
    views = [
        ("Lens-Liévin", "Communauté d'agglomération de Lens-Liévin"),
        ("Ternois", "Communauté de communes du Ternois"),
        ("Arras", "Communauté urbaine d'Arras"),
    ]
    names = dict(zip(terr.epci["nom"], terr.epci["siren"]))
    counts = []
    for option, title in views:
        field = p.page.get_by_label("Intercommunalité", exact=True)
        field.click()
        field.fill(option)
        p.page.wait_for_function(
            "o => { const first = document.querySelector('[role=option]'); return !!first && first.textContent === o; }",
            arg=option,
        )
        field.press("Enter")
        counts.append(p.wait_map(title=title))
        assert p.page.evaluate("() => window.gdMap.gdKept === true"), "a new map was created"
        drawn = p.page.evaluate(
            """() => ({
              legends: document.querySelectorAll('.gd-legend').length,
              titles: [...document.querySelectorAll('.gd-legend-title')].map(e => e.textContent),
              scales: document.querySelectorAll('.leaflet-control-scale').length,
              sheets: [...document.querySelectorAll('style')].filter(s => s.textContent.includes('.gd-legend')).length,
              markers: document.querySelectorAll('.gd-marker').length + document.querySelectorAll('.gd-cluster').length,
            })"""
        )
        assert drawn["legends"] == 1 and drawn["titles"] == [title], drawn
        assert drawn["scales"] == 1 and drawn["sheets"] == 1, drawn
        assert drawn["markers"] <= counts[-1], drawn  # grouped markers show as one disc
        # The rest of the page: once the run is over, the title, the figures and the table are the new territory's.
        siren = names[title]
        names_of_projects = list(data.financements.loc[data.financements["epci_siren"] == siren, "intitule"])
        figures = comparison.epci_bilan_line(data.chiffres, terr.communes, siren, title)  # the territory's own
        p.page.wait_for_function(
            """([title, figures, projects]) => {
              const h1 = document.querySelector('h1');
              const text = document.body.innerText.replace(/\\s+/g, ' ');
              const tables = [...document.querySelectorAll('.gd-grid')].map(g => g.textContent).join(' ');
              return h1 && h1.textContent === title && text.includes(figures.replace(/\\s+/g, ' '))
                && projects.some(i => tables.includes(i));
            }""",
            arg=[title, figures, names_of_projects],
            timeout=20_000,
        )
        p.wait_settled()
    assert counts[0] != arras or counts[1] != arras  # the views differ (Lens-Liévin has more projects)
    assert counts[-1] == arras

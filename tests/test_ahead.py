"""The map frame's view drawn ahead of the page's rerun (geodash.ahead): the route answers the very
script the page's next run sends, for a choice in the list and for the projector's buttons; it
answers nothing where there is no EPCI view to draw ahead.

The page runs under AppTest (the real ``app.py``) with its map frame's component replaced by one
that records the view script the run sends; the route's answer is computed from the link the page
wrote (its query parameters after the run), as the frame computes it from the page's URL.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from geodash import ahead, mapframe, settings
from geodash.layers.config import CONFIG_ENV
from geodash.pages import carte
from geodash.selection import cached_base

from .asgi import request
from .layers_config import write_config

APP = str(settings.REPO_DIR / "app.py")
ARRAS, LENS, TERNOIS = "200033579", "246200364", "200069672"


@pytest.fixture
def page(monkeypatch, tmp_path):
    """The app under AppTest, with the Département's layers (roads, collèges); ``page.sent`` lists
    the view scripts its runs sent to the map frame."""
    monkeypatch.setenv(CONFIG_ENV, str(write_config(tmp_path)))
    sent: list[str] = []

    def component(**kwargs):
        sent.append(kwargs["feature_group"])
        return kwargs.get("default")

    monkeypatch.setattr(mapframe, "component", lambda: component)
    at = AppTest.from_file(APP, default_timeout=120)
    at.sent = sent
    return at


def _link(at: AppTest) -> dict[str, str]:
    return {key: value if isinstance(value, str) else value[-1] for key, value in at.query_params.items()}


def _view(script: str) -> dict:
    return json.loads(re.match(r"\(function\(\) \{\nvar view = (.*);\n", script).group(1))


def test_a_territory_chosen_in_the_list_is_the_view_the_next_run_sends(page):
    page.query_params.update(epci=ARRAS, theme="Culture,Sport", couches="routes", routes="1,2")
    page.run()
    assert not page.exception, page.exception
    link = _link(page)
    assert link["couches"] == "routes" and link["routes"] == "1,2"  # a link the frame reads back
    ahead_script = ahead.view_script({**link, "vers": "Ternois"})
    page.selectbox(key="epci").set_value(TERNOIS).run()
    assert not page.exception, page.exception
    assert {**link, "epci": TERNOIS} == _link(page)  # the filters and layers kept
    assert ahead_script == page.sent[-1]
    assert _view(ahead_script)["label"] == "Ternois"
    # the filters count: the same territory without them is another view
    assert ahead.view_script({"epci": ARRAS, "vers": "Ternois"}) != ahead_script


def test_the_projector_buttons_views_are_those_the_next_runs_send(page):
    page.query_params.update(epci=ARRAS, mode="projecteur")
    page.run()
    assert not page.exception, page.exception
    for key, step in (("next", "1"), ("prev", "-1"), ("prev", "-1")):
        expected = ahead.view_script({**_link(page), "pas": step})
        page.button(key=key).click().run()
        assert not page.exception, page.exception
        if _link(page).get("epci") is None:  # moved to the département: its map has a frame of its own
            assert expected is None
        else:
            assert expected == page.sent[-1], key


def test_nothing_is_drawn_ahead_where_no_epci_view_follows():
    base = cached_base()
    first, last = base.terr.sirens[0], base.terr.sirens[-1]
    assert ahead.view_script({"vers": "Ternois"}) is None  # the département's page: its own frame
    assert ahead.view_script({"epci": ARRAS, "vers": "Tout le département"}) is None
    assert ahead.view_script({"epci": ARRAS, "vers": "Nulle part"}) is None
    assert ahead.view_script({"epci": last, "pas": "1"}) is None  # after the last EPCI: the département
    assert ahead.view_script({"epci": first, "pas": "-1"}) is None
    assert (
        _view(ahead.view_script({"epci": first, "pas": "1"}))["label"] == carte.option_labels(base)[base.terr.sirens[1]]
    )
    # malformed asks
    assert ahead.view_script({"epci": ARRAS}) is None
    assert ahead.view_script({"epci": ARRAS, "vers": "Ternois", "pas": "1"}) is None
    assert ahead.view_script({"epci": ARRAS, "pas": "2"}) is None


def _get(query: str, client: str = "127.0.0.1") -> tuple[int, dict, bytes]:
    """One GET of the route through Starlette's routing, as served (without Streamlit's middleware)."""
    from starlette.routing import Router

    return request(Router(routes=[ahead.route()]), ahead.PATH, query, client=(client, 50000))


def test_frames_draw_ahead_only_where_the_route_is_served(monkeypatch):
    """``streamlit run app.py`` has no such route: its frames are not given the part that asks it."""
    monkeypatch.setattr(ahead, "_served", False)
    assert ahead.frame_script() == ""
    (route,) = ahead.routes()  # what serve.py gives st.App
    assert route.path == ahead.PATH and route.methods >= {"GET"}
    script = ahead.frame_script()
    assert "geodash/vue" in script and "MutationObserver" in script


def test_the_route_answers_the_script_or_no_content():
    status, headers, body = _get(f"epci={ARRAS}&vers=Lens-Li%C3%A9vin")
    assert status == 200 and headers[b"content-type"].startswith(b"text/javascript")
    assert headers[b"cache-control"] == b"no-store"
    assert body.decode("utf-8") == ahead.view_script({"epci": ARRAS, "vers": "Lens-Liévin"})
    assert _get("vers=Ternois")[:1] == (204,)
    assert _get(f"epci={ARRAS}&pas=3")[:1] == (204,)
    assert _get("")[0] == 204


def test_the_route_is_bounded_per_client(monkeypatch):
    """Issue 22, row 9: a client asking for views again and again is told to wait (429, Retry-After)
    once past its burst, without slowing the others; a query longer than any link is refused (414)."""
    monkeypatch.delenv(settings.TRUSTED_PROXIES_ENV, raising=False)
    burst = ahead.LIMIT.burst
    answers = [_get("vers=Ternois", client="192.0.2.9") for _ in range(burst + 5)]
    assert [status for status, _, _ in answers[:burst]] == [204] * burst
    refused = answers[burst:]
    assert {status for status, _, _ in refused} == {429}
    assert all(int(headers[b"retry-after"]) >= 1 for _, headers, _ in refused)
    assert _get("vers=Ternois", client="192.0.2.10")[0] == 204  # another client is served
    assert _get(f"epci={ARRAS}&q={'x' * ahead.MAX_QUERY}", client="192.0.2.11")[0] == 414

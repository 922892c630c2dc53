"""Every view is a link: query parameters round-trip."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from geodash.selection import Filters
from geodash.style import LAYER_KINDS, NATURES, PERIODS, ROAD_CLASSES, THEMES
from geodash.views import LAT_RANGE, LNG_RANGE, ZOOM_RANGE, View, parse_view, view_params

SIRENS = ["246201016", "200033579"]


def test_round_trip():
    view = View(
        filters=Filters(
            epci="200033579",
            themes=["Culture"],
            periodes=["à venir"],
            natures=["investissement"],
            amount_min=1000,
            amount_max=50000,
            text="église",
            routes=["1", "autoroute"],
        ),
        couches=["sites"],
        mode="projecteur",
        lat=50.3,
        lng=2.8,
        zoom=11,
    )
    assert parse_view(view_params(view), SIRENS) == view


def test_defaults_make_short_links():
    assert view_params(View()) == {}
    # Every theme chosen is no theme filter: the link stays short.
    assert (
        view_params(View(filters=Filters(themes=["Sport", "Culture", "Education", "Solidarité", "Aménagement"]))) == {}
    )


def test_malformed_params_are_ignored():
    view = parse_view({"epci": "999", "theme": "Culture,<script>", "mode": "x", "z": "abc"}, SIRENS)
    assert view.filters.epci is None and view.filters.themes == ("Culture",)
    assert view.mode == "normal" and view.zoom is None


def test_bad_positions_are_dropped_and_zoom_clamped():
    for lat, lng in (("nan", "nan"), ("inf", "-inf"), ("95", "400"), ("0", "0"), ("50.3", ""), ("1e999", "2.8")):
        view = parse_view({"epci": "200033579", "lat": lat, "lng": lng}, SIRENS)
        assert view.lat is None and view.lng is None, (lat, lng)
    assert parse_view({"lat": "50.3", "lng": "2.8"}, SIRENS).lat == 50.3
    assert parse_view({"z": "99"}, SIRENS).zoom == ZOOM_RANGE[1]
    assert parse_view({"z": "-3"}, SIRENS).zoom == ZOOM_RANGE[0]
    assert parse_view({"z": "nan"}, SIRENS).zoom is None


def test_amounts_outside_the_data_or_reversed_are_ignored():
    top = 5_000_000.0
    assert parse_view({"min": "1e99"}, SIRENS, amount_top=top).filters.amount_range is None
    assert parse_view({"min": "50000", "max": "1000"}, SIRENS, amount_top=top).filters.amount_range is None
    assert parse_view({"max": "1e99"}, SIRENS, amount_top=top).filters.amount_max is None
    assert parse_view({"min": "-5"}, SIRENS, amount_top=top).filters.amount_min is None
    assert parse_view({"min": "1000", "max": "50000"}, SIRENS, amount_top=top).filters.amount_range == (1000, 50000)


def test_unknown_list_values_are_ignored_not_an_empty_filter():
    assert parse_view({"theme": "Musique"}, SIRENS).filters.themes is None
    assert parse_view({"periode": "2030", "nature": "x"}, SIRENS).filters.periodes is None
    assert parse_view({"couches": "nope"}, SIRENS).couches == list(LAYER_KINDS)
    # An empty list is a choice (every theme unticked), kept as such.
    assert parse_view({"theme": ""}, SIRENS).filters.themes == ()
    assert parse_view({"theme": "Musique,Sport"}, SIRENS).filters.themes == ("Sport",)


PARAM_KEYS = ["epci", "theme", "periode", "nature", "min", "max", "q", "routes", "couches", "lat", "lng", "z", "mode"]
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e99", "-0", "", "95", "400", "50.3", "2.8", "12", "0x10", "1_000"]),
)
WORDS = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from([*THEMES, *PERIODS, *NATURES, *ROAD_CLASSES, *LAYER_KINDS, "Musique", ""])).map(",".join),
)
PARAMS = st.dictionaries(st.sampled_from(PARAM_KEYS), st.one_of(NUMBERS, WORDS, st.sampled_from(SIRENS)))


@settings(max_examples=500, deadline=None)
@given(PARAMS, st.one_of(st.none(), st.floats(1, 1e8)))
def test_any_query_parses_into_a_valid_view(params, top):
    view = parse_view(params, SIRENS, amount_top=top)
    flt = view.filters
    assert flt.epci is None or flt.epci in SIRENS
    for values, allowed in ((flt.themes, THEMES), (flt.periodes, PERIODS), (flt.natures, NATURES)):
        assert values is None or set(values) <= set(allowed)
    assert set(view.couches) <= set(LAYER_KINDS) and view.mode in ("normal", "projecteur")
    assert (view.lat is None) == (view.lng is None)
    if view.lat is not None:
        assert LAT_RANGE[0] <= view.lat <= LAT_RANGE[1] and LNG_RANGE[0] <= view.lng <= LNG_RANGE[1]
    assert view.zoom is None or ZOOM_RANGE[0] <= view.zoom <= ZOOM_RANGE[1]
    for bound in (flt.amount_min, flt.amount_max):
        assert bound is None or (math.isfinite(bound) and bound > 0 and (top is None or bound <= top))
    if flt.amount_min is not None and flt.amount_max is not None:
        assert flt.amount_min <= flt.amount_max
    # A parsed view is a fixed point: its link reads back the same view.
    assert parse_view(view_params(view), SIRENS, amount_top=top) == view


def test_indicator_round_trips_and_unknown_values_are_ignored():
    known = ["investissement_total_par_habitant", "investissement_routes_par_habitant"]
    view = View(indicateur="investissement_routes_par_habitant")
    params = view_params(view)
    assert params == {"indicateur": "investissement_routes_par_habitant"}
    assert parse_view(params, SIRENS, known) == view
    assert parse_view({"indicateur": "inconnu"}, SIRENS, known).indicateur is None
    assert parse_view({"indicateur": "<script>"}, SIRENS, known) == View()
    assert parse_view(params, SIRENS).indicateur is None  # no indicator known: none taken

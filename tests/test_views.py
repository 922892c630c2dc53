"""Every view is a link: query parameters round-trip."""

from geodash.selection import Filters
from geodash.views import View, parse_view, view_params

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


def test_indicator_round_trips_and_unknown_values_are_ignored():
    known = ["investissement_total_par_habitant", "investissement_routes_par_habitant"]
    view = View(indicateur="investissement_routes_par_habitant")
    params = view_params(view)
    assert params == {"indicateur": "investissement_routes_par_habitant"}
    assert parse_view(params, SIRENS, known) == view
    assert parse_view({"indicateur": "inconnu"}, SIRENS, known).indicateur is None
    assert parse_view({"indicateur": "<script>"}, SIRENS, known) == View()
    assert parse_view(params, SIRENS).indicateur is None  # no indicator known: none taken

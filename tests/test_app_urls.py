"""Property run of the whole page over random links: whatever the query says, the page draws its map
and shows no error (a smaller run than the parser's property test in test_views.py: each example
runs the app)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from geodash import settings as gd_settings

APP = str(gd_settings.REPO_DIR / "app.py")
SIRENS = ["200033579", "246200364", "246201016"]
VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e99", "-1", "0", "95", "400", "50.3", "2.8", "99", "", "Musique", "x,y"]),
    st.sampled_from(["Culture,Sport", "à venir", "engagement", "routes,sites", "projecteur", *SIRENS]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)
KEYS = ["epci", "theme", "periode", "nature", "min", "max", "q", "routes", "couches", "lat", "lng", "z", "mode"]
QUERIES = st.dictionaries(st.sampled_from(KEYS), VALUES, min_size=1, max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES)
def test_any_link_draws_the_map_without_error(query):
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, (query, at.exception)
    assert not at.error, (query, [e.value for e in at.error])
    maps = [e for e in at.get("bidi_component") if e.proto.component_name == "geodash_map"]
    assert maps, query

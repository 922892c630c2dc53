"""One way in: the base, the filters and what they select, the same for the page and the atlas."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from geodash import atlas
from geodash.selection import Base, Filters, load_base, select
from tests.layers_config import SHARED_GEO, write_config

ARRAS = "200033579"
LUMBRES = "246201016"


@pytest.fixture(scope="module")
def base() -> Base:
    return load_base(with_context=False)


@pytest.fixture(scope="module")
def base_with_roads(tmp_path_factory) -> Base:
    if not (SHARED_GEO / "tm_roads_62.geojson").exists():
        pytest.skip("shared reference roads not available")
    return load_base(layers_config=write_config(tmp_path_factory.mktemp("layers")))


def test_base_holds_everything_read(base):
    assert len(base.terr.sirens) == 20
    assert len(base.placed) + len(base.unplaced) == len(base.data.financements)
    assert base.credit.startswith("Sources")
    assert base.roads is None and base.road_lengths is None
    assert base.map_credit == base.credit  # no context layer, nothing added


def test_filters_normalise_every_choice_to_no_filter():
    every = Filters(themes=["Sport", "Culture", "Education", "Solidarité", "Aménagement"], periodes=["à venir"])
    assert every.themes is None and every.periodes == ("à venir",)
    assert Filters(themes=[]).themes == ()  # nothing chosen: nothing shown
    assert Filters().amount_range is None
    assert Filters(amount_min=1000).amount_range == (1000, float("inf"))


def test_no_filter_selects_every_row_and_nothing_placed_for_the_departement(base):
    chosen = select(base, Filters())
    assert len(chosen.rows) == len(base.data.financements)
    assert chosen.placed.empty and chosen.unplaced.empty  # the département view is a choropleth
    assert set(chosen.by_epci["siren"]) == set(base.terr.sirens)


def test_theme_filter_keeps_only_that_theme(base):
    chosen = select(base, Filters(epci=LUMBRES, themes=["Culture"]))
    assert len(chosen.rows) > 0 and set(chosen.rows["theme"]) == {"Culture"}
    assert set(chosen.rows["epci_siren"]) == {LUMBRES}
    every = select(base, Filters(epci=LUMBRES))
    assert len(chosen.rows) < len(every.rows)
    # Placed and EPCI-wide projects split the EPCI's rows between them.
    assert sorted(chosen.placed.index.append(chosen.unplaced.index)) == sorted(chosen.rows.index)
    assert set(chosen.placed["theme"]) <= {"Culture"}


def test_amount_and_text_filters(base):
    big = select(base, Filters(amount_min=1_000_000))
    assert len(big.rows) > 0 and (big.rows["montant_departement_eur"] >= 1_000_000).all()
    found = select(base, Filters(text="LUMBRES"))
    assert len(found.rows) > 0


def test_totals_per_epci_and_per_inhabitant(base):
    chosen = select(base, Filters(themes=["Sport"]))
    sport = base.data.financements[base.data.financements["theme"] == "Sport"]
    repeated = sport["doublon_de"].fillna("").astype(str) != ""
    per_epci = sport[~repeated].groupby("epci_siren")["montant_departement_eur"].sum()
    row = chosen.by_epci.set_index("siren").loc[LUMBRES]
    assert row["montant_eur"] == pytest.approx(per_epci.get(LUMBRES, 0.0))
    assert row["par_habitant"] == pytest.approx(row["montant_eur"] / row["population"])
    communes = base.terr.communes
    population = communes.loc[~communes["hors_departement"], "population"].sum()
    assert chosen.departement_per_inhabitant == pytest.approx(per_epci.sum() / population)


def test_road_filter_keeps_works_on_the_chosen_categories(base_with_roads):
    every = select(base_with_roads, Filters(epci=ARRAS))
    chosen = select(base_with_roads, Filters(epci=ARRAS, routes=["1", "autoroute"]))
    routes = set(chosen.rows["route"].fillna("")) - {""}
    # RD 939 and RD 950 are of category 1 in the test table; RD 260 has no category.
    assert routes == {"RD 939", "RD 5|RD 950"}
    assert "RD 260" in set(every.rows["route"].fillna(""))
    assert len(every.rows) - len(chosen.rows) == 1
    assert base_with_roads.road_lengths is not None and ARRAS in set(base_with_roads.road_lengths["siren"])
    assert "TravelMapping" in base_with_roads.map_credit


def test_road_filter_applies_the_same_on_the_page_and_in_the_atlas(base_with_roads):
    """The print sheet draws the selection the page draws: the filtered road work is on neither."""
    flt = Filters(epci=ARRAS, routes=["1", "autoroute"])
    texts = {}
    for name, filters in (("all", replace(flt, routes=None)), ("filtered", flt)):
        fig = atlas.render_view(
            base_with_roads, atlas.SheetRequest(filters, day=date(2019, 5, 1)), base_with_roads.context
        )
        texts[name] = " ".join(t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text")))
        plt.close(fig)
    work = "Cadre de vie et activités agricoles"
    assert work in texts["all"] and work not in texts["filtered"]
    assert work not in " ".join(select(base_with_roads, flt).rows["intitule"])


def test_cached_base_follows_the_database_and_keeps_the_territories(monkeypatch, tmp_path):
    """An edit shows at the next call (the page's next run); the territories are not read again."""
    from geodash import db
    from geodash.selection import cached_base, ready_engine

    monkeypatch.setenv("GEODASH_DATABASE_URL", f"sqlite:///{tmp_path / 'cache.sqlite'}")
    monkeypatch.delenv("GEODASH_PROJECTS_DIR", raising=False)
    first = cached_base()
    assert cached_base() is first  # nothing changed: the same shared object
    fid = first.data.financements["id"].iloc[0]
    engine = ready_engine()
    record = db.get_financing(engine, fid)
    db.withdraw_financing(engine, fid, expected_version=record.version, author="test")
    second = cached_base()
    assert fid in set(first.data.financements["id"]) and fid not in set(second.data.financements["id"])
    assert len(second.data.financements) == len(first.data.financements) - 1
    assert second.terr is first.terr
    cached_base.clear()


def test_the_base_read_part_by_part_is_the_one_cached_base_keeps(monkeypatch, tmp_path):
    """The server's start-up reads the base in steps (``cached_base.steps``, giving way to visitors between
    two): ``cached_base`` then finds every part kept and reads nothing again."""
    from geodash import progress, territories
    from geodash.selection import ProjectSource, cached_base

    monkeypatch.setenv("GEODASH_DATABASE_URL", f"sqlite:///{tmp_path / 'steps.sqlite'}")
    monkeypatch.delenv("GEODASH_PROJECTS_DIR", raising=False)
    cached_base.clear()
    steps = cached_base.steps()
    assert len(steps) == 5  # territories, context layers, the 2019 plans, the financings read, then placed
    for step in steps:
        step()

    def read_again(*args, **kwargs):
        raise AssertionError("read again")

    monkeypatch.setattr(territories, "load_territories", read_again)
    monkeypatch.setattr(ProjectSource, "load", read_again)
    monkeypatch.setattr(progress, "load_plans", read_again)
    base = cached_base()
    assert len(base.data.financements) > 1000 and cached_base() is base
    cached_base.clear()


def test_the_pages_keep_no_commune_shapes_yet_place_and_print_as_a_full_load(monkeypatch, tmp_path):
    """The server's data keep the communes' attributes only (all France: 100 MB less); the projects are
    placed, and a sheet printed, on their full-resolution shapes read again: as from a full load."""
    from geodash.selection import cached_base

    monkeypatch.setenv("GEODASH_DATABASE_URL", f"sqlite:///{tmp_path / 'shapes.sqlite'}")
    monkeypatch.delenv("GEODASH_PROJECTS_DIR", raising=False)
    kept, full = cached_base(), load_base(with_context=False)
    assert "geometry" not in kept.terr.communes and "geometry" in full.terr.communes
    pd.testing.assert_frame_equal(kept.placed, full.placed)
    pd.testing.assert_frame_equal(kept.unplaced, full.unplaced)
    sheets = []
    for loaded in (kept, full):
        fig = atlas.render_view(loaded, atlas.SheetRequest(Filters(epci=LUMBRES), day=date(2019, 5, 1)))
        sheets.append(atlas.figure_bytes(fig, "png"))
        plt.close(fig)
    assert sheets[0] == sheets[1]
    cached_base.clear()


def test_memo_computes_a_key_once_even_when_asked_at_once(base):
    import threading
    import time

    base.derived.clear()
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.2)  # the second thread asks while the first computes
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(base.memo(("test", 1), compute))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and results[0] is results[1]
    assert base.memo(("test", 1), compute) is results[0] and len(calls) == 1
    assert base.memo(("test", 2), lambda: "other") == "other"


def test_memo_keeps_at_most_its_size_dropping_the_oldest(base):
    base.derived.clear()
    for i in range(base.MEMO_SIZE + 5):
        base.memo(("size", i), lambda i=i: i)
    assert len(base.derived) == base.MEMO_SIZE
    assert ("size", 0) not in base.derived and ("size", base.MEMO_SIZE + 4) in base.derived
    assert base.memo(("size", 0), lambda: "again") == "again"  # computed again when asked again


def test_memo_keeps_the_key_it_stored_and_the_last_used_values(base):
    """A value found stays under the key it was stored with, not the equal key of the run that asked (a
    session's objects, which would then outlive it); asking makes it the last to go."""
    base.derived.clear()
    stored = ("view", "200033579")
    base.memo(stored, lambda: "computed")
    asked = ("view", "".join(["2000", "33579"]))  # equal, made by another run
    assert asked is not stored and base.memo(asked, lambda: "again") == "computed"
    assert next(k for k in base.derived if k == asked) is stored
    for i in range(base.MEMO_SIZE - 1):
        base.memo(("size", i), lambda i=i: i)
    base.memo(asked, lambda: "again")  # the oldest, used again: now the last to go
    base.memo(("size", "one more"), lambda: 0)
    assert stored in base.derived and ("size", 0) not in base.derived


def test_a_failed_computation_keeps_nothing_and_is_tried_again(base):
    base.derived.clear()
    with pytest.raises(ZeroDivisionError):
        base.memo(("fails", 1), lambda: 1 / 0)
    assert ("fails", 1) not in base.derived and ("fails", 1) not in base.derived._computing
    assert base.memo(("fails", 1), lambda: "now") == "now"


def test_the_loaded_data_are_out_of_streamlits_caches(monkeypatch, tmp_path):
    """Any client can empty Streamlit's caches (its websocket's ``clear_cache`` message, which calls
    these very functions): the data in force and their prepared views stay (row 5 of issue 22)."""
    import streamlit as st

    from geodash.selection import cached_base

    monkeypatch.setenv("GEODASH_DATABASE_URL", f"sqlite:///{tmp_path / 'kept.sqlite'}")
    monkeypatch.delenv("GEODASH_PROJECTS_DIR", raising=False)
    first = cached_base()
    first.memo(("prepared", 1), lambda: "a view")
    st.cache_data.clear()
    st.cache_resource.clear()
    assert cached_base() is first and first.memo(("prepared", 1), lambda: "made again") == "a view"
    cached_base.clear()
    assert cached_base() is not first  # what the tests use to start afresh


def test_the_domain_modules_do_not_import_streamlit():
    """Streamlit is the pages' business: the atlas CLI, the loaders and the route's view never import it."""
    import subprocess
    import sys

    code = "import sys, geodash.atlas, geodash.selection, geodash.viewmodel, geodash.webmap, geodash.cli; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr[-2000:]


def test_amount_filter_positions_are_orders_of_magnitude_and_keep_a_links_bounds(base):
    from geodash import viewmodel as vm
    from geodash.formatting import format_eur

    top = vm.amount_top(base)
    steps = vm.amount_steps(base)
    assert steps[0] == 0 and steps[-1] == top and steps == sorted(set(steps))
    assert steps[1:4] == [1_000, 2_000, 5_000] and 1_000_000 in steps and len(steps) < 30
    # A link's bounds (an older link's 37 000 €) are positions too, so that it opens as it was written;
    # a bound beyond the data is not.
    assert 37_000 in vm.amount_steps(base, 37_000, top * 2) and top * 2 not in vm.amount_steps(base, top * 2)
    # Every position reads in French.
    assert format_eur(1_000_000.0) == "1\u00a0000\u00a0000\u00a0€"
    opened = vm.opened(base, vm.view_of(base, {"min": "37000"}))
    assert opened.amounts[0] == 37_000 and set(opened.amounts) <= set(vm.amount_steps(base, *opened.amounts))


def test_the_project_table_as_shown_is_kept_with_the_view(base):
    from geodash import viewmodel as vm

    chosen = vm.selected(base, Filters(epci=base.terr.sirens[0]))
    grid = vm.projects_grid(base, chosen)
    assert vm.projects_grid(base, chosen) is grid  # built once per view, not on every run
    table = vm.projects_table(base, chosen)
    shown = grid.frame()
    assert shown.shape == table.shape and list(shown.columns) == list(table.columns)
    amounts = table["Montant du Département (€)"].dropna()
    # Written (as the page shows it) in French; the numbers kept to sort on.
    assert any(
        f"{int(v):,}".replace(",", "\u00a0") in set(shown["Montant du Département (€)"]) for v in amounts if v >= 1000
    )
    column = str(list(table.columns).index("Montant du Département (€)"))
    assert grid.data["keys"][column] == [None if pd.isna(v) else float(v) for v in table["Montant du Département (€)"]]


def test_the_maps_that_go_ahead_are_the_kept_views_of_the_same_filters(base):
    from geodash import viewmodel as vm

    arras, lens, lumbres = "200033579", "246200364", "246201016"
    unique = {"theme": "Culture", "q": "vues en avance"}  # filters no other test computes views for
    choice = vm.choice_of(base, vm.opened(base, vm.view_of(base, {"epci": arras, **unique})))
    nearby = vm.neighbour(choice, lens)
    assert nearby.filters == replace(choice.filters, epci=lens) and nearby.shown == choice.shown
    assert nearby.indicator is None and nearby.mode == choice.mode
    before = vm.maps_ahead(base, choice)
    assert lens not in before  # nothing is computed for it
    web = vm.web_map(base, nearby)  # a visitor's run (or the start-up) computed Lens's view
    ahead = vm.maps_ahead(base, choice)
    assert ahead[lens] is web and arras not in ahead and lumbres not in ahead
    # The département's view goes ahead to the territories with its own filters, without its indicator.
    root = vm.choice_of(base, vm.opened(base, vm.view_of(base, unique)))
    assert root.indicator is not None and vm.maps_ahead(base, root)[lens] is web


def test_a_project_table_too_large_for_a_page_is_not_built(base, monkeypatch):
    from geodash import viewmodel as vm

    chosen = vm.selected(base, Filters(text="e", themes=("Sport",)))  # no other test computes this view
    rows = len(vm.projects_table(base, chosen))
    assert rows > 1
    monkeypatch.setattr(vm, "GRID_ROWS_MAX", rows - 1)
    assert vm.projects_grid(base, chosen) is None
    assert ("projects-grid", chosen.filters) not in set(base.derived)  # nothing kept for it either
    monkeypatch.setattr(vm, "GRID_ROWS_MAX", rows)
    assert vm.projects_grid(base, chosen).rows == rows

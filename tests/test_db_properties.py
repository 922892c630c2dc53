"""Properties of the history and of the CSV round trip, on SQLite and PostgreSQL."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodash.db import (
    Conflict,
    ValidationError,
    edit_financing,
    export_csv,
    get_financing,
    import_csv,
    list_financings,
    reinstate_financing,
    restore_version,
    withdraw_financing,
)
from geodash.db.financings import financing_history
from geodash.db.models import FINANCING_FIELDS

FEW = settings(
    max_examples=25,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",  # reproducible in CI, as in tests/test_hostile.py
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],  # new database per example
)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
VALUES = {
    "remarque": TEXT,
    "intitule": TEXT,  # may be blank: refused, nothing changes
    "maitre_ouvrage": TEXT,
    "montant_departement_eur": st.one_of(st.integers(0, 10**8).map(str), st.just(""), st.just("1 443 000,5")),
    "periode": st.sampled_from(["à venir", "2015-2018", "plus tard"]),
}
OPERATION = st.one_of(
    st.tuples(
        st.just("edit"),
        st.integers(0, 5),
        st.sampled_from(sorted(VALUES)).flatmap(lambda f: st.tuples(st.just(f), VALUES[f])),
    ),  # fmt: skip
    st.tuples(st.just("stale"), st.integers(0, 5), st.just(None)),
    st.tuples(st.just("withdraw"), st.integers(0, 5), st.just(None)),
    st.tuples(st.just("reinstate"), st.integers(0, 5), st.just(None)),
    st.tuples(st.just("restore"), st.integers(0, 5), st.integers(1, 12)),
)


def _apply(engine, operations, rules) -> None:
    ids = [r.id for r in list_financings(engine)]
    for kind, index, arg in operations:
        fid = ids[index % len(ids)]
        current = get_financing(engine, fid)
        try:
            if kind == "edit":
                edit_financing(engine, fid, dict([arg]), expected_version=current.version, author="a", rules=rules)
            elif kind == "stale" and current.version > 1:
                try:
                    edit_financing(engine, fid, {"remarque": "x"}, expected_version=current.version - 1, author="b")
                except Conflict:
                    assert get_financing(engine, fid) == current
                else:
                    raise AssertionError("a stale version was saved")
            elif kind == "withdraw":
                withdraw_financing(engine, fid, expected_version=current.version, author="c")
            elif kind == "reinstate":
                reinstate_financing(engine, fid, expected_version=current.version, author="d", rules=rules)
            elif kind == "restore" and arg <= current.version:
                restore_version(engine, fid, arg, expected_version=current.version, author="e", rules=rules)
        except ValidationError:
            assert get_financing(engine, fid) == current


@FEW
@given(operations=st.lists(OPERATION, max_size=12))
def test_replaying_the_history_gives_the_current_state(new_engine, small_folder, terr, rules, operations):
    engine = new_engine()
    import_csv(engine, small_folder, communes=terr.communes, epci_sirens=terr.sirens)
    _apply(engine, operations, rules)
    records = list_financings(engine)
    histories = {r.id: financing_history(engine, r.id) for r in records}
    engine.dispose()  # one database per example: give its connections back
    for record in records:
        history = histories[record.id]
        assert [c.version for c in history] == list(range(1, record.version + 1))
        assert history[0].action == "import" and history[0].old is None
        state = None
        for change in history:
            assert change.old == state  # each entry starts where the previous one ended
            state = change.new
        assert state == {**record.values, "retire": record.withdrawn}
        assert list(state)[: len(FINANCING_FIELDS)] == FINANCING_FIELDS


@FEW
@given(operations=st.lists(OPERATION, max_size=8))
def test_export_then_init_gives_identical_files(new_engine, small_folder, terr, rules, operations, tmp_path_factory):
    first, second = new_engine(), new_engine()
    import_csv(first, small_folder, communes=terr.communes, epci_sirens=terr.sirens)
    _apply(first, operations, rules)
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    names = [p.name for p in export_csv(first, a)]
    import_csv(second, a, communes=terr.communes, epci_sirens=terr.sirens)
    assert [p.name for p in export_csv(second, b)] == names
    for name in names:
        assert (b / name).read_bytes() == (a / name).read_bytes(), name
    # the same records (withdrawn ones come after the current ones, as in the files)
    records = [{r.id: (r.values, r.withdrawn) for r in list_financings(e)} for e in (first, second)]
    first.dispose(), second.dispose()
    assert records[0] == records[1]

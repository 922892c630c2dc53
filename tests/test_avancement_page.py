"""The « Avancement des contrats » page (``/avancement``) under AppTest: a link opens a territory, its progress
follows what staff record (through the store, as the staff page does), projector mode, hostile links."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from streamlit.testing.v1 import AppTest

from geodash import db, viewmodel
from geodash.formatting import NBSP
from geodash.selection import cached_base

from .pagedata import markdown_shown, progress_page, text_tables

LUMBRES = "246201016"


@pytest.fixture
def store(engine, monkeypatch):
    monkeypatch.setenv("GEODASH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    cached_base.clear()
    yield engine
    cached_base.clear()


def _run(**params) -> AppTest:
    at = AppTest.from_function(progress_page, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _tables(at) -> dict[str, list[list[str]]]:
    """The page's tables by their first column's name, as rows of text (header first)."""
    return {t.columns[0]: [list(t.columns), *t.values.tolist()] for t in text_tables(at)}


def test_a_link_opens_the_territory_and_its_parts(store):
    at = _run(epci=LUMBRES)
    assert markdown_shown(at.title[0].value) == "Avancement du contrat : Pays de Lumbres"
    assert at.sidebar.selectbox[0].value == LUMBRES
    assert "30 financements : 0 suivi depuis le contrat" in markdown_shown(at.markdown[0].value)
    tables = _tables(at)
    assert {"État", "Thématique", "Projet"} <= set(tables)
    assert any("Aucun financement en retard" in markdown_shown(m.value) for m in at.markdown)
    assert dict(at.query_params) == {"epci": LUMBRES}


def test_recorded_steps_change_the_page(store):
    before = _run(epci=LUMBRES, depuis="2024-01-01")
    assert any("Aucun changement enregistré depuis cette date" in markdown_shown(m.value) for m in before.markdown)
    now = datetime.now(timezone.utc)
    follow = db.record_event(store, "LUM-018", {"etat": "vote", "date": "05/06/2019", "instance": "CP du 05/06/2019",
                                                "montant": "30 000"}, expected_version=0, author="t", now=now)  # fmt: skip
    follow = db.record_event(store, "LUM-018", {"etat": "verse", "date": "10/01/2020", "montant": "10 000"},
                             expected_version=follow.version, author="t", now=now)  # fmt: skip
    at = _run(epci=LUMBRES, depuis="2024-01-01")
    assert "1 suivi depuis le contrat, 1 en retard, 29 sans information de suivi" in markdown_shown(
        at.markdown[0].value
    )
    states = {row[0]: row for row in _tables(at)["État"][1:]}
    assert states["Versé"][1:4] == ["1", "0", "1"]
    changes = _tables(at)["Enregistré le"]
    assert [row[2].replace(NBSP, " ") for row in changes[1:]] == [
        "vote CP du 05/06/2019 : 30 000 €",
        "versement de 10 000 € le 10/01/2020",
    ]
    late = _tables(at)["Projet"]
    assert any("Hydraulique douce" in row[0] for row in late[1:])


def test_departement_compares_the_epci(store):
    at = _run()
    assert markdown_shown(at.title[0].value) == "Avancement des contrats : Pas-de-Calais"
    comparison = _tables(at)["Intercommunalité"]
    assert len(comparison) == 21


def test_projector_mode_has_its_buttons_and_steps(store):
    at = _run(epci=LUMBRES, mode="projecteur")
    labels = [b.label for b in at.button]
    assert labels[1].startswith("Suivant : ") and labels[2] == "✕ Quitter le mode projecteur"
    assert not at.sidebar.selectbox  # the projector shows the point d'étape only
    at.button[1].click().run()
    assert at.query_params["epci"] != LUMBRES and at.query_params["mode"] == "projecteur"
    assert markdown_shown(at.title[0].value).startswith("Avancement du contrat : ")
    assert "Pays de Lumbres" not in markdown_shown(at.title[0].value)
    at.button[2].click().run()
    assert "mode" not in at.query_params
    at.toggle(key="avancement-projecteur").set_value(True).run()  # the sidebar's switch: the projector again
    assert at.query_params["mode"] == "projecteur" and not at.sidebar.selectbox


@pytest.mark.parametrize(
    ("params", "epci", "since"),
    [
        ({"epci": "999999999", "depuis": "hier"}, None, None),
        ({"epci": LUMBRES, "depuis": "2999-01-01"}, LUMBRES, None),
        ({"epci": LUMBRES, "depuis": "2024-02-30"}, LUMBRES, None),
        ({"epci": LUMBRES, "depuis": "2024-02-03"}, LUMBRES, date(2024, 2, 3)),
        ({"epci": LUMBRES, "depuis": "2000-01-01"}, LUMBRES, date(2019, 4, 29)),  # before the contracts: their day
    ],
)
def test_a_bad_link_opens_the_page_anyway(store, params, epci, since):
    choice = viewmodel.progress_choice(cached_base(), params)
    assert (choice.epci, choice.since, choice.projector) == (epci, since, False)
    at = _run(**params)
    assert markdown_shown(at.title[0].value).startswith("Avancement")


def test_a_hostile_title_and_reason_are_shown_as_written(store):
    """Text staff typed reaches the page's tables and sentences as text: no Markdown, no HTML, no formula."""
    hostile = "$x^2$ <b>{y}</b> *z* {{ w }}"
    record = db.get_financing(store, "LUM-005")
    db.edit_financing(store, "LUM-005", {"intitule": hostile}, expected_version=record.version, author="t")
    db.record_event(store, "LUM-005", {"etat": "abandonne", "date": "02/02/2021", "motif": "<i>repris</i> $a$"},
                    expected_version=0, author="t")  # fmt: skip
    at = _run(epci=LUMBRES, depuis="2000-01-01")
    changes = _tables(at)["Enregistré le"]
    assert [row[1] for row in changes[1:]] == [hostile]
    assert "<i>repris</i> $a$" in changes[1][2]
    states = _tables(at)["État"]
    assert any(row[0] == "Abandonné" for row in states[1:])
    html = "".join(e.proto.body for e in at.get("html"))
    assert "<b>{y}</b>" not in html and "&lt;b&gt;{y}&lt;/b&gt;" in html.replace("&#123;", "{").replace("&#125;", "}")

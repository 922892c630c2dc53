"""The « Suivi » of the staff page ``/saisie`` under AppTest, on SQLite and PostgreSQL (issue 26): a vote and a
payment recorded through the page land in the follow-up with their history; a step is checked as it is typed
(the rules of :mod:`geodash.progress`); someone who recorded first is shown, and the input kept.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from geodash import db, progress

from .pagedata import markdown_shown, signed_in_staff, text_tables

ARRAS, FID = "200033579", "CUA-010"  # an engagement of the contract: announced, no amount


def _k(name: str) -> str:
    return f"suivi:{FID}:{name}"


@pytest.fixture
def staff(engine, monkeypatch):
    """The staff page signed in as an editor, financing CUA-010 opened."""
    monkeypatch.setenv("GEODASH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return SimpleNamespace(at=signed_in_staff(engine, ARRAS, FID), engine=engine)


def _texts(elements) -> list[str]:
    return [markdown_shown(e.value) for e in elements]


def _step(at: AppTest, etat: str, **fields) -> None:
    at.selectbox(key=_k("etat")).set_value(etat).run()
    for name, value in fields.items():
        at.text_input(key=_k(name)).input(value).run()
    assert not at.exception, at.exception


def test_the_page_records_a_vote_then_a_payment(staff):
    at = staff.at
    assert any(t.startswith("État : annoncé ; pas d'information de suivi") for t in _texts(at.markdown))
    _step(at, "vote", date="02/03/2020", instance="CP du 02/03/2020", montant="30 000")
    at.button(key=f"suivi_save_{FID}").click().run()
    assert not at.exception, at.exception
    assert any("vote CP du 02/03/2020" in t and "(version 1 du suivi)" in t for t in _texts(at.success))
    assert at.text_input(key=_k("date")).value == ""  # the form emptied for the next step
    _step(at, "verse", date="01/06/2020", montant="10 000")
    at.button(key=f"suivi_save_{FID}").click().run()
    assert not at.exception, at.exception
    follow = db.get_follow_up(staff.engine, FID)
    assert follow.version == 2
    assert [(e.etat, e.montant, e.author) for e in follow.events] == [
        ("vote", 30000.0, "marie.dupont"),
        ("verse", 10000.0, "marie.dupont"),
    ]
    assert follow.changes[-1].changed["verse"] == ("", "10\u00a0000\u00a0€")
    shown = " ".join(_texts(at.markdown))
    assert (
        "État : versé le 01/06/2020 ; voté (CP du 02/03/2020) : 30\u00a0000\u00a0€ ; versé : 10\u00a0000\u00a0€"
        in shown
    )
    entries = [t for t in text_tables(at) if "Enregistrement" in t.columns][0]
    assert list(entries["Version"]) == ["2", "1"]  # newest first, with who, when, before and after
    assert entries["Enregistrement"][0] == "versement de 10\u00a0000\u00a0€ le 01/06/2020"
    assert entries["Par"][0] == "marie.dupont"
    assert "verse : –" in entries["Avant"][0] and "verse : 10\u00a0000\u00a0€" in entries["Après"][0]


def test_a_step_is_checked_as_it_is_typed_and_cannot_be_recorded_in_error(staff):
    at = staff.at
    _step(at, "vote", date="02/03/2020", instance="CP du 03/03/2020", montant="0")
    errors = _texts(at.error)
    assert any("l'instance est du 03/03/2020, le vote daté du 02/03/2020" in e for e in errors), errors
    assert any("montant voté : doit être supérieur à 0" in e for e in errors), errors
    assert at.button(key=f"suivi_save_{FID}").disabled
    _step(at, "realise", date="02/03/2020")
    assert any("le vote du Département doit être enregistré d'abord" in e for e in _texts(at.error))
    assert at.button(key=f"suivi_save_{FID}").disabled
    assert db.get_follow_up(staff.engine, FID).version == 0


def test_someone_who_recorded_first_is_shown_and_the_input_kept(staff):
    at = staff.at
    _step(at, "reporte", date="02/03/2020")
    at.text_area(key=_k("motif")).input("Projet reporté par la commune").run()
    db.record_event(  # another agent, meanwhile
        staff.engine,
        FID,
        {"etat": "vote", "date": "01/02/2020", "instance": "CD du 01/02/2020", "montant": "5000"},
        expected_version=0,
        author="paul.martin",
    )
    at.button(key=f"suivi_save_{FID}").click().run()
    assert not at.exception, at.exception
    assert any("complété par paul.martin" in w for w in _texts(at.warning))
    assert at.text_area(key=_k("motif")).value == "Projet reporté par la commune"
    assert db.get_follow_up(staff.engine, FID).version == 1
    at.button(key=f"suivi_apply_{FID}").click().run()
    assert not at.exception, at.exception
    follow = db.get_follow_up(staff.engine, FID)
    assert [e.etat for e in follow.events] == ["vote", "reporte"]
    assert progress.current_state(db.get_financing(staff.engine, FID).values, follow.events).etat == "reporte"


def test_an_entry_recorded_by_mistake_is_cancelled_and_kept(staff):
    at = staff.at
    follow = db.record_event(
        staff.engine,
        FID,
        {"etat": "vote", "date": "01/02/2020", "instance": "CD du 01/02/2020", "montant": "5000"},
        expected_version=0,
        author="paul.martin",
    )
    at.run()
    at.selectbox(key=f"suivi_cancel_choice_{FID}").set_value(f"etape:{follow.events[0].pk}").run()
    at.text_input(key=f"suivi_cancel_reason_{FID}").input("mauvais financement").run()
    at.button(key=f"suivi_cancel_{FID}").click().run()
    assert not at.exception, at.exception
    follow = db.get_follow_up(staff.engine, FID)
    assert follow.version == 2 and follow.events == ()
    assert (
        follow.changes[-1].label
        == "annulation : vote CD du 01/02/2020 : 5\u00a0000\u00a0€ (raison : mauvais financement)"
    )
    assert follow.changes[-1].author == "marie.dupont"
    assert any(t.startswith("État : annoncé") for t in _texts(at.markdown))


def test_a_repeated_subsidy_says_its_follow_up_is_shared(engine, monkeypatch):
    """CALL-091 (Lens-Liévin) repeats CABBALR-033: the public pages join both lines' follow-up, the page says so."""
    monkeypatch.setenv("GEODASH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = signed_in_staff(engine, "246200364", "CALL-091")
    assert any("répète CABBALR-033" in t for t in _texts(at.info))
    at.session_state["saisie_epci"] = ARRAS
    at.session_state["saisie_chosen"] = {ARRAS: FID}
    at.run()
    assert any(t.startswith("État : annoncé") for t in _texts(at.markdown))  # CUA-010 is open now
    assert not any("répète" in t for t in _texts(at.info))

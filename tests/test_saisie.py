"""The staff page ``/saisie`` under AppTest, on SQLite and PostgreSQL, when the database fails during a
save (issue 22, rows 3 and 10): the save is refused in French, the editor's input stays in the form,
bound to the version it came from, and lands whole once the database is back; a form that lost its
widgets' values never saves blanks.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from geodash import db
from geodash.selection import ready_engine

from .db_fixtures import postgres_away
from .pagedata import markdown_shown, signed_in_staff

ARRAS, FID = "200033579", "CUA-037"
NEW_TITLE = "Extension du local des Fermiers de l'Artois (tranche 2)"
NEW_OWNER = "Commune de Gavrelle et Communauté urbaine d'Arras"
#: Fields the editor does not touch, which a save must never blank.
KEPT = ("montant_departement_eur", "cout_total_eur", "remarque", "description", "source")


def _key(column: str) -> str:
    return f"saisie:{FID}:{column}"


@pytest.fixture
def staff(engine, monkeypatch, request):
    """The staff page signed in as an editor, financing CUA-037 opened, on the parametrised backend."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("GEODASH_DATABASE_URL", url)
    at = signed_in_staff(engine, ARRAS, FID)
    backend = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    admin = request.getfixturevalue("postgres_admin_url") if backend == "postgresql" else None
    return SimpleNamespace(at=at, engine=engine, url=url, backend=backend, admin=admin)


@contextlib.contextmanager
def database_away(staff):
    """The app's database fails until the block ends: on PostgreSQL its connections are cut and new ones
    refused; on SQLite every statement of the app's engine fails as a disk that went away would."""
    if staff.backend == "sqlite":
        app_engine = ready_engine(staff.url)

        def fail(*_args):
            raise sqlite3.OperationalError("disk I/O error")

        sa.event.listen(app_engine, "before_cursor_execute", fail)
        try:
            yield
        finally:
            sa.event.remove(app_engine, "before_cursor_execute", fail)
        return
    with postgres_away(staff.admin, staff.engine.url.database):
        yield


def _texts(elements) -> list[str]:
    """The elements' text as read on the page (the staff page escapes Markdown in what it says)."""
    return [markdown_shown(e.value) for e in elements]


def _edit(at: AppTest) -> None:
    """The editor changes the title and the owner (each committed, as a browser does)."""
    at.text_input(key=_key("intitule")).input(NEW_TITLE).run()
    at.text_input(key=_key("maitre_ouvrage")).input(NEW_OWNER).run()
    assert not at.exception, at.exception


def _form_holds_the_input(at: AppTest, opened: db.FinancingRecord) -> None:
    assert at.text_input(key=_key("intitule")).value == NEW_TITLE
    assert at.text_input(key=_key("maitre_ouvrage")).value == NEW_OWNER
    assert at.text_input(key=_key("montant_departement_eur")).value == opened.values["montant_departement_eur"]
    assert at.text_area(key=_key("remarque")).value == opened.values["remarque"]
    assert at.text_input(key=_key("description")).value == opened.values["description"]
    assert f"{FID} — version {opened.version} (en vigueur)" in _texts(at.subheader)  # bound to the version opened


def _landed_whole(engine, opened: db.FinancingRecord) -> None:
    now = db.get_financing(engine, FID)
    assert now.version == opened.version + 1
    assert now.values["intitule"] == NEW_TITLE and now.values["maitre_ouvrage"] == NEW_OWNER
    assert {c: now.values[c] for c in KEPT} == {c: opened.values[c] for c in KEPT}
    assert set(db.financing_history(engine, FID)[-1].changed) == {"intitule", "maitre_ouvrage"}


def test_a_save_while_the_database_is_away_is_refused_and_lands_whole_when_it_is_back(staff):
    at, opened = staff.at, db.get_financing(staff.engine, FID)
    _edit(at)
    with database_away(staff):
        at.button(key=f"saisie_save_{FID}").click().run()
        assert not at.exception, at.exception  # never Streamlit's English error page
        assert any("La base de données des financements ne peut pas être utilisée" in e for e in _texts(at.error))
        at.run()  # the editor tries again while it is still away
        assert not at.exception, at.exception
    assert db.get_financing(staff.engine, FID).version == opened.version  # nothing written
    at.run()  # the database is back
    assert not at.exception, at.exception
    refused = [e for e in _texts(at.error) if e.startswith("Rien n'a été enregistré")]
    assert refused and f"toujours rattachée à la version {opened.version}" in refused[0]
    _form_holds_the_input(at, opened)
    at.button(key=f"saisie_save_{FID}").click().run()
    assert f"Financement {FID} enregistré (version {opened.version + 1})." in _texts(at.success)
    _landed_whole(staff.engine, opened)


def _lost_widgets(values: dict, gone: list):
    import json

    import streamlit as st

    from geodash.pages import saisie

    saisie.open_form("CUA-037", values, 3)
    st.session_state["saisie:CUA-037:intitule"] = "Nouveau titre"
    for column in gone:  # as Streamlit drops the value of a widget that a run did not draw
        del st.session_state[f"saisie:CUA-037:{column}"]
    st.code(json.dumps(saisie.my_changes("CUA-037"), ensure_ascii=False, sort_keys=True))


def test_a_form_whose_widgets_lost_their_values_never_changes_them(engine):
    opened = db.get_financing(engine, FID)
    gone = [*KEPT, "theme", "periode", "nature", "commune_insee", "epci_siren"]
    at = AppTest.from_function(_lost_widgets, args=(opened.values, gone), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert json.loads(at.code[0].value) == {"intitule": "Nouveau titre"}  # no blank, no other change


def test_an_edit_left_for_another_financing_comes_back_whole(staff):
    """Opening another financing is a run that does not draw this form: Streamlit forgets its widgets."""
    at, opened = staff.at, db.get_financing(staff.engine, FID)
    _edit(at)
    choice = next(s for s in at.selectbox if s.label == "Financement à saisir")
    choice.set_value("CUA-003").run()
    assert "CUA-003 — version 1 (en vigueur)" in _texts(at.subheader)
    choice = next(s for s in at.selectbox if s.label == "Financement à saisir")
    choice.set_value(FID).run()
    assert not at.exception, at.exception
    _form_holds_the_input(at, opened)
    at.button(key=f"saisie_save_{FID}").click().run()
    _landed_whole(staff.engine, opened)


def test_a_read_only_database_refuses_the_save_in_french_and_keeps_the_input(staff):
    at, opened = staff.at, db.get_financing(staff.engine, FID)
    _edit(at)
    if staff.backend == "sqlite":  # every new connection of the app's engine read-only
        app_engine = ready_engine(staff.url)
        sa.event.listen(app_engine, "connect", lambda conn, _record: conn.execute("PRAGMA query_only = ON"))
        app_engine.dispose()
    else:
        with staff.engine.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{staff.engine.url.database}" SET default_transaction_read_only = on')
            conn.commit()
        ready_engine(staff.url).dispose()
    at.button(key=f"saisie_save_{FID}").click().run()
    assert not at.exception, at.exception
    errors = _texts(at.error)
    assert any("base en lecture seule" in e for e in errors), errors
    assert not any("serveur injoignable" in e for e in errors)
    assert db.get_financing(staff.engine, FID).version == opened.version

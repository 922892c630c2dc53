"""The staff page ``/saisie`` in Chromium, on SQLite and on PostgreSQL: signing in, adding a financing
that the public map then shows, two editors saving the same financing from stale copies, and a save
while the database is away (issue 22, row 3: the form came back empty and the next save wrote blanks).

Each backend gets a fresh database (imported from the shipped CSV files by the server's first start)
and its own Streamlit server pointed at it with ``GEODASH_DATABASE_URL``; accounts are made through the
API first, as ``geodash users add`` does.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from geodash import db
from geodash.db.engine import make_engine

from ..db_fixtures import postgres_away
from .conftest import start_server

pytestmark = pytest.mark.browser
ARRAS = "200033579"
PASSWORD = "un mot de passe solide"
EDITORS = ("marie.dupont", "paul.martin")


def new_database(backend: str, request, tmp_path) -> tuple[str, callable]:
    """URL of an empty database on ``backend`` and a function that drops it."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'saisie.sqlite'}", lambda: None
    admin = make_engine(request.getfixturevalue("postgres_admin_url")).execution_options(isolation_level="AUTOCOMMIT")
    name = f"geodash_saisie_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def saisie(request, tmp_path_factory, artifacts):
    backend = request.param
    url, drop = new_database(backend, request, tmp_path_factory.mktemp(f"saisie-{backend}"))
    engine = db.ensure_database(make_engine(url))
    for login in EDITORS:
        db.create_account(engine, login, PASSWORD, "editeur")
    proc, base = start_server({"GEODASH_DATABASE_URL": url}, log=artifacts / f"streamlit_saisie_{backend}.log")
    admin = request.getfixturevalue("postgres_admin_url") if backend == "postgresql" else None
    yield SimpleNamespace(url=base, engine=engine, backend=backend, database=url, admin=admin)
    proc.terminate()
    proc.wait(10)
    engine.dispose()
    drop()


# --- Driving Streamlit widgets ----------------------------------------------------------------------------


IDLE = "document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'"


def wait_value(p, label: str, value: str, *, part: bool = False) -> None:
    """Wait until the page has run to its end with one field ``label`` holding ``value`` (or holding it
    in its text, ``part``): Streamlit keeps the previous run's elements on screen while a run goes on."""
    p.page.wait_for_function(
        '([label, value, part]) => { const found = [...document.querySelectorAll(`input[aria-label="${label}"]`)];'
        " return found.length === 1 && (part ? found[0].value.includes(value) : found[0].value === value)"
        f" && {IDLE}; }}",
        arg=[label, value, part],
    )


def _widget(p, test_id: str, label: str):
    return p.page.get_by_test_id(test_id).filter(has=p.page.get_by_text(label, exact=True))


def choose(p, label: str, option: str) -> None:
    """Pick ``option`` (text of the entry) in the selectbox ``label``, by typing as a user would."""
    p.page.wait_for_function(IDLE)
    field = _widget(p, "stSelectbox", label).locator("input")
    field.click()
    field.fill(option)  # filters the list
    take_first_option(p, field, option)
    wait_value(p, label, option, part=True)


def take_first_option(p, field, option: str) -> None:
    """Take the list's entry ``option`` once the typed text has filtered the list down to it first: by
    Enter on the field (the first entry is the highlighted one), not by a click on an entry element,
    which the list may render again (and detach) between finding it and clicking it."""
    p.page.wait_for_function(
        "o => { const first = document.querySelector('[role=option]'); return !!first && first.textContent.includes(o); }",
        arg=option,
    )
    field.press("Enter")


def add_to(p, label: str, option: str) -> None:
    """Add ``option`` to the multiselect ``label``."""
    p.page.wait_for_function(IDLE)
    box = _widget(p, "stMultiSelect", label)
    box.locator("input").click()
    box.locator("input").fill(option)  # filters the list
    take_first_option(p, box.locator("input"), option)
    p.page.keyboard.press("Escape")
    box.filter(has_text=option).wait_for()


def type_in(p, label: str, text: str) -> None:
    """Type in the text field ``label`` and commit (Enter), as a user would."""
    field = p.page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")
    wait_value(p, label, text)


def sign_in(p, url: str, login: str, password: str = PASSWORD) -> None:
    p.page.goto(f"{url}/saisie")
    p.page.get_by_label("Identifiant", exact=True).fill(login)
    p.page.get_by_label("Mot de passe", exact=True).fill(password)
    p.page.get_by_role("button", name="Se connecter").click()


def signed_in(p, login: str) -> None:
    p.page.get_by_text(f"Connecté : {login}").wait_for()


def open_financing(p, epci_name: str, financing_id: str) -> None:
    choose(p, "Intercommunalité à saisir", epci_name)
    wait_value(p, "Intercommunalité du financement", epci_name)  # the run for that EPCI is over (new-form)
    choose(p, "Financement à saisir", financing_id)
    p.page.get_by_role("heading", name=re.compile(f"^{financing_id} — version")).wait_for()
    # the run is over and the new-financing form it replaces has left the page (one form only)
    p.page.wait_for_function(f"document.querySelectorAll('input[aria-label=\"Intitulé\"]').length === 1 && {IDLE}")


# --- The four scenarios -----------------------------------------------------------------------------------


def test_a_visitor_sees_a_sign_in_form_and_no_data(saisie, make_page):
    p = make_page()
    p.page.goto(f"{saisie.url}/saisie")
    p.page.get_by_label("Mot de passe", exact=True).wait_for()
    p.page.get_by_role("button", name="Se connecter").wait_for()
    assert p.page.get_by_test_id("stDataFrame").count() == 0
    text = p.page.get_by_test_id("stMain").inner_text()
    assert "CUA-001" not in text and "Financement à saisir" not in text
    # The public navigation does not show the staff page.
    p.page.get_by_role("link", name="Carte").wait_for()
    assert p.page.get_by_role("link", name="Saisie").count() == 0


def test_a_wrong_password_is_refused(saisie, make_page):
    p = make_page()
    sign_in(p, saisie.url, EDITORS[0], "pas le bon mot de passe")
    p.page.get_by_text("Identifiant ou mot de passe incorrect.").wait_for()
    assert p.page.get_by_text("Financement à saisir").count() == 0
    assert p.page.get_by_test_id("stDataFrame").count() == 0
    last = db.login_log(saisie.engine, limit=1)[0]
    assert (last["login"], last["outcome"]) == (EDITORS[0], "failure")  # the attempt is logged


def test_an_editor_adds_a_financing_that_the_public_map_shows(saisie, make_page, artifacts):
    title = f"Maison des associations de Dainville ({saisie.backend})"
    public = make_page()
    public.page.goto(f"{saisie.url}/?epci={ARRAS}&q=associations")  # the search keeps the table short
    before = public.wait_map(title="Arras")

    p = make_page()
    sign_in(p, saisie.url, EDITORS[0])
    signed_in(p, EDITORS[0])
    choose(p, "Intercommunalité à saisir", "Communauté urbaine d'Arras")
    wait_value(p, "Intercommunalité du financement", "Communauté urbaine d'Arras")  # the new form is Arras's
    add_to(p, "Communes", "Dainville")
    type_in(p, "Intitulé", title)
    choose(p, "Thématique", "Solidarité")
    choose(p, "Période", "à venir")
    choose(p, "Nature", "Investissement")
    type_in(p, "Montant du Département (€)", "12 345,50")
    p.page.get_by_text("Soit : 12 345,50 €").wait_for()  # checked and read back as it is typed
    type_in(p, "Source", "CP du 31/02/2019")  # no such day: refused next to the field
    p.page.get_by_text("« CP du 31/02/2019 » : date de vote impossible").wait_for()
    assert p.page.get_by_role("button", name="Ajouter le financement").is_disabled()
    type_in(p, "Source", "CP du 03/12/2018")
    p.page.get_by_text("date de vote impossible").wait_for(state="detached")
    if saisie.backend == "sqlite":
        p.page.screenshot(path=str(artifacts / "saisie_form.png"))
    p.page.get_by_role("button", name="Ajouter le financement").click()
    p.page.get_by_text(re.compile(r"Financement CUA-\d+ ajouté \(version 1\)")).wait_for()

    added = [r for r in db.list_financings(saisie.engine, epci_siren=ARRAS) if r.values["intitule"] == title]
    assert len(added) == 1 and added[0].updated_by == EDITORS[0]
    assert added[0].values["montant_departement_eur"] == "12345.5"

    public.page.reload()
    assert public.wait_map(title="Arras") == before + 1  # one marker more, on Dainville
    assert "q=associations" in public.page.url
    public.page.wait_for_function(
        "t => [...document.querySelectorAll('.gd-grid')].some(g => g.textContent.includes(t))",
        arg=title,
        timeout=15_000,
    )


def test_a_stale_copy_is_told_of_the_conflict_and_nothing_is_lost(saisie, make_page):
    fid = "CUA-003"
    marie, paul = make_page(), make_page()
    for p, login in ((marie, EDITORS[0]), (paul, EDITORS[1])):
        sign_in(p, saisie.url, login)
        signed_in(p, login)
        open_financing(p, "Communauté urbaine d'Arras", fid)
    opened = db.get_financing(saisie.engine, fid)

    new_title = "Conservatoire d'Arras (rénovation)"
    type_in(marie, "Intitulé", new_title)
    marie.page.get_by_role("button", name="Enregistrer").click()
    marie.page.get_by_text(f"Financement {fid} enregistré (version {opened.version + 1})").wait_for()

    type_in(paul, "Maître d'ouvrage", "Ville d'Arras")
    paul.page.get_by_role("button", name="Enregistrer").click()
    paul.page.get_by_text(re.compile(r"Conflit : ce financement a été modifié par marie\.dupont")).wait_for()
    table = paul.page.locator(".gd-table").first.inner_text()
    assert new_title in table and "Ville d'Arras" in table  # their change next to his input
    assert paul.page.get_by_label("Maître d'ouvrage", exact=True).input_value() == "Ville d'Arras"  # kept
    assert db.get_financing(saisie.engine, fid).values["maitre_ouvrage"] == opened.values["maitre_ouvrage"]

    paul.page.get_by_role("button", name="Appliquer mes modifications à la version actuelle").click()
    paul.page.get_by_text("Vos modifications sont enregistrées sur la version actuelle").wait_for()
    now = db.get_financing(saisie.engine, fid)
    assert now.values["intitule"] == new_title and now.values["maitre_ouvrage"] == "Ville d'Arras"
    assert now.version == opened.version + 2
    history = db.financing_history(saisie.engine, fid)
    assert [(c.version, c.author) for c in history][-2:] == [
        (opened.version + 1, EDITORS[0]),
        (opened.version + 2, EDITORS[1]),
    ]
    assert history[-1].changed == {"maitre_ouvrage": (opened.values["maitre_ouvrage"], "Ville d'Arras")}
    # The history is on the page too, with a way back to any version.
    paul.page.get_by_text(f"Historique de {fid} (3 version(s))").click()
    paul.page.get_by_role("button", name="Restaurer la version 1").wait_for()


def test_the_history_shows_an_edited_text_as_written(saisie, make_page):
    """A remark holding Markdown, HTML and template syntax is saved, then shown in the history as typed:
    no image fetched, no emphasis, no template evaluated (the history's tables are escaped HTML)."""
    fid = "CUA-004"
    text = "![x](http://beacon.invalid/x.png) **gras** <b>html</b> {{ 7*7 }} $x$"
    p = make_page()
    sign_in(p, saisie.url, EDITORS[0])
    signed_in(p, EDITORS[0])
    open_financing(p, "Communauté urbaine d'Arras", fid)
    before = db.get_financing(saisie.engine, fid)
    field = p.page.get_by_label("Remarque", exact=True)
    field.fill(text)
    field.press("Control+Enter")  # a text area's value is sent on Ctrl+Enter (or when it loses focus)
    p.page.get_by_role("button", name="Enregistrer").click()
    p.page.get_by_text(f"Financement {fid} enregistré (version {before.version + 1})").wait_for()
    assert db.get_financing(saisie.engine, fid).values["remarque"] == text
    p.page.get_by_text(f"Historique de {fid} (2 version(s))").click()
    shown = p.page.locator(".gd-table", has_text="Remarque").first
    shown.wait_for()
    assert text in shown.inner_text()
    assert shown.locator("img, strong, b").count() == 0
    assert p.external == []  # the image was not fetched


@contextlib.contextmanager
def database_away(saisie):
    """The server's database goes away until the block ends: on SQLite its file is moved elsewhere (the
    server refuses to write in a file that is no longer in place); on PostgreSQL its connections are cut
    and new ones refused."""
    if saisie.backend == "sqlite":
        path = Path(sa.make_url(saisie.database).database)
        away = path.with_name(f"{path.name}.ailleurs")
        path.rename(away)
        try:
            yield
        finally:
            away.rename(path)
        return
    with postgres_away(saisie.admin, sa.make_url(saisie.database).database):
        yield


def test_a_save_while_the_database_is_away_keeps_the_input_and_lands_whole_later(saisie, make_page):
    fid = "CUA-037"
    p = make_page(height=1000)
    sign_in(p, saisie.url, EDITORS[0])
    signed_in(p, EDITORS[0])
    open_financing(p, "Communauté urbaine d'Arras", fid)
    opened = db.get_financing(saisie.engine, fid)
    new_title = f"Extension du local des Fermiers de l'Artois ({saisie.backend})"
    type_in(p, "Intitulé", new_title)

    # The server has run with the new title: the button it enables once something changed is enabled.
    p.page.wait_for_function(
        "[...document.querySelectorAll('button')].some(b => b.innerText.trim() === 'Enregistrer' && !b.disabled)"
        f" && {IDLE}"
    )
    with database_away(saisie):
        p.page.get_by_role("button", name="Enregistrer").click()
        p.page.get_by_text("La base de données des financements ne peut pas être utilisée").wait_for()
        assert "This app has encountered an error" not in p.page.get_by_test_id("stMain").inner_text()
    assert db.get_financing(saisie.engine, fid).version == opened.version  # nothing written

    p.page.wait_for_function(IDLE)
    p.page.keyboard.press("r")  # the editor's next action, once the database is back: the page runs again
    p.page.get_by_text(re.compile("^Rien n'a été enregistré")).wait_for()
    p.page.get_by_role("heading", name=f"{fid} — version {opened.version} (en vigueur)").wait_for()
    wait_value(p, "Intitulé", new_title)  # the input, back in the browser
    shown = {
        "montant_departement_eur": p.page.get_by_label("Montant du Département (€)", exact=True).input_value(),
        "remarque": p.page.get_by_label("Remarque", exact=True).input_value(),
        "description": p.page.get_by_label("Description", exact=True).input_value(),
    }
    assert shown == {column: opened.values[column] for column in shown}

    p.page.get_by_role("button", name="Enregistrer").click()
    p.page.get_by_text(f"Financement {fid} enregistré (version {opened.version + 1})").wait_for()
    now = db.get_financing(saisie.engine, fid)
    assert now.values == {**opened.values, "intitule": new_title}  # nothing blanked

"""Following a contract through, in Chromium (issue 26): an editor records a vote, a payment and a delivery
for one project on the staff page; the public map's marker and legend, the EPCI's « Avancement du contrat »,
the département's comparison and the projector's « point d'étape » all change after a reload.

One SQLite database, imported from the shipped CSV files by the server's first start; the account is made
through the API, as ``geodash users add`` does. Nothing is recorded but through the staff page.
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest

from geodash import db
from geodash.db.engine import make_engine

from ..conftest import ARTIFACTS
from .conftest import start_server
from .test_accessibility import FOOTER
from .test_saisie import EDITORS, IDLE, PASSWORD, choose, open_financing, sign_in, signed_in

pytestmark = pytest.mark.browser
T2C = "246200380"  # Terre des 2 Caps
FID = "T2C-045"  # Restauration du Fort d'Ambleteuse: délibération 2019-117, 100 000 €, a project sheet
TITLE = "Restauration du Fort d'Ambleteuse"


@pytest.fixture(scope="module")
def suivi(tmp_path_factory, artifacts):
    url = f"sqlite:///{tmp_path_factory.mktemp('suivi') / 'suivi.sqlite'}"
    engine = db.ensure_database(make_engine(url))
    db.create_account(engine, EDITORS[0], PASSWORD, "editeur")
    proc, base = start_server({"GEODASH_DATABASE_URL": url}, log=artifacts / "streamlit_suivi.log")
    yield SimpleNamespace(url=base, engine=engine)
    proc.terminate()
    proc.wait(10)
    engine.dispose()


def _type_step(p, label: str, text: str) -> None:
    """Type in the step form's field ``label`` (the first of that name: the indicators' form below has a
    « Date » too) and commit, as a user would; wait for the run that checked it. A field the page draws
    again while it is typed in (a run ending) loses what was typed: then it is typed again, as a user
    would do on seeing the field empty."""
    for attempt in range(3):
        field = p.page.get_by_label(label, exact=True).first
        field.fill(text)
        field.press("Enter")
        try:
            p.page.wait_for_function(
                f'([l, v]) => document.querySelector(`input[aria-label="${{l}}"]`).value === v && {IDLE}',
                arg=[label, text],
                timeout=15_000,
            )
            return
        except Exception:
            if attempt == 2:
                p.page.screenshot(path=str(ARTIFACTS / "suivi_type_step.png"), full_page=True)
                raise


def _record(p, etat: str, said: str, **fields: str) -> None:
    """One step through the staff page's « Suivi » form, confirmed by the page (« ``said`` enregistré »)."""
    choose(p, "Étape à enregistrer", etat)
    for label, value in fields.items():
        _type_step(p, label, value)
    p.page.get_by_role("button", name="Ajouter l'étape au suivi").click()
    p.page.get_by_text(re.compile(re.escape(said).replace("\\ ", r"\s") + " enregistré")).first.wait_for()
    p.page.wait_for_function(IDLE)


def _row(p, table: str, first: str) -> list[str]:
    """The cells of the row of the text table named ``table`` whose first cell is ``first``."""
    region = p.page.get_by_role("region", name=table)
    row = region.locator("tr").filter(has=p.page.locator("th, td").filter(has_text=re.compile(f"^{re.escape(first)}$")))
    row.first.wait_for()
    return [c.strip() for c in row.first.locator("th, td").all_inner_texts()]


def _progress(p, url: str) -> None:
    """Open the progress page ``url`` and wait until it is drawn whole: its heading, its last element (the
    footer's link), no run in progress."""
    p.page.goto(url)
    p.page.get_by_role("heading", name=re.compile("^Avancement")).first.wait_for()
    p.page.get_by_role("link", name=FOOTER).wait_for()
    p.page.wait_for_function(IDLE)


def test_a_vote_a_payment_and_a_delivery_change_every_view(suivi, make_page, artifacts):
    today = date.today()
    since = today.isoformat()
    public = make_page()
    public.page.goto(f"{suivi.url}/?epci={T2C}")
    public.wait_map(title="Terre des 2 Caps")
    legend = public.map_frame().locator(".gd-legend")
    assert "Réalisé" not in legend.inner_text()
    marker = public.map_frame().locator(f'[title*="{TITLE}"] svg').first
    assert "réalisé" not in marker.get_attribute("aria-label")

    watcher = make_page()
    _progress(watcher, f"{suivi.url}/avancement?epci={T2C}&depuis={since}")
    assert watcher.page.get_by_text("Aucun changement enregistré depuis cette date.").count() == 1
    assert watcher.page.get_by_role("region", name="Financements par état").get_by_text("Réalisé").count() == 0
    _progress(watcher, f"{suivi.url}/comparaison")
    before = _row(
        watcher, "Avancement des contrats par intercommunalité", "Communauté de communes de la Terre des 2 Caps"
    )

    p = make_page()
    sign_in(p, suivi.url, EDITORS[0])
    signed_in(p, EDITORS[0])
    open_financing(p, "Communauté de communes de la Terre des 2 Caps", FID)
    _record(p, "voté", "vote CD du 29/04/2019 : 100 000 €", **{"Date (JJ/MM/AAAA)": "29/04/2019", "Instance du vote": "CD du 29/04/2019",
                          "Montant (€)": "100 000"})  # fmt: skip
    _record(
        p,
        "versé",
        "versement de 40 000 € le 15/06/2020",
        **{"Date (JJ/MM/AAAA)": "15/06/2020", "Montant (€)": "40 000"},
    )
    _record(p, "réalisé", "réalisation le 30/09/2021", **{"Date (JJ/MM/AAAA)": "30/09/2021"})
    follow = db.get_follow_up(suivi.engine, FID)
    assert [e.etat for e in follow.events] == ["vote", "verse", "realise"]

    # The map: the marker carries the state, the legend counts it.
    public.page.reload()
    public.wait_map(title="Terre des 2 Caps")
    assert "Réalisé (1)" in public.map_frame().locator(".gd-legend").inner_text()
    marker = public.map_frame().locator(f'[title*="{TITLE}"] svg').first
    assert marker.get_attribute("aria-label").endswith(", réalisé")

    # The EPCI's progress view and its « point d'étape » on the projector.
    _progress(watcher, f"{suivi.url}/avancement?epci={T2C}&depuis={since}")
    realised = _row(watcher, "Financements par état", "Réalisé")
    assert realised[1] == "1" and realised[-1] == "40\u00a0000\u00a0€"
    changes = watcher.page.get_by_role("region", name=f"Changements enregistrés depuis le {today:%d/%m/%Y}")
    assert changes.locator("tbody tr").count() == 3
    assert "réalisation le 30/09/2021" in changes.inner_text()
    watcher.page.screenshot(path=str(artifacts / "avancement_t2c.png"))
    _progress(watcher, f"{suivi.url}/avancement?epci={T2C}&depuis={since}&mode=projecteur")
    assert watcher.page.get_by_role("button", name="✕ Quitter le mode projecteur").count() == 1
    changes = watcher.page.get_by_role("region", name=f"Changements enregistrés depuis le {today:%d/%m/%Y}")
    assert "versement de 40\u00a0000\u00a0€ le 15/06/2020" in changes.inner_text()
    watcher.page.screenshot(path=str(artifacts / "avancement_t2c_projecteur.png"))

    # The département's comparison.
    _progress(watcher, f"{suivi.url}/comparaison")
    after = _row(
        watcher, "Avancement des contrats par intercommunalité", "Communauté de communes de la Terre des 2 Caps"
    )
    assert after != before
    header = watcher.page.get_by_role("region", name="Avancement des contrats par intercommunalité").locator("tr").first
    columns = [c.strip() for c in header.locator("th").all_inner_texts()]
    assert after[columns.index("Réalisés")].startswith("1 (")
    assert before[columns.index("Réalisés")].startswith("0 (")

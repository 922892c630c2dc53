"""The staff page's fields take no more than the rules allow (:data:`geodash.projects.FIELD_LIMITS`); a
stored text already longer (saved before the limits) is shown whole, with its reason, never cut."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from geodash import db
from geodash.db.models import Financing
from geodash.pages.saisie import LABELS
from geodash.projects import FIELD_LIMITS

from .pagedata import markdown_shown

ARRAS = "200033579"
PAGE = """
from geodash.selection import cached_base
from geodash.pages import saisie
saisie.render(cached_base())
"""


@pytest.fixture
def signed_in_page(monkeypatch, tmp_path):
    """The staff page under AppTest, signed in on a fresh database; the database's engine."""
    from geodash.selection import cached_base, ready_engine

    url = f"sqlite:///{tmp_path / 'saisie.sqlite'}"
    monkeypatch.setenv("GEODASH_DATABASE_URL", url)
    monkeypatch.delenv("GEODASH_PROJECTS_DIR", raising=False)
    engine = ready_engine(url)
    db.create_account(engine, "marie.dupont", "un mot de passe solide", "editeur")
    at = AppTest.from_string(PAGE, default_timeout=120)
    at.session_state["saisie_token"] = db.open_session(engine, "marie.dupont")
    yield at, engine
    cached_base.clear()


def _bounds(at: AppTest) -> dict[str, int]:
    fields = [*at.text_input, *at.text_area]
    return {field.label: field.proto.max_chars for field in fields}


def test_each_field_takes_no_more_than_its_limit(signed_in_page):
    at, _ = signed_in_page
    at.run()
    assert not at.exception, at.exception
    bounds = _bounds(at)
    expected = {LABELS[c]: limit for c, limit in FIELD_LIMITS.items() if LABELS[c] in bounds}
    assert len(expected) == 13 and bounds == expected  # every text field of the form (12 inputs, 1 area)


def test_a_stored_text_longer_than_allowed_is_shown_whole_with_its_reason(signed_in_page):
    at, engine = signed_in_page
    fid = db.list_financings(engine, epci_siren=ARRAS)[0].id
    with engine.begin() as conn:  # as saved before the limits
        conn.execute(sa.update(Financing).where(Financing.id == fid).values(remarque="y" * 6_000))
    at.run()
    at.selectbox(key="saisie_epci").set_value(ARRAS).run()
    next(box for box in at.selectbox if box.label == "Financement à saisir").set_value(fid).run()
    assert not at.exception, at.exception
    (remarque,) = [area for area in at.text_area if area.label == LABELS["remarque"]]
    assert remarque.value == "y" * 6_000 and remarque.proto.max_chars == 0  # unbounded: nothing cut
    assert "6\u00a0000 caractères : 5\u00a0000 au plus" in [markdown_shown(e.value) for e in at.error]
    assert _bounds(at)[LABELS["intitule"]] == FIELD_LIMITS["intitule"]

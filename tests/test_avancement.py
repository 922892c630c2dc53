"""``geodash.avancement`` (issue 26, « Avancement du contrat »): a territory's progress parts, decided once,
never 0 for unknown, never « en retard » without information, EPCI compared on shares of their own contract.
No database and no Streamlit here: follow-ups are built as the store gives them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pandas as pd
import pytest

from geodash import avancement, progress
from geodash.progress import Event, Measure

from .test_progress import ANNOUNCED, CUA_037

TODAY = date(2024, 6, 1)
LUMBRES = "246201016"  # Pays de Lumbres: sheets LUM-018 (fin « Mars 2020 ») and LUM-013 (fin « 2nd semestre 2020 »)


@dataclass(frozen=True)
class Change:
    """A history entry as :class:`geodash.db.FollowUpChange` exposes it to this module."""

    at: datetime
    label: str


@dataclass(frozen=True)
class FollowUp:
    events: tuple = ()
    measures: tuple = ()
    changes: tuple = ()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def recorded():
    """LUM-018 voted again and paid in part (its end, March 2020, has passed: late); LUM-013 delivered on time."""
    vote = Event("vote", date(2019, 6, 5), "CP du 05/06/2019", 30_000.0, version=1)
    paid = Event("verse", date(2020, 1, 10), "", 10_000.0, version=2)
    done = Event("realise", date(2020, 11, 15), version=2)
    measure = Measure("Implantation des 53 haies", 12.0, "haies", date(2021, 2, 1), version=3)
    return {
        "LUM-018": FollowUp(
            (vote, paid),
            (measure,),
            (
                Change(_at(date(2024, 1, 10)), "vote CP du 05/06/2019 : 30 000 €"),
                Change(_at(date(2024, 5, 2)), "versement de 10 000 € le 10/01/2020"),
            ),
        ),  # fmt: skip
        "LUM-013": FollowUp((Event("verse", date(2020, 1, 10), "", 20_000.0, version=1), done)),
    }


@pytest.fixture(scope="module")
def followed(data, recorded):
    return avancement.follow(data.financements, recorded, progress.planned(), TODAY)


@pytest.fixture(scope="module")
def lumbres(data, followed):
    return avancement.contract_progress(
        data.financements, followed, epci_siren=LUMBRES, name="Pays de Lumbres", since=date(2024, 5, 1)
    )


def test_nothing_recorded_is_no_information_never_late(data):
    followed = avancement.follow(data.financements, {}, progress.planned(), date(2030, 1, 1))
    cp = avancement.contract_progress(data.financements, followed, epci_siren=LUMBRES, name="Pays de Lumbres")
    assert "0 suivi depuis le contrat, 0 en retard, 30 sans information de suivi" in cp.headline
    assert cp.late.empty
    assert set(cp.timeline["Constat"]) == {"non suivi", progress.NO_INFORMATION}  # the end passed: still not late
    assert cp.changes is None
    assert (cp.indicators["Dernière mesure"] == progress.NO_INFORMATION).all()


def test_states_counts_and_amounts(lumbres):
    states = lumbres.states.set_index("État")
    assert list(states.index) == ["Annoncé", "Voté", "Versé", "Réalisé", "Ensemble"]
    assert states.loc["Versé", "Financements"] == "1" and states.loc["Versé", "dont en retard"] == "1"
    assert states.loc["Réalisé", "Montant versé"] == "20\u00a0000\u00a0€"
    # Some announced amounts are unknown: the sum is a lower bound, never a total.
    assert states.loc["Annoncé", "Montant annoncé"].startswith("au moins ")
    assert states.loc["Annoncé", "Montant voté"] == "–"  # nothing voted: nothing to sum, not 0
    assert states.loc["Ensemble", "Financements"] == "30"
    assert lumbres.title == "Avancement du contrat : Pays de Lumbres"
    assert lumbres.date_donnees == date(2020, 11, 15)


def test_late_only_where_the_planned_end_passed_without_delivery(lumbres):
    assert list(lumbres.late["Projet"]) == ["Hydraulique douce : lutte contre le ruissellement et l'érosion des sols"]
    assert "« Mars 2020 »" in lumbres.late.iloc[0]["Prévu"] and "31/03/2020" in lumbres.late.iloc[0]["Prévu"]
    ends = lumbres.timeline[lumbres.timeline["Jalon"] == "Fin de l'opération"].set_index("Projet")
    assert ends.loc["Rénovation de la salle de sport intercommunale de Lumbres", "Constat"] == "atteint dans les temps"
    assert ends.loc["Rénovation de la salle de sport intercommunale de Lumbres", "Réel"] == "15/11/2020"
    assert ends.loc["Hydraulique douce : lutte contre le ruissellement et l'érosion des sols", "Constat"] == "en retard"
    starts = lumbres.timeline[lumbres.timeline["Jalon"] == "Début de l'opération"]
    assert set(starts["Constat"]) == {"non suivi"}
    assert "1er semestre 2019" in set(lumbres.timeline["Prévu (fiche projet)"])  # the conversion's 1^{er}, read
    assert list(lumbres.timeline["Période prévue"])[0] == "du 01/11/2018 au 30/11/2018"  # planned order


def test_indicators_against_targets(lumbres):
    rows = lumbres.indicators.set_index("Indicateur")
    assert rows.loc["Implantation des 53 haies", "Dernière mesure"] == "12 haies au 01/02/2021"
    assert rows.loc["Implantation des 53 haies", "Atteinte"] == "23\u00a0% de la cible"
    assert rows.loc["Implantation des 220 fascines", "Dernière mesure"] == progress.NO_INFORMATION
    assert rows.loc["Nombre de haies implantées", "Cible"] == "non chiffrée"


def test_changes_since_a_date(lumbres, data, followed):
    assert list(lumbres.changes["Changement"]) == ["versement de 10 000 € le 10/01/2020"]
    assert list(lumbres.changes["Enregistré le"]) == ["02/05/2024"]
    every = avancement.contract_progress(
        data.financements, followed, epci_siren=LUMBRES, name="x", since=date(2024, 1, 1)
    ).changes
    assert len(every) == 2
    later = avancement.contract_progress(data.financements, followed, epci_siren=LUMBRES, name="x", since=TODAY)
    assert later.changes.empty


def test_state_columns_for_the_markers(data, followed):
    frame = data.financements[data.financements["id"].isin(["LUM-018", "LUM-013", "LUM-002"])]
    shown = avancement.state_columns(frame, followed).set_index("id")
    assert shown.loc["LUM-018", "etat"] == "verse" and bool(shown.loc["LUM-018", "en_retard"])
    assert shown.loc["LUM-013", "etat"] == "realise" and not shown.loc["LUM-013", "en_retard"]
    assert shown.loc["LUM-002", "etat"] == "vote" and progress.NO_INFORMATION in shown.loc["LUM-002", "suivi"]
    assert "en retard" in shown.loc["LUM-018", "suivi"]
    assert avancement.state_columns(frame, None) is frame  # CSV files read as they are: nothing followed


def test_comparison_on_shares_of_each_contract_never_ranked(data, followed, terr):
    table = avancement.comparison_table(data.financements, followed, terr.epci)
    assert list(table["Intercommunalité"]) == list(terr.epci["nom"])  # the list's order, no ranking
    row = table.set_index("Intercommunalité").loc["Communauté de communes du Pays de Lumbres"]
    assert row["Financements"] == "30"
    assert row["Réalisés"] == "1 (3\u00a0%)" and row["En retard"] == "1"
    assert row["Sans information de suivi"] == "28 (93\u00a0%)"
    # Lumbres has financings without an amount: no share of its amounts.
    assert row["Montants votés ou plus (part du contrat)"] == "–"
    assert all(value != "0" for value in table["Montants votés ou plus (part du contrat)"])


def test_every_part_is_text_for_the_renderers(lumbres):
    for frame in (lumbres.states, lumbres.themes, lumbres.timeline, lumbres.indicators, lumbres.late, lumbres.changes):
        assert isinstance(frame, pd.DataFrame)
        assert all(frame[c].map(lambda v: isinstance(v, str)).all() for c in frame.columns)


def test_departement_title(data, followed):
    cp = avancement.contract_progress(data.financements, followed, epci_siren=None, name="Pas-de-Calais")
    assert cp.title == "Avancement des contrats : Pas-de-Calais"
    assert cp.states.set_index("État").loc["Ensemble", "Financements"] == "1\u00a0007"


# --- the late items' note -----------------------------------------------------------------------------------

# CUA-037 (voted by the délibération 2019-117, end planned « 06/2020 ») and an announced financing: test_progress's.
DUE = progress.planned().due["CUA-037"]
PAYMENT = Event("verse", date(2020, 9, 1), "", 10_000.0, version=1)


def test_late_note_counts_the_late_and_says_who_never_is():
    late = progress.current_state(CUA_037, [PAYMENT], due=DUE)  # paid, not delivered, end of 06/2020 passed
    quiet = progress.current_state(CUA_037, due=DUE)  # the same deadline, nothing recorded: never late
    other = progress.current_state(ANNOUNCED)
    assert progress.late(late, TODAY) and not progress.late(quiet, TODAY)
    assert avancement.late_note([late, quiet, other], TODAY) == (
        "1 financement en retard. Seuls les financements dont la fiche projet donne une échéance peuvent être en "
        "retard : 2 ici. 2 financements sans information de suivi : jamais comptés en retard."
    )
    assert avancement.late_note([quiet], TODAY) == (
        "Aucun financement en retard. Seuls les financements dont la fiche projet donne une échéance peuvent être "
        "en retard : 1 ici. 1 financement sans information de suivi : jamais compté en retard."
    )


def test_late_note_without_any_deadline_says_nothing_can_be_late():
    paid = progress.current_state(ANNOUNCED, [Event("vote", date(2020, 3, 2), "CP du 02/03/2020", 5_000.0, version=1)])
    assert avancement.late_note([paid], TODAY) == (
        "Aucun financement en retard. Aucune fiche projet de ces financements ne donne d'échéance : aucun ne peut "
        "être en retard."
    )


def test_contract_progress_carries_the_late_note(data):
    followed = avancement.follow(data.financements, {}, progress.planned(), TODAY)
    found = avancement.contract_progress(data.financements, followed, epci_siren="200033579", name="Arras")
    assert found.late_note.startswith("Aucun financement en retard.")
    assert "sans information de suivi : jamais comptés en retard." in found.late_note
    assert avancement.LATE_RULE.startswith("« en retard » :") and "jamais" in avancement.LATE_RULE


def test_a_milestone_the_sheet_does_not_name_is_named_in_french(data):
    """CABBALR-033's sheet gives its whole operation in one sentence, without naming start and end."""
    followed = avancement.follow(data.financements, {}, progress.planned(), TODAY)
    found = avancement.contract_progress(data.financements, followed, epci_siren="200072460", name="Béthune-Bruay")
    own = found.timeline[found.timeline["Projet"].str.startswith("Odyssée-Euralens 2019")]
    assert own["Jalon"].tolist() == ["Début de l'opération", "Fin de l'opération"]
    assert set(found.timeline["Jalon"]).isdisjoint(avancement.MILESTONE_LABELS)  # never a raw code


def test_a_step_recorded_on_a_repeated_subsidy_is_the_subsidys(data):
    """CALL-091 (Lens-Liévin) repeats CABBALR-033 (Béthune-Bruay): one subsidy, one follow-up, whichever row
    the step was recorded on; the comparisons count it once, on its first row."""
    paid = Event("verse", date(2020, 2, 3), "", 5_000.0, version=1)
    followed = avancement.follow(data.financements, {"CALL-091": FollowUp((paid,))}, progress.planned(), TODAY)
    assert followed.states["CABBALR-033"].etat == "verse" and followed.states["CABBALR-033"].recorded
    assert followed.states["CALL-091"].etat == "verse" and followed.states["CAHC-066"].etat == "verse"
    assert followed.states["CC7V-004"].etat == followed.states["CA2BM-006"].etat
    cp = avancement.contract_progress(data.financements, followed, epci_siren="200072460", name="Béthune-Bruay")
    assert cp.states.set_index("État").loc["Versé", "Financements"] == "1"

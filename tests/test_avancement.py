"""``geodash.avancement``: what the late items of a territory say, and never say. No database here."""

from __future__ import annotations

from datetime import date

from geodash import avancement, progress
from geodash.progress import Event

TODAY = date(2024, 6, 1)
#: CUA-037: voted by the délibération 2019-117; its sheet plans the end of the operation in « 06/2020 ».
CUA_037 = {
    "id": "CUA-037",
    "epci_siren": "200033579",
    "theme": "Aménagement",
    "periode": "à venir",
    "montant_departement_eur": "100000",
    "source": "10104-10106;10121;310",
}
ANNOUNCED = {"id": "X-1", "epci_siren": "200033579", "theme": "Culture", "periode": "à venir", "source": "1000"}
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

"""``geodash.progress`` (issue 26, « Suivi »): the document's baseline, the state from recorded steps, « en retard »
only with information, the one rule set of the staff page and the import, summaries that never write 0 for
unknown, and proposals for a file of decisions that apply nothing. No database here (see test_db_progress)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodash import progress
from geodash.progress import Due, Event, Indicator

TODAY = date(2024, 6, 1)
#: CUA-037 (Extension du local des Fermiers de l'Artois): délibération 2019-117, article 13 (l. 310), 100 000 €;
#: its sheet plans the end of the operation in « 06/2020 » (jalons.csv).
CUA_037 = {
    "id": "CUA-037",
    "epci_siren": "200033579",
    "theme": "Aménagement",
    "periode": "à venir",
    "montant_departement_eur": "100000",
    "source": "10104-10106;10121;310",
}
ANNOUNCED = {"id": "X-1", "epci_siren": "200033579", "theme": "Culture", "periode": "à venir", "source": "1000"}
DONE_2018 = {"id": "X-2", "epci_siren": "200033579", "theme": "Sport", "periode": "2015-2018", "source": "1001"}
DUE = progress.planned().due["CUA-037"]


def _vote(day: date, amount: float = 30_000.0, version: int = 1, body: str = "CP") -> Event:
    return Event("vote", day, f"{body} du {day:%d/%m/%Y}", amount, version=version)


def _state(values=CUA_037, *events: Event, due=DUE):
    return progress.current_state(values, events, due=due)


# --- the document's baseline --------------------------------------------------------------------------------


def test_the_document_says_voted_for_2015_2018_and_the_deliberation_else_announced(data):
    rows = {r["id"]: r for r in data.financements.to_dict("records")}
    by_deliberation = progress.document_vote(rows["CUA-037"])
    assert (by_deliberation.date, by_deliberation.instance, by_deliberation.montant) == (
        date(2019, 4, 29),
        "CD du 29/04/2019",
        100_000.0,
    )
    before = progress.document_vote(rows["CUA-001"])  # 2015-2018, its source cites no vote: undated
    assert before is not None and before.date is None and before.instance == ""
    assert progress.document_vote(rows["CUA-010"]) is None  # an engagement of the contract: announced
    states = {fid: progress.current_state(r).etat for fid, r in rows.items()}
    assert {rows[f]["periode"] for f, s in states.items() if s == "annonce"} == {"à venir"}
    assert all(states[f] == "vote" for f, r in rows.items() if r["periode"] == "2015-2018")
    assert sum(s == "vote" and rows[f]["periode"] == "à venir" for f, s in states.items()) == 21  # articles 2-20
    assert not any(progress.current_state(r).recorded for r in rows.values())


def test_a_cited_vote_dates_a_2015_2018_financing():
    state = _state({**DONE_2018, "source": "1098;CP du 03/12/2018", "montant_departement_eur": "435500"}, due=())
    assert (state.etat, state.vote_date, state.instance, state.vote) == (
        "vote",
        date(2018, 12, 3),
        "CP du 03/12/2018",
        435_500.0,
    )


def test_the_document_date_is_the_deliberation(seed_lines):
    assert progress.DOCUMENT_DATE.isoformat() == "2019-04-29"
    assert seed_lines[204 - 1] == "REUNION DU 29 AVRIL 2019"
    assert seed_lines[344 - 1] == "ARRAS, le 29 avril 2019"


# --- the state from recorded steps ----------------------------------------------------------------------------


def test_steps_add_up_and_a_stop_holds_until_a_later_step():
    voted = _state(ANNOUNCED, _vote(date(2020, 3, 2)))
    assert (voted.etat, voted.vote, voted.vote_complete, voted.since) == ("vote", 30_000.0, True, date(2020, 3, 2))
    paid = _state(ANNOUNCED, _vote(date(2020, 3, 2)), Event("verse", date(2020, 6, 1), montant=10_000.0, version=2))
    assert (paid.etat, paid.paid) == ("verse", 10_000.0)
    done = _state(ANNOUNCED, _vote(date(2020, 3, 2)), Event("realise", date(2021, 1, 5), version=2))
    assert (done.etat, done.realise, done.paid) == ("realise", date(2021, 1, 5), None)  # paid: not recorded, not 0
    postponed = _state(ANNOUNCED, Event("reporte", date(2020, 1, 1), motif="budget", version=1))
    assert (postponed.etat, postponed.motif) == ("reporte", "budget")
    resumed = _state(ANNOUNCED, Event("reporte", date(2020, 1, 1), motif="budget", version=1), _vote(date(2021, 2, 1)))
    assert resumed.etat == "vote" and resumed.motif == ""
    # recorded later, dated earlier: the step that came after still holds
    late_record = _state(
        ANNOUNCED, _vote(date(2021, 2, 1), version=1), Event("reporte", date(2020, 1, 1), "", None, "x", 2)
    )
    assert late_record.etat == "vote"


def test_a_recorded_vote_on_the_documents_date_replaces_it_others_add_up():
    same = _state(CUA_037, _vote(date(2019, 4, 29), 90_000.0, body="CD"))
    assert (same.vote, same.vote_gap) == (90_000.0, -10_000.0)
    more = _state(CUA_037, _vote(date(2020, 3, 2), 20_000.0))
    assert (more.vote, more.vote_date, more.instance) == (120_000.0, date(2020, 3, 2), "CP du 02/03/2020")


def test_votes_compare_with_the_announced_amount_only_where_both_are_known():
    assert _state(ANNOUNCED, _vote(date(2020, 3, 2))).vote_gap is None  # nothing announced
    undated = _state(DONE_2018, due=())  # voted by definition, amount unknown
    assert undated.voted and undated.vote is None and not undated.vote_complete and undated.vote_gap is None
    assert "voté : montant non précisé" in progress.state_text(undated, TODAY)
    partly = _state(DONE_2018, _vote(date(2020, 3, 2)), due=())
    assert (partly.vote, partly.vote_complete, partly.vote_gap) == (30_000.0, False, None)
    assert "au moins 30\u00a0000\u00a0€" in progress.state_text(partly, TODAY)


# --- « en retard » ------------------------------------------------------------------------------------------


def test_late_only_when_a_planned_end_has_passed_and_the_recorded_state_has_not_reached_it():
    nothing = _state()
    assert not progress.late(nothing, TODAY)
    assert progress.status(nothing, TODAY) == progress.NO_INFORMATION
    paid = _state(CUA_037, Event("verse", date(2020, 1, 10), montant=40_000.0, version=1))
    assert not progress.late(paid, date(2020, 6, 30))  # the last day of « 06/2020 »
    assert progress.late(paid, date(2020, 7, 1))
    assert "en retard : fin prévue « 06/2020 »" in progress.state_text(paid, date(2020, 7, 1))
    delivered = _state(CUA_037, Event("realise", date(2020, 9, 1), version=1))
    assert not progress.late(delivered, TODAY) and progress.status(delivered, TODAY) == ""
    for stop in ("reporte", "abandonne"):
        stopped = _state(CUA_037, Event(stop, date(2020, 5, 1), motif="raison", version=1))
        assert not progress.late(stopped, TODAY)
    assert not progress.late(_state(ANNOUNCED, _vote(date(2020, 3, 2)), due=()), TODAY)  # nothing planned


_DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
_DUES = st.lists(
    st.builds(Due, st.sampled_from(progress.STEPS), _DAYS, st.just("texte"), st.sampled_from(["debut", "fin"])),
    max_size=4,
)
_EVENTS = st.lists(
    st.builds(
        Event,
        st.sampled_from(progress.ETATS),
        _DAYS,
        st.just(""),
        st.one_of(st.none(), st.floats(min_value=1, max_value=1e7)),
        st.just("motif"),
        st.integers(1, 50),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(row=st.integers(0, 1009), today=_DAYS, due=_DUES)
def test_never_late_without_information(data, row, today, due):
    """Whatever the plans and the day: a financing nobody followed is « pas d'information de suivi »."""
    values = data.financements.iloc[row].to_dict()
    state = progress.current_state(values, (), due=due)
    assert not progress.late(state, today)
    assert progress.status(state, today) == progress.NO_INFORMATION
    assert progress.LATE not in progress.state_text(state, today)


@settings(max_examples=300, deadline=None)
@given(events=_EVENTS, today=_DAYS, due=_DUES)
def test_late_means_information_and_a_passed_deadline_not_reached(events, today, due):
    state = progress.current_state(ANNOUNCED, events, due=due)
    if progress.late(state, today):
        assert state.recorded and state.etat not in progress.STOPS
        assert any(d.fin < today and progress.STEPS.index(state.etat) < progress.STEPS.index(d.step) for d in due)
    assert state.etat in progress.ETATS
    if not events:
        assert not progress.late(state, today)


# --- the rules --------------------------------------------------------------------------------------------


def _check(values: dict, state=None, today=TODAY):
    return progress.check_event(values, state or _state(ANNOUNCED, due=()), today=today)


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"etat": "", "date": "02/03/2020"}, "etat", "choisir une étape"),
        ({"etat": "realise", "date": ""}, "date", "date à remplir"),
        ({"etat": "realise", "date": "31/02/2020"}, "date", "cette date n'existe pas"),
        ({"etat": "realise", "date": "mars 2020"}, "date", "n'est pas une date"),
        ({"etat": "vote", "date": "02/06/2024", "instance": "CP du 02/06/2024", "montant": "1"}, "date", "dans le futur"),
        ({"etat": "vote", "date": "02/03/2020", "montant": "1"}, "instance", "instance à remplir"),
        ({"etat": "vote", "date": "02/03/2020", "instance": "CP 02/03/2020", "montant": "1"}, "instance", "attendu « CP du"),
        ({"etat": "vote", "date": "02/03/2020", "instance": "CD du 03/03/2020", "montant": "1"}, "instance", "l'instance est du 03/03/2020"),
        ({"etat": "vote", "date": "02/03/2020", "instance": "CP du 02/03/2020"}, "montant", "montant voté à remplir"),
        ({"etat": "vote", "date": "02/03/2020", "instance": "CP du 02/03/2020", "montant": "0"}, "montant", "supérieur à 0"),
        ({"etat": "vote", "date": "02/03/2020", "instance": "CP du 02/03/2020", "montant": "12 €"}, "montant", "n'est pas un nombre"),
        ({"etat": "verse", "date": "02/03/2020", "instance": "CP du 02/03/2020", "montant": "5"}, "instance", "seulement pour un vote"),
        ({"etat": "realise", "date": "02/03/2020", "montant": "5"}, "montant", "seulement pour un vote ou un versement"),
        ({"etat": "abandonne", "date": "02/03/2020"}, "motif", "motif à remplir"),
        ({"etat": "reporte", "date": "02/03/2020", "motif": "x" * 1001}, "motif", "1000 au plus"),
        ({"etat": "realise", "date": "02/03/2020"}, "etat", "le vote du Département doit être enregistré d'abord"),
    ],
)  # fmt: skip
def test_refusals(values, field, reason):
    errors, _ = _check(values)
    assert reason in errors.get(field, ""), errors


def test_a_good_vote_passes_and_is_read_back():
    values = {"etat": "vote", "date": "2020-03-02", "instance": " CP  du 02/03/2020 ", "montant": "52 357,20"}
    assert _check(values) == ({}, {})
    assert progress.event_of(values) == Event("vote", date(2020, 3, 2), "CP du 02/03/2020", 52_357.2)


def test_cumulative_payments_never_exceed_the_vote_and_warn_when_it_is_unknown():
    voted = _state(
        ANNOUNCED, _vote(date(2020, 3, 2), 30_000.0), Event("verse", date(2020, 4, 1), montant=25_000.0, version=2)
    )
    errors, _ = _check({"etat": "verse", "date": "01/05/2020", "montant": "5 000,01"}, voted)
    assert (
        "versements cumulés 30\u00a0000,01\u00a0€ : plus que le montant voté (30\u00a0000\u00a0€)" in errors["montant"]
    )
    assert _check({"etat": "verse", "date": "01/05/2020", "montant": "5 000"}, voted) == ({}, {})
    errors, warnings = _check({"etat": "verse", "date": "01/05/2020", "montant": "5 000"}, _state(DONE_2018, due=()))
    assert not errors and "montant voté inconnu" in warnings["montant"]
    _, warnings = _check({"etat": "verse", "date": "01/01/2020", "montant": "5"}, voted)
    assert warnings["date"] == "avant le vote du 02/03/2020"


def test_nothing_follows_an_abandon_and_a_delivery_is_recorded_once():
    abandoned = _state(ANNOUNCED, Event("abandonne", date(2020, 1, 1), motif="projet arrêté", version=1))
    errors, _ = _check({"etat": "reporte", "date": "02/01/2020", "motif": "x"}, abandoned)
    assert "annuler d'abord l'abandon" in errors["etat"]
    delivered = _state(CUA_037, Event("realise", date(2020, 9, 1), version=1))
    assert "déjà réalisé le 01/09/2020" in _check({"etat": "realise", "date": "02/09/2020"}, delivered)[0]["etat"]
    twice = _state(ANNOUNCED, _vote(date(2020, 3, 2)))
    again = {"etat": "vote", "date": "02/03/2020", "instance": "CP du 02/03/2020", "montant": "30000"}
    assert _check(again, twice)[0]["instance"] == "ce vote est déjà enregistré"


def test_indicator_values():
    indicators = progress.planned().indicators["LUM-018"]
    good = {"indicateur": "Nombre de haies implantées", "valeur": "12", "date": "01/02/2021"}
    assert progress.check_measure(good, indicators, today=TODAY) == ({}, {})
    assert progress.check_measure({**good, "valeur": "0"}, indicators, today=TODAY) == ({}, {})
    errors, _ = progress.check_measure({**good, "indicateur": "Autre", "valeur": "-1"}, indicators, today=TODAY)
    assert set(errors) == {"indicateur", "valeur"}
    assert "n'a pas d'indicateur" in progress.check_measure(good, (), today=TODAY)[0]["indicateur"]
    assert progress.measure_text(progress.measure_of(good)) == "mesure : Nombre de haies implantées = 12 au 01/02/2021"
    assert Indicator("Implantation des 53 haies", "resultat", "53 haies", "haies", 53.0) in indicators


# --- summaries ------------------------------------------------------------------------------------------------


def test_sums_are_au_moins_when_a_part_is_unknown_and_never_zero_for_unknown():
    assert progress.Sum.of([]).cell() == "" and progress.Sum.of([]).text() == "–"
    assert progress.Sum.of([(None, True)]).cell() == ""
    assert progress.Sum.of([(None, True)]).text() == "montant non précisé"
    partial = progress.Sum.of([(1_000.0, True), (None, True)])
    assert (partial.cell(), partial.text()) == ("au moins 1000", "au moins 1\u00a0000\u00a0€")
    assert progress.Sum.of([(52_357.2, True), (1.0, True)]).cell() == "52358.20"
    assert progress.Sum.of([(5.0, False)]).cell() == "au moins 5"


def test_summary_table_one_line_per_epci_and_state():
    epci = pd.DataFrame({"siren": ["200033579", "246201016"], "nom": ["Arras", "Lumbres"]})
    states = [
        _state(),  # voted by the document
        _state(ANNOUNCED, _vote(date(2020, 3, 2)), Event("verse", date(2021, 2, 3), montant=10_000.0, version=2)),
        _state({**ANNOUNCED, "id": "X-3", "montant_departement_eur": "5000"}),
        _state(DONE_2018, Event("realise", date(2020, 1, 1), version=1), due=()),
    ]
    table = progress.summary_table(states, epci)
    assert list(table.columns) == progress.SUMMARY_COLUMNS
    assert len(table) == 2 * len(progress.ETATS)
    rows = {(r["epci_siren"], r["etat"]): r for r in table.to_dict("records")}
    assert rows[("200033579", "vote")] == {
        "epci_siren": "200033579", "nom": "Arras", "etat": "vote", "nombre": 1, "montant_annonce": "100000",
        "montant_vote": "100000", "montant_verse": "", "date_donnees": "2019-04-29",
    }  # fmt: skip
    assert rows[("200033579", "verse")]["montant_annonce"] == ""  # announced without amount: unknown, not 0
    assert rows[("200033579", "verse")]["montant_vote"] == "30000"
    assert rows[("200033579", "verse")]["montant_verse"] == "10000"
    assert rows[("200033579", "verse")]["date_donnees"] == "2021-02-03"
    assert rows[("200033579", "annonce")]["montant_annonce"] == "5000"
    assert rows[("200033579", "realise")]["montant_vote"] == ""  # voted by definition, amount unknown
    assert rows[("200033579", "realise")]["montant_verse"] == ""  # delivered, payments nobody recorded
    assert rows[("246201016", "annonce")]["nombre"] == 0
    assert set(table.loc[table["epci_siren"] == "246201016", "date_donnees"]) == {"2019-04-29"}
    by_theme = progress.summaries(states, by=("epci_siren", "etat", "theme"))
    assert by_theme[("200033579", "verse", "Culture")].nombre == 1


def test_shares_of_amounts_only_where_the_epci_amounts_are_complete():
    epci = pd.DataFrame({"siren": ["200033579"], "nom": ["Arras"]})
    known = [_state(), _state({**ANNOUNCED, "montant_departement_eur": "300000"}, due=())]
    shares = progress.epci_shares(known, epci).set_index("etat")
    assert shares.loc["vote", "part_nombre"] == 0.5 and shares.loc["vote", "part_montant"] == 0.25
    incomplete = progress.epci_shares([*known, _state({**ANNOUNCED, "id": "X-9"}, due=())], epci).set_index("etat")
    assert incomplete.loc["annonce", "part_nombre"] == pytest.approx(2 / 3)
    assert incomplete["part_montant"].isna().all()


# --- a file of decisions ----------------------------------------------------------------------------------------


FINANCINGS = pd.DataFrame(
    {
        "id": ["CUA-003", "CUA-004", "CUA-037"],
        "intitule": [
            "Conservatoire de Musique et d'Art dramatique d'Arras",
            "Salle de spectacle « Le Casino » d'Arras",
            "Extension du local des Fermiers de l'Artois",
        ],
        "commune_insee": ["62041", "62041", "62369"],
    }
)
NAMES = {"62041": "Arras", "62369": "Gavrelle"}


def test_proposals_by_identifier_or_title_and_commune(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text(
        "financement_id;intitule;commune;instance;date;montant\n"
        "CUA-037;;;CP du 02/03/2020;02/03/2020;100 000\n"
        ";EXTENSION du local des fermiers de l'Artois;gavrelle;CP du 02/03/2020;02/03/2020;5\n"
        ";Conservatoire de musique;Arras;CD du 06/06/2020;06/06/2020;1000\n"
        ";;;CP du 02/03/2020;02/03/2020;5\n"
        "ZZZ-1;Piscine;;CP du 02/03/2020;02/03/2020;5\n",
        encoding="utf-8",
    )
    rows, problems = progress.read_decisions(path)
    assert [str(p) for p in problems] == [
        "decisions.csv:5: ni financement_id ni intitule : le financement n'est pas désigné"
    ]
    proposals = progress.propose(rows, FINANCINGS, NAMES)
    assert [p.line for p in proposals] == [2, 3, 4, 6]
    by_id, by_title, fuzzy, unknown = proposals
    assert by_id.chosen.financing_id == "CUA-037" and by_id.chosen.why == "identifiant"
    assert by_title.chosen.financing_id == "CUA-037" and by_title.chosen.score == 1.0
    assert by_title.values == {
        "etat": "vote",
        "date": "02/03/2020",
        "instance": "CP du 02/03/2020",
        "montant": "5",
        "motif": "",
    }
    assert fuzzy.candidates[0].financing_id == "CUA-003" and "commune" in fuzzy.candidates[0].why
    assert unknown.candidates == () and unknown.chosen is None
    assert unknown.problems == ("identifiant « ZZZ-1 » inconnu", "aucun financement ne correspond")
    assert by_id.vote_text == "vote CP du 02/03/2020 : 100\u00a0000\u00a0€ le 02/03/2020"


def test_two_close_candidates_are_left_for_a_person_to_choose():
    rows = [{"intitule": "Salle d'Arras", "commune": "Arras", "instance": "", "date": "", "montant": "", "ligne": 2}]
    twins = pd.concat([FINANCINGS, FINANCINGS.assign(id=["A-1", "A-2", "A-3"])])
    (proposal,) = progress.propose(rows, twins, NAMES)
    assert len(proposal.candidates) >= 2 and proposal.chosen is None


def test_parse_day():
    assert progress.parse_day("3/12/2018") == date(2018, 12, 3) == progress.parse_day("2018-12-03")
    with pytest.raises(ValueError, match="n'est pas une date"):
        progress.parse_day("03.12.2018")
    assert progress.parse_day((TODAY - timedelta(days=1)).isoformat()) < TODAY

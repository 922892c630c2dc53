"""The follow-up in the database (issue 26), on SQLite and PostgreSQL: steps and indicator values appended with
their history (who, when, before, after), refused with their field's reason, never lost to a stale copy;
``geodash suivi importer`` proposes and records nothing until lines are chosen; ``geodash avancement``."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from geodash import db, progress
from geodash.cli import main
from geodash.db.engine import SCHEMA_HEAD, writing

VOTE = {"etat": "vote", "date": "02/03/2020", "instance": "CP du 02/03/2020", "montant": "30 000"}
FID = "CUA-010"  # an engagement of the Arras contract: announced, no amount
TODAY = date(2024, 6, 1)


def _record(engine, values, expected=0, author="marie.dupont", fid=FID, **kw):
    return db.record_event(engine, fid, values, expected_version=expected, author=author, today=TODAY, **kw)


def test_steps_are_appended_with_their_history_and_bump_the_data_version(engine):
    start = db.data_version(engine)
    at = datetime(2024, 5, 2, 9, 30, tzinfo=timezone.utc)
    first = _record(engine, VOTE, now=at)
    assert (first.version, db.data_version(engine)) == (1, start + 1)
    second = _record(engine, {"etat": "verse", "date": "2020-06-01", "montant": "10000"}, expected=1)
    assert second.version == 2 and db.data_version(engine) == start + 2
    assert [(e.etat, e.date, e.instance, e.montant) for e in second.events] == [
        ("vote", date(2020, 3, 2), "CP du 02/03/2020", 30_000.0),
        ("verse", date(2020, 6, 1), "", 10_000.0),
    ]
    vote = second.changes[0]
    assert (vote.author, vote.at, vote.label) == ("marie.dupont", at, "vote CP du 02/03/2020 : 30\u00a0000\u00a0€")
    assert vote.changed == {
        "etat": ("annoncé", "voté le 02/03/2020"),
        "vote": ("", "30\u00a0000\u00a0€ (CP du 02/03/2020)"),
    }
    state = db.follow_up_state(db.get_financing(engine, FID).values, second)
    assert (state.etat, state.vote, state.paid) == ("verse", 30_000.0, 10_000.0)
    with engine.connect() as conn:  # the amount stored as the published files write amounts
        assert conn.execute(sa.text("SELECT montant_eur FROM progress_events ORDER BY pk")).scalars().all() == [
            "30000",
            "10000",
        ]


def test_a_stale_copy_is_refused_with_the_others_change_and_nothing_written(engine):
    _record(engine, VOTE, author="paul.martin")
    before = db.data_version(engine)
    with pytest.raises(db.ProgressConflict) as caught:
        _record(engine, {"etat": "reporte", "date": "03/03/2020", "motif": "budget"}, expected=0)
    conflict = caught.value
    assert "complété par paul.martin" in str(conflict) and "(version 0 → 1)" in str(conflict)
    assert [c.label for c in conflict.changes] == ["vote CP du 02/03/2020 : 30\u00a0000\u00a0€"]
    assert isinstance(conflict, db.Conflict)  # the staff page's one handler sees it
    assert db.get_follow_up(engine, FID).version == 1 and db.data_version(engine) == before
    # the same input, recorded over the current version, lands
    assert _record(engine, {"etat": "reporte", "date": "03/03/2020", "motif": "budget"}, expected=1).version == 2


def test_two_first_entries_at_the_same_moment_one_wins_the_other_is_told(engine):
    """The first entry creates the follow-up's row: a second writer that also saw version 0 is refused."""
    with writing(engine) as conn:  # as if the other writer's row landed just before ours
        conn.execute(
            sa.insert(db.models.ProgressTrack).values(
                financing_id=FID, version=1, updated_at=datetime.now(timezone.utc), updated_by="paul.martin"
            )
        )
    with pytest.raises(db.ProgressConflict):
        _record(engine, VOTE)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({**VOTE, "instance": "CP du 03/03/2020"}, "instance"),
        ({**VOTE, "date": "02/03/2099", "instance": "CP du 02/03/2099"}, "date"),
        ({**VOTE, "montant": "-1"}, "montant"),
        ({"etat": "realise", "date": "02/03/2020"}, "etat"),
        ({"etat": "abandonne", "date": "02/03/2020"}, "motif"),
    ],
)
def test_refusals_write_nothing(engine, values, field):
    before = db.data_version(engine)
    with pytest.raises(db.ValidationError) as caught:
        _record(engine, values)
    assert field in caught.value.errors
    assert caught.value.args[0].startswith("Enregistrement refusé, rien n'a été modifié")
    assert db.get_follow_up(engine, FID).version == 0 and db.data_version(engine) == before


def test_payments_beyond_the_vote_are_refused(engine):
    follow = _record(engine, VOTE)
    with pytest.raises(db.ValidationError, match="plus que le montant voté"):
        _record(engine, {"etat": "verse", "date": "01/06/2020", "montant": "30 000,01"}, expected=follow.version)


def test_a_withdrawn_financing_takes_no_follow_up(engine):
    record = db.get_financing(engine, FID)
    db.withdraw_financing(engine, FID, expected_version=record.version, author="admin")
    with pytest.raises(db.ValidationError, match="financement retiré"):
        _record(engine, VOTE)


def test_cancelling_keeps_both_entries_and_the_order_of_steps(engine):
    follow = _record(engine, VOTE)
    follow = _record(engine, {"etat": "realise", "date": "01/06/2021"}, expected=follow.version)
    vote_pk = follow.events[0].pk
    with pytest.raises(db.ValidationError, match="réalisation enregistrée a besoin de ce vote"):
        db.cancel_entry(engine, FID, "etape", vote_pk, expected_version=2, author="marie.dupont")
    follow = db.cancel_entry(
        engine, FID, "etape", follow.events[1].pk, expected_version=2, author="marie.dupont", motif="erreur de date"
    )
    assert follow.version == 3 and [e.etat for e in follow.events] == ["vote"]
    cancel = follow.changes[-1]
    assert cancel.label == "annulation : réalisation le 01/06/2021 (raison : erreur de date)"
    assert cancel.changed["etat"] == ("réalisé le 01/06/2021", "voté le 02/03/2020")
    assert [c.cancelled for c in follow.changes] == [False, True, False]
    with pytest.raises(db.ValidationError, match="déjà annulée"):
        db.cancel_entry(engine, FID, "etape", follow.changes[1].pk, expected_version=3, author="marie.dupont")
    with pytest.raises(db.NotFound):
        db.cancel_entry(engine, FID, "etape", 99_999, expected_version=3, author="marie.dupont")


def test_indicator_values(engine):
    values = {"indicateur": "Implantation des 53 haies", "valeur": "12", "date": "01/02/2021"}
    follow = db.record_measure(engine, "LUM-018", values, expected_version=0, author="marie.dupont", today=TODAY)
    assert follow.measures[0].unite == "haies"  # the sheet's unit when none is typed
    assert follow.changes[-1].changed == {"mesure : Implantation des 53 haies": ("", "12 haies au 01/02/2021")}
    with pytest.raises(db.ValidationError) as caught:
        db.record_measure(
            engine, "LUM-018", {**values, "indicateur": "Autre"}, expected_version=1, author="m", today=TODAY
        )
    assert set(caught.value.errors) == {"indicateur"}
    with pytest.raises(db.ValidationError, match="n'a pas d'indicateur"):
        db.record_measure(engine, FID, values, expected_version=0, author="m", today=TODAY)
    follow = db.cancel_entry(engine, "LUM-018", "mesure", follow.measures[0].pk, expected_version=1, author="m")
    assert follow.measures == () and follow.version == 2


def test_all_follow_ups_reads_every_financing_at_once(engine):
    _record(engine, VOTE)
    db.record_measure(
        engine,
        "LUM-018",
        {"indicateur": "Nombre de haies implantées", "valeur": "3", "date": "01/02/2021"},
        expected_version=0,
        author="m",
        today=TODAY,
    )
    found = db.all_follow_ups(engine)
    assert set(found) == {FID, "LUM-018"}
    assert found[FID].version == 1 and len(found["LUM-018"].measures) == 1


def test_migration_0003_upgrades_a_database_at_0002(new_engine):
    from alembic import command

    from geodash.db.engine import _config

    engine = new_engine()
    with writing(engine) as conn:
        command.upgrade(_config(conn), "0002")
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("progress_events")
    db.migrate(engine)
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert {"progress_tracks", "progress_events", "indicator_values"} <= tables
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD == "0003"


# --- the command line ---------------------------------------------------------------------------------------------


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


DECISIONS = (
    "financement_id;intitule;commune;instance;date;montant\n"
    "CUA-010;;;CP du 02/03/2020;02/03/2020;30 000\n"
    ";Conservatoire de musique;Arras;CD du 06/06/2020;06/06/2020;1000\n"
    ";Extension du local des Fermiers de l'Artois;Gavrelle;CP du 31/02/2020;01/01/2020;5\n"
)


def test_the_import_proposes_and_applies_nothing_until_lines_are_chosen(engine, tmp_path, capsys):
    path = tmp_path / "decisions.csv"
    path.write_text(DECISIONS, encoding="utf-8")
    before = db.data_version(engine)
    assert main(["suivi", "importer", str(path), "--base", _url(engine)]) == 0
    out = capsys.readouterr().out
    assert "decisions.csv:2: CUA-010 « Implication des collégiens" in out and ": prête" in out
    assert (
        "decisions.csv:3: CUA-003 « Conservatoire de Musique et d'Art dramatique d'Arras » (intitulé 0,63 et commune)"
        in out
    )
    assert "decisions.csv:4: CUA-037 « Extension du local des Fermiers de l'Artois » (intitulé 1,00 et commune)" in out
    assert "refusée : instance : « CP du 31/02/2020 » : cette date n'existe pas" in out
    assert "Rien n'a été enregistré." in out
    assert main(["suivi", "importer", str(path), "--proposer", "--base", _url(engine)]) == 0
    assert db.data_version(engine) == before and db.all_follow_ups(engine) == {}
    # applying needs an author who has an active account
    assert main(["suivi", "importer", str(path), "--appliquer", "2", "--base", _url(engine)]) == 2
    assert "--auteur" in capsys.readouterr().err
    db.create_account(engine, "marie.dupont", "un mot de passe solide", "editeur")
    args = ["suivi", "importer", str(path), "--appliquer", "2,3=CUA-003", "--auteur", "marie.dupont"]
    assert main([*args, "--base", _url(engine)]) == 0
    out = capsys.readouterr().out
    assert "decisions.csv:2: CUA-010" in out and "enregistrée (version 1 du suivi)" in out
    assert "2 enregistrée(s)" in out
    found = db.all_follow_ups(engine)
    assert set(found) == {"CUA-010", "CUA-003"}
    assert found["CUA-003"].events[0].instance == "CD du 06/06/2020"
    assert found["CUA-010"].changes[0].author == "marie.dupont"
    # the same file again: already recorded, refused, nothing doubled
    assert main([*args, "--base", _url(engine)]) == 1
    assert "ce vote est déjà enregistré" in capsys.readouterr().out
    assert db.get_follow_up(engine, "CUA-010").version == 1


def test_avancement_writes_one_line_per_epci_and_state(engine, monkeypatch, capsys, terr):
    monkeypatch.setenv("GEODASH_DATABASE_URL", _url(engine))
    follow = _record(engine, VOTE)
    _record(engine, {"etat": "verse", "date": "03/03/2021", "montant": "10 000"}, expected=follow.version)
    assert main(["avancement", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "epci_siren,nom,etat,nombre,montant_annonce,montant_vote,montant_verse,date_donnees"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(terr.epci) * len(progress.ETATS)
    line = {(r["epci_siren"], r["etat"]): r for r in rows}
    assert line[("200033579", "verse")] == {
        "epci_siren": "200033579",
        "nom": "Communauté urbaine d'Arras",
        "etat": "verse",
        "nombre": "1",
        "montant_annonce": "",
        "montant_vote": "30000",
        "montant_verse": "10000",
        "date_donnees": "2021-03-03",
    }
    assert line[("200033579", "vote")]["montant_annonce"].startswith("au moins ")
    assert line[("200033579", "annonce")]["date_donnees"] == "2019-04-29"
    assert all(r["montant_annonce"] != "0" for r in rows if r["nombre"] != "0")


def test_avancement_counts_a_step_recorded_on_a_repeated_subsidy_once(engine, monkeypatch, capsys):
    """CALL-091 (Lens-Liévin) repeats CABBALR-033 (Béthune-Bruay): a payment recorded on the repeated line is the
    subsidy's, counted once, on its first line's EPCI."""
    monkeypatch.setenv("GEODASH_DATABASE_URL", _url(engine))
    db.record_event(engine, "CALL-091", {"etat": "verse", "date": "03/03/2021", "montant": "5 000"},
                    expected_version=0, author="marie.dupont")  # fmt: skip
    assert main(["avancement", "--format", "csv"]) == 0
    line = {(r["epci_siren"], r["etat"]): r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert line[("200072460", "verse")]["nombre"] == "1"
    assert line[("200072460", "verse")]["montant_verse"] == "5000"
    assert line[("246200364", "verse")]["nombre"] == "0"

"""The staff workspace's storage, on SQLite and PostgreSQL: import/export, edits, history, conflicts, rules."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from geodash import settings
from geodash.db import (
    Conflict,
    ImportRefused,
    NotFound,
    ValidationError,
    add_financing,
    check_financing,
    data_version,
    edit_financing,
    ensure_database,
    export_csv,
    financing_history,
    get_financing,
    import_csv,
    journal,
    list_financings,
    load_project_data_db,
    reinstate_financing,
    restore_version,
    withdraw_financing,
)
from geodash.db.engine import schema_is_current
from geodash.projects import load_project_data

ARRAS = "200033579"
ARRAS_COMMUNE = "62041"  # Arras


def _new(**values) -> dict:
    base = {
        "epci_siren": ARRAS,
        "commune_insee": ARRAS_COMMUNE,
        "intitule": "Rénovation de la médiathèque",
        "theme": "Culture",
        "periode": "à venir",
        "nature": "investissement",
        "montant_departement_eur": "1 443 000",
        "source": "CP du 03/12/2018",
    }
    return {**base, **values}


def test_fresh_import_exports_the_shipped_files_byte_for_byte(engine, tmp_path):
    written = export_csv(engine, tmp_path)
    assert [p.name for p in written] == ["financements.csv", "chiffres_cles.csv"]
    for name in ("financements.csv", "chiffres_cles.csv"):
        assert (tmp_path / name).read_bytes() == (settings.projects_dir() / name).read_bytes(), name
    assert schema_is_current(engine)


def test_database_frames_equal_the_csv_frames(engine, terr):
    from_csv = load_project_data(terr.communes, set(terr.sirens))
    from_db = load_project_data_db(engine, terr.communes, terr.sirens)
    pd.testing.assert_frame_equal(from_db.financements, from_csv.financements)
    pd.testing.assert_frame_equal(from_db.chiffres, from_csv.chiffres)
    assert [p.message for p in from_db.problems] == [p.message for p in from_csv.problems]


def test_import_refused_into_a_non_empty_database(engine, terr):
    before = len(list_financings(engine))
    with pytest.raises(ImportRefused, match="déjà des données"):
        import_csv(engine, communes=terr.communes, epci_sirens=terr.sirens)
    assert len(list_financings(engine)) == before


def test_import_refuses_files_with_errors_and_imports_nothing(new_engine, terr, tmp_path):
    text = (settings.projects_dir() / "financements.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    text[3] = text[3].replace(",246201016,", ",999999999,", 1)  # unknown EPCI on line 4
    (tmp_path / "financements.csv").write_text("".join(text), encoding="utf-8")
    (tmp_path / "chiffres_cles.csv").write_bytes((settings.projects_dir() / "chiffres_cles.csv").read_bytes())
    engine = new_engine()
    with pytest.raises(ImportRefused) as refused:
        import_csv(engine, tmp_path, communes=terr.communes, epci_sirens=terr.sirens)
    assert any(p.line == 4 and "999999999" in p.message for p in refused.value.problems)
    ensure_database(engine, folder=settings.projects_dir())  # the database stayed empty: a clean import works
    assert len(list_financings(engine)) == len(pd.read_csv(settings.projects_dir() / "financements.csv", dtype=str))


def test_add_edit_withdraw_restore_and_history(engine, rules, terr):
    version0 = data_version(engine)
    added = add_financing(engine, _new(), author="alice", rules=rules)
    assert added.version == 1 and added.values["montant_departement_eur"] == "1443000"  # canonical amount
    assert data_version(engine) > version0

    edited = edit_financing(
        engine, added.id, {"montant_departement_eur": "52 357,20"}, expected_version=1, author="bob", rules=rules
    )
    assert edited.version == 2 and edited.values["montant_departement_eur"] == "52357.2"
    gone = withdraw_financing(engine, added.id, expected_version=2, author="alice")
    assert gone.withdrawn and gone.withdrawn_by == "alice" and gone.version == 3

    public = load_project_data_db(engine, terr.communes, terr.sirens).financements
    assert added.id not in set(public["id"])  # withdrawn: kept, marked, not shown
    assert get_financing(engine, added.id).values["intitule"] == "Rénovation de la médiathèque"

    back = restore_version(engine, added.id, 1, expected_version=3, author="carol", rules=rules)
    assert not back.withdrawn and back.version == 4 and back.values["montant_departement_eur"] == "1443000"
    public = load_project_data_db(engine, terr.communes, terr.sirens).financements
    row = public.set_index("id").loc[added.id]
    assert row["montant_departement_eur"] == 1443000.0 and row["epci_siren"] == ARRAS

    history = financing_history(engine, added.id)
    assert [(c.version, c.action, c.author) for c in history] == [
        (1, "add", "alice"),
        (2, "edit", "bob"),
        (3, "withdraw", "alice"),
        (4, "restore", "carol"),
    ]
    assert history[1].changed == {"montant_departement_eur": ("1443000", "52357.2")}
    assert history[2].changed == {"retire": (False, True)}
    assert all(c.at.tzinfo is not None for c in history)
    assert [c.version for c in journal(engine) if c.financing_id == added.id] == [4, 3, 2, 1]
    assert {c.action for c in journal(engine, include_import=True, limit=5000)} >= {"import", "add"}


def test_generated_ids_follow_the_epcis_own(engine, rules):
    ids = [r.id for r in list_financings(engine, epci_siren=ARRAS)]
    prefix = max(ids).rsplit("-", 1)[0]
    added = add_financing(engine, _new(), author="alice", rules=rules)
    assert added.id.startswith(prefix + "-") and added.id not in ids
    assert add_financing(engine, _new(), author="alice", rules=rules).id != added.id


def test_stale_version_is_a_conflict_and_loses_nothing(engine, rules):
    first = list_financings(engine, epci_siren=ARRAS)[0]
    mine = edit_financing(
        engine, first.id, {"remarque": "vue par Alice"}, expected_version=first.version, author="alice", rules=rules
    )
    with pytest.raises(Conflict) as conflict:
        edit_financing(
            engine, first.id, {"remarque": "vue par Bob"}, expected_version=first.version, author="bob", rules=rules
        )
    assert conflict.value.current.values["remarque"] == "vue par Alice"
    assert conflict.value.current.version == mine.version
    assert [(c.author, c.new["remarque"]) for c in conflict.value.changes] == [("alice", "vue par Alice")]
    assert "alice" in str(conflict.value) and "n'ont pas été enregistrées" in str(conflict.value)
    assert get_financing(engine, first.id).values["remarque"] == "vue par Alice"
    # Bob, told, saves on the current version: both changes are in the history
    edit_financing(
        engine, first.id, {"remarque": "vue par Bob"}, expected_version=mine.version, author="bob", rules=rules
    )
    assert [c.new["remarque"] for c in financing_history(engine, first.id)][-2:] == ["vue par Alice", "vue par Bob"]
    with pytest.raises(Conflict):
        withdraw_financing(engine, first.id, expected_version=first.version, author="carol")


def test_invalid_records_are_refused_per_field_in_french(engine, rules):
    before = data_version(engine)
    with pytest.raises(ValidationError) as refused:
        add_financing(
            engine,
            _new(theme="Loisirs", montant_departement_eur="-5", source="p. 12", epci_siren="123"),
            author="alice",
            rules=rules,
        )
    errors = refused.value.errors
    assert set(errors) == {"theme", "montant_departement_eur", "source", "epci_siren"}
    assert "n'est pas une valeur permise" in errors["theme"] and "montant négatif" in errors["montant_departement_eur"]
    assert data_version(engine) == before
    first = list_financings(engine)[0]
    with pytest.raises(ValidationError) as refused:
        edit_financing(engine, first.id, {"intitule": "  "}, expected_version=first.version, author="a", rules=rules)
    assert refused.value.errors == {"intitule": "valeur manquante"}
    assert get_financing(engine, first.id) == first
    with pytest.raises(ValidationError, match="déjà utilisé"):
        add_financing(engine, _new(id=first.id), author="alice", rules=rules)
    with pytest.raises(NotFound):
        edit_financing(engine, "NOPE-1", {}, expected_version=1, author="a", rules=rules)


def test_check_financing_is_the_validate_rule_set(rules):
    errors, warnings = check_financing(_new(commune_insee="62001", nature="engagement"), rules)
    assert errors == {}  # 62001 (Ablain-Saint-Nazaire) is elsewhere: a warning, as in geodash validate
    assert "hors de l'EPCI" in warnings["commune_insee"] and "engagement" in warnings["nature"]
    errors, _ = check_financing(_new(source="CP du 31/02/2019"), rules)
    assert "date de vote impossible" in errors["source"]


def test_withdrawn_rows_round_trip_through_their_own_file(engine, new_engine, terr, tmp_path):
    first = list_financings(engine)[0]
    when = datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)
    withdraw_financing(engine, first.id, expected_version=first.version, author="alice", now=when)
    written = export_csv(engine, tmp_path / "a")
    assert [p.name for p in written] == ["financements.csv", "chiffres_cles.csv", "financements_retires.csv"]
    retired = (tmp_path / "a" / "financements_retires.csv").read_text(encoding="utf-8").splitlines()
    assert retired[0].endswith(",retire_le,retire_par") and retired[1].startswith(first.id + ",")
    assert retired[1].endswith(",2026-11-30T09:15:00Z,alice")
    assert first.id + "," not in (tmp_path / "a" / "financements.csv").read_text(encoding="utf-8")
    other = new_engine()
    import_csv(other, tmp_path / "a", communes=terr.communes, epci_sirens=terr.sirens)
    export_csv(other, tmp_path / "b")
    for name in ("financements.csv", "chiffres_cles.csv", "financements_retires.csv"):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "a" / name).read_bytes(), name
    again = get_financing(other, first.id)
    assert again.withdrawn and again.withdrawn_by == "alice" and again.withdrawn_at == when
    restore_version(other, first.id, 1, expected_version=1, author="bob")  # version 1 was imported withdrawn
    assert get_financing(other, first.id).withdrawn
    reinstate_financing(other, first.id, expected_version=1, author="bob", now=when + timedelta(hours=1))
    assert [c.action for c in financing_history(other, first.id)] == ["import", "restore"]
    export_csv(other, tmp_path / "b")
    assert not (tmp_path / "b" / "financements_retires.csv").exists()


def test_an_edit_through_one_engine_is_seen_through_another(engine, rules, terr):
    """Two app servers are two engines on one database: the data version and the data follow an edit."""
    from geodash.db.engine import make_engine

    other = make_engine(engine.url.render_as_string(hide_password=False))
    seen = data_version(other)
    first = list_financings(engine, epci_siren=ARRAS)[0]
    edit_financing(
        engine, first.id, {"intitule": "Titre changé"}, expected_version=first.version, author="a", rules=rules
    )
    assert data_version(other) > seen
    frame = load_project_data_db(other, terr.communes, terr.sirens).financements
    assert frame.set_index("id").loc[first.id, "intitule"] == "Titre changé"
    other.dispose()


def test_migrating_an_older_schema_keeps_the_data(new_engine):
    """A database made by the first release (schema 0001) is brought to the newest schema by migrate()."""
    import sqlalchemy as sa
    from alembic import command

    from geodash.db.engine import _config, migrate, writing

    engine = new_engine()
    with writing(engine) as conn:
        command.upgrade(_config(conn), "0001")
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with writing(engine) as conn:
        conn.execute(
            sa.text(
                "INSERT INTO financings (id, position, epci_siren, intitule, version, withdrawn, updated_at, updated_by)"
                " VALUES ('OLD-1', 1, :siren, 'Ancien', 1, false, :at, 'import')"
            ),
            {"siren": ARRAS, "at": at},
        )
    assert not schema_is_current(engine)
    migrate(engine)
    assert schema_is_current(engine)
    old = get_financing(engine, "OLD-1")
    assert old.values["intitule"] == "Ancien" and old.values["domaine"] == ""


def test_two_servers_starting_on_an_empty_database_import_once(new_engine):
    """Both processes call ensure_database() at once (what two app servers do on first start)."""
    import os
    import subprocess
    import sys

    engine = new_engine()
    url = engine.url.render_as_string(hide_password=False)
    code = "import sys; from geodash.db import ensure_database, make_engine; ensure_database(make_engine(sys.argv[1]))"
    env = {**os.environ, "PYTHONPATH": str(settings.REPO_DIR / "src")}
    starts = [
        subprocess.Popen([sys.executable, "-c", code, url], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=300)[1] for p in starts]
    assert [p.returncode for p in starts] == [0, 0], errors
    expected = len(pd.read_csv(settings.projects_dir() / "financements.csv", dtype=str))
    assert len(list_financings(engine)) == expected
    assert len(journal(engine, include_import=True, limit=10 * expected)) == expected  # one import entry each


def test_schema_head_is_alembics_head():
    """The revision the page checks without importing Alembic is the newest migration shipped."""
    from alembic.script import ScriptDirectory

    from geodash.db.engine import MIGRATIONS_DIR, SCHEMA_HEAD

    assert ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() == SCHEMA_HEAD


def test_reading_a_current_database_does_not_import_alembic(tmp_path):
    """The public page's first run does not pay for Alembic when the schema is current."""
    url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    code = (
        "import sys; from geodash.db.engine import migrate, make_engine, schema_is_current; "
        f"e = make_engine({url!r}); migrate(e); "
        "[sys.modules.pop(m) for m in list(sys.modules) if m.startswith('alembic')]; "
        "assert schema_is_current(e); migrate(e); sys.exit('alembic' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0

"""A database that fails (unreadable file, server away, read-only, file deleted under the server) is said
in French, the same way on the pages and on the command line, and never loses the staff's work.

Issue 22, rows 4 and 10: a save that landed in a deleted SQLite file was confirmed; a start on a missing
file re-imported the CSV files over every edit and account; ``geodash db`` printed a traceback and called a
corrupted local file « serveur injoignable ».
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket

import pytest

from geodash import db
from geodash.cli import main
from geodash.db.engine import make_engine
from geodash.db.transfer import import_csv, state_file

from .pagedata import markdown_shown

CORRUPT = "fichier de la base illisible ou corrompu"
UNREACHABLE = "serveur injoignable"
READ_ONLY = "base en lecture seule"


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _corrupted(tmp_path):
    path = tmp_path / "abimee.sqlite"
    path.write_bytes(b"ceci n'est pas une base SQLite " * 200)
    return path


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the test connects: connection refused


def _fault(engine, statement: str = "SELECT 1") -> db.DatabaseFault:
    with pytest.raises(db.DATABASE_FAULTS) as raised, db.engine.writing(engine) as conn:
        conn.exec_driver_sql(statement)
    return db.database_fault(raised.value)


def test_a_corrupted_file_is_not_an_unreachable_server(tmp_path):
    corrupt = _fault(make_engine(f"sqlite:///{_corrupted(tmp_path)}"))
    assert corrupt.reason == CORRUPT
    unreachable = _fault(make_engine(f"postgresql+psycopg://geodash:secret@127.0.0.1:{_closed_port()}/geodash"))
    assert unreachable.reason == UNREACHABLE
    for fault in (corrupt, unreachable):  # a sentence for a visitor: no path, no password, no SQL
        assert str(tmp_path) not in str(fault) and "secret" not in str(fault) and "SELECT" not in str(fault)
        assert str(fault).startswith("Base de données indisponible : ")


def test_a_read_only_database_is_told_as_such(new_engine):
    engine = new_engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a integer)")
    if new_engine.backend == "sqlite":  # a file opened read-only
        engine = make_engine(f"sqlite:///file:{engine.url.database}?mode=ro&uri=true")
    else:  # a database whose transactions are read-only (as on a standby server)
        with engine.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{engine.url.database}" SET default_transaction_read_only = on')
            conn.commit()
        engine.dispose()  # new connections take the setting
    assert _fault(engine, "INSERT INTO t VALUES (1)").reason == READ_ONLY


def _sqlite_database(tmp_path, terr, name: str = "geodash.sqlite"):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    import_csv(engine, communes=terr.communes, epci_sirens=terr.sirens)
    return engine, tmp_path / name


def _removed(path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            (path.parent / f"{path.name}{suffix}").unlink()


def test_a_sqlite_file_deleted_under_the_server_refuses_every_write(tmp_path, terr, rules):
    engine, path = _sqlite_database(tmp_path, terr)
    before = db.get_financing(engine, "CUA-037")
    _removed(path)
    with pytest.raises(db.DatabaseReplaced) as refused:
        db.edit_financing(engine, "CUA-037", {"intitule": "Perdu"}, expected_version=1, author="marie", rules=rules)
    assert "supprimé ou remplacé" in str(refused.value)
    assert not path.exists()  # no empty database made in its place either
    with pytest.raises(db.DatabaseReplaced):
        db.data_version(engine)
    assert before.version == 1


def test_a_sqlite_file_replaced_under_the_server_refuses_writes_until_it_is_back(tmp_path, terr, rules):
    engine, path = _sqlite_database(tmp_path, terr)
    db.data_version(engine)  # the file is opened
    path.rename(tmp_path / "ailleurs.sqlite")
    shutil.copyfile(tmp_path / "ailleurs.sqlite", path)  # another file (same content) at the same place
    with pytest.raises(db.DatabaseReplaced):
        db.edit_financing(engine, "CUA-037", {"intitule": "Perdu"}, expected_version=1, author="marie", rules=rules)
    path.unlink()
    (tmp_path / "ailleurs.sqlite").rename(path)  # the opened file back in place: writes go on
    record = db.edit_financing(engine, "CUA-037", {"intitule": "Gardé"}, expected_version=1, author="m", rules=rules)
    assert record.version == 2


def test_a_start_never_reimports_over_a_database_that_was_in_service(tmp_path, terr, capsys):
    url = f"sqlite:///{tmp_path / 'geodash.sqlite'}"
    engine = db.ensure_database(make_engine(url))  # first start: imported, and noted beside the file
    db.create_account(engine, "marie.dupont", "un mot de passe solide", "editeur")
    engine.dispose()
    _removed(tmp_path / "geodash.sqlite")
    for attempt in ("missing", "empty"):
        if attempt == "empty":
            (tmp_path / "geodash.sqlite").write_bytes(b"")
        with pytest.raises(db.ImportRefused) as refused:
            db.ensure_database(make_engine(url))
        message = str(refused.value)
        assert "Import automatique refusé" in message and "« geodash db init »" in message
        assert str(tmp_path) not in message
        assert not (tmp_path / "geodash.sqlite").exists() or (tmp_path / "geodash.sqlite").stat().st_size == 0
    note = state_file(engine)  # how the server knows: a note beside the file
    assert note.parent == tmp_path and json.loads(note.read_text(encoding="utf-8"))["database"] == "geodash.sqlite"
    assert main(["db", "export", "--base", url, "--sortie", str(tmp_path / "export")]) == 1  # no import there
    assert "Import automatique refusé" in capsys.readouterr().err
    assert main(["db", "init", "--base", url]) == 0  # the explicit way to start again from the CSV files
    assert "Importé" in capsys.readouterr().out
    assert db.list_financings(db.ensure_database(make_engine(url)))


@pytest.mark.parametrize("command", [["db", "init"], ["db", "export", "--sortie", "{tmp}/export"], ["users", "list"]])
def test_the_command_line_on_a_corrupted_file_says_it_in_one_french_line(command, tmp_path, capsys):
    path = _corrupted(tmp_path)
    argv = [part.format(tmp=tmp_path) for part in command] + ["--base", f"sqlite:///{path}"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"erreur : base de données : {CORRUPT} (remettre en place la dernière sauvegarde de la base)."
    ]
    assert "Traceback" not in out + err and str(tmp_path) not in out + err and UNREACHABLE not in err


def test_the_command_line_on_an_unreachable_server_says_so(capsys):
    url = f"postgresql+psycopg://geodash:secret@127.0.0.1:{_closed_port()}/geodash"
    assert main(["db", "init", "--base", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"erreur : base de données : {UNREACHABLE} (") and "secret" not in err


# --- The pages (app.py under AppTest): a French message, never Streamlit's English error ---------------


def _app(monkeypatch, url: str):
    from streamlit.testing.v1 import AppTest

    from geodash import settings

    monkeypatch.setenv("GEODASH_DATABASE_URL", url)
    at = AppTest.from_file(str(settings.REPO_DIR / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return [markdown_shown(e.value) for e in at.error]


def test_the_pages_on_a_corrupted_file_say_so_in_french(monkeypatch, tmp_path):
    errors = _app(monkeypatch, f"sqlite:///{_corrupted(tmp_path)}")
    assert errors == [
        f"La base de données des financements ne peut pas être utilisée : {CORRUPT} "
        "(remettre en place la dernière sauvegarde de la base)."
    ]
    assert str(tmp_path) not in errors[0]


def test_the_pages_say_why_a_start_does_not_reimport_over_a_database_in_service(monkeypatch, tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'geodash.sqlite'}"
    db.ensure_database(make_engine(url)).dispose()
    _removed(tmp_path / "geodash.sqlite")
    errors = _app(monkeypatch, url)  # what every page shows, /sources included, and the log says
    assert len(errors) == 1 and errors[0].startswith("Import automatique refusé : la base « geodash.sqlite »")
    assert "« geodash db init »" in errors[0] and str(tmp_path) not in errors[0]
    assert any("Import automatique refusé" in r.getMessage() for r in caplog.records if r.name == "geodash")
    assert not (tmp_path / "geodash.sqlite").exists()

"""Database fixtures: every database test runs on SQLite (a temporary file) and on a real PostgreSQL.

PostgreSQL is ``GEODASH_TEST_POSTGRES_URL`` (a server URL whose user may create databases) when set;
otherwise a throwaway server is started from Debian's binaries (``/usr/lib/postgresql/*/bin``) in a
temporary folder, on a free loopback port, as the ``postgres`` user when run as root. Without the
binaries the PostgreSQL cases are skipped locally and FAIL in CI (``CI=true``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from geodash.db.engine import make_engine
from geodash.db.financings import Rules
from geodash.db.transfer import import_csv

__all__ = ["postgres_admin_url", "postgres_away", "new_engine", "engine", "rules", "small_folder"]

BACKENDS = ["sqlite", "postgresql"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_admin_url():
    """URL of a PostgreSQL server on which tests may create and drop databases."""
    given = os.environ.get("GEODASH_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        _unavailable(
            "PostgreSQL server binaries not found (apt-get install postgresql) and GEODASH_TEST_POSTGRES_URL unset"
        )
    bindir = Path(initdb[-1]).parent
    as_user: list[str] = []
    root = tempfile.mkdtemp(prefix="geodash-pg-")
    if os.geteuid() == 0:  # postgres refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and no 'postgres' user to start the server with")
        os.chown(root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = Path(root) / "data", _free_port()
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], **run)  # fmt: skip
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                    str(Path(root) / "server.log"), "-w", "-t", "60", "start"], **run)  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_away(admin_url: str, name: str):
    """The PostgreSQL database ``name`` out of reach until the block ends, as when its server stops: every
    connection to it cut, new ones refused (the server itself, shared by the tests, keeps running)."""
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
        )
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def new_engine(request, tmp_path):
    """A factory of empty databases (schema not yet created) on the parametrised backend."""
    made: list[sa.Engine] = []
    databases: list[str] = []
    admin = None
    if request.param == "postgresql":
        admin = make_engine(request.getfixturevalue("postgres_admin_url")).execution_options(
            isolation_level="AUTOCOMMIT"
        )

    def factory() -> sa.Engine:
        if request.param == "sqlite":
            engine = make_engine(f"sqlite:///{tmp_path / f'geodash-{len(made)}.sqlite'}")
        else:
            name = f"geodash_test_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            databases.append(name)
            engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
        made.append(engine)
        return engine

    factory.backend = request.param
    yield factory
    for engine in made:
        engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            for name in databases:
                with contextlib.suppress(sa.exc.DBAPIError):
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def rules(terr) -> Rules:
    return Rules.from_territories(terr.communes, terr.sirens)


@pytest.fixture
def engine(new_engine, terr):
    """A database holding the shipped CSV files, as after ``geodash db init``."""
    engine = new_engine()
    import_csv(engine, communes=terr.communes, epci_sirens=terr.sirens)
    return engine


@pytest.fixture(scope="session")
def small_folder(tmp_path_factory) -> Path:
    """The header and first rows of each shipped CSV file: a small database for property tests."""
    from geodash import settings

    folder = tmp_path_factory.mktemp("small")
    for name, rows in (("financements.csv", 7), ("chiffres_cles.csv", 4)):
        lines = (settings.projects_dir() / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / name).write_text("".join(lines[:rows]), encoding="utf-8")
    return folder

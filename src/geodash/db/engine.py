"""Which database, how to connect, and bringing its schema up to date (Alembic, shipped in the package).

``GEODASH_DATABASE_URL`` (an SQLAlchemy URL, e.g. ``postgresql+psycopg://geodash@db/geodash``) selects the
database; without it geodash uses a SQLite file in ``var/`` (git-ignored), in WAL mode so that readers never
wait for a writer.

A SQLite engine remembers which file it opened (device and inode): if that file is deleted, moved or
replaced while the server runs, every transaction is refused with :class:`~geodash.db.errors.DatabaseReplaced`
(no edit lands in a file nobody will read, no empty file is created in its place) until the file is back.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import sqlalchemy as sa

from ..settings import database_url
from .errors import DatabaseReplaced

__all__ = [
    "database_url",
    "get_engine",
    "make_engine",
    "writing",
    "schema_lock",
    "upgrade_schema",
    "migrate",
    "schema_is_current",
    "MIGRATIONS_DIR",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: The newest migration shipped (tests check it is Alembic's head): a database at this revision is
#: read without importing Alembic, which the public page would pay for on its first run.
SCHEMA_HEAD = "0003"
#: Arbitrary key of the PostgreSQL advisory lock taken while the schema is created or migrated.
_PG_LOCK_KEY = 4_062_019


def make_engine(url: str | None = None) -> sa.Engine:
    """A new engine for ``url`` (default :func:`database_url`); SQLite files get WAL mode and a busy timeout."""
    url = url or database_url()
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    path = None
    if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
        path = Path(parsed.database).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})
    opened: list[tuple[int, int]] = []  # the (device, inode) of the file the first connection opened

    def same_file() -> None:
        """Refuse to go on once the file at ``path`` is no longer the one opened."""
        if path is None or not opened:
            return
        try:
            found = path.stat()
        except FileNotFoundError:
            raise DatabaseReplaced() from None
        if (found.st_dev, found.st_ino) != opened[0]:
            raise DatabaseReplaced()

    @sa.event.listens_for(engine, "do_connect")
    def _sqlite_same_file(_dialect, _record, _cargs, _cparams):
        same_file()  # before SQLite would create an empty file where the database was

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        if path is not None and not opened:
            found = path.stat()
            opened.append((found.st_dev, found.st_ino))

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        same_file()
        # A writer takes the write lock first: its read-then-update can never meet a newer snapshot.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("geodash_write") else "BEGIN")

    return engine


def writing(engine: sa.Engine):
    """``with writing(engine) as conn:`` a transaction that will write (on SQLite: ``BEGIN IMMEDIATE``)."""
    return engine.execution_options(geodash_write=True).begin()


@functools.lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> sa.Engine:
    """The engine of ``url``, shared by every caller of the process (Streamlit reruns included)."""
    return make_engine(url or database_url())


def _config(connection: sa.Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@contextlib.contextmanager
def schema_lock(engine: sa.Engine):
    """One process at a time creates, migrates or first fills the database (two servers may start together).

    Not re-entrant: inside it, call :func:`upgrade_schema`, not :func:`migrate`.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        try:
            import fcntl
        except ImportError:  # Windows: a single local server, no lock needed
            yield
            return
        with open(f"{database}.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    yield


def schema_is_current(engine: sa.Engine) -> bool:
    """True when the database is at the newest migration shipped with this geodash (:data:`SCHEMA_HEAD`)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return False
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [SCHEMA_HEAD]


def upgrade_schema(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (caller holds :func:`schema_lock`)."""
    if schema_is_current(engine):
        return
    from alembic import command

    with writing(engine) as conn:
        command.upgrade(_config(conn), "head")


def migrate(engine: sa.Engine) -> None:
    """Create the schema, or upgrade it to the newest migration; safe to call on every start."""
    with schema_lock(engine):
        upgrade_schema(engine)

"""Shared fixtures: the committed territories and project data, the source document."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from geodash import settings
from geodash.projects import load_project_data
from geodash.territories import load_territories

# The pages read the database: the tests' (the app under AppTest, the servers they start, the atlas) is a
# fresh SQLite file imported from the shipped CSV files, never a developer's var/geodash.sqlite or a
# production GEODASH_DATABASE_URL.
os.environ["GEODASH_DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp(prefix='geodash-tests-')) / 'geodash.sqlite'}"

SHARED = settings.REPO_DIR.parent / "shared"
ARTIFACTS = Path(os.environ.get("GEODASH_ARTIFACTS", settings.REPO_DIR / "artifacts"))


@pytest.fixture(autouse=True)
def no_first_look():
    """No test finds a first look another test's server or start-up saved beside the tests' database
    (geodash.firstlook): a page's first run is the whole page unless the test saves one itself."""
    from geodash import firstlook

    store = firstlook.store_path()
    if store is not None:
        firstlook.look_path(store).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def terr():
    return load_territories()


@pytest.fixture(scope="session")
def data(terr):
    return load_project_data(terr.communes, set(terr.sirens))


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    """The source document, one string per line (index 0 is line 1)."""
    if not settings.SEED_PATH.exists():
        pytest.skip(f"source document not found at {settings.SEED_PATH}")
    return settings.SEED_PATH.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


from .db_fixtures import engine, new_engine, postgres_admin_url, rules, small_folder  # noqa: E402, F401

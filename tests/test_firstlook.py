"""The map page's first look (geodash.firstlook): made from the root URL's view, kept beside the SQLite
database, given back only while what it was made from holds, and read without the page's libraries."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from dataclasses import replace

import pytest

from geodash import firstlook, settings
from geodash import viewmodel as vm
from geodash.firstlook import FirstLook
from geodash.selection import cached_base


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A SQLite file in force (its bytes only matter here) and a data folder of one file, both temporary."""
    path = tmp_path / "base.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x01" * 4096)
    data = tmp_path / "data"
    (data / "geo").mkdir(parents=True)
    (data / "geo" / "territoires.gpkg").write_bytes(b"gpkg")
    monkeypatch.setenv("GEODASH_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("GEODASH_PROJECTS_DIR", raising=False)
    monkeypatch.delenv("GEODASH_TERRITORIES", raising=False)
    monkeypatch.setattr(settings, "DATA_DIR", data)
    return path


def _look(stamp: str) -> FirstLook:
    return FirstLook(
        head="<h1>Pas-de-Calais</h1>",
        label="Carte : Pas-de-Calais",
        key="k1",
        text="{}",
        mode="normal",
        options=[["", "Tout le département"]],
        stamp=stamp,
    )


def test_only_a_sqlite_database_has_a_first_look(monkeypatch, tmp_path):
    monkeypatch.delenv("GEODASH_PROJECTS_DIR", raising=False)
    monkeypatch.setenv("GEODASH_DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite'}")
    assert firstlook.store_path() == tmp_path / "a.sqlite"
    assert firstlook.look_path(tmp_path / "a.sqlite") == tmp_path / "a.sqlite.first-look.json"
    for url in ("postgresql+psycopg://u@h/db", "sqlite://", "sqlite:///:memory:", f"sqlite:///{tmp_path}/a?mode=ro"):
        monkeypatch.setenv("GEODASH_DATABASE_URL", url)
        assert firstlook.store_path() is None, url
    monkeypatch.setenv("GEODASH_DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite'}")
    monkeypatch.setenv("GEODASH_PROJECTS_DIR", str(tmp_path))  # the pages read CSV files: no database
    assert firstlook.store_path() is None


def test_the_fingerprint_changes_with_whatever_the_look_is_made_from(store, monkeypatch):
    first = firstlook.fingerprint(store)
    assert first is not None and firstlook.fingerprint(store) == first  # the same data: the same digest

    def changed(undo) -> None:
        assert firstlook.fingerprint(store) != first
        undo()
        assert firstlook.fingerprint(store) == first

    original = store.read_bytes()
    store.write_bytes(original[:-1] + b"\x02")  # one byte of the database, same size
    changed(lambda: store.write_bytes(original))
    wal = store.with_name(store.name + "-wal")
    wal.write_bytes(b"")  # an empty write-ahead log changes nothing
    assert firstlook.fingerprint(store) == first
    wal.write_bytes(b"frame")  # a committed change not yet in the file
    changed(lambda: wal.unlink())
    with monkeypatch.context() as m:
        m.setenv("GEODASH_OTHER_SETTING", "x")  # any GEODASH_ setting
        assert firstlook.fingerprint(store) != first
    with monkeypatch.context() as m:
        m.setattr(firstlook, "today", lambda: datetime.date(2099, 1, 1))  # « en retard » is judged by the day
        assert firstlook.fingerprint(store) != first
    assert firstlook.fingerprint(store) == first
    (settings.DATA_DIR / "geo" / "territoires.gpkg").write_bytes(b"gpkg, replaced")  # a data file
    assert firstlook.fingerprint(store) != first
    store.unlink()
    assert firstlook.fingerprint(store) is None  # no database, no look


def test_the_layers_files_named_by_their_configuration_count_too(store, monkeypatch, tmp_path):
    roads = tmp_path / "routes.geojson"
    roads.write_text("{}", encoding="utf-8")
    config = tmp_path / "layers.toml"
    config.write_text('[routes]\nfichier = "routes.geojson"\n', encoding="utf-8")
    monkeypatch.setenv("GEODASH_LAYERS_CONFIG", str(config))
    first = firstlook.fingerprint(store)
    roads.write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    assert firstlook.fingerprint(store) != first


def test_a_look_is_given_back_only_while_it_holds(store):
    assert firstlook.load(store) is None  # none kept
    look = _look(firstlook.fingerprint(store))
    firstlook.save(look, store)
    assert firstlook.load(store) == look
    assert not list(store.parent.glob("*.part"))  # written whole, then renamed into place
    firstlook.save(replace(look, stamp="another day"), store)
    assert firstlook.load(store) is None  # made from other data
    firstlook.save(look, store)
    store.write_bytes(store.read_bytes() + b"\x00")
    assert firstlook.load(store) is None  # the data changed since
    path = firstlook.look_path(store)
    for broken in ("{", json.dumps({"head": "x"}), "[]"):
        path.write_text(broken, encoding="utf-8")
        assert firstlook.load(store) is None, broken


def test_the_first_look_is_the_root_views_own():
    """The title block, the map's view and name and the territory list the map page draws at the root URL."""
    base = cached_base()
    choice = vm.choice_of(base, vm.opened(base, vm.view_of(base, {})))
    look = vm.first_look(base, "stamp")
    web = vm.web_map(base, choice)
    assert (look.key, look.text, look.mode) == (web.key, web.text, "normal")
    assert look.head == vm.map_head(base, choice) and vm.TITLE_DEPARTEMENT in look.head
    assert look.label == vm.map_label(base, choice) == f"Carte : {vm.TITLE_DEPARTEMENT}"
    labels = vm.option_labels(base)
    assert look.options == [[siren or "", labels[siren]] for siren in vm.epci_options(base)]
    assert len(look.options) == 21 and look.stamp == "stamp"


def test_the_first_look_is_drawn_without_the_page_s_libraries():
    """The first look's page part, its components and the fingerprint import neither pandas, geopandas nor
    the database's libraries: a server still starting draws it while those are being imported."""
    code = (
        "import sys, geodash.pages.firstlook, geodash.firstlook as f; f.fingerprint(f.store_path());"
        "print(sorted(m for m in ('pandas', 'geopandas', 'numpy', 'sqlalchemy', 'shapely') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_start_up_keeps_the_root_views_first_look(monkeypatch):
    """Once the root URL's view is prepared, the start-up saves its first look beside the database, made from
    the data it prepared."""
    from geodash import startup

    monkeypatch.setattr(vm, "prepare", lambda base, params: None)  # the views themselves are not the point
    store = firstlook.store_path()
    firstlook.look_path(store).unlink(missing_ok=True)
    startup.prepare_views()
    base = cached_base()
    assert firstlook.load(store) == vm.first_look(base, firstlook.fingerprint(store))


def test_a_look_made_while_the_data_changed_is_not_kept(monkeypatch):
    from geodash import startup

    monkeypatch.setattr(vm, "prepare", lambda base, params: None)
    stamps = iter(["before", "after"])  # a change while the root view was made
    monkeypatch.setattr(firstlook, "fingerprint", lambda store: next(stamps, "after"))
    store = firstlook.store_path()
    firstlook.look_path(store).unlink(missing_ok=True)
    startup.prepare_views()
    assert not firstlook.look_path(store).exists()


def test_a_session_s_first_run_draws_the_first_look_then_the_whole_page():
    """AppTest has no browser: its second run stands for the map's message once the first look is drawn."""
    from streamlit.testing.v1 import AppTest

    from .pagedata import map_data, page_title, territory_list

    store = firstlook.store_path()
    base = cached_base()
    look = vm.first_look(base, firstlook.fingerprint(store))
    firstlook.save(look, store)
    try:
        at = AppTest.from_file(str(settings.REPO_DIR / "app.py"), default_timeout=120).run()
        assert not at.exception, at.exception
        assert page_title(at) == vm.TITLE_DEPARTEMENT
        assert map_data(at)["key"] == look.key and map_data(at)["first"] is True
        assert territory_list(at)["options"] == look.options
        assert [h.value for h in at.sidebar.header] == ["Territoire"] and not at.sidebar.multiselect
        at.run()
        assert not at.exception, at.exception
        assert map_data(at)["key"] == look.key and map_data(at)["first"] is False  # the same view: not drawn again
        assert [h.value for h in at.sidebar.header] == ["Territoire", "Filtres"] and at.sidebar.multiselect
        assert f'id="{vm.RANKING_ANCHOR}"' in "".join(h.proto.body for h in at.get("html"))  # the ranking too
        # A link with a view, or another page, is drawn whole at once.
        for params in ({"epci": "200033579"}, {"theme": "Culture"}):
            at = AppTest.from_file(str(settings.REPO_DIR / "app.py"), default_timeout=120)
            for name, value in params.items():
                at.query_params[name] = value
            at.run()
            assert map_data(at)["first"] is False and at.sidebar.multiselect, params
    finally:
        firstlook.look_path(store).unlink(missing_ok=True)

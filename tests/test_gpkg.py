"""geodash.gpkg reads a GeoPackage's feature tables as GDAL does, and refuses what it cannot read."""

from __future__ import annotations

import shutil
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geodash import gpkg, settings

SOURCE = settings.geo_dir() / "territoires.gpkg"
LAYERS = ["communes", "epci", "communes_web", "epci_web"]


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_reads_as_gdal_reads_it(layer):
    ours = gpkg.read_layer(SOURCE, layer)
    gdal = gpd.read_file(SOURCE, layer=layer)
    assert list(ours.columns) == list(gdal.columns)
    assert ours.dtypes.to_dict() == gdal.dtypes.to_dict()
    assert ours.crs == gdal.crs
    pd.testing.assert_frame_equal(ours.drop(columns="geometry"), gdal.drop(columns="geometry"))
    assert shapely.equals_exact(ours.geometry.to_numpy(), gdal.geometry.to_numpy(), tolerance=0).all()


def test_list_layers():
    assert sorted(gpkg.list_layers(SOURCE)) == sorted(LAYERS)


@pytest.fixture
def copy(tmp_path):
    path = tmp_path / "t.gpkg"
    shutil.copyfile(SOURCE, path)
    return path


def _sql(path, statement, *args):
    """Run ``statement`` on the file, without the spatial index's triggers (they call GDAL's SQL functions)."""
    with sqlite3.connect(path) as db:
        for (name,) in db.execute("select name from sqlite_master where type = 'trigger'").fetchall():
            db.execute(f'drop trigger "{name}"')
        db.execute(statement, args)


def test_missing_integers_read_as_float_and_empty_geometry_as_none(copy):
    frame = gpd.GeoDataFrame(
        {"n": [1, None], "flag": [True, False]},
        geometry=[shapely.Point(1, 2), shapely.Point(3, 4)],
        crs="EPSG:2154",
    )
    frame["n"] = frame["n"].astype("Int64")
    frame.to_file(copy, layer="points", driver="GPKG")
    ours, gdal = gpkg.read_layer(copy, "points"), gpd.read_file(copy, layer="points")
    assert ours["n"].dtype == gdal["n"].dtype == float and np.isnan(ours["n"][1])
    assert ours["flag"].dtype == bool and ours["flag"].tolist() == [True, False]
    # the empty-geometry flag of the GeoPackage header (bit 4)
    with sqlite3.connect(copy) as db:
        blob = bytearray(db.execute("select geom from points where fid = 2").fetchone()[0])
    blob[3] |= 0b10000
    _sql(copy, "update points set geom = ? where fid = 2", bytes(blob))
    assert gpkg.read_layer(copy, "points").geometry[1] is None


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_undefined_coordinate_system_reads_as_none(copy):
    layer = gpd.read_file(SOURCE, layer="epci").set_crs(None, allow_override=True)
    layer.to_file(copy, layer="epci", driver="GPKG")
    assert gpkg.read_layer(copy, "epci").crs is None
    assert gpkg.read_layer(copy, "communes").crs == "EPSG:2154"


@pytest.mark.parametrize(
    "statement, words",
    [
        ("update communes set population = 'beaucoup' where fid = 3", "population : valeurs qui ne sont pas"),
        ("update communes set hors_departement = 7 where fid = 3", "hors_departement : valeurs qui ne sont pas"),
        ("update communes set nom = x'00ff' where fid = 3", "nom : valeurs qui ne sont pas du texte"),
        ("update communes set nom = cast(x'c328' as text) where fid = 3", "illisible .*UTF-8"),
        ("update communes set geom = x'0102030405060708' where fid = 3", "pas au format GeoPackage"),
        ("update communes set geom = x'47500000000000000102' where fid = 3", "géométrie illisible"),
        ("update communes set geom = x'4750000e0000000001' where fid = 3", "en-tête de géométrie GeoPackage invalide"),
    ],
)
def test_damaged_cells_are_refused_with_their_reason(copy, statement, words):
    _sql(copy, statement)
    with pytest.raises(gpkg.GeoPackageError, match=words):
        gpkg.read_layer(copy, "communes")


def test_not_a_geopackage(tmp_path):
    path = tmp_path / "autre.sqlite"
    _sql(path, "create table communes (insee text)")
    with pytest.raises(gpkg.GeoPackageError, match="pas un GeoPackage"):
        gpkg.list_layers(path)
    with pytest.raises(gpkg.GeoPackageError, match="pas un GeoPackage"):
        gpkg.read_layer(path, "communes")


def test_the_file_is_opened_read_only(copy):
    before = copy.read_bytes()
    gpkg.read_layer(copy, "epci")
    assert copy.read_bytes() == before
    copy.chmod(0o444)
    try:
        assert len(gpkg.read_layer(copy, "epci")) == 20
    finally:
        copy.chmod(0o644)

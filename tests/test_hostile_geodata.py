"""Broken territorial files: every failure is a TerritoryError in French naming the file; invalid
geometry is repaired and reported, never silently; a damaged file never loads different data."""

from __future__ import annotations

import random
import shutil
import sqlite3
import struct

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geodash import settings
from geodash.formatting import NBSP
from geodash.territories import Territories, TerritoryError, load_territories

# GDAL and shapely warn about what they read in broken files; the loader turns it into an error.
pytestmark = [
    pytest.mark.filterwarnings("ignore:GPKG:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning"),
]

SOURCE = settings.geo_dir() / "territoires.gpkg"
LAYERS = ["communes", "epci", "communes_web", "epci_web"]
LUMBRES = "62534"


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(SOURCE, layer=name) for name in LAYERS}


@pytest.fixture
def gpkg(tmp_path):
    path = tmp_path / "territoires.gpkg"
    shutil.copyfile(SOURCE, path)
    return path


def _write(path, layers: dict[str, gpd.GeoDataFrame], **replace) -> None:
    for name in LAYERS:
        frame = replace.get(name, layers[name])
        if frame is not None:
            frame.to_file(path, layer=name, driver="GPKG")


def _raises(path, *words: str) -> str:
    with pytest.raises(TerritoryError) as info:
        load_territories(path)
    message = str(info.value)
    assert message.startswith(f"{path} : "), message  # names the file, first
    for word in words:
        assert word in message, message
    return message


# --- Missing, empty, other formats ----------------------------------------------------------------


def test_missing_file(tmp_path):
    _raises(tmp_path / "territoires.gpkg", "fichier introuvable", "geodash build-geo")


def test_empty_file_and_folder(tmp_path):
    empty = tmp_path / "territoires.gpkg"
    empty.write_bytes(b"")
    _raises(empty, "fichier vide")
    folder = tmp_path / "dossier.gpkg"
    folder.mkdir()
    _raises(folder, "pas un fichier")


@pytest.mark.parametrize("fraction", [0.00001, 0.001, 0.05, 0.3, 0.5, 0.75, 0.95, 0.999])
def test_truncated_geopackage(gpkg, fraction):
    data = gpkg.read_bytes()
    gpkg.write_bytes(data[: int(len(data) * fraction)])
    _raises(
        gpkg,
        "fichier tronqué",
        f"octets sur {len(data):,} attendus".replace(",", NBSP) if fraction > 0.0001 else "en-tête incomplet",
    )


def test_geojson_instead_of_geopackage(tmp_path, layers):
    geojson = tmp_path / "communes.geojson"
    layers["communes"].to_file(geojson, driver="GeoJSON")
    _raises(geojson, "pas un GeoPackage", "GeoJSON")
    renamed = tmp_path / "territoires.gpkg"
    shutil.copyfile(geojson, renamed)
    _raises(renamed, "pas un GeoPackage", "GeoJSON")


def test_other_sqlite_database(tmp_path):
    path = tmp_path / "territoires.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("create table communes (insee text, nom text)")
        db.execute("insert into communes values ('62534', 'Lumbres')")
    _raises(path, "illisible", "pas un GeoPackage")


def test_missing_layer(tmp_path, layers):
    path = tmp_path / "territoires.gpkg"
    _write(path, layers, epci_web=None)
    _raises(path, "couche « epci_web » absente", "communes, communes_web, epci")


@pytest.mark.parametrize(
    "layer, column",
    [("communes", "epci_siren"), ("epci", "population"), ("communes_web", "nom"), ("epci_web", "siren")],
)
def test_layer_missing_a_column(gpkg, layers, layer, column):
    _write(gpkg, layers, **{layer: layers[layer].drop(columns=column)})
    _raises(gpkg, f"couche « {layer} »", f"colonnes manquantes : {column}")


def test_layer_with_no_rows(gpkg, layers):
    _write(gpkg, layers, epci=layers["epci"].iloc[0:0])
    _raises(gpkg, "couche « epci » vide")


# --- Coordinate systems ---------------------------------------------------------------------------


def test_layer_without_crs(gpkg, layers):
    _write(gpkg, layers, communes=layers["communes"].set_crs(None, allow_override=True))
    _raises(gpkg, "couche « communes » sans système de coordonnées")


@pytest.mark.parametrize(
    "layer, wrong",
    [("communes", "EPSG:4326"), ("epci", "EPSG:3857"), ("communes_web", "EPSG:2154"), ("epci_web", "EPSG:27572")],
)
def test_wrong_crs_declared(gpkg, layers, layer, wrong):
    """Coordinates written in one system, another declared: the layer lands outside the Pas-de-Calais."""
    _write(gpkg, layers, **{layer: layers[layer].set_crs(wrong, allow_override=True)})
    _raises(gpkg, f"couche « {layer} »", "hors du Pas-de-Calais", wrong, "système de coordonnées déclaré")


def test_other_crs_correctly_declared_is_fine(gpkg, layers):
    """A layer saved in Web Mercator (QGIS default) is not an error: it is reprojected."""
    _write(gpkg, layers, communes=layers["communes"].to_crs("EPSG:3857"), epci_web=layers["epci_web"].to_crs(2154))
    terr = load_territories(gpkg)
    ref = load_territories(SOURCE)
    assert terr.communes.crs == ref.communes.crs
    assert np.allclose(terr.communes.area, ref.communes.area, rtol=1e-6)
    assert terr.repaired == {} and terr.warnings == ()


# --- Damaged or invalid geometry ------------------------------------------------------------------


def _with_spike(geom):
    """The same polygon with a zero-width spike (A → far point → A): invalid, same area."""
    polygons = list(shapely.get_parts(geom))
    ring = np.asarray(polygons[0].exterior.coords)
    spike = ring[0] + (ring[1] - ring[0]) * 0.5 + np.array([200.0, 200.0]) * (1e-5 if abs(ring[0][0]) < 180 else 1)
    middle = ring[0] + (ring[1] - ring[0]) * 0.5
    ring = np.vstack([ring[:1], middle, spike, middle, ring[1:]])
    polygons[0] = shapely.Polygon(ring, [h.coords for h in polygons[0].interiors])
    return shapely.MultiPolygon(polygons) if geom.geom_type == "MultiPolygon" else polygons[0]


def test_invalid_geometry_repaired_and_reported(gpkg, layers):
    communes = layers["communes"].copy()
    web = layers["communes_web"].copy()
    i = communes.index[communes["insee"] == LUMBRES][0]
    j = web.index[web["insee"] == LUMBRES][0]
    communes.loc[i, "geometry"] = _with_spike(communes.geometry[i])
    web.loc[j, "geometry"] = _with_spike(web.geometry[j])
    assert not communes.geometry[i].is_valid and not web.geometry[j].is_valid
    _write(gpkg, layers, communes=communes, communes_web=web)

    terr = load_territories(gpkg)
    assert terr.repaired == {"communes": 1, "communes_web": 1}
    assert len(terr.warnings) == 2
    assert all(
        w.startswith("territoires.gpkg : couche « communes") and LUMBRES in w and "réparée" in w for w in terr.warnings
    ), terr.warnings
    assert terr.communes.geometry.is_valid.all() and terr.communes_web.geometry.is_valid.all()
    lumbres = terr.communes.set_index("insee").geometry[LUMBRES]
    original = layers["communes"].set_index("insee").geometry[LUMBRES]
    assert lumbres.geom_type in ("Polygon", "MultiPolygon")
    assert abs(lumbres.area - original.area) < 1.0 and lumbres.hausdorff_distance(original) < 1.0


def test_sound_file_reports_nothing_and_old_constructor_works(terr):
    assert terr.repaired == {} and terr.warnings == ()
    again = Territories(terr.communes, terr.epci, terr.communes_web, terr.epci_web)
    assert again.repaired == {} and again.warnings == ()


@pytest.mark.parametrize(
    "value, words",
    [
        (None, ["géométrie(s) absente(s)", LUMBRES]),
        ("nan", ["coordonnées non numériques", LUMBRES]),
        ("far", ["hors du Pas-de-Calais", LUMBRES]),
    ],
)
def test_damaged_commune_geometry(gpkg, layers, value, words):
    communes = layers["communes"].copy()
    i = communes.index[communes["insee"] == LUMBRES][0]
    geom = communes.geometry[i]
    if value is None:
        geom = None
    elif value == "nan":
        geom = shapely.transform(geom, lambda xy: np.where(np.arange(len(xy))[:, None] == 3, np.nan, xy))
    elif value == "far":
        geom = shapely.transform(geom, lambda xy: np.where(np.arange(len(xy))[:, None] == 3, 1e300, xy))
    communes.loc[i, "geometry"] = geom
    _write(gpkg, layers, communes=communes)
    _raises(gpkg, "couche « communes »", *words)


def test_vertex_moved_by_bit_rot_is_caught(gpkg, layers):
    """One coordinate of Lumbres changed in the file's bytes by 5 km: the EPCI no longer matches."""
    x = shapely.get_coordinates(layers["communes"].set_index("insee").geometry[LUMBRES])[5][0]
    data = bytearray(gpkg.read_bytes())
    at = data.find(struct.pack("<d", x))
    assert at > 0
    data[at : at + 8] = struct.pack("<d", x + 5000)
    gpkg.write_bytes(bytes(data))
    _raises(gpkg, "fichier endommagé")


def test_truncated_layer_contents(gpkg, layers):
    """A half-written file: one commune missing, or the web layers from another build."""
    communes = layers["communes"]
    _write(gpkg, layers, communes=communes[communes["insee"] != LUMBRES])
    _raises(gpkg, "nombre de communes incohérent", "246201016 : 35 au lieu de 36")
    _write(gpkg, layers, communes=communes, communes_web=layers["communes_web"].iloc[:-3])
    _raises(gpkg, "« communes_web » et « communes » ne décrivent pas les mêmes territoires")


@pytest.mark.parametrize("column, value", [("nom", "Lumbrés"), ("population", 1), ("epci_siren", "200069037")])
def test_web_commune_described_otherwise_than_the_full_one(gpkg, layers, column, value):
    """A damaged cell in one of the two copies of a commune's attributes (names are shown from both)."""
    web = layers["communes_web"].copy()
    web.loc[web["insee"] == LUMBRES, column] = value
    _write(gpkg, layers, communes_web=web)
    _raises(gpkg, "1 commune(s) décrite(s) autrement dans « communes_web »", LUMBRES)


def test_population_not_the_sum_of_its_communes(gpkg, layers):
    communes = layers["communes"].copy()
    communes.loc[communes["insee"] == LUMBRES, "population"] += 1000
    _write(gpkg, layers, communes=communes)
    _raises(gpkg, "population de 1 EPCI", "246201016")


def test_communes_of_an_unknown_epci(gpkg, layers):
    communes = layers["communes"].copy()
    communes.loc[communes["insee"] == LUMBRES, "epci_siren"] = "999999999"
    _write(gpkg, layers, communes=communes)
    _raises(gpkg, "EPCI absents de la couche « epci »", "999999999")


@pytest.fixture(scope="module")
def reference():
    return load_territories(SOURCE)


@pytest.mark.parametrize("seed", range(16))
def test_random_damage_never_loads_wrong_data(tmp_path, reference, seed):
    """Bytes overwritten at random inside the file: a TerritoryError, or exactly the same territories
    up to a sub-metre vertex shift (the low bits of one coordinate), never another exception."""
    rng = random.Random(seed)
    data = bytearray(SOURCE.read_bytes())
    for _ in range(rng.choice([1, 1, 3])):
        size = rng.choice([1, 8, 64, 4096])
        at = rng.randrange(100, len(data) - size)
        data[at : at + size] = bytes(rng.randrange(256) for _ in range(size))
    path = tmp_path / "territoires.gpkg"
    path.write_bytes(bytes(data))
    try:
        terr = load_territories(path)
    except TerritoryError as exc:
        assert str(exc).startswith(f"{path} : ")
        return
    for name in LAYERS:
        got, ref = getattr(terr, name), getattr(reference, name)
        assert got.drop(columns="geometry").equals(ref.drop(columns="geometry")), name
        moved = ~got.geometry.geom_equals_exact(ref.geometry, 0)
        if moved.any():
            shift = got.geometry[moved].to_crs(2154).hausdorff_distance(ref.geometry[moved].to_crs(2154))
            assert shift.max() < 1.0, (name, shift.max())

"""Context layers: configuration, reading the Département's files, road lengths, works, web drawing.

The real geodata is read at test time from ``../shared/geo/`` (never copied into the repository):
TravelMapping roads of the Pas-de-Calais and the 2021 public collèges. ``tests/data/`` holds a few
invented files (a road-category table and three land-cover rectangles, see its README).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodash import layers, settings, style
from geodash.layers import (
    check_report,
    filter_roads,
    find_config,
    load_layers,
    normalise_category,
    normalise_road_number,
    road_class,
    road_length_by_category,
    road_works,
    to_web,
)
from geodash.projects import parse_source_lines
from geodash.territories import departement_outline
from geodash.weblayers import context_layers
from geodash.webmap import MapOptions, build_map

GEO = settings.REPO_DIR.parent / "shared" / "geo"
ROADS = GEO / "tm_roads_62.geojson"
COLLEGES = GEO / "colleges_publics_62_academie_lille_2021.geojson"
TEST_DATA = Path(__file__).parent / "data"
CATEGORIES = TEST_DATA / "categories_rd_test.csv"
LAND = TEST_DATA / "occupation_sol_test.geojson"

ARRAS = "200033579"  # Communauté urbaine d'Arras
CAMPAGNES = "200069482"  # CC des Campagnes de l'Artois
LUMBRES = "246201016"
FILE_RD_KM = 5941.0  # départementales in tm_roads_62.geojson (../shared/geo/README.md)

needs_geo = pytest.mark.skipif(
    not ROADS.exists() or not COLLEGES.exists(), reason=f"reference geodata not found in {GEO}"
)


def _toml_path(path: Path, base: Path) -> str:
    """A path as written in a test config: relative to the config's folder, as an officer would."""
    return os.path.relpath(path, base).replace("\\", "/")


def write_config(folder: Path, *, categories: Path | None = CATEGORIES, extra: str = "") -> Path:
    """A test ``geodash.toml`` in ``folder`` pointing at the shared roads and collèges."""
    cat_line = f'categories = "{_toml_path(categories, folder)}"\n' if categories else ""
    text = (
        "[routes]\n"
        f'fichier = "{_toml_path(ROADS, folder)}"\n'
        f"{cat_line}"
        'colonnes = { numero = "route", classe = "classe" }\n'
        'valeurs.classe = { "voie rapide nommee" = "nationale" }\n\n'
        "[sites]\n"
        f'fichier = "{_toml_path(COLLEGES, folder)}"\n'
        'colonnes = { type = "nature", nom = "nom" }\n\n'
        "[occupation_sol]\n"
        f'fichier = "{_toml_path(LAND, folder)}"\n'
        'colonnes = { classe = "code_clc" }\n'
        'valeurs.classe = { "1*" = "artificialise", "3*" = "forets", "4*" = "zones_humides" }\n' + extra
    )
    path = folder / "geodash.toml"
    path.write_text(text, encoding="utf-8")
    return path


def roads_only_config(
    folder: Path,
    roads_path: Path,
    *,
    columns: str = 'numero = "route", classe = "classe"',
    categories: Path | None = None,
    extra: str = "",
) -> Path:
    cat_line = f'categories = "{categories}"\n' if categories else ""
    path = folder / "geodash.toml"
    path.write_text(
        f'[routes]\nfichier = "{roads_path}"\n{cat_line}colonnes = {{ {columns} }}\n{extra}', encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    if not ROADS.exists():
        pytest.skip(f"reference geodata not found in {GEO}")
    return load_layers(write_config(tmp_path_factory.mktemp("cfg")))


@pytest.fixture(scope="module")
def loaded_plain(tmp_path_factory):
    """The same files without any category table."""
    if not ROADS.exists():
        pytest.skip(f"reference geodata not found in {GEO}")
    return load_layers(write_config(tmp_path_factory.mktemp("cfg_plain"), categories=None))


def contract_km(siren: str) -> dict[str, tuple[float, str]]:
    """Road lengths a contract states: indicateur → (km, cited seed lines), from chiffres_cles.csv."""
    table = pd.read_csv(settings.projects_dir() / "chiffres_cles.csv", dtype=str)
    rows = table[(table["epci_siren"] == siren) & table["indicateur"].str.startswith("routes_departementales_km")]
    return {r.indicateur: (float(r.valeur), r.source) for r in rows.itertuples()}


# --- Normalisation --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["D939", "RD 939", "RD939", "D 939", "d939", " rd  939 "])
def test_road_numbers_are_normalised(text):
    assert normalise_road_number(text) == "RD 939"


def test_other_road_numbers():
    assert normalise_road_number("D1E1") == "RD 1E1"
    assert normalise_road_number("A 16") == "A16"
    assert normalise_road_number("RN 42") == "N42"
    assert normalise_road_number("RocEst") == "RocEst"
    assert normalise_road_number(None) == ""


@pytest.mark.parametrize(
    "value, key",
    [
        ("1", "1"),
        (1, "1"),
        (2.0, "2"),
        ("1ère", "1"),
        ("1ère catégorie", "1"),
        ("catégorie 2", "2"),
        ("2ème catégorie", "2"),
        ("2e", "2"),
        ("seconde", "2"),
        ("Troisième", "3"),
        ("3", "3"),
        ("", None),
        (None, None),
        (float("nan"), None),
        ("4", "4"),
        ("R1", "R1"),
        ("prioritaire", "prioritaire"),
    ],
)
def test_category_values(value, key):
    assert normalise_category(value) == key


def test_road_class_from_value_then_prefix():
    assert road_class("D939") == "départementale"
    assert road_class("RD 1E1") == "départementale"
    assert road_class("A16") == "autoroute"
    assert road_class("RN 42") == "nationale"
    assert road_class("D939", "Départementale") == "départementale"
    assert road_class("X", "autoroute") == "autoroute"
    assert road_class("D939", "Communale") is None  # a declared class wins over the number
    assert road_class("RocEst") is None


# --- Configuration --------------------------------------------------------------------------------


def test_no_configuration_means_no_layers(tmp_path, monkeypatch):
    monkeypatch.delenv(layers.CONFIG_ENV, raising=False)
    monkeypatch.setattr(settings, "REPO_DIR", tmp_path)
    assert find_config() is None
    result = load_layers()
    assert result.available == [] and result.problems == [] and result.config_path is None
    text, ok = check_report()
    assert ok and "pas de couches optionnelles" in text


def test_configuration_found_by_env_then_repo(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "REPO_DIR", tmp_path)
    (tmp_path / "geodash.toml").write_text("", encoding="utf-8")
    monkeypatch.delenv(layers.CONFIG_ENV, raising=False)
    assert find_config() == tmp_path / "geodash.toml"
    other = tmp_path / "ailleurs.toml"
    monkeypatch.setenv(layers.CONFIG_ENV, str(other))
    assert find_config() == other
    assert find_config(tmp_path / "x.toml") == tmp_path / "x.toml"
    # A configuration that was asked for but is missing is reported, not silently ignored.
    result = load_layers()
    assert result.available == []
    assert any("introuvable" in m and str(other) in m for m in result.messages)


def test_malformed_toml_is_reported(tmp_path):
    path = tmp_path / "geodash.toml"
    path.write_text('[routes\nfichier = "x"', encoding="utf-8")
    result = load_layers(path)
    assert result.available == []
    assert len(result.errors) == 1
    assert "mal formé" in result.messages[0] and str(path) in result.messages[0]


def test_unknown_keys_and_sections_are_reported(tmp_path):
    path = tmp_path / "geodash.toml"
    path.write_text(
        '[routes]\nfichier = "r.geojson"\nfichir = "typo"\n[parkings]\nfichier = "p.gpkg"\n', encoding="utf-8"
    )
    messages = load_layers(path).messages
    assert any("« fichir » inconnue" in m for m in messages)
    assert any("parkings" in m for m in messages)
    # Relative paths are resolved against the configuration file's folder.
    assert any(str(tmp_path / "r.geojson") in m and "introuvable" in m for m in messages)


# --- Loading the real files -----------------------------------------------------------------------


@needs_geo
def test_real_layers_load_without_problems(loaded):
    assert loaded.problems == [], loaded.messages
    assert loaded.available == ["routes", "sites", "occupation_sol"]
    for kind in loaded.available:
        assert loaded[kind].crs.to_epsg() == 2154
    roads = loaded.routes
    assert len(roads) == 699
    assert roads["classe"].value_counts().to_dict() == {"départementale": 686, "autoroute": 6, "nationale": 7}
    assert set(roads["style"]) <= set(style.ROAD_CLASSES)
    assert roads["numero"].str.match(r"^(RD \d|A\d|N\d|RocEst)").all()
    assert len(loaded.sites) == 125 and set(loaded.sites["type"]) == {"college"}
    assert loaded.occupation_sol["classe"].tolist() == ["forets", "artificialise", "zones_humides"]


@needs_geo
def test_categories_are_never_invented(loaded_plain):
    roads = loaded_plain.routes
    rd = roads[roads["classe"] == "départementale"]
    assert rd["categorie"].isna().all()
    assert (rd["style"] == "non renseignée").all()
    assert "hierarchie_ign" not in roads


@needs_geo
def test_category_table_assigns_categories(loaded):
    roads = loaded.routes.set_index("numero")
    expected = pd.read_csv(CATEGORIES, dtype=str)
    assert len(expected) == 14
    for number, key in [("RD 939", "1"), ("RD 950", "1"), ("RD 937", "1"), ("RD 60", "2"), ("RD 35", "3")]:
        assert set(roads.loc[[number], "style"]) == {key}
    # A branch is not its main road: RD 37E1 is not in the table, so it is « non renseignée ».
    assert set(roads.loc[["RD 37E1"], "style"]) == {"non renseignée"}
    assert set(roads.loc[["RD 37"], "style"]) == {"non renseignée"}


# --- Lengths --------------------------------------------------------------------------------------


@needs_geo
def test_departement_length_matches_the_file(loaded, terr):
    outline = gpd.GeoDataFrame({"siren": ["62"]}, geometry=[departement_outline(terr.communes)], crs=terr.communes.crs)
    table = road_length_by_category(loaded.routes, outline).set_index("siren")
    km = table.loc["62", "départementales"]
    assert abs(km - FILE_RD_KM) / FILE_RD_KM < 0.03, km
    assert km <= FILE_RD_KM + 1  # clipping never adds length


@needs_geo
@pytest.mark.parametrize("siren", [ARRAS, CAMPAGNES])
def test_epci_length_matches_the_contract(loaded, terr, siren, seed_lines):
    stated = contract_km(siren)
    km, source = stated["routes_departementales_km"]
    # The cited lines of the source document do state that figure.
    cited = [seed_lines[n - 1] for a, b in parse_source_lines(source) for n in range(a, b + 1)]
    assert any(f"{km:g} km" in line for line in cited), source
    measured = road_length_by_category(loaded.routes, terr.epci).set_index("siren").loc[siren, "départementales"]
    print(f"{siren}: mesuré {measured:.1f} km, contrat {km:g} km ({(measured - km) / km:+.1%})")
    assert abs(measured - km) / km < 0.15, (measured, km)
    # The per-category figures of the contract add up to its total (no public source has the categories).
    parts = [v for k, (v, _) in stated.items() if k != "routes_departementales_km"]
    assert len(parts) == 3 and sum(parts) == km


@needs_geo
def test_every_stated_epci_length_within_15_percent(loaded, terr):
    table = pd.read_csv(settings.projects_dir() / "chiffres_cles.csv", dtype=str)
    stated = table[table["indicateur"] == "routes_departementales_km"]
    assert len(stated) >= 2
    measured = road_length_by_category(loaded.routes, terr.epci).set_index("siren")["départementales"]
    gaps = {r.epci_siren: (measured[r.epci_siren] - float(r.valeur)) / float(r.valeur) for r in stated.itertuples()}
    assert all(abs(g) < 0.15 for g in gaps.values()), gaps


@needs_geo
def test_category_lengths_add_up(loaded, loaded_plain, terr):
    with_table = road_length_by_category(loaded.routes, terr.epci).set_index("siren")
    without = road_length_by_category(loaded_plain.routes, terr.epci).set_index("siren")
    arras = with_table.loc[ARRAS]
    for key in ("1", "2", "3", "non renseignée"):
        assert arras[key] > 1.0, key
    assert arras[list(layers.RD_CATEGORIES)].sum() == pytest.approx(arras["départementales"], abs=1e-6)
    # Categories only split the length: the totals do not move.
    assert arras["départementales"] == pytest.approx(without.loc[ARRAS, "départementales"], abs=1e-6)
    assert without.loc[ARRAS, "non renseignée"] == pytest.approx(without.loc[ARRAS, "départementales"])
    total = with_table.loc["total"]
    assert total["départementales"] == pytest.approx(with_table.drop(index="total")["départementales"].sum())
    # Roads are cut at the EPCI border: the 1ère catégorie in Arras is a part of all of it.
    assert 0 < arras["1"] < loaded.routes.loc[loaded.routes["style"] == "1"].length.sum() / 1000


@needs_geo
def test_filter_roads(loaded):
    kept = filter_roads(loaded.routes, ["1", "autoroute"])
    assert set(kept["style"]) == {"1", "autoroute"}
    assert len(filter_roads(loaded.routes, None)) == len(loaded.routes)
    with pytest.raises(ValueError, match="inconnue"):
        filter_roads(loaded.routes, ["1ère"])


# --- Problems in the category table ---------------------------------------------------------------


@needs_geo
def test_unknown_category_values_are_reported(tmp_path):
    table = tmp_path / "categories.csv"
    table.write_text("numero;categorie\nD939;4\nRD 60;prioritaire\nRD 5;2\nRD 99999;1\n", encoding="cp1252")
    result = load_layers(roads_only_config(tmp_path, ROADS, categories=table))
    roads = result.routes.set_index("numero")
    assert set(roads.loc[["RD 939"], "style"]) == {"non renseignée"}
    assert set(roads.loc[["RD 60"], "style"]) == {"non renseignée"}
    assert set(roads.loc[["RD 5"], "style"]) == {"2"}
    unknown = [p for p in result.errors if "inconnue(s) de la légende" in p.message]
    assert len(unknown) == 1
    assert "« 4 » (« RD 939 »)" in unknown[0].message and "« prioritaire » (« RD 60 »)" in unknown[0].message
    assert str(ROADS) in str(unknown[0]) and str(unknown[0]).startswith("Routes")
    assert any("RD 99999" in m and "absente" in m for m in result.messages)
    text, ok = check_report(tmp_path / "geodash.toml")
    assert not ok
    assert "catégories inconnues de la légende (montrées « non renseignée ») : « 4 » : « RD 939 »" in text


@needs_geo
def test_ign_hierarchy_is_kept_apart(tmp_path):
    roads = gpd.GeoDataFrame(
        {
            "NUMERO": ["D939", "D60", "C12"],
            "CL_ADMIN": ["Départementale", "Départementale", "Communale"],
            "VOCATION": ["Liaison principale", "Liaison locale", "Liaison locale"],
        },
        geometry=[
            shapely.LineString([(680000, 7020000), (690000, 7030000)]),
            shapely.LineString([(670000, 7020000), (675000, 7025000)]),
            shapely.LineString([(671000, 7020000), (672000, 7021000)]),
        ],
        crs="EPSG:2154",
    )
    path = tmp_path / "troncons.gpkg"
    roads.to_file(path, layer="troncon_de_route")
    config = roads_only_config(
        tmp_path, path, columns='numero = "NUMERO", classe = "CL_ADMIN"', extra='couche = "troncon_de_route"\n'
    )
    result = load_layers(config)
    assert result.has_ign_hierarchy
    frame = result.routes
    assert frame["numero"].tolist() == ["RD 939", "RD 60"]  # the communal road is not drawn
    assert frame["hierarchie_ign"].tolist() == ["Liaison principale", "Liaison locale"]
    assert frame["categorie"].isna().all() and (frame["style"] == "non renseignée").all()
    assert any(layers.IGN_HIERARCHY in m and "pas la catégorie du Département" in m for m in result.messages)
    assert any("« Communale »" in m for m in result.messages)
    text, _ = check_report(config)
    assert "hiérarchie IGN (colonne VOCATION, distincte des catégories du Département)" in text


# --- Broken files ---------------------------------------------------------------------------------


def _truncated(tmp_path: Path) -> Path:
    raw = ROADS.read_bytes()
    path = tmp_path / "routes_tronquees.geojson"
    path.write_bytes(raw[: len(raw) // 2])
    return path


def _corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "routes_corrompues.geojson"
    path.write_bytes(b"\x00\x01PK\x03 ce n'est pas du GeoJSON")
    return path


def _lambert_as_wgs84(tmp_path: Path) -> Path:
    """Lambert-93 coordinates in a GeoJSON (which GDAL reads as WGS84): the CRS is wrong."""
    frame = gpd.read_file(ROADS).to_crs(2154).head(20)
    data = json.loads(frame.to_json())
    data.pop("crs", None)
    path = tmp_path / "routes_lambert.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _no_crs(tmp_path: Path) -> Path:
    frame = gpd.read_file(ROADS, columns=["route", "classe"]).to_crs(2154).head(20)
    frame = frame.set_crs(None, allow_override=True)
    path = tmp_path / "routes_sans_prj.shp"
    with pytest.warns(UserWarning):
        frame.to_file(path)
    return path


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "absent" / "routes.gpkg"


@needs_geo
@pytest.mark.parametrize(
    "make, reason",
    [
        (_missing, "fichier introuvable"),
        (_corrupt, "illisible, corrompu ou tronqué"),
        (_truncated, "illisible, corrompu ou tronqué"),
        (_lambert_as_wgs84, "système de coordonnées erroné"),
        (_no_crs, "système de coordonnées absent"),
    ],
)
def test_broken_road_files_are_reported_not_raised(tmp_path, make, reason):
    path = make(tmp_path)
    result = load_layers(roads_only_config(tmp_path, path))
    assert result.routes is None
    assert len(result.errors) == 1, result.messages
    message = result.messages[0]
    assert message.startswith("Routes (") and str(path) in message and reason in message, message
    text, ok = check_report(tmp_path / "geodash.toml")
    assert not ok and "couche ignorée" in text and reason in text


@needs_geo
def test_wrong_crs_hint_and_declared_crs(tmp_path):
    path = _no_crs(tmp_path)
    result = load_layers(roads_only_config(tmp_path, path))
    assert "ressemblent à du Lambert-93" in result.messages[0]
    result = load_layers(roads_only_config(tmp_path, path, extra='crs = "EPSG:2154"\n'))
    assert result.routes is not None and result.errors == []
    # 20 features read; the Rocade Est de Calais (« voie rapide nommee », not mapped here) is not drawn.
    assert len(result.routes) == 19 and "RocEst" not in set(result.routes["numero"])
    assert any("« voie rapide nommee »" in m for m in result.messages)


@needs_geo
def test_missing_mapped_column(tmp_path):
    result = load_layers(roads_only_config(tmp_path, ROADS, columns='numero = "NUMERO"'))
    assert result.routes is None
    message = result.messages[0]
    assert "colonne « NUMERO »" in message and str(ROADS) in message and "route" in message
    # An optional column that is missing is reported, the layer is kept.
    result = load_layers(roads_only_config(tmp_path, ROADS, columns='numero = "route", classe = "CL_ADMIN"'))
    assert result.routes is not None and len(result.routes) == 699 - 1  # RocEst has no prefix: not drawn
    assert any("« CL_ADMIN »" in m and "colonne ignorée" in m for m in result.messages)
    # A column written with other capitals is used, with a warning.
    result = load_layers(roads_only_config(tmp_path, ROADS, columns='numero = "ROUTE", classe = "Classe"'))
    assert len(result.routes) == 699 - 1 and result.errors == []
    assert any("« ROUTE »" in m and "majuscules" in m for m in result.messages)


def test_invalid_geometries_are_repaired(tmp_path):
    bowtie = shapely.Polygon([(2.70, 50.30), (2.72, 50.32), (2.72, 50.30), (2.70, 50.32), (2.70, 50.30)])
    square = shapely.box(2.76, 50.28, 2.79, 50.30)
    frame = gpd.GeoDataFrame(
        {"classe": ["ens", "Forêts et milieux semi-naturels"], "nom": ["Nœud", "Carré"]},
        geometry=[bowtie, square],
        crs="EPSG:4326",
    )
    path = tmp_path / "sol.geojson"
    frame.to_file(path)
    config = tmp_path / "geodash.toml"
    config.write_text('[[occupation_sol]]\nfichier = "sol.geojson"\n', encoding="utf-8")
    result = load_layers(config)
    land = result.occupation_sol
    assert land["classe"].tolist() == ["ens", "forets"]  # a key or a Légende label both work
    assert land.geometry.is_valid.all()
    assert land.geometry.iloc[0].geom_type == "MultiPolygon" and land.geometry.iloc[0].area > 0
    repaired = [p for p in result.problems if "invalide" in p.message]
    assert len(repaired) == 1 and repaired[0].level == "avertissement"
    assert "1 géométrie(s) invalide(s) réparée(s)" in str(repaired[0]) and str(path) in str(repaired[0])


def test_unknown_site_types_are_reported(tmp_path):
    frame = gpd.GeoDataFrame(
        {"genre": ["CER", "MDADT", "Piscine"], "nom": ["a", "b", "c"]},
        geometry=[shapely.Point(2.78, 50.29)] * 3,
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "sites.geojson")
    config = tmp_path / "geodash.toml"
    config.write_text('[sites]\nfichier = "sites.geojson"\ncolonnes = { type = "genre" }\n', encoding="utf-8")
    result = load_layers(config)
    assert result.sites["type"].tolist() == ["cer", "mdadt"]
    assert any("« Piscine »" in m and m.startswith("Sites du Département") for m in result.messages)


# --- Road works -----------------------------------------------------------------------------------


@needs_geo
def test_road_works_are_cut_to_the_epci(loaded, terr, data):
    works = road_works(loaded.routes, data.financements, ARRAS, epci=terr.epci)
    # CUA-002 (RD 939), CUA-023 (RD 5|RD 950), CUA-028 (RD 260) in data/projects/financements.csv
    assert set(works["numero"]) == {"RD 939", "RD 5", "RD 950", "RD 260"}
    arras = terr.epci.loc[terr.epci["siren"] == ARRAS].geometry.iloc[0]
    assert works.geometry.within(arras.buffer(1)).all()
    whole = loaded.routes[loaded.routes["numero"] == "RD 939"].length.sum()
    inside = works.loc[works["numero"] == "RD 939"].length.iloc[0]
    assert 0 < inside < whole
    assert "CUA-002" in works.loc[works["numero"] == "RD 939", "projets"].iloc[0]
    uncut = road_works(loaded.routes, data.financements, ARRAS)
    assert uncut.loc[uncut["numero"] == "RD 939"].length.iloc[0] == pytest.approx(whole)


@needs_geo
def test_road_works_missing_roads_are_listed(loaded):
    fin = pd.DataFrame(
        {"id": ["X-1", "X-2"], "epci_siren": [LUMBRES, LUMBRES], "intitule": ["a", "b"], "route": ["D208|RD 99999", ""]}
    )
    works = road_works(loaded.routes, fin, LUMBRES)
    assert works["numero"].tolist() == ["RD 208"]
    assert works.attrs["routes_absentes"] == ["RD 99999"]


# --- Web output -----------------------------------------------------------------------------------


@needs_geo
def test_to_web_rounds_and_clips(loaded):
    bbox = (675000.0, 7010000.0, 695000.0, 7030000.0)
    web = to_web(loaded.routes, bbox=bbox)
    assert web.crs.to_epsg() == 4326
    coords = shapely.get_coordinates(web.geometry.to_numpy())
    assert (coords.round(5) == coords).all()
    back = gpd.GeoSeries(web.geometry, crs=4326).to_crs(2154).total_bounds
    assert back[0] > bbox[0] - 5 and back[2] < bbox[2] + 5 and back[1] > bbox[1] - 5 and back[3] < bbox[3] + 5
    assert len(web) < len(loaded.routes)


@needs_geo
def test_context_layers_legend_and_payload(loaded, terr, data):
    works = road_works(loaded.routes, data.financements, ARRAS, epci=terr.epci)
    prepared = context_layers(loaded, epci_siren=ARRAS, territories=terr, works=works)
    m = build_map(terr, options=MapOptions(epci=ARRAS, context=prepared))
    groups = prepared.legend
    titles = [g for g, _ in groups]
    assert titles == [style.GROUP_TITLES[k] for k in ("routes", "autres_routes", "sites", "sol")]
    assert titles == [
        "Routes départementales",
        "Autre réseau routier principal",
        "Présence du Département",
        "Occupation du sol",
    ]
    payload = m.data["context"]
    drawn = {layer["k"]: layer for layer in payload["layers"]}
    counts = {}
    for _, entries in groups:
        for entry in entries:
            label, n = re.search(r"> ([^<>]+) \((\d+)\)$", entry).groups()
            counts[label] = int(n)
    rd1 = style.ROAD_CLASSES["1"].label
    numbers = {f["properties"]["t"].split(" — ")[0] for f in drawn["1"]["fc"]["features"]}
    assert counts[rd1] == len(numbers) >= 3
    assert counts[style.ROAD_WORK.label] == len(works) == 4
    assert counts[style.SITE_TYPES["college"].label] == len(payload["sites"]) > 5
    assert counts[style.LAND_COVER["forets"].label] == 1
    assert drawn["1"]["casing"]["color"] == "#FFFFFF" and drawn["3"]["casing"] is None
    assert drawn["non renseignée"]["style"]["dashArray"] == style.ROAD_CLASSES["non renseignée"].dash
    # Only the Arras surroundings are sent, with 5 decimals.
    coords = [
        c
        for layer in payload["layers"]
        for f in layer["fc"]["features"]
        for c in shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
    ]
    x0, y0, x1, y1 = terr.epci_web.loc[terr.epci_web["siren"] == ARRAS].total_bounds
    assert all(x0 - 0.06 < x < x1 + 0.06 and y0 - 0.04 < y < y1 + 0.04 for x, y in coords)
    assert all(round(v, 5) == v for c in coords for v in c)
    # Legend entries reach the page through MapOptions.extra_legend.
    m2 = build_map(terr, options=MapOptions(epci=ARRAS, extra_legend=groups))
    legend = m2.data["overlay"]["legend"]
    assert "<h5>Présence du Département</h5>" in legend and f"{rd1} ({counts[rd1]})" in legend


@needs_geo
def test_departement_view_payload_is_small(loaded):
    size = len(json.dumps(context_layers(loaded).data).encode("utf-8"))
    assert size < 400_000, size


@needs_geo
def test_road_category_filter_on_the_map(loaded, terr):
    prepared = context_layers(loaded, epci_siren=ARRAS, territories=terr, categories=["1", "2"])
    assert [g for g, _ in prepared.legend] == ["Routes départementales", "Présence du Département", "Occupation du sol"]
    keys = [layer["k"] for layer in prepared.data["layers"]]
    assert "3" not in keys and "autoroute" not in keys and {"1", "2"} <= set(keys)


def test_site_names_are_escaped(tmp_path, terr):
    name = '<script>alert("x")</script> Collège & Cie'
    frame = gpd.GeoDataFrame(
        {"nature": ["COLLEGE"], "nom": [name]}, geometry=[shapely.Point(2.78, 50.29)], crs="EPSG:4326"
    )
    frame.to_file(tmp_path / "sites.geojson")
    config = tmp_path / "geodash.toml"
    config.write_text(
        '[sites]\nfichier = "sites.geojson"\ncolonnes = { type = "nature", nom = "nom" }\n', encoding="utf-8"
    )
    result = load_layers(config)
    assert result.sites["nom"].tolist() == [name]  # kept as written in the data
    prepared = context_layers(result, epci_siren=ARRAS, territories=terr)
    m = build_map(terr, options=MapOptions(epci=ARRAS, context=prepared))
    groups = prepared.legend
    assert "<script>alert" not in json.dumps(m.data)
    tooltip = m.data["context"]["sites"][0][3]
    assert tooltip.startswith("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Collège &amp; Cie")
    assert groups == [("Présence du Département", [groups[0][1][0]])]
    assert groups[0][1][0].endswith("Collège public (1)")


def test_several_files_per_layer_fixed_type_and_watercourses(tmp_path, terr):
    cer = gpd.GeoDataFrame(
        {"LIBELLE": ["CER d'Arras (inventé)"]}, geometry=[shapely.Point(683000, 7019000)], crs="EPSG:2154"
    )
    cer.to_file(tmp_path / "cer.gpkg", layer="cer")
    mds = gpd.GeoDataFrame(
        {"LIBELLE": ["MDS (inventée)"]}, geometry=[shapely.Point(2.77, 50.28).buffer(0.001)], crs="EPSG:4326"
    )
    mds.to_file(tmp_path / "mds.geojson")
    water = gpd.GeoDataFrame(
        {"NOM_C_EAU": ["La Scarpe (tracé inventé)"]},
        geometry=[shapely.LineString([(2.70, 50.29), (2.80, 50.30), (2.90, 50.32)])],
        crs="EPSG:4326",
    )
    water.to_file(tmp_path / "eau.geojson")
    config = tmp_path / "geodash.toml"
    config.write_text(
        '[[sites]]\nfichier = "cer.gpkg"\ntype = "cer"\ncolonnes = { nom = "LIBELLE" }\n\n'
        '[[sites]]\nfichier = "mds.geojson"\ntype = "Maison du Département Solidarité"\n'
        'colonnes = { nom = "LIBELLE" }\n\n'
        '[cours_eau]\nfichier = "eau.geojson"\ncolonnes = { nom = "NOM_C_EAU" }\n',
        encoding="utf-8",
    )
    result = load_layers(config)
    assert result.sites["type"].tolist() == ["cer", "mds"]
    assert result.sites.geom_type.tolist() == ["Point", "Point"]  # the MDS polygon became a point
    assert any("non ponctuel" in m and "mds.geojson" in m for m in result.messages)
    assert result.errors == []
    assert result.cours_eau["nom"].tolist() == ["La Scarpe (tracé inventé)"]
    groups = dict(context_layers(result, epci_siren=ARRAS, territories=terr).legend)
    assert groups["Présence du Département"][0].endswith("Centre d&#x27;Entretien Routier (CER) (1)")
    assert groups["Occupation du sol"][0].endswith("Cours d&#x27;eau (1)")
    text, ok = check_report(config)
    assert ok and "type fixé(e) pour tout le fichier : « cer »" in text


@needs_geo
def test_values_mapped_to_ignorer_are_set_aside_quietly(tmp_path):
    config = roads_only_config(
        tmp_path, ROADS, extra='valeurs.classe = { "voie rapide nommee" = "ignorer", "autoroute" = "ignorer" }\n'
    )
    result = load_layers(config)
    assert set(result.routes["classe"]) == {"départementale", "nationale"}
    assert len(result.routes) == 699 - 7
    assert result.errors == [] and any("7 objet(s) écarté(s)" in m for m in result.messages)


def test_example_configuration_is_valid():
    specs, problems = layers.read_config(settings.REPO_DIR / "geodash.example.toml")
    assert problems == []
    assert {s.kind for s in specs} == set(layers.LAYER_KINDS)

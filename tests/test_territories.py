"""Territorial base: 890 communes, 20 complete EPCI, coverage-clean web geometry."""

from __future__ import annotations

import re
import shutil

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodash import settings
from geodash.territories import TerritoryError, load_territories

# Number of communes each contract states (line of the source document); None where it states none.
CONTRACT_COUNTS = {
    "246201016": (36, 574),
    "246200380": (21, 1374),
    "246200729": (22, 2279),
    "200018083": (31, 3785),
    "246201149": (10, 4529),
    "246200844": (15, 5525),
    "200072478": (27, 6461),
    "200069029": (46, 7366),
    "200044048": (49, 8783),
    "200033579": (46, 9434),
    "245900758": (8, 10418, r"4 communes du Pas-de-Calais.*4 communes du Département du Nord"),
    "200072460": (100, 11055),
    "246200299": (14, 12481),
    "200035442": (64, 15681),
    "200069482": (96, 16473),
    "200069672": (103, 17167),
    "200044030": (69, 18204),
    "200069235": (49, 19061),
    # The Lens-Liévin contract gives no commune count; the Pays de Saint-Omer contract is not in the document.
    "246200364": None,
    "200069037": None,
}


def test_890_communes_in_pas_de_calais(terr):
    inside = terr.communes[~terr.communes["hors_departement"]]
    assert len(inside) == 890
    assert inside["insee"].str.startswith("62").all()
    assert inside["insee"].is_unique


def test_twenty_epci_each_commune_in_exactly_one(terr):
    assert len(terr.epci) == 20
    assert terr.communes["insee"].is_unique
    assert set(terr.communes["epci_siren"]) == set(terr.epci["siren"])
    counts = terr.communes.groupby("epci_siren").size()
    assert counts.to_dict() == terr.epci.set_index("siren")["nb_communes"].to_dict()


def test_epci_beyond_the_departement_are_complete_and_marked(terr):
    outside = terr.communes[terr.communes["hors_departement"]]
    assert sorted(outside["insee"]) == ["59212", "59268", "59293", "59400", "80810"]
    by_epci = outside.groupby("epci_siren").size().to_dict()
    assert by_epci == {"245900758": 4, "200069672": 1}  # Flandre Lys, Ternois


def test_epci_layer_is_union_of_its_communes(terr):
    for siren, group in terr.communes.groupby("epci_siren"):
        union = shapely.union_all(group.geometry.to_numpy())
        epci = terr.epci.set_index("siren").geometry[siren]
        assert abs(union.area - epci.area) / epci.area < 1e-9
        assert union.symmetric_difference(epci).area < 1.0  # m²


@pytest.mark.parametrize("siren", sorted(CONTRACT_COUNTS))
def test_commune_count_matches_contract(terr, seed_lines, siren):
    expected = CONTRACT_COUNTS[siren]
    if expected is None:
        pytest.skip(f"the source document states no commune count for EPCI {siren}")
    count, line, *pattern = expected
    pattern = pattern[0] if pattern else rf"\b{count} communes"
    assert re.search(pattern, seed_lines[line - 1]), f"line {line} does not say {count} communes"
    assert int(terr.epci.set_index("siren").loc[siren, "nb_communes"]) == count


def test_official_2019_names(terr):
    names = dict(zip(terr.epci["siren"], terr.epci["nom"]))
    assert names["246201149"] == "Communauté d'agglomération Grand Calais Terres et Mers"
    assert "Calaisis" not in " ".join(names.values())


# Tolerances of the web geometry, stated: gaps/overlaps between neighbours below 1 m² per commune pair
# in total, and the simplified area within 0.5 % of the true area for every commune.
def test_web_geometry_valid_without_gaps_or_overlaps(terr):
    web = terr.communes_web.to_crs(2154)
    assert web.geometry.is_valid.all()
    union = shapely.union_all(web.geometry.to_numpy())
    overlap = web.area.sum() - union.area
    assert abs(overlap) < 1.0
    full_union = shapely.union_all(terr.communes.geometry.to_numpy())
    # No gap: the union has the same holes as the real outline (one enclave near Flandre Lys).
    holes_web = sum(len(p.interiors) for p in shapely.get_parts(union))
    holes_full = sum(len(p.interiors) for p in shapely.get_parts(full_union))
    assert holes_web == holes_full
    true_area = terr.communes.set_index("insee").area
    ratio = web.set_index("insee").area / true_area
    assert ratio.between(0.9, 1.1).all()
    assert abs(union.area / full_union.area - 1) < 0.005


def test_web_epci_is_union_of_web_communes(terr):
    web = terr.communes_web
    for siren, group in web.groupby("epci_siren"):
        union = shapely.union_all(group.geometry.to_numpy())
        epci = terr.epci_web.set_index("siren").geometry[siren]
        assert union.symmetric_difference(epci).area < 1e-8  # degrees²


def test_web_coordinates_are_rounded(terr):
    coords = shapely.get_coordinates(terr.communes_web.geometry.to_numpy())
    assert abs(coords * 1e5 - (coords * 1e5).round()).max() < 1e-6


def test_a_server_keeps_the_communes_attributes_and_reads_their_shapes_again(terr, tmp_path):
    """``commune_geometry=False`` (what the server keeps): the communes' attributes only; their
    full-resolution shapes read again on demand are the ones a full load gives."""
    light = load_territories(commune_geometry=False)
    assert not isinstance(light.communes, gpd.GeoDataFrame) and "geometry" not in light.communes
    pd.testing.assert_frame_equal(light.communes, pd.DataFrame(terr.communes.drop(columns="geometry")))
    pd.testing.assert_frame_equal(light.epci, terr.epci)
    pd.testing.assert_frame_equal(light.communes_web, terr.communes_web)
    assert terr.with_commune_geometry() is terr  # kept: nothing read
    full = light.with_commune_geometry()
    assert full.communes.crs == terr.communes.crs
    assert full.communes.geom_equals_exact(terr.communes.geometry, tolerance=0).all()
    pd.testing.assert_frame_equal(full.communes, terr.communes)
    assert full.epci is light.epci and not isinstance(light.communes, gpd.GeoDataFrame)  # nothing else read

    # The file replaced by another territory since: refused, not drawn with the wrong communes.
    path = tmp_path / "territoires.gpkg"
    shutil.copyfile(settings.territories_path(), path)
    moved = load_territories(path, commune_geometry=False)
    other = terr.communes.iloc[::-1]
    other.to_file(path, layer="communes", driver="GPKG")
    with pytest.raises(TerritoryError, match="remplacé"):
        moved.with_commune_geometry()

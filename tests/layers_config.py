"""Test configurations of the optional layers, pointing at the shared reference data (never copied)."""

from __future__ import annotations

from pathlib import Path

from geodash import settings

SHARED_GEO = settings.REPO_DIR.parent / "shared" / "geo"
TEST_DATA = settings.REPO_DIR / "tests" / "data"


def write_config(folder: Path, *, roads: Path | None = None) -> Path:
    """A geodash.toml with the shared roads (test category table) and the public collèges."""
    roads = roads or SHARED_GEO / "tm_roads_62.geojson"
    config = folder / "geodash.toml"
    config.write_text(
        f'''
[routes]
fichier = "{roads}"
colonnes = {{ numero = "route", classe = "classe" }}
valeurs.classe = {{ "autoroute" = "autoroute", "nationale" = "nationale", "voie rapide nommee" = "nationale", "departementale" = "départementale" }}
categories = "{TEST_DATA / "categories_rd_test.csv"}"
source = "TravelMapping (OpenStreetMap, ODbL)"

[[sites]]
fichier = "{SHARED_GEO / "colleges_publics_62_academie_lille_2021.geojson"}"
type = "college"
colonnes = {{ nom = "nom" }}
''',
        encoding="utf-8",
    )
    return config

